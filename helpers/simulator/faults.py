"""Fault injection: Bedrock's failures around the call, on demand, seeded and counted.

`BEDROCK_SIMULATOR_FAULTS` (checked at `helpers.setup()`) or `helpers.faults(...)` (a context
manager that undoes itself) say what goes wrong, as comma-separated `name=value` pairs:

    throttling=<rate>           ThrottlingException (429)
    model_not_ready=<rate>      ModelNotReadyException (429)
    timeout=<rate>              ModelTimeoutException (408)
    service_unavailable=<rate>  ServiceUnavailableException (503)
    stream_error=<rate>         that share of event streams breaks after some events, with the
                                exception frame Bedrock sends mid-stream (modelStreamErrorException
                                or throttlingException)
    access_denied=<id>|<id>     those models answer AccessDeniedException (403); others still work
    latency_ms=<n>              n ms more before the first byte, and n/20 ms more before each later
                                stream event (so 400 gives 20 ms a token, about 50 tokens a second)
    rpm=<n>                     a requests-per-minute quota: a request beyond n in 60 s is throttled
    seed=<n>                    which calls fail (default 0)

It is one dispatch hook, so it serves every operation and every transport alike. It injects an
error only where botocore's service model lists it for the operation (so `timeout` never hits
ListFoundationModels), and breaks a stream only with an exception member of that operation's
event-stream shape (InvokeModelWithResponseStream and ConverseStream both declare
modelStreamErrorException and throttlingException).

Seeded: whether a request fails is a hash of the seed, the request (method, path, query, body) and
how many times that same request came before. A notebook re-run gives the same faults, a retry of
a failed request gets a fresh draw, and threads interleaving in any order meet the same faults.
"""

from __future__ import annotations

import difflib
import hashlib
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cache, lru_cache

from . import catalog, eventstream, settings
from .errors import (
    MODEL_NOT_READY,
    MODEL_STREAM_ERROR,
    MODEL_TIMEOUT,
    NO_ACCESS,
    SERVICE_UNAVAILABLE,
    THROTTLED,
    THROTTLED_MID_STREAM,
    BedrockError,
)
from .wire import Response

# name -> (modeled error shape, Bedrock's message); see errors.py for where each text comes from.
RATE_FAULTS: dict[str, tuple[str, str]] = {
    "throttling": ("ThrottlingException", THROTTLED),
    "model_not_ready": ("ModelNotReadyException", MODEL_NOT_READY),
    "timeout": ("ModelTimeoutException", MODEL_TIMEOUT),
    "service_unavailable": ("ServiceUnavailableException", SERVICE_UNAVAILABLE),
}
# Mid-stream exception frames: the event-stream union member (lowerCamel, as Bedrock names it in
# the `:exception-type` header) and its payload. ModelStreamErrorException's members are message,
# originalStatusCode and originalMessage (botocore's model); the two "original" values are a GUESS.
STREAM_EXCEPTIONS: dict[str, dict] = {
    "modelStreamErrorException": {
        "message": MODEL_STREAM_ERROR,
        "originalStatusCode": 500,
        "originalMessage": MODEL_STREAM_ERROR,
    },
    "throttlingException": {"message": THROTTLED_MID_STREAM},
}
ALLOWED: dict[str, str] = {
    "throttling": "<rate from 0 to 1>",
    "model_not_ready": "<rate>",
    "timeout": "<rate>",
    "service_unavailable": "<rate>",
    "stream_error": "<rate>",
    "access_denied": "<model-id>|<model-id>...",
    "latency_ms": "<milliseconds, 0 or more>",
    "rpm": "<requests per minute, 1 or more>",
    "seed": "<whole number>",
}
SERVICES = ("bedrock", "bedrock-runtime")  # STS keeps answering: it is only there for the identity check


class FaultSpecError(settings.SettingsError):
    """A fault specification the simulator cannot use (names the bad part and lists what is allowed)."""


def allowed_text() -> str:
    return ", ".join(f"{name}={what}" for name, what in ALLOWED.items())


@dataclass(frozen=True)
class Spec:
    """A parsed fault specification."""

    rates: tuple[tuple[str, float], ...] = ()  # (name, rate) in RATE_FAULTS order, rate > 0
    stream_error: float = 0.0
    access_denied: tuple[str, ...] = ()  # base model ids
    latency_ms: int = 0
    rpm: int | None = None
    seed: int = 0

    def describe(self) -> str:
        """The canonical `name=value,...` form (what BEDROCK_SIMULATOR_FAULTS would say)."""
        parts = [f"{name}={rate:g}" for name, rate in self.rates]
        if self.stream_error:
            parts.append(f"stream_error={self.stream_error:g}")
        if self.access_denied:
            parts.append("access_denied=" + "|".join(self.access_denied))
        if self.latency_ms:
            parts.append(f"latency_ms={self.latency_ms}")
        if self.rpm:
            parts.append(f"rpm={self.rpm}")
        if self.seed:
            parts.append(f"seed={self.seed}")
        return ",".join(parts) or "(none)"


def _bad(where: str, problem: str) -> FaultSpecError:
    return FaultSpecError(f"{where}: {problem}. Allowed: {allowed_text()}")


def _rate(where: str, name: str, value: object) -> float:
    try:
        rate = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise _bad(where, f"{name}={value!r} is not a number; a rate is from 0 to 1, e.g. {name}=0.3") from None
    if not 0 <= rate <= 1:  # also refuses NaN
        raise _bad(where, f"{name}={value!r} is out of range; a rate is from 0 to 1, e.g. {name}=0.3")
    return rate


def _whole(where: str, name: str, value: object, minimum: int) -> int:
    if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
        raise _bad(where, f"{name}={value!r} is not a whole number")
    try:
        number = int(str(value).strip()) if not isinstance(value, (int, float)) else int(value)
    except ValueError:
        raise _bad(where, f"{name}={value!r} is not a whole number") from None
    if number < minimum:
        raise _bad(where, f"{name}={value!r} must be {minimum} or more")
    return number


def _model_ids(where: str, value: object) -> tuple[str, ...]:
    items = value.split("|") if isinstance(value, str) else list(value)  # type: ignore[arg-type]
    known = sorted(m.model_id for m in catalog.all_models())
    ids = []
    for item in items:
        text = str(item).strip()
        if not text:
            continue
        resolved = catalog.resolve(text)
        if resolved is None:
            near = difflib.get_close_matches(text, known, n=1)
            hint = f" (did you mean {near[0]}?)" if near else ""
            raise _bad(where, f"access_denied names {text!r}, which is not a model id the simulator knows{hint}")
        ids.append(resolved.model.model_id)
    if not ids:
        raise _bad(where, "access_denied names no model id")
    return tuple(dict.fromkeys(ids))


def from_values(values: dict[str, object], where: str) -> Spec:
    """A Spec from name -> value pairs; raises FaultSpecError naming the bad one."""
    rates: dict[str, float] = {}
    fields: dict[str, object] = {}
    for raw_name, value in values.items():
        name = raw_name.strip().lower()
        if name not in ALLOWED:
            near = difflib.get_close_matches(name, list(ALLOWED), n=1)
            hint = f" (did you mean {near[0]}?)" if near else ""
            raise _bad(where, f"unknown fault {raw_name!r}{hint}")
        if name in RATE_FAULTS:
            rates[name] = _rate(where, name, value)
        elif name == "stream_error":
            fields[name] = _rate(where, name, value)
        elif name == "access_denied":
            fields[name] = _model_ids(where, value)
        elif name == "latency_ms":
            fields[name] = _whole(where, name, value, 0)
        elif name == "rpm":
            fields[name] = _whole(where, name, value, 1)
        else:
            fields[name] = _whole(where, name, value, -(2**63))
    if sum(rates.values()) > 1 + 1e-9:
        shown = " + ".join(f"{n}={r:g}" for n, r in rates.items())
        raise _bad(where, f"{shown} add up to more than 1; at most one fault hits a request")
    ordered = tuple((name, rates[name]) for name in RATE_FAULTS if rates.get(name))
    return Spec(rates=ordered, **fields)  # type: ignore[arg-type]


def parse(text: str, where: str = settings.FAULTS) -> Spec:
    """A Spec from `name=value,name=value` text (BEDROCK_SIMULATOR_FAULTS's format)."""
    values: dict[str, str] = {}
    for piece in text.split(","):
        piece = piece.strip()
        if not piece:
            continue
        name, sep, value = piece.partition("=")
        if not sep or not name.strip():
            raise _bad(where, f"{piece!r} is not name=value")
        key = name.strip().lower()
        if key in values:
            raise _bad(where, f"{key} is given twice")
        values[key] = value.strip()
    return from_values(values, where)


def _uniform(seed: int, key: tuple, n: int, purpose: str) -> float:
    """A number in [0, 1) fixed by its inputs: the same request's n-th try always draws the same."""
    digest = hashlib.blake2b(repr((seed, key, n, purpose)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


class Injection:
    """A fault specification in force, and what it has done: `counts` per fault, `requests` seen."""

    def __init__(self, spec: Spec, origin: str) -> None:
        self.spec = spec
        self.origin = origin  # BEDROCK_SIMULATOR_FAULTS or helpers.faults()
        self.inert_reason: str | None = None  # set when nothing can be injected (live mode)
        self.counts: Counter[str] = Counter()
        self.requests = 0
        self._seen: Counter[tuple] = Counter()
        self._window: deque[float] = deque()
        self._lock = threading.Lock()

    # -------------------------------------------------- context manager

    def __enter__(self) -> Injection:
        if self.inert_reason:
            print(self.inert_reason)
            return self
        with _stack_lock:
            _stack.append(self)
        return self

    def __exit__(self, *exc: object) -> None:
        with _stack_lock:
            if self in _stack:
                _stack.remove(self)

    # -------------------------------------------------- reporting

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def summary(self) -> str:
        """One line: how many faults of which kind in how many requests."""
        if self.inert_reason:
            return f"no faults injected: {self.inert_reason}"
        requests = f"{self.requests} request{'s' if self.requests != 1 else ''}"
        if not self.counts:
            return f"no faults injected in {requests}"
        kinds = ", ".join(f"{name} {count}" for name, count in sorted(self.counts.items()))
        return f"{self.total} fault{'s' if self.total != 1 else ''} injected in {requests}: {kinds}"

    def __repr__(self) -> str:
        return f"<faults {self.spec.describe()} | {self.summary()}>"

    # -------------------------------------------------- the hook's work

    def _count(self, name: str) -> None:
        with self._lock:
            self.counts[name] += 1

    def _next(self, request) -> tuple[tuple, int]:
        key = (
            request.method,
            request.path,
            tuple(sorted(request.query.items())),
            hashlib.blake2b(request.body, digest_size=16).hexdigest(),
        )
        with self._lock:
            n = self._seen[key]
            self._seen[key] += 1
            self.requests += 1
        return key, n

    def _admit(self) -> bool:
        """The rpm quota: True if one more request fits into the last 60 seconds."""
        now = time.monotonic()
        with self._lock:
            while self._window and now - self._window[0] >= 60:
                self._window.popleft()
            if len(self._window) >= (self.spec.rpm or 0):
                return False
            self._window.append(now)
            return True

    def apply(self, call, proceed: Callable[[], Response]) -> Response:
        spec = self.spec
        key, n = self._next(call.request)
        declared = declared_errors(call.service, call.operation)
        if spec.access_denied and call.service == "bedrock-runtime" and "AccessDeniedException" in declared:
            resolved = catalog.resolve(call.model_id or "")
            if resolved is not None and resolved.model.model_id in spec.access_denied:
                self._count("access_denied")
                raise BedrockError("AccessDeniedException", NO_ACCESS)
        low = 0.0
        draw = _uniform(spec.seed, key, n, "call")
        for name, rate in spec.rates:
            if low <= draw < low + rate:
                error_type, message = RATE_FAULTS[name]
                if error_type in declared:
                    self._count(name)
                    raise BedrockError(error_type, message)
                break
            low += rate
        if spec.rpm and "ThrottlingException" in declared and not self._admit():
            self._count("rpm")
            raise BedrockError("ThrottlingException", THROTTLED)
        response = proceed()
        if response.frames is not None and response.status == 200 and spec.stream_error:
            members = stream_exception_members(call.service, call.operation)
            if members and _uniform(spec.seed, key, n, "stream") < spec.stream_error:
                response.frames = self._broken(response.frames, members, key, n)
        if spec.latency_ms:
            response.delay += spec.latency_ms / 1000
            if response.frames is not None:
                response.frames = _paced(response.frames, spec.latency_ms / 20 / 1000)
        return response

    def _broken(self, frames: Iterable[tuple[float, bytes]], members: tuple[str, ...], key: tuple, n: int):
        """The stream cut after some events, ending with one exception frame."""
        items = list(frames)
        cut = 1 + int(_uniform(self.spec.seed, key, n, "cut") * max(len(items) - 1, 1))
        cut = min(cut, max(len(items) - 1, 0))
        member = members[int(_uniform(self.spec.seed, key, n, "member") * len(members))]
        gap = items[min(cut, len(items) - 1)][0] if items else 0.0

        def frames_then_exception() -> Iterator[tuple[float, bytes]]:
            yield from items[:cut]
            self._count("stream_error")
            yield gap, eventstream.exception_event(member, STREAM_EXCEPTIONS[member])

        return frames_then_exception()


def _paced(frames: Iterable[tuple[float, bytes]], extra: float) -> Iterator[tuple[float, bytes]]:
    for i, (delay, frame) in enumerate(frames):
        yield (delay + extra if i else delay), frame


# ---------------------------------------------------------------- what botocore's model declares


@lru_cache(maxsize=2)
def _service_model(service: str):
    import botocore.session

    return botocore.session.get_session().get_service_model(service)


def _operation_model(service: str, operation: str):
    """botocore's model of the operation, or None for a route botocore does not know (Chat Completions)."""
    from botocore.model import OperationNotFoundError

    try:
        return _service_model(service).operation_model(operation)
    except OperationNotFoundError:
        return None


@cache
def declared_errors(service: str, operation: str) -> frozenset[str]:
    """The error shapes botocore's model lists for an operation (none for an operation it lacks)."""
    model = _operation_model(service, operation)
    return frozenset(shape.name for shape in model.error_shapes) if model is not None else frozenset()


@cache
def stream_exception_members(service: str, operation: str) -> tuple[str, ...]:
    """The mid-stream exceptions we can send that the operation's event-stream shape declares."""
    model = _operation_model(service, operation)
    shape = model.get_event_stream_output() if model is not None else None
    if shape is None:
        return ()
    return tuple(
        name for name, member in shape.members.items() if name in STREAM_EXCEPTIONS and member.metadata.get("exception")
    )


# ---------------------------------------------------------------- which injection is in force

_stack: list[Injection] = []  # helpers.faults() blocks, innermost last; shared by all threads
_stack_lock = threading.Lock()
_from_env: tuple[str, Injection] | None = None


def active(current: settings.Settings | None = None) -> Injection | None:
    """The injection in force: the innermost `helpers.faults()` block, else BEDROCK_SIMULATOR_FAULTS."""
    global _from_env
    if _stack:
        return _stack[-1]
    text = (current or settings.current()).faults
    if not text:
        return None
    cached = _from_env
    if cached is None or cached[0] != text:
        cached = _from_env = (text, Injection(parse(text), settings.FAULTS))
    return cached[1]


def denies(model_id: str) -> bool:
    """True if the injection in force names this base model id in access_denied."""
    injection = active()
    return injection is not None and not injection.inert_reason and model_id in injection.spec.access_denied


def restart_from_environment() -> Injection | None:
    """Check BEDROCK_SIMULATOR_FAULTS now (raising, by name, on a bad value) and count afresh."""
    global _from_env
    _from_env = None
    return active(settings.current())


def hook(call, proceed: Callable[[], Response]) -> Response:
    """The dispatch hook: leave the call alone unless an injection is in force."""
    if call.service not in SERVICES:
        return proceed()
    injection = active(call.settings)
    if injection is None:
        return proceed()
    return injection.apply(call, proceed)
