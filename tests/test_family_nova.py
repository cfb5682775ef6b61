"""Amazon Nova Micro / Lite / Pro native bodies through real boto3 clients."""

from __future__ import annotations

import pytest

from tests.conftest import invoke, malformed, rejected, stream_chunks

MICRO, LITE, PRO = "amazon.nova-micro-v1:0", "amazon.nova-lite-v1:0", "amazon.nova-pro-v1:0"


def request(text="Hello! Who are you?", **config) -> dict:
    return {
        "schemaVersion": "messages-v1",
        "system": [{"text": "You are a helpful assistant."}],
        "messages": [{"role": "user", "content": [{"text": text}]}],
        "inferenceConfig": {"maxTokens": 300, "temperature": 0.5, "topP": 0.9, "topK": 20} | config,
    }


@pytest.mark.parametrize("model_id", [MICRO, LITE, PRO, "us.amazon.nova-pro-v1:0"])
def test_response_shape(runtime, model_id):
    body, headers = invoke(runtime, model_id, request())
    assert list(body) == ["output", "stopReason", "usage"]
    assert body["output"]["message"]["role"] == "assistant" and body["stopReason"] == "end_turn"
    usage = body["usage"]
    assert usage["totalTokens"] == usage["inputTokens"] + usage["outputTokens"]
    assert usage["cacheReadInputTokenCount"] == usage["cacheWriteInputTokenCount"] == 0
    assert usage["outputTokens"] == int(headers["x-amzn-bedrock-output-token-count"])


def test_max_new_tokens_spelling_is_accepted(runtime):
    body, _ = invoke(
        runtime,
        MICRO,
        {
            "messages": [{"role": "user", "content": [{"text": "Hi"}]}],
            "inferenceConfig": {"max_new_tokens": 5, "top_p": 0.5},
        },
    )
    assert body["stopReason"] == "max_tokens" and body["usage"]["outputTokens"] == 5


def test_stream_event_sequence(runtime):
    chunks = stream_chunks(runtime, MICRO, request(maxTokens=12))
    assert chunks[0] == {"messageStart": {"role": "assistant"}}
    middle = chunks[1:-2]
    assert [next(iter(c)) for c in middle] == ["contentBlockDelta", "contentBlockStop"] * (len(middle) // 2)
    assert chunks[-2] == {"messageStop": {"stopReason": "max_tokens"}}
    metrics = chunks[-1]["amazon-bedrock-invocationMetrics"]
    assert chunks[-1]["metadata"]["usage"]["outputTokens"] == metrics["outputTokenCount"] == 12
    assert metrics["cacheReadInputTokenCount"] == 0


@pytest.mark.parametrize(
    "model_id, body, reasons",
    [
        (
            MICRO,
            {"messages": [{"role": "user", "content": "Hi"}]},
            ["#/messages/0/content: expected type: JSONArray, found: String"],
        ),
        (
            MICRO,
            {"prompt": "Hi"},
            ["#: required key [messages] not found", "#: extraneous key [prompt] is not permitted"],
        ),
        (MICRO, request(maxTokens=10001), ["#/inferenceConfig/maxTokens: 10001 is not less or equal to 10000"]),
        (MICRO, request(temperature=1.5), ["#/inferenceConfig/temperature: 1.5 is not less or equal to 1"]),
        (MICRO, request(max_tokens=10), ["#/inferenceConfig: extraneous key [max_tokens] is not permitted"]),
        (
            MICRO,
            request() | {"schemaVersion": "messages-v2"},
            ["#/schemaVersion: messages-v2 is not a valid enum value"],
        ),
        (
            MICRO,
            {"messages": [{"role": "system", "content": [{"text": "x"}]}]},
            ["#/messages/0/role: system is not a valid enum value"],
        ),
    ],
)
def test_constraints(runtime, model_id, body, reasons):
    assert rejected(runtime, model_id, body) == ("ValidationException", malformed(*reasons), 400)


def test_micro_takes_no_images_but_lite_does(runtime):
    image = {"image": {"format": "png", "source": {"bytes": "aGVsbG8="}}}
    body = {"messages": [{"role": "user", "content": [image, {"text": "What is this?"}]}]}
    code, message, status = rejected(runtime, MICRO, body)
    assert status == 400 and message.startswith("Malformed input request: #/messages/0/content/0: subject must not")
    ok, _ = invoke(runtime, LITE, body | {"inferenceConfig": {"maxTokens": 5}})
    assert ok["output"]["message"]["content"]
