"""helpers.images: decoding, fingerprints, grids and the size check that says what a model accepts."""

from __future__ import annotations

import base64
import io

import pytest
from PIL import Image

import helpers.images as hi
from tests.conftest import invoke


def png_b64(colour=(200, 30, 30), size=(64, 32)) -> str:
    buf = io.BytesIO()
    Image.new("RGB", size, colour).save(buf, "PNG")
    return base64.b64encode(buf.getvalue()).decode()


def test_decode_and_fingerprint():
    image = hi.decode(png_b64())
    assert image.size == (64, 32)
    text = hi.fingerprint(image)
    assert text.startswith("64x32 RGB sha256:") and len(text.split(":")[1]) == 8
    assert hi.fingerprint(hi.decode(png_b64())) == text
    assert hi.fingerprint(hi.decode(png_b64((200, 30, 31)))) != text


def test_images_of_every_response_shape():
    one = png_b64()
    artifact = {"seed": 1, "base64": one, "finishReason": "SUCCESS"}
    assert len(hi.images_of({"result": "success", "artifacts": [artifact]})) == 1
    assert len(hi.images_of({"seeds": [1], "finish_reasons": [None], "images": [one, one]})) == 2
    with pytest.raises(ValueError, match="no images"):
        hi.images_of({"embedding": []})


def test_images_of_a_real_simulated_answer():
    import boto3

    client = boto3.client("bedrock-runtime", region_name="us-west-2")
    body, _ = invoke(client, "stability.sd3-5-large-v1:0", {"prompt": "a cat", "aspect_ratio": "16:9", "seed": 1})
    (image,) = hi.images_of(body)
    assert image.size == (1344, 768)


def test_show_prints_the_fingerprint_of_the_full_image(capsys):
    image = hi.decode(png_b64(size=(1024, 1024)))
    hi.show(image, label="sofa")
    assert capsys.readouterr().out == f"sofa: {hi.fingerprint(image)}\n"


def test_grid_lays_out_and_prints_one_fingerprint_per_image(capsys):
    images = [hi.decode(png_b64(size=(100, 100))) for _ in range(5)]
    sheet = hi.grid(images, ["a", "bb", "c", "d", "e"], columns=3, cell=120)
    assert sheet.size == (360, 2 * (120 + 22))
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 5 and lines[1] == f"bb  {hi.fingerprint(images[1])}"
    with pytest.raises(ValueError, match="2 images but 1 labels"):
        hi.grid(images[:2], ["x"], quiet=True)


def test_check_size_accepts_documented_sizes():
    assert hi.check_size("stability.stable-diffusion-xl-v1", 1152, 896)
    assert hi.check_size("stability.stable-diffusion-xl", 512, 512)
    assert hi.check_size("amazon.nova-canvas-v1:0", 1280, 720)
    assert hi.check_size("amazon.titan-image-generator-v2:0", 1173, 640)


def test_check_size_says_what_sdxl_10_accepts():
    with pytest.raises(ValueError) as err:
        hi.check_size("stability.stable-diffusion-xl-v1", 500, 512)
    assert str(err.value) == (
        "width 500 is not a multiple of 64.\n"
        "SDXL 1.0 (stability.stable-diffusion-xl-v1) accepts 1024x1024, 1152x896, 1216x832,\n"
        "  1344x768, 1536x640, 640x1536, 768x1344, 832x1216, 896x1152"
    )
    assert max(len(line) for line in str(err.value).splitlines()) <= 88, "fits a printed line after an indent"


def test_check_size_explains_the_sdxl_08_rule():
    with pytest.raises(ValueError, match=r"(?s)^1024x1024 is not accepted.\nSDXL 0.8 .* at most one side above 512"):
        hi.check_size("stability.stable-diffusion-xl", 1024, 1024)


def test_allowed_sizes():
    assert len(hi.allowed_sizes("stability.stable-diffusion-xl-v1")) == 9
    sizes = hi.allowed_sizes("stability.stable-diffusion-xl-v0")
    assert (512, 512) in sizes and (896, 512) in sizes and (768, 768) not in sizes
    with pytest.raises(ValueError, match="aspect_ratio"):
        hi.allowed_sizes("stability.sd3-5-large-v1:0")
    with pytest.raises(ValueError, match="by a rule"):
        hi.allowed_sizes("amazon.nova-canvas-v1:0")
    with pytest.raises(ValueError, match="not an image model"):
        hi.check_size("amazon.titan-embed-text-v1", 1, 1)


def test_nova_rule_is_explained():
    with pytest.raises(ValueError, match="divisible by 16"):
        hi.check_size("amazon.nova-canvas-v1:0", 1000, 720)
