"""Claude through real boto3 clients: the article's text completions, the Messages API, errors."""

from __future__ import annotations

import json

import pytest

from tests.conftest import error_of, invoke, malformed, rejected, stream_chunks

HAIKU = "anthropic.claude-3-haiku-20240307-v1:0"
VERSION = "bedrock-2023-05-31"
NON_EMPTY = "all messages must have non-empty content except for the optional final assistant message"
NOT_MESSAGES = '#: subject must not be valid against schema {"required":["messages"]}'


def messages(*turns, max_tokens=200, **extra) -> dict:
    roles = ["user", "assistant"]
    msgs = [{"role": roles[i % 2], "content": t} for i, t in enumerate(turns)]
    return {"anthropic_version": VERSION, "max_tokens": max_tokens, "messages": msgs, **extra}


# ---------------------------------------------------------------- the article's Claude models


@pytest.mark.parametrize("model_id", ["anthropic.claude-v2", "anthropic.claude-instant-v1", "anthropic.claude-v1"])
def test_every_claude_the_article_names_streams_the_fixed_prompt(runtime, model_id):
    body = {
        "prompt": "\n\nHuman:你是谁?请介绍自己，不少于100字\n\nAssistant:",
        "max_tokens_to_sample": 2048,
        "temperature": 0.5,
        "top_p": 0.9,
    }
    chunks = stream_chunks(runtime, model_id, body, accept="*/*", contentType="application/json")
    text = "".join(c["completion"] for c in chunks)
    assert len(text) >= 100 and "离线" in text
    assert chunks[-1]["stop_reason"] == "stop_sequence" and chunks[-1]["stop"] == "\n\nHuman:"
    assert chunks[-1]["amazon-bedrock-invocationMetrics"]["outputTokenCount"] > 0


# ---------------------------------------------------------------- Messages API: shapes


def test_messages_response_shape_and_headers(runtime):
    body, headers = invoke(runtime, HAIKU, messages("你是谁？", system="Answer briefly.", max_tokens=1000))
    assert list(body) == ["id", "type", "role", "model", "content", "stop_reason", "stop_sequence", "usage"]
    assert body["id"].startswith("msg_bdrk_01") and body["type"] == "message" and body["role"] == "assistant"
    assert body["model"] == "claude-3-haiku-20240307"
    assert body["content"][0]["type"] == "text" and "Claude 3 Haiku" in body["content"][0]["text"]
    assert body["stop_reason"] == "end_turn" and body["stop_sequence"] is None
    assert body["usage"]["input_tokens"] == int(headers["x-amzn-bedrock-input-token-count"])
    assert body["usage"]["output_tokens"] == int(headers["x-amzn-bedrock-output-token-count"])


def test_string_and_block_content_are_the_same_request(runtime):
    as_string, _ = invoke(runtime, HAIKU, messages("Hello there."))
    as_blocks, _ = invoke(runtime, HAIKU, messages([{"type": "text", "text": "Hello there."}]))
    assert as_string["content"] == as_blocks["content"]


def test_multi_turn_and_system_change_the_answer_but_stay_deterministic(runtime):
    one, _ = invoke(runtime, HAIKU, messages("Explain LLMs"))
    three, _ = invoke(runtime, HAIKU, messages("Hello", "Hi, I'm Claude.", "Explain LLMs"))
    again, _ = invoke(runtime, HAIKU, messages("Hello", "Hi, I'm Claude.", "Explain LLMs"))
    assert three == again
    assert three["usage"]["input_tokens"] > one["usage"]["input_tokens"]


def test_max_tokens_and_stop_sequences(runtime):
    short, _ = invoke(runtime, HAIKU, messages("Who are you?", max_tokens=5))
    assert short["stop_reason"] == "max_tokens" and short["usage"]["output_tokens"] == 5
    stopped, _ = invoke(runtime, HAIKU, messages("Who are you?", stop_sequences=["simulator"]))
    assert stopped["stop_reason"] == "stop_sequence" and stopped["stop_sequence"] == "simulator"
    assert "simulator" not in stopped["content"][0]["text"]


def test_messages_stream_event_sequence(runtime):
    chunks = stream_chunks(runtime, HAIKU, messages("Who are you?", max_tokens=40))
    types = [c["type"] for c in chunks]
    assert types[:2] == ["message_start", "content_block_start"]
    assert types[-3:] == ["content_block_stop", "message_delta", "message_stop"]
    assert set(types[2:-3]) == {"content_block_delta"}
    start = chunks[0]["message"]
    assert start["content"] == [] and start["stop_reason"] is None and start["model"] == "claude-3-haiku-20240307"
    text = "".join(c["delta"]["text"] for c in chunks if c["type"] == "content_block_delta")
    assert chunks[-2]["delta"] == {"stop_reason": "max_tokens", "stop_sequence": None}
    assert chunks[-2]["usage"]["output_tokens"] == 40
    metrics = chunks[-1]["amazon-bedrock-invocationMetrics"]
    assert metrics["inputTokenCount"] == start["usage"]["input_tokens"] and metrics["outputTokenCount"] == 40
    whole, _ = invoke(runtime, HAIKU, messages("Who are you?", max_tokens=40))
    assert text == whole["content"][0]["text"]


def test_claude_2_accepts_a_messages_body(runtime):
    body, _ = invoke(runtime, "anthropic.claude-v2:1", messages("Hi"))
    assert body["model"] == "claude-2.1" and body["type"] == "message"


def test_on_demand_refused_but_inference_profile_answers(runtime):
    model = "anthropic.claude-3-5-haiku-20241022-v1:0"
    code, message, status = rejected(runtime, model, messages("Hi"))
    assert (code, status) == ("ValidationException", 400) and "on-demand throughput" in message
    body, _ = invoke(runtime, "us." + model, messages("Hi"))
    assert body["model"] == "claude-3-5-haiku-20241022"


# ---------------------------------------------------------------- Messages API: constraints


def test_claude_3_given_text_completions_body(runtime):
    body = {"prompt": "\n\nHuman: Hi\n\nAssistant:", "max_tokens_to_sample": 100}
    assert rejected(runtime, "anthropic.claude-3-sonnet-20240229-v1:0", body) == (
        "ValidationException",
        '"claude-3-sonnet-20240229" is not supported on this API. Please use the Messages API instead.',
        400,
    )


def test_converse_style_body_is_worded_like_the_real_capture(runtime):
    body = {"messages": [{"role": "user", "content": "Hi"}], "toolConfig": {}, "inferenceConfig": {}}
    code, message, status = rejected(runtime, HAIKU, body)
    assert (code, status) == ("ValidationException", 400)
    assert message == malformed(
        NOT_MESSAGES,
        "#: required key [max_tokens] not found",
        "#: required key [anthropic_version] not found",
        "#: extraneous key [toolConfig] is not permitted",
        "#: extraneous key [inferenceConfig] is not permitted",
    )


def test_anthropic_sdk_keys_stream_and_model_are_extraneous(runtime):
    body = messages("Hi", stream=True, model="claude-3-haiku-20240307")
    assert rejected(runtime, HAIKU, body)[1] == malformed(
        NOT_MESSAGES, "#: extraneous key [stream] is not permitted", "#: extraneous key [model] is not permitted"
    )


def test_empty_content_list(runtime):
    body = messages("Hi", [])
    assert rejected(runtime, HAIKU, body)[1] == malformed(
        NOT_MESSAGES,
        "#/messages/1/content: expected minimum item count: 1, found: 0",
        "#/messages/1/content: expected type: String, found: JSONArray",
    )


@pytest.mark.parametrize(
    "turns, message",
    [
        (("Hi", "", "Again"), f"messages.1: {NON_EMPTY}"),
        (("",), f"messages.0: {NON_EMPTY}"),
        (("Hi", [{"type": "text", "text": ""}], "Again"), "messages: text content blocks must be non-empty"),
        (("Hi", "  \n", "Again"), "messages: text content blocks must contain non-whitespace text"),
    ],
)
def test_empty_turns_are_refused_with_anthropics_words(runtime, turns, message):
    assert rejected(runtime, HAIKU, messages(*turns)) == ("ValidationException", message, 400)


def test_an_empty_final_assistant_turn_is_allowed(runtime):
    body, _ = invoke(runtime, HAIKU, messages("Hi", ""))
    assert body["content"][0]["text"]


@pytest.mark.parametrize(
    "extra, reason",
    [
        ({"anthropic_version": "2023-06-01"}, "#/anthropic_version: 2023-06-01 is not a valid enum value"),
        ({"max_tokens": 0}, "#/max_tokens: 0 is not greater or equal to 1"),
        ({"max_tokens": "200"}, "#/max_tokens: expected type: Integer, found: String"),
        ({"temperature": 1.5}, "#/temperature: 1.5 is not less or equal to 1"),
        ({"top_p": 2}, "#/top_p: 2 is not less or equal to 1"),
        ({"top_k": 501}, "#/top_k: 501 is not less or equal to 500"),
        ({"stop_sequences": "END"}, "#/stop_sequences: expected type: JSONArray, found: String"),
    ],
)
def test_documented_ranges_and_types(runtime, extra, reason):
    assert rejected(runtime, HAIKU, messages("Hi") | extra) == (
        "ValidationException",
        malformed(NOT_MESSAGES, reason),
        400,
    )


def test_role_must_be_user_or_assistant(runtime):
    body = messages("Hi")
    body["messages"][0]["role"] = "system"
    assert rejected(runtime, HAIKU, body)[1] == malformed(
        NOT_MESSAGES, "#/messages/0/role: system is not a valid enum value"
    )


def test_roles_must_alternate(runtime):
    body = messages("Hi")
    body["messages"].append({"role": "user", "content": "Again"})
    assert rejected(runtime, HAIKU, body) == (
        "ValidationException",
        'messages: roles must alternate between "user" and "assistant", but found multiple "user" roles in a row',
        400,
    )


def test_first_message_must_be_user(runtime):
    body = messages("Hi")
    body["messages"][0]["role"] = "assistant"
    assert rejected(runtime, HAIKU, body)[1] == 'messages: first message must use the "user" role'


@pytest.mark.parametrize(
    "model_id, limit, name",
    [
        (HAIKU, 4096, "claude-3-haiku-20240307"),
        ("us.anthropic.claude-3-7-sonnet-20250219-v1:0", 64000, "claude-3-7-sonnet-20250219"),
    ],
)
def test_max_tokens_above_the_models_limit(runtime, model_id, limit, name):
    body = messages("Hi", max_tokens=limit + 1)
    assert rejected(runtime, model_id, body) == (
        "ValidationException",
        f"max_tokens: {limit + 1} > {limit}, which is the maximum allowed number of output tokens for {name}",
        400,
    )


def test_newest_models_refuse_temperature_with_top_p(runtime):
    body = messages("Hi", temperature=0.5, top_p=0.9)
    assert rejected(runtime, "us.anthropic.claude-haiku-4-5-20251001-v1:0", body)[1] == (
        "`temperature` and `top_p` cannot both be specified for this model. Please use only one."
    )
    ok, _ = invoke(runtime, HAIKU, body)  # older models take both
    assert ok["type"] == "message"


def test_stream_validates_like_invoke(runtime):
    with pytest.raises(runtime.exceptions.ValidationException) as exc:
        runtime.invoke_model_with_response_stream(modelId=HAIKU, body=json.dumps({"messages": []}))
    code, message, status = error_of(exc)
    assert status == 400 and message.startswith("Malformed input request: " + NOT_MESSAGES)
