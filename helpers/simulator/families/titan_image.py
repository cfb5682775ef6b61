"""Amazon Titan Image Generator v2 and Amazon Nova Canvas: the `taskType` body, TEXT_IMAGE drawn.

Request: `{"taskType": "TEXT_IMAGE", "textToImageParams": {"text", "negativeText", "style"
(Nova only)}, "imageGenerationConfig": {"numberOfImages", "width", "height", "cfgScale", "seed",
"quality"}}`; answer `{"images": ["<base64>", ...]}` (Titan also carries `"error": null`).

Sources: Amazon Nova user guide, image-gen-req-resp-structure (fields, the eight Nova styles,
text and negativeText 1-1024 characters); Nova Canvas ranges as documented for its tools
(numberOfImages 1-5, cfgScale 1.1-10 default 6.5, seed 0-858993459 default 12); Nova sizes:
each side 320-4096 and divisible by 16, aspect ratio within 1:4..4:1, at most 4,194,304 pixels
[doc, recalled]. Titan Image Generator: text up to 512 characters, cfgScale 1.1-10 (default 8),
seed 0-2147483646 (default 42), numberOfImages 1-5 and the size table of the AWS Titan image
page [recalled, not re-verified]. Size errors are the simulator's own words (no capture found).
The simulator draws TEXT_IMAGE only; other task types are refused with a sentence saying so.
"""

from __future__ import annotations

from .. import schema
from ..catalog import Model
from ..errors import validation
from ..generators import images, tokens
from . import Family, Reply

TASK_TYPES = [
    "TEXT_IMAGE",
    "COLOR_GUIDED_GENERATION",
    "IMAGE_VARIATION",
    "INPAINTING",
    "OUTPAINTING",
    "BACKGROUND_REMOVAL",
    "VIRTUAL_TRY_ON",
]
NOVA_STYLES = {  # Nova Canvas visual style -> the painter's nearest look
    "3D_ANIMATED_FAMILY_FILM": "3d-model",
    "DESIGN_SKETCH": "line-art",
    "FLAT_VECTOR_ILLUSTRATION": "anime",
    "GRAPHIC_NOVEL_ILLUSTRATION": "comic-book",
    "MAXIMALISM": "fantasy-art",
    "MIDCENTURY_RETRO": "analog-film",
    "PHOTOREALISM": "photographic",
    "SOFT_DIGITAL_PAINTING": "digital-art",
}
TITAN_SIZES = [  # width x height
    (1024, 1024),
    (768, 768),
    (512, 512),
    (768, 1152),
    (384, 576),
    (1152, 768),
    (576, 384),
    (768, 1280),
    (384, 640),
    (1280, 768),
    (640, 384),
    (896, 1152),
    (448, 576),
    (1152, 896),
    (576, 448),
    (768, 1408),
    (384, 704),
    (1408, 768),
    (704, 384),
    (640, 1408),
    (320, 704),
    (1408, 640),
    (704, 320),
    (1152, 640),
    (1173, 640),
]


def is_nova(model: Model) -> bool:
    return model.variant == "nova_canvas"


@schema.per_model
def _schema(model: Model) -> dict:
    nova = is_nova(model)
    text = {"type": "string", "minLength": 1, "maxLength": 1024 if nova else 512}
    params = {"text": text, "negativeText": text}
    if nova:
        params["style"] = {"type": "string", "enum": list(NOVA_STYLES)}
    return {
        "type": "object",
        "required": ["taskType"],
        "properties": {
            "taskType": {"type": "string", "enum": TASK_TYPES if nova else TASK_TYPES[:-1]},
            "textToImageParams": {
                "type": "object",
                "required": ["text"],
                "additionalProperties": False,
                "properties": params,
            },
            "imageGenerationConfig": {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "numberOfImages": {"type": "integer", "minimum": 1, "maximum": 5},
                    "width": {"type": "integer"},
                    "height": {"type": "integer"},
                    "cfgScale": {"type": "number", "minimum": 1.1, "maximum": 10},
                    "seed": {"type": "integer", "minimum": 0, "maximum": 858993459 if nova else 2147483646},
                    "quality": {"type": "string", "enum": ["standard", "premium"]},
                },
            },
        },
    }


def size_problem(model: Model, width: int, height: int) -> str | None:
    """Why (width, height) is refused, or None when it is fine."""
    if not is_nova(model):
        if (width, height) in TITAN_SIZES:
            return None
        sizes = ", ".join(f"{w}x{h}" for w, h in TITAN_SIZES)
        return f"{width}x{height} is not a supported size for Titan Image Generator; supported sizes: {sizes}."
    if not (320 <= width <= 4096 and 320 <= height <= 4096):
        return f"width and height must each be between 320 and 4096 pixels; received {width}x{height}."
    if width % 16 or height % 16:
        return f"width and height must be divisible by 16; received {width}x{height}."
    if max(width, height) > 4 * min(width, height):
        return f"the aspect ratio must be between 1:4 and 4:1; received {width}x{height}."
    if width * height > 4194304:
        return f"the image may have at most 4,194,304 pixels; {width}x{height} has {width * height:,}."
    return None


def invoke(model: Model, body: dict) -> Reply:
    schema.check(_schema(model), body)
    if body["taskType"] != "TEXT_IMAGE":
        raise validation(f"The offline simulator draws taskType TEXT_IMAGE only; {body['taskType']} needs live mode.")
    if "textToImageParams" not in body:
        schema.check({"required": ["textToImageParams"]}, body)
    params, config = body["textToImageParams"], body.get("imageGenerationConfig", {})
    width, height = config.get("width", 1024), config.get("height", 1024)
    problem = size_problem(model, width, height)
    if problem:
        raise validation(problem)
    seed = config.get("seed", 12 if is_nova(model) else 42)
    style = NOVA_STYLES.get(params.get("style", ""), "photographic" if config.get("quality") == "premium" else None)
    pictures = []
    for i in range(config.get("numberOfImages", 1)):
        request = images.Request(
            prompt=params["text"],
            width=width,
            height=height,
            seed=seed + i,  # each picture of a batch gets its own composition
            style=style,
            negative=params.get("negativeText", ""),
            cfg_scale=config.get("cfgScale", 6.5 if is_nova(model) else 8.0),
            detail=f"{model.model_id}|{i}",
        )
        pictures.append(images.encode(images.render(request)))
    reply: dict = {"images": pictures}
    if not is_nova(model):
        reply["error"] = None
    return Reply(reply, tokens.count(params["text"]), 0)


class TitanImage(Family):
    name = "titan_image"

    def invoke(self, model: Model, body: dict) -> Reply:
        return invoke(model, body)


FAMILY = TitanImage()
