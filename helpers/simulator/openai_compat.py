"""bedrock-runtime's OpenAI-compatible Chat Completions path, served by the local endpoint.

Facts and where they come from:
- Path and auth: `POST https://bedrock-runtime.{region}.amazonaws.com/openai/v1/chat/completions`
  (AWS docs, inference-chat-completions: the OpenAI SDK's `base_url` is the runtime endpoint plus
  `/openai/v1`); the endpoints page of the same guide also lists `/v1/chat/completions` on
  bedrock-runtime. Either SigV4 (service `bedrock`) or a Bedrock API key as `Authorization: Bearer`.
- Models: the OpenAI models on Bedrock, whose native body is the Chat Completions body (AWS docs,
  model-parameters-openai); here, every catalog model of the `openai_chat` family.
- The answer is a `chat.completion` object; with `"stream": true`, server-sent events
  (`data: {chunk}` lines, then `data: [DONE]`), OpenAI's streaming format. Errors keep Bedrock's
  shape (`x-amzn-ErrorType`, `{"message": ...}`), as the model's errors quoted in
  BerriAI/litellm#13959 show.
- Guesses, marked: the refusal of a model that this path does not serve reuses the Converse text
  for an unsupported model; a body without `model` is refused in Coral's wording.
"""

from __future__ import annotations

import json
import uuid
from email.utils import formatdate

from . import families, operations
from .errors import CONVERSE_UNSUPPORTED, validation
from .families import openai_chat
from .wire import Request, Response

FAMILY = "openai_chat"


def _sse(obj: dict | str) -> bytes:
    data = obj if isinstance(obj, str) else json.dumps(obj, separators=(",", ":"), ensure_ascii=False)
    return f"data: {data}\n\n".encode()


def create_chat_completion(request: Request) -> Response:
    body = operations.parse_body(request)
    if not isinstance(body, dict):
        raise validation("The request body must be a JSON object.")  # guess at the wording
    model_id = body.get("model")
    if not isinstance(model_id, str) or not model_id:
        raise validation("1 validation error detected: Value null at 'model' failed to satisfy constraint: "
                         "Member must not be null")  # fmt: skip
    model = operations.resolve_invocable(request, model_id).model
    if model.family != FAMILY:
        raise validation(CONVERSE_UNSUPPORTED)
    _, _, gen = families.load(FAMILY).run(model, body)  # the family's neutral outcome
    created = openai_chat.created_time(body)
    first, total = operations.simulated_latency(model, gen.input_tokens, gen.output_tokens)
    scale = operations.latency_scale()
    headers = {"x-amzn-RequestId": str(uuid.uuid4()), "Date": formatdate(usegmt=True)}
    if not body.get("stream"):
        payload = json.dumps(
            openai_chat.completion(model, body, gen, created, gen.text), separators=(",", ":"), ensure_ascii=False
        ).encode()
        headers |= {"Content-Type": "application/json", "Content-Length": str(len(payload))}
        return Response(200, headers, payload, delay=total / 1000 * scale)
    include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
    chunks = openai_chat.chunks(model, body, gen, created, usage=include_usage)
    gap = (total - first) / max(len(chunks) - 1, 1) / 1000 * scale

    def frames():
        for i, chunk in enumerate(chunks):
            yield (first / 1000 * scale if i == 0 else gap), _sse(chunk)
        yield 0.0, _sse("[DONE]")

    headers |= {"Content-Type": "text/event-stream", "Cache-Control": "no-cache"}
    return Response(200, headers, frames=frames())
