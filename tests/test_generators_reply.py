"""Reply lengths that follow the request, and the deterministic tool-use generator."""

from __future__ import annotations

import re

import pytest

from helpers.simulator.families import Prompt, ToolChoice, ToolResult, ToolSpec, Turn
from helpers.simulator.generators import reply, text, tools

WEATHER = ToolSpec(
    "get_weather",
    "Get the current weather for a city",
    {
        "type": "object",
        "properties": {"city": {"type": "string"}, "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]}},
        "required": ["city"],
    },
)
CALCULATOR = ToolSpec(
    "calculator",
    "Evaluate an arithmetic expression",
    {"type": "object", "properties": {"expression": {"type": "string"}}, "required": ["expression"]},
)
ADD = ToolSpec(
    "add_numbers",
    "Add two numbers",
    {"type": "object", "properties": {"a": {"type": "number"}, "b": {"type": "number"}}, "required": ["a", "b"]},
)


def sentences(answer: str) -> int:
    return len(re.findall(r"[.!?。！？](?=\s|$)", answer))


@pytest.mark.parametrize("greeting", ["Hi", "Hello Claude!", "hey", "Good morning", "你好", "こんにちは"])
def test_a_greeting_gets_one_sentence(greeting):
    answer = text.compose(greeting, "Nova Lite")
    assert sentences(answer) == 1 and "Nova Lite" in answer


def test_a_question_gets_a_few_sentences_and_at_least_n_words_gets_about_n():
    default = text.compose("What is Amazon Bedrock?", "Nova Lite")
    assert 3 <= sentences(default) <= 4 and len(default.split()) < 90
    for n in (60, 100, 200):
        long = text.compose(f"Write at least {n} words about the sea.", "Nova Lite")
        assert n <= len(long.split()) < n + 40
    chinese = text.compose("介绍一下长城，不少于150字", "Nova Lite")
    assert 150 <= len(chinese) < 250


def prompt(question: str, offered=(WEATHER, CALCULATOR, ADD), choice=None, turns=None) -> Prompt:
    return Prompt(
        turns=turns or [Turn("user", (question,))],
        max_tokens=500,
        input_tokens=10,
        tools=tuple(offered),
        tool_choice=choice,
    )


@pytest.mark.parametrize(
    ("question", "name", "arguments"),
    [
        ("What's the weather in San Francisco?", "get_weather", {"city": "San Francisco"}),
        ("Is it raining in London? Answer in fahrenheit.", "get_weather", {"city": "London", "unit": "fahrenheit"}),
        ("上海今天的天气怎么样？", "get_weather", {"city": "上海"}),
        ("What is (3 + 4) * 12?", "calculator", {"expression": "(3 + 4) * 12"}),
        ("What is 17.5% of 240 plus 12?", "calculator", {"expression": "17.5 / 100 * 240 + 12"}),
        ("Compute 20 percent of 45", "calculator", {"expression": "20 / 100 * 45"}),
        ("Please add 2.5 and 40", "add_numbers", {"a": 2.5, "b": 40}),
    ],
)
def test_the_matching_tool_is_called_with_arguments_from_the_request(question, name, arguments):
    outcome = reply.respond(prompt(question), "Nova Lite")
    (call,) = outcome.tool_calls
    assert (call.name, call.input) == (name, arguments)
    assert outcome.stop_reason == "tool_use" and re.fullmatch(r"tooluse_[A-Za-z0-9_-]{22}", call.id)


def test_no_matching_tool_means_text_unless_a_tool_is_forced():
    assert reply.respond(prompt("Tell me a story about a fox."), "Nova Lite").tool_calls == ()
    forced = reply.respond(prompt("Tell me a story.", choice=ToolChoice("tool", "calculator")), "Nova Lite")
    assert forced.tool_calls[0].name == "calculator" and forced.tool_calls[0].input == {"expression": "Tell me a story"}
    anything = reply.respond(prompt("Tell me a story.", choice=ToolChoice("any")), "Nova Lite")
    assert anything.tool_calls[0].name == "get_weather"  # the first tool, when nothing matches


def test_results_are_answered_from_their_content_in_the_requests_language():
    turns = [
        Turn("user", ("北京天气如何？",)),
        Turn("assistant", (tools.ToolCall("tooluse_x", "get_weather", {}),)),
        Turn("user", (ToolResult("tooluse_x", '{"temperature": 3, "sky": "snow"}'),)),
    ]
    outcome = reply.respond(prompt("", turns=turns), "Nova Lite")
    assert outcome.tool_calls == () and outcome.stop_reason == "end_turn"
    assert (
        outcome.text.startswith("根据 get_weather 的结果：temperature 3，sky snow") or "temperature 3" in outcome.text
    )


def test_a_tool_call_that_does_not_fit_max_tokens_stops_there():
    small = prompt("What's the weather in Paris?")
    small.max_tokens = 3
    outcome = reply.respond(small, "Claude 3 Haiku", preface=True)
    assert outcome.stop_reason == "max_tokens" and outcome.tool_calls == () and outcome.output_tokens == 3
