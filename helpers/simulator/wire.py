"""Transport-neutral request and response objects passed between transports and operations."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

# Bedrock's bodies are compact JSON with non-ASCII text as is. Built once: json.dumps with options
# builds a new encoder on every call, which costs more than encoding a small body.
_COMPACT = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)


def compact_json(obj: object) -> bytes:
    """`obj` as Bedrock writes JSON: no spaces, UTF-8, non-ASCII characters unescaped."""
    return _COMPACT.encode(obj).encode()


_SCOPE = re.compile(r"Credential=[^/]+/\d{8}/([a-z0-9-]+)/")
_HOST = re.compile(r"bedrock(?:-runtime)?\.([a-z0-9-]+)\.amazonaws\.com")


@dataclass
class Request:
    method: str
    path: str  # already unquoted
    query: dict[str, str]
    headers: dict[str, str]  # lower-case names
    body: bytes
    host: str = ""

    @property
    def region(self) -> str:
        """The region the client signed for (credential scope), else the host's, else us-east-1."""
        m = _SCOPE.search(self.headers.get("authorization", ""))
        if m:
            return m.group(1)
        m = _HOST.search(self.host)
        return m.group(1) if m else "us-east-1"


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes | None = None
    # For event streams: frames produced lazily, each after its (real) delay in seconds.
    frames: Iterable[tuple[float, bytes]] | None = None
    delay: float = 0.0  # seconds to wait before answering a plain response

    def iter_frames(self) -> Iterator[tuple[float, bytes]]:
        return iter(self.frames or ())
