"""Cohere Embed v3 (`cohere.embed-english-v3`, `cohere.embed-multilingual-v3`): many texts per call.

Facts (AWS docs, model-parameters-embed / model-parameters-embed-v3): required `texts` (at most
96 per call, each at most 2048 characters) and `input_type` (search_document, search_query,
classification, clustering); optional `truncate` (NONE, START, END) and `embedding_types`
(float, int8, uint8, binary, ubinary). The answer carries `embeddings`, `id`, `response_type`
(`embeddings_floats`, or `embeddings_by_type` when types were asked for) and `texts`.
Missing keys are worded with pointers, as in promptfoo/promptfoo#921:
`#: required key [texts] not found#: required key [input_type] not found#: extraneous key [inputText] ...`.
"""

from __future__ import annotations

import hashlib
import uuid

import numpy as np

from .. import schema
from ..catalog import Model
from ..generators import embeddings, tokens
from . import Family, Reply

INPUT_TYPES = ["search_document", "search_query", "classification", "clustering"]
EMBEDDING_TYPES = ["float", "int8", "uint8", "binary", "ubinary"]

SCHEMA = {
    "type": "object",
    "required": ["texts", "input_type"],
    "additionalProperties": False,
    "properties": {
        "texts": {"type": "array", "maxItems": 96, "items": {"type": "string", "maxLength": 2048}},
        "input_type": {"type": "string", "enum": INPUT_TYPES},
        "truncate": {"type": "string", "enum": ["NONE", "START", "END"]},
        "embedding_types": {"type": "array", "items": {"type": "string", "enum": EMBEDDING_TYPES}},
    },
}


INPUT_TYPE_NUDGE = 0.15


def _vectors(model: Model, texts: list[str], input_type: str) -> np.ndarray:
    """Unit vectors, one encoder batch for all `texts`: each text's direction plus a nudge for its input type.

    Cohere prepends a special token per input type, so a query and the same text embedded as a
    document are close but not identical; both live in one space, so they can be compared. Here
    the nudge is a fixed direction per input type, orthogonal to every text's direction, so it
    moves all scores between two input types alike and never changes which texts are nearest.
    """
    dims = model.limits.get("dimensions", 1024)
    vecs = embeddings.embed_many(texts, dims, space=model.model_id, normalize=True).astype(np.float64)
    vecs += INPUT_TYPE_NUDGE * embeddings.spare_direction(model.model_id, dims, INPUT_TYPES.index(input_type))
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    return vecs.astype(np.float32)


def _quantised(vecs: np.ndarray, kind: str) -> list[list[int]] | list[list[float]]:
    if kind == "float":
        return [[float(x) for x in v] for v in vecs]
    if kind in ("int8", "uint8"):
        scaled = np.clip(np.round(vecs / np.abs(vecs).max(axis=1, keepdims=True) * 127), -128, 127)
        if kind == "uint8":
            scaled = scaled + 128
        return [[int(x) for x in v] for v in scaled]
    packed = np.packbits(vecs > 0, axis=1).astype(np.int16)  # 8 dimensions per byte
    if kind == "binary":
        packed = packed - 128  # Cohere's signed binary
    return [[int(x) for x in v] for v in packed]


def invoke(model: Model, body: dict) -> Reply:
    schema.check(SCHEMA, body)
    texts = body["texts"]
    vecs = _vectors(model, texts, body["input_type"])
    digest = hashlib.blake2b("\x00".join(texts).encode(), digest_size=16).digest()
    if "embedding_types" in body:
        kinds = list(dict.fromkeys(body["embedding_types"]))
        found: object = {k: _quantised(vecs, k) for k in kinds}
        response_type = "embeddings_by_type"
    else:
        found, response_type = _quantised(vecs, "float"), "embeddings_floats"
    reply = {
        "embeddings": found,
        "id": str(uuid.UUID(bytes=digest)),  # derived from the texts: committed outputs stay stable
        "response_type": response_type,
        "texts": texts,
    }
    n = sum(tokens.count(t) for t in texts)
    return Reply(reply, n, 0)


class CohereEmbed(Family):
    name = "cohere_embed"

    def invoke(self, model: Model, body: dict) -> Reply:
        return invoke(model, body)


FAMILY = CohereEmbed()
