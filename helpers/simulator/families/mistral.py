"""Mistral AI on Bedrock: the `prompt` body of 7B / Mixtral / Large / Small, and the chat body
(`messages`) of Mistral Large 2 (24.07).

Facts and where they come from:
- Text-completion request: AWS docs, model-parameters-mistral-text-completion: `prompt` required;
  max_tokens (max 8,192 for 7B, 4,096 for Mixtral 8x7B, 8,192 for Large / Small), stop (at most
  10), temperature 0-1, top_p 0-1, top_k 1-200 (shared/reference/bedrock-wire-format.md 4.9).
  A Titan-style body: `Malformed input request: #: required key [prompt] not found#: extraneous
  key [inputText] is not permitted` (section 4).
- Response `{"outputs": [{"text", "stop_reason": "stop|length"}]}`; stream chunks of the same shape.
- Chat request / response of Mistral Large 2 (`messages`, `choices[{index, message,
  stop_reason}]`): AWS docs, model-parameters-mistral-chat-completion.
"""

from __future__ import annotations

import json
import re

from .. import schema
from ..catalog import Model
from ..generators import tokens
from . import Conversation, Outcome, Prompt, TextFamily, ToolCall, ToolChoice, ToolResult, ToolSpec, Turn, chunk_pieces
from ._chat import base58, count, turn_text

_MARKS = re.compile(r"(\[/?(?:AVAILABLE_TOOLS|INST|TOOL_CALLS|TOOL_RESULTS)\]|</?s>)")
# What the text after each mark is.
_CONTEXT = {
    "<s>": "between",
    "</s>": "between",
    "[INST]": "user",
    "[/INST]": "assistant",
    "[AVAILABLE_TOOLS]": "tools",
    "[/AVAILABLE_TOOLS]": "between",
    "[TOOL_CALLS]": "calls",
    "[TOOL_RESULTS]": "results",
    "[/TOOL_RESULTS]": "between",
}


def _sampling(model: Model) -> dict:
    return {
        "max_tokens": {"type": "integer", "minimum": 1, "maximum": model.limits.get("maxOutputTokens", 8192)},
        "temperature": {"type": "number", "minimum": 0, "maximum": 1},
        "top_p": {"type": "number", "minimum": 0, "maximum": 1},
    }


@schema.per_model
def _prompt_schema(model: Model) -> dict:
    props = {
        "prompt": {"type": "string"},
        "stop": {"type": "array", "maxItems": 10, "items": {"type": "string"}},
        "top_k": {"type": "integer", "minimum": 1, "maximum": 200},
    } | _sampling(model)
    return {"type": "object", "required": ["prompt"], "additionalProperties": False, "properties": props}


@schema.per_model
def _chat_schema(model: Model) -> dict:
    message = {
        "type": "object",
        "required": ["role", "content"],
        "properties": {
            "role": {"type": "string", "enum": ["system", "user", "assistant", "tool"]},
            "content": {"type": "string"},
            "tool_calls": {"type": "array", "items": {"type": "object"}},
            "tool_call_id": {"type": "string"},
        },
    }
    props = {
        "messages": {"type": "array", "minItems": 1, "items": message},
        "tools": {"type": "array"},
        "tool_choice": {"type": "string"},
    } | _sampling(model)
    return {"type": "object", "required": ["messages"], "additionalProperties": False, "properties": props}


def _chat(model: Model, body: dict) -> bool:
    return "chat" in model.traits and "messages" in body


def _tool_specs(listed) -> tuple[ToolSpec, ...]:
    specs = []
    for tool in listed if isinstance(listed, list) else []:
        function = tool.get("function", tool) if isinstance(tool, dict) else {}
        if isinstance(function, dict) and function.get("name"):
            specs.append(ToolSpec(function["name"], function.get("description", ""), function.get("parameters", {})))
    return tuple(specs)


def _json(text: str):
    try:
        return json.loads(text)
    except ValueError:
        return None


def _calls(found) -> tuple[ToolCall, ...]:
    calls = []
    for item in found if isinstance(found, list) else []:
        if isinstance(item, dict):
            function = item.get("function", item)
            args = function.get("arguments", {})
            args = _json(args) if isinstance(args, str) else args
            calls.append(ToolCall(item.get("id", ""), function.get("name", ""), args if isinstance(args, dict) else {}))
    return tuple(calls)


def _chat_turns(messages: list[dict]) -> tuple[str, list[Turn]]:
    system, turns = [], []
    for m in messages:
        if m["role"] == "system":
            system.append(m["content"])
        elif m["role"] == "tool":
            turns.append(Turn("user", (ToolResult(m.get("tool_call_id", ""), m["content"]),)))
        elif m["role"] == "assistant" and m.get("tool_calls"):
            turns.append(Turn("assistant", tuple(x for x in (m["content"], *_calls(m["tool_calls"])) if x)))
        else:
            turns.append(Turn(m["role"], (m["content"],)))
    return "\n".join(system), turns


def _prompt_turns(prompt: str) -> tuple[list[Turn], tuple[ToolSpec, ...]]:
    """Turns and tools of an `[INST]` prompt; text after `[/INST]` is the assistant's."""
    turns: list[Turn] = []
    tools: tuple[ToolSpec, ...] = ()
    context = "between"
    for piece in _MARKS.split(prompt):
        if piece in _CONTEXT:
            context = _CONTEXT[piece]
            continue
        said = piece.strip()
        if not said or context == "between":
            continue
        if context in ("user", "assistant"):
            turns.append(Turn(context, (said,)))
        elif context == "tools":
            tools = _tool_specs(_json(said))
        elif context == "calls":
            turns.append(Turn("assistant", _calls(_json(said))))
        else:
            found = _json(said)
            if isinstance(found, dict):
                content = found.get("content")
                text = content if isinstance(content, str) else json.dumps(content, ensure_ascii=False)
                turns.append(Turn("user", (ToolResult(str(found.get("call_id", "")), text),)))
            else:
                turns.append(Turn("user", (ToolResult("", said),)))
    return turns, tools


class Mistral(TextFamily):
    name = "mistral"
    stop_reasons = {"end_turn": "stop", "stop_sequence": "stop", "max_tokens": "length", "tool_use": "tool_calls"}

    def parse(self, model: Model, body: dict) -> Prompt:
        tools: tuple[ToolSpec, ...] = ()
        choice = None
        system = ""
        if _chat(model, body):
            schema.check(_chat_schema(model), body)
            messages = body["messages"]
            system, turns = _chat_turns(messages)
            if not any(t.role == "user" and t.text for t in turns):
                turns.append(Turn("user", (messages[-1]["content"],)))  # no user turn: answer the last message
            stops = []
            input_tokens = count(*(m["content"] for m in messages)) + 4 * len(messages)
            tools = _tool_specs(body.get("tools"))
            if tools:
                input_tokens += count(json.dumps(body["tools"], ensure_ascii=False))
            if body.get("tool_choice") in ("any", "none", "auto"):
                choice = ToolChoice(body["tool_choice"])
        else:
            schema.check(_prompt_schema(model), body)
            prompt = body["prompt"]
            turns, tools = _prompt_turns(prompt)
            if not turns or not any(t.role == "user" for t in turns) or "[INST]" not in prompt:
                # A bare prompt: the whole text (without markup) is the question.
                turns = [
                    Turn("user", (prompt.replace("<s>", "").replace("[INST]", "").replace("[/INST]", "").strip(),))
                ]
            stops, input_tokens = body.get("stop", []), count(prompt)
        default = 512 if model.limits.get("maxOutputTokens", 8192) <= 4096 else 8192
        return Prompt(
            turns=turns,
            max_tokens=body.get("max_tokens", default),
            input_tokens=input_tokens,
            system=system,
            tools=tools,
            tool_choice=choice,
            stop_sequences=tuple(stops),
            variation=f"{body.get('temperature', 0.5)}/{body.get('top_p', 0.9)}/{body.get('top_k', 50)}",
            prefix="" if "messages" in body else " ",
            body=body,
        )

    def _calls(self, outcome: Outcome) -> list[dict]:
        return [
            {"id": base58(c.id, length=9), "function": {"name": c.name, "arguments": json.dumps(c.input)}}
            for c in outcome.tool_calls
        ]

    def _text(self, outcome: Outcome) -> str:
        """Prompt bodies answer a tool call with Mistral's `[TOOL_CALLS]` markup as text [guess]."""
        if not outcome.tool_calls:
            return outcome.text
        listed = [{"name": c.name, "arguments": c.input} for c in outcome.tool_calls]
        return outcome.text + "[TOOL_CALLS] " + json.dumps(listed, ensure_ascii=False)

    def render(self, model: Model, prompt: Prompt, outcome: Outcome) -> dict:
        reason = self.native_stop(outcome)
        if _chat(model, prompt.body):
            message = {"role": "assistant", "content": outcome.text}
            if outcome.tool_calls:
                message["tool_calls"] = self._calls(outcome)
            return {"choices": [{"index": 0, "message": message, "stop_reason": reason}]}
        return {"outputs": [{"text": self._text(outcome), "stop_reason": reason if reason != "tool_calls" else "stop"}]}

    def render_chunks(self, model: Model, prompt: Prompt, outcome: Outcome) -> list[dict]:
        chat = _chat(model, prompt.body)
        said = outcome.pieces if chat else tuple(tokens.pieces(self._text(outcome)))
        pieces = chunk_pieces(said, size=2) or [""]
        reason = self.native_stop(outcome)
        chunks = []
        for i, piece in enumerate(pieces):
            last = i == len(pieces) - 1
            if chat:
                message = {"role": "assistant", "content": piece}
                if last and outcome.tool_calls:
                    message["tool_calls"] = self._calls(outcome)
                chunks.append({"choices": [{"index": 0, "message": message, "stop_reason": reason if last else None}]})
            else:
                stop = (reason if reason != "tool_calls" else "stop") if last else None
                chunks.append({"outputs": [{"text": piece, "stop_reason": stop}]})
        return chunks

    def native_request(self, model: Model, conversation: Conversation) -> dict:
        if "chat" in model.traits:
            body: dict = {"messages": _chat_messages(conversation)}
            if conversation.tools:
                body["tools"] = [
                    {
                        "type": "function",
                        "function": {"name": t.name, "description": t.description, "parameters": t.schema},
                    }
                    for t in conversation.tools
                ]
                if conversation.tool_choice is not None:
                    body["tool_choice"] = conversation.tool_choice.mode
        else:
            body = {"prompt": _template(conversation)}
            if conversation.stop_sequences:
                body["stop"] = conversation.stop_sequences
        names = {"max_tokens": "max_tokens", "temperature": "temperature", "top_p": "top_p"}
        return body | conversation.sampling(names, model.limits.get("maxOutputTokens", 8192))


def _chat_messages(conversation: Conversation) -> list[dict]:
    messages = [{"role": "system", "content": conversation.system_text}] if conversation.system else []
    for turn in conversation.turns:
        results = turn.of(ToolResult)
        calls = turn.of(ToolCall)
        if results:
            messages += [{"role": "tool", "tool_call_id": r.id, "content": r.text} for r in results]
        elif calls:
            listed = [{"id": c.id, "function": {"name": c.name, "arguments": json.dumps(c.input)}} for c in calls]
            messages.append({"role": "assistant", "content": turn.text, "tool_calls": listed})
        else:
            messages.append({"role": turn.role, "content": turn_text(turn)})
    return messages


def _template(conversation: Conversation) -> str:
    """Mistral's instruct template, with the tokenizer's tool markup when tools are offered."""
    parts = ["<s>"]
    if conversation.tools:
        listed = [
            {"type": "function", "function": {"name": t.name, "description": t.description, "parameters": t.schema}}
            for t in conversation.tools
        ]
        parts.append(f"[AVAILABLE_TOOLS] {json.dumps(listed, ensure_ascii=False)}[/AVAILABLE_TOOLS]")
    first = True
    for turn in conversation.turns:
        if turn.of(ToolResult):
            for r in turn.of(ToolResult):
                parts.append(f"[TOOL_RESULTS] {json.dumps({'call_id': r.id, 'content': r.text})}[/TOOL_RESULTS]")
        elif turn.of(ToolCall):
            listed = [{"name": c.name, "arguments": c.input, "id": c.id} for c in turn.of(ToolCall)]
            parts.append(f"[TOOL_CALLS] {json.dumps(listed, ensure_ascii=False)}</s>")
        elif turn.role == "user":
            said = turn_text(turn)
            if first and conversation.system:
                said = f"{conversation.system_text}\n\n{said}"
            parts.append(f"[INST] {said} [/INST]")
            first = False
        else:
            parts.append(f" {turn_text(turn)}</s>")
    return "".join(parts)


FAMILY = Mistral()
