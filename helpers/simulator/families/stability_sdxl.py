"""Stability AI SDXL: 0.8 (`stability.stable-diffusion-xl-v0`, alias `stability.stable-diffusion-xl`) and 1.0.

Request: `text_prompts` [{text, weight}] (negative weight = negative prompt), `height`, `width`,
`cfg_scale`, `clip_guidance_preset`, `sampler`, `samples`, `seed`, `steps`, `style_preset`,
`extras`; image-to-image adds `init_image`, `init_image_mode`, `image_strength`,
`step_schedule_start`/`_end`. Answer: `{"result": "success", "artifacts": [{"seed", "base64",
"finishReason"}]}`.

Sources:
* AWS docs, model-parameters-diffusion-1-0-text-image: ranges (text 0-2000 characters,
  cfg_scale 0-35 default 7, steps 10-50 default 30, seed 0-4294967295 with 0 = random,
  samples exactly 1), the enums below, and the nine sizes SDXL 1.0 accepts.
* AWS docs, model-parameters-diffusion-0-8: SDXL 0.8 ranges (cfg_scale 0-30 default 10,
  steps 10-150 default 30). That page names no sizes and no style_preset; the article found
  style_preset works and that 512x512 works while 1024x1024 fails.
* SDXL 0.8 sizes: Stability's own v1 API documents for its SDXL Beta engine (the 0.8-era model):
  "multiple of 64 >= 128 ... must be between 128x128 and 512x896 (or 896x512); only one dimension
  can be greater than 512". We apply that rule to v0. It matches the article (512 works, 1024
  fails); the article's "one side 512 or 768, the other a multiple of 8" was its reading of the
  same limits (768x512 passes, 768x768 does not).
* Size error text: no public capture of Bedrock's wrapping exists (see shared reference 4.6).
  SDXL 1.0 uses Stability's own message (error id `invalid_sdxl_v1_dimensions`) as a 400
  ValidationException; the 0.8 message is composed in the same style from the rule above.
"""

from __future__ import annotations

import json

from .. import schema
from ..catalog import Model
from ..errors import validation
from ..generators import images, tokens
from . import Family, Reply

STYLE_PRESETS = list(images.STYLES)  # the 17 presets in AWS's SDXL 1.0 parameter page
SAMPLERS = [
    "DDIM",
    "DDPM",
    "K_DPMPP_2M",
    "K_DPMPP_2S_ANCESTRAL",
    "K_DPM_2",
    "K_DPM_2_ANCESTRAL",
    "K_EULER",
    "K_EULER_ANCESTRAL",
    "K_HEUN",
    "K_LMS",
]
CLIP_GUIDANCE_PRESETS = ["FAST_BLUE", "FAST_GREEN", "NONE", "SIMPLE", "SLOW", "SLOWER", "SLOWEST"]
V1_SIZES = [
    (1024, 1024),
    (1152, 896),
    (1216, 832),
    (1344, 768),
    (1536, 640),
    (640, 1536),
    (768, 1344),
    (832, 1216),
    (896, 1152),
]  # width x height
V1_SIZE_ERROR = (
    "for stable-diffusion-xl-1024-v0-9 and stable-diffusion-xl-1024-v1-0 the allowed dimensions are "
    + ", ".join(f"{w}x{h}" for w, h in V1_SIZES)
    + ", but we received {width}x{height}"
)
V0_SIZE_ERROR = (
    "for stable-diffusion-xl-v0 (SDXL 0.8) dimensions must be multiples of 64 between 128x128 and "
    "512x896 (or 896x512), and only one dimension can be greater than 512, but we received {width}x{height}"
)
MAX_SEED = 4294967295


def is_v0(model: Model) -> bool:
    return model.version == "0.8"


@schema.per_model
def _schema(model: Model) -> dict:
    v0 = is_v0(model)
    side = {"type": "integer", "minimum": 128, "multipleOf": 64}
    unit = {"type": "number", "minimum": 0, "maximum": 1}
    return {
        "type": "object",
        "required": ["text_prompts"],
        "additionalProperties": False,
        "properties": {
            "text_prompts": {
                "type": "array",
                "minItems": 1,
                "items": {
                    "type": "object",
                    "required": ["text"],
                    "additionalProperties": False,
                    "properties": {"text": {"type": "string", "maxLength": 2000}, "weight": {"type": "number"}},
                },
            },
            "height": side,
            "width": side,
            "cfg_scale": {"type": "number", "minimum": 0, "maximum": 30 if v0 else 35},
            "clip_guidance_preset": {"type": "string", "enum": CLIP_GUIDANCE_PRESETS},
            "sampler": {"type": "string", "enum": SAMPLERS},
            "samples": {"type": "integer", "minimum": 1, "maximum": 1},
            "seed": {"type": "integer", "minimum": 0, "maximum": MAX_SEED},
            "steps": {"type": "integer", "minimum": 10, "maximum": 150 if v0 else 50},
            "style_preset": {"type": "string", "enum": STYLE_PRESETS},
            "extras": {"type": "object"},
            "init_image": {"type": "string"},
            "init_image_mode": {"type": "string", "enum": ["IMAGE_STRENGTH", "STEP_SCHEDULE"]},
            "image_strength": unit,
            "step_schedule_start": unit,
            "step_schedule_end": unit,
        },
    }


def allowed_sizes(model: Model) -> list[tuple[int, int]]:
    """Every (width, height) the model accepts: SDXL 1.0's nine, or all that 0.8's rule allows."""
    if not is_v0(model):
        return list(V1_SIZES)
    sides = range(128, 897, 64)
    return [(w, h) for w in sides for h in sides if not (w > 512 and h > 512)]


def check_size(model: Model, width: int, height: int) -> None:
    if (width, height) not in allowed_sizes(model):
        template = V0_SIZE_ERROR if is_v0(model) else V1_SIZE_ERROR
        raise validation(template.format(width=width, height=height))


def resolve_seed(body: dict, model: Model) -> int:
    """The seed the artifact reports. 0 or none means "random": offline it is derived from the
    request (model and body), so a notebook re-run gives the same picture; live it would differ."""
    seed = body.get("seed", 0)
    if seed:
        return seed
    canonical = json.dumps({k: v for k, v in body.items() if k != "seed"}, sort_keys=True, ensure_ascii=False)
    return images.request_seed(model.model_id, canonical) % MAX_SEED


def invoke(model: Model, body: dict) -> Reply:
    schema.check(_schema(model), body)
    default_side = 512 if is_v0(model) else 1024
    source = images.decode(body["init_image"]) if "init_image" in body else None
    if source is not None:
        width, height = source.size
    else:
        width, height = body.get("width", default_side), body.get("height", default_side)
    check_size(model, width, height)
    prompts = body["text_prompts"]
    positive = " ".join(p["text"] for p in prompts if p.get("weight", 1.0) > 0)
    negative = " ".join(p["text"] for p in prompts if p.get("weight", 1.0) < 0)
    seed = resolve_seed(body, model)
    request = images.Request(
        prompt=positive,
        width=width,
        height=height,
        seed=seed,
        style=body.get("style_preset"),
        negative=negative,
        cfg_scale=body.get("cfg_scale", 10 if is_v0(model) else 7),
        steps=body.get("steps", 30),
        detail=f"{body.get('sampler', '')}|{body.get('clip_guidance_preset', '')}|{model.model_id}",
    )
    picture = images.render(request)
    if source is not None:  # image-to-image: image_strength near 1 keeps the source
        picture = images.blend(source, picture, body.get("image_strength", 0.35))
    artifact = {"seed": seed, "base64": images.encode(picture), "finishReason": "SUCCESS"}
    n = sum(tokens.count(p["text"]) for p in prompts)
    return Reply({"result": "success", "artifacts": [artifact]}, n, 0)


class StabilitySDXL(Family):
    name = "stability_sdxl"

    def invoke(self, model: Model, body: dict) -> Reply:
        return invoke(model, body)


FAMILY = StabilitySDXL()
