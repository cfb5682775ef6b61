"""A rough, deterministic tokenizer: close enough to real token counts to teach with.

Latin words count one token per started four letters (`Hello` -> 2), digits and punctuation one
each, and every CJK character one token, which is about what BPE tokenizers do on average.
"""

from __future__ import annotations

import re

_PIECE = re.compile(r"\s*(?:[A-Za-z\u00c0-\u024f]+(?:'[A-Za-z]+)?|\d|[^\sA-Za-z\d\u00c0-\u024f])|\s+")


def pieces(text: str) -> list[str]:
    """Split text into token-sized pieces that join back to the exact text."""
    out: list[str] = []
    for match in _PIECE.finditer(text):
        piece = match.group()
        word = piece.lstrip()
        lead = piece[: len(piece) - len(word)]
        if len(word) > 4 and word.isalpha() and word.isascii():
            parts = [word[i : i + 4] for i in range(0, len(word), 4)]
            out.append(lead + parts[0])
            out.extend(parts[1:])
        else:
            out.append(piece)
    return out


def count(text: str) -> int:
    """Number of tokens in `text` by the simulator's rule."""
    return len(pieces(text))
