"""Claude Text Completions (claude-v1, v2, v2:1, instant-v1): body checks, prompt rule, stops, streams."""

from __future__ import annotations

import json

import pytest

from helpers.simulator.generators import tokens
from tests.conftest import error_of, invoke, stream_chunks

MODELS = ["anthropic.claude-v2", "anthropic.claude-v2:1", "anthropic.claude-instant-v1", "anthropic.claude-v1"]
PERSONAS = {
    "anthropic.claude-v2": "Claude 2",
    "anthropic.claude-v2:1": "Claude 2.1",
    "anthropic.claude-instant-v1": "Claude Instant 1.2",
    "anthropic.claude-v1": "Claude v1.3",
}
V2 = "anthropic.claude-v2"
SUFFIX = ", please reformat your input and try again."
START_RULE = 'prompt must start with "\n\nHuman:" turn after an optional system prompt'
END_RULE = 'prompt must end with "\n\nAssistant:" turn'


def body(question="What is Amazon Bedrock?", **extra):
    return {"prompt": f"\n\nHuman: {question}\n\nAssistant:", "max_tokens_to_sample": 300, **extra}


def refused(runtime, payload, model=V2) -> str:
    with pytest.raises(runtime.exceptions.ValidationException) as exc:
        invoke(runtime, model, payload)
    code, message, status = error_of(exc)
    assert (code, status) == ("ValidationException", 400)
    return message


# ------------------------------------------------------------------ responses


@pytest.mark.parametrize("model_id", MODELS)
def test_each_text_model_answers_in_the_documented_shape(runtime, model_id):
    reply, headers = invoke(runtime, model_id, body())
    assert list(reply) == ["completion", "stop_reason", "stop"]
    assert reply["completion"].startswith(" ")  # Claude text completions begin with a space
    assert PERSONAS[model_id] in reply["completion"]
    assert reply["stop_reason"] in ("stop_sequence", "max_tokens")
    assert int(headers["x-amzn-bedrock-output-token-count"]) == tokens.count(reply["completion"])
    assert int(headers["x-amzn-bedrock-input-token-count"]) == tokens.count(body()["prompt"])


def test_a_reply_that_ends_stops_on_the_human_turn(runtime):
    reply, _ = invoke(runtime, V2, body(max_tokens_to_sample=4096))
    assert (reply["stop_reason"], reply["stop"]) == ("stop_sequence", "\n\nHuman:")


def test_max_tokens_cuts_the_reply(runtime):
    reply, headers = invoke(runtime, V2, body(max_tokens_to_sample=5))
    assert (reply["stop_reason"], reply["stop"]) == ("max_tokens", None)
    assert headers["x-amzn-bedrock-output-token-count"] == "5"
    assert tokens.count(reply["completion"]) == 5
    full, _ = invoke(runtime, V2, body(max_tokens_to_sample=4096))
    assert full["completion"].startswith(reply["completion"])


def test_zero_max_tokens_is_allowed_and_says_nothing(runtime):
    reply, headers = invoke(runtime, V2, body(max_tokens_to_sample=0))
    assert reply == {"completion": "", "stop_reason": "max_tokens", "stop": None}
    assert headers["x-amzn-bedrock-output-token-count"] == "0"


def test_custom_stop_sequence_ends_before_it_and_is_reported(runtime):
    full, _ = invoke(runtime, V2, body(max_tokens_to_sample=4096))
    assert "." in full["completion"]
    reply, _ = invoke(runtime, V2, body(max_tokens_to_sample=4096, stop_sequences=["."]))
    assert (reply["stop_reason"], reply["stop"]) == ("stop_sequence", ".")
    assert reply["completion"] == full["completion"][: full["completion"].index(".")]


def test_the_earliest_stop_sequence_wins(runtime):
    full, _ = invoke(runtime, V2, body(max_tokens_to_sample=4096))
    text = full["completion"]
    late, early = text.split()[-1], text.split()[2]
    reply, _ = invoke(runtime, V2, body(max_tokens_to_sample=4096, stop_sequences=[late, early]))
    assert reply["stop"] == early and reply["completion"] == text[: text.index(early)]


def test_a_stop_sequence_beyond_max_tokens_reports_max_tokens(runtime):
    reply, _ = invoke(runtime, V2, body(max_tokens_to_sample=3, stop_sequences=["simulator"]))
    assert (reply["stop_reason"], reply["stop"]) == ("max_tokens", None)


def test_same_request_same_answer_and_another_prompt_another(runtime):
    first, _ = invoke(runtime, V2, body("Explain cosine similarity"))
    again, _ = invoke(runtime, V2, body("Explain cosine similarity"))
    other, _ = invoke(runtime, V2, body("How do I list foundation models?"))
    assert first == again
    assert first["completion"] != other["completion"]


def test_sampling_parameters_vary_the_wording(runtime):
    answers = {invoke(runtime, V2, body(temperature=t / 10))[0]["completion"] for t in range(0, 11, 2)}
    assert len(answers) >= 3


def test_system_prompt_before_the_first_human_turn_is_allowed(runtime):
    payload = {"prompt": "You are terse.\n\nHuman: Hi there\n\nAssistant:", "max_tokens_to_sample": 50}
    assert invoke(runtime, "anthropic.claude-v2:1", payload)[0]["completion"]


def test_multi_turn_answers_the_last_human_turn(runtime):
    prompt = "\n\nHuman: 你好\n\nAssistant: 你好！\n\nHuman: What is an embedding?\n\nAssistant:"
    reply, _ = invoke(runtime, V2, {"prompt": prompt, "max_tokens_to_sample": 200})
    assert "What is an embedding?" in reply["completion"]


def test_prefilled_assistant_turn_is_allowed(runtime):
    payload = {"prompt": "\n\nHuman: Give me JSON\n\nAssistant: {", "max_tokens_to_sample": 20}
    assert invoke(runtime, V2, payload)[0]["stop_reason"]


# ------------------------------------------------------------------ the prompt rule


@pytest.mark.parametrize(
    ("prompt", "message"),
    [
        ("Human:你是谁?请介绍自己，不少于100字\n\nAssistant:", START_RULE),  # the article's prompt
        ("Hello there", START_RULE),
        ("\n\nAssistant: I start.\n\nHuman: hi\n\nAssistant:", START_RULE),  # assistant before any human
        ("\n\nHuman: hi", END_RULE),
        ("\n\nHuman: hi\n\nAssistant: ok\n\nHuman: more", END_RULE),
    ],
)
def test_prompt_turn_rules(runtime, prompt, message):
    assert refused(runtime, {"prompt": prompt, "max_tokens_to_sample": 50}) == message


def test_prompt_rule_applies_before_streaming_starts(runtime):
    with pytest.raises(runtime.exceptions.ValidationException) as exc:
        runtime.invoke_model_with_response_stream(
            modelId=V2, body=json.dumps({"prompt": "Human: hi\n\nAssistant:", "max_tokens_to_sample": 10})
        )
    assert error_of(exc)[1] == START_RULE


# ------------------------------------------------------------------ body validation (everit wording)


@pytest.mark.parametrize(
    ("payload", "violations"),
    [
        (
            {"input": "x"},
            "#: required key [prompt] not found#: required key [max_tokens_to_sample] not found"
            "#: extraneous key [input] is not permitted",
        ),
        ({"prompt": "\n\nHuman: hi\n\nAssistant:"}, "#: required key [max_tokens_to_sample] not found"),
        ({"prompt": 5, "max_tokens_to_sample": 10}, "#/prompt: expected type: String, found: Integer"),
        (
            {"prompt": "\n\nHuman: x\n\nAssistant:", "max_tokens_to_sample": "10"},
            "#/max_tokens_to_sample: expected type: Integer, found: String",
        ),
        (
            {"prompt": "\n\nHuman: x\n\nAssistant:", "max_tokens_to_sample": 4097},
            "#/max_tokens_to_sample: 4097 is not less or equal to 4096",
        ),
        (
            {"prompt": "\n\nHuman: x\n\nAssistant:", "max_tokens_to_sample": -1},
            "#/max_tokens_to_sample: -1 is not greater or equal to 0",
        ),
        (
            {"prompt": "\n\nHuman: x\n\nAssistant:", "max_tokens_to_sample": 10, "temperature": 1.5},
            "#/temperature: 1.5 is not less or equal to 1",
        ),
        (
            {"prompt": "\n\nHuman: x\n\nAssistant:", "max_tokens_to_sample": 10, "top_k": 501},
            "#/top_k: 501 is not less or equal to 500",
        ),
        (
            {"prompt": "\n\nHuman: x\n\nAssistant:", "max_tokens_to_sample": 10, "stop_sequences": "\n\nHuman:"},
            "#/stop_sequences: expected type: JSONArray, found: String",
        ),
        (
            {"prompt": "\n\nHuman: x\n\nAssistant:", "max_tokens_to_sample": 10, "maxTokens": 5, "top_p": 2},
            "#: extraneous key [maxTokens] is not permitted#/top_p: 2 is not less or equal to 1",
        ),
    ],
)
def test_malformed_bodies_are_worded_like_bedrock(runtime, payload, violations):
    assert refused(runtime, payload) == f"Malformed input request: {violations}{SUFFIX}"


def test_body_checks_come_before_the_prompt_rule(runtime):
    message = refused(runtime, {"prompt": "no turns", "max_tokens_to_sample": 99999})
    assert message.startswith("Malformed input request: #/max_tokens_to_sample")


@pytest.mark.parametrize("edge", [{"temperature": 0}, {"temperature": 1}, {"top_p": 0}, {"top_k": 0}, {"top_k": 500}])
def test_parameter_range_edges_are_accepted(runtime, edge):
    assert invoke(runtime, V2, body(**edge))[0]["completion"]


# ------------------------------------------------------------------ streaming


@pytest.mark.parametrize("model_id", MODELS)
def test_stream_joins_to_the_same_text_as_invoke(runtime, model_id):
    chunks = stream_chunks(runtime, model_id, body())
    whole, _ = invoke(runtime, model_id, body())
    assert "".join(c["completion"] for c in chunks) == whole["completion"]
    for chunk in chunks[:-1]:
        assert set(chunk) == {"completion", "stop_reason", "stop"}
        assert chunk["stop_reason"] is None and chunk["stop"] is None and chunk["completion"]
    last = chunks[-1]
    assert last["completion"] == ""
    assert (last["stop_reason"], last["stop"]) == (whole["stop_reason"], whole["stop"])


def test_stream_metrics_count_the_streamed_tokens(runtime):
    chunks = stream_chunks(runtime, V2, body())
    metrics = chunks[-1]["amazon-bedrock-invocationMetrics"]
    assert metrics["outputTokenCount"] == tokens.count("".join(c["completion"] for c in chunks))
    assert metrics["inputTokenCount"] == tokens.count(body()["prompt"])


def test_stream_stopped_by_max_tokens(runtime):
    chunks = stream_chunks(runtime, V2, body(max_tokens_to_sample=6))
    assert (chunks[-1]["stop_reason"], chunks[-1]["stop"]) == ("max_tokens", None)
    assert chunks[-1]["amazon-bedrock-invocationMetrics"]["outputTokenCount"] == 6


def test_stream_with_zero_tokens_still_closes_properly(runtime):
    chunks = stream_chunks(runtime, V2, body(max_tokens_to_sample=0))
    assert len(chunks) == 1 and chunks[0]["stop_reason"] == "max_tokens"
    assert chunks[0]["amazon-bedrock-invocationMetrics"]["outputTokenCount"] == 0


def test_stream_arrives_in_several_chunks(runtime):
    assert len(stream_chunks(runtime, V2, body())) > 3


def test_malformed_body_refused_before_streaming(runtime):
    with pytest.raises(runtime.exceptions.ValidationException) as exc:
        runtime.invoke_model_with_response_stream(modelId=V2, body=json.dumps({"prompt": "\n\nHuman: x\n\nAssistant:"}))
    assert error_of(exc)[1] == f"Malformed input request: #: required key [max_tokens_to_sample] not found{SUFFIX}"
