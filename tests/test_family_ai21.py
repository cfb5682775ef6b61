"""AI21 Jurassic-2 (the article's) and Jamba 1.5 (its successor) through real boto3 clients."""

from __future__ import annotations

import json

import boto3
import pytest

from tests.conftest import error_of, invoke, malformed, rejected, stream_chunks

ULTRA, MID = "ai21.j2-ultra-v1", "ai21.j2-mid-v1"
MINI, LARGE = "ai21.jamba-1-5-mini-v1:0", "ai21.jamba-1-5-large-v1:0"
J2_BODY = {
    "prompt": "Who are you?",
    "maxTokens": 300,
    "temperature": 0.8,
    "topP": 1,
    "stopSequences": [],
    "countPenalty": {"scale": 0},
    "presencePenalty": {"scale": 0},
    "frequencyPenalty": {"scale": 0},
}


# ---------------------------------------------------------------- the article's code, unmodified

ARTICLE = """
modelId = 'ai21.j2-ultra-v1'
accept = '*/*'
contentType = 'application/json'

def ask(q, modelId=modelId, maxTokens=300):
  body = json.dumps({
    "prompt": q,
    "maxTokens": maxTokens,
    "temperature": 0.8,
    "topP": 1,
    "stopSequences": [],
    "countPenalty":{
      "scale":0
    },
    "presencePenalty":{
      "scale":0
    },
    "frequencyPenalty":{
      "scale":0
    }
  })


  response = bedrock.invoke_model(body=body, modelId=modelId, accept=accept, contentType=contentType,)
  response_body = json.loads(response.get('body').read())
  return response_body.get('completions')[0].get("data").get('text')


print(ask("Who are you?"))

# 试试中文
print(ask("你是谁?"))
"""

ARTICLE_MID = """
print(ask("Who are you?", modelId="ai21.j2-mid-v1"))

print(ask("请翻译为英文：白日依山尽", modelId="ai21.j2-mid-v1"))
"""


def test_the_articles_jurassic_blocks_run_unmodified(capsys):
    scope = {"json": json, "bedrock": boto3.client(service_name="bedrock-runtime")}
    exec(ARTICLE, scope)
    ultra = capsys.readouterr().out
    exec(ARTICLE_MID, scope)
    mid = capsys.readouterr().out
    assert "Jurassic-2 Ultra" in ultra and "answer best in English" in ultra  # 你是谁? answered in English
    assert "Jurassic-2 Mid" in mid and "白日依山尽" in mid


@pytest.mark.parametrize("model_id", [ULTRA, MID, "ai21.j2-ultra", "ai21.j2-mid"])
def test_every_j2_id_and_alias_answers(runtime, model_id):
    body, headers = invoke(runtime, model_id, J2_BODY)
    assert list(body) == ["id", "prompt", "completions"] and isinstance(body["id"], int)
    completion = body["completions"][0]
    assert completion["data"]["text"].startswith("\n") and completion["finishReason"] == {"reason": "endoftext"}
    assert body["prompt"]["text"] == "Who are you?"
    assert int(headers["x-amzn-bedrock-output-token-count"]) == len(completion["data"]["tokens"])


def test_tokens_are_sentencepiece_records_with_text_ranges(runtime):
    body, _ = invoke(runtime, ULTRA, J2_BODY)
    tokens = body["prompt"]["tokens"]
    assert tokens[0]["generatedToken"]["token"] == "Who" and tokens[1]["generatedToken"]["token"] == "\u2581are"
    assert tokens[1]["textRange"] == {"start": 3, "end": 7} and tokens[0]["topTokens"] is None


def test_finish_reasons_length_and_stop(runtime):
    short, _ = invoke(runtime, MID, J2_BODY | {"maxTokens": 5})
    assert short["completions"][0]["finishReason"] == {"reason": "length", "length": 5}
    stopped, _ = invoke(runtime, MID, J2_BODY | {"stopSequences": ["simulator"]})
    assert stopped["completions"][0]["finishReason"] == {"reason": "stop", "sequence": "simulator"}


def test_j2_does_not_stream(runtime):
    with pytest.raises(runtime.exceptions.ValidationException) as exc:
        runtime.invoke_model_with_response_stream(modelId=ULTRA, body=json.dumps(J2_BODY))
    assert error_of(exc) == ("ValidationException", "The model is unsupported for streaming.", 400)


def test_catalog_says_j2_does_not_stream(bedrock):
    details = bedrock.get_foundation_model(modelIdentifier=ULTRA)["modelDetails"]
    assert details["responseStreamingSupported"] is False


@pytest.mark.parametrize(
    "change, reasons",
    [
        ({"max_tokens": 300}, ["#: extraneous key [max_tokens] is not permitted"]),  # snake_case, the pitfall
        ({"top_p": 1}, ["#: extraneous key [top_p] is not permitted"]),
        ({"temperature": 1.5}, ["#/temperature: 1.5 is not less or equal to 1"]),
        ({"topP": 1.1}, ["#/topP: 1.1 is not less or equal to 1"]),
        ({"maxTokens": 8192}, ["#/maxTokens: 8192 is not less or equal to 8191"]),
        ({"maxTokens": -1}, ["#/maxTokens: -1 is not greater or equal to 0"]),
        ({"countPenalty": {"scale": 2}}, ["#/countPenalty/scale: 2 is not less or equal to 1"]),
        ({"presencePenalty": {"scale": 6}}, ["#/presencePenalty/scale: 6 is not less or equal to 5"]),
        ({"frequencyPenalty": {"scale": 501}}, ["#/frequencyPenalty/scale: 501 is not less or equal to 500"]),
        ({"countPenalty": 0}, ["#/countPenalty: expected type: JSONObject, found: Integer"]),
        ({"countPenalty": {}}, ["#/countPenalty: required key [scale] not found"]),
        (
            {"presencePenalty": {"scale": 0, "applyToNumbers": "yes"}},
            ["#/presencePenalty/applyToNumbers: expected type: Boolean, found: String"],
        ),
        ({"stopSequences": "##"}, ["#/stopSequences: expected type: JSONArray, found: String"]),
    ],
)
def test_j2_constraints(runtime, change, reasons):
    assert rejected(runtime, ULTRA, J2_BODY | change) == ("ValidationException", malformed(*reasons), 400)


def test_j2_missing_prompt(runtime):
    assert rejected(runtime, ULTRA, {"maxTokens": 10})[1] == malformed("#: required key [prompt] not found")


def test_penalty_flags_are_accepted(runtime):
    flags = {
        "scale": 1,
        "applyToWhitespaces": False,
        "applyToPunctuations": True,
        "applyToNumbers": True,
        "applyToStopwords": False,
        "applyToEmojis": True,
    }
    body, _ = invoke(runtime, ULTRA, J2_BODY | {"presencePenalty": flags})
    assert body["completions"]


# ---------------------------------------------------------------- Jamba 1.5


def test_jamba_chat_response(runtime):
    req = {
        "messages": [{"role": "system", "content": "You are brief."}, {"role": "user", "content": "Who are you?"}],
        "max_tokens": 200,
    }
    body, headers = invoke(runtime, MINI, req)
    assert list(body) == ["id", "choices", "usage"] and body["id"].startswith("chatcmpl-")
    choice = body["choices"][0]
    assert choice["message"]["role"] == "assistant" and "Jamba 1.5 Mini" in choice["message"]["content"]
    assert choice["finish_reason"] == "stop"
    assert body["usage"]["completion_tokens"] == int(headers["x-amzn-bedrock-output-token-count"])
    assert body["usage"]["total_tokens"] == body["usage"]["prompt_tokens"] + body["usage"]["completion_tokens"]


def test_jamba_n_and_length(runtime):
    body, _ = invoke(runtime, LARGE, {"messages": [{"role": "user", "content": "Hi"}], "n": 2, "max_tokens": 4})
    assert [c["index"] for c in body["choices"]] == [0, 1]
    assert {c["finish_reason"] for c in body["choices"]} == {"length"} and body["usage"]["completion_tokens"] == 8


def test_jamba_streams(runtime):
    chunks = stream_chunks(runtime, MINI, {"messages": [{"role": "user", "content": "Who are you?"}], "max_tokens": 20})
    assert chunks[0]["choices"][0]["delta"] == {"role": "assistant", "content": ""}
    text = "".join(c["choices"][0]["delta"].get("content", "") for c in chunks)
    assert chunks[-1]["choices"][0]["finish_reason"] == "length" and chunks[-1]["usage"]["completion_tokens"] == 20
    whole, _ = invoke(runtime, MINI, {"messages": [{"role": "user", "content": "Who are you?"}], "max_tokens": 20})
    assert text == whole["choices"][0]["message"]["content"]


@pytest.mark.parametrize(
    "body, reasons",
    [
        ({"prompt": "x"}, ["#: required key [messages] not found", "#: extraneous key [prompt] is not permitted"]),
        ({"messages": []}, ["#/messages: expected minimum item count: 1, found: 0"]),
        ({"messages": [{"role": "bot", "content": "x"}]}, ["#/messages/0/role: bot is not a valid enum value"]),
        ({"messages": [{"role": "user", "content": "x"}], "n": 17}, ["#/n: 17 is not less or equal to 16"]),
        (
            {"messages": [{"role": "user", "content": "x"}], "temperature": 2.5},
            ["#/temperature: 2.5 is not less or equal to 2"],
        ),
        (
            {"messages": [{"role": "user", "content": "x"}], "max_tokens": 4097},
            ["#/max_tokens: 4097 is not less or equal to 4096"],
        ),
        (
            {"messages": [{"role": "user", "content": "x"}], "maxTokens": 10},
            ["#: extraneous key [maxTokens] is not permitted"],
        ),
    ],
)
def test_jamba_constraints(runtime, body, reasons):
    assert rejected(runtime, MINI, body) == ("ValidationException", malformed(*reasons), 400)
