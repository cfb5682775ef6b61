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
    append, extend = out.append, out.extend
    for piece in _PIECE.findall(text):
        if len(piece) <= 4:  # most pieces: short words, CJK characters, digits, punctuation
            append(piece)
            continue
        word = piece.lstrip()
        if len(word) > 4 and word.isalpha() and word.isascii():
            cut = len(piece) - len(word) + 4
            append(piece[:cut])
            extend(word[i : i + 4] for i in range(4, len(word), 4))
        else:
            append(piece)
    return out


def count(text: str) -> int:
    """Number of tokens in `text` by the simulator's rule."""
    total = 0
    for piece in _PIECE.findall(text):
        total += 1
        if len(piece) > 4:
            word = piece.lstrip()
            if len(word) > 4 and word.isalpha() and word.isascii():
                total += (len(word) - 1) // 4
    return total
