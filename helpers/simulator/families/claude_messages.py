"""Anthropic Claude Messages API (`anthropic_version: bedrock-2023-05-31`), Claude 2.x, 3.x and 4.x.

Facts and where they come from:
- Body fields, required keys, content as string or blocks, response shape, stop reasons, stream
  events `message_start` ... `message_stop`: AWS docs, model-parameters-anthropic-claude-messages,
  and a recorded Claude 3 Haiku response / Claude 3.5 Sonnet stream (Arize-ai/openinference
  cassettes; shared/reference/bedrock-wire-format.md sections 2.4 and 4.2), which also shows a
  tool call's `"stop_reason":"tool_use"`.
- Bedrock validates Claude bodies against one schema that accepts either a text-completions body
  or a messages body; a bad messages body is reported as `#: subject must not be valid against
  schema {"required":["messages"]}` followed by the messages branch's violations
  (fumito-ito/AnthropicSwiftSDK#19, quadratichq/quadratic#2718).
- Claude 3+ given a text-completions body: `"claude-3-sonnet-20240229" is not supported on this
  API. Please use the Messages API instead.` (aws/fmeval#286).
- Anthropic's own checks pass through as ValidationException texts: role alternation (section 4.2),
  `max_tokens: 128000 > 64000, which is the maximum allowed number of output tokens for
  claude-3-7-sonnet-20250219` (anthropics/claude-code#24451, coolcline/CoolCline#23) and, on
  Claude Sonnet 4.5 / Haiku 4.5, `` `temperature` and `top_p` cannot both be specified for this
  model. Please use only one. `` (aws-samples/bedrock-access-gateway#191). Empty and blank text:
  `messages: text content blocks must be non-empty` / `... must contain non-whitespace text`
  (epam/ai-dial-adapter-bedrock's tests against Claude on Bedrock; `system: ...` for the system
  prompt). Unanswered tool calls: `messages.41: `tool_use` ids were found without `tool_result`
  blocks immediately after: tooluse_98xCgc2kSRW_VDsS0DiqPQ. Each `tool_use` block must have a
  corresponding `tool_result` block in the next message.` (relayed by Bedrock, litellm reports).
  Field errors are worded as Anthropic's validator words them, `messages.0.content.1.image.source:
  Field required` (as relayed by InvokeModel in public runbooks).
- Ranges: temperature 0-1, top_p 0-1, top_k 0-500 (AWS docs page above).
- Tools: `tools: [{name, description, input_schema}]`, `tool_choice: {type: auto|any|tool|none,
  name}`; the answer's `tool_use` blocks carry ids `toolu_bdrk_01...` and stream as
  `content_block_start` (`input: {}`) then `input_json_delta` fragments, the first empty
  (Anthropic's streaming docs; Bedrock ids as seen in public logs).
"""

from __future__ import annotations

import base64
import json
import re

from .. import schema
from ..catalog import Model
from ..errors import malformed, validation
from ..generators import grounding
from . import (
    Conversation,
    Media,
    Outcome,
    Prompt,
    TextFamily,
    ToolCall,
    ToolChoice,
    ToolResult,
    ToolSpec,
    Turn,
    chunk_pieces,
)
from ._chat import base58, block_text, count, document_passages, image_tokens, json_fragments
from ._claude import api_name, text_completion_schema

VERSION = "bedrock-2023-05-31"
NON_EMPTY = "all messages must have non-empty content except for the optional final assistant message"
NOT_MESSAGES_BRANCH = 'subject must not be valid against schema {"required":["messages"]}'
# Tokens Anthropic adds for its tool-use system prompt (auto / any or tool); Claude 3.5 Sonnet's
# figures from Anthropic's tool-use pricing table, recalled, used for every Claude here.
TOOL_SYSTEM_TOKENS = {"auto": 294, "forced": 261}
_TOOL_NAME = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")

_TEXT_BLOCK = {
    "type": "object",
    "required": ["type", "text"],
    "properties": {"type": {"type": "string", "enum": ["text"]}, "text": {"type": "string"}},
}
_BLOCK = {
    "type": "object",
    "required": ["type"],
    "properties": {
        "type": {"type": "string", "enum": ["text", "image", "document", "tool_use", "tool_result"]},
        "text": {"type": "string"},
        "source": {
            "type": "object",
            "required": ["type", "media_type", "data"],
            "properties": {"type": {"type": "string", "enum": ["base64", "text"]}, "data": {"type": "string"}},
        },
    },
    "allOf": [
        {"if": {"properties": {"type": {"const": "text"}}}, "then": {"required": ["text"]}},
        {
            "if": {"properties": {"type": {"const": "image"}}},
            "then": {
                "properties": {
                    "source": {
                        "properties": {
                            "media_type": {
                                "type": "string",
                                "enum": ["image/jpeg", "image/png", "image/gif", "image/webp"],
                            }
                        }
                    }
                }
            },
        },
    ],
}
_MESSAGE = {
    "type": "object",
    "required": ["role", "content"],
    "additionalProperties": False,
    "properties": {
        "role": {"type": "string", "enum": ["user", "assistant"]},
        "content": {"anyOf": [{"type": "array", "minItems": 1, "items": _BLOCK}, {"type": "string"}]},
    },
}
SCHEMA = {
    "type": "object",
    # Order as in the real message: max_tokens is reported before anthropic_version.
    "required": ["messages", "max_tokens", "anthropic_version"],
    "additionalProperties": False,
    "properties": {
        "anthropic_version": {"type": "string", "enum": [VERSION]},
        "max_tokens": {"type": "integer", "minimum": 1},
        "messages": {"type": "array", "minItems": 1, "items": _MESSAGE},
        "system": {"anyOf": [{"type": "array", "items": _TEXT_BLOCK}, {"type": "string"}]},
        "temperature": {"type": "number", "minimum": 0, "maximum": 1},
        "top_p": {"type": "number", "minimum": 0, "maximum": 1},
        "top_k": {"type": "integer", "minimum": 0, "maximum": 500},
        "stop_sequences": {"type": "array", "items": {"type": "string"}},
        "tools": {"type": "array", "items": {"type": "object"}},
        "tool_choice": {"type": "object"},
        "metadata": {"type": "object"},
        "anthropic_beta": {"type": "array", "items": {"type": "string"}},
        "thinking": {"type": "object"},
    },
}


def _blocks(content) -> list[dict]:
    return [{"type": "text", "text": content}] if isinstance(content, str) else list(content)


def _check(model: Model, body: dict) -> None:
    if "messages" not in body:
        # The text-completions branch of the shared schema; valid bodies are then refused.
        schema.check(text_completion_schema(model), body)
        raise validation(f'"{api_name(model)}" is not supported on this API. Please use the Messages API instead.')
    found = schema.violations(SCHEMA, body)
    if found:
        raise malformed(f"#: {NOT_MESSAGES_BRANCH}", *found)
    roles = [m["role"] for m in body["messages"]]
    if roles[0] != "user":
        raise validation('messages: first message must use the "user" role')
    for a, b in zip(roles, roles[1:], strict=False):
        if a == b:
            raise validation(
                'messages: roles must alternate between "user" and "assistant", '
                f'but found multiple "{a}" roles in a row'
            )
    _check_not_empty(body["messages"])
    limit = model.limits.get("maxOutputTokens", 4096)
    if body["max_tokens"] > limit:
        raise validation(
            f"max_tokens: {body['max_tokens']} > {limit}, which is the maximum allowed number of output tokens "
            f"for {api_name(model)}"
        )
    if "temperatureOrTopP" in model.traits and "temperature" in body and "top_p" in body:
        raise validation("`temperature` and `top_p` cannot both be specified for this model. Please use only one.")
    _check_text(body)
    _check_tools(body)


def _check_not_empty(messages: list[dict]) -> None:
    """A turn whose content is the empty string, in Anthropic's words as Bedrock passes them through.

    `messages.0: all messages must have non-empty content except for the optional final assistant
    message` (InvokeModel, konveyor/kai#645). Empty or blank text *blocks* are `_check_text`'s. That
    this is checked after role alternation is a guess.
    """
    last = len(messages) - 1
    for i, message in enumerate(messages):
        if message["content"] == "" and not (i == last and message["role"] == "assistant"):
            raise validation(f"messages.{i}: {NON_EMPTY}")


def _blank(text: str) -> str | None:
    if text == "":
        return "text content blocks must be non-empty"
    if not text.strip():
        return "text content blocks must contain non-whitespace text"
    return None


def _check_text(body: dict) -> None:
    """Anthropic's rules for text: no empty or blank text blocks, in messages or the system prompt."""
    system = body.get("system")
    for text in [system] if isinstance(system, str) else [b.get("text", "") for b in system or []]:
        if text is not None and text != "" and _blank(text):
            raise validation(f"system: {_blank(text)}")
    last = len(body["messages"]) - 1
    for i, message in enumerate(body["messages"]):
        if i == last and message["role"] == "assistant" and message["content"] == "":
            continue  # the optional empty final assistant turn the message above allows (a guess)
        for block in _blocks(message["content"]):
            if block.get("type") == "text" and _blank(block.get("text", "")):
                raise validation(f"messages: {_blank(block['text'])}")


def _check_tools(body: dict) -> None:
    """Tool definitions, tool_choice, and tool_use / tool_result pairing, in Anthropic's words."""
    for i, tool in enumerate(body.get("tools", [])):
        for key in ("name", "input_schema"):
            if key not in tool:
                raise validation(f"tools.{i}.{key}: Field required")
        if not isinstance(tool["name"], str) or not _TOOL_NAME.match(tool["name"]):
            raise validation(f"tools.{i}.name: String should match pattern '^[a-zA-Z0-9_-]{{1,64}}$'")
    choice = body.get("tool_choice")
    if choice is not None:
        if choice.get("type") not in ("auto", "any", "tool", "none"):
            raise validation("tool_choice.type: Input should be 'auto', 'any', 'tool' or 'none'")
        if choice["type"] == "tool" and "name" not in choice:
            raise validation("tool_choice.tool.name: Field required")
    messages = body["messages"]
    for i, message in enumerate(messages[:-1]):
        if message["role"] != "assistant":
            continue
        asked = [b.get("id") for b in _blocks(message["content"]) if b.get("type") == "tool_use"]
        answered = {b.get("tool_use_id") for b in _blocks(messages[i + 1]["content"]) if b.get("type") == "tool_result"}
        missing = [a for a in asked if a not in answered]
        if missing:
            raise validation(
                f"messages.{i}: `tool_use` ids were found without `tool_result` blocks immediately after: "
                f"{', '.join(missing)}. Each `tool_use` block must have a corresponding `tool_result` block "
                "in the next message."
            )
    for i, message in enumerate(messages):
        before = messages[i - 1]["content"] if i else []
        asked = {b.get("id") for b in _blocks(before) if b.get("type") == "tool_use"} if i else set()
        for j, block in enumerate(_blocks(message["content"])):
            if block.get("type") == "tool_result" and block.get("tool_use_id") not in asked:
                # Anthropic's wording, recalled.
                raise validation(
                    f"messages.{i}.content.{j}: unexpected `tool_use_id` found in `tool_result` blocks: "
                    f"{block.get('tool_use_id')}. Each `tool_result` block must have a corresponding `tool_use` "
                    "block in the previous message."
                )


def _result_text(content) -> str:
    if isinstance(content, str):
        return content
    return "\n".join(b.get("text", "") if b.get("type") == "text" else json.dumps(b) for b in content or [])


def _turn(message: dict) -> Turn:
    blocks = []
    for block in _blocks(message["content"]):
        kind = block.get("type")
        if kind == "text":
            blocks.append(block["text"])
        elif kind == "tool_use":
            blocks.append(ToolCall(block.get("id", ""), block.get("name", ""), block.get("input", {})))
        elif kind == "tool_result":
            status = "error" if block.get("is_error") else "success"
            blocks.append(ToolResult(block.get("tool_use_id", ""), _result_text(block.get("content")), status))
        elif kind in ("image", "document"):
            source = block.get("source", {})
            data = base64.b64decode(source.get("data", "")) if source.get("type") == "base64" else b""
            blocks.append(Media(kind, str(source.get("media_type", "")).rpartition("/")[2], data))
    return Turn(message["role"], tuple(blocks))


def _tools(body: dict) -> tuple[tuple[ToolSpec, ...], ToolChoice | None]:
    tools = tuple(
        ToolSpec(t["name"], t.get("description", ""), t.get("input_schema", {})) for t in body.get("tools", [])
    )
    choice = body.get("tool_choice")
    return tools, (ToolChoice(choice["type"], choice.get("name")) if choice else None)


def native_tool_id(call_id: str) -> str:
    """Claude's own id for a tool call it makes (`toolu_bdrk_01...`), derived from the neutral id."""
    return "toolu_bdrk_01" + base58(call_id, length=22)


class ClaudeMessages(TextFamily):
    name = "claude_messages"
    stop_reasons = {
        "end_turn": "end_turn",
        "max_tokens": "max_tokens",
        "stop_sequence": "stop_sequence",
        "tool_use": "tool_use",
    }
    tool_preface = True  # Claude often says what it is about to do before a tool call

    def parse(self, model: Model, body: dict) -> Prompt:
        _check(model, body)
        messages = body["messages"]
        system = block_text(body.get("system", ""))
        input_tokens = count(system, *(block_text(m["content"]) for m in messages)) + 3 * len(messages) + 4
        turns = [_turn(m) for m in messages]
        tools, choice = _tools(body)
        input_tokens += _extra_input_tokens(turns, body)
        # Passages in the system prompt, the last user turn or its text documents ground the answer
        # (rule: generators/grounding.py); the question is what is left of the user's text.
        question = block_text(next(m for m in reversed(messages) if m["role"] == "user")["content"])
        system_passages, _ = grounding.split_context(system)
        user_passages, rest = grounding.split_context(question)
        context = system_passages + user_passages + document_passages(turns[-1])
        asked = (grounding.question_of(rest) or question) if context else None
        variation = "/".join(
            str(x)
            for x in (body.get("temperature", 1), body.get("top_p", 1), body.get("top_k", 250), system, len(messages))
        )
        return Prompt(
            turns=turns,
            max_tokens=body["max_tokens"],
            input_tokens=input_tokens,
            system=system,
            tools=tools,
            tool_choice=choice,
            stop_sequences=tuple(body.get("stop_sequences", [])),
            variation=variation,
            body=body,
            context=tuple(context),
            asked=asked,
        )

    def _message_id(self, model: Model, prompt: Prompt) -> str:
        return "msg_bdrk_01" + base58(model.model_id, prompt.body, length=22)

    def _content(self, outcome: Outcome) -> list[dict]:
        content = []
        if outcome.text or not outcome.tool_calls:
            content.append({"type": "text", "text": outcome.text})
        for call in outcome.tool_calls:
            content.append({"type": "tool_use", "id": native_tool_id(call.id), "name": call.name, "input": call.input})
        return content

    def render(self, model: Model, prompt: Prompt, outcome: Outcome) -> dict:
        return {
            "id": self._message_id(model, prompt),
            "type": "message",
            "role": "assistant",
            "model": api_name(model),
            "content": self._content(outcome),
            "stop_reason": self.native_stop(outcome),
            "stop_sequence": outcome.stop_sequence,
            "usage": {"input_tokens": outcome.input_tokens, "output_tokens": outcome.output_tokens},
        }

    def render_chunks(self, model: Model, prompt: Prompt, outcome: Outcome) -> list[dict]:
        start = {
            "id": self._message_id(model, prompt),
            "type": "message",
            "role": "assistant",
            "model": api_name(model),
            "content": [],
            "stop_reason": None,
            "stop_sequence": None,
            "usage": {"input_tokens": outcome.input_tokens, "output_tokens": 1},
        }
        chunks: list[dict] = [{"type": "message_start", "message": start}]
        index = 0
        if outcome.text or not outcome.tool_calls:
            chunks.append({"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}})
            chunks += [
                {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": piece}}
                for piece in chunk_pieces(outcome.pieces)
            ]
            chunks.append({"type": "content_block_stop", "index": 0})
            index = 1
        for call in outcome.tool_calls:
            block = {"type": "tool_use", "id": native_tool_id(call.id), "name": call.name, "input": {}}
            chunks.append({"type": "content_block_start", "index": index, "content_block": block})
            for fragment in ["", *json_fragments(call.input)]:
                delta = {"type": "input_json_delta", "partial_json": fragment}
                chunks.append({"type": "content_block_delta", "index": index, "delta": delta})
            chunks.append({"type": "content_block_stop", "index": index})
            index += 1
        chunks += [
            {
                "type": "message_delta",
                "delta": {"stop_reason": self.native_stop(outcome), "stop_sequence": outcome.stop_sequence},
                "usage": {"output_tokens": outcome.output_tokens},
            },
            {"type": "message_stop"},
        ]
        return chunks

    def native_request(self, model: Model, conversation: Conversation) -> dict:
        body: dict = {
            "anthropic_version": VERSION,
            "max_tokens": conversation.max_tokens or model.limits.get("maxOutputTokens", 4096),
            "messages": [{"role": t.role, "content": [_native_block(b) for b in t.blocks]} for t in conversation.turns],
        }
        if conversation.system:
            body["system"] = conversation.system_text
        for key, value in (
            ("temperature", conversation.temperature),
            ("top_p", conversation.top_p),
            ("stop_sequences", conversation.stop_sequences),
        ):
            if value is not None:
                body[key] = value
        if conversation.tools:
            body["tools"] = [
                {"name": t.name, "description": t.description, "input_schema": t.schema}
                if t.description
                else {"name": t.name, "input_schema": t.schema}
                for t in conversation.tools
            ]
            choice = conversation.tool_choice
            if choice is not None:
                body["tool_choice"] = {"type": choice.mode} | ({"name": choice.name} if choice.name else {})
        return body


def _extra_input_tokens(turns: list[Turn], body: dict) -> int:
    """Tokens that text alone does not show: tool definitions (with Anthropic's tool-use system
    prompt), tool calls and results in the history, and images."""
    extra = 0
    if body.get("tools"):
        forced = (body.get("tool_choice") or {}).get("type") in ("any", "tool")
        extra += (
            count(json.dumps(body["tools"], ensure_ascii=False)) + TOOL_SYSTEM_TOKENS["forced" if forced else "auto"]
        )
    for turn in turns:
        for block in turn.blocks:
            if isinstance(block, ToolCall):
                extra += count(block.name, json.dumps(block.input, ensure_ascii=False))
            elif isinstance(block, ToolResult):
                extra += count(block.text)
            elif isinstance(block, Media):
                extra += image_tokens(block.data) if block.kind == "image" else len(block.data) // 4
    return extra


def _native_block(block) -> dict:
    """A neutral block as a Messages API content block."""
    if isinstance(block, str):
        return {"type": "text", "text": block}
    if isinstance(block, ToolCall):
        return {"type": "tool_use", "id": block.id, "name": block.name, "input": block.input}
    if isinstance(block, ToolResult):
        out = {"type": "tool_result", "tool_use_id": block.id, "content": [{"type": "text", "text": block.text}]}
        return out | ({"is_error": True} if block.status == "error" else {})
    if block.kind == "image":
        media_type = "image/jpeg" if block.format in ("jpg", "jpeg") else f"image/{block.format}"
        source = {"type": "base64", "media_type": media_type, "data": base64.b64encode(block.data).decode()}
        return {"type": "image", "source": source}
    media_type = "application/pdf" if block.format == "pdf" else "text/plain"
    source = {"type": "base64", "media_type": media_type, "data": base64.b64encode(block.data).decode()}
    return {"type": "document", "source": source, "title": block.name}


FAMILY = ClaudeMessages()
