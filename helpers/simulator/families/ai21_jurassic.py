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
from ..errors import NO_STREAMING, validation
from ..generators import tokens
from . import Conversation, Outcome, Prompt, TextFamily, Turn
from ._chat import digest, likelihood, turn_text

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


@schema.per_model
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


class Jurassic(TextFamily):
    name = "ai21_jurassic"
    streams = False  # InvokeModelWithResponseStream answers "The model is unsupported for streaming."
    stop_reasons = {"end_turn": "endoftext", "max_tokens": "length", "stop_sequence": "stop"}

    def parse(self, model: Model, body: dict) -> Prompt:
        schema.check(_schema(model), body)
        prompt = body["prompt"]
        variation = (
            f"{body.get('temperature', 0.5)}/{body.get('topP', 0.5)}/{body.get('countPenalty')}/"
            + str(body.get("presencePenalty"))
            + f"/{body.get('frequencyPenalty')}"
        )
        return Prompt(
            turns=[Turn("user", (prompt,))],
            max_tokens=body.get("maxTokens", 200),
            input_tokens=tokens.count(prompt),
            stop_sequences=tuple(body.get("stopSequences", [])),
            variation=variation,
            languages=LANGUAGES,
            prefix="\n",
            body=body,
        )

    def render(self, model: Model, prompt: Prompt, outcome: Outcome) -> dict:
        body = prompt.body
        if outcome.stop_reason == "max_tokens":
            finish = {"reason": "length", "length": prompt.max_tokens}
        elif outcome.stop_reason == "stop_sequence":
            finish = {"reason": "stop", "sequence": outcome.stop_sequence}
        else:
            finish = {"reason": "endoftext"}
        return {
            "id": int.from_bytes(digest(model.model_id, body)[:2], "big"),
            "prompt": {"text": body["prompt"], "tokens": _sp_tokens(tokens.pieces(body["prompt"]), "prompt")},
            "completions": [
                {
                    "data": {"text": outcome.text, "tokens": _sp_tokens(outcome.pieces, "completion")},
                    "finishReason": finish,
                }
            ],
        }

    def render_chunks(self, model: Model, prompt: Prompt, outcome: Outcome) -> list[dict]:
        raise validation(NO_STREAMING)  # unreachable: streams is False

    def native_request(self, model: Model, conversation: Conversation) -> dict:
        """Jurassic-2 takes one prompt: the user's message (Converse refuses conversation history)."""
        body: dict = {"prompt": turn_text(conversation.turns[-1])}
        for key, value in (
            ("maxTokens", conversation.max_tokens),
            ("temperature", conversation.temperature),
            ("topP", conversation.top_p),
            ("stopSequences", conversation.stop_sequences),
        ):
            if value is not None:
                body[key] = value
        return body


FAMILY = Jurassic()
