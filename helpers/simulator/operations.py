"""Bedrock operations: look the model up, check it may be called, ask its family, shape the reply.

Operations know nothing of a family's JSON (families do) nor of botocore (transports do).
Header names and the metrics block follow recorded Bedrock responses (see
shared/reference/bedrock-wire-format.md, sections 1.3, 1.4, 2.4).
"""

from __future__ import annotations

import json
import time
import uuid
from email.utils import formatdate

from . import catalog, coral, eventstream, families, faults, settings
from .catalog import Model, Resolved
from .errors import (
    END_OF_LIFE,
    INVALID_MODEL_ID,
    NO_STREAMING,
    ON_DEMAND_NOT_SUPPORTED,
    BedrockError,
    malformed,
    validation,
)
from .wire import Request, Response, compact_json

ERROR_TYPE_SUFFIX = ":http://internal.amazon.com/coral/com.amazon.bedrock/"


# ---------------------------------------------------------------- settings


def lifecycle_mode() -> str:
    """'preserved' or 'current' (see settings.Settings.lifecycle)."""
    return settings.current().lifecycle


def latency_scale() -> float:
    """Real seconds slept per simulated second (BEDROCK_SIMULATOR_LATENCY_SCALE, default 0.1)."""
    return settings.current().latency_scale


def simulated_latency(model: Model, input_tokens: int, output_tokens: int) -> tuple[int, int]:
    """(first byte, total) milliseconds: a deterministic model of a service's timing."""
    first = 200 + input_tokens // 20
    per_token = 4 if "EMBEDDING" in model.output_modalities else 18
    if "IMAGE" in model.output_modalities:
        first, per_token = 3500, 0
    return first, first + per_token * output_tokens


# ---------------------------------------------------------------- common pieces


_date: tuple[int, str] = (0, "")


def _http_date() -> str:
    """The `Date` header, formatted once per second (it has a resolution of one second)."""
    global _date
    now = int(time.time())
    if _date[0] != now:
        _date = (now, formatdate(now, usegmt=True))
    return _date[1]


def _base_headers() -> dict[str, str]:
    return {"x-amzn-RequestId": str(uuid.uuid4()), "Date": _http_date()}


def error_response(err: BedrockError | str, *, status: int | None = None, error_type: str | None = None) -> Response:
    """Bedrock's error shape: `x-amzn-ErrorType` header and a compact `{"message": ...}` body.

    A plain message with an explicit status and type is for answers that are not Bedrock's own
    (an operation the simulator does not implement)."""
    if isinstance(err, str):
        body_obj, kind, code = {"message": err}, error_type or "InternalServerException", status or 500
    else:
        body_obj, kind, code = err.body(), err.error_type, err.status
    body = compact_json(body_obj)
    headers = _base_headers() | {
        "x-amzn-ErrorType": kind + ERROR_TYPE_SUFFIX,
        "Content-Type": "application/json",
        "Content-Length": str(len(body)),
    }
    return Response(code, headers, body)


def resolve_invocable(request: Request, model_id: str) -> Resolved:
    """The model a runtime call names, after Bedrock's existence, region and lifecycle checks."""
    resolved = catalog.resolve(model_id)
    region = request.region
    if resolved is None:
        raise validation(INVALID_MODEL_ID)
    model = resolved.model
    if resolved.profile:
        if region not in catalog.profile_regions(resolved.profile):
            raise validation(INVALID_MODEL_ID)
    elif region not in model.regions:
        raise validation(INVALID_MODEL_ID)
    status = model.status(catalog.catalog_date())
    if status == "UNRELEASED":
        raise validation(INVALID_MODEL_ID)
    if status == "EOL" and lifecycle_mode() == "current":
        raise BedrockError("ResourceNotFoundException", END_OF_LIFE)
    if not resolved.profile and not model.on_demand_in(region):
        raise validation(ON_DEMAND_NOT_SUPPORTED.format(model_id=model.model_id))
    return resolved


def parse_body(request: Request) -> object:
    try:
        return json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError):
        raise malformed("#: expected type: JSONObject, found: String") from None


def _native_body(request: Request) -> dict:
    body = parse_body(request)
    if not isinstance(body, dict):
        found = {list: "JSONArray", str: "String", type(None): "Null"}.get(type(body), "Number")
        raise malformed(f"#: expected type: JSONObject, found: {found}")
    return body


# ---------------------------------------------------------------- runtime operations


def _echoed(request: Request) -> dict[str, str]:
    """Performance and tier headers a response carries when the request set them."""
    out = {}
    for name in ("X-Amzn-Bedrock-PerformanceConfig-Latency", "X-Amzn-Bedrock-Service-Tier"):
        value = request.headers.get(name.lower())
        if value:
            out[name] = value
    return out


def invoke_model(request: Request, model_id: str) -> Response:
    coral.check_headers(request)
    model = resolve_invocable(request, model_id).model
    coral.check_guardrail(request.headers.get("x-amzn-bedrock-guardrailidentifier"))
    family = families.load(model.family)
    reply = family.invoke(model, _native_body(request))
    first, total = simulated_latency(model, reply.input_tokens, reply.output_tokens)
    body = compact_json(reply.body)
    headers = _base_headers() | {
        "Content-Type": "application/json",
        "Content-Length": str(len(body)),
        "X-Amzn-Bedrock-Invocation-Latency": str(total),
        "X-Amzn-Bedrock-Output-Token-Count": str(reply.output_tokens),
        "X-Amzn-Bedrock-Input-Token-Count": str(reply.input_tokens),
    } | _echoed(request)
    return Response(200, headers, body, delay=total / 1000 * latency_scale())


def invoke_model_stream(request: Request, model_id: str) -> Response:
    coral.check_headers(request)
    model = resolve_invocable(request, model_id).model
    coral.check_guardrail(request.headers.get("x-amzn-bedrock-guardrailidentifier"))
    if not model.streaming:
        raise validation(NO_STREAMING)
    family = families.load(model.family)
    if not family.streams:
        raise validation(NO_STREAMING)
    reply = family.stream(model, _native_body(request))
    first, total = simulated_latency(model, reply.input_tokens, reply.output_tokens)
    metrics = {
        "inputTokenCount": reply.input_tokens,
        "outputTokenCount": reply.output_tokens,
        "invocationLatency": total,
        "firstByteLatency": first,
        **reply.extra_metrics,
    }
    chunks = [dict(c) for c in reply.chunks]
    chunks[-1]["amazon-bedrock-invocationMetrics"] = metrics
    scale = latency_scale()
    gap = (total - first) / max(len(chunks) - 1, 1) / 1000 * scale

    def frames():
        for i, chunk in enumerate(chunks):
            yield (first / 1000 * scale if i == 0 else gap), eventstream.chunk_event(chunk, i)

    headers = _base_headers() | {
        "Content-Type": "application/vnd.amazon.eventstream",
        "X-Amzn-Bedrock-Content-Type": "application/json",
        "Transfer-Encoding": "chunked",
    } | _echoed(request)
    return Response(200, headers, frames=frames())


# ---------------------------------------------------------------- control plane

_ENUMS = {
    "byOutputModality": ["TEXT", "IMAGE", "EMBEDDING"],
    "byInferenceType": ["ON_DEMAND", "PROVISIONED"],
    "byCustomizationType": ["FINE_TUNING", "CONTINUED_PRE_TRAINING", "DISTILLATION"],
}


def _iso(day: str) -> str:
    return f"{day}T00:00:00Z"


def inference_types(model: Model, region: str) -> list[str]:
    """What the listing says a model supports; profile-only models say INFERENCE_PROFILE, as real
    listings do (e.g. aws-samples/aws-genai-llm-chatbot#651), though the enum lacks that value."""
    return list(model.inference_types) if model.on_demand_in(region) else ["INFERENCE_PROFILE"]


def model_summary(model: Model, region: str) -> dict:
    """A FoundationModelSummary / FoundationModelDetails as the control plane returns it."""
    status = model.status(catalog.catalog_date())
    lifecycle = {"status": "LEGACY" if status == "EOL" else status}
    for key in ("startOfLifeTime", "legacyTime", "publicExtendedAccessTime", "endOfLifeTime"):
        if model.lifecycle.get(key) and (key == "startOfLifeTime" or status != "ACTIVE"):
            lifecycle[key] = _iso(model.lifecycle[key])
    summary = {
        "modelArn": f"arn:aws:bedrock:{region}::foundation-model/{model.model_id}",
        "modelId": model.model_id,
        "modelName": model.name,
        "providerName": model.provider,
        "inputModalities": list(model.input_modalities),
        "outputModalities": list(model.output_modalities),
        "responseStreamingSupported": model.streaming,
        "customizationsSupported": list(model.customizations),
        "inferenceTypesSupported": inference_types(model, region),
        "modelLifecycle": lifecycle,
    }
    return summary


def _listed(model: Model, region: str) -> bool:
    if region not in model.regions:
        return False
    status = model.status(catalog.catalog_date())
    return status != "UNRELEASED" and not (lifecycle_mode() == "current" and status == "EOL")


def _json_response(obj: dict) -> Response:
    body = compact_json(obj)
    headers = _base_headers() | {"Content-Type": "application/json", "Content-Length": str(len(body))}
    return Response(200, headers, body)


def _coral_enum(name: str, value: str, allowed: list[str]) -> BedrockError:
    return validation(
        f"1 validation error detected: Value '{value}' at '{name}' failed to satisfy constraint: "
        f"Member must satisfy enum value set: [{', '.join(allowed)}]"
    )


def list_foundation_models(request: Request) -> Response:
    q = request.query
    for name, allowed in _ENUMS.items():
        if name in q and q[name] not in allowed:
            raise _coral_enum(name, q[name], allowed)
    region = request.region
    found = []
    for model in catalog.all_models():
        if not _listed(model, region):
            continue
        if "byProvider" in q and q["byProvider"].lower() != model.provider.lower():
            continue
        if "byOutputModality" in q and q["byOutputModality"] not in model.output_modalities:
            continue
        if "byInferenceType" in q and q["byInferenceType"] not in inference_types(model, region):
            continue
        if "byCustomizationType" in q and q["byCustomizationType"] not in model.customizations:
            continue
        found.append(model_summary(model, region))
    return _json_response({"modelSummaries": found})


def get_foundation_model(request: Request, model_id: str) -> Response:
    resolved = catalog.resolve(model_id)
    region = request.region
    if resolved is None or resolved.profile or not _listed(resolved.model, region):
        raise BedrockError("ResourceNotFoundException", f"Could not find model {model_id}.")
    return _json_response({"modelDetails": model_summary(resolved.model, region)})


def get_foundation_model_availability(request: Request, model_id: str) -> Response:
    """GetFoundationModelAvailability: may this account use the model in this region?

    The field meanings are a GUESS (AWS documents only their names and values): the simulated
    account is entitled to every model, except those an `access_denied` fault names, which read
    as not entitled and not authorized, as an account that never requested access would.
    """
    resolved = catalog.resolve(model_id)
    if resolved is None or resolved.profile:
        raise BedrockError("ResourceNotFoundException", f"Could not find model {model_id}.")
    model = resolved.model
    denied = faults.denies(model.model_id)
    return _json_response(
        {
            "modelId": model.model_id,
            "agreementAvailability": {"status": "AVAILABLE"},
            "authorizationStatus": "NOT_AUTHORIZED" if denied else "AUTHORIZED",
            "entitlementAvailability": "NOT_AVAILABLE" if denied else "AVAILABLE",
            "regionAvailability": "AVAILABLE" if _listed(model, request.region) else "NOT_AVAILABLE",
        }
    )


# Public names for the other operation modules (converse, inference profiles).
base_headers = _base_headers
json_response = _json_response
