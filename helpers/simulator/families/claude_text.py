"""Anthropic Claude Text Completions (`prompt` + `max_tokens_to_sample`), Claude v1/v2/Instant.

Facts: AWS docs, model-parameters-anthropic-claude-text-completion (parameters, defaults,
ranges: max_tokens_to_sample 0-4096, temperature 0-1, top_p 0-1, top_k 0-500); prompt-rule
messages as quoted in spring-projects/spring-ai#404 (2024 wording) and langchain-ai/langchain#11090.
Claude 2.x also accepts Messages API bodies; those go to `claude_messages` when present.
"""

from __future__ import annotations

from .. import schema
from ..catalog import Model
from ..errors import validation
from ..generators import text, tokens
from . import Reply, StreamReply, chunk_pieces

HUMAN, ASSISTANT = "\n\nHuman:", "\n\nAssistant:"


def _schema(model: Model) -> dict:
    return {
        "type": "object",
        "required": ["prompt", "max_tokens_to_sample"],
        "additionalProperties": False,
        "properties": {
            "prompt": {"type": "string"},
            "max_tokens_to_sample": {
                "type": "integer",
                "minimum": 0,
                "maximum": model.limits.get("maxOutputTokens", 4096),
            },
            "temperature": {"type": "number", "minimum": 0, "maximum": 1},
            "top_p": {"type": "number", "minimum": 0, "maximum": 1},
            "top_k": {"type": "integer", "minimum": 0, "maximum": 500},
            "stop_sequences": {"type": "array", "items": {"type": "string"}},
            "anthropic_version": {"type": "string"},
        },
    }


def _check_prompt(prompt: str) -> str:
    """Bedrock's turn rules; returns the last human turn (the question)."""
    first = prompt.find(HUMAN)
    # The optional system prompt is whatever precedes the first human turn; an assistant turn
    # there means the conversation does not start with the human.
    if first < 0 or ASSISTANT in prompt[:first]:
        raise validation(f'prompt must start with "{HUMAN}" turn after an optional system prompt')
    last_human, last_assistant = prompt.rfind(HUMAN), prompt.rfind(ASSISTANT)
    if last_assistant < last_human:
        raise validation(f'prompt must end with "{ASSISTANT}" turn')
    return prompt[last_human + len(HUMAN) : last_assistant].strip()


def _messages_family(model: Model, body: object):
    if isinstance(body, dict) and "messages" in body:
        try:
            from . import claude_messages
        except ImportError:  # pragma: no cover - before the Messages family exists
            return None
        return claude_messages
    return None


def _generate(model: Model, body: dict) -> text.Generation:
    schema.check(_schema(model), body)
    question = _check_prompt(body["prompt"])
    stops = [HUMAN, *body.get("stop_sequences", [])]
    variation = f"{body.get('temperature', 1)}/{body.get('top_p', 1)}/{body.get('top_k', 250)}"
    return text.generate(
        question,
        model.display_name,
        max_tokens=body["max_tokens_to_sample"],
        input_tokens=tokens.count(body["prompt"]),
        stop_sequences=stops,
        variation=variation,
        prefix=" ",
    )


def _stop(gen: text.Generation) -> tuple[str, str | None]:
    if gen.stop_reason == "max_tokens":
        return "max_tokens", None
    # A reply that simply ends stops on the implicit "\n\nHuman:" sequence.
    return "stop_sequence", gen.stop_sequence or HUMAN


def invoke(model: Model, body: dict) -> Reply:
    other = _messages_family(model, body)
    if other:
        return other.invoke(model, body)
    gen = _generate(model, body)
    reason, stop = _stop(gen)
    return Reply({"completion": gen.text, "stop_reason": reason, "stop": stop}, gen.input_tokens, gen.output_tokens)


def stream(model: Model, body: dict) -> StreamReply:
    other = _messages_family(model, body)
    if other:
        return other.stream(model, body)
    gen = _generate(model, body)
    reason, stop = _stop(gen)
    chunks = [{"completion": c, "stop_reason": None, "stop": None} for c in chunk_pieces(gen.pieces)]
    chunks.append({"completion": "", "stop_reason": reason, "stop": stop})
    return StreamReply(chunks, gen.input_tokens, gen.output_tokens)
