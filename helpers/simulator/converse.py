"""Converse, ConverseStream and CountTokens: one request format for every conversational model.

Bedrock checks a Converse request in layers, and so does this module:

1. Coral constraints on the request's members (`1 validation error detected: Value '2.0' at
   'inferenceConfig.temperature' failed to satisfy constraint: Member must have value less than or
   equal to 1`), with the ranges, enums and patterns of botocore's bedrock-runtime service model;
2. the model: the same existence, region, lifecycle and on-demand checks as InvokeModel, then
   whether Converse serves it at all;
3. the conversation: starts with a user message, roles alternate, no empty content or blank
   text, `toolConfig` present when tool blocks are;
4. the model's Converse features (catalog data): system prompts, history, tools, tools while
   streaming, `toolChoice`, image and document blocks; `maxTokens` within the model's limit;
5. the model itself: Converse builds the native body (merging `additionalModelRequestFields`),
   and the model family validates and answers it exactly as for InvokeModel; a native refusal is
   relayed as `The model returned the following errors: ...`.

Real texts: `A conversation must start with a user message. Try again with a conversation that
starts with a user message.`, `The content field in the Message object at messages.1 is empty.
Add a ContentBlock object to the content field and try again.`, `The text field in the
ContentBlock object at messages.0.content.0 is blank. Add text to the text field, and try
again.`, `The toolConfig field must be defined when using toolUse and toolResult content
blocks.`, `This model doesn't support system messages. Try again without a system message or use
a model that supports system messages.`, `This model doesn't support conversation history. Try
again with input that only includes one user message.`, `This model doesn't support tool use.`,
`This model doesn't support tool use in streaming mode.`, `This model doesn't support the
toolConfig.toolChoice.any field. Remove toolConfig.toolChoice.any and try again.`, `This model
doesn't support the image field for user messages. Remove image and try again.`, `The maximum
tokens you requested exceeds the model limit of 10000. Try again with a maximum tokens value that
is lower than 10000.`, `Input is too long for requested model.`, `The model returned the following
errors: Malformed input request: #: extraneous key [top_k] is not permitted, please reformat your
input and try again.` (Command R given top_k), `The guardrail identifier or version provided in
the request does not exist.`, `The provided model doesn't support counting tokens.` -- all quoted
in public code and issue threads of projects calling Bedrock (found with code search, 2026).
The document-block refusal's second sentence is written by analogy with the image one (guess).
"""

from __future__ import annotations

import base64
import binascii
import json

from . import catalog, coral, eventstream, families, operations
from .catalog import Model
from .coral import GUARDRAIL_ID, GUARDRAIL_VERSION, TOOL_NAME, Constraints
from .errors import (
    CONVERSE_UNSUPPORTED,
    END_OF_LIFE,
    INVALID_MODEL_ID,
    NO_STREAMING,
    BedrockError,
    malformed,
    validation,
)
from .families import Conversation, Media, Outcome, Prompt, TextFamily, ToolCall, ToolChoice, ToolResult, ToolSpec, Turn
from .families._chat import json_fragments
from .wire import Request, Response

# ---------------------------------------------------------------- texts

STARTS_WITH_USER = (
    "A conversation must start with a user message. Try again with a conversation that starts with a user message."
)
ALTERNATE = (
    "A conversation must alternate between user and assistant roles. Make sure the conversation alternates "
    "between user and assistant roles and try again."
)
EMPTY_CONTENT = (
    "The content field in the Message object at messages.{i} is empty. "
    "Add a ContentBlock object to the content field and try again."
)
BLANK_TEXT = (
    "The text field in the ContentBlock object at messages.{i}.content.{j} is blank. "
    "Add text to the text field, and try again."
)
TOOL_CONFIG_NEEDED = "The toolConfig field must be defined when using toolUse and toolResult content blocks."
NO_SYSTEM = (
    "This model doesn't support system messages. "
    "Try again without a system message or use a model that supports system messages."
)
NO_HISTORY = (
    "This model doesn't support conversation history. Try again with input that only includes one user message."
)
NO_TOOLS = "This model doesn't support tool use."
NO_STREAMING_TOOLS = "This model doesn't support tool use in streaming mode."
NO_FIELD = "This model doesn't support the {field} field. Remove {field} and try again."
NO_BLOCK = "This model doesn't support the {kind} field for user messages. Remove {kind} and try again."
MAX_TOKENS = (
    "The maximum tokens you requested exceeds the model limit of {limit}. "
    "Try again with a maximum tokens value that is lower than {limit}."
)
TOO_LONG = "Input is too long for requested model."
RELAYED = "The model returned the following errors: "
NO_COUNTING = "The provided model doesn't support counting tokens."
NOT_READ = (
    "The workshop's offline simulator does not read {kind} content blocks; "
    "run this request live (helpers.setup('live'))."
)

# ---------------------------------------------------------------- Coral constraints (layer 1)


def check_constraints(body: dict) -> None:
    """Layer 1: the request's members against the service model's constraints."""
    c = Constraints()
    config = body.get("inferenceConfig") or {}
    c.range(config.get("maxTokens"), "inferenceConfig.maxTokens", 1, None)
    c.range(config.get("temperature"), "inferenceConfig.temperature", 0, 1, real=True)
    c.range(config.get("topP"), "inferenceConfig.topP", 0, 1, real=True)
    c.length(config.get("stopSequences"), "inferenceConfig.stopSequences", 2500)
    for i, message in enumerate(body.get("messages") or [], start=1):
        if isinstance(message, dict):
            c.enum(message.get("role"), f"messages.{i}.member.role", coral.ENUMS["role"])
    tool_config = body.get("toolConfig") or {}
    for i, tool in enumerate(tool_config.get("tools") or [], start=1):
        name = (tool.get("toolSpec") or {}).get("name") if isinstance(tool, dict) else None
        c.length(name, f"toolConfig.tools.{i}.member.toolSpec.name", 64)
        c.pattern(name, f"toolConfig.tools.{i}.member.toolSpec.name", TOOL_NAME)
    specific = (tool_config.get("toolChoice") or {}).get("tool") or {}
    c.pattern(specific.get("name"), "toolConfig.toolChoice.tool.name", TOOL_NAME)
    guardrail = body.get("guardrailConfig") or {}
    c.pattern(guardrail.get("guardrailIdentifier"), "guardrailConfig.guardrailIdentifier", GUARDRAIL_ID)
    c.pattern(guardrail.get("guardrailVersion"), "guardrailConfig.guardrailVersion", GUARDRAIL_VERSION)
    c.enum(guardrail.get("trace"), "guardrailConfig.trace", coral.ENUMS["guardrailTrace"])
    c.enum(
        guardrail.get("streamProcessingMode"),
        "guardrailConfig.streamProcessingMode",
        coral.ENUMS["streamProcessingMode"],
    )
    c.enum((body.get("performanceConfig") or {}).get("latency"), "performanceConfig.latency", coral.ENUMS["latency"])
    c.enum((body.get("serviceTier") or {}).get("type"), "serviceTier.type", coral.ENUMS["serviceTier"])
    paths = body.get("additionalModelResponseFieldPaths")
    c.length(paths, "additionalModelResponseFieldPaths", 10)
    c.raise_any()


# ---------------------------------------------------------------- the conversation (layer 3)


def _bytes(source: dict) -> bytes:
    raw = (source or {}).get("bytes")
    if isinstance(raw, str):
        try:
            return base64.b64decode(raw)
        except (binascii.Error, ValueError):
            return raw.encode()
    text = (source or {}).get("text")
    return text.encode() if isinstance(text, str) else b""


def _result_text(content: list) -> str:
    parts = []
    for block in content or []:
        if "text" in block:
            parts.append(block["text"])
        elif "json" in block:
            parts.append(json.dumps(block["json"], ensure_ascii=False))
        else:
            parts.append(f"[{next(iter(block), 'content')}]")
    return "\n".join(parts)


def _block(block: dict):
    """A Converse content block as a neutral block (None for blocks that carry no content)."""
    if "text" in block:
        return block["text"]
    if "guardContent" in block:
        return ((block["guardContent"] or {}).get("text") or {}).get("text", "")
    if "toolUse" in block:
        use = block["toolUse"]
        return ToolCall(use.get("toolUseId", ""), use.get("name", ""), use.get("input", {}))
    if "toolResult" in block:
        result = block["toolResult"]
        return ToolResult(
            result.get("toolUseId", ""), _result_text(result.get("content")), result.get("status", "success")
        )
    if "image" in block:
        image = block["image"] or {}
        return Media("image", image.get("format", ""), _bytes(image.get("source")))
    if "document" in block:
        doc = block["document"] or {}
        return Media("document", doc.get("format", "txt"), _bytes(doc.get("source")), doc.get("name", ""))
    if "cachePoint" in block or "reasoningContent" in block:
        return None
    raise validation(NOT_READ.format(kind=next(iter(block), "unknown")))


def conversation_of(body: dict, model: Model) -> Conversation:
    """Layer 3: Bedrock's conversation rules, then the request in neutral terms."""
    messages = body.get("messages") or []
    if not messages or messages[0].get("role") != "user":
        raise validation(STARTS_WITH_USER)
    for a, b in zip(messages, messages[1:], strict=False):
        if a.get("role") == b.get("role"):
            raise validation(ALTERNATE)
    uses_tools = False
    turns = []
    for i, message in enumerate(messages):
        content = message.get("content") or []
        if not content:
            raise validation(EMPTY_CONTENT.format(i=i))
        blocks = []
        for j, block in enumerate(content):
            if "text" in block and not str(block["text"]).strip():
                raise validation(BLANK_TEXT.format(i=i, j=j))
            uses_tools = uses_tools or "toolUse" in block or "toolResult" in block
            found = _block(block)
            if found is not None:
                blocks.append(found)
        turns.append(Turn(message["role"], tuple(blocks)))
    tool_config = body.get("toolConfig")
    if uses_tools and not tool_config:
        raise validation(TOOL_CONFIG_NEEDED)
    tools, choice = (), None
    if tool_config:
        tools = tuple(
            ToolSpec(
                t["toolSpec"].get("name", ""),
                t["toolSpec"].get("description", ""),
                (t["toolSpec"].get("inputSchema") or {}).get("json", {}),
            )
            for t in tool_config.get("tools", [])
            if isinstance(t, dict) and "toolSpec" in t
        )
        picked = tool_config.get("toolChoice") or {}
        mode = next(iter(picked), None)
        if mode:
            choice = ToolChoice(mode, (picked[mode] or {}).get("name"))
    config = body.get("inferenceConfig") or {}
    system = [s["text"] for s in body.get("system") or [] if isinstance(s, dict) and "text" in s]
    return Conversation(
        turns=turns,
        system=system,
        tools=tools,
        tool_choice=choice,
        max_tokens=config.get("maxTokens"),
        temperature=config.get("temperature"),
        top_p=config.get("topP"),
        stop_sequences=config.get("stopSequences"),
    )


# ---------------------------------------------------------------- the model's features (layer 4)


def check_features(model: Model, body: dict, conversation: Conversation, *, stream: bool) -> None:
    features = model.converse_features
    if conversation.system and not features.system_prompts:
        raise validation(NO_SYSTEM)
    if len(conversation.turns) > 1 and not features.conversation_history:
        raise validation(NO_HISTORY)
    if body.get("toolConfig"):
        if not features.tool_use:
            raise validation(NO_TOOLS)
        if stream and not features.streaming_tool_use:
            raise validation(NO_STREAMING_TOOLS)
        choice = conversation.tool_choice
        if choice is not None and choice.mode == "any" and not features.tool_choice_any:
            raise validation(NO_FIELD.format(field="toolConfig.toolChoice.any"))
        if choice is not None and choice.mode == "tool" and not features.tool_choice_tool:
            raise validation(NO_FIELD.format(field="toolConfig.toolChoice.tool"))
    kinds = {b.kind for t in conversation.turns for b in t.of(Media)}
    if "image" in kinds and not features.image_blocks:
        raise validation(NO_BLOCK.format(kind="image"))
    if "document" in kinds and not features.document_blocks:
        raise validation(NO_BLOCK.format(kind="document"))
    limit = model.limits.get("maxOutputTokens")
    if limit and conversation.max_tokens is not None and conversation.max_tokens > limit:
        raise validation(MAX_TOKENS.format(limit=limit))


# ---------------------------------------------------------------- the model itself (layer 5)


def merged(base: dict, extra: dict) -> dict:
    """`additionalModelRequestFields` merged into the native body (nested objects merge too)."""
    out = dict(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merged(out[key], value)
        else:
            out[key] = value
    return out


def run_native(model: Model, native: dict) -> tuple[TextFamily, Prompt, Outcome]:
    """The model family answers the native body; its refusals come back as Bedrock relays them."""
    family = families.load(model.family)
    try:
        return family.run(model, native)
    except BedrockError as err:
        if err.error_type != "ValidationException" or err.message.startswith(RELAYED):
            raise  # not a refusal, or the model's own text already carries Bedrock's prefix
        raise validation(RELAYED + err.message) from None


def prepare(request: Request, model_id: str, body: dict, *, stream: bool, resolve=None) -> tuple:
    """Layers 1-5 for a Converse (or CountTokens) request: (model, native body, family, prompt, outcome)."""
    check_constraints(body)
    model = (resolve or operations.resolve_invocable)(request, model_id).model
    if not model.converse:
        raise validation(CONVERSE_UNSUPPORTED)
    if stream and not model.streaming:
        raise validation(NO_STREAMING)
    coral.check_guardrail((body.get("guardrailConfig") or {}).get("guardrailIdentifier"))
    conversation = conversation_of(body, model)
    check_features(model, body, conversation, stream=stream)
    family = families.load(model.family)
    native = family.native_request(model, conversation)
    extra = body.get("additionalModelRequestFields")
    if isinstance(extra, dict):
        native = merged(native, extra)
    speaker, prompt, outcome = run_native(model, native)
    context = model.limits.get("contextTokens")
    if context and prompt.input_tokens > context:
        raise validation(TOO_LONG)
    return model, native, speaker, prompt, outcome


# ---------------------------------------------------------------- responses


def _content(outcome: Outcome) -> list[dict]:
    content = [{"text": outcome.text}] if outcome.text or not outcome.tool_calls else []
    content += [{"toolUse": {"toolUseId": c.id, "name": c.name, "input": c.input}} for c in outcome.tool_calls]
    return content


def _usage(outcome: Outcome) -> dict:
    return {
        "inputTokens": outcome.input_tokens,
        "outputTokens": outcome.output_tokens,
        "totalTokens": outcome.input_tokens + outcome.output_tokens,
    }


def _pointer(doc: object, path: str) -> tuple[bool, object]:
    """Follow a JSON pointer (`/stop_sequence`, `/usage/input_tokens`) into a native response."""
    here = doc
    for part in path.split("/")[1:]:
        part = part.replace("~1", "/").replace("~0", "~")
        if isinstance(here, dict) and part in here:
            here = here[part]
        elif isinstance(here, list) and part.isdigit() and int(part) < len(here):
            here = here[int(part)]
        else:
            return False, None
    return True, here


def additional_fields(body: dict, native_response: dict) -> dict | None:
    """`additionalModelResponseFields`: the native response's fields the request's paths name."""
    paths = body.get("additionalModelResponseFieldPaths") or []
    out: dict = {}
    for path in paths:
        found, value = _pointer(native_response, path) if path.startswith("/") else (False, None)
        if found:
            parts = [p for p in path.split("/")[1:]]
            here = out
            for part in parts[:-1]:
                here = here.setdefault(part, {})
            here[parts[-1]] = value
    return out or None


def _echoes(body: dict) -> dict:
    out = {}
    if (body.get("performanceConfig") or {}).get("latency"):
        out["performanceConfig"] = {"latency": body["performanceConfig"]["latency"]}
    if (body.get("serviceTier") or {}).get("type"):
        out["serviceTier"] = {"type": body["serviceTier"]["type"]}
    return out


def _body(request: Request, operation: str = "Converse") -> dict:
    found = operations.parse_body(request)
    if not isinstance(found, dict):
        raise BedrockError("ValidationException", "Request body must be a JSON object.")  # botocore always sends one
    coral.check_types(found, operation)  # wrong JSON types come only from raw HTTP clients (tests/test_robustness.py)
    return found


def converse(request: Request, model_id: str) -> Response:
    body = _body(request)
    model, native, family, prompt, outcome = prepare(request, model_id, body, stream=False)
    first, total = operations.simulated_latency(model, outcome.input_tokens, outcome.output_tokens)
    reply = {
        "output": {"message": {"role": "assistant", "content": _content(outcome)}},
        "stopReason": outcome.stop_reason,
        "usage": _usage(outcome),
        "metrics": {"latencyMs": total},
    }
    extra = (
        additional_fields(body, family.render(model, prompt, outcome))
        if body.get("additionalModelResponseFieldPaths")
        else None
    )
    if extra:
        reply["additionalModelResponseFields"] = extra
    reply |= _echoes(body)
    response = operations.json_response(reply)
    response.delay = total / 1000 * operations.latency_scale()
    return response


# Tokens per ConverseStream text delta, taken in turn. Recorded streams (pydantic/pydantic-ai,
# tests/models/cassettes/test_bedrock/): Nova Micro sent 82 output tokens in 29 text deltas, the
# first one a single token ("The"); Claude Sonnet 4 sent deltas like "Hello! It", "'s nice",
# " to meet you.", " How can I help", " you today?". About 3 tokens a delta, from 1 to 7; this
# cycle (mean 3) is a guess shaped by them.
DELTA_TOKENS = (1, 3, 2, 4, 3, 5, 2, 4)


def stream_events(outcome: Outcome, latency_ms: int, extra: dict | None = None, echoes: dict | None = None) -> list:
    """ConverseStream's events in Bedrock's order: messageStart, contentBlockStart (tool use only),
    contentBlockDelta..., contentBlockStop, messageStop, metadata."""
    events: list[tuple[str, dict]] = [("messageStart", {"role": "assistant"})]
    index = 0
    if outcome.text or not outcome.tool_calls:
        for piece in families.chunk_pieces(outcome.pieces, size=DELTA_TOKENS):
            events.append(("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"text": piece}}))
        events.append(("contentBlockStop", {"contentBlockIndex": 0}))
        index = 1
    for call in outcome.tool_calls:
        start = {"toolUse": {"toolUseId": call.id, "name": call.name}}
        events.append(("contentBlockStart", {"contentBlockIndex": index, "start": start}))
        for fragment in json_fragments(call.input):
            events.append(
                ("contentBlockDelta", {"contentBlockIndex": index, "delta": {"toolUse": {"input": fragment}}})
            )
        events.append(("contentBlockStop", {"contentBlockIndex": index}))
        index += 1
    stop = {"stopReason": outcome.stop_reason} | ({"additionalModelResponseFields": extra} if extra else {})
    events.append(("messageStop", stop))
    events.append(("metadata", {"usage": _usage(outcome), "metrics": {"latencyMs": latency_ms}} | (echoes or {})))
    return events


def converse_stream(request: Request, model_id: str) -> Response:
    body = _body(request, "ConverseStream")
    model, native, family, prompt, outcome = prepare(request, model_id, body, stream=True)
    first, total = operations.simulated_latency(model, outcome.input_tokens, outcome.output_tokens)
    extra = (
        additional_fields(body, family.render(model, prompt, outcome))
        if body.get("additionalModelResponseFieldPaths")
        else None
    )
    events = stream_events(outcome, total, extra, _echoes(body))
    scale = operations.latency_scale()
    gap = (total - first) / max(len(events) - 1, 1) / 1000 * scale

    def frames():
        for i, (kind, payload) in enumerate(events):
            yield (first / 1000 * scale if i == 0 else gap), eventstream.converse_event(kind, payload, i)

    headers = operations.base_headers() | {
        "Content-Type": "application/vnd.amazon.eventstream",
        "Transfer-Encoding": "chunked",
    }
    return Response(200, headers, frames=frames())


# ---------------------------------------------------------------- CountTokens


def _countable(request: Request, model_id: str):
    """CountTokens takes a foundation model's own id (AWS: 'The unique identifier or ARN of the
    foundation model'); inference profiles and models outside AWS's list are refused."""
    resolved = catalog.resolve(model_id)
    if resolved is not None and resolved.profile:
        raise validation(NO_COUNTING)
    if resolved is None:
        if any(model_id.startswith(f"{p}.") for p in catalog.PROFILE_PREFIXES) or ":inference-profile/" in model_id:
            raise validation(NO_COUNTING)
        raise validation(INVALID_MODEL_ID)
    model = resolved.model
    if request.region not in model.regions:
        raise validation(INVALID_MODEL_ID)
    status = model.status(catalog.catalog_date())
    if status == "UNRELEASED":
        raise validation(INVALID_MODEL_ID)
    if status == "EOL" and operations.lifecycle_mode() == "current":
        raise BedrockError("ResourceNotFoundException", END_OF_LIFE)
    if not model.count_tokens:
        raise validation(NO_COUNTING)
    return resolved


def count_tokens(request: Request, model_id: str) -> Response:
    body = _body(request, "CountTokens")
    given = body.get("input") or {}
    resolved = _countable(request, model_id)
    model = resolved.model
    if "invokeModel" in given:
        raw = (given["invokeModel"] or {}).get("body", "")
        try:
            native = json.loads(base64.b64decode(raw))
        except (binascii.Error, ValueError, UnicodeDecodeError):
            raise malformed("#: expected type: JSONObject, found: String") from None
        if not isinstance(native, dict):
            raise malformed("#: expected type: JSONObject, found: String")
        n = families.load(model.family).count_tokens(model, native)
    else:
        converse_input = given.get("converse") or {}
        _, _, _, prompt, _ = prepare(request, model_id, converse_input, stream=False, resolve=lambda *_: resolved)
        n = prompt.input_tokens
    return operations.json_response({"inputTokens": n})
