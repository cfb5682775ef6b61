"""Cohere Command (the article's) and Command R / R+ (its successors) through real boto3 clients."""
# ruff: noqa: E501  (the article's code is quoted exactly as printed, long line included)

from __future__ import annotations

import json

import boto3
import pytest

from tests.conftest import invoke, malformed, rejected, stream_chunks

COMMAND, LIGHT = "cohere.command-text-v14", "cohere.command-light-text-v14"
R, R_PLUS = "cohere.command-r-v1:0", "cohere.command-r-plus-v1:0"


# ---------------------------------------------------------------- the article's code, unmodified

ARTICLE = '''
modelId = 'cohere.command-text-v14'
accept = '*/*'
contentType = 'application/json'

def ask(q, max_tokens=2048,temperature=0.8):
  body = json.dumps({
    "prompt": q,
    "max_tokens": max_tokens,
    "temperature": temperature
  })
  response = bedrock.invoke_model(body=body, modelId=modelId, accept=accept, contentType=contentType,)
  # print(response)

  response_body = json.loads(response.get('body').read())
  # print(response_body)

  return response_body.get('generations')[0]['text']

# 测试调用
print(ask("""Translate this sentence to Chinese: Are you going to Scarborough Fair: Parsley, sage, rosemary and thyme."""))
print("-"*20)
# 试试中文，貌似能听懂，但不太会说
print(ask("请翻译为英文：君不见黄河之水天上来"))
'''


def test_the_articles_cohere_block_runs_unmodified(capsys):
    scope = {"json": json, "bedrock": boto3.client(service_name="bedrock-runtime")}
    exec(ARTICLE, scope)
    out = capsys.readouterr().out
    first, second = out.split("-" * 20)
    assert "Cohere Command" in first and "answer best in English" in first  # asked for Chinese, answers English
    assert "君不见黄河之水天上来" in second and not any("\u4e00" <= ch <= "\u9fff" for ch in second.split("”")[-1])


# ---------------------------------------------------------------- Command: shapes


def test_response_shape_and_headers(runtime):
    body, headers = invoke(runtime, COMMAND, {"prompt": "Write one line about Bedrock.", "max_tokens": 400})
    assert list(body) == ["generations", "id", "prompt"]
    gen = body["generations"][0]
    assert list(gen) == ["finish_reason", "id", "text"] and gen["finish_reason"] == "COMPLETE"
    assert body["prompt"] == "Write one line about Bedrock." and gen["text"].startswith(" ")
    assert int(headers["x-amzn-bedrock-output-token-count"]) > 0


def test_max_tokens_defaults_to_20(runtime):
    body, headers = invoke(runtime, LIGHT, {"prompt": "Tell me about the sea."})
    assert body["generations"][0]["finish_reason"] == "MAX_TOKENS"
    assert headers["x-amzn-bedrock-output-token-count"] == "20"


def test_num_generations_and_likelihoods(runtime):
    body, headers = invoke(
        runtime, COMMAND, {"prompt": "Hi", "max_tokens": 6, "num_generations": 3, "return_likelihoods": "GENERATION"}
    )
    gens = body["generations"]
    assert len(gens) == 3 and len({g["id"] for g in gens}) == 3
    assert headers["x-amzn-bedrock-output-token-count"] == "18"
    assert all(len(g["token_likelihoods"]) == 6 and g["likelihood"] <= 0 for g in gens)
    everything, _ = invoke(runtime, COMMAND, {"prompt": "Hello there", "max_tokens": 6, "return_likelihoods": "ALL"})
    assert len(everything["generations"][0]["token_likelihoods"]) > 6  # prompt tokens come first
    plain, _ = invoke(runtime, COMMAND, {"prompt": "Hi", "max_tokens": 6, "return_likelihoods": "NONE"})
    assert "token_likelihoods" not in plain["generations"][0]


def test_stop_sequence_is_kept_in_the_text(runtime):
    body, _ = invoke(runtime, COMMAND, {"prompt": "Who are you?", "max_tokens": 200, "stop_sequences": ["simulator"]})
    gen = body["generations"][0]
    assert gen["text"].endswith("simulator") and gen["finish_reason"] == "COMPLETE"


def test_stream_true_sends_token_chunks_then_the_whole_response(runtime):
    chunks = stream_chunks(runtime, COMMAND, {"prompt": "Who are you?", "max_tokens": 300, "stream": True})
    assert all(set(c) == {"text", "is_finished"} and c["is_finished"] is False for c in chunks[:-1])
    assert chunks[-2]["text"] == "<EOS_TOKEN>"
    last = chunks[-1]
    assert last["is_finished"] is True and last["finish_reason"] == "COMPLETE"
    text = "".join(c["text"] for c in chunks[:-2])
    assert last["response"]["generations"][0]["text"] == text
    assert last["amazon-bedrock-invocationMetrics"]["outputTokenCount"] > 0


def test_several_generations_stream_with_an_index(runtime):
    chunks = stream_chunks(runtime, COMMAND, {"prompt": "Hi", "max_tokens": 3, "stream": True, "num_generations": 2})
    assert [c["index"] for c in chunks[:-1]] == [0, 0, 0, 1, 1, 1]
    assert chunks[-1]["finish_reason"] == "MAX_TOKENS"


def test_without_stream_true_the_stream_is_one_chunk_with_the_whole_response(runtime):
    # A question, not a greeting: its answer runs past 30 tokens (a greeting gets one short sentence).
    chunks = stream_chunks(runtime, COMMAND, {"prompt": "What is Amazon Bedrock?", "max_tokens": 30})
    assert len(chunks) == 1
    whole, _ = invoke(runtime, COMMAND, {"prompt": "What is Amazon Bedrock?", "max_tokens": 30})
    metrics = chunks[0].pop("amazon-bedrock-invocationMetrics")
    assert chunks[0] == whole and metrics["outputTokenCount"] == 30


# ---------------------------------------------------------------- Command: constraints


@pytest.mark.parametrize(
    "body, reasons",
    [
        ({"max_tokens": 10}, ["#: required key [prompt] not found"]),
        ({"prompt": "x", "maxTokens": 10}, ["#: extraneous key [maxTokens] is not permitted"]),
        ({"prompt": "x", "temperature": 5.5}, ["#/temperature: 5.5 is not less or equal to 5"]),
        ({"prompt": "x", "p": 1.5}, ["#/p: 1.5 is not less or equal to 1"]),
        ({"prompt": "x", "k": 501}, ["#/k: 501 is not less or equal to 500"]),
        ({"prompt": "x", "max_tokens": 0}, ["#/max_tokens: 0 is not greater or equal to 1"]),
        ({"prompt": "x", "max_tokens": 4097}, ["#/max_tokens: 4097 is not less or equal to 4096"]),
        ({"prompt": "x", "num_generations": 6}, ["#/num_generations: 6 is not less or equal to 5"]),
        ({"prompt": "x", "return_likelihoods": "SOME"}, ["#/return_likelihoods: SOME is not a valid enum value"]),
        ({"prompt": "x", "truncate": "MIDDLE"}, ["#/truncate: MIDDLE is not a valid enum value"]),
        (
            {"prompt": "x", "stop_sequences": ["a", "b", "c", "d", "e"]},
            ["#/stop_sequences: expected maximum item count: 4, found: 5"],
        ),
        ({"prompt": "x", "logit_bias": {"1234": 11}}, ["#/logit_bias/1234: 11 is not less or equal to 10"]),
        ({"prompt": "x", "stream": "yes"}, ["#/stream: expected type: Boolean, found: String"]),
        ({"prompt": 42}, ["#/prompt: expected type: String, found: Integer"]),
    ],
)
def test_command_constraints(runtime, body, reasons):
    assert rejected(runtime, COMMAND, body) == ("ValidationException", malformed(*reasons), 400)


# ---------------------------------------------------------------- Command R / R+


def test_command_r_chat_response(runtime):
    history = [
        {"role": "USER", "message": "Who discovered gravity?"},
        {"role": "CHATBOT", "message": "Isaac Newton, according to most accounts."},
    ]
    body, headers = invoke(
        runtime,
        R_PLUS,
        {
            "message": "What else did he do?",
            "chat_history": history,
            "preamble": "You are a physics tutor.",
            "max_tokens": 200,
        },
    )
    assert list(body)[:5] == ["response_id", "text", "generation_id", "chat_history", "finish_reason"]
    assert body["chat_history"][:2] == history
    assert body["chat_history"][-1] == {"role": "CHATBOT", "message": body["text"]}
    assert body["meta"]["billed_units"]["output_tokens"] == int(headers["x-amzn-bedrock-output-token-count"])


def test_command_r_speaks_chinese(runtime):
    body, _ = invoke(runtime, R, {"message": "请翻译为英文：君不见黄河之水天上来", "max_tokens": 200})
    assert "Cohere Command R" in body["text"]
    zh, _ = invoke(runtime, R, {"message": "你是谁？", "max_tokens": 200})
    assert "我是" in zh["text"]


def test_command_r_stream_events(runtime):
    chunks = stream_chunks(runtime, R, {"message": "Who are you?", "max_tokens": 30})
    assert chunks[0]["event_type"] == "stream-start"
    assert {c["event_type"] for c in chunks[1:-1]} == {"text-generation"}
    end = chunks[-1]
    assert end["event_type"] == "stream-end" and end["is_finished"] and end["finish_reason"] == "MAX_TOKENS"
    assert end["response"]["text"] == "".join(c["text"] for c in chunks[1:-1])


@pytest.mark.parametrize(
    "body, reasons",
    [
        ({"message": "Hi", "stream": True}, ["#: extraneous key [stream] is not permitted"]),
        ({"prompt": "Hi"}, ["#: required key [message] not found", "#: extraneous key [prompt] is not permitted"]),
        (
            {"message": "Hi", "chat_history": [{"role": "user", "message": "x"}]},
            ["#/chat_history/0/role: user is not a valid enum value"],
        ),
        ({"message": "Hi", "chat_history": [{"role": "USER"}]}, ["#/chat_history/0: required key [message] not found"]),
        ({"message": "Hi", "temperature": 1.2}, ["#/temperature: 1.2 is not less or equal to 1"]),
        ({"message": "Hi", "p": 0.995}, ["#/p: 0.995 is not less or equal to 0.99"]),
        ({"message": "Hi", "k": 501}, ["#/k: 501 is not less or equal to 500"]),
        ({"message": "Hi", "max_tokens": 4001}, ["#/max_tokens: 4001 is not less or equal to 4000"]),
        ({"message": "Hi", "prompt_truncation": "ON"}, ["#/prompt_truncation: ON is not a valid enum value"]),
        ({"message": "Hi", "frequency_penalty": 2}, ["#/frequency_penalty: 2 is not less or equal to 1"]),
    ],
)
def test_command_r_constraints(runtime, body, reasons):
    assert rejected(runtime, R, body) == ("ValidationException", malformed(*reasons), 400)
