"""A rough, deterministic tokenizer: close enough to real token counts to teach with.

Latin words count one token per started four letters (`Hello` -> 2), digits and punctuation one
each, and every CJK character one token, which is about what BPE tokenizers do on average.
Words with accents or an apostrophe (`café`, `don't`) stay one piece.

One regular expression does the splitting (it runs on every simulated call, so it is the hot
path); tests/test_tokens.py checks it against a plain step-by-step statement of the rule.
"""

from __future__ import annotations

import re

_PIECES = re.compile(
    # the rest of a plain ASCII word, four letters at a time
    r"(?<=[A-Za-z])[A-Za-z]{1,4}"
    # the start of a plain ASCII word (no accented letter, no 'x ending), with its leading space
    r"|\s*[A-Za-z]{1,4}(?=[A-Za-z]*+(?![\u00c0-\u024f]|'[A-Za-z]))"
    # any other word whole, or one digit, or one other character; or bare white space
    r"|\s*(?:[A-Za-z\u00c0-\u024f]+(?:'[A-Za-z]+)?|\d|[^\sA-Za-z\d\u00c0-\u024f])|\s+"
)


def pieces(text: str) -> list[str]:
    """Split text into token-sized pieces that join back to the exact text."""
    return _PIECES.findall(text)


def count(text: str) -> int:
    """Number of tokens in `text` by the simulator's rule."""
    return len(_PIECES.findall(text))
