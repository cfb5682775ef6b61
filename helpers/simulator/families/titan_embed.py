"""Amazon Titan Text Embeddings: G1 (`amazon.titan-embed-text-v1`) and V2 (`amazon.titan-embed-text-v2:0`).

Facts (AWS docs, model-parameters-titan-embed-text): G1 takes only `inputText` and answers
`embedding` (1536 floats, not normalised) + `inputTextTokenCount`. V2 adds `dimensions`
(1024 default, 512, 256), `normalize` (default true) and `embeddingTypes` ("float", "binary"
or both; default float) and always answers `embeddingsByType` next to the float `embedding`.
Both take up to 8,192 tokens; V2 also at most 50,000 characters.

Error texts: Titan Embeddings words schema violations without a JSON pointer, and several as a
count (see `schema.check_summarised` for the public captures). The token limit message is quoted
from aws-samples/amazon-bedrock-workshop#136 (G1, 2023).
"""

from __future__ import annotations

import numpy as np

from .. import schema
from ..catalog import Model
from ..errors import validation
from ..generators import embeddings, tokens
from . import Family, Reply

G1_SCHEMA = {
    "type": "object",
    "required": ["inputText"],
    "additionalProperties": False,
    # minLength 1: empty texts are refused (unstructured-ingest#55); the exact wording is everit's.
    "properties": {"inputText": {"type": "string", "minLength": 1}},
}

V2_SCHEMA = {
    "type": "object",
    "required": ["inputText"],
    "additionalProperties": False,
    "properties": {
        # 50,000 characters: "expected maxLength: 50000, actual: 160000" (alphagov/govuk-chat#220).
        "inputText": {"type": "string", "minLength": 1, "maxLength": 50000},
        "dimensions": {"type": "integer", "enum": [1024, 512, 256]},
        "normalize": {"type": "boolean"},
        "embeddingTypes": {
            "type": "array",
            "minItems": 1,
            "items": {"type": "string", "enum": ["float", "binary"]},
        },
    },
}

TOO_MANY_TOKENS = "400 Bad Request: Too many input tokens. Max input tokens: {limit}, request input token count: {n}"
# Each model has its own vector space (see generators.embeddings): G1 and V2 vectors are not comparable.
G1_SPACE, V2_SPACE = "amazon.titan-embed-text-v1", "amazon.titan-embed-text-v2"


def as_json_floats(vec: np.ndarray) -> list[float]:
    """Round to bfloat16 precision, like the short binary fractions real Titan vectors hold."""
    bits = vec.astype(np.float32).view(np.uint32)
    rounded = ((bits + 0x7FFF + ((bits >> 16) & 1)) & 0xFFFF0000).view(np.float32)
    return [float(x) for x in rounded]


def as_binary(vec: np.ndarray) -> list[int]:
    """V2's binary embedding: one 0/1 per dimension, 1 where the float component is positive."""
    return [int(x) for x in (vec > 0)]


def _token_count(model: Model, text: str) -> int:
    n = tokens.count(text)
    limit = model.limits.get("inputTokens", 8192)
    if n > limit:
        raise validation(TOO_MANY_TOKENS.format(limit=limit, n=n))
    return n


def _is_v2(model: Model) -> bool:
    return model.variant == "v2"


def invoke(model: Model, body: dict) -> Reply:
    if _is_v2(model):
        return _invoke_v2(model, body)
    schema.check_summarised(G1_SCHEMA, body)
    text = body["inputText"]
    n = _token_count(model, text)
    vec = embeddings.embed(text, model.limits.get("dimensions", 1536), space=G1_SPACE, normalize=False)
    return Reply({"embedding": as_json_floats(vec), "inputTextTokenCount": n}, n, 0)


def _invoke_v2(model: Model, body: dict) -> Reply:
    schema.check_summarised(V2_SCHEMA, body)
    text = body["inputText"]
    n = _token_count(model, text)
    dims = body.get("dimensions", 1024)
    normalize = body.get("normalize", True)
    vec = embeddings.embed(text, dims, space=V2_SPACE, normalize=normalize)
    floats = [float(x) for x in vec.astype(np.float32)]
    by_type: dict[str, list] = {}
    for kind in body.get("embeddingTypes", ["float"]):
        by_type[kind] = floats if kind == "float" else as_binary(vec)
    return Reply({"embedding": floats, "inputTextTokenCount": n, "embeddingsByType": by_type}, n, 0)


class TitanEmbed(Family):
    name = "titan_embed"

    def invoke(self, model: Model, body: dict) -> Reply:
        return invoke(model, body)


FAMILY = TitanEmbed()
