"""The simulator as a local HTTP endpoint: `python -m helpers.simulator serve`.

In-process interception serves Python code inside the kernel; this serves everything else: the
AWS CLI, other SDKs and other languages, each pointed at it by its endpoint setting
(`AWS_ENDPOINT_URL_BEDROCK`, `AWS_ENDPOINT_URL_BEDROCK_RUNTIME`, `--endpoint-url`, `base_url`).
One server speaks both `bedrock` and `bedrock-runtime` (their paths do not overlap) and the
OpenAI-compatible Chat Completions path of bedrock-runtime, all through `dispatch.handle`, the
same pipeline (settings, hooks, operations) the in-process transport uses.

What a client sees, and where it comes from:
- Every request must be signed (SigV4 `Authorization: AWS4-HMAC-SHA256 Credential=...`) or carry
  a Bedrock API key (`Authorization: Bearer ...`, AWS docs "Use an Amazon Bedrock API key").
  Any key is accepted: nothing is verified, but the region is read from the credential scope.
  No header at all gets what AWS's REST-JSON front door answers: 403 with `x-amzn-ErrorType:
  MissingAuthenticationTokenException` and `{"message":"Missing Authentication Token"}` (the
  text and type as quoted from Lambda, another REST-JSON service, in brefphp/bref#1250; that
  Bedrock's front door answers identically is a guess). A header that is neither gets
  IncompleteSignatureException, worded as in aws/chalice#828 (status 403 there).
- Event streams go out as they are produced, one HTTP chunk per event-stream message, with the
  latency the simulator models between them.
- Bodies above 25,000,000 bytes (the `max` of InvokeModel's `body` blob in botocore's
  bedrock-runtime service model) are refused with 413 before they are read.
- Malformed requests get a JSON 400 and the server keeps serving.
"""

from __future__ import annotations

import json
import re
import socket
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, unquote, urlsplit

from . import dispatch, settings
from .wire import Request, Response, compact_json

MAX_BODY = 25_000_000  # InvokeModel `body` blob max, botocore bedrock-runtime/2023-09-30 service model
LOOPBACK = ("127.0.0.1", "localhost", "::1")
GRACE = 5  # seconds Ctrl-C waits for requests (streams included) that are being answered
SERVICES = ("bedrock-runtime", "bedrock")
_SCOPE_SERVICE = re.compile(r"Credential=[^/,\s]+/\d{8}/[a-z0-9-]+/([a-z0-9-]+)/aws4_request")
ERROR_TYPE_SUFFIX = ":http://internal.amazon.com/coral/com.amazon.bedrock/"
# Hop-by-hop and framing headers the server sets itself (RFC 9110 section 7.6.1).
_FRAMING = {"transfer-encoding", "content-length", "connection", "keep-alive"}


def _error(status: int, error_type: str, message: str, *, coral: bool = True) -> Response:
    """A JSON error in Bedrock's shape; `coral=False` for front-door errors, whose type has no suffix."""
    body = compact_json({"message": message})
    headers = {
        "x-amzn-RequestId": str(uuid.uuid4()),
        "x-amzn-ErrorType": error_type + (ERROR_TYPE_SUFFIX if coral else ""),
        "Content-Type": "application/json",
        "Content-Length": str(len(body)),
        "Date": formatdate(usegmt=True),
    }
    return Response(status, headers, body)


def auth_problem(authorization: str) -> Response | None:
    """The front door's refusal of a request that is not signed, or None when it may pass."""
    if not authorization.strip():
        return _error(403, "MissingAuthenticationTokenException", "Missing Authentication Token", coral=False)
    scheme = authorization.split(None, 1)[0]
    if scheme.lower() == "bearer" and len(authorization.split(None, 1)) == 2:
        return None  # a Bedrock API key: any value is accepted offline
    if scheme == "AWS4-HMAC-SHA256":
        missing = [p for p in ("Credential", "Signature", "SignedHeaders") if f"{p}=" not in authorization]
        if not missing:
            return None
    else:
        missing = ["Credential", "Signature", "SignedHeaders"]
    words = " ".join(f"Authorization header requires '{p}' parameter." for p in missing)
    return _error(400, "IncompleteSignatureException", f"{words} Authorization={authorization}", coral=False)


def service_for(request: Request) -> str | None:
    """Which service a request is for: STS by its signing scope, else the Bedrock route that matches."""
    scope = _SCOPE_SERVICE.search(request.headers.get("authorization", ""))
    if scope and scope.group(1) == "sts":
        return "sts"
    for service in SERVICES:
        if dispatch.match(request, service):
            return service
    return None


@dataclass
class Served:
    """What one request turned into, for the log line."""

    operation: str = "-"
    model: str = "-"
    status: int = 0


def answer(request: Request) -> tuple[Response, Served]:
    """The response for one parsed request: the front door's checks, then the dispatch pipeline."""
    refused = auth_problem(request.headers.get("authorization", ""))
    service = service_for(request)
    served = Served()
    found = dispatch.match(request, service) if service else None
    if found:
        route, params = found
        served.operation = route.operation
        served.model = params.get("model_id") or "-"
    if refused is not None:
        return refused, served
    if service is None:
        named = dispatch.operation_name(request)
        served.operation = named[1] if named else "-"
        return dispatch.not_simulated(request), served
    try:
        return dispatch.handle(request, service), served
    except settings.SettingsError as err:  # the operator's to fix; say it to the client too
        return _error(500, "InternalServerException", f"The offline simulator's settings are invalid: {err}"), served


class BedrockRequestHandler(BaseHTTPRequestHandler):
    """One HTTP/1.1 connection (keep-alive): parse, answer through dispatch, write, log."""

    protocol_version = "HTTP/1.1"
    error_content_type = "application/json"
    error_message_format = '{"message":"%(message)s: %(explain)s"}'

    # Every method goes through one path; unknown methods still get a JSON answer.
    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self._serve()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = do_GET

    def _serve(self) -> None:
        started = time.perf_counter()
        served = Served()
        self.server.begin()
        try:
            request = self._read_request()
            if isinstance(request, Response):
                response = request
            else:
                response, served = answer(request)
                if served.operation == "CreateChatCompletion":
                    served.model = _body_model(request.body)
            served.status = response.status
            self._write(response)
        except (BrokenPipeError, ConnectionResetError):
            served.status = served.status or 499  # the client went away mid-answer
            self.close_connection = True
        finally:
            self._log(served, started)
            self.server.end()

    def _read_request(self) -> Request | Response:
        parts = urlsplit(self.path)
        headers = {k.lower(): v for k, v in self.headers.items()}
        if "chunked" in headers.get("transfer-encoding", "").lower():
            body = self._read_chunked()
        else:
            raw_length = headers.get("content-length", "0").strip() or "0"
            if not raw_length.isdigit():
                self.close_connection = True
                return _error(400, "BadRequest", f"Content-Length {raw_length!r} is not a number.", coral=False)
            length = int(raw_length)
            if length > MAX_BODY:
                self.close_connection = True  # the body stays unread: this connection cannot be reused
                return _too_large(length)
            body = self.rfile.read(length) if length else b""
        if isinstance(body, Response):
            return body
        return Request(
            method=self.command,
            path=unquote(parts.path),
            query=dict(parse_qsl(parts.query, keep_blank_values=True)),
            headers=headers,
            body=body,
            host=headers.get("host", ""),
        )

    def _read_chunked(self) -> bytes | Response:
        """A request body sent with Transfer-Encoding: chunked (RFC 9112 section 7.1), size-capped."""
        data = bytearray()
        while True:
            line = self.rfile.readline(65537).split(b";", 1)[0].strip()
            try:
                size = int(line, 16)
            except ValueError:
                self.close_connection = True
                return _error(400, "BadRequest", "Malformed chunked request body.", coral=False)
            if size == 0:
                while self.rfile.readline(65537).strip():  # trailers
                    pass
                return bytes(data)
            if len(data) + size > MAX_BODY:
                self.close_connection = True
                return _too_large(len(data) + size)
            data += self.rfile.read(size)
            self.rfile.readline(3)

    def _write(self, response: Response) -> None:
        if response.delay > 0:
            time.sleep(response.delay)
        self.send_response_only(response.status)  # no Server header: Bedrock's responses carry none
        if not any(name.lower() == "date" for name in response.headers):
            self.send_header("Date", formatdate(usegmt=True))
        for name, value in response.headers.items():
            if name.lower() not in _FRAMING:
                self.send_header(name, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        if response.frames is None:
            body = response.body or b""
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)
            return
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for delay, frame in response.iter_frames():
            if delay > 0:
                time.sleep(delay)
            if frame:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(frame), frame))
                self.wfile.flush()  # each event leaves as soon as it exists
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """http.server's own refusals (bad request line, headers too long) as JSON, then close."""
        self.close_connection = True
        if self.request_version == "HTTP/0.9":  # an unparsable request line: answer with a status line anyway
            self.request_version = "HTTP/1.1"
        text = message or self.responses.get(code, ("Error",))[0]
        response = _error(code, "BadRequest" if code < 500 else "InternalFailure", text, coral=False)
        try:
            self._write(response)
        except OSError:
            pass
        self._log(Served(status=code), None)

    def _log(self, served: Served, started: float | None) -> None:
        took = f"{(time.perf_counter() - started) * 1000:.1f} ms" if started is not None else "-"
        method = getattr(self, "command", None) or "-"
        path = urlsplit(getattr(self, "path", "") or "").path or "-"
        self.server.log(f"{method} {path} {served.operation} {served.model} {served.status} {took}")

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (http.server's signature)
        """Silence http.server's own access log: `_log` writes one line per request instead."""


def _too_large(length: int) -> Response:
    return _error(
        413,
        "RequestEntityTooLarge",
        f"The request body ({length} bytes) is larger than the endpoint accepts ({MAX_BODY} bytes, the "
        "InvokeModel body limit).",
        coral=False,
    )


def _body_model(body: bytes) -> str:
    try:
        model = json.loads(body).get("model")
    except (ValueError, AttributeError):
        return "-"
    return model if isinstance(model, str) else "-"


class EndpointServer(ThreadingHTTPServer):
    """A threading HTTP server (one thread per connection) that logs one line per request."""

    daemon_threads = True  # a stuck client never keeps the process alive at exit
    request_queue_size = 128  # listen backlog: a classroom connects at once

    def __init__(self, address: tuple[str, int], *, log=None) -> None:
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, BedrockRequestHandler)
        self._log_to = log if log is not None else sys.stderr
        self._log_lock = threading.Lock()
        self._busy = threading.Condition()
        self._in_flight = 0

    def begin(self) -> None:
        with self._busy:
            self._in_flight += 1

    def end(self) -> None:
        with self._busy:
            self._in_flight -= 1
            self._busy.notify_all()

    def drain(self, timeout: float) -> int:
        """Wait up to `timeout` seconds for requests being answered; returns how many were left."""
        with self._busy:
            self._busy.wait_for(lambda: self._in_flight == 0, timeout=timeout)
            return self._in_flight

    def log(self, line: str) -> None:
        if self._log_to is False:
            return
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S")
        with self._log_lock:
            print(f"{stamp} {line}", file=self._log_to, flush=True)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def is_loopback(host: str) -> bool:
    return host in LOOPBACK or host.startswith("127.")


def make_server(host: str = "127.0.0.1", port: int = 0, *, allow_remote: bool = False, log=None) -> EndpointServer:
    """A bound, not yet serving endpoint. Binding beyond loopback needs `allow_remote=True`."""
    if not is_loopback(host) and not allow_remote:
        raise ValueError(
            f"refusing to listen on {host!r}: the endpoint accepts any key, so by default it listens on "
            "loopback only. To serve a classroom network, pass --allow-remote (and firewall the port)."
        )
    settings.current()  # a bad BEDROCK_SIMULATOR_* value stops the start, by name
    return EndpointServer((host, port), log=log)


@dataclass
class Running:
    """An endpoint serving in a background thread; `stop()` ends it."""

    server: EndpointServer
    thread: threading.Thread

    @property
    def url(self) -> str:
        return self.server.url

    def stop(self) -> None:
        self.server.shutdown()
        self.server.drain(timeout=5)
        self.server.server_close()
        self.thread.join(timeout=5)


def start(host: str = "127.0.0.1", port: int = 0, *, allow_remote: bool = False, log=None) -> Running:
    """Serve in a daemon thread (port 0: a free one) and return at once."""
    server = make_server(host, port, allow_remote=allow_remote, log=log)
    thread = threading.Thread(target=server.serve_forever, name="bedrock-endpoint", daemon=True)
    thread.start()
    return Running(server, thread)


@contextmanager
def running(host: str = "127.0.0.1", port: int = 0, *, log=None) -> Iterator[Running]:
    """`with running() as endpoint: ... endpoint.url ...`: an endpoint for the block's duration."""
    endpoint = start(host, port, log=log)
    try:
        yield endpoint
    finally:
        endpoint.stop()


def serve_forever(host: str, port: int, *, allow_remote: bool = False) -> int:
    """The CLI: serve until Ctrl-C (or SIGTERM), then stop cleanly. Returns an exit status."""
    import signal

    signal.signal(signal.SIGTERM, _interrupt)  # `kill` stops it as cleanly as Ctrl-C (set before any output)
    try:
        server = make_server(host, port, allow_remote=allow_remote)
    except (ValueError, OSError, settings.SettingsError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    try:
        if not is_loopback(host):
            print(
                f"WARNING: listening on {host}, beyond this machine. Anyone who can reach port "
                f"{server.server_address[1]} can use it (any key is accepted). Use it on a trusted classroom "
                "network only.",
                file=sys.stderr,
            )
        url = server.url
        print(f"Offline Bedrock endpoint on {url} (bedrock, bedrock-runtime, OpenAI Chat Completions)", file=sys.stderr)
        print(f"  export AWS_ENDPOINT_URL_BEDROCK={url} AWS_ENDPOINT_URL_BEDROCK_RUNTIME={url}", file=sys.stderr)
        print("  Ctrl-C stops it.", file=sys.stderr)
        server.serve_forever()
    except KeyboardInterrupt:
        print(f"stopping: no new connections; finishing what is in flight (up to {GRACE} s)", file=sys.stderr)
        left = server.drain(timeout=GRACE)
        if left:
            print(f"stopped with {left} request(s) cut short", file=sys.stderr)
    finally:
        server.server_close()
    return 0


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def environ_for(url: str) -> dict[str, str]:
    """The environment variables that point the AWS CLI and SDKs at an endpoint at `url`."""
    return {"AWS_ENDPOINT_URL_BEDROCK": url, "AWS_ENDPOINT_URL_BEDROCK_RUNTIME": url}


__all__ = ["MAX_BODY", "Running", "answer", "environ_for", "make_server", "running", "serve_forever", "start"]
