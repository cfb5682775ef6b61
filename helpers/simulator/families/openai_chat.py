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
from ..generators import text
from . import Reply, StreamReply, chunk_pieces
from ._chat import block_text, count, digest

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


def generate(model: Model, body: dict) -> text.Generation:
    """The answer to a Chat Completions body (validated first)."""
    messages = check(body)
    stop = body.get("stop") or []
    stops = [stop] if isinstance(stop, str) else list(stop)
    limit = body.get("max_completion_tokens") or body.get("max_tokens") or model.limits.get("maxOutputTokens", 4096)
    return text.generate(
        _question(messages),
        model.display_name,
        max_tokens=int(limit),
        input_tokens=count(*(block_text(m.get("content")) for m in messages)) + 4 * len(messages),
        stop_sequences=stops,
        variation=f"{body.get('temperature', 1.0)}/{body.get('top_p', 1.0)}/{body.get('seed', '')}",
    )


def reasoning(model: Model, body: dict) -> str:
    """The short, deterministic reasoning InvokeModel puts before the answer."""
    question = _question(body["messages"])
    topic = question if len(question) <= 60 else question[:57] + "..."
    return f"<reasoning>The user asks: {topic} Answer plainly; this reply is simulated offline.</reasoning>"


def completion_id(model: Model, body: dict) -> str:
    return "chatcmpl-" + digest(model.model_id, body).hex()


def finish_reason(gen: text.Generation) -> str:
    return "length" if gen.stop_reason == "max_tokens" else "stop"


def completion(model: Model, body: dict, gen: text.Generation, created: int, content: str) -> dict:
    """A `chat.completion` object."""
    return {
        "id": completion_id(model, body),
        "object": "chat.completion",
        "created": created,
        "model": model.model_id,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "finish_reason": finish_reason(gen),
            }
        ],
        "usage": {
            "prompt_tokens": gen.input_tokens,
            "completion_tokens": gen.output_tokens,
            "total_tokens": gen.input_tokens + gen.output_tokens,
        },
    }


def chunks(model: Model, body: dict, gen: text.Generation, created: int, *, usage: bool = False) -> list[dict]:
    """`chat.completion.chunk` objects: role first, text deltas, finish reason, optional usage."""
    base = {"id": completion_id(model, body), "object": "chat.completion.chunk", "created": created,
            "model": model.model_id}  # fmt: skip
    out = [base | {"choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}]}]
    for piece in chunk_pieces(gen.pieces, size=3):
        out.append(base | {"choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}]})
    out.append(base | {"choices": [{"index": 0, "delta": {}, "finish_reason": finish_reason(gen)}]})
    if usage:
        counts = {"prompt_tokens": gen.input_tokens, "completion_tokens": gen.output_tokens}
        out.append(base | {"choices": [], "usage": counts | {"total_tokens": sum(counts.values())}})
    return out


def created_time(body: dict) -> int:
    """A fixed `created` time for InvokeModel answers: same request, same bytes (a simplification)."""
    return 1754352000 + int.from_bytes(digest(body)[:2], "big")  # 2025-08-05, the models' release day


def invoke(model: Model, body: dict) -> Reply:
    if body.get("stream"):
        raise validation("The model returned the following errors: stream must be false for InvokeModel")  # guess
    gen = generate(model, body)
    reply = completion(model, body, gen, created_time(body), reasoning(model, body) + gen.text)
    return Reply(reply, gen.input_tokens, gen.output_tokens)


def stream(model: Model, body: dict) -> StreamReply:
    gen = generate(model, body)
    return StreamReply(chunks(model, body, gen, created_time(body)), gen.input_tokens, gen.output_tokens)
