"""OpenAI's open-weight models on Bedrock (gpt-oss-20b, gpt-oss-120b): the Chat Completions body.

Facts and where they come from:
- Request and response bodies are OpenAI's Create chat completion request and chat completion
  object, for InvokeModel and for the OpenAI-compatible Chat Completions path alike; with
  InvokeModel the model's reasoning comes first in the content, inside `<reasoning>` tags; `model`
  may be omitted, `stream` must be false for InvokeModel (AWS docs, model-parameters-openai).
- The fields the model accepts, and how an unknown one is refused: `The model returned the
  following errors: Failed to deserialize the JSON body into the target type: thinking: unknown
  field thinking, expected one of messages, model, ... at line 1 column 445` (a real InvokeModel
  answer quoted in BerriAI/litellm#13959). The column counted here is where the key ends in the
  body as sent compactly (a guess at how the model's parser counts).
- Stream chunks are `chat.completion.chunk` objects: the first carries the role, the last the
  finish reason (OpenAI's Chat Completions streaming format).
"""

from __future__ import annotations

import json

from ..catalog import Model
from ..errors import validation
from . import (
    Conversation,
    Outcome,
    Prompt,
    Reply,
    TextFamily,
    ToolChoice,
    ToolSpec,
    Turn,
    chunk_pieces,
)
from ._chat import block_text, count, digest, function_messages, function_tools, function_turns

# The field list in the deserializer's own error text (BerriAI/litellm#13959), in its order.
FIELDS = (
    "messages", "model", "store", "reasoning_effort", "metadata", "frequency_penalty", "logit_bias", "logprobs",
    "top_logprobs", "max_tokens", "max_completion_tokens", "n", "modalities", "prediction", "audio",
    "presence_penalty", "response_format", "seed", "service_tier", "stop", "stream", "stream_options",
    "temperature", "top_p", "tools", "tool_choice", "parallel_tool_calls", "user", "function_call", "functions",
)  # fmt: skip
ROLES = ("system", "developer", "user", "assistant", "tool")
_PREFIX = "The model returned the following errors: Failed to deserialize the JSON body into the target type: "


def _refuse(body: dict, detail: str, key: str | None = None) -> Exception:
    sent = json.dumps(body, separators=(",", ":"), ensure_ascii=False)
    column = sent.find(f'"{key}":') + len(key) + 2 if key else len(sent)
    return validation(f"{_PREFIX}{detail} at line 1 column {column}")


def check(body: dict) -> list[dict]:
    """The request's messages, after the model's own deserializer would have accepted the body."""
    for key in body:
        if key not in FIELDS:
            raise _refuse(body, f"{key}: unknown field {key}, expected one of {', '.join(FIELDS)}", key)
    messages = body.get("messages")
    if messages is None:
        raise _refuse(body, "missing field messages")
    if not isinstance(messages, list):
        raise _refuse(body, f"messages: invalid type: {type(messages).__name__}, expected a sequence", "messages")
    for i, message in enumerate(messages):
        role = message.get("role") if isinstance(message, dict) else None
        if role not in ROLES:
            variants = ", ".join(ROLES)
            raise _refuse(body, f"messages[{i}].role: unknown variant {role}, expected one of {variants}", "role")
    if not messages:
        raise validation("The model returned the following errors: messages must not be empty")  # guess
    return messages


def _question(messages: list[dict]) -> str:
    users = [m for m in messages if m["role"] == "user"] or messages
    return block_text(users[-1].get("content")).strip()



def _choice(value) -> ToolChoice | None:
    if value in ("auto", "none"):
        return ToolChoice(value)
    if value == "required":
        return ToolChoice("any")
    if isinstance(value, dict) and isinstance(value.get("function"), dict):
        return ToolChoice("tool", value["function"].get("name"))
    return None


def reasoning(model: Model, body: dict) -> str:
    """The short, deterministic reasoning InvokeModel puts before the answer."""
    question = _question(body["messages"])
    topic = question if len(question) <= 60 else question[:57] + "..."
    return f"<reasoning>The user asks: {topic} Answer plainly; this reply is simulated offline.</reasoning>"


def completion_id(model: Model, body: dict) -> str:
    return "chatcmpl-" + digest(model.model_id, body).hex()


def finish_reason(outcome: Outcome) -> str:
    return OpenAIChat.stop_reasons[outcome.stop_reason]


def _tool_calls(outcome: Outcome) -> list[dict]:
    return [
        {"id": c.id, "type": "function", "function": {"name": c.name, "arguments": json.dumps(c.input)}}
        for c in outcome.tool_calls
    ]


def completion(model: Model, body: dict, outcome: Outcome, created: int, content: str) -> dict:
    """A `chat.completion` object."""
    message = {"role": "assistant", "content": content}
    if outcome.tool_calls:
        message["tool_calls"] = _tool_calls(outcome)
    return {
        "id": completion_id(model, body),
        "object": "chat.completion",
        "created": created,
        "model": model.model_id,
        "choices": [{"index": 0, "message": message, "finish_reason": finish_reason(outcome)}],
        "usage": {
            "prompt_tokens": outcome.input_tokens,
            "completion_tokens": outcome.output_tokens,
            "total_tokens": outcome.input_tokens + outcome.output_tokens,
        },
    }


def chunks(model: Model, body: dict, outcome: Outcome, created: int, *, usage: bool = False) -> list[dict]:
    """`chat.completion.chunk` objects: role first, text deltas, tool calls, finish reason, optional usage."""
    base = {
        "id": completion_id(model, body),
        "object": "chat.completion.chunk",
        "created": created,
        "model": model.model_id,
    }
    out = [base | {"choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}]}]
    for piece in chunk_pieces(outcome.pieces, size=3):
        out.append(base | {"choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}]})
    if outcome.tool_calls:
        calls = [{"index": i} | c for i, c in enumerate(_tool_calls(outcome))]
        out.append(base | {"choices": [{"index": 0, "delta": {"tool_calls": calls}, "finish_reason": None}]})
    out.append(base | {"choices": [{"index": 0, "delta": {}, "finish_reason": finish_reason(outcome)}]})
    if usage:
        counts = {"prompt_tokens": outcome.input_tokens, "completion_tokens": outcome.output_tokens}
        out.append(base | {"choices": [], "usage": counts | {"total_tokens": sum(counts.values())}})
    return out


def created_time(body: dict) -> int:
    """A fixed `created` time for InvokeModel answers: same request, same bytes (a simplification)."""
    return 1754352000 + int.from_bytes(digest(body)[:2], "big")  # 2025-08-05, the models' release day


class OpenAIChat(TextFamily):
    name = "openai_chat"
    stop_reasons = {"end_turn": "stop", "stop_sequence": "stop", "max_tokens": "length", "tool_use": "tool_calls"}

    def parse(self, model: Model, body: dict) -> Prompt:
        messages = check(body)
        stop = body.get("stop") or []
        stops = [stop] if isinstance(stop, str) else list(stop)
        limit = body.get("max_completion_tokens") or body.get("max_tokens") or model.limits.get("maxOutputTokens", 4096)
        system, turns = function_turns(messages, joiner="\n", system_roles=("system", "developer"))
        input_tokens = count(*(block_text(m.get("content")) for m in messages)) + 4 * len(messages)
        tools = tuple(
            ToolSpec(f.get("name", ""), f.get("description", ""), f.get("parameters", {}))
            for f in (t.get("function", {}) for t in body.get("tools") or [] if isinstance(t, dict))
        )
        if tools:
            input_tokens += count(json.dumps(body["tools"], ensure_ascii=False))
        return Prompt(
            turns=turns or [Turn("user", ("",))],
            max_tokens=int(limit),
            input_tokens=input_tokens,
            system=system,
            tools=tools,
            tool_choice=_choice(body.get("tool_choice")),
            stop_sequences=tuple(stops),
            variation=f"{body.get('temperature', 1.0)}/{body.get('top_p', 1.0)}/{body.get('seed', '')}",
            body=body,
            asked=_question(messages),
        )

    def invoke(self, model: Model, body: dict) -> Reply:
        if body.get("stream"):
            raise validation("The model returned the following errors: stream must be false for InvokeModel")  # guess
        return super().invoke(model, body)

    def render(self, model: Model, prompt: Prompt, outcome: Outcome) -> dict:
        body = prompt.body
        return completion(model, body, outcome, created_time(body), reasoning(model, body) + outcome.text)

    def render_chunks(self, model: Model, prompt: Prompt, outcome: Outcome) -> list[dict]:
        return chunks(model, prompt.body, outcome, created_time(prompt.body))

    def native_request(self, model: Model, conversation: Conversation) -> dict:
        body: dict = {"messages": function_messages(conversation)}
        if conversation.tools:
            body["tools"] = function_tools(conversation.tools)
            choice = conversation.tool_choice
            if choice is not None:
                body["tool_choice"] = {"auto": "auto", "any": "required"}.get(choice.mode) or {
                    "type": "function",
                    "function": {"name": choice.name},
                }
        names = {
            "max_tokens": "max_completion_tokens",
            "temperature": "temperature",
            "top_p": "top_p",
            "stop_sequences": "stop",
        }
        return body | conversation.sampling(names)


FAMILY = OpenAIChat()
