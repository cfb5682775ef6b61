"""The one dispatch pipeline: routes, hooks, not-simulated operations, internal errors, settings."""

from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import ClientError

import helpers
from helpers.simulator import dispatch, settings
from helpers.simulator.wire import Request

from .conftest import NO_RETRIES, error_of, invoke

TITAN = "amazon.titan-embed-text-v1"


def test_an_operation_the_simulator_lacks_says_so_by_name(runtime):
    with pytest.raises(ClientError) as exc:
        runtime.apply_guardrail(
            guardrailIdentifier="gr-1", guardrailVersion="1", source="INPUT", content=[{"text": {"text": "hi"}}]
        )
    code, message, status = error_of(exc)
    assert (code, status) == ("OperationNotSimulatedOffline", 501)
    assert message.startswith("bedrock-runtime ApplyGuardrail is not simulated offline")
    assert "helpers.setup('live')" in message


def test_a_control_plane_operation_the_simulator_lacks_is_named_too(bedrock):
    with pytest.raises(ClientError) as exc:
        bedrock.list_custom_models()
    code, message, status = error_of(exc)
    assert (code, status) == ("OperationNotSimulatedOffline", 501)
    assert message.startswith("bedrock ListCustomModels is not simulated offline")


def test_a_path_no_bedrock_operation_has_is_answered_plainly():
    response = dispatch.handle(Request("GET", "/no/such/thing", {}, {}, b""))
    assert response.status == 501
    assert b"No Bedrock operation is served at GET /no/such/thing" in response.body


def test_a_bug_inside_the_simulator_becomes_an_internal_server_exception(runtime, monkeypatch):
    def broken(request, model_id):
        raise KeyError("boom")

    routes = [
        dispatch.Route(r.service, r.operation, r.method, r.pattern, broken) if r.operation == "InvokeModel" else r
        for r in dispatch.ROUTES
    ]
    monkeypatch.setattr(dispatch, "ROUTES", routes)
    with pytest.raises(runtime.exceptions.InternalServerException) as exc:
        invoke(runtime, TITAN, {"inputText": "x"})
    code, message, status = error_of(exc)
    assert status == 500
    assert "offline Bedrock simulator failed while answering InvokeModel (KeyError: 'boom')" in message


def test_hooks_wrap_every_operation_in_order_and_can_answer_instead(runtime):
    seen = []

    def outer(call, proceed):
        seen.append(("outer", call.service, call.operation, call.model_id))
        return proceed()

    def refuse(call, proceed):
        if call.model_id == "amazon.titan-embed-text-v2:0":
            raise dispatch.BedrockError("ThrottlingException", "Too many requests, please wait before trying again.")
        seen.append(("inner", call.operation))
        return proceed()

    with dispatch.hooked(refuse), dispatch.hooked(outer):
        invoke(runtime, TITAN, {"inputText": "x"})
        with pytest.raises(runtime.exceptions.ThrottlingException):
            invoke(runtime, "amazon.titan-embed-text-v2:0", {"inputText": "x"})
    assert seen == [
        ("outer", "bedrock-runtime", "InvokeModel", TITAN),
        ("inner", "InvokeModel"),
        ("outer", "bedrock-runtime", "InvokeModel", "amazon.titan-embed-text-v2:0"),
    ]
    invoke(runtime, "amazon.titan-embed-text-v2:0", {"inputText": "x"})  # removed on exit


def test_sts_is_a_route_like_any_other():
    found = dispatch.match(Request("POST", "/", {}, {}, b"Action=GetCallerIdentity&Version=2011-06-15"), "sts")
    assert found and found[0].operation == "GetCallerIdentity"
    identity = boto3.client("sts", region_name="us-east-1", config=NO_RETRIES).get_caller_identity()
    assert identity["Account"] == "123456789012"


@pytest.mark.parametrize(
    ("name", "value", "says"),
    [
        (settings.LIFECYCLE, "retired", "allowed: 'preserved' or 'current'"),
        (settings.DATE, "next week", "use YYYY-MM-DD"),
        (settings.LATENCY_SCALE, "-1", "must be 0 or more"),
        (settings.LATENCY_SCALE, "nan", "must be 0 or more"),
    ],
)
def test_a_bad_setting_is_named_at_setup_and_on_the_next_call(monkeypatch, runtime, name, value, says):
    monkeypatch.setenv(name, value)
    with pytest.raises(settings.SettingsError, match=name) as exc:
        helpers.setup("offline", quiet=True)
    assert says in str(exc.value)
    with pytest.raises(settings.SettingsError, match=name):
        invoke(runtime, TITAN, {"inputText": "x"})
    monkeypatch.delenv(name)
    invoke(runtime, TITAN, {"inputText": "x"})  # fixed variable, next call works: nothing cached wrongly


def test_settings_follow_the_environment_without_rereading_every_call(monkeypatch):
    monkeypatch.setenv(settings.LATENCY_SCALE, "0.25")
    first = settings.current()
    assert first.latency_scale == 0.25 and settings.current() is first
    monkeypatch.setenv(settings.LIFECYCLE, "current")
    assert settings.current().lifecycle == "current"


def test_setup_says_who_answers():
    assert helpers.setup("offline", quiet=True).answered_by == "simulator"
    assert helpers.setup("live", quiet=True).answered_by == "aws"
    helpers.setup("offline", quiet=True)


def test_live_mode_sends_simulated_services_to_aws():
    from helpers import _setup

    helpers.setup("live", quiet=True)
    try:
        assert _setup._before_send(object(), event_name="before-send.bedrock-runtime.InvokeModel") is None
    finally:
        helpers.setup("offline", quiet=True)
