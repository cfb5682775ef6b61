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

from dataclasses import replace

from .. import schema
from ..catalog import Model
from ..generators import tokens
from . import Conversation, Outcome, Prompt, TextFamily, Turn, chunk_pieces
from ._chat import likelihood, stable_uuid, turn_text

LANGUAGES = ("en",)


@schema.per_model
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


def _finish(outcome: Outcome) -> str:
    return "MAX_TOKENS" if outcome.stop_reason == "max_tokens" else "COMPLETE"


def _token_likelihoods(pieces, *seed) -> list[dict]:
    return [{"token": p, "likelihood": likelihood(p, *seed, i)} for i, p in enumerate(pieces)]


def _generation(outcome: Outcome, gen_id: str, body: dict, index: int | None = None) -> dict:
    out = {"finish_reason": _finish(outcome), "id": gen_id, "text": outcome.text}
    if index is not None:
        out["index"] = index
    mode = body.get("return_likelihoods", "NONE")
    if mode != "NONE":
        seed = (gen_id,)
        generated = _token_likelihoods(outcome.pieces, *seed)
        listed = generated
        if mode == "ALL":
            listed = _token_likelihoods(tokens.pieces(body["prompt"]), "prompt", *seed) + generated
        out["likelihood"] = round(sum(t["likelihood"] for t in generated) / max(len(generated), 1), 4)
        out["token_likelihoods"] = listed
    return out


# Converse's sampling settings under Cohere's names (Command and Command R alike: `p` is top_p).
SAMPLING = {"max_tokens": "max_tokens", "temperature": "temperature", "top_p": "p", "stop_sequences": "stop_sequences"}


class CohereCommand(TextFamily):
    name = "cohere_command"
    stop_reasons = {"end_turn": "COMPLETE", "stop_sequence": "COMPLETE", "max_tokens": "MAX_TOKENS"}

    def parse(self, model: Model, body: dict) -> Prompt:
        schema.check(_schema(model), body)
        prompt = body["prompt"]
        return Prompt(
            turns=[Turn("user", (prompt,))],
            max_tokens=body.get("max_tokens", 20),
            input_tokens=tokens.count(prompt),
            stop_sequences=tuple(body.get("stop_sequences", [])),
            variation=f"{body.get('temperature', 0.9)}/{body.get('p', 0.75)}/{body.get('k', 0)}",
            languages=LANGUAGES,
            prefix=" ",
            choices=body.get("num_generations", 1),
            body=body,
        )

    def generate(self, model: Model, prompt: Prompt) -> Outcome:
        outcomes = []
        for i in range(prompt.choices):
            outcome = super().generate(model, replace(prompt, variation=f"{prompt.variation}/{i}"))
            if outcome.stop_reason == "stop_sequence":  # Cohere keeps the stop sequence in the text
                outcome = replace(
                    outcome,
                    text=outcome.text + outcome.stop_sequence,
                    pieces=(*outcome.pieces, outcome.stop_sequence),
                    output_tokens=outcome.output_tokens + 1,
                )
            outcomes.append(outcome)
        return replace(outcomes[0], alternatives=tuple(outcomes[1:]))

    def _ids(self, model: Model, prompt: Prompt) -> list[str]:
        return [stable_uuid(model.model_id, prompt.body, i) for i in range(prompt.choices)]

    def _body(self, model: Model, prompt: Prompt, outcome: Outcome, *, indexed: bool = False) -> dict:
        body = prompt.body
        return {
            "generations": [
                _generation(o, i, body, index=n if indexed else None)
                for n, (o, i) in enumerate(zip(outcome.all, self._ids(model, prompt), strict=True))
            ],
            "id": stable_uuid(model.model_id, body, "response"),
            "prompt": body["prompt"],
        }

    def render(self, model: Model, prompt: Prompt, outcome: Outcome) -> dict:
        return self._body(model, prompt, outcome)

    def render_chunks(self, model: Model, prompt: Prompt, outcome: Outcome) -> list[dict]:
        if not prompt.body.get("stream"):
            return [self._body(model, prompt, outcome)]
        several = len(outcome.all) > 1
        chunks: list[dict] = []
        for n, one in enumerate(outcome.all):
            for piece in chunk_pieces(one.pieces, size=1):
                chunks.append({"text": piece, "is_finished": False} | ({"index": n} if several else {}))
            if one.stop_reason != "max_tokens":
                chunks.append({"text": "<EOS_TOKEN>", "is_finished": False} | ({"index": n} if several else {}))
        finish = "MAX_TOKENS" if any(o.stop_reason == "max_tokens" for o in outcome.all) else "COMPLETE"
        chunks.append({"is_finished": True, "finish_reason": finish, "response": self._body(model, prompt, outcome)})
        return chunks

    def native_request(self, model: Model, conversation: Conversation) -> dict:
        """Command takes one prompt: the user's message (Converse refuses conversation history)."""
        body: dict = {"prompt": turn_text(conversation.turns[-1])}
        return body | conversation.sampling(SAMPLING, model.limits.get("maxOutputTokens", 4096))


FAMILY = CohereCommand()
