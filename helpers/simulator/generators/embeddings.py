"""Deterministic embeddings from the text itself: hashed character n-grams and words.

Each feature (a word, or a 1-3 character n-gram inside a word or CJK run) is hashed to a seed
that draws a fixed pseudo-random direction; the text's vector is the weighted sum. Texts that
share characters or words share directions, so overlapping text lands closer. This measures
surface overlap, not meaning: "sorry" and "apologize" are far apart here, unlike a real model.
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache

import numpy as np

_WORD = re.compile(r"[\w']+", re.UNICODE)


def features(text: str) -> dict[str, float]:
    """Weighted features: lower-cased words, plus character n-grams of each word (1-3)."""
    feats: dict[str, float] = {}
    for word in _WORD.findall(text.lower()):
        feats["w:" + word] = feats.get("w:" + word, 0.0) + 1.0
        padded = f"<{word}>" if word.isascii() else word
        for n, weight in ((1, 0.5), (2, 1.0), (3, 1.0)):
            for i in range(len(padded) - n + 1):
                key = f"{n}:{padded[i : i + n]}"
                feats[key] = feats.get(key, 0.0) + weight
    return feats


@lru_cache(maxsize=65536)
def _direction(feature: str, dims: int) -> np.ndarray:
    seed = int.from_bytes(hashlib.blake2b(feature.encode(), digest_size=8).digest(), "big")
    return np.random.default_rng(seed).standard_normal(dims).astype(np.float32)


def embed(text: str, dims: int, *, normalize: bool, salt: str = "") -> np.ndarray:
    """A `dims`-long float vector for `text`; unit length when `normalize`.

    `salt` gives each model its own vector space (Titan G1 uses none, so its vectors never
    change), as real models do: vectors from two models are not comparable.
    """
    vec = np.zeros(dims, dtype=np.float64)
    feats = features(text) or {"<empty>": 1.0}
    for feat, weight in feats.items():
        vec += weight * _direction(salt + feat, dims)
    # Scale so vectors have unit-ish RMS per component, as unnormalised Titan G1 vectors
    # have values of order one rather than growing with text length.
    vec /= np.sqrt(sum(w * w for w in feats.values()))
    if normalize:
        vec /= np.linalg.norm(vec)
    return vec.astype(np.float32)
