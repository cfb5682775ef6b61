"""One dispatch pipeline for every transport: route -> hooks -> operation -> Bedrock-shaped reply.

The in-process transport (a botocore `before-send` handler) and the local HTTP endpoint both
hand a transport-neutral `Request` to `handle()` and get a `Response` back. In between:

1. the settings in force are read (once per change, see `settings.current`);
2. method + unquoted path select a route (an operation of `bedrock`, `bedrock-runtime` or STS);
3. hooks registered with `add_hook` wrap the operation (fault injection, latency, recording);
4. a `BedrockError` becomes Bedrock's JSON error; any other exception becomes Bedrock's
   `InternalServerException` (500) naming the simulator, never a traceback inside botocore.

A request for an operation the simulator does not implement gets a plain "not simulated
offline" error that names the operation (found in botocore's own service model), never a
look-alike of a real Bedrock error.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache

from . import converse, faults, inference_profiles, openai_compat, operations, settings, sts
from .errors import BedrockError
from .wire import Request, Response

Handler = Callable[..., Response]


@dataclass(frozen=True)
class Route:
    service: str
    operation: str  # the botocore operation name, e.g. "InvokeModel"
    method: str
    pattern: re.Pattern
    handler: Handler


def _route(service: str, operation: str, method: str, path: str, handler: Handler) -> Route:
    # DOTALL: a label may hold any character once unquoted, a newline included (found by tests/test_robustness.py)
    return Route(service, operation, method, re.compile(path, re.DOTALL), handler)


# The operations the simulator implements. Paths as in botocore's service models
# (bedrock-runtime/2023-09-30, bedrock/2023-04-20); labels are unquoted, so ids may hold ':' or '/'.
ROUTES: list[Route] = [
    _route("bedrock-runtime", "InvokeModel", "POST", r"^/model/(?P<model_id>.+)/invoke$", operations.invoke_model),
    _route(
        "bedrock-runtime",
        "InvokeModelWithResponseStream",
        "POST",
        r"^/model/(?P<model_id>.+)/invoke-with-response-stream$",
        operations.invoke_model_stream,
    ),
    _route("bedrock-runtime", "Converse", "POST", r"^/model/(?P<model_id>.+)/converse$", converse.converse),
    _route(
        "bedrock-runtime",
        "ConverseStream",
        "POST",
        r"^/model/(?P<model_id>.+)/converse-stream$",
        converse.converse_stream,
    ),
    _route("bedrock-runtime", "CountTokens", "POST", r"^/model/(?P<model_id>.+)/count-tokens$", converse.count_tokens),
    _route("bedrock", "ListFoundationModels", "GET", r"^/foundation-models$", operations.list_foundation_models),
    _route(
        "bedrock",
        "GetFoundationModel",
        "GET",
        r"^/foundation-models/(?P<model_id>.+)$",
        operations.get_foundation_model,
    ),
    _route(
        "bedrock",
        "GetFoundationModelAvailability",
        "GET",
        r"^/foundation-model-availability/(?P<model_id>.+)$",
        operations.get_foundation_model_availability,
    ),
    _route(
        "bedrock",
        "ListInferenceProfiles",
        "GET",
        r"^/inference-profiles$",
        inference_profiles.list_inference_profiles,
    ),
    _route(
        "bedrock",
        "GetInferenceProfile",
        "GET",
        r"^/inference-profiles/(?P<profile_id>.+)$",
        inference_profiles.get_inference_profile,
    ),
    _route("sts", "GetCallerIdentity", "POST", r"^/$", sts.handle),
    # bedrock-runtime's OpenAI-compatible Chat Completions (not in botocore's model; the local
    # endpoint serves it): /openai/v1/chat/completions, and /v1/chat/completions as AWS also lists.
    _route(
        "bedrock-runtime",
        "CreateChatCompletion",
        "POST",
        r"^(?:/openai)?/v1/chat/completions$",
        openai_compat.create_chat_completion,
    ),
]


@dataclass
class Call:
    """One request on its way through the pipeline; hooks may read it and keep notes on it."""

    request: Request
    route: Route
    params: dict[str, str]
    settings: settings.Settings
    notes: dict = field(default_factory=dict)

    @property
    def service(self) -> str:
        return self.route.service

    @property
    def operation(self) -> str:
        return self.route.operation

    @property
    def model_id(self) -> str | None:
        return self.params.get("model_id")


# A hook wraps the operation: hook(call, proceed) -> Response, where proceed() runs the rest.
Hook = Callable[[Call, Callable[[], Response]], Response]
_hooks: list[Hook] = []
_hooks_lock = threading.Lock()


def add_hook(hook: Hook) -> Callable[[], None]:
    """Wrap every simulated operation with `hook` (outermost last added); returns its remover."""
    with _hooks_lock:
        _hooks.append(hook)

    def remove() -> None:
        with _hooks_lock:
            if hook in _hooks:
                _hooks.remove(hook)

    return remove


add_hook(faults.hook)  # fault injection (BEDROCK_SIMULATOR_FAULTS, helpers.faults()) wraps every operation


@contextmanager
def hooked(hook: Hook) -> Iterator[None]:
    """`with hooked(h): ...` runs the block with `h` around every operation, then removes it."""
    remove = add_hook(hook)
    try:
        yield
    finally:
        remove()


def match(request: Request, service: str | None = None) -> tuple[Route, dict[str, str]] | None:
    """The route a request names (restricted to `service` when the transport knows it)."""
    for route in ROUTES:
        if service is not None and route.service != service:
            continue
        if route.method != request.method:
            continue
        found = route.pattern.match(request.path)
        if found:
            return route, found.groupdict()
    return None


def handle(request: Request, service: str | None = None) -> Response:
    """Answer one request as Bedrock (or STS) would. Raises only `settings.SettingsError`."""
    current = settings.current()  # a bad BEDROCK_SIMULATOR_* value is the learner's to fix: raise it
    found = match(request, service)
    if found is None:
        return not_simulated(request, service)
    route, params = found
    call = Call(request, route, params, current)

    def run_operation() -> Response:
        return route.handler(request, **params)

    chain = run_operation
    for hook in list(_hooks):
        chain = _wrap(hook, call, chain)
    token = settings.in_force.set(current)  # every layer below reads these, not the environment
    try:
        return chain()
    except BedrockError as err:
        return operations.error_response(err)
    except settings.SettingsError:
        raise
    except Exception as exc:  # a simulator bug: answer as the service does, not with a traceback
        return operations.error_response(
            BedrockError(
                "InternalServerException",
                f"The workshop's offline Bedrock simulator failed while answering {route.operation} "
                f"({type(exc).__name__}: {exc}). This is a bug in the simulator, not in your code.",
            )
        )
    finally:
        settings.in_force.reset(token)


def _wrap(hook: Hook, call: Call, inner: Callable[[], Response]) -> Callable[[], Response]:
    return lambda: hook(call, inner)


# ---------------------------------------------------------------- operations not simulated

NOT_SIMULATED_TYPE = "OperationNotSimulatedOffline"


@lru_cache(maxsize=1)
def _botocore_routes() -> list[tuple[str, str, str, re.Pattern]]:
    """(service, operation, method, path pattern) for every operation botocore knows of Bedrock."""
    import botocore.session

    session = botocore.session.get_session()
    found = []
    for service in ("bedrock-runtime", "bedrock"):
        model = session.get_service_model(service)
        for name in model.operation_names:
            http = model.operation_model(name).http
            uri = http["requestUri"].split("?")[0]
            pattern = re.sub(r"\\\{[^}]+\\\}", ".+", re.escape(uri))
            found.append((service, name, http["method"], re.compile(f"^{pattern}$", re.DOTALL)))
    return found


def operation_name(request: Request, service: str | None = None) -> tuple[str, str] | None:
    """(service, operation) botocore's models give this method and path, if any."""
    candidates = [
        (len(pattern.pattern.replace(".+", "")), svc, name)
        for svc, name, method, pattern in _botocore_routes()
        if (service is None or svc == service) and method == request.method and pattern.match(request.path)
    ]
    # Prefer the most specific template (most literal characters), e.g. /async-invoke over /{x}.
    return max(candidates)[1:] if candidates else None


def not_simulated(request: Request, service: str | None = None) -> Response:
    """501: the simulator says plainly that it does not simulate this operation offline."""
    named = operation_name(request, service)
    if named:
        what = f"{named[0]} {named[1]}"
        message = (
            f"{what} is not simulated offline: the workshop's simulator answers only the operations its "
            "lessons use. Run it live with AWS credentials (helpers.setup('live'))."
        )
    else:
        what = f"{request.method} {request.path}"
        message = f"No Bedrock operation is served at {what} by the workshop's offline simulator."
    return operations.error_response(message, status=501, error_type=NOT_SIMULATED_TYPE)
