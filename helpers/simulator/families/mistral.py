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

from .. import schema
from ..catalog import Model
from ..generators import text
from . import Reply, StreamReply, chunk_pieces
from ._chat import count


def _sampling(model: Model) -> dict:
    return {
        "max_tokens": {"type": "integer", "minimum": 1, "maximum": model.limits.get("maxOutputTokens", 8192)},
        "temperature": {"type": "number", "minimum": 0, "maximum": 1},
        "top_p": {"type": "number", "minimum": 0, "maximum": 1},
    }


def _prompt_schema(model: Model) -> dict:
    props = {
        "prompt": {"type": "string"},
        "stop": {"type": "array", "maxItems": 10, "items": {"type": "string"}},
        "top_k": {"type": "integer", "minimum": 1, "maximum": 200},
    } | _sampling(model)
    return {"type": "object", "required": ["prompt"], "additionalProperties": False, "properties": props}


def _chat_schema(model: Model) -> dict:
    message = {
        "type": "object",
        "required": ["role", "content"],
        "properties": {
            "role": {"type": "string", "enum": ["system", "user", "assistant", "tool"]},
            "content": {"type": "string"},
        },
    }
    props = {
        "messages": {"type": "array", "minItems": 1, "items": message},
        "tools": {"type": "array"},
        "tool_choice": {"type": "string"},
    } | _sampling(model)
    return {"type": "object", "required": ["messages"], "additionalProperties": False, "properties": props}


def _chat(model: Model) -> bool:
    return bool(model.limits.get("chat"))


def _generate(model: Model, body: dict) -> text.Generation:
    if _chat(model) and "messages" in body:
        schema.check(_chat_schema(model), body)
        messages = body["messages"]
        users = [m for m in messages if m["role"] == "user"] or messages
        question, stops = users[-1]["content"], []
        input_tokens = count(*(m["content"] for m in messages)) + 4 * len(messages)
    else:
        schema.check(_prompt_schema(model), body)
        question = body["prompt"].replace("<s>", "").replace("[INST]", "").replace("[/INST]", "").strip()
        stops, input_tokens = body.get("stop", []), count(body["prompt"])
    return text.generate(
        question,
        model.display_name,
        max_tokens=body.get("max_tokens", 512 if model.limits.get("maxOutputTokens", 8192) <= 4096 else 8192),
        input_tokens=input_tokens,
        stop_sequences=stops,
        variation=f"{body.get('temperature', 0.5)}/{body.get('top_p', 0.9)}/{body.get('top_k', 50)}",
        prefix="" if "messages" in body else " ",
    )


def _stop(gen: text.Generation) -> str:
    return "length" if gen.stop_reason == "max_tokens" else "stop"


def invoke(model: Model, body: dict) -> Reply:
    gen = _generate(model, body)
    if _chat(model) and "messages" in body:
        reply = {
            "choices": [{"index": 0, "message": {"role": "assistant", "content": gen.text}, "stop_reason": _stop(gen)}]
        }
    else:
        reply = {"outputs": [{"text": gen.text, "stop_reason": _stop(gen)}]}
    return Reply(reply, gen.input_tokens, gen.output_tokens)


def stream(model: Model, body: dict) -> StreamReply:
    gen = _generate(model, body)
    pieces = chunk_pieces(gen.pieces, size=2) or [""]
    chat = _chat(model) and "messages" in body
    chunks = []
    for i, piece in enumerate(pieces):
        reason = _stop(gen) if i == len(pieces) - 1 else None
        if chat:
            chunks.append(
                {"choices": [{"index": 0, "message": {"role": "assistant", "content": piece}, "stop_reason": reason}]}
            )
        else:
            chunks.append({"outputs": [{"text": piece, "stop_reason": reason}]})
    return StreamReply(chunks, gen.input_tokens, gen.output_tokens)
