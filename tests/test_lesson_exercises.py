"""The intended answers of lessons 01-03's exercises pass their checks (the notebooks commit them unsolved)."""

from __future__ import annotations

import json

import boto3

from tests.conftest import NO_RETRIES, stream_chunks

PROMPT = "\n\nHuman:你是谁?请介绍自己，不少于100字\n\nAssistant:"


def test_exercise_01_header_token_count_matches_the_body(runtime):
    sentence = "Amazon Bedrock is a fully managed service."
    reply = runtime.invoke_model(modelId="amazon.titan-embed-text-v1", body=json.dumps({"inputText": sentence}))
    header = int(reply["ResponseMetadata"]["HTTPHeaders"]["x-amzn-bedrock-input-token-count"])
    assert header == json.loads(reply["body"].read())["inputTextTokenCount"] > 0


def test_exercise_02_stop_sequence_ends_before_the_first_full_stop(runtime):
    body = {"prompt": PROMPT, "max_tokens_to_sample": 300, "stop_sequences": ["。"]}
    events = stream_chunks(runtime, "anthropic.claude-v2", body)
    answer = "".join(e["completion"] for e in events)
    last = events[-1]
    assert last["stop_reason"] == "stop_sequence" and last["stop"] == "。" and "。" not in answer
    unsolved = stream_chunks(runtime, "anthropic.claude-v2", {**body, "stop_sequences": []})
    assert unsolved[-1]["stop"] == "\n\nHuman:", "the committed starting point must not already pass"


def test_exercise_03_server_side_filter_for_image_models_in_us_west_2():
    west = boto3.client("bedrock", region_name="us-west-2", config=NO_RETRIES)
    mine = sorted(s["modelId"] for s in west.list_foundation_models(byOutputModality="IMAGE")["modelSummaries"])
    expected = sorted(
        s["modelId"] for s in west.list_foundation_models()["modelSummaries"] if "IMAGE" in s["outputModalities"]
    )
    assert mine == expected and "stability.sd3-5-large-v1:0" in mine
    east = boto3.client("bedrock", region_name="us-east-1", config=NO_RETRIES)
    assert len(east.list_foundation_models()["modelSummaries"]) != len(mine)
