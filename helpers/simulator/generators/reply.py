"""A model's answer to a neutral prompt: plain text, a tool call, or text built on tool results.

Families hand their parsed `Prompt` here (through `TextFamily.generate`) and render the
`Outcome` in their native shape; Converse renders the same `Outcome` in its own shape.
Deterministic like the rest of the generators: same prompt, same answer.
"""

from __future__ import annotations

import json

from ..families import Outcome, Prompt, ToolCall
from . import text, tokens, tools


def from_generation(gen: text.Generation) -> Outcome:
    """A text generation as a neutral outcome (`end` is Converse's `end_turn`)."""
    reason = "end_turn" if gen.stop_reason == "end" else gen.stop_reason
    return Outcome(gen.text, gen.pieces, reason, gen.stop_sequence, gen.input_tokens, gen.output_tokens)


def finish(answer: str, prompt: Prompt) -> Outcome:
    """Apply the prompt's stop sequences and token limit to a composed answer, as the service does
    (the same rules as `text.generate`)."""
    stop_reason, matched = "end_turn", None
    hits = [(answer.find(s), s) for s in prompt.stop_sequences if s and s in answer]
    if hits:
        at, matched = min(hits)
        answer, stop_reason = answer[:at], "stop_sequence"
    parts = tokens.pieces(answer)
    if len(parts) > prompt.max_tokens:
        parts, stop_reason, matched = parts[: prompt.max_tokens], "max_tokens", None
        answer = "".join(parts)
    return Outcome(answer, tuple(parts), stop_reason, matched, prompt.input_tokens, len(parts))


def tool_call_tokens(call: ToolCall) -> int:
    """Output tokens a tool call costs: its name, its JSON input and a little framing (a guess)."""
    return tokens.count(call.name) + tokens.count(json.dumps(call.input, ensure_ascii=False)) + 6


def respond(prompt: Prompt, model_name: str, *, preface: bool = False, salt: str = "") -> Outcome:
    """The answer to `prompt`.

    - Tools offered and the last user turn carries no tool results (or `toolChoice` forces a
      tool): a call of the tool the request matches, arguments filled from its JSON schema and
      the request's words; `preface` adds the short sentence some models say first.
    - Tool results in the last user turn: an answer built from their content.
    - Otherwise: the text generator's answer to the last user turn.
    """
    forced = prompt.tool_choice is not None and prompt.tool_choice.mode in ("any", "tool")
    results = prompt.tool_results
    if prompt.tools and (forced or not results):
        call = tools.plan(prompt, salt)
        if call is not None:
            return _call(prompt, call, model_name, say_first=preface and not forced)
    if results:
        answer = tools.answer(prompt.question, results, tools.calls_by_id(prompt.turns), model_name)
        return finish(prompt.prefix + answer, prompt)
    gen = text.generate(
        prompt.question,
        model_name,
        max_tokens=prompt.max_tokens,
        input_tokens=prompt.input_tokens,
        stop_sequences=prompt.stop_sequences,
        variation=prompt.variation,
        languages=prompt.languages,
        prefix=prompt.prefix,
        context=list(prompt.context),
    )
    return from_generation(gen)


def _call(prompt: Prompt, call: ToolCall, model_name: str, *, say_first: bool) -> Outcome:
    lead = tools.preface(prompt.question, call) if say_first else ""
    parts = tokens.pieces(lead)
    cost = tool_call_tokens(call)
    if len(parts) + cost > prompt.max_tokens:
        # The limit falls inside the call: the model stops before a complete tool request.
        cut = parts[: prompt.max_tokens]
        return Outcome("".join(cut), tuple(cut), "max_tokens", None, prompt.input_tokens, len(cut))
    return Outcome(lead, tuple(parts), "tool_use", None, prompt.input_tokens, len(parts) + cost, (call,))
