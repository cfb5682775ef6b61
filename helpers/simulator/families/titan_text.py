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
from ..generators import grounding, tokens
from . import Conversation, Outcome, Prompt, TextFamily, Turn, chunk_pieces
from ._chat import transcript_turns, turn_text


@schema.per_model
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


def _turns(prompt: str, question: str) -> list[Turn]:
    """The `User:` / `Bot:` turns of a chat-style prompt; the last user turn is `question`."""
    return transcript_turns(re.split(r"(?m)^User:\s*", prompt)[1:], "Bot:", question)


class TitanText(TextFamily):
    name = "titan_text"
    stop_reasons = {"end_turn": "FINISH", "max_tokens": "LENGTH", "stop_sequence": "STOP_CRITERIA_MET"}

    def parse(self, model: Model, body: dict) -> Prompt:
        schema.check_summarised(_schema(model), body)
        config = body.get("textGenerationConfig", {})
        # Passages in the prompt ground the answer (rule: generators/grounding.py); the question is what is left.
        context, rest = grounding.split_context(body["inputText"])
        question = _question((grounding.question_of(rest) if context else "") or body["inputText"])
        return Prompt(
            turns=_turns(body["inputText"], question),
            context=tuple(context),
            max_tokens=config.get("maxTokenCount", 512),
            input_tokens=tokens.count(body["inputText"]),
            stop_sequences=tuple(config.get("stopSequences", [])),
            variation=f"{config.get('temperature', 0.7)}/{config.get('topP', 0.9)}",
            prefix="\n",
        )

    def render(self, model: Model, prompt: Prompt, outcome: Outcome) -> dict:
        result = {
            "tokenCount": outcome.output_tokens,
            "outputText": outcome.text,
            "completionReason": self.native_stop(outcome),
        }
        return {"inputTextTokenCount": outcome.input_tokens, "results": [result]}

    def render_chunks(self, model: Model, prompt: Prompt, outcome: Outcome) -> list[dict]:
        pieces = chunk_pieces(outcome.pieces, size=8) or [""]
        chunks, total = [], 0
        for i, piece in enumerate(pieces):
            total = min(outcome.output_tokens, total + len(tokens.pieces(piece)))
            last = i == len(pieces) - 1
            chunks.append(
                {
                    "outputText": piece,
                    "index": 0,
                    "totalOutputTextTokenCount": outcome.output_tokens if last else total,
                    "completionReason": self.native_stop(outcome) if last else None,
                    "inputTextTokenCount": outcome.input_tokens if i == 0 else None,
                }
            )
        return chunks

    def native_request(self, model: Model, conversation: Conversation) -> dict:
        """Titan's chat convention, `User: ...` and `Bot: ...` lines ending in `Bot:` [the exact
        text Bedrock builds is not documented; this follows the model page's chat examples]."""
        lines = [f"{'User' if t.role == 'user' else 'Bot'}: {turn_text(t)}" for t in conversation.turns]
        names = {
            "max_tokens": "maxTokenCount",
            "temperature": "temperature",
            "top_p": "topP",
            "stop_sequences": "stopSequences",
        }
        config = conversation.sampling(names, model.limits.get("maxOutputTokens", 8192))
        return {"inputText": "\n".join(lines) + "\nBot:", "textGenerationConfig": config}


FAMILY = TitanText()
