"""`helpers.setup()`: mode choice, what it prints, which clients it answers, and clean switching.

No test here may reach AWS: clients that could send are pointed at http://127.0.0.1:9 (nothing
listens there) with retries off, and live mode always has fake credentials in the environment so
botocore never probes the EC2 metadata service.
"""

from __future__ import annotations

import json

import boto3
import botocore.session
import botocore.utils
import pytest
from botocore.config import Config
from botocore.exceptions import EndpointConnectionError, NoCredentialsError

import helpers
from helpers import _setup
from tests.conftest import NO_RETRIES, invoke

UNROUTABLE = "http://127.0.0.1:9"
FAKE_KEYS = {"AWS_ACCESS_KEY_ID": "TEST-ONLY-FAKE-ACCESS-KEY", "AWS_SECRET_ACCESS_KEY": "fake-secret-for-tests"}
KEYS = {"aws_access_key_id": FAKE_KEYS["AWS_ACCESS_KEY_ID"], "aws_secret_access_key": "fake"}
TITAN = "amazon.titan-embed-text-v1"


@pytest.fixture(autouse=True)
def no_metadata_probe(monkeypatch):
    """Refuse, and report, any attempt to reach the EC2 metadata service (it would be network)."""
    probes = []

    def guarded(fetcher):
        if fetcher._disabled:
            raise fetcher._RETRIES_EXCEEDED_ERROR_CLS()
        probes.append(fetcher)
        raise fetcher._RETRIES_EXCEEDED_ERROR_CLS()

    monkeypatch.setattr(botocore.utils.IMDSFetcher, "_assert_enabled", guarded)
    yield
    assert not probes, "something tried to reach the EC2 metadata service"


@pytest.fixture
def clean(monkeypatch):
    """No region, no credentials, no mode variable; offline again (quietly) afterwards."""
    for name in ("AWS_DEFAULT_REGION", "AWS_REGION", "BEDROCK_WORKSHOP_MODE", *FAKE_KEYS):
        monkeypatch.delenv(name, raising=False)
    helpers.setup("offline", quiet=True)  # let setup() itself own the region it sets
    yield monkeypatch
    for name, value in FAKE_KEYS.items():  # never leave live mode without credentials
        monkeypatch.setenv(name, value)
    helpers.setup("offline", quiet=True)


def with_fake_credentials(monkeypatch):
    for name, value in FAKE_KEYS.items():
        monkeypatch.setenv(name, value)


def embed_ok(client) -> None:
    body, _ = invoke(client, TITAN, {"inputText": "hi"})
    assert len(body["embedding"]) == 1536


# ------------------------------------------------------------------ choosing the mode


def test_explicit_offline_prints_two_short_lines_and_describes_the_choice(clean, capsys):
    choice = helpers.setup("offline")
    out = capsys.readouterr().out
    assert out.count("\n") == 2 and out.startswith("Bedrock workshop: OFFLINE"), out
    assert max(len(line) for line in out.splitlines()) <= 100, "JupyterLab would wrap it mid-word"
    assert "OFFLINE" in out and "us-east-1" in out and "helpers.setup('live')" in out
    assert "BEDROCK_WORKSHOP_MODE=live" in out
    assert isinstance(choice, helpers.Setup)
    assert (choice.mode, choice.requested, choice.region, choice.offline) == ("offline", "offline", "us-east-1", True)


def test_live_line_says_how_to_go_offline(clean, capsys):
    with_fake_credentials(clean)
    choice = helpers.setup("live")
    out = capsys.readouterr().out
    assert 2 <= out.count("\n") <= 3 and out.startswith("Bedrock workshop: LIVE") and "helpers.setup('offline')" in out
    assert max(len(line) for line in out.splitlines()) <= 100
    assert choice.mode == "live" and not choice.offline


def test_mode_comes_from_environment_when_not_given(clean):
    with_fake_credentials(clean)
    clean.setenv("BEDROCK_WORKSHOP_MODE", "live")
    assert helpers.setup(quiet=True).mode == "live"
    clean.setenv("BEDROCK_WORKSHOP_MODE", "OFFLINE")  # case and spaces are forgiven
    assert helpers.setup(quiet=True).mode == "offline"


def test_argument_beats_environment(clean):
    clean.setenv("BEDROCK_WORKSHOP_MODE", "live")
    choice = helpers.setup("offline", quiet=True)
    assert choice.mode == "offline" and "argument" in choice.reason


def test_auto_without_credentials_is_offline(clean):
    choice = helpers.setup(quiet=True)  # no argument, no variable: auto
    assert (choice.requested, choice.mode) == ("auto", "offline")
    assert "no AWS credentials" in choice.reason


def test_auto_with_credentials_is_live(clean):
    with_fake_credentials(clean)
    choice = helpers.setup("auto", quiet=True)
    assert (choice.requested, choice.mode) == ("auto", "live")


@pytest.mark.parametrize("bad", ["online", "record-ish"])
def test_unknown_mode_is_refused_with_the_choices(clean, bad):
    with pytest.raises(ValueError, match="live, offline, auto"):
        helpers.setup(bad, quiet=True)
    clean.setenv("BEDROCK_WORKSHOP_MODE", bad)
    with pytest.raises(ValueError, match="BEDROCK_WORKSHOP_MODE"):
        helpers.setup(quiet=True)


# ------------------------------------------------------------------ region and credentials offline


def test_offline_defaults_region_and_removes_it_when_going_live(clean):
    import os

    helpers.setup("offline", quiet=True)
    assert os.environ["AWS_DEFAULT_REGION"] == "us-east-1"
    client = boto3.client("bedrock-runtime", config=NO_RETRIES)  # no region_name anywhere
    assert client.meta.region_name == "us-east-1"
    embed_ok(client)
    with_fake_credentials(clean)
    helpers.setup("live", quiet=True)
    assert "AWS_DEFAULT_REGION" not in os.environ


def test_offline_keeps_a_region_the_learner_chose(clean):
    import os

    clean.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    choice = helpers.setup("offline", quiet=True)
    assert choice.region == "eu-west-1"
    with_fake_credentials(clean)
    helpers.setup("live", quiet=True)
    assert os.environ["AWS_DEFAULT_REGION"] == "eu-west-1"  # not ours to remove


def test_offline_disables_the_metadata_probe_and_live_gives_it_back(clean):
    import os

    clean.delenv("AWS_EC2_METADATA_DISABLED", raising=False)
    helpers.setup("offline", quiet=True)
    assert os.environ["AWS_EC2_METADATA_DISABLED"] == "true"
    with_fake_credentials(clean)
    helpers.setup("live", quiet=True)
    assert "AWS_EC2_METADATA_DISABLED" not in os.environ
    # Hand the variable back to the test environment (conftest.py sets it for every test).
    clean.setenv("AWS_EC2_METADATA_DISABLED", "true")
    _setup._STATE.imds_set_by_us = False


def test_offline_without_credentials_signs_with_obvious_dummy_keys(clean):
    seen = []
    client = boto3.client("bedrock-runtime", config=NO_RETRIES)
    client.meta.events.register("before-send.bedrock-runtime", lambda request, **_: seen.append(request.headers))
    embed_ok(client)
    auth = seen[0]["Authorization"]
    auth = auth.decode() if isinstance(auth, bytes) else auth
    assert auth.startswith("AWS4-HMAC-SHA256 Credential=OFFLINE-WORKSHOP-DUMMY-KEY/")
    assert "/us-east-1/bedrock/aws4_request" in auth


# ------------------------------------------------------------------ which clients are answered


def test_default_session_new_session_and_plain_botocore_session_are_answered():
    embed_ok(boto3.client("bedrock-runtime", region_name="us-east-1", config=NO_RETRIES))
    embed_ok(boto3.Session().client("bedrock-runtime", region_name="us-east-1", config=NO_RETRIES))
    third_party = botocore.session.get_session().create_client(
        "bedrock-runtime", region_name="us-east-1", config=NO_RETRIES
    )
    embed_ok(third_party)
    control = botocore.session.get_session().create_client("bedrock", region_name="us-east-1", config=NO_RETRIES)
    assert control.list_foundation_models()["modelSummaries"]


def test_clients_with_their_own_endpoint_url_are_still_answered_offline():
    client = boto3.client("bedrock-runtime", region_name="us-east-1", endpoint_url=UNROUTABLE, config=NO_RETRIES)
    embed_ok(client)


def test_each_call_is_answered_once_however_often_setup_ran(monkeypatch):
    from helpers.simulator import transport

    for _ in range(3):
        helpers.setup("offline", quiet=True)
    client = boto3.client("bedrock-runtime", region_name="us-east-1", config=NO_RETRIES)
    for _ in range(2):
        helpers.setup("offline", quiet=True)
    calls = []
    original = transport.serve

    def counting(request, service):
        calls.append(request.path)
        return original(request, service)

    monkeypatch.setattr(transport, "serve", counting)
    embed_ok(client)
    embed_ok(boto3.client("bedrock-runtime", region_name="us-east-1", config=NO_RETRIES))
    assert len(calls) == 2, calls


@pytest.mark.parametrize(
    "event",
    [
        "before-send.s3.GetObject",
        "before-send.dynamodb.GetItem",
        "before-send.sts.AssumeRole",
        "before-send.bedrock-agent-runtime.Retrieve",
        "before-send.bedrock-agent.ListAgents",
    ],
)
def test_other_services_are_never_answered(event):
    assert _setup._before_send(object(), event_name=event) is None


@pytest.mark.parametrize(
    ("service", "call"),
    [
        ("s3", lambda c: c.list_buckets()),
        ("dynamodb", lambda c: c.list_tables()),
    ],
)
def test_other_service_clients_go_to_the_network_offline(service, call):
    client = boto3.client(service, region_name="us-east-1", endpoint_url=UNROUTABLE, config=NO_RETRIES, **KEYS)
    with pytest.raises(EndpointConnectionError):
        call(client)


def test_sts_get_caller_identity_is_answered_with_an_obviously_fake_account():
    sts = boto3.client("sts", region_name="us-east-1", config=NO_RETRIES)
    who = sts.get_caller_identity()
    assert who["Account"] == "123456789012"
    assert who["Arn"].startswith("arn:aws:iam::123456789012:")
    assert who["ResponseMetadata"]["RequestId"]


def test_other_sts_calls_are_not_faked():
    sts = boto3.client("sts", region_name="us-east-1", endpoint_url=UNROUTABLE, config=NO_RETRIES, **KEYS)
    with pytest.raises(EndpointConnectionError):
        sts.get_session_token()


# ------------------------------------------------------------------ switching


def test_offline_then_live_stops_answering_and_back_again(clean):
    client_args = {"region_name": "us-east-1", "endpoint_url": UNROUTABLE, "config": NO_RETRIES}
    embed_ok(boto3.client("bedrock-runtime", **client_args))
    with_fake_credentials(clean)
    helpers.setup("live", quiet=True)
    assert _setup._before_send(object(), event_name="before-send.bedrock-runtime.InvokeModel") is None
    for service, call in (
        ("bedrock-runtime", lambda c: c.invoke_model(modelId=TITAN, body=json.dumps({"inputText": "hi"}))),
        ("bedrock", lambda c: c.list_foundation_models()),
        ("sts", lambda c: c.get_caller_identity()),
    ):
        with pytest.raises(EndpointConnectionError):
            call(boto3.client(service, **client_args))
    helpers.setup("offline", quiet=True)
    embed_ok(boto3.client("bedrock-runtime", **client_args))


def test_live_without_credentials_fails_before_sending(clean):
    helpers.setup("live", quiet=True)
    clean.setenv("AWS_EC2_METADATA_DISABLED", "true")
    # A new session: boto3's default one may hold credentials an earlier test put in the environment.
    client = boto3.Session().client(
        "bedrock-runtime", region_name="us-east-1", endpoint_url=UNROUTABLE, config=NO_RETRIES
    )
    with pytest.raises(NoCredentialsError):
        client.invoke_model(modelId=TITAN, body=b"{}")


def test_offline_client_answers_with_standard_retry_config():
    client = boto3.client("bedrock-runtime", region_name="us-east-1", config=Config(retries={"mode": "standard"}))
    embed_ok(client)


# ------------------------------------------------------------------ import cost


def test_import_helpers_is_light():
    """`import helpers` loads no simulator, numpy or jsonschema: those wait for the first offline call."""
    import subprocess
    import sys

    code = (
        "import sys, time; t = time.perf_counter(); import helpers; t = time.perf_counter() - t; "
        "heavy = [m for m in ('helpers.simulator', 'numpy', 'jsonschema') if m in sys.modules]; print(t, heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split(" ", 1)
    assert out[1].strip() == "[]"
    assert float(out[0]) < 2.0  # typically about 0.1 s, nearly all of it botocore


def test_offline_never_refreshes_the_learners_real_credentials():
    """An expired SSO or assume-role session would need the network to refresh: offline must not ask."""
    import datetime as dt

    from botocore.credentials import RefreshableCredentials

    refreshes = []

    def refresh():
        refreshes.append(1)
        raise RuntimeError("refreshing credentials needs the network")

    expired = (dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)).isoformat()
    session = botocore.session.get_session()
    session._credentials = RefreshableCredentials.create_from_metadata(
        {"access_key": "ASIAEXPIRED", "secret_key": "s", "token": "t", "expiry_time": expired},
        refresh_using=refresh,
        method="sso",
    )
    embed_ok(session.create_client("bedrock-runtime", region_name="us-east-1", config=NO_RETRIES))
    assert refreshes == []


def test_offline_keeps_real_key_ids_out_of_requests():
    seen = []
    client = boto3.client("bedrock-runtime", region_name="us-east-1", config=NO_RETRIES, **KEYS)
    client.meta.events.register("before-send.bedrock-runtime", lambda request, **_: seen.append(request.headers))
    embed_ok(client)
    auth = seen[0]["Authorization"]
    auth = auth.decode() if isinstance(auth, bytes) else auth
    assert "OFFLINE-WORKSHOP-DUMMY-KEY" in auth and KEYS["aws_access_key_id"] not in auth
