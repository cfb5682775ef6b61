"""Meta Llama 3.x through real boto3 clients: prompt templates, stream chunks, constraints."""

from __future__ import annotations

import pytest

from tests.conftest import invoke, malformed, rejected, stream_chunks

L3_8B = "meta.llama3-8b-instruct-v1:0"
PROMPT = (
    "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nWho are you?<|eot_id|>"
    "<|start_header_id|>assistant<|end_header_id|>\n\n"
)


def test_response_shape_reads_the_chat_template(runtime):
    body, headers = invoke(runtime, L3_8B, {"prompt": PROMPT, "max_gen_len": 512})
    assert list(body) == ["generation", "prompt_token_count", "generation_token_count", "stop_reason"]
    assert body["generation"].startswith("I am Llama 3 8B") and body["stop_reason"] == "stop"
    assert body["prompt_token_count"] == int(headers["x-amzn-bedrock-input-token-count"]) < 20


@pytest.mark.parametrize(
    "model_id",
    [
        "meta.llama3-70b-instruct-v1:0",
        "us.meta.llama3-1-8b-instruct-v1:0",
        "us.meta.llama3-2-1b-instruct-v1:0",
        "us.meta.llama3-2-90b-instruct-v1:0",
        "us.meta.llama3-3-70b-instruct-v1:0",
    ],
)
def test_the_line_up_answers(runtime, model_id):
    body, _ = invoke(runtime, model_id, {"prompt": "Hi", "max_gen_len": 4})
    assert body["stop_reason"] == "length" and body["generation_token_count"] == 4


def test_stream_chunks(runtime):
    chunks = stream_chunks(runtime, L3_8B, {"prompt": PROMPT, "max_gen_len": 6})
    assert chunks[0]["prompt_token_count"] > 0 and all(c["prompt_token_count"] is None for c in chunks[1:])
    assert [c["generation_token_count"] for c in chunks] == [1, 2, 3, 4, 5, 6, 6]
    assert chunks[-1]["stop_reason"] == "length" and "amazon-bedrock-invocationMetrics" in chunks[-1]


def test_vision_models_take_images_and_text_models_do_not(runtime):
    ok, _ = invoke(
        runtime, "us.meta.llama3-2-11b-instruct-v1:0", {"prompt": "Hi", "images": ["aGVsbG8="], "max_gen_len": 3}
    )
    assert ok["generation"]
    assert rejected(runtime, L3_8B, {"prompt": "Hi", "images": []})[1] == malformed(
        "#: extraneous key [images] is not permitted"
    )


@pytest.mark.parametrize(
    "body, reasons",
    [
        ({"messages": []}, ["#: required key [prompt] not found", "#: extraneous key [messages] is not permitted"]),
        ({"prompt": "x", "max_gen_len": 2049}, ["#/max_gen_len: 2049 is not less or equal to 2048"]),
        ({"prompt": "x", "max_gen_len": 0}, ["#/max_gen_len: 0 is not greater or equal to 1"]),
        ({"prompt": "x", "temperature": 1.5}, ["#/temperature: 1.5 is not less or equal to 1"]),
        ({"prompt": "x", "top_p": 1.5}, ["#/top_p: 1.5 is not less or equal to 1"]),
        ({"prompt": "x", "max_tokens": 10}, ["#: extraneous key [max_tokens] is not permitted"]),
    ],
)
def test_constraints(runtime, body, reasons):
    assert rejected(runtime, L3_8B, body) == ("ValidationException", malformed(*reasons), 400)


def test_llama_3_2_needs_an_inference_profile(runtime):
    code, message, status = rejected(runtime, "meta.llama3-2-1b-instruct-v1:0", {"prompt": "Hi"})
    assert (code, status) == ("ValidationException", 400) and "inference profile" in message
