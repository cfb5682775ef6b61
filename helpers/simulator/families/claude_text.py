"""Anthropic Claude Text Completions (`prompt` + `max_tokens_to_sample`), Claude v1/v2/Instant.

Facts: AWS docs, model-parameters-anthropic-claude-text-completion (parameters, defaults,
ranges: max_tokens_to_sample 0-4096, temperature 0-1, top_p 0-1, top_k 0-500); prompt-rule
messages as quoted in spring-projects/spring-ai#404 (2024 wording) and langchain-ai/langchain#11090.
Claude 2.x also accept Messages API bodies (AWS docs, model-parameters-anthropic-claude-messages:
Claude Instant 1.2, 2.0 and 2.1 are among its models); those go to `claude_messages`, and so
does Converse, which speaks Messages to these models.
"""

from __future__ import annotations

from .. import schema
from ..catalog import Model
from ..errors import validation
from ..generators import tokens
from . import Conversation, Outcome, Prompt, TextFamily, Turn, chunk_pieces
from ._chat import transcript_turns
from ._claude import text_completion_schema
from .claude_messages import FAMILY as MESSAGES

HUMAN, ASSISTANT = "\n\nHuman:", "\n\nAssistant:"


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


def _turns(prompt: str, question: str) -> list[Turn]:
    """The human and assistant turns of a checked prompt; the last human turn is `question`."""
    return transcript_turns(prompt[prompt.find(HUMAN) :].split(HUMAN)[1:], ASSISTANT, question)


class ClaudeText(TextFamily):
    name = "claude_text"
    # A reply that simply ends stops on the implicit "\n\nHuman:" stop sequence.
    stop_reasons = {"end_turn": "stop_sequence", "stop_sequence": "stop_sequence", "max_tokens": "max_tokens"}

    def speaker(self, model: Model, body: dict) -> TextFamily:
        return MESSAGES if isinstance(body, dict) and "messages" in body else self

    def parse(self, model: Model, body: dict) -> Prompt:
        schema.check(text_completion_schema(model), body)
        question = _check_prompt(body["prompt"])
        return Prompt(
            turns=_turns(body["prompt"], question),
            max_tokens=body["max_tokens_to_sample"],
            input_tokens=tokens.count(body["prompt"]),
            system=body["prompt"][: body["prompt"].find(HUMAN)].strip(),
            stop_sequences=(HUMAN, *body.get("stop_sequences", [])),
            variation=f"{body.get('temperature', 1)}/{body.get('top_p', 1)}/{body.get('top_k', 250)}",
            prefix=" ",
        )

    def _stop(self, outcome: Outcome) -> str | None:
        return None if outcome.stop_reason == "max_tokens" else (outcome.stop_sequence or HUMAN)

    def render(self, model: Model, prompt: Prompt, outcome: Outcome) -> dict:
        return {"completion": outcome.text, "stop_reason": self.native_stop(outcome), "stop": self._stop(outcome)}

    def render_chunks(self, model: Model, prompt: Prompt, outcome: Outcome) -> list[dict]:
        chunks = [{"completion": c, "stop_reason": None, "stop": None} for c in chunk_pieces(outcome.pieces)]
        chunks.append({"completion": "", "stop_reason": self.native_stop(outcome), "stop": self._stop(outcome)})
        return chunks

    def native_request(self, model: Model, conversation: Conversation) -> dict:
        return MESSAGES.native_request(model, conversation)


FAMILY = ClaudeText()
