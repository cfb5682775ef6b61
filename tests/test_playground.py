"""helpers.playground without a browser: its model list, requests, streaming, compare, chat, code and errors."""

from __future__ import annotations

import html
import json

import boto3
import pytest
from botocore.exceptions import ClientError

from helpers import playground as pg
from helpers import prices
from tests.conftest import NO_RETRIES

pytest.importorskip("ipywidgets")


@pytest.fixture
def control():
    return boto3.client("bedrock", region_name="us-east-1", config=NO_RETRIES)


@pytest.fixture
def converse_simulated(runtime):
    """Skip until the simulator answers Converse (it says by name when an operation is not simulated)."""
    try:
        runtime.converse(modelId="amazon.nova-micro-v1:0", messages=[pg.user_turn("hi")])
    except ClientError as exc:
        if "not simulated" in str(exc).lower() or exc.response["ResponseMetadata"]["HTTPStatusCode"] == 501:
            pytest.skip("the offline simulator does not answer Converse on this branch yet")
        raise


def test_model_list_is_converse_text_models_with_their_life_cycle(control):
    options = pg.text_models(control, "us-east-1")
    ids = {o.model_id: o for o in options}
    assert "amazon.nova-micro-v1:0" in ids and "anthropic.claude-3-haiku-20240307-v1:0" in ids
    assert "ai21.j2-ultra-v1" not in ids, "Jurassic-2 is not served by Converse"
    assert "amazon.titan-embed-text-v2:0" not in ids and "stability.sd3-5-large-v1:0" not in ids
    assert {o.status for o in options} == {"ACTIVE", "LEGACY"}
    statuses = [o.status for o in options]
    assert statuses == sorted(statuses, key=lambda s: s != "ACTIVE"), "active models first"
    profiled = [o for o in options if o.call_id != o.model_id]
    assert profiled and all(o.call_id == f"us.{o.model_id}" for o in profiled), "profiles for us-east-1"
    assert ids["amazon.nova-micro-v1:0"].call_id == "amazon.nova-micro-v1:0"
    assert ids["amazon.nova-micro-v1:0"].max_tokens == 10000
    assert "LEGACY" in ids["anthropic.claude-v2"].label


def test_converse_request_sends_only_what_is_set():
    option = pg.ModelOption("m", "us.m", "M", "P", "ACTIVE", 100)
    request = pg.converse_request(option, [pg.user_turn("hi")], max_tokens=50, temperature=0.333)
    assert request == {
        "modelId": "us.m",
        "messages": [{"role": "user", "content": [{"text": "hi"}]}],
        "inferenceConfig": {"maxTokens": 50, "temperature": 0.33},
    }
    request = pg.converse_request(option, [], system="Be brief.", top_p=0.9)
    assert request["system"] == [{"text": "Be brief."}] and request["inferenceConfig"] == {
        "maxTokens": 300,
        "topP": 0.9,
    }


def test_controls_follow_the_model_limits(runtime, control):
    app = pg.Playground(runtime, control, "us-east-1")
    app.max_tokens.value = 4000
    app.model.value = "meta.llama3-8b-instruct-v1:0"
    assert (app.max_tokens.max, app.max_tokens.value) == (2048, 2048)
    app.model.value = "anthropic.claude-haiku-4-5-20251001-v1:0"
    assert app.max_tokens.max == 64000 and "not both" in app.limits.value
    assert (app.temperature.min, app.temperature.max, app.top_p.min, app.top_p.max) == (0, 1, 0, 1)
    app.compare.value = "amazon.nova-lite-v1:0"
    assert len(app.columns.children) == 2
    app.compare.value = ""
    assert len(app.columns.children) == 1


def test_prices_estimate_per_model_and_profile():
    assert prices.estimate("amazon.nova-micro-v1:0", 1000, 1000) == pytest.approx(0.000035 + 0.00014)
    assert prices.estimate("us.anthropic.claude-3-5-haiku-20241022-v1:0", 2000, 0) == pytest.approx(0.0016)
    assert prices.estimate("some.unknown-model", 10, 10) is None
    assert prices.describe(None) == "no price in the workshop's table"


def test_send_streams_the_same_answer_converse_gives(runtime, control, converse_simulated, capsys):
    app = pg.playground(runtime, control)
    printed = capsys.readouterr().out
    reply = app.replies[0]
    plain = runtime.converse(**app.request())
    assert reply.text == plain["output"]["message"]["content"][0]["text"]
    assert reply.stop_reason == plain["stopReason"] and reply.usage == plain["usage"]
    usage = plain["usage"]
    assert reply.cost == prices.estimate("amazon.nova-micro-v1:0", usage["inputTokens"], usage["outputTokens"])
    assert "tokens in" in app.panels[0].readout.value and html.escape(reply.text[:30]) in app.panels[0].answer.value
    assert printed.startswith("Bedrock playground:") and "First answer, Nova Micro" in " ".join(printed.split())
    assert all(len(line) <= 100 for line in printed.splitlines())


def test_compare_and_chat(runtime, control, converse_simulated):
    app = pg.Playground(runtime, control, "us-east-1")
    app.compare.value = "anthropic.claude-3-haiku-20240307-v1:0"
    replies = app.send()
    assert [r.option.model_id for r in replies] == ["amazon.nova-micro-v1:0", "anthropic.claude-3-haiku-20240307-v1:0"]
    assert replies[0].text != replies[1].text and app.history == [], "no history outside chat mode"
    app.compare.value = ""
    app.chat.value = True
    first = app.send()[0]
    app.prompt.value = "Say that again in one sentence."
    second = app.send()[0]
    assert [t["role"] for t in app.history] == ["user", "assistant", "user", "assistant"]
    assert second.usage["inputTokens"] > first.usage["inputTokens"], "the whole history is sent again"
    assert "conversation so far (4 turns)" in app.transcript.value
    app.clear.click()
    assert app.history == [] and app.transcript.value == ""


def test_errors_show_in_the_app_and_it_keeps_working(runtime, control, converse_simulated):
    app = pg.Playground(runtime, control, "us-east-1")
    app.model.value = "anthropic.claude-haiku-4-5-20251001-v1:0"
    app.use_top_p.value = True  # temperature and top_p together: this model refuses
    assert app.send() == []
    shown = html.unescape(app.panels[0].readout.value)
    assert "ValidationException (400)" in shown and "cannot both be specified" in shown
    app.use_top_p.value = False
    assert len(app.send()) == 1 and "tokens in" in app.panels[0].readout.value


def test_show_code_is_the_exact_call(runtime, control, converse_simulated):
    app = pg.Playground(runtime, control, "us-east-1")
    app.system.value = "Answer briefly."
    app.show_code.value = True
    code = app.code_text()
    assert html.escape('system=[{"text": "Answer briefly."}]') in app.code.value
    namespace: dict = {}
    exec(
        code.replace('boto3.client("bedrock-runtime", region_name="us-east-1")', "runtime"),
        {"boto3": boto3, "runtime": runtime, "print": lambda *a, **k: None} | namespace,
        namespace,
    )
    assert "response" in namespace
    reply = app.send()[0]
    streamed = runtime.converse_stream(**json.loads(json.dumps(app.request())))
    text = "".join(e["contentBlockDelta"]["delta"]["text"] for e in streamed["stream"] if "contentBlockDelta" in e)
    assert text == reply.text


def test_exercise_10_a_25_token_cap_stops_the_answer_there(runtime, converse_simulated):
    question = [{"role": "user", "content": [{"text": "Explain Amazon Bedrock in detail."}]}]
    solved = runtime.converse(modelId="amazon.nova-micro-v1:0", messages=question, inferenceConfig={"maxTokens": 25})
    assert solved["stopReason"] == "max_tokens" and solved["usage"]["outputTokens"] == 25
    start = runtime.converse(modelId="amazon.nova-micro-v1:0", messages=question, inferenceConfig={"maxTokens": 300})
    assert start["stopReason"] != "max_tokens", "the committed starting point must not already pass"
