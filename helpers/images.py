"""Pictures in the image lessons: decode what the models return, show it small, name it in text.

Every function works the same live and offline. A notebook shows an image as a thumbnail (so the
committed notebook stays small) and prints its fingerprint, `512x512 RGB sha256:1a2b3c4d`, which
nbval compares even though it ignores the picture itself.
"""

from __future__ import annotations

import base64
import hashlib
import io
from collections.abc import Iterable, Sequence

from PIL import Image, ImageDraw, ImageFont

__all__ = ["allowed_sizes", "check_size", "decode", "fingerprint", "grid", "images_of", "show"]


def decode(data: str | bytes) -> Image.Image:
    """A base64 string (as every Bedrock image model returns) as a PIL image."""
    raw = base64.b64decode(data)
    image = Image.open(io.BytesIO(raw))
    image.load()
    return image


def images_of(body: dict) -> list[Image.Image]:
    """Every picture in a native image response: SDXL `artifacts`, or `images` (SD3.5, Titan, Nova)."""
    if "artifacts" in body:
        return [decode(a["base64"]) for a in body["artifacts"] if a.get("base64")]
    if "images" in body:
        return [decode(data) for data in body["images"]]
    raise ValueError(f"no images in this response; its keys are {sorted(body)}")


def fingerprint(image: Image.Image) -> str:
    """A short text that names exactly these pixels: size, mode and a hash of the pixel data."""
    digest = hashlib.sha256(image.tobytes()).hexdigest()[:8]
    return f"{image.width}x{image.height} {image.mode} sha256:{digest}"


def _thumbnail(image: Image.Image, max_side: int) -> Image.Image:
    small = image.convert("RGB")
    small.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    return small


def show(image: Image.Image, *, max_side: int = 320, label: str | None = None) -> None:
    """Display `image` inline as a thumbnail and print its fingerprint (of the full image)."""
    print((f"{label}: " if label else "") + fingerprint(image))
    _display(_thumbnail(image, max_side))


def grid(
    images: Sequence[Image.Image],
    labels: Iterable[str] | None = None,
    *,
    columns: int = 4,
    cell: int = 200,
    quiet: bool = False,
) -> Image.Image:
    """Lay images out in a labelled grid, print one fingerprint per image and display it (unless quiet)."""
    labels = list(labels) if labels is not None else [""] * len(images)
    if len(labels) != len(images):
        raise ValueError(f"{len(images)} images but {len(labels)} labels")
    rows = -(-len(images) // columns)
    text_h = 22 if any(labels) else 0
    sheet = Image.new("RGB", (columns * cell, rows * (cell + text_h)), "white")
    draw = ImageDraw.Draw(sheet)
    font = ImageFont.load_default(size=14)
    width = max((len(label) for label in labels), default=0)
    for i, (image, label) in enumerate(zip(images, labels, strict=True)):
        x, y = (i % columns) * cell, (i // columns) * (cell + text_h)
        thumb = _thumbnail(image, cell - 8)
        sheet.paste(thumb, (x + (cell - thumb.width) // 2, y + (cell - thumb.height) // 2))
        if label:
            draw.text((x + cell / 2, y + cell + 2), label, fill=(20, 20, 20), font=font, anchor="ma")
        if not quiet:
            print(f"{label:<{width}}  {fingerprint(image)}" if label else fingerprint(image))
    if not quiet:
        _display(sheet)
    return sheet


def _display(image: Image.Image) -> None:
    """Show the image inline in Jupyter as one PNG; outside a notebook there is nothing to draw on.

    Passing the PIL image itself would embed a JPEG copy next to the PNG, doubling the notebook's size.
    """
    try:
        from IPython import get_ipython
        from IPython.display import Image as Picture
        from IPython.display import display
    except ImportError:
        return
    if get_ipython() is not None:
        buf = io.BytesIO()
        image.save(buf, "PNG", optimize=True)
        display(Picture(data=buf.getvalue(), format="png"))


# ---------------------------------------------------------------- sizes


def allowed_sizes(model_id: str) -> list[tuple[int, int]]:
    """The (width, height) pairs an image model accepts, for models that take a fixed list.

    SDXL 1.0 and Titan Image Generator accept a list; SDXL 0.8 a rule (every pair it allows is
    listed); Nova Canvas a rule too large to list (see `check_size`); SD3.5 and Stable Image take
    an `aspect_ratio` instead of a size.
    """
    model = _model(model_id)
    family = model.family
    if family == "stability_sdxl":
        from .simulator.families import stability_sdxl

        return stability_sdxl.allowed_sizes(model)
    if family == "titan_image" and model.variant != "nova_canvas":
        from .simulator.families import titan_image

        return list(titan_image.TITAN_SIZES)
    if family == "stability_image":
        raise ValueError(f"{model_id} takes aspect_ratio (1:1, 16:9, ...), not width and height")
    raise ValueError(f"{model_id} accepts sizes by a rule, not a list; use check_size(model_id, width, height)")


def check_size(model_id: str, width: int, height: int) -> bool:
    """True if the model accepts width x height; otherwise raise ValueError saying what it accepts."""
    model = _model(model_id)
    if model.family == "titan_image" and model.variant == "nova_canvas":
        from .simulator.families import titan_image

        problem = titan_image.size_problem(model, width, height)
        if problem:
            raise ValueError(f"{model_id}: {problem}")
        return True
    sizes = allowed_sizes(model_id)
    if (width, height) in sizes:
        return True
    reasons = [
        f"{name} {value} is not a multiple of 64"
        for name, value in (("width", width), ("height", height))
        if model.family == "stability_sdxl" and value % 64
    ]
    listed = ", ".join(f"{w}x{h}" for w, h in sizes)
    if model.family == "stability_sdxl" and model.version == "0.8":
        listed = "multiples of 64 from 128 to 896 per side, with at most one side above 512 (e.g. 512x512, 768x512)"
    name = {"1.0": "SDXL 1.0", "0.8": "SDXL 0.8"}.get(model.version or "", model.name)
    reason = "; ".join(reasons) or f"{width}x{height} is not accepted"
    raise ValueError(f"{reason}; {name} ({model.model_id}) accepts {listed}")


def _model(model_id: str):
    from .simulator import catalog

    resolved = catalog.resolve(model_id)
    if resolved is None or "IMAGE" not in resolved.model.output_modalities:
        raise ValueError(f"{model_id!r} is not an image model in the workshop's catalog")
    return resolved.model
