"""Tool use on Claude's native Messages body, and Anthropic's own checks as Bedrock relays them."""

from __future__ import annotations

import json
import re

import pytest

from .conftest import invoke, rejected, stream_chunks

HAIKU = "anthropic.claude-3-haiku-20240307-v1:0"
WEATHER = {
    "name": "get_weather",
    "description": "Get the current weather for a city",
    "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
}
CLAUDE_ID = re.compile(r"^toolu_bdrk_01[1-9A-HJ-NP-Za-km-z]{22}$")


def body(*messages, **extra) -> dict:
    return {"anthropic_version": "bedrock-2023-05-31", "max_tokens": 300, "messages": list(messages)} | extra


ASK = {"role": "user", "content": "What's the weather in Berlin?"}


def test_tools_produce_a_tool_use_block_and_stop_reason(runtime):
    reply, headers = invoke(runtime, HAIKU, body(ASK, tools=[WEATHER]))
    assert reply["stop_reason"] == "tool_use" and reply["stop_sequence"] is None
    text, use = reply["content"]
    assert text["type"] == "text" and "get_weather" in text["text"]  # Claude says what it is about to do
    assert use["type"] == "tool_use" and use["name"] == "get_weather" and use["input"] == {"city": "Berlin"}
    assert CLAUDE_ID.match(use["id"])
    assert reply["usage"]["output_tokens"] == int(headers["x-amzn-bedrock-output-token-count"])


def test_forced_tool_choice_answers_with_the_tool_only(runtime):
    joke = {"role": "user", "content": "Tell me a joke."}
    reply, _ = invoke(runtime, HAIKU, body(joke, tools=[WEATHER], tool_choice={"type": "tool", "name": "get_weather"}))
    assert [b["type"] for b in reply["content"]] == ["tool_use"] and reply["stop_reason"] == "tool_use"
    plain, _ = invoke(runtime, HAIKU, body(joke, tools=[WEATHER]))
    assert plain["stop_reason"] == "end_turn"
    none, _ = invoke(runtime, HAIKU, body(ASK, tools=[WEATHER], tool_choice={"type": "none"}))
    assert none["stop_reason"] == "end_turn"


def test_the_tool_result_is_used_in_the_next_answer(runtime):
    first, _ = invoke(runtime, HAIKU, body(ASK, tools=[WEATHER]))
    use = first["content"][-1]
    result = {"type": "tool_result", "tool_use_id": use["id"], "content": "12 degrees and drizzle"}
    second, _ = invoke(
        runtime,
        HAIKU,
        body(
            ASK,
            {"role": "assistant", "content": first["content"]},
            {"role": "user", "content": [result]},
            tools=[WEATHER],
        ),
    )
    assert second["stop_reason"] == "end_turn"
    assert "According to get_weather: 12 degrees and drizzle." in second["content"][0]["text"]


def test_a_tool_call_streams_as_input_json_deltas(runtime):
    chunks = stream_chunks(runtime, HAIKU, body(ASK, tools=[WEATHER]))
    starts = [c for c in chunks if c["type"] == "content_block_start"]
    assert [s["content_block"]["type"] for s in starts] == ["text", "tool_use"]
    tool = starts[1]
    assert tool["content_block"]["input"] == {} and CLAUDE_ID.match(tool["content_block"]["id"])
    partial = [
        c["delta"]["partial_json"] for c in chunks if c["type"] == "content_block_delta" and c["index"] == tool["index"]
    ]
    assert partial[0] == "" and json.loads("".join(partial)) == {"city": "Berlin"}
    assert [c["delta"]["type"] for c in chunks if c["type"] == "content_block_delta" and c["index"] == 1] == [
        "input_json_delta"
    ] * len(partial)
    (delta,) = [c for c in chunks if c["type"] == "message_delta"]
    assert delta["delta"]["stop_reason"] == "tool_use"


def test_an_unanswered_tool_call_is_refused_in_anthropics_words(runtime):
    first, _ = invoke(runtime, HAIKU, body(ASK, tools=[WEATHER]))
    use_id = first["content"][-1]["id"]
    follow = body(
        ASK,
        {"role": "assistant", "content": first["content"]},
        {"role": "user", "content": "And Rome?"},
        tools=[WEATHER],
    )
    assert rejected(runtime, HAIKU, follow)[1] == (
        f"messages.1: `tool_use` ids were found without `tool_result` blocks immediately after: {use_id}. "
        "Each `tool_use` block must have a corresponding `tool_result` block in the next message."
    )


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        # An empty *string* turn is refused as a whole message (konveyor/kai#645, on InvokeModel); an empty text
        # block gets the block rule.
        (
            {"messages": [{"role": "user", "content": ""}]},
            "messages.0: all messages must have non-empty content except for the optional final assistant message",
        ),
        (
            {"messages": [{"role": "user", "content": [{"type": "text", "text": ""}]}]},
            "messages: text content blocks must be non-empty",
        ),
        (
            {"messages": [{"role": "user", "content": [{"type": "text", "text": " \n"}]}]},
            "messages: text content blocks must contain non-whitespace text",
        ),
        ({"system": "   "}, "system: text content blocks must contain non-whitespace text"),
        ({"tools": [{"name": "get_weather"}]}, "tools.0.input_schema: Field required"),
        (
            {"tools": [{"name": "get weather", "input_schema": {}}]},
            "tools.0.name: String should match pattern '^[a-zA-Z0-9_-]{1,64}$'",
        ),
    ],
)
def test_empty_text_and_bad_tools_are_refused_as_anthropic_words_them(runtime, change, expected):
    assert rejected(runtime, HAIKU, body(ASK) | change) == ("ValidationException", expected, 400)
