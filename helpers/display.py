"""Readable printing of Bedrock responses: long vectors and base64 blobs are shortened."""

from __future__ import annotations

import json


def shorten(obj: object, *, max_items: int = 4, max_chars: int = 80) -> object:
    """A copy of `obj` with long lists and strings cut down, saying how much was left out."""
    if isinstance(obj, dict):
        return {k: shorten(v, max_items=max_items, max_chars=max_chars) for k, v in obj.items()}
    if isinstance(obj, list):
        if len(obj) > max_items and all(isinstance(x, (int, float)) for x in obj):
            head = [shorten(x) for x in obj[:max_items]]
            return head + [f"... {len(obj) - max_items} more numbers ({len(obj)} in all)"]
        return [shorten(x, max_items=max_items, max_chars=max_chars) for x in obj]
    if isinstance(obj, float):
        return round(obj, 6)
    if isinstance(obj, str) and len(obj) > max_chars:
        return obj[:max_chars] + f"... ({len(obj)} characters in all)"
    return obj


def show(obj: object, **kwargs: int) -> None:
    """Print `obj` as indented JSON, shortened by `shorten`."""
    print(json.dumps(shorten(obj, **kwargs), indent=2, ensure_ascii=False, default=str))
