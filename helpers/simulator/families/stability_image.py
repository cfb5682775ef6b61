"""Stability AI's current image models: Stable Diffusion 3.5 Large, Stable Image Core and Ultra.

One flat body: `prompt` (required, up to 10,000 characters), `aspect_ratio` (16:9, 1:1, 21:9,
2:3, 3:2, 4:5, 5:4, 9:16, 9:21; default 1:1), `mode` (text-to-image, or image-to-image with
`image` and `strength`), `seed` (0 = random), `negative_prompt` (up to 10,000 characters),
`output_format` (jpeg, png, webp; default png). Answer: `{"seeds": [...], "finish_reasons":
[null], "images": ["<base64>"]}`.

Sources: AWS docs model-parameters-diffusion-3-5-large,
model-parameters-diffusion-stable-image-core-text-image-request-response and
...-stable-ultra-text-image-request-response (fields, enums, response, Core is text-to-image
only); Stability's API reference (seed range 0-4294967294, output formats, `style_preset` with
the same 17 presets as SDXL). Pixel sizes per aspect ratio are Stability's 1-megapixel buckets
(1:1 -> 1024x1024, 16:9 -> 1344x768, ...); Core and Ultra are drawn at the same sizes here.
"""

from __future__ import annotations

import json

from .. import schema
from ..catalog import Model
from ..generators import images, tokens
from . import Family, Reply

ASPECT_SIZES = {
    "16:9": (1344, 768),
    "1:1": (1024, 1024),
    "21:9": (1536, 640),
    "2:3": (832, 1216),
    "3:2": (1216, 832),
    "4:5": (896, 1088),
    "5:4": (1088, 896),
    "9:16": (768, 1344),
    "9:21": (640, 1536),
}
MAX_SEED = 4294967294


@schema.per_model
def _schema(model: Model) -> dict:
    core = "textToImageOnly" in model.traits
    found = {
        "type": "object",
        "required": ["prompt"],
        "additionalProperties": False,
        "properties": {
            "prompt": {"type": "string", "maxLength": 10000},
            "aspect_ratio": {"type": "string", "enum": list(ASPECT_SIZES)},
            "mode": {"type": "string", "enum": ["text-to-image"] if core else ["text-to-image", "image-to-image"]},
            "image": {"type": "string"},
            "strength": {"type": "number", "minimum": 0, "maximum": 1},
            "seed": {"type": "integer", "minimum": 0, "maximum": MAX_SEED},
            "negative_prompt": {"type": "string", "maxLength": 10000},
            "output_format": {"type": "string", "enum": ["jpeg", "png", "webp"]},
            "style_preset": {"type": "string", "enum": list(images.STYLES)},
        },
    }
    if not core:  # image-to-image needs the source image and how far to move from it
        found["if"] = {"properties": {"mode": {"const": "image-to-image"}}, "required": ["mode"]}
        found["then"] = {"required": ["image", "strength"]}
    return found


def invoke(model: Model, body: dict) -> Reply:
    schema.check(_schema(model), body)
    seed = body.get("seed", 0)
    if not seed:  # "random": derived from the request offline, so re-runs give the same picture
        canonical = json.dumps(body, sort_keys=True, ensure_ascii=False)
        seed = images.request_seed(model.model_id, canonical) % MAX_SEED
    source = images.decode(body["image"]) if body.get("mode") == "image-to-image" else None
    width, height = source.size if source is not None else ASPECT_SIZES[body.get("aspect_ratio", "1:1")]
    request = images.Request(
        prompt=body["prompt"],
        width=width,
        height=height,
        seed=seed,
        style=body.get("style_preset"),
        negative=body.get("negative_prompt", ""),
        detail=model.model_id,
    )
    picture = images.render(request)
    if source is not None:  # strength near 1 makes a new picture; near 0 keeps the source
        picture = images.blend(source, picture, 1 - body["strength"])
    fmt = body.get("output_format", "png")
    reply = {"seeds": [seed], "finish_reasons": [None], "images": [images.encode(picture, fmt)]}
    return Reply(reply, tokens.count(body["prompt"]), 0)


class StabilityImage(Family):
    name = "stability_image"

    def invoke(self, model: Model, body: dict) -> Reply:
        return invoke(model, body)


FAMILY = StabilityImage()
