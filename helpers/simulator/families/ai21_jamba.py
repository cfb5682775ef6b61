"""AI21 Labs Jamba 1.5 Mini / Large chat bodies (`messages`, `max_tokens`, `n`, ...).

Facts and where they come from:
- Request: AWS docs, model-parameters-jamba: `messages` required (roles user/assistant/system,
  at least one user or assistant message), temperature 0.0-2.0 (default 1.0), top_p, max_tokens
  0-4096 (default 4096), stop, n (1-16, range as in techthoughts2/pwshBedrock
  `Invoke-AI21LabsJambaModel.ps1`).
- A J2-style body is refused by the schema: `required key [messages] not found#: extraneous key
  [prompt] is not permitted` (mlflow/mlflow#13117).
- Response: OpenAI-style `id, choices[{index, message{role, content}, finish_reason}], usage`
  (AWS docs response body section); stream chunks as `choices[{delta}]` [recalled shape].
- Languages: Jamba 1.5 speaks English, Spanish, French, Portuguese, Italian, Dutch, German,
  Arabic and Hebrew (AI21's model card), so the generator answers Chinese in English.
"""

from __future__ import annotations

from .. import schema
from ..catalog import Model
from ..generators import text
from . import Reply, StreamReply, chunk_pieces
from ._chat import count, stable_uuid

LANGUAGES = ("en",)


def _schema(model: Model) -> dict:
    return {
        "type": "object",
        "required": ["messages"],
        "additionalProperties": False,
        "properties": {
            "messages": {
                "type": "array",
                "minItems": 1,
                "items": {
                    "type": "object",
                    "required": ["role", "content"],
                    "properties": {
                        "role": {"type": "string", "enum": ["user", "assistant", "system", "tool"]},
                        "content": {"type": "string"},
                    },
                },
            },
            "max_tokens": {"type": "integer", "minimum": 0, "maximum": model.limits.get("maxOutputTokens", 4096)},
            "temperature": {"type": "number", "minimum": 0, "maximum": 2},
            "top_p": {"type": "number", "minimum": 0, "maximum": 1},
            "stop": {"type": "array", "items": {"type": "string"}},
            "n": {"type": "integer", "minimum": 1, "maximum": 16},
            "frequency_penalty": {"type": "number"},
            "presence_penalty": {"type": "number"},
            "tools": {"type": "array"},
            "response_format": {"type": "object"},
            "documents": {"type": "array"},
        },
    }


def _generate(model: Model, body: dict) -> tuple[list[text.Generation], str]:
    schema.check(_schema(model), body)
    messages = body["messages"]
    users = [m for m in messages if m["role"] == "user"] or messages
    system = " ".join(m["content"] for m in messages if m["role"] == "system")
    input_tokens = count(*(m["content"] for m in messages)) + 4 * len(messages)
    gens = [
        text.generate(
            users[-1]["content"],
            model.display_name,
            max_tokens=body.get("max_tokens", 4096),
            input_tokens=input_tokens,
            stop_sequences=body.get("stop", []),
            variation=f"{body.get('temperature', 1.0)}/{body.get('top_p', 1.0)}/{system}/{len(messages)}/{i}",
            languages=LANGUAGES,
        )
        for i in range(body.get("n", 1))
    ]
    return gens, "chatcmpl-" + stable_uuid(model.model_id, body).replace("-", "")[:29]


def _finish(gen: text.Generation) -> str:
    return "length" if gen.stop_reason == "max_tokens" else "stop"


def _usage(gens) -> dict:
    out = sum(g.output_tokens for g in gens)
    return {"prompt_tokens": gens[0].input_tokens, "completion_tokens": out, "total_tokens": gens[0].input_tokens + out}


def invoke(model: Model, body: dict) -> Reply:
    gens, reply_id = _generate(model, body)
    reply = {
        "id": reply_id,
        "choices": [
            {
                "index": i,
                "message": {"role": "assistant", "content": g.text, "tool_calls": None},
                "finish_reason": _finish(g),
            }
            for i, g in enumerate(gens)
        ],
        "usage": _usage(gens),
    }
    return Reply(reply, gens[0].input_tokens, reply["usage"]["completion_tokens"])


def stream(model: Model, body: dict) -> StreamReply:
    gens, reply_id = _generate(model, body)
    chunks: list[dict] = []
    for i, g in enumerate(gens):
        chunks.append(
            {
                "id": reply_id,
                "choices": [{"index": i, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}],
            }
        )
        chunks += [
            {"id": reply_id, "choices": [{"index": i, "delta": {"content": piece}, "finish_reason": None}]}
            for piece in chunk_pieces(g.pieces)
        ]
        chunks.append({"id": reply_id, "choices": [{"index": i, "delta": {}, "finish_reason": _finish(g)}]})
    chunks[-1]["usage"] = _usage(gens)
    return StreamReply(chunks, gens[0].input_tokens, chunks[-1]["usage"]["completion_tokens"])
