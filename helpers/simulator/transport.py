"""In-process transport: a botocore `before-send` handler that answers from the simulator.

botocore emits `before-send.<service>.<Operation>` just before it would open a connection; the
first handler to return an `AWSResponse` replaces the network. Everything else (serialising,
signing, parsing, retries, event-stream decoding, modeled exceptions) stays botocore's own.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from urllib.parse import parse_qsl, unquote, urlsplit

from botocore.awsrequest import AWSResponse
from botocore.exceptions import ReadTimeoutError

from . import dispatch
from .wire import Request, Response

SERVICES = ("bedrock-runtime", "bedrock")


class SimulatedRaw:
    """The `raw` object botocore reads: `.stream()` for event streams, `.read()` for blobs."""

    def __init__(self, response: Response, read_timeout: float | None = None, url: str = "") -> None:
        self._response = response
        self._read_timeout = read_timeout
        self._url = url
        self._buffer = response.body or b""
        self._frames: Iterator[tuple[float, bytes]] | None = (
            response.iter_frames() if response.frames is not None else None
        )

    def stream(self, **_: object) -> Iterator[bytes]:
        if self._frames is not None:
            for delay, frame in self._coalesced():
                if self._read_timeout is not None and delay > self._read_timeout:
                    time.sleep(self._read_timeout)
                    self._frames = None
                    # What urllib3 raises when a socket read waits longer than read_timeout;
                    # botocore does not wrap it while an event stream is being read.
                    from urllib3.exceptions import ReadTimeoutError as URLLib3ReadTimeoutError

                    raise URLLib3ReadTimeoutError(
                        None, self._url, f"Read timed out. (read timeout={self._read_timeout})"
                    )
                if delay > 0:
                    time.sleep(delay)
                yield frame
            return
        data, self._buffer = self._buffer, b""
        if data:
            yield data

    def _coalesced(self) -> Iterator[tuple[float, bytes]]:
        """The frames, those due at once joined into one read (as a socket would deliver them):
        at latency scale 0 a whole stream is one read, and botocore buffers it once."""
        pending: list[bytes] = []
        for delay, frame in self._frames or ():
            if delay <= 0:
                pending.append(frame)
                continue
            if pending:
                yield 0.0, b"".join(pending)
                pending = []
            yield delay, frame
        if pending:
            yield 0.0, b"".join(pending)

    def read(self, amt: int | None = None) -> bytes:
        if self._frames is not None:
            self._buffer += b"".join(self.stream())
            self._frames = None
        if amt is None:
            data, self._buffer = self._buffer, b""
        else:
            data, self._buffer = self._buffer[:amt], self._buffer[amt:]
        return data

    def close(self) -> None:
        self._buffer, self._frames = b"", None


def to_request(prepared) -> Request:
    """A botocore AWSPreparedRequest as the simulator's transport-neutral Request."""
    parts = urlsplit(prepared.url)
    headers = {k.lower(): (v.decode() if isinstance(v, bytes) else str(v)) for k, v in prepared.headers.items()}
    body = prepared.body
    if hasattr(body, "read"):
        pos = body.tell() if hasattr(body, "tell") else None
        data = body.read()
        if pos is not None:
            body.seek(pos)  # leave the stream where it was, so a retry can send it again
        body = data
    if isinstance(body, str):
        body = body.encode()
    return Request(
        method=prepared.method,
        path=unquote(parts.path),
        query=dict(parse_qsl(parts.query, keep_blank_values=True)),
        headers=headers,
        body=body or b"",
        host=parts.netloc,
    )


def serve(request: Request, service: str) -> Response:
    """Answer through the one dispatch pipeline every transport shares."""
    return dispatch.handle(request, service)


def read_timeout(prepared) -> float | None:
    """The client's `Config(read_timeout=...)` (botocore puts the client config in the request context)."""
    config = (getattr(prepared, "context", None) or {}).get("client_config")
    value = getattr(config, "read_timeout", None)
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def to_aws_response(prepared, response: Response) -> AWSResponse:
    """Wait as the service would, then hand botocore the answer.

    A client whose read_timeout is shorter than the wait gets what a socket read would give it:
    botocore's ReadTimeoutError after read_timeout seconds (which botocore's retries then handle).
    """
    timeout = read_timeout(prepared)
    if timeout is not None and response.delay > timeout:
        time.sleep(timeout)
        raise ReadTimeoutError(endpoint_url=prepared.url, error=f"Read timed out. (read timeout={timeout})")
    if response.delay > 0:
        time.sleep(response.delay)
    return AWSResponse(prepared.url, response.status, response.headers, SimulatedRaw(response, timeout, prepared.url))
