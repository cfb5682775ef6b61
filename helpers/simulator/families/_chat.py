"""Small pieces the chat-style text families share: stable ids, message text, token pieces.

Ids are derived from the request, not from randomness, so the same request always gets the
same answer and committed notebook outputs stay reproducible.
"""

from __future__ import annotations

import hashlib
import json
import uuid

from ..generators import tokens


def digest(*parts: object) -> bytes:
    """16 stable bytes for a request."""
    raw = "\x1f".join(p if isinstance(p, str) else json.dumps(p, sort_keys=True, ensure_ascii=False) for p in parts)
    return hashlib.blake2b(raw.encode(), digest_size=16).digest()


def stable_uuid(*parts: object) -> str:
    """A UUID4-shaped id derived from the request (Cohere, Jamba ids look like this)."""
    return str(uuid.UUID(bytes=digest(*parts), version=4))


_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def base58(*parts: object, length: int = 24) -> str:
    """Anthropic-style id characters, e.g. the tail of `msg_bdrk_01XwpES7uwPrhtHvHZsW2zCr`."""
    n = int.from_bytes(digest(*parts), "big")
    out = []
    while len(out) < length:
        n, r = divmod(n, 58)
        out.append(_B58[r])
    return "".join(out)


def block_text(content: object) -> str:
    """The text of a message's content: a string, or the `text` of its text blocks."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(b["text"] for b in content if isinstance(b, dict) and isinstance(b.get("text"), str))
    return ""


def count(*texts: str) -> int:
    return sum(tokens.count(t) for t in texts if t)


def likelihood(piece: str, *parts: object) -> float:
    """A deterministic log-likelihood for one token, between about -4 and 0."""
    n = int.from_bytes(digest(piece, *parts)[:4], "big")
    return -round((n % 40000) / 10000, 4)
