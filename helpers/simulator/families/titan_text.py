"""Amazon Titan Text G1 Express / Lite / Premier (`inputText` + `textGenerationConfig`).

Facts and where they come from:
- Request, defaults and ranges (temperature 0-1 default 0.7, topP 0-1 default 0.9, maxTokenCount
  default 512, max 8,192 Express / 4,096 Lite / 3,072 Premier): AWS docs,
  model-parameters-titan-text (shared/reference/bedrock-wire-format.md section 4.7).
- Stop sequences may only be pipes or `User:`, reported without a JSON pointer as
  `Malformed input request: string [Observation] does not match pattern ^(\\|+|User:)$`
  (public Bedrock troubleshooting notes quoting InvokeModelWithResponseStream on
  amazon.titan-text-lite-v1). Titan's schema layer words every violation that way (one reason
  without pointer, or `N schema violations found`), see `schema.check_summarised`.
- Response `{"inputTextTokenCount", "results": [{"tokenCount", "outputText", "completionReason"}]}`
  with `FINISH` / `LENGTH` / `STOP_CRITERIA_MET`; stream chunks `{"outputText", "index",
  "totalOutputTextTokenCount", "completionReason", "inputTextTokenCount"}` (recorded, section 2.4).
"""

from __future__ import annotations

import re

from .. import schema
from ..catalog import Model
from ..generators import grounding, text, tokens
from . import Reply, StreamReply, chunk_pieces


def _schema(model: Model) -> dict:
    return {
        "type": "object",
        "required": ["inputText"],
        "additionalProperties": False,
        "properties": {
            "inputText": {"type": "string"},
            "textGenerationConfig": {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "temperature": {"type": "number", "minimum": 0, "maximum": 1},
                    "topP": {"type": "number", "minimum": 0, "maximum": 1},
                    "maxTokenCount": {
                        "type": "integer",
                        "minimum": 0,
                        "maximum": model.limits.get("maxOutputTokens", 8192),
                    },
                    "stopSequences": {"type": "array", "items": {"type": "string", "pattern": r"^(\|+|User:)$"}},
                },
            },
        },
    }


def _question(prompt: str) -> str:
    """The last `User:` turn of a `User: ... Bot:` prompt, else the whole prompt."""
    turns = re.split(r"(?m)^User:\s*", prompt)
    return re.sub(r"\s*Bot:\s*$", "", turns[-1]).strip() or prompt


def _generate(model: Model, body: dict) -> tuple[text.Generation, str]:
    schema.check_summarised(_schema(model), body)
    config = body.get("textGenerationConfig", {})
    # Passages in the prompt ground the answer (rule: generators/grounding.py); the question is what is left.
    context, rest = grounding.split_context(body["inputText"])
    gen = text.generate(
        _question((grounding.question_of(rest) if context else "") or body["inputText"]),
        model.display_name,
        max_tokens=config.get("maxTokenCount", 512),
        input_tokens=tokens.count(body["inputText"]),
        stop_sequences=config.get("stopSequences", []),
        variation=f"{config.get('temperature', 0.7)}/{config.get('topP', 0.9)}",
        prefix="\n",
        context=context,
    )
    reason = {"end": "FINISH", "max_tokens": "LENGTH", "stop_sequence": "STOP_CRITERIA_MET"}[gen.stop_reason]
    return gen, reason


def invoke(model: Model, body: dict) -> Reply:
    gen, reason = _generate(model, body)
    reply = {
        "inputTextTokenCount": gen.input_tokens,
        "results": [{"tokenCount": gen.output_tokens, "outputText": gen.text, "completionReason": reason}],
    }
    return Reply(reply, gen.input_tokens, gen.output_tokens)


def stream(model: Model, body: dict) -> StreamReply:
    gen, reason = _generate(model, body)
    pieces = chunk_pieces(gen.pieces, size=8) or [""]
    chunks, total = [], 0
    for i, piece in enumerate(pieces):
        total = min(gen.output_tokens, total + len(tokens.pieces(piece)))
        last = i == len(pieces) - 1
        chunks.append(
            {
                "outputText": piece,
                "index": 0,
                "totalOutputTextTokenCount": gen.output_tokens if last else total,
                "completionReason": reason if last else None,
                "inputTextTokenCount": gen.input_tokens if i == 0 else None,
            }
        )
    return StreamReply(chunks, gen.input_tokens, gen.output_tokens)
