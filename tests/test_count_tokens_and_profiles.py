"""CountTokens equals what Converse and InvokeModel count; inference profiles match what the runtime accepts."""

from __future__ import annotations

import json

import boto3
import pytest

from helpers.simulator import catalog, converse
from helpers.simulator.errors import INVALID_MODEL_ID

from .conftest import NO_RETRIES, error_of

SONNET = "anthropic.claude-3-5-sonnet-20240620-v1:0"
SONNET_4 = "anthropic.claude-sonnet-4-20250514-v1:0"  # profile-only for inference, countable by its own id
HI = [{"role": "user", "content": [{"text": "How many tokens is this question?"}]}]
TOOLS = {
    "tools": [
        {
            "toolSpec": {
                "name": "lookup",
                "description": "Look a word up",
                "inputSchema": {"json": {"type": "object", "properties": {"word": {"type": "string"}}}},
            }
        }
    ]
}


def counted(runtime, model_id: str, **converse_input) -> int:
    return runtime.count_tokens(modelId=model_id, input={"converse": converse_input})["inputTokens"]


def test_count_tokens_for_a_converse_request_equals_converses_own_count(runtime):
    system = [{"text": "Answer in one word."}]
    for kwargs in ({"messages": HI}, {"messages": HI, "system": system}, {"messages": HI, "toolConfig": TOOLS}):
        used = runtime.converse(modelId=SONNET, **kwargs)["usage"]["inputTokens"]
        assert counted(runtime, SONNET, **kwargs) == used
    assert counted(runtime, SONNET, messages=HI, toolConfig=TOOLS) > counted(runtime, SONNET, messages=HI)


def test_count_tokens_for_an_invoke_model_body_equals_the_invoke_model_header(runtime):
    body = {
        "anthropic_version": "bedrock-2023-05-31",
        "max_tokens": 50,
        "system": "Be brief.",
        "messages": [{"role": "user", "content": "How many tokens is this question?"}],
    }
    response = runtime.invoke_model(modelId=SONNET, body=json.dumps(body))
    header = int(response["ResponseMetadata"]["HTTPHeaders"]["x-amzn-bedrock-input-token-count"])
    n = runtime.count_tokens(modelId=SONNET, input={"invokeModel": {"body": json.dumps(body)}})["inputTokens"]
    assert n == header


def test_a_profile_only_model_is_counted_by_its_own_id_but_not_by_its_profile(runtime):
    assert counted(runtime, SONNET_4, messages=HI) > 0
    with pytest.raises(runtime.exceptions.ValidationException) as exc:
        counted(runtime, f"us.{SONNET_4}", messages=HI)
    assert error_of(exc) == ("ValidationException", converse.NO_COUNTING, 400)


@pytest.mark.parametrize(
    "model_id",
    [
        "amazon.nova-lite-v1:0",
        "anthropic.claude-3-haiku-20240307-v1:0",
        "meta.llama3-8b-instruct-v1:0",
        "amazon.titan-embed-text-v2:0",
    ],
)
def test_models_aws_does_not_count_are_refused(runtime, model_id):
    with pytest.raises(runtime.exceptions.ValidationException) as exc:
        counted(runtime, model_id, messages=HI)
    assert error_of(exc)[1] == converse.NO_COUNTING


def test_count_tokens_checks_the_request_as_converse_does(runtime):
    with pytest.raises(runtime.exceptions.ValidationException) as exc:
        counted(runtime, "anthropic.claude-v9", messages=HI)
    assert error_of(exc)[1] == INVALID_MODEL_ID
    with pytest.raises(runtime.exceptions.ValidationException) as exc:
        counted(runtime, SONNET, messages=[{"role": "assistant", "content": [{"text": "Hi"}]}])
    assert error_of(exc)[1] == converse.STARTS_WITH_USER
    bad = {"anthropic_version": "bedrock-2023-05-31", "messages": [{"role": "user", "content": "Hi"}]}
    with pytest.raises(runtime.exceptions.ValidationException) as exc:
        runtime.count_tokens(modelId=SONNET, input={"invokeModel": {"body": json.dumps(bad)}})
    assert "required key [max_tokens] not found" in error_of(exc)[1]


# ------------------------------------------------------------------ inference profiles


def runtime_accepts(region: str) -> set[str]:
    """Every profile id InvokeModel in `region` accepts, straight from the catalog rules."""
    return {
        f"{geo}.{m.model_id}"
        for m in catalog.all_models()
        for geo in m.inference_profiles
        if region in catalog.profile_regions(geo)
    }


@pytest.mark.parametrize("region", ["us-east-1", "eu-central-1", "ap-northeast-1"])
def test_listed_profiles_are_exactly_the_ones_the_runtime_accepts(region):
    bedrock = boto3.client("bedrock", region_name=region, config=NO_RETRIES)
    pages = bedrock.get_paginator("list_inference_profiles").paginate(PaginationConfig={"PageSize": 7})
    summaries = [s for page in pages for s in page["inferenceProfileSummaries"]]
    assert {s["inferenceProfileId"] for s in summaries} == runtime_accepts(region)
    for s in summaries:
        assert s["status"] == "ACTIVE" and s["type"] == "SYSTEM_DEFINED"
        assert s["inferenceProfileArn"] == (
            f"arn:aws:bedrock:{region}:123456789012:inference-profile/{s['inferenceProfileId']}"
        )
        model_id = s["inferenceProfileId"].split(".", 1)[1]
        assert 1 <= len(s["models"]) <= 5
        for m in s["models"]:
            assert m["modelArn"].endswith(f"::foundation-model/{model_id}") and m["modelArn"].startswith(
                "arn:aws:bedrock:"
            )
        assert s["models"][0]["modelArn"].startswith(f"arn:aws:bedrock:{region}:")


def test_a_listed_profile_and_its_arn_both_invoke_the_model(runtime, bedrock):
    (first, *_) = bedrock.list_inference_profiles(maxResults=1)["inferenceProfileSummaries"]
    for identifier in (first["inferenceProfileId"], first["inferenceProfileArn"]):
        assert (
            bedrock.get_inference_profile(inferenceProfileIdentifier=identifier)["inferenceProfileId"]
            == (first["inferenceProfileId"])
        )
        reply = runtime.converse(modelId=identifier, messages=HI, inferenceConfig={"maxTokens": 5})
        assert reply["stopReason"] == "max_tokens"


def test_unknown_profiles_and_application_profiles(bedrock):
    with pytest.raises(bedrock.exceptions.ResourceNotFoundException):
        bedrock.get_inference_profile(inferenceProfileIdentifier="us.anthropic.claude-v9")
    assert bedrock.list_inference_profiles(typeEquals="APPLICATION")["inferenceProfileSummaries"] == []
    with pytest.raises(bedrock.exceptions.ValidationException) as exc:
        bedrock.list_inference_profiles(typeEquals="CUSTOM")
    assert "Member must satisfy enum value set: [SYSTEM_DEFINED, APPLICATION]" in error_of(exc)[1]
