"""AI21 Labs Jurassic-2 Ultra and Mid (`ai21.j2-ultra-v1`, `ai21.j2-mid-v1`, short aliases).

Facts and where they come from:
- camelCase request fields `prompt, maxTokens, temperature, topP, stopSequences, countPenalty,
  presencePenalty, frequencyPenalty` with penalty objects `{scale, applyToWhitespaces,
  applyToPunctuations, applyToNumbers, applyToStopwords, applyToEmojis}`: AWS docs,
  model-parameters-jurassic2 (and the article's own code). Ranges (temperature 0-1, topP 0-1,
  maxTokens 0-8191 default 200, presencePenalty.scale 0-5, countPenalty.scale 0-1,
  frequencyPenalty.scale 0-500): the AWS parameter table as quoted in
  shared/reference/bedrock-wire-format.md section 4.4; the penalty ranges match
  techthoughts2/pwshBedrock `Invoke-AI21LabsJurassic2Model.ps1`.
- Response `{"id": <int>, "prompt": {"text", "tokens"}, "completions": [{"data": {"text",
  "tokens"}, "finishReason": {"reason", ...}}]}`: AWS docs; Portkey-AI/gateway
  `BedrockAI21CompleteResponse`. Tokens are SentencePiece pieces (`\u2581` marks a space).
- No streaming: the catalog says `responseStreamingSupported: false` and the operation layer
  answers `The model is unsupported for streaming.` (langchain-ai/langchainjs#2645).
- Languages: English, Spanish, French, German, Portuguese, Italian, Dutch (the article). Before
  general availability (Aug 2023) a wrong key gave `The provided inference configurations are
  invalid` (aws-samples/amazon-bedrock-workshop#30); since GA Bedrock's schema layer words it.
"""

from __future__ import annotations

from .. import schema
from ..catalog import Model
from ..generators import text, tokens
from . import Reply
from ._chat import digest, likelihood

LANGUAGES = ("en",)  # of the generator's banks, J2 speaks only English


def _penalty(maximum: float) -> dict:
    flags = ["applyToWhitespaces", "applyToPunctuations", "applyToNumbers", "applyToStopwords", "applyToEmojis"]
    return {
        "type": "object",
        "required": ["scale"],
        "additionalProperties": False,
        "properties": {"scale": {"type": "number", "minimum": 0, "maximum": maximum}}
        | {f: {"type": "boolean"} for f in flags},
    }


def _schema(model: Model) -> dict:
    return {
        "type": "object",
        "required": ["prompt"],
        "additionalProperties": False,
        "properties": {
            "prompt": {"type": "string"},
            "maxTokens": {"type": "integer", "minimum": 0, "maximum": model.limits.get("maxOutputTokens", 8191)},
            "temperature": {"type": "number", "minimum": 0, "maximum": 1},
            "topP": {"type": "number", "minimum": 0, "maximum": 1},
            "stopSequences": {"type": "array", "items": {"type": "string"}},
            "countPenalty": _penalty(1),
            "presencePenalty": _penalty(5),
            "frequencyPenalty": _penalty(500),
        },
    }


def _sp_tokens(pieces, seed: str) -> list[dict]:
    """SentencePiece-style token records with text ranges, as J2 returns them."""
    out, at = [], 0
    for i, piece in enumerate(pieces):
        shown = piece.replace("\n", "<|newline|>").replace(" ", "\u2581")
        lp = likelihood(piece, seed, i)
        out.append(
            {
                "generatedToken": {"token": shown, "logprob": lp, "raw_logprob": lp},
                "topTokens": None,
                "textRange": {"start": at, "end": at + len(piece)},
            }
        )
        at += len(piece)
    return out


def invoke(model: Model, body: dict) -> Reply:
    schema.check(_schema(model), body)
    prompt = body["prompt"]
    max_tokens = body.get("maxTokens", 200)
    variation = (
        f"{body.get('temperature', 0.5)}/{body.get('topP', 0.5)}/{body.get('countPenalty')}/"
        + str(body.get("presencePenalty"))
        + f"/{body.get('frequencyPenalty')}"
    )
    gen = text.generate(
        prompt,
        model.display_name,
        max_tokens=max_tokens,
        input_tokens=tokens.count(prompt),
        stop_sequences=body.get("stopSequences", []),
        variation=variation,
        languages=LANGUAGES,
        prefix="\n",
    )
    if gen.stop_reason == "max_tokens":
        finish = {"reason": "length", "length": max_tokens}
    elif gen.stop_reason == "stop_sequence":
        finish = {"reason": "stop", "sequence": gen.stop_sequence}
    else:
        finish = {"reason": "endoftext"}
    reply = {
        "id": int.from_bytes(digest(model.model_id, body)[:2], "big"),
        "prompt": {"text": prompt, "tokens": _sp_tokens(tokens.pieces(prompt), "prompt")},
        "completions": [
            {"data": {"text": gen.text, "tokens": _sp_tokens(gen.pieces, "completion")}, "finishReason": finish}
        ],
    }
    return Reply(reply, gen.input_tokens, gen.output_tokens)
