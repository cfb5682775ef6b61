"""Grader for lesson 09's stretch exercise: a tool-use loop over the Converse API.

`check_tool_loop` runs the learner's `answer_with_tools` on five conversations with the notebook's own
client and tools, follows the current mode (live or offline), and prints one verdict in the form of
`helpers.exercises.check` (wrapped at 100 characters), naming the first case that went wrong and the
mistake behind it.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

NAME = "Stretch 09"
RUNAWAY = 12  # model calls after which a loop is taken to be endless


class RunawayLoop(Exception):
    """Raised inside the learner's loop when it keeps calling the model long after max_rounds."""


@contextmanager
def _watching(client: Any) -> Iterator[list[dict]]:
    """Record each Converse call made with `client` (its parsed answer is added after the call)."""
    calls: list[dict] = []

    def before(params: dict, **_: Any) -> None:
        if len(calls) >= RUNAWAY:
            raise RunawayLoop(f"the model was called {len(calls)} times")
        calls.append({"params": dict(params)})

    def after(parsed: dict, **_: Any) -> None:
        if calls:
            calls[-1]["reply"] = parsed

    client.meta.events.register("provide-client-params.bedrock-runtime.Converse", before)
    client.meta.events.register("after-call.bedrock-runtime.Converse", after)
    try:
        yield calls
    finally:
        client.meta.events.unregister("provide-client-params.bedrock-runtime.Converse", before)
        client.meta.events.unregister("after-call.bedrock-runtime.Converse", after)


def _counted(functions: dict[str, Callable]) -> tuple[dict[str, Callable], list[tuple[str, dict]]]:
    """The learner's tools wrapped so the grader sees every call and its arguments."""
    log: list[tuple[str, dict]] = []

    def wrap(name: str, func: Callable) -> Callable:
        def called(**kwargs: Any) -> Any:
            log.append((name, kwargs))
            return func(**kwargs)

        return called

    return {name: wrap(name, func) for name, func in functions.items()}, log


def _blocks(messages: list, kind: str) -> list[dict]:
    return [
        block[kind]
        for message in messages
        if isinstance(message, dict)
        for block in message.get("content") or []
        if isinstance(block, dict) and kind in block
    ]


def _text(message: object) -> str:
    if not isinstance(message, dict):
        return ""
    return "".join(b["text"] for b in message.get("content") or [] if isinstance(b, dict) and "text" in b)


def _why_it_raised(error: BaseException) -> str:
    message = getattr(error, "response", {}).get("Error", {}).get("Message", "") if hasattr(error, "response") else ""
    if isinstance(error, RunawayLoop):
        return "it never stopped: the model keeps asking for a tool, so stop after max_rounds calls."
    if "without `tool_result`" in message or "tool_result" in message:
        return (
            f"Bedrock said: {message} Every toolUse needs a toolResult with the same toolUseId in the next "
            "user message."
        )
    if "toolConfig field must be defined" in message:
        return f"Bedrock said: {message} Send toolConfig with every call of the loop."
    if "alternate" in message:
        return f"Bedrock said: {message} Append the assistant's message before the user message with the results."
    if message:
        return f"Bedrock said: {message}"
    return f"your function raised {type(error).__name__}: {error}"


def _case(answer_with_tools: Callable, client: Any, question: str, tool_config: dict, functions: dict, **kw: Any):
    """Run one case: (conversation or None, why it failed or None, model calls, tool calls)."""
    wrapped, tool_log = _counted(functions)
    with _watching(client) as calls:
        try:
            value = answer_with_tools(question, tool_config, wrapped, **kw)
        except Exception as error:  # the learner's code may raise anything; the verdict names it
            return None, _why_it_raised(error), calls, tool_log
    if not isinstance(value, list) or not value:
        return None, f"it returned {value!r}: return the conversation, the list of messages.", calls, tool_log
    return value, None, calls, tool_log


def check_tool_loop(answer_with_tools: Callable, client: Any, model_id: str, tool_config: dict, functions: dict):
    """Print whether `answer_with_tools(question, tool_config, functions, model_id=..., max_rounds=...)`
    runs tools until the model is done, returns the conversation, reports tool errors and stops."""
    verdict = _grade(answer_with_tools, client, model_id, tool_config, functions)
    line = f"\u2705 {NAME}: solved. {_SOLVED}" if verdict is None else f"\u274c {NAME}: not yet. {verdict}"
    print(textwrap.fill(line, 100, subsequent_indent="   ", break_long_words=False, break_on_hyphens=False))


_SOLVED = (
    "the loop ran get_weather and calculate for the model, sent the Porto error back as a toolResult with status "
    "error, answered a greeting with no tool at all, and stopped when a forced toolChoice kept the model asking."
)


def _grade(answer_with_tools, client, model_id, tool_config, functions) -> str | None:
    """None when every case passes, else what went wrong in the first case that failed."""
    weather = "What's the weather like in Lisbon today?"
    messages, why, calls, tools = _case(answer_with_tools, client, weather, tool_config, functions, model_id=model_id)
    if why:
        return f"{weather!r}: {why}"
    last = calls[-1].get("reply", {}) if calls else {}
    if not _blocks(messages, "toolUse"):
        return f"{weather!r}: the conversation has no toolUse: append each of the model's messages to it."
    if last.get("stopReason") == "tool_use" or messages[-1].get("role") != "assistant":
        return (
            f"{weather!r}: the conversation ends with the model asking for get_weather. Run the tool, send its "
            "result back, and call the model again while stopReason is tool_use."
        )
    if not any(name == "get_weather" for name, _ in tools):
        return f"{weather!r}: get_weather never ran: call functions[name](**input) for each toolUse block."
    uses = {u.get("toolUseId") for u in _blocks(messages, "toolUse")}
    results = _blocks(messages, "toolResult")
    if not results or any(r.get("toolUseId") not in uses for r in results):
        return f"{weather!r}: each toolResult must carry the toolUseId of the toolUse it answers."
    if "19" not in _text(messages[-1]):
        return f"{weather!r}: the final answer doesn't use the tool's result (Lisbon is 19 °C): send the result back."

    hello = "Hello!"
    messages, why, calls, tools = _case(answer_with_tools, client, hello, tool_config, functions, model_id=model_id)
    if why:
        return f"{hello!r}: {why}"
    if tools or len(calls) != 1 or [m.get("role") for m in messages] != ["user", "assistant"]:
        return (
            f"{hello!r}: a greeting needs no tool: one call to the model, and the conversation is the question and "
            f"the answer (yours made {len(calls)} calls and has {len(messages)} messages)."
        )

    porto = "What's the weather in Porto?"
    messages, why, calls, tools = _case(answer_with_tools, client, porto, tool_config, functions, model_id=model_id)
    if why:
        if "no weather for" in why:
            return (
                f"{porto!r}: get_weather raised an error and your loop stopped. Catch it and send it back as a "
                'toolResult with "status": "error", so the model can say what went wrong.'
            )
        return f"{porto!r}: {why}"
    results = _blocks(messages, "toolResult")
    if not results or results[0].get("status") != "error":
        return f'{porto!r}: get_weather failed, so its toolResult needs "status": "error" and the error\'s text.'
    if messages[-1].get("role") != "assistant":
        return f"{porto!r}: after sending the error back, call the model once more for its answer."

    percent = "What is 17.5% of 240 plus 12?"
    messages, why, calls, tools = _case(answer_with_tools, client, percent, tool_config, functions, model_id=model_id)
    if why:
        return f"{percent!r}: {why}"
    if not any(name == "calculate" for name, _ in tools):
        return f"{percent!r}: calculate never ran: look the tool up by the toolUse's name in `functions`."
    if "54" not in _text(messages[-1]):
        return f"{percent!r}: the final answer doesn't use calculate's result (54)."

    forced = {**tool_config, "toolChoice": {"any": {}}}
    messages, why, calls, tools = _case(
        answer_with_tools, client, weather, forced, functions, model_id=model_id, max_rounds=3
    )
    if why:
        return f"with toolChoice any and max_rounds=3: {why}"
    if len(calls) > 3:
        return (
            f"with toolChoice any the model asks for a tool every time; your loop called it {len(calls)} times "
            "with max_rounds=3: stop after max_rounds calls."
        )
    return None
