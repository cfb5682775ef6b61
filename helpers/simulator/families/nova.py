"""Amazon Nova Micro / Lite / Pro native bodies (`schemaVersion: messages-v1`).

Facts and where they come from:
- Request `{"schemaVersion", "system": [{"text"}], "messages": [{"role", "content": [{"text"}]}],
  "inferenceConfig": {"maxTokens" | "max_new_tokens", "temperature", "topP" | "top_p",
  "topK" | "top_k", "stopSequences"}}`: Amazon Nova user guide, complete-request-schema (content
  is always a list of blocks; images only for Lite and Pro), and a recorded Nova Lite request
  (Arize-ai/openinference `TestNovaInvokeModel.test_nova_lite_with_system.yaml`).
- Response `{"output": {"message": {"content": [{"text"}], "role"}}, "stopReason", "usage":
  {"inputTokens", "outputTokens", "totalTokens", "cacheReadInputTokenCount",
  "cacheWriteInputTokenCount"}}` and the stream `messageStart`, `contentBlockDelta` /
  `contentBlockStop` per piece, `messageStop`, `metadata` with cache counts in the invocation
  metrics (recorded Nova Micro stream; shared/reference/bedrock-wire-format.md 2.4, 4.10).
"""

from __future__ import annotations

from .. import schema
from ..catalog import Model
from ..generators import text
from . import Reply, StreamReply, chunk_pieces
from ._chat import block_text, count

_CACHE = {"cacheReadInputTokenCount": 0, "cacheWriteInputTokenCount": 0}


def _schema(model: Model) -> dict:
    limit = model.limits.get("maxOutputTokens", 10000)
    block = {"type": "object", "properties": {"text": {"type": "string"}}}
    if "IMAGE" not in model.input_modalities:
        block["not"] = {"anyOf": [{"required": ["image"]}, {"required": ["video"]}]}
    return {
        "type": "object",
        "required": ["messages"],
        "additionalProperties": False,
        "properties": {
            "schemaVersion": {"type": "string", "enum": ["messages-v1"]},
            "system": {
                "type": "array",
                "items": {"type": "object", "required": ["text"], "properties": {"text": {"type": "string"}}},
            },
            "messages": {
                "type": "array",
                "minItems": 1,
                "items": {
                    "type": "object",
                    "required": ["role", "content"],
                    "additionalProperties": False,
                    "properties": {
                        "role": {"type": "string", "enum": ["user", "assistant"]},
                        "content": {"type": "array", "minItems": 1, "items": block},
                    },
                },
            },
            "inferenceConfig": {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "maxTokens": {"type": "integer", "minimum": 1, "maximum": limit},
                    "max_new_tokens": {"type": "integer", "minimum": 1, "maximum": limit},
                    "temperature": {"type": "number", "minimum": 0, "maximum": 1},
                    "topP": {"type": "number", "minimum": 0, "maximum": 1},
                    "top_p": {"type": "number", "minimum": 0, "maximum": 1},
                    "topK": {"type": "integer", "minimum": 0, "maximum": 128},
                    "top_k": {"type": "integer", "minimum": 0, "maximum": 128},
                    "stopSequences": {"type": "array", "items": {"type": "string"}},
                },
            },
            "toolConfig": {"type": "object"},
        },
    }


def _generate(model: Model, body: dict) -> text.Generation:
    schema.check(_schema(model), body)
    config = body.get("inferenceConfig", {})
    messages = body["messages"]
    users = [m for m in messages if m["role"] == "user"] or messages
    system = " ".join(block_text(body.get("system", [])).split("\n"))
    input_tokens = count(system, *(block_text(m["content"]) for m in messages)) + 3 * len(messages)
    temperature = config.get("temperature", 0.7)
    top_p = config.get("topP", config.get("top_p", 0.9))
    return text.generate(
        block_text(users[-1]["content"]),
        model.display_name,
        max_tokens=config.get("maxTokens", config.get("max_new_tokens", model.limits.get("maxOutputTokens", 10000))),
        input_tokens=input_tokens,
        stop_sequences=config.get("stopSequences", []),
        variation=f"{temperature}/{top_p}/{system}/{len(messages)}",
    )


def _stop(gen: text.Generation) -> str:
    return {"end": "end_turn", "max_tokens": "max_tokens", "stop_sequence": "stop_sequence"}[gen.stop_reason]


def _usage(gen: text.Generation) -> dict:
    return {
        "inputTokens": gen.input_tokens,
        "outputTokens": gen.output_tokens,
        "totalTokens": gen.input_tokens + gen.output_tokens,
    } | _CACHE


def invoke(model: Model, body: dict) -> Reply:
    gen = _generate(model, body)
    reply = {
        "output": {"message": {"content": [{"text": gen.text}], "role": "assistant"}},
        "stopReason": _stop(gen),
        "usage": _usage(gen),
    }
    return Reply(reply, gen.input_tokens, gen.output_tokens)


def stream(model: Model, body: dict) -> StreamReply:
    gen = _generate(model, body)
    chunks: list[dict] = [{"messageStart": {"role": "assistant"}}]
    for i, piece in enumerate(chunk_pieces(gen.pieces)):
        chunks.append({"contentBlockDelta": {"delta": {"text": piece}, "contentBlockIndex": i}})
        chunks.append({"contentBlockStop": {"contentBlockIndex": i}})
    usage = {k: v for k, v in _usage(gen).items() if k != "totalTokens"}
    chunks += [
        {"messageStop": {"stopReason": _stop(gen)}},
        {"metadata": {"usage": usage, "metrics": {}, "trace": {}}},
    ]
    return StreamReply(chunks, gen.input_tokens, gen.output_tokens, extra_metrics=dict(_CACHE))
