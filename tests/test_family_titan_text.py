"""Amazon Titan Text G1 through real boto3 clients: body, stream chunks, pointer-less errors."""

from __future__ import annotations

import pytest

from tests.conftest import invoke, rejected, stream_chunks

EXPRESS, LITE, PREMIER = "amazon.titan-text-express-v1", "amazon.titan-text-lite-v1", "amazon.titan-text-premier-v1:0"


def test_response_shape(runtime):
    body, headers = invoke(
        runtime, EXPRESS, {"inputText": "User: Who are you?\nBot:", "textGenerationConfig": {"maxTokenCount": 400}}
    )
    assert list(body) == ["inputTextTokenCount", "results"]
    result = body["results"][0]
    assert result["completionReason"] == "FINISH" and result["outputText"].startswith("\nI am Titan Text G1 - Express")
    assert result["tokenCount"] == int(headers["x-amzn-bedrock-output-token-count"])
    assert body["inputTextTokenCount"] == int(headers["x-amzn-bedrock-input-token-count"])


def test_length_and_stop_reasons(runtime):
    short, _ = invoke(runtime, LITE, {"inputText": "Hi", "textGenerationConfig": {"maxTokenCount": 7}})
    assert short["results"][0]["completionReason"] == "LENGTH" and short["results"][0]["tokenCount"] == 7


def test_stream_chunks(runtime):
    chunks = stream_chunks(runtime, EXPRESS, {"inputText": "Hi", "textGenerationConfig": {"maxTokenCount": 30}})
    assert chunks[0]["inputTextTokenCount"] == 1 and all(c["inputTextTokenCount"] is None for c in chunks[1:])
    assert [c["completionReason"] for c in chunks] == [None] * (len(chunks) - 1) + ["LENGTH"]
    assert chunks[-1]["totalOutputTextTokenCount"] == 30 and all(c["index"] == 0 for c in chunks)
    whole, _ = invoke(runtime, EXPRESS, {"inputText": "Hi", "textGenerationConfig": {"maxTokenCount": 30}})
    assert "".join(c["outputText"] for c in chunks) == whole["results"][0]["outputText"]


@pytest.mark.parametrize(
    "model_id, body, reason",
    [
        (
            EXPRESS,
            {"inputText": "x", "textGenerationConfig": {"stopSequences": ["Observation"]}},
            r"string [Observation] does not match pattern ^(\|+|User:)$",
        ),
        (EXPRESS, {"prompt": "x"}, "2 schema violations found"),
        (EXPRESS, {"inputText": "x", "max_tokens": 5}, "extraneous key [max_tokens] is not permitted"),
        (
            EXPRESS,
            {"inputText": "x", "textGenerationConfig": {"maxTokenCount": 8193}},
            "8193 is not less or equal to 8192",
        ),
        (
            LITE,
            {"inputText": "x", "textGenerationConfig": {"maxTokenCount": 4097}},
            "4097 is not less or equal to 4096",
        ),
        (
            PREMIER,
            {"inputText": "x", "textGenerationConfig": {"maxTokenCount": 3073}},
            "3073 is not less or equal to 3072",
        ),
        (EXPRESS, {"inputText": "x", "textGenerationConfig": {"temperature": 1.1}}, "1.1 is not less or equal to 1"),
        (EXPRESS, {"inputText": "x", "textGenerationConfig": {"topP": -0.1}}, "-0.1 is not greater or equal to 0"),
    ],
)
def test_constraints_worded_without_pointer(runtime, model_id, body, reason):
    assert rejected(runtime, model_id, body) == (
        "ValidationException",
        f"Malformed input request: {reason}, please reformat your input and try again.",
        400,
    )


def test_pipe_and_user_stop_sequences_are_allowed(runtime):
    body, _ = invoke(runtime, EXPRESS, {"inputText": "x", "textGenerationConfig": {"stopSequences": ["|", "User:"]}})
    assert body["results"]
