"""Record live Bedrock exchanges once, replay them anywhere: `BEDROCK_WORKSHOP_MODE=record|replay`.

`record` works like live (real AWS, real credentials, real cost) and also saves every `bedrock`
and `bedrock-runtime` exchange under `BEDROCK_WORKSHOP_RECORDINGS`; `replay` answers only from
those files, with no network and no account. An instructor records a run of the workshop once,
hands the directory to a class, and every learner sees real model output offline.

One readable JSON file per exchange, at
    <directory>/<service>/<Operation>/<model id>/<key>.json
keyed by a canonical form of the request: method, unquoted path, query, region, the headers that
change the answer (Content-Type, Accept, X-Amzn-Bedrock-*) and the JSON body with sorted keys.
Never in a file: credentials, signatures, security tokens, request dates, user agents (none of
them is part of the key), nor account ids (every ARN's account is written as 000000000000).
Bodies are stored as JSON when that reproduces their exact bytes, so replay returns identical
bodies; event streams are stored event by event (the `chunk` a model sent is decoded too) and
replayed as the same events in the same order.

Why not vcrpy: it patches the HTTP library and keys a cassette by request order and matchers;
here the mode is chosen once per process by `helpers.setup()` through botocore's `before-send`
event (the same place the offline simulator answers), which hands over the signed request and
takes an `AWSResponse` back, so recording is an answerer that sends and keeps a copy, and replay
an answerer that reads files. That also lets event streams be stored as readable events.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import os
import re
import threading
from pathlib import Path
from urllib.parse import urlsplit

ENV_DIR = "BEDROCK_WORKSHOP_RECORDINGS"
FORMAT = 1
EVENT_STREAM = "application/vnd.amazon.eventstream"
_ARN_ACCOUNT = re.compile(r"(arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:)\d{12}(?=[:/])")
_MODEL = re.compile(r"^/model/(?P<model>.+?)/[a-z-]+$")
_KEY_HEADERS = ("content-type", "accept")
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


class RecordingNotFound(LookupError):
    """Replay was asked for a request that was never recorded."""


def directory(*, create: bool = False) -> Path:
    """The recordings directory named by BEDROCK_WORKSHOP_RECORDINGS."""
    raw = os.environ.get(ENV_DIR, "").strip()
    if not raw:
        raise ValueError(
            f"{ENV_DIR} is not set: name the directory that holds (or will hold) the recordings, "
            f"e.g. {ENV_DIR}=recordings/workshop"
        )
    path = Path(raw).expanduser()
    if create:
        path.mkdir(parents=True, exist_ok=True)
    elif not path.is_dir():
        raise ValueError(f"{ENV_DIR}={raw!r} is not a directory; record first with BEDROCK_WORKSHOP_MODE=record")
    return path


def scrub(text: str) -> str:
    """Account ids out of every ARN (arn:aws:bedrock:us-east-1:123456789012:... -> 000000000000)."""
    return _ARN_ACCOUNT.sub(r"\g<1>000000000000", text)


# ---------------------------------------------------------------- request keys


def _as_text(value: object) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def canonical(prepared, service: str) -> dict:
    """The parts of a signed botocore request that decide Bedrock's answer, and nothing secret."""
    from .simulator import dispatch, transport

    request = transport.to_request(prepared)
    named = dispatch.operation_name(request, service)
    found = _MODEL.match(request.path)
    headers = {
        name: scrub(value)
        for name, value in sorted(request.headers.items())
        if name in _KEY_HEADERS or name.startswith("x-amzn-bedrock-")
    }
    body_text = request.body.decode("utf-8", "replace")
    try:
        body: object = json.loads(request.body) if request.body else None
    except ValueError:
        body = {"sha256": hashlib.sha256(request.body).hexdigest()}
    else:
        body = json.loads(scrub(json.dumps(body, ensure_ascii=False))) if "arn:aws" in body_text else body
    return {
        "service": service,
        "operation": named[1] if named else f"{request.method} {request.path}",
        "model": scrub(found["model"]) if found else None,
        "region": request.region,
        "method": request.method,
        "path": scrub(request.path),
        "query": dict(sorted((k, scrub(v)) for k, v in request.query.items())),
        "headers": headers,
        "body": body,
    }


def key_of(request_form: dict) -> str:
    blob = json.dumps(request_form, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(blob.encode()).hexdigest()[:20]


def path_of(root: Path, request_form: dict) -> Path:
    folder = root / request_form["service"] / _UNSAFE.sub("_", request_form["operation"])
    if request_form["model"]:
        folder /= _UNSAFE.sub("_", request_form["model"])
    return folder / f"{key_of(request_form)}.json"


# ---------------------------------------------------------------- bodies, readable and exact


def _compact(obj: object) -> bytes:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode()


def store_body(data: bytes) -> dict:
    """JSON when it re-encodes to the same bytes, else text, else base64: always exact."""
    data = scrub_bytes(data)
    try:
        parsed = json.loads(data)
        if _compact(parsed) == data:
            return {"json": parsed}
    except ValueError:
        pass
    try:
        return {"text": data.decode("utf-8")}
    except UnicodeDecodeError:
        return {"base64": base64.b64encode(data).decode()}


def load_body(stored: dict) -> bytes:
    if "json" in stored:
        return _compact(stored["json"])
    if "text" in stored:
        return stored["text"].encode("utf-8")
    return base64.b64decode(stored["base64"])


def scrub_bytes(data: bytes) -> bytes:
    if b"arn:aws" not in data:
        return data
    try:
        return scrub(data.decode("utf-8")).encode("utf-8")
    except UnicodeDecodeError:
        return data


def store_event(headers: dict, payload: bytes) -> dict:
    """One event-stream message: its headers, its payload, and the model's chunk decoded if any."""
    event = {"headers": {k: _as_text(v) for k, v in headers.items()}}
    body = store_body(payload)
    inner = body.get("json", {}).get("bytes") if isinstance(body.get("json"), dict) else None
    if isinstance(inner, str):
        chunk = store_body(base64.b64decode(inner))
        rebuilt = dict(body["json"], bytes=base64.b64encode(load_body(chunk)).decode())
        if "json" in chunk and _compact(rebuilt) == load_body(body):
            event["payload"] = {k: ("<chunk>" if k == "bytes" else v) for k, v in body["json"].items()}
            event["chunk"] = chunk["json"]
            return event
    event["payload_body"] = body
    return event


def load_event(event: dict) -> bytes:
    from .simulator import eventstream

    if "chunk" in event:
        inner = base64.b64encode(_compact(event["chunk"])).decode()
        payload = _compact({k: (inner if v == "<chunk>" else v) for k, v in event["payload"].items()})
    else:
        payload = load_body(event["payload_body"])
    return eventstream.encode_message(list(event["headers"].items()), payload)


# ---------------------------------------------------------------- files


_write_lock = threading.Lock()


def save(root: Path, request_form: dict, response: dict) -> Path:
    """Write one exchange; the last recording of the same request wins."""
    path = path_of(root, request_form)
    record = {
        "format": FORMAT,
        "recorded": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "request": request_form,
        "response": response,
    }
    text = json.dumps(record, ensure_ascii=False, indent=1) + "\n"
    with _write_lock:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
    return path


def _response_headers(headers) -> dict[str, str]:
    return {k: scrub(_as_text(v)) for k, v in headers.items() if k.lower() != "set-cookie"}


# ---------------------------------------------------------------- record: live, and keep a copy

_sessions: dict[tuple[str, str], object] = {}


def _http(url: str):
    """A botocore HTTP session for this URL's origin, honouring the environment's proxies."""
    from botocore.httpsession import URLLib3Session
    from botocore.utils import get_environ_proxies

    parts = urlsplit(url)
    origin = (parts.scheme, parts.netloc)
    if origin not in _sessions:
        _sessions[origin] = URLLib3Session(proxies=get_environ_proxies(url), timeout=60)
    return _sessions[origin]


class _TeeRaw:
    """The live response's raw stream, copied event by event as the caller reads it."""

    def __init__(self, raw, on_complete) -> None:
        from botocore.eventstream import EventStreamBuffer

        self._raw, self._buffer, self._events, self._done = raw, EventStreamBuffer(), [], on_complete

    def stream(self, **kwargs):
        for piece in self._raw.stream(**kwargs):
            self._buffer.add_data(piece)
            self._events.extend(store_event(m.headers, m.payload) for m in self._buffer)
            yield piece
        done, self._done = self._done, None
        if done is not None:
            done(self._events)

    def read(self, *args, **kwargs):
        return self._raw.read(*args, **kwargs)

    def close(self) -> None:
        self._raw.close()


def record(prepared, service: str):
    """Send to AWS as botocore would, save the exchange, and hand botocore the same answer."""
    if service not in ("bedrock", "bedrock-runtime"):
        return None  # STS and the rest go out unrecorded: an identity answer holds an account id
    from botocore.awsrequest import AWSResponse

    from .simulator import transport, wire

    root = directory(create=True)
    request_form = canonical(prepared, service)
    live = _http(prepared.url).send(prepared)
    headers = _response_headers(live.headers)
    streamed = live.status_code == 200 and EVENT_STREAM in headers.get("content-type", headers.get("Content-Type", ""))
    if streamed:

        def keep(events: list[dict]) -> None:
            save(root, request_form, {"status": live.status_code, "headers": headers, "events": events})

        return AWSResponse(prepared.url, live.status_code, live.headers, _TeeRaw(live.raw, keep))
    content = live.content
    save(root, request_form, {"status": live.status_code, "headers": headers, "body": store_body(content)})
    replayed = wire.Response(live.status_code, dict(live.headers.items()), content)
    return AWSResponse(prepared.url, live.status_code, live.headers, transport.SimulatedRaw(replayed))


# ---------------------------------------------------------------- replay: files only, no network


def replay(prepared, service: str):
    """Answer from the recordings; an unrecorded request raises RecordingNotFound naming it."""
    from botocore.awsrequest import AWSResponse

    from .simulator import transport, wire

    if service == "sts":  # the identity check: the simulator's placeholder, never a recorded account
        return transport.to_aws_response(prepared, transport.serve(transport.to_request(prepared), service))
    root = directory()
    request_form = canonical(prepared, service)
    path = path_of(root, request_form)
    if not path.exists():
        raise RecordingNotFound(_not_recorded(root, request_form, path))
    stored = json.loads(path.read_text(encoding="utf-8"))["response"]
    headers = dict(stored["headers"])
    if "events" in stored:
        frames = [(0.0, load_event(e)) for e in stored["events"]]
        answer = wire.Response(stored["status"], headers, frames=frames)
    else:
        body = load_body(stored["body"])
        for name in [n for n in headers if n.lower() == "content-length"]:
            headers[name] = str(len(body))  # a recording edited by hand still parses
        answer = wire.Response(stored["status"], headers, body)
    return AWSResponse(prepared.url, stored["status"], headers, transport.SimulatedRaw(answer))


def _not_recorded(root: Path, request_form: dict, path: Path) -> str:
    what = f"{request_form['service']} {request_form['operation']}"
    if request_form["model"]:
        what += f" of {request_form['model']}"
    body = json.dumps(request_form["body"], ensure_ascii=False)
    body = body if len(body) <= 160 else body[:157] + "..."
    siblings = len(list(path.parent.glob("*.json"))) if path.parent.is_dir() else 0
    return (
        f"No recording of {what} for this request (region {request_form['region']}, body {body}) in {root} "
        f"(looked for {path.relative_to(root)}; {siblings} other request(s) recorded there). Replay answers only "
        f"what was recorded. To record it, run the same code once with AWS credentials and "
        f"BEDROCK_WORKSHOP_MODE=record {ENV_DIR}={root}."
    )
