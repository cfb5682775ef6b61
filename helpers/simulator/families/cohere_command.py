"""Cohere Command and Command Light (`cohere.command-text-v14`, `cohere.command-light-text-v14`).

Facts and where they come from:
- Request fields, defaults and ranges (temperature 0-5, p 0-1, k 0-500, max_tokens default 20,
  num_generations 1-5, logit_bias -10..10, return_likelihoods and truncate enums, `stream` needed
  to stream): AWS docs, model-parameters-cohere-command; ranges as also encoded by
  techthoughts2/pwshBedrock `Invoke-CohereCommandModel.ps1` and Portkey-AI/gateway
  `src/providers/bedrock/complete.ts`.
- Response `{"generations": [{"finish_reason", "id", "text", likelihoods...}], "id", "prompt"}`:
  same docs page; Portkey-AI/gateway's `BedrockCohereCompleteResponse`.
- Streaming: with `"stream": true` the chunks are `{"text": ..., "is_finished": false}` (plus
  `index` when several generations are asked for), a `<EOS_TOKEN>` text chunk, then
  `{"is_finished": true, "finish_reason": ..., "response": {...}}` (langchain-ai/langchain#11230,
  Portkey-AI/gateway `BedrockCohereStreamChunk`, vercel/ai `cohereChunks`). Without it,
  InvokeModelWithResponseStream answers with one chunk holding the whole response, which is why
  AWS's own example reads `chunk["generations"][0]["text"]` (awsdocs/aws-doc-sdk-examples,
  python/.../cohere_command/command_invoke_model_with_response_stream.py; vercel/ai
  `cohereBedrockChunks`).
- Stop sequences are kept at the end of the text (Cohere's generate API: stop sequences are
  included, `end_sequences` are not).
- The model speaks English only (the article: "英语"; "貌似能听懂，但不太会说").
"""

from __future__ import annotations

from .. import schema
from ..catalog import Model
from ..generators import text, tokens
from . import Reply, StreamReply, chunk_pieces
from ._chat import likelihood, stable_uuid

LANGUAGES = ("en",)


def _schema(model: Model) -> dict:
    return {
        "type": "object",
        "required": ["prompt"],
        "additionalProperties": False,
        "properties": {
            "prompt": {"type": "string"},
            "temperature": {"type": "number", "minimum": 0, "maximum": 5},
            "p": {"type": "number", "minimum": 0, "maximum": 1},
            "k": {"type": "number", "minimum": 0, "maximum": 500},
            "max_tokens": {"type": "integer", "minimum": 1, "maximum": model.limits.get("maxOutputTokens", 4096)},
            "stop_sequences": {"type": "array", "maxItems": 4, "items": {"type": "string"}},
            "return_likelihoods": {"type": "string", "enum": ["GENERATION", "ALL", "NONE"]},
            "stream": {"type": "boolean"},
            "num_generations": {"type": "integer", "minimum": 1, "maximum": 5},
            "logit_bias": {"type": "object", "additionalProperties": {"type": "number", "minimum": -10, "maximum": 10}},
            "truncate": {"type": "string", "enum": ["NONE", "START", "END"]},
        },
    }


def _generations(model: Model, body: dict) -> tuple[list[text.Generation], list[str]]:
    schema.check(_schema(model), body)
    prompt = body["prompt"]
    n = body.get("num_generations", 1)
    gens, ids = [], []
    for i in range(n):
        variation = f"{body.get('temperature', 0.9)}/{body.get('p', 0.75)}/{body.get('k', 0)}/{i}"
        gen = text.generate(
            prompt,
            model.display_name,
            max_tokens=body.get("max_tokens", 20),
            input_tokens=tokens.count(prompt),
            stop_sequences=body.get("stop_sequences", []),
            variation=variation,
            languages=LANGUAGES,
            prefix=" ",
        )
        if gen.stop_reason == "stop_sequence":  # Cohere keeps the stop sequence in the text
            gen = text.Generation(
                gen.text + gen.stop_sequence,
                (*gen.pieces, gen.stop_sequence),
                gen.stop_reason,
                gen.stop_sequence,
                gen.input_tokens,
                gen.output_tokens + 1,
            )
        gens.append(gen)
        ids.append(stable_uuid(model.model_id, body, i))
    return gens, ids


def _finish(gen: text.Generation) -> str:
    return "MAX_TOKENS" if gen.stop_reason == "max_tokens" else "COMPLETE"


def _token_likelihoods(pieces, *seed) -> list[dict]:
    return [{"token": p, "likelihood": likelihood(p, *seed, i)} for i, p in enumerate(pieces)]


def _generation(gen: text.Generation, gen_id: str, body: dict, index: int | None = None) -> dict:
    out = {"finish_reason": _finish(gen), "id": gen_id, "text": gen.text}
    if index is not None:
        out["index"] = index
    mode = body.get("return_likelihoods", "NONE")
    if mode != "NONE":
        seed = (gen_id,)
        generated = _token_likelihoods(gen.pieces, *seed)
        listed = generated
        if mode == "ALL":
            listed = _token_likelihoods(tokens.pieces(body["prompt"]), "prompt", *seed) + generated
        out["likelihood"] = round(sum(t["likelihood"] for t in generated) / max(len(generated), 1), 4)
        out["token_likelihoods"] = listed
    return out


def _body(model: Model, body: dict, gens, ids, *, indexed: bool = False) -> dict:
    return {
        "generations": [
            _generation(g, i, body, index=n if indexed else None)
            for n, (g, i) in enumerate(zip(gens, ids, strict=True))
        ],
        "id": stable_uuid(model.model_id, body, "response"),
        "prompt": body["prompt"],
    }


def _totals(gens) -> tuple[int, int]:
    return gens[0].input_tokens, sum(g.output_tokens for g in gens)


def invoke(model: Model, body: dict) -> Reply:
    gens, ids = _generations(model, body)
    return Reply(_body(model, body, gens, ids), *_totals(gens))


def stream(model: Model, body: dict) -> StreamReply:
    gens, ids = _generations(model, body)
    if not body.get("stream"):
        return StreamReply([_body(model, body, gens, ids)], *_totals(gens))
    several = len(gens) > 1
    chunks: list[dict] = []
    for n, gen in enumerate(gens):
        for piece in chunk_pieces(gen.pieces, size=1):
            chunks.append({"text": piece, "is_finished": False} | ({"index": n} if several else {}))
        if gen.stop_reason != "max_tokens":
            chunks.append({"text": "<EOS_TOKEN>", "is_finished": False} | ({"index": n} if several else {}))
    finish = "MAX_TOKENS" if any(g.stop_reason == "max_tokens" for g in gens) else "COMPLETE"
    chunks.append({"is_finished": True, "finish_reason": finish, "response": _body(model, body, gens, ids)})
    return StreamReply(chunks, *_totals(gens))
