"""Readable printing of Bedrock responses: long vectors and base64 blobs are shortened."""

from __future__ import annotations

import json
import textwrap

# JupyterLab wraps printed lines longer than about 110 characters wherever the edge falls, mid-word;
# everything helpers print stays within this width.
LINE_WIDTH = 100


def shorten(obj: object, *, max_items: int = 4, max_chars: int = 80, _at: tuple[int, int] | None = None) -> object:
    """A copy of `obj` with long lists and strings cut down, saying how much was left out.

    `_at` (used by `show`) is (nesting depth, column where `obj` starts) in JSON printed with indent=2:
    strings are then also cut so that no printed line is longer than LINE_WIDTH.
    """
    inner = None if _at is None else 2 * (_at[0] + 1)  # where the items of a container start

    def at(prefix: int) -> tuple[int, int] | None:
        return None if _at is None else (_at[0] + 1, inner + prefix)

    if isinstance(obj, dict):
        return {
            k: shorten(v, max_items=max_items, max_chars=max_chars, _at=at(len(_dumps(str(k))) + 2))
            for k, v in obj.items()
        }
    if isinstance(obj, list):
        if len(obj) > max_items and all(isinstance(x, (int, float)) for x in obj):
            head = [shorten(x) for x in obj[:max_items]]
            return head + [f"... {len(obj) - max_items} more numbers ({len(obj)} in all)"]
        return [shorten(x, max_items=max_items, max_chars=max_chars, _at=at(0)) for x in obj]
    if isinstance(obj, float):
        return round(obj, 6)
    if isinstance(obj, str):
        return _cut(obj, max_chars, None if _at is None else _at[1])
    return obj


def _cut(text: str, max_chars: int, column: int | None) -> str:
    """`text` cut to `max_chars` and, when its `column` is known, to what fits the rest of its line."""

    def fits(candidate: str) -> bool:  # +1 for the comma that may follow
        return column is None or column + len(_dumps(candidate)) + 1 <= LINE_WIDTH

    if len(text) <= max_chars and fits(text):
        return text
    suffix = f"... ({len(text)} characters in all)"
    keep = min(len(text), max_chars)
    while keep > 8 and not fits(text[:keep] + suffix):
        keep -= 1
    return text[:keep] + suffix


def show(obj: object, **kwargs: int) -> None:
    """Print `obj` as indented JSON, shortened by `shorten` so that every line fits LINE_WIDTH."""
    print(json.dumps(shorten(obj, _at=(0, 0), **kwargs), indent=2, ensure_ascii=False, default=str))


def _dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def paragraphs(lines: list[str], indent: str = "  ", width: int = LINE_WIDTH) -> str:
    """Each line wrapped to `width` at spaces: the first starts at the margin, every later line and
    every continuation is indented by `indent`. Words (ids, ARNs, numbers) are never split."""
    return "\n".join(
        textwrap.fill(
            line,
            width,
            initial_indent="" if i == 0 else indent,
            subsequent_indent=indent,
            break_long_words=False,
            break_on_hyphens=False,
        )
        for i, line in enumerate(lines)
    )


def fill(text: str, width: int = LINE_WIDTH, indent: str = "  ") -> str:
    """`text` with each of its lines wrapped to `width` at spaces, continuation lines indented.

    Ids, ARNs and numbers are never split: a single word longer than `width` stays whole.
    """
    return "\n".join(
        textwrap.fill(line, width, subsequent_indent=indent, break_long_words=False, break_on_hyphens=False)
        if len(line) > width
        else line
        for line in text.splitlines()
    )
