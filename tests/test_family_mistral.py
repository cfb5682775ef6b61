"""Mistral AI through real boto3 clients: prompt bodies, Large 2 chat bodies, stream chunks, limits."""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.config import Config

from tests.conftest import invoke, malformed, rejected, stream_chunks

M7B, MIXTRAL = "mistral.mistral-7b-instruct-v0:2", "mistral.mixtral-8x7b-instruct-v0:1"
LARGE, LARGE2 = "mistral.mistral-large-2402-v1:0", "mistral.mistral-large-2407-v1:0"


def test_prompt_response_shape(runtime):
    body, headers = invoke(runtime, M7B, {"prompt": "<s>[INST] Who are you? [/INST]", "max_tokens": 400})
    assert body == {"outputs": [{"text": body["outputs"][0]["text"], "stop_reason": "stop"}]}
    assert "Mistral 7B" in body["outputs"][0]["text"] and int(headers["x-amzn-bedrock-output-token-count"]) > 0


def test_stream_chunks(runtime):
    chunks = stream_chunks(runtime, MIXTRAL, {"prompt": "Hi", "max_tokens": 6})
    assert [c["outputs"][0]["stop_reason"] for c in chunks] == [None, None, "length"]
    assert chunks[-1]["amazon-bedrock-invocationMetrics"]["outputTokenCount"] == 6


def test_large_2_chat_body_in_us_west_2():
    runtime = boto3.client("bedrock-runtime", region_name="us-west-2", config=Config(retries={"total_max_attempts": 1}))
    body, _ = invoke(runtime, LARGE2, {"messages": [{"role": "user", "content": "Who are you?"}], "max_tokens": 300})
    choice = body["choices"][0]
    assert choice["message"]["role"] == "assistant" and "Mistral Large 2" in choice["message"]["content"]
    assert choice["stop_reason"] == "stop"
    chunks = [
        json.loads(e["chunk"]["bytes"])
        for e in runtime.invoke_model_with_response_stream(
            modelId=LARGE2, body=json.dumps({"messages": [{"role": "user", "content": "Hi"}], "max_tokens": 4})
        )["body"]
    ]
    assert chunks[-1]["choices"][0]["stop_reason"] == "length"


def test_large_2_is_not_offered_in_us_east_1(runtime):
    assert rejected(runtime, LARGE2, {"prompt": "x"})[1] == "The provided model identifier is invalid."


@pytest.mark.parametrize(
    "model_id, body, reasons",
    [
        (
            M7B,
            {"inputText": "x"},
            ["#: required key [prompt] not found", "#: extraneous key [inputText] is not permitted"],
        ),
        (M7B, {"prompt": "x", "max_tokens": 8193}, ["#/max_tokens: 8193 is not less or equal to 8192"]),
        (MIXTRAL, {"prompt": "x", "max_tokens": 4097}, ["#/max_tokens: 4097 is not less or equal to 4096"]),
        (LARGE, {"prompt": "x", "max_tokens": 0}, ["#/max_tokens: 0 is not greater or equal to 1"]),
        (M7B, {"prompt": "x", "temperature": 1.5}, ["#/temperature: 1.5 is not less or equal to 1"]),
        (M7B, {"prompt": "x", "top_p": 1.5}, ["#/top_p: 1.5 is not less or equal to 1"]),
        (M7B, {"prompt": "x", "top_k": 201}, ["#/top_k: 201 is not less or equal to 200"]),
        (
            M7B,
            {"prompt": "x", "stop": [str(i) for i in range(11)]},
            ["#/stop: expected maximum item count: 10, found: 11"],
        ),
        (
            LARGE,
            {"messages": [{"role": "user", "content": "x"}]},
            ["#: required key [prompt] not found", "#: extraneous key [messages] is not permitted"],
        ),
    ],
)
def test_constraints(runtime, model_id, body, reasons):
    assert rejected(runtime, model_id, body) == ("ValidationException", malformed(*reasons), 400)
