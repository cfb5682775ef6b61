"""helpers.widgets without a browser: the ipywidgets objects are driven from Python, calls go to the simulator."""

from __future__ import annotations

import json

import boto3
import pytest

from helpers import images, widgets
from tests.conftest import NO_RETRIES, stream_chunks

pytest.importorskip("ipywidgets")


def _run_shown_code(app, client) -> dict:
    """Execute the code the app shows (as a learner would paste it) and return the namespace."""
    code = app.code.value
    source = code[code.index(">", code.index("<pre")) + 1 : code.index("</pre>")]
    import html

    namespace = {"bedrock": client, "json": json}
    exec(html.unescape(source), namespace)
    return namespace


def test_python_call_is_code_that_runs(runtime):
    request = {"modelId": "anthropic.claude-v2", "body": widgets.claude_text_body("Hi", 20, 0.5, ["."])}
    code = widgets.python_call("bedrock", "invoke_model", request, json_body=True)
    namespace = {"bedrock": runtime, "json": json}
    exec(code, namespace)
    assert json.loads(namespace["response"]["body"].read())["stop_reason"] in ("stop_sequence", "max_tokens")
    literal = widgets.python_literal({"a": [True, None, 1.5, "x\ny"], "b": "ü" * 100})
    assert eval(literal) == {"a": [True, None, 1.5, "x\ny"], "b": "ü" * 100}


def test_stream_visualiser_shows_the_same_stream_a_plain_loop_reads(runtime, capsys):
    app = widgets.stream_visualiser(runtime, max_tokens=300)
    chunks = stream_chunks(runtime, "anthropic.claude-v2", app.request()["body"])
    assert app.last.text == "".join(c["completion"] for c in chunks)
    assert app.last.chunks == len(chunks) and app.last.metrics == chunks[-1]["amazon-bedrock-invocationMetrics"]
    assert app.last.first is not None and app.last.first <= app.last.total
    assert app.answer.value.count("<span") == len(app.last.pieces), "one coloured span per piece of text"
    printed = capsys.readouterr().out
    assert printed.startswith("Stream visualiser: anthropic.claude-v2") and f"{len(chunks)} chunks" in printed
    assert all(len(line) <= 100 for line in printed.splitlines())
    assert app._repr_mimebundle_()["text/plain"].startswith("[Stream visualiser: interactive")


def test_stream_visualiser_follows_its_controls(runtime):
    app = widgets.stream_visualiser(runtime)
    app.model.value = "anthropic.claude-3-haiku-20240307-v1:0"
    app.max_tokens.value = 20
    app.button.click()
    assert app.last.metrics["outputTokenCount"] == 20
    assert "anthropic_version" in app.code.value and "max_tokens" in app.code.value
    shown = _run_shown_code(app, runtime)
    assert shown["chunk"]["type"] == "message_stop", "the shown loop reads the Messages API stream to its end"


def test_parameter_explorer_answers_respond_to_temperature_and_stop_sequences(runtime):
    app = widgets.parameter_explorer(runtime)
    first = app.runs[-1]
    app.temperature.value = 0.0
    app.temperature.value = 1.0
    assert len(app.runs) == 3, "each control change asks again"
    assert app.runs[1].completion != app.runs[2].completion, "offline answers visibly respond to temperature"
    app.stops.value = "."
    assert (app.runs[-1].stop_reason, app.runs[-1].stop) == ("stop_sequence", ".")
    assert "." not in app.runs[-1].completion
    assert app.runs[-1].output_tokens < first.output_tokens
    assert "<table>" in app.history.value and app.history.value.count("<tr>") == 1 + 4
    shown = _run_shown_code(app, runtime)
    assert json.loads(shown["response"]["body"].read())["completion"] == app.runs[-1].completion


def test_parameter_explorer_shows_errors_and_keeps_working(runtime, monkeypatch):
    app = widgets.parameter_explorer(runtime)
    monkeypatch.setenv("BEDROCK_SIMULATOR_LIFECYCLE", "current")  # Claude 2 has reached its end of life
    app.max_tokens.value = 30
    assert app.error is not None and "ResourceNotFoundException (404): This model version" in app.answer.value
    monkeypatch.delenv("BEDROCK_SIMULATOR_LIFECYCLE")
    app.max_tokens.value = 40
    assert app.error is None and app.runs[-1].max_tokens == 40


def test_parse_stops():
    assert widgets.parse_stops(" ., \\n ,!") == [".", "\n", "!"]
    assert widgets.parse_stops("") == []


@pytest.fixture
def west():
    return boto3.client("bedrock-runtime", region_name="us-west-2", config=NO_RETRIES)


def test_image_studio_offers_only_the_sizes_the_model_accepts(west):
    app = widgets.image_studio(west)
    assert [size for _, size in app.size.options] == images.allowed_sizes("stability.stable-diffusion-xl-v1")
    app.size.value = (832, 1216)
    app.model.value = "stability.stable-diffusion-xl-v0"
    assert [size for _, size in app.size.options] == images.allowed_sizes("stability.stable-diffusion-xl-v0")
    assert app.size.value == (512, 512), "SDXL 0.8 cannot draw 832x1216; the studio picks a size it can"
    assert app.run() is not None and app.last_image.size == (512, 512)


def test_image_studio_draws_what_its_controls_say(west, capsys):
    app = widgets.image_studio(west, seed=7)
    printed = capsys.readouterr().out
    first = images.fingerprint(app.last_image)
    assert first in printed.replace("\n  ", " ") and app.caption.value == first
    app.button.click()
    assert images.fingerprint(app.last_image) == first, "same request, same picture"
    for change in (
        lambda: setattr(app.seed, "value", 8),
        lambda: setattr(app.style, "value", "pixel-art"),
        lambda: setattr(app.negative, "value", "sun, clouds"),
    ):
        before = images.fingerprint(app.last_image)
        change()
        app.button.click()
        assert images.fingerprint(app.last_image) != before
    body = app.request()["body"]
    assert body["style_preset"] == "pixel-art" and [p["weight"] for p in body["text_prompts"]] == [1.0, -1.0, -1.0]
    shown = _run_shown_code(app, west)
    picture = images.images_of(json.loads(shown["response"]["body"].read()))[0]
    assert images.fingerprint(picture) == images.fingerprint(app.last_image)
    assert len(app.picture.value) > 0


def test_image_studio_shows_bedrock_errors_readably(west, monkeypatch):
    app = widgets.image_studio(west)
    monkeypatch.setenv("BEDROCK_SIMULATOR_LIFECYCLE", "current")
    assert app.run() is None
    assert "ResourceNotFoundException (404)" in app.caption.value and "end of its life" in app.caption.value
