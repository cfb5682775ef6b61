"""helpers.preflight: offline from the simulator (and its faults), live from the account (stubbed here)."""

from __future__ import annotations

import datetime as dt

import boto3
import pytest
from botocore.credentials import Credentials
from botocore.stub import Stubber

import helpers
from helpers import _setup

TITAN = "amazon.titan-embed-text-v2:0"
CLAUDE = "anthropic.claude-v2"
SONNET = "anthropic.claude-sonnet-4-20250514-v1:0"


def rows_of(report, model_id: str = "") -> dict[str, tuple[str, str, str]]:
    return {row.check: (row.status, row.detail, row.fix) for row in report.rows if row.group == model_id}


def test_offline_report_names_mode_versions_credentials_identity_and_region():
    report = helpers.preflight(models=[TITAN])
    general = rows_of(report)
    assert report.mode.startswith("OFFLINE") and report.region == "us-east-1"
    assert general["library versions"][0] == "ok" and "boto3 1." in general["library versions"][1]
    assert general["credentials"][0] == "ok" and "dummy keys" in general["credentials"][1]
    assert general["identity"] == (
        "ok",
        "account 12********12, arn:aws:iam::12********12:user/offline-workshop-learner",
        "",
    )
    assert general["region"][0] == "ok"
    model = rows_of(report, TITAN)
    assert model["offered in us-east-1"][0] == model["lifecycle"][0] == model["access"][0] == "ok"
    assert model["inference profile"] == ("ok", "not needed: the model answers on demand", "")
    assert model["allowed by IAM"][0] == "skip"
    assert report.ok and report.verdict() == "Preflight passed: nothing to fix."


def test_each_failing_row_says_how_to_fix_it():
    report = helpers.preflight(models=[SONNET, f"eu.{SONNET}", "anthropic.claude-v9", CLAUDE])
    assert rows_of(report, SONNET)["inference profile"] == (
        "fail",
        "needed: this model is not served on demand",
        f"call it as us.{SONNET} (a cross-region inference profile id)",
    )
    assert rows_of(report, f"eu.{SONNET}")["inference profile"][0] == "fail"
    unknown = rows_of(report, "anthropic.claude-v9")["offered in us-east-1"]
    assert unknown[0] == "fail" and "lesson 03" in unknown[2]
    legacy = rows_of(report, CLAUDE)["lifecycle"]
    from helpers.simulator import catalog

    assert legacy[0] == "warn" and "end of life 2025-07-21" in legacy[1]
    assert legacy[2] == f"move to {catalog.get(CLAUDE).successor}"
    assert len(report.problems) == 3 and not report.ok
    assert all(row.fix for row in report.rows if row.status in ("fail", "warn"))


def test_profile_ids_in_their_geography_pass():
    report = helpers.preflight(models=[f"us.{SONNET}"])
    assert rows_of(report, f"us.{SONNET}")["inference profile"][0] == "ok" and report.ok


def test_offline_access_follows_the_injected_access_denied_fault():
    with helpers.faults(access_denied=CLAUDE):
        report = helpers.preflight(models=[CLAUDE, TITAN])
    status, detail, fix = rows_of(report, CLAUDE)["access"]
    assert status == "fail" and "NOT_AVAILABLE" in detail and "aws-marketplace:Subscribe" in fix
    assert rows_of(report, TITAN)["access"][0] == "ok"


def test_another_region_is_checked_where_asked():
    report = helpers.preflight(models=[TITAN], region="eu-west-3")
    assert report.region == "eu-west-3" and "Bedrock answers in eu-west-3" in rows_of(report)["region"][1]


def test_plain_text_lines_fit_100_characters_and_html_escapes():
    with helpers.faults(access_denied=CLAUDE):
        report = helpers.preflight(models=[SONNET, "anthropic.claude-v9", CLAUDE])
    text = str(report)
    assert max(len(line) for line in text.splitlines()) <= 100
    assert "FAIL  inference profile" in text and "fix: call it as us." in text
    assert repr(report) == text
    page = report._repr_html_()
    assert page.count("<tr>") == len(report.rows) + 1 + 1 + 3  # header, setup and one title row per model
    assert "<script" not in page and "workshop&#x27;s" in page and "workshop's" not in page  # text is escaped


def test_bad_input_says_what_is_allowed():
    with pytest.raises(ValueError, match="'claude-v2' is not a Bedrock model id; expected provider.model"):
        helpers.preflight(models=["claude-v2"])
    with pytest.raises(TypeError, match="models must be a list of model ids, not int"):
        helpers.preflight(models=3)
    assert rows_of(helpers.preflight(models=TITAN), TITAN), "a single id string is taken as one model"


def test_the_module_stays_callable_after_a_plain_import():
    import helpers.preflight as module

    assert module is helpers.preflight and callable(helpers.preflight)
    assert isinstance(helpers.preflight(), module.Report)


# ------------------------------------------------------------------ live, against stubbed AWS clients


class StubbedSession:
    """What preflight asks of a boto3 Session, with every client's answers stubbed."""

    region_name = "us-east-1"
    profile_name = "workshop"

    def __init__(self, credentials, answers: dict[str, list[tuple[str, dict | str]]]):
        self._credentials = credentials
        self.stubbers: list[Stubber] = []
        self._answers = answers

    def get_credentials(self):
        return self._credentials

    def client(self, name: str, region_name: str | None = None):
        client = boto3.session.Session(
            aws_access_key_id="TEST-ONLY-FAKE-ACCESS-KEY", aws_secret_access_key="fake", region_name=region_name
        ).client(name)
        stubber = Stubber(client)
        for method, answer in self._answers.get(name, []):
            if isinstance(answer, str):
                stubber.add_client_error(
                    method, service_error_code=answer, service_message="denied", http_status_code=403
                )
            else:
                stubber.add_response(method, answer)
        stubber.activate()
        self.stubbers.append(stubber)
        return client


def model_details(model_id: str, status: str = "ACTIVE", types=("ON_DEMAND",)) -> dict:
    details = {
        "modelArn": f"arn:aws:bedrock:us-east-1::foundation-model/{model_id}",
        "modelId": model_id,
        "modelName": "Titan Text Embeddings V2",
        "providerName": "Amazon",
        "inferenceTypesSupported": list(types),
        "modelLifecycle": {"status": status},
    }
    if status == "LEGACY":
        details["modelLifecycle"]["endOfLifeTime"] = dt.datetime(2025, 7, 21, tzinfo=dt.UTC)
    return {"modelDetails": details}


AVAILABLE = {
    "modelId": TITAN,
    "agreementAvailability": {"status": "AVAILABLE"},
    "authorizationStatus": "AUTHORIZED",
    "entitlementAvailability": "AVAILABLE",
    "regionAvailability": "AVAILABLE",
}
ROLE_SESSION = "arn:aws:sts::123456789012:assumed-role/WorkshopRole/learner"


@pytest.fixture
def live(monkeypatch):
    monkeypatch.setattr(_setup._STATE, "offline", False)


def live_session(iam_answer, availability=AVAILABLE, sso_token="token") -> StubbedSession:
    credentials = Credentials("TEST-ONLY-FAKE-ACCESS-KEY", "fake-secret-for-tests", sso_token, method="sso")
    return StubbedSession(
        credentials,
        {
            "sts": [("get_caller_identity", {"Account": "123456789012", "Arn": ROLE_SESSION, "UserId": "AROA:x"})],
            "bedrock": [
                ("list_foundation_models", {"modelSummaries": []}),
                ("get_foundation_model", model_details(TITAN)),
                ("get_foundation_model_availability", availability),
            ],
            "iam": [("simulate_principal_policy", iam_answer)],
        },
    )


def test_live_report_reads_the_account_and_simulates_iam_for_the_role(live):
    allowed = {
        "EvaluationResults": [
            {"EvalActionName": "bedrock:InvokeModel", "EvalDecision": "allowed"},
            {"EvalActionName": "bedrock:InvokeModelWithResponseStream", "EvalDecision": "allowed"},
        ]
    }
    session = live_session(allowed)
    report = helpers.preflight(models=[TITAN], session=session)
    for stubber in session.stubbers:
        stubber.assert_no_pending_responses()
    general = rows_of(report)
    assert report.mode.startswith("LIVE")
    assert general["credentials"] == (
        "ok",
        "from IAM Identity Center (SSO) login, profile 'workshop' (temporary, with a session token)",
        "",
    )
    assert "fake-secret" not in str(report) and "TEST-ONLY" not in str(report), "never the secret, nor the key id"
    assert general["identity"][1] == "account 12********12, arn:aws:sts::12********12:assumed-role/WorkshopRole/learner"
    assert rows_of(report, TITAN)["allowed by IAM"][0] == "ok" and report.ok


def test_live_iam_denial_and_missing_access_fail_with_fixes(live):
    denied = {
        "EvaluationResults": [
            {"EvalActionName": "bedrock:InvokeModel", "EvalDecision": "implicitDeny"},
            {"EvalActionName": "bedrock:InvokeModelWithResponseStream", "EvalDecision": "allowed"},
        ]
    }
    no_access = AVAILABLE | {"entitlementAvailability": "NOT_AVAILABLE"}
    report = helpers.preflight(models=[TITAN], session=live_session(denied, no_access))
    model = rows_of(report, TITAN)
    assert model["allowed by IAM"] == (
        "fail",
        "denied: bedrock:InvokeModel",
        "attach a policy allowing them on this model (lesson 00 builds one)",
    )
    assert model["access"][0] == "fail" and len(report.problems) == 2


def test_live_without_permission_to_simulate_says_unknown(live):
    report = helpers.preflight(models=[TITAN], session=live_session("AccessDenied"))
    status, detail, fix = rows_of(report, TITAN)["allowed by IAM"]
    assert (status, detail) == ("unknown", "cannot simulate the policy (AccessDenied)")
    assert "iam:SimulatePrincipalPolicy" in fix and report.ok


def test_live_without_credentials_fails_early_with_the_fix(live):
    session = StubbedSession(None, {})
    report = helpers.preflight(session=session)
    assert rows_of(report)["credentials"] == (
        "fail",
        "none found",
        "run `aws configure` (access key) or `aws configure sso` and set AWS_PROFILE, then re-run",
    )


def test_iam_simulation_uses_the_role_behind_an_assumed_role_session():
    from helpers.preflight import _principal

    assert _principal(ROLE_SESSION) == "arn:aws:iam::123456789012:role/WorkshopRole"
    user = "arn:aws:iam::123456789012:user/someone"
    assert _principal(user) == user
