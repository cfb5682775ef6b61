"""Anthropic Claude Messages API (`anthropic_version: bedrock-2023-05-31`), Claude 2.x, 3.x and 4.x.

Facts and where they come from:
- Body fields, required keys, content as string or blocks, response shape, stop reasons, stream
  events `message_start` ... `message_stop`: AWS docs, model-parameters-anthropic-claude-messages,
  and a recorded Claude 3 Haiku response / Claude 3.5 Sonnet stream (Arize-ai/openinference
  cassettes; shared/reference/bedrock-wire-format.md sections 2.4 and 4.2).
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
  model. Please use only one. `` (aws-samples/bedrock-access-gateway#191).
- Ranges: temperature 0-1, top_p 0-1, top_k 0-500 (AWS docs page above).
"""

from __future__ import annotations

import re

from .. import schema
from ..catalog import Model
from ..errors import malformed, validation
from ..generators import grounding, text
from . import Reply, StreamReply, chunk_pieces
from ._chat import base58, block_text, count

VERSION = "bedrock-2023-05-31"
NOT_MESSAGES_BRANCH = 'subject must not be valid against schema {"required":["messages"]}'

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
            "properties": {
                "type": {"type": "string", "enum": ["base64"]},
                "media_type": {"type": "string", "enum": ["image/jpeg", "image/png", "image/gif", "image/webp"]},
                "data": {"type": "string"},
            },
        },
    },
    "if": {"properties": {"type": {"const": "text"}}},
    "then": {"required": ["text"]},
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
        "tools": {"type": "array"},
        "tool_choice": {"type": "object"},
        "metadata": {"type": "object"},
        "anthropic_beta": {"type": "array", "items": {"type": "string"}},
        "thinking": {"type": "object"},
    },
}

_LEGACY_NAMES = {
    "anthropic.claude-v2": "claude-2.0",
    "anthropic.claude-v2:1": "claude-2.1",
    "anthropic.claude-instant-v1": "claude-instant-1.2",
    "anthropic.claude-v1": "claude-v1.3",
}


def api_name(model: Model) -> str:
    """The name Anthropic's API uses, e.g. `claude-3-haiku-20240307` for the Bedrock id."""
    if model.model_id in _LEGACY_NAMES:
        return _LEGACY_NAMES[model.model_id]
    m = re.match(r"^anthropic\.(claude-[a-z0-9-]+?-\d{8})-v\d+(?::\d+)?$", model.model_id)
    return m.group(1) if m else model.model_id.removeprefix("anthropic.")


def _check(model: Model, body: dict) -> None:
    if "messages" not in body:
        # The text-completions branch of the shared schema; valid bodies are then refused.
        from . import claude_text

        schema.check(claude_text._schema(model), body)
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
    limit = model.limits.get("maxOutputTokens", 4096)
    if body["max_tokens"] > limit:
        raise validation(
            f"max_tokens: {body['max_tokens']} > {limit}, which is the maximum allowed number of output tokens "
            f"for {api_name(model)}"
        )
    if model.limits.get("temperatureOrTopP") and "temperature" in body and "top_p" in body:
        raise validation("`temperature` and `top_p` cannot both be specified for this model. Please use only one.")


def _system_text(body: dict) -> str:
    return block_text(body.get("system", ""))


def _generate(model: Model, body: dict) -> tuple[text.Generation, str]:
    _check(model, body)
    messages = body["messages"]
    users = [m for m in messages if m["role"] == "user"]
    question = block_text(users[-1]["content"])
    system = _system_text(body)
    # Passages in the system prompt or the last user turn ground the answer (rule: generators/grounding.py).
    system_passages, _ = grounding.split_context(system)
    user_passages, rest = grounding.split_context(question)
    context = system_passages + user_passages
    if context:
        question = grounding.question_of(rest) or question
    input_tokens = count(system, *(block_text(m["content"]) for m in messages)) + 3 * len(messages) + 4
    variation = "/".join(
        str(x)
        for x in (body.get("temperature", 1), body.get("top_p", 1), body.get("top_k", 250), system, len(messages))
    )
    gen = text.generate(
        question,
        model.display_name,
        max_tokens=body["max_tokens"],
        input_tokens=input_tokens,
        stop_sequences=body.get("stop_sequences", []),
        variation=variation,
        context=context,
    )
    return gen, "msg_bdrk_01" + base58(model.model_id, body, length=22)


def _stop_reason(gen: text.Generation) -> str:
    return {"end": "end_turn", "max_tokens": "max_tokens", "stop_sequence": "stop_sequence"}[gen.stop_reason]


def invoke(model: Model, body: dict) -> Reply:
    gen, msg_id = _generate(model, body)
    reply = {
        "id": msg_id,
        "type": "message",
        "role": "assistant",
        "model": api_name(model),
        "content": [{"type": "text", "text": gen.text}],
        "stop_reason": _stop_reason(gen),
        "stop_sequence": gen.stop_sequence,
        "usage": {"input_tokens": gen.input_tokens, "output_tokens": gen.output_tokens},
    }
    return Reply(reply, gen.input_tokens, gen.output_tokens)


def stream(model: Model, body: dict) -> StreamReply:
    gen, msg_id = _generate(model, body)
    start = {
        "id": msg_id,
        "type": "message",
        "role": "assistant",
        "model": api_name(model),
        "content": [],
        "stop_reason": None,
        "stop_sequence": None,
        "usage": {"input_tokens": gen.input_tokens, "output_tokens": 1},
    }
    chunks: list[dict] = [
        {"type": "message_start", "message": start},
        {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}},
    ]
    chunks += [
        {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": piece}}
        for piece in chunk_pieces(gen.pieces)
    ]
    chunks += [
        {"type": "content_block_stop", "index": 0},
        {
            "type": "message_delta",
            "delta": {"stop_reason": _stop_reason(gen), "stop_sequence": gen.stop_sequence},
            "usage": {"output_tokens": gen.output_tokens},
        },
        {"type": "message_stop"},
    ]
    return StreamReply(chunks, gen.input_tokens, gen.output_tokens)
