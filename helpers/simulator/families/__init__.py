"""Model families: one module per native request/response format.

A family module knows nothing of HTTP. It exposes
    invoke(model, body) -> Reply            (required)
    stream(model, body) -> StreamReply      (only if the family can stream)
and raises `BedrockError` (usually via `schema.check` or `errors.validation`) for bad bodies.
The operation layer adds headers, latency, invocation metrics and event-stream framing.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from types import ModuleType


@dataclass
class Reply:
    """A family's answer to InvokeModel: the native JSON body and token counts for the headers."""

    body: dict
    input_tokens: int
    output_tokens: int


@dataclass
class StreamReply:
    """A family's answer to InvokeModelWithResponseStream: native chunks in order."""

    chunks: list[dict]
    input_tokens: int
    output_tokens: int
    extra_metrics: dict = field(default_factory=dict)


def load(name: str) -> ModuleType:
    """The module for a catalog `family` name."""
    return importlib.import_module(f"{__name__}.{name}")


def chunk_pieces(pieces: tuple[str, ...] | list[str], size: int = 4) -> list[str]:
    """Group token pieces into stream chunks of a few tokens each, as services send them."""
    return ["".join(pieces[i : i + size]) for i in range(0, len(pieces), size)]
