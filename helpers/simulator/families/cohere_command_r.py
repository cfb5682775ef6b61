"""Cohere Command R and Command R+ chat bodies (`message`, `chat_history`, `preamble`, ...).

Facts and where they come from:
- Request fields: AWS docs, model-parameters-cohere-command-r-plus (message required;
  chat_history roles USER/CHATBOT; documents, search_queries_only, preamble, max_tokens,
  temperature, p, k, prompt_truncation, frequency_penalty, presence_penalty, seed, return_prompt,
  tools, tool_results, stop_sequences, raw_prompting). Ranges as encoded by
  techthoughts2/pwshBedrock `Invoke-CohereCommandRModel.ps1`: max_tokens 1-4000, temperature 0-1,
  p 0.01-0.99, k 0-500; penalties 0-1 (AWS docs).
- No `stream` key: `Malformed input request: #: extraneous key [stream] is not permitted`
  (Portkey-AI/gateway#848, cohere-ai/cohere-aws#142 "bedrock does not expect a 'stream' key").
- Response `response_id, text, generation_id, chat_history, finish_reason, meta`: AWS docs page
  above; the Rust `CohereCommandRResponse` of a public Bedrock gateway.
- Stream events as Cohere's chat API sends them: `stream-start`, `text-generation`,
  `stream-end` with the full `response` (Cohere chat stream recordings in public test suites).
"""

from __future__ import annotations

from .. import schema
from ..catalog import Model
from ..generators import text
from . import Reply, StreamReply, chunk_pieces
from ._chat import count, stable_uuid

_TURN = {
    "type": "object",
    "required": ["role", "message"],
    "properties": {
        "role": {"type": "string", "enum": ["USER", "CHATBOT", "SYSTEM"]},
        "message": {"type": "string"},
    },
}


def _schema(model: Model) -> dict:
    return {
        "type": "object",
        "required": ["message"],
        "additionalProperties": False,
        "properties": {
            "message": {"type": "string"},
            "chat_history": {"type": "array", "items": _TURN},
            "documents": {"type": "array", "items": {"type": "object"}},
            "search_queries_only": {"type": "boolean"},
            "preamble": {"type": "string"},
            "max_tokens": {"type": "integer", "minimum": 1, "maximum": model.limits.get("maxOutputTokens", 4000)},
            "temperature": {"type": "number", "minimum": 0, "maximum": 1},
            "p": {"type": "number", "minimum": 0.01, "maximum": 0.99},
            "k": {"type": "number", "minimum": 0, "maximum": 500},
            "prompt_truncation": {"type": "string", "enum": ["OFF", "AUTO_PRESERVE_ORDER"]},
            "frequency_penalty": {"type": "number", "minimum": 0, "maximum": 1},
            "presence_penalty": {"type": "number", "minimum": 0, "maximum": 1},
            "seed": {"type": "integer"},
            "return_prompt": {"type": "boolean"},
            "tools": {"type": "array", "items": {"type": "object"}},
            "tool_results": {"type": "array", "items": {"type": "object"}},
            "stop_sequences": {"type": "array", "items": {"type": "string"}},
            "raw_prompting": {"type": "boolean"},
        },
    }


def _prompt(body: dict) -> str:
    """The prompt Command R sees, roughly as `return_prompt` shows it."""
    parts = []
    if body.get("preamble"):
        parts.append(f"System: {body['preamble']}")
    for turn in body.get("chat_history", []):
        parts.append(f"{turn['role'].title()}: {turn['message']}")
    parts.append(f"User: {body['message']}")
    return "\n".join(parts) + "\nChatbot:"


def _generate(model: Model, body: dict) -> tuple[text.Generation, dict]:
    schema.check(_schema(model), body)
    history = body.get("chat_history", [])
    docs = body.get("documents", [])
    input_tokens = count(body.get("preamble", ""), body["message"], *(t["message"] for t in history))
    input_tokens += count(*(str(d) for d in docs)) + 4 * (len(history) + 1)
    variation = "/".join(
        str(x)
        for x in (
            body.get("temperature", 0.3),
            body.get("p", 0.75),
            body.get("k", 0),
            body.get("seed", ""),
            body.get("preamble", ""),
            len(history),
        )
    )
    gen = text.generate(
        body["message"],
        model.display_name,
        max_tokens=body.get("max_tokens", model.limits.get("maxOutputTokens", 4000)),
        input_tokens=input_tokens,
        stop_sequences=body.get("stop_sequences", []),
        variation=variation,
    )
    finish = {"end": "COMPLETE", "max_tokens": "MAX_TOKENS", "stop_sequence": "STOP_SEQUENCE"}[gen.stop_reason]
    reply = {
        "response_id": stable_uuid(model.model_id, body, "response"),
        "text": gen.text,
        "generation_id": stable_uuid(model.model_id, body, "generation"),
        "chat_history": [
            *history,
            {"role": "USER", "message": body["message"]},
            {"role": "CHATBOT", "message": gen.text},
        ],
        "finish_reason": finish,
        "meta": {
            "api_version": {"version": "1"},
            "billed_units": {"input_tokens": gen.input_tokens, "output_tokens": gen.output_tokens},
        },
    }
    if body.get("return_prompt"):
        reply["prompt"] = _prompt(body)
    if body.get("search_queries_only"):
        reply.update(
            text="",
            is_search_required=True,
            search_queries=[{"text": body["message"], "generation_id": reply["generation_id"]}],
        )
    return gen, reply


def invoke(model: Model, body: dict) -> Reply:
    gen, reply = _generate(model, body)
    return Reply(reply, gen.input_tokens, gen.output_tokens)


def stream(model: Model, body: dict) -> StreamReply:
    gen, reply = _generate(model, body)
    chunks: list[dict] = [{"is_finished": False, "event_type": "stream-start", "generation_id": reply["generation_id"]}]
    chunks += [
        {"is_finished": False, "event_type": "text-generation", "text": piece}
        for piece in chunk_pieces(gen.pieces, size=1)
    ]
    chunks.append(
        {"is_finished": True, "event_type": "stream-end", "response": reply, "finish_reason": reply["finish_reason"]}
    )
    return StreamReply(chunks, gen.input_tokens, gen.output_tokens)
