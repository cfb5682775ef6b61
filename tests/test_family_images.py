"""Image models through real boto3 clients: SDXL 0.8/1.0, SD3.5/Stable Image, Titan Image v2, Nova Canvas."""

from __future__ import annotations

import base64
import io
import json
import time

import boto3
import numpy as np
import pytest
from PIL import Image

from helpers.simulator.generators import images as painter
from tests.conftest import NO_RETRIES, error_of, invoke, malformed, rejected

SDXL_08, SDXL_08_ALIAS = "stability.stable-diffusion-xl-v0", "stability.stable-diffusion-xl"
SDXL_10 = "stability.stable-diffusion-xl-v1"
SD35, CORE = "stability.sd3-5-large-v1:0", "stability.stable-image-core-v1:1"
ULTRA = "stability.stable-image-ultra-v1:1"
TITAN, NOVA = "amazon.titan-image-generator-v2:0", "amazon.nova-canvas-v1:0"
V1_SIZES = ["1024x1024", "1152x896", "1216x832", "1344x768", "1536x640", "640x1536", "768x1344", "832x1216", "896x1152"]


@pytest.fixture
def west():
    """bedrock-runtime in us-west-2, where the article ran SDXL and the Stability models live."""
    return boto3.client("bedrock-runtime", region_name="us-west-2", config=NO_RETRIES)


def picture(b64: str) -> Image.Image:
    return Image.open(io.BytesIO(base64.b64decode(b64)))


def sdxl(prompt: str = "a lighthouse on a cliff", **extra) -> dict:
    return {"text_prompts": [{"text": prompt, "weight": 1.0}], **extra}


# ---------------------------------------------------------------- SDXL: the article's request


ARTICLE_BODY = {
    "text_prompts": [
        {
            "text": "3D product render, futuristic sofa, finely detailed, purism, ue 5, a computer rendering, "
            "minimalism, octane render, 4k",
            "weight": 1.0,
        },
        *(
            {"text": t, "weight": -1.0}
            for t in (
                "poorly rendered",
                "worst quality",
                "monochrome",
                "cropped",
                "duplicate",
                "out of frame",
                "ugly",
                "deformed",
                "complex background",
            )
        ),
    ],
    "cfg_scale": 10,
    "steps": 30,
    "style_preset": "3d-model",
    "width": 512,
    "height": 512,
}


def test_article_request_on_sdxl_08_answers_a_512_png(west):
    body, headers = invoke(west, SDXL_08_ALIAS, ARTICLE_BODY)
    assert list(body) == ["result", "artifacts"] and body["result"] == "success"
    (artifact,) = body["artifacts"]
    assert list(artifact) == ["seed", "base64", "finishReason"]
    assert artifact["finishReason"] == "SUCCESS"
    assert 1 <= artifact["seed"] <= 4294967295
    image = picture(artifact["base64"])
    assert (image.format, image.size, image.mode) == ("PNG", (512, 512), "RGB")
    assert headers["x-amzn-bedrock-invocation-latency"] == "3500"


def test_alias_and_v0_are_the_same_model(west):
    a, _ = invoke(west, SDXL_08_ALIAS, sdxl(seed=5))
    b, _ = invoke(west, SDXL_08, sdxl(seed=5))
    assert a == b


def test_seed_zero_means_random_but_reports_the_seed_used(west):
    first, _ = invoke(west, SDXL_10, sdxl(seed=0))
    again, _ = invoke(west, SDXL_10, sdxl())  # no seed: also "random"
    used = first["artifacts"][0]["seed"]
    assert used != 0 and again["artifacts"][0]["seed"] == used  # offline: derived from the request
    replay, _ = invoke(west, SDXL_10, sdxl(seed=used))
    assert replay["artifacts"][0] == first["artifacts"][0]  # reusing the reported seed repeats the image
    other, _ = invoke(west, SDXL_10, sdxl("a red fox in the snow"))
    assert other["artifacts"][0]["seed"] != used


def test_same_seed_same_image_other_seed_other_image(west):
    a, _ = invoke(west, SDXL_10, sdxl(seed=42))
    b, _ = invoke(west, SDXL_10, sdxl(seed=42))
    c, _ = invoke(west, SDXL_10, sdxl(seed=43))
    assert a["artifacts"][0]["base64"] == b["artifacts"][0]["base64"] != c["artifacts"][0]["base64"]


def test_prompts_and_styles_change_the_picture(west):
    def pixels(**extra):
        body, _ = invoke(west, SDXL_10, sdxl(seed=1, **extra))
        return np.asarray(picture(body["artifacts"][0]["base64"]), np.float32)

    plain = pixels()
    assert np.abs(plain - pixels(style_preset="pixel-art")).mean() > 5
    assert np.abs(plain - pixels(style_preset="line-art")).mean() > 20
    body, _ = invoke(west, SDXL_10, sdxl("a city skyline at night", seed=1))
    assert np.abs(plain - np.asarray(picture(body["artifacts"][0]["base64"]), np.float32)).mean() > 20


def test_a_negative_prompt_removes_what_it_names(west):
    def pixels(prompts):
        body, _ = invoke(west, SDXL_10, {"text_prompts": prompts, "seed": 3})
        return np.asarray(picture(body["artifacts"][0]["base64"]), np.float32)

    positive = {"text": "a cabin in the mountains", "weight": 1.0}
    with_mountains = pixels([positive])
    without = pixels([positive, {"text": "mountains", "weight": -1.0}])
    assert np.abs(with_mountains - without).mean() > 2
    assert np.array_equal(with_mountains, pixels([positive, {"text": "bananas", "weight": -1.0}]))


@pytest.mark.parametrize("size", V1_SIZES)
def test_sdxl_10_accepts_its_nine_sizes(west, size):
    width, height = map(int, size.split("x"))
    body, _ = invoke(west, SDXL_10, sdxl(width=width, height=height, seed=1))
    assert picture(body["artifacts"][0]["base64"]).size == (width, height)


@pytest.mark.parametrize("size", [(512, 512), (1024, 576), (1024, 1088), (768, 768)])
def test_sdxl_10_refuses_other_sizes_with_stabilitys_message(west, size):
    width, height = size
    assert rejected(west, SDXL_10, sdxl(width=width, height=height)) == (
        "ValidationException",
        "for stable-diffusion-xl-1024-v0-9 and stable-diffusion-xl-1024-v1-0 the allowed dimensions are "
        f"{', '.join(V1_SIZES)}, but we received {width}x{height}",
        400,
    )


@pytest.mark.parametrize("size", [(512, 512), (768, 512), (512, 896), (128, 128), (896, 320)])
def test_sdxl_08_sizes_that_work(west, size):
    width, height = size
    body, _ = invoke(west, SDXL_08, sdxl(width=width, height=height, seed=1))
    assert picture(body["artifacts"][0]["base64"]).size == size


@pytest.mark.parametrize("size", [(1024, 1024), (768, 768), (960, 512), (512, 1024)])
def test_sdxl_08_sizes_that_fail(west, size):
    width, height = size
    assert rejected(west, SDXL_08, sdxl(width=width, height=height)) == (
        "ValidationException",
        "for stable-diffusion-xl-v0 (SDXL 0.8) dimensions must be multiples of 64 between 128x128 and "
        f"512x896 (or 896x512), and only one dimension can be greater than 512, but we received {width}x{height}",
        400,
    )


@pytest.mark.parametrize("model_id", [SDXL_08, SDXL_10])
def test_sides_are_multiples_of_64_from_128(west, model_id):
    assert rejected(west, model_id, sdxl(width=500, height=64)) == (
        "ValidationException",
        malformed("#/width: 500 is not a multiple of 64", "#/height: 64 is not greater or equal to 128"),
        400,
    )


@pytest.mark.parametrize(
    ("model_id", "extra", "reason"),
    [
        (SDXL_10, {"cfg_scale": 36}, "#/cfg_scale: 36 is not less or equal to 35"),
        (SDXL_08, {"cfg_scale": 31}, "#/cfg_scale: 31 is not less or equal to 30"),
        (SDXL_10, {"cfg_scale": -1}, "#/cfg_scale: -1 is not greater or equal to 0"),
        (SDXL_10, {"steps": 51}, "#/steps: 51 is not less or equal to 50"),
        (SDXL_08, {"steps": 151}, "#/steps: 151 is not less or equal to 150"),
        (SDXL_10, {"steps": 9}, "#/steps: 9 is not greater or equal to 10"),
        (SDXL_10, {"seed": -1}, "#/seed: -1 is not greater or equal to 0"),
        (SDXL_10, {"seed": 4294967296}, "#/seed: 4294967296 is not less or equal to 4294967295"),
        (SDXL_10, {"samples": 2}, "#/samples: 2 is not less or equal to 1"),
        (SDXL_10, {"style_preset": "craft-clay"}, "#/style_preset: craft-clay is not a valid enum value"),
        (SDXL_10, {"sampler": "EULER"}, "#/sampler: EULER is not a valid enum value"),
        (SDXL_10, {"clip_guidance_preset": "FAST"}, "#/clip_guidance_preset: FAST is not a valid enum value"),
        (SDXL_10, {"width": "1024"}, "#/width: expected type: Integer, found: String"),
        (SDXL_10, {"negative_prompts": ["x"]}, "#: extraneous key [negative_prompts] is not permitted"),
    ],
)
def test_sdxl_documented_ranges_and_enums(west, model_id, extra, reason):
    assert rejected(west, model_id, sdxl(**extra)) == ("ValidationException", malformed(reason), 400)


def test_sdxl_text_prompts_rules(west):
    assert rejected(west, SDXL_10, {"text_prompts": []}) == (
        "ValidationException",
        malformed("#/text_prompts: expected minimum item count: 1, found: 0"),
        400,
    )
    assert rejected(west, SDXL_10, {"text_prompts": [{"text": "x" * 2001}]}) == (
        "ValidationException",
        malformed("#/text_prompts/0/text: expected maxLength: 2000, actual: 2001"),
        400,
    )
    assert rejected(west, SDXL_10, {"prompt": "a cat"}) == (
        "ValidationException",
        malformed("#: required key [text_prompts] not found", "#: extraneous key [prompt] is not permitted"),
        400,
    )


@pytest.mark.parametrize("style", painter.STYLES)
def test_every_documented_style_preset_is_accepted(west, style):
    body, _ = invoke(west, SDXL_10, sdxl(style_preset=style, seed=9))
    assert picture(body["artifacts"][0]["base64"]).size == (1024, 1024)


@pytest.mark.parametrize("sampler", ["DDIM", "K_EULER_ANCESTRAL", "K_DPMPP_2M"])
def test_samplers_change_detail_not_size(west, sampler):
    body, _ = invoke(west, SDXL_10, sdxl(sampler=sampler, clip_guidance_preset="FAST_BLUE", seed=2))
    assert picture(body["artifacts"][0]["base64"]).size == (1024, 1024)


def test_image_to_image_keeps_the_source_size(west):
    first, _ = invoke(west, SDXL_10, sdxl(seed=1))
    source = first["artifacts"][0]["base64"]
    body, _ = invoke(west, SDXL_10, sdxl("a city at night", init_image=source, image_strength=0.8, seed=1))
    assert picture(body["artifacts"][0]["base64"]).size == (1024, 1024)


def test_sdxl_does_not_stream(west):
    with pytest.raises(west.exceptions.ValidationException) as exc:
        west.invoke_model_with_response_stream(modelId=SDXL_10, body=json.dumps(sdxl()))
    assert error_of(exc) == ("ValidationException", "The model is unsupported for streaming.", 400)


# ---------------------------------------------------------------- SD3.5 Large, Stable Image Core / Ultra


@pytest.mark.parametrize(
    ("ratio", "size"),
    [
        ("1:1", (1024, 1024)),
        ("16:9", (1344, 768)),
        ("9:16", (768, 1344)),
        ("21:9", (1536, 640)),
        ("2:3", (832, 1216)),
        ("3:2", (1216, 832)),
        ("4:5", (896, 1088)),
        ("5:4", (1088, 896)),
        ("9:21", (640, 1536)),
    ],
)
def test_sd35_aspect_ratios(west, ratio, size):
    body, _ = invoke(west, SD35, {"prompt": "a lighthouse", "aspect_ratio": ratio, "seed": 1})
    assert list(body) == ["seeds", "finish_reasons", "images"]
    assert body["seeds"] == [1] and body["finish_reasons"] == [None]
    assert picture(body["images"][0]).size == size


def test_stable_image_defaults_output_formats_and_random_seed(west):
    body, _ = invoke(west, CORE, {"prompt": "a lighthouse"})
    assert picture(body["images"][0]).format == "PNG" and body["seeds"][0] > 0
    again, _ = invoke(west, CORE, {"prompt": "a lighthouse"})
    assert again == body
    jpeg, _ = invoke(west, ULTRA, {"prompt": "a lighthouse", "output_format": "jpeg"})
    assert picture(jpeg["images"][0]).format == "JPEG"


@pytest.mark.parametrize(
    ("model_id", "body", "reasons"),
    [
        (
            SD35,
            {"text_prompts": [{"text": "x"}]},
            ("#: required key [prompt] not found", "#: extraneous key [text_prompts] is not permitted"),
        ),
        (SD35, {"prompt": "x", "aspect_ratio": "4:3"}, ("#/aspect_ratio: 4:3 is not a valid enum value",)),
        (SD35, {"prompt": "x" * 10001}, ("#/prompt: expected maxLength: 10000, actual: 10001",)),
        (SD35, {"prompt": "x", "seed": 4294967295}, ("#/seed: 4294967295 is not less or equal to 4294967294",)),
        (SD35, {"prompt": "x", "output_format": "gif"}, ("#/output_format: gif is not a valid enum value",)),
        (
            SD35,
            {"prompt": "x", "mode": "image-to-image"},
            ("#: required key [image] not found", "#: required key [strength] not found"),
        ),
        (CORE, {"prompt": "x", "mode": "image-to-image"}, ("#/mode: image-to-image is not a valid enum value",)),
    ],
)
def test_stability_image_documented_fields(west, model_id, body, reasons):
    assert rejected(west, model_id, body) == ("ValidationException", malformed(*reasons), 400)


def test_stability_image_models_live_in_us_west_2_only(runtime):
    with pytest.raises(runtime.exceptions.ValidationException) as exc:
        invoke(runtime, SD35, {"prompt": "x"})
    assert error_of(exc) == ("ValidationException", "The provided model identifier is invalid.", 400)


# ---------------------------------------------------------------- Titan Image Generator v2 and Nova Canvas


def titan_body(text: str = "a lighthouse", **config) -> dict:
    return {"taskType": "TEXT_IMAGE", "textToImageParams": {"text": text}, "imageGenerationConfig": config}


def test_nova_canvas_batch_and_size(runtime):
    body, _ = invoke(runtime, NOVA, titan_body(numberOfImages=3, width=1280, height=720, seed=7))
    assert list(body) == ["images"] and len(body["images"]) == 3
    assert {picture(b).size for b in body["images"]} == {(1280, 720)}
    assert len(set(body["images"])) == 3


def test_titan_image_answer_and_default_size(runtime):
    body, _ = invoke(runtime, TITAN, titan_body())
    assert list(body) == ["images", "error"] and body["error"] is None
    assert picture(body["images"][0]).size == (1024, 1024)


@pytest.mark.parametrize(
    ("size", "message"),
    [
        ((1000, 720), "width and height must be divisible by 16; received 1000x720."),
        ((256, 512), "width and height must each be between 320 and 4096 pixels; received 256x512."),
        ((2048, 480), "the aspect ratio must be between 1:4 and 4:1; received 2048x480."),
        ((4096, 2048), "the image may have at most 4,194,304 pixels; 4096x2048 has 8,388,608."),
    ],
)
def test_nova_canvas_size_rules(runtime, size, message):
    width, height = size
    assert rejected(runtime, NOVA, titan_body(width=width, height=height)) == ("ValidationException", message, 400)


def test_titan_image_size_table(runtime):
    code, message, status = rejected(runtime, TITAN, titan_body(width=1000, height=720))
    assert (code, status) == ("ValidationException", 400)
    assert message.startswith("1000x720 is not a supported size for Titan Image Generator; supported sizes: 1024x")


@pytest.mark.parametrize(
    ("model_id", "body", "reason"),
    [
        (NOVA, titan_body(cfgScale=11), "#/imageGenerationConfig/cfgScale: 11 is not less or equal to 10"),
        (NOVA, titan_body(cfgScale=1.0), "#/imageGenerationConfig/cfgScale: 1.0 is not greater or equal to 1.1"),
        (NOVA, titan_body(numberOfImages=6), "#/imageGenerationConfig/numberOfImages: 6 is not less or equal to 5"),
        (NOVA, titan_body(seed=858993460), "#/imageGenerationConfig/seed: 858993460 is not less or equal to 858993459"),
        (
            TITAN,
            titan_body(seed=2**31 - 1),
            "#/imageGenerationConfig/seed: 2147483647 is not less or equal to 2147483646",
        ),
        (NOVA, titan_body(quality="ultra"), "#/imageGenerationConfig/quality: ultra is not a valid enum value"),
        (NOVA, titan_body("x" * 1025), "#/textToImageParams/text: expected maxLength: 1024, actual: 1025"),
        (TITAN, titan_body("x" * 513), "#/textToImageParams/text: expected maxLength: 512, actual: 513"),
        (NOVA, titan_body(""), "#/textToImageParams/text: expected minLength: 1, actual: 0"),
        (NOVA, {"taskType": "DRAW"}, "#/taskType: DRAW is not a valid enum value"),
        (NOVA, {"prompt": "x"}, "#: required key [taskType] not found"),
    ],
)
def test_titan_and_nova_documented_ranges(runtime, model_id, body, reason):
    assert rejected(runtime, model_id, body) == ("ValidationException", malformed(reason), 400)


def test_nova_styles(runtime):
    body = titan_body()
    body["textToImageParams"]["style"] = "DESIGN_SKETCH"
    sketch, _ = invoke(runtime, NOVA, body)
    plain, _ = invoke(runtime, NOVA, titan_body())
    assert sketch["images"] != plain["images"]
    body["textToImageParams"]["style"] = "WATERCOLOR"
    reason = "#/textToImageParams/style: WATERCOLOR is not a valid enum value"
    assert rejected(runtime, NOVA, body)[1] == malformed(reason)
    reason = "#/textToImageParams: extraneous key [style] is not permitted"
    assert rejected(runtime, TITAN, body)[1] == malformed(reason)


def test_other_task_types_need_live_mode(runtime):
    assert rejected(runtime, NOVA, {"taskType": "INPAINTING"}) == (
        "ValidationException",
        "The offline simulator draws taskType TEXT_IMAGE only; INPAINTING needs live mode.",
        400,
    )


# ---------------------------------------------------------------- the painter itself


def test_painter_is_deterministic_and_sized():
    request = painter.Request("a lighthouse on a cliff at sunset", 832, 1216, seed=11, style="analog-film")
    a, b = painter.render(request), painter.render(request)
    assert a.size == (832, 1216) and a.mode == "RGB"
    assert a.tobytes() == b.tobytes()


def test_painter_draws_a_picture_not_noise():
    image = np.asarray(painter.render(painter.Request("a house by a lake", 512, 512, seed=3)), np.float32)
    assert image.std() > 20  # not a flat colour
    neighbours = np.abs(np.diff(image, axis=1)).mean()
    assert neighbours < 6  # smooth regions, unlike random noise (~85)


def test_every_image_is_marked_simulated():
    image = np.asarray(painter.render(painter.Request("a cat", 512, 512, seed=1)))
    corner = image[-22:, -80:]
    assert (corner == 255).all(axis=2).sum() > 40  # the white letters of SIMULATED


def test_a_1024_image_is_painted_and_encoded_well_under_a_second():
    painter.render(painter.Request("warm-up", 256, 256, seed=0))
    slowest = 0.0
    for style in (None, "analog-film", "anime", "modeling-compound", "low-poly"):  # the slowest looks
        start = time.perf_counter()
        painter.encode(painter.render(painter.Request("a city skyline at night", 1024, 1024, seed=5, style=style)))
        slowest = max(slowest, time.perf_counter() - start)
    assert slowest < 1.0, f"slowest 1024x1024 image took {slowest:.2f} s"
