"""Amazon Titan Text Embeddings G1 (`amazon.titan-embed-text-v1`): `inputText` in, 1536 floats out.

Facts: AWS docs, model-parameters-titan-embed-text (G1 takes only `inputText`; response
`embedding` + `inputTextTokenCount`; vectors are not normalised).
"""

from __future__ import annotations

import numpy as np

from .. import schema
from ..catalog import Model
from ..generators import embeddings, tokens
from . import Reply

G1_SCHEMA = {
    "type": "object",
    "required": ["inputText"],
    "additionalProperties": False,
    "properties": {"inputText": {"type": "string"}},
}


def as_json_floats(vec: np.ndarray) -> list[float]:
    """Round to bfloat16 precision, like the short binary fractions real Titan vectors hold."""
    bits = vec.astype(np.float32).view(np.uint32)
    rounded = ((bits + 0x7FFF + ((bits >> 16) & 1)) & 0xFFFF0000).view(np.float32)
    return [float(x) for x in rounded]


def invoke(model: Model, body: dict) -> Reply:
    schema.check(G1_SCHEMA, body)
    text = body["inputText"]
    vec = embeddings.embed(text, model.limits.get("dimensions", 1536), normalize=False) * 0.5
    n = tokens.count(text)
    return Reply({"embedding": as_json_floats(vec), "inputTextTokenCount": n}, n, 0)
