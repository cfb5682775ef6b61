"""Encoder for the AWS event-stream framing (`application/vnd.amazon.eventstream`).

botocore ships only a decoder (botocore/eventstream.py); this is its mirror image.
Layout: total length, headers length, prelude CRC32, headers, payload, message CRC32 (all
big-endian). Bedrock sends string headers only, in the order :event-type, :content-type,
:message-type.
"""

from __future__ import annotations

import base64
import binascii
import struct
from functools import lru_cache

from .wire import compact_json

_PAD_ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


def _header(name: str, value: str) -> bytes:
    n, v = name.encode(), value.encode()
    return bytes([len(n)]) + n + b"\x07" + struct.pack("!H", len(v)) + v


def encode_message(headers: list[tuple[str, str]], payload: bytes) -> bytes:
    """One binary event-stream message with string headers."""
    return _framed(b"".join(_header(k, v) for k, v in headers), payload)


@lru_cache(maxsize=64)
def _event_headers(event_type: str) -> bytes:
    """The encoded headers of an event of this type (a stream repeats a handful of types)."""
    return b"".join(
        _header(k, v)
        for k, v in ((":event-type", event_type), (":content-type", "application/json"), (":message-type", "event"))
    )


def _framed(hb: bytes, payload: bytes) -> bytes:
    prelude = struct.pack("!II", 16 + len(hb) + len(payload), len(hb))
    msg = prelude + struct.pack("!I", binascii.crc32(prelude)) + hb + payload
    return msg + struct.pack("!I", binascii.crc32(msg))


_json = compact_json


def padding(n: int) -> str:
    """Bedrock's `p` field: a prefix of the alphabet whose length varies, hiding payload sizes."""
    return _PAD_ALPHABET[: n % len(_PAD_ALPHABET) + 1]


def event(event_type: str, obj: dict) -> bytes:
    return _framed(_event_headers(event_type), _json(obj))


def chunk_event(native_chunk: dict, seq: int) -> bytes:
    """An InvokeModelWithResponseStream `chunk`: the model's JSON chunk, base64 in `bytes`."""
    raw = _json(native_chunk)
    return event("chunk", {"bytes": base64.b64encode(raw).decode(), "p": padding(seq * 7 + len(raw))})


def exception_event(member: str, obj: dict) -> bytes:
    """A mid-stream exception; `member` is the lowerCamel union member, e.g. throttlingException."""
    return encode_message(
        [(":exception-type", member), (":content-type", "application/json"), (":message-type", "exception")],
        _json(obj),
    )


def converse_event(event_type: str, obj: dict, seq: int) -> bytes:
    """A ConverseStream event: the event's own members with keys sorted, plus the `p` padding, as
    a recorded Claude 3 Haiku ConverseStream shows them (shared/reference/bedrock-wire-format.md 2.5)."""
    # One serialisation: the members before "p" and after it, with "p" spliced in between (its
    # length depends on the size of the members' JSON, as it did when this serialised them twice).
    keys = sorted(obj)
    before = _json({k: obj[k] for k in keys if k < "p"})[1:-1]
    after = _json({k: obj[k] for k in keys if k > "p"})[1:-1]
    size = len(before) + len(after) + 2 + (1 if before and after else 0)  # == len(_json(obj))
    pad = b'"p":"' + padding(seq * 7 + size).encode() + b'"'
    payload = b"{" + b",".join(part for part in (before, pad, after) if part) + b"}"
    return _framed(_event_headers(event_type), payload)
