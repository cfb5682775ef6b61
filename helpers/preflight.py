"""`helpers.preflight(models=[...])`: what a lesson needs, checked before it runs, with a fix per problem.

It checks the library versions, where the credentials come from (never the secret), who you are
to AWS, the region, and for each model: offered in the region, lifecycle, whether an inference
profile is needed, model access, and whether IAM allows invoking it. Offline the simulator answers
(with any injected faults, so `access_denied` shows up here); live, your account does. It only
reads: nothing is invoked, nothing costs money.

In Jupyter the report shows as an HTML table; `print(report)` gives the same as plain text with
lines of at most 100 characters. This module is callable: `helpers.preflight(models=[...])`.
"""

from __future__ import annotations

import html
import re
import sys
import textwrap
import types
from collections.abc import Iterable
from dataclasses import dataclass, field

WIDTH = 100
MIN_BOTO3 = (1, 35, 0)  # requirements.txt's floor; Converse itself arrived in 1.34.116
_MODEL_ID = re.compile(
    r"^(?:arn:aws[a-z-]*:bedrock:[a-z0-9-]*:\d{0,12}:(?:foundation-model|inference-profile)/)?"
    r"[a-z0-9-]+\.[A-Za-z0-9.:-]+$"
)
# Friendlier names for botocore's credential providers (`Credentials.method`).
_SOURCES = {
    "env": "environment variables (AWS_ACCESS_KEY_ID, ...)",
    "shared-credentials-file": "the shared credentials file (~/.aws/credentials)",
    "config-file": "the AWS config file (~/.aws/config)",
    "sso": "IAM Identity Center (SSO) login",
    "assume-role": "an assumed role from your profile",
    "assume-role-with-web-identity": "a web identity token (AWS_WEB_IDENTITY_TOKEN_FILE)",
    "container-role": "the container's task role",
    "iam-role": "the instance profile of this machine",
    "custom-process": "a credential_process command",
    "login": "an `aws login` session",
}
STATUSES = ("ok", "fail", "warn", "unknown", "skip")
_MARK = {"ok": "ok", "fail": "FAIL", "warn": "WARN", "unknown": "??", "skip": "--"}
_COLOUR = {"ok": "#1a7f37", "fail": "#cf222e", "warn": "#9a6700", "unknown": "#6e7781", "skip": "#6e7781"}


@dataclass
class Row:
    """One check: what was checked, its status, what was found, and how to fix it if it failed."""

    check: str
    status: str
    detail: str
    fix: str = ""
    group: str = ""  # "" for the general checks, else the model id


@dataclass
class Report:
    """The checks' results; shows as HTML in Jupyter, as text with print()."""

    mode: str
    region: str
    rows: list[Row] = field(default_factory=list)

    @property
    def problems(self) -> list[Row]:
        return [row for row in self.rows if row.status == "fail"]

    @property
    def ok(self) -> bool:
        return not self.problems

    def verdict(self) -> str:
        n = len(self.problems)
        warnings = sum(row.status == "warn" for row in self.rows)
        if not n and warnings:
            return f"Preflight passed, with {warnings} warning{'s' if warnings != 1 else ''} to read."
        if not n:
            return "Preflight passed: nothing to fix."
        return f"Preflight found {n} problem{'s' if n != 1 else ''} to fix (see 'fix:' below each)."

    def text(self, width: int = WIDTH) -> str:
        lines = [f"Preflight | {self.mode} | region {self.region}"]
        group = None
        for row in self.rows:
            if row.group != group:
                group = row.group
                lines.append(f"model {group}" if group else "setup")
            head = f"  {_MARK[row.status]:<4}  {row.check:<22}  "
            lines += textwrap.wrap(
                row.detail, width, initial_indent=head, subsequent_indent=" " * len(head), break_on_hyphens=False
            ) or [head]
            if row.fix:
                lines += textwrap.wrap(
                    row.fix, width, initial_indent="        fix: ", subsequent_indent=" " * 13, break_on_hyphens=False
                )
        lines.append(self.verdict())
        return "\n".join(lines)

    __str__ = text

    def __repr__(self) -> str:
        return self.text()

    def _repr_html_(self) -> str:
        cell = 'style="text-align:left;padding:2px 8px;vertical-align:top"'
        out = [
            f"<p><b>Preflight</b> | {html.escape(self.mode)} | region <code>{html.escape(self.region)}</code></p>",
            '<table style="border-collapse:collapse">',
            f"<tr><th {cell}>check</th><th {cell}>status</th><th {cell}>found</th><th {cell}>how to fix</th></tr>",
        ]
        group = None
        for row in self.rows:
            if row.group != group:
                group = row.group
                title = f"model <code>{html.escape(group)}</code>" if group else "setup"
                out.append(f'<tr><th colspan="4" {cell}>{title}</th></tr>')
            colour = _COLOUR[row.status]
            out.append(
                f"<tr><td {cell}>{html.escape(row.check)}</td>"
                f'<td {cell}><b style="color:{colour}">{_MARK[row.status]}</b></td>'
                f"<td {cell}>{html.escape(row.detail)}</td><td {cell}>{html.escape(row.fix)}</td></tr>"
            )
        out.append("</table>")
        out.append(f"<p>{html.escape(self.verdict())}</p>")
        return "\n".join(out)


# ---------------------------------------------------------------- small helpers


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", text)[:3])


def _code(err: Exception) -> str:
    return getattr(err, "response", {}).get("Error", {}).get("Code", type(err).__name__)


def _message(err: Exception) -> str:
    return getattr(err, "response", {}).get("Error", {}).get("Message", str(err))


def _mask(account: str) -> str:
    return account[:2] + "*" * 8 + account[-2:] if len(account) == 12 else "(unknown)"


def split_model_id(model_id: str) -> tuple[str | None, str]:
    """(geography prefix of an inference-profile id, or None; the base model id), ARNs included."""
    from .profiles import split

    return split(model_id.rsplit("/", 1)[-1] if model_id.startswith("arn:") else model_id)


def _profile_for(base: str, region: str) -> str:
    """How to name a profile-only model from `region` (helpers.profiles knows each model's profiles)."""
    from .profiles import profile_id

    try:
        return f"call it as {profile_id(base, region)} (a cross-region inference profile id)"
    except ValueError as err:
        return f"call it through a cross-region inference profile ({err})"


def _check_models(models: object) -> list[str]:
    if isinstance(models, str):
        models = [models]
    if not isinstance(models, Iterable):
        raise TypeError(f"models must be a list of model ids, not {type(models).__name__}")
    ids = list(models)
    for model_id in ids:
        if not isinstance(model_id, str) or not _MODEL_ID.match(model_id):
            raise ValueError(
                f"{model_id!r} is not a Bedrock model id; expected provider.model, e.g. "
                "'amazon.titan-embed-text-v2:0', a profile id such as "
                "'us.anthropic.claude-sonnet-4-20250514-v1:0', or either's ARN"
            )
    return ids


def _successor(base: str) -> str | None:
    """The workshop catalog's suggested successor (data shipped with the simulator)."""
    from .simulator import catalog

    model = catalog.get(base)
    return model.successor if model else None


# ---------------------------------------------------------------- the checks


def _versions(report: Report) -> None:
    import boto3
    import botocore

    found = f"boto3 {boto3.__version__}, botocore {botocore.__version__}"
    session = boto3.session.Session()
    knows_runtime = "bedrock-runtime" in session.get_available_services()
    if not knows_runtime or _version(boto3.__version__) < MIN_BOTO3:
        report.rows.append(
            Row(
                "library versions",
                "fail",
                f"{found}: too old for this workshop" + ("" if knows_runtime else " (no bedrock-runtime)"),
                "pip install -U 'boto3>=1.35' then restart the kernel",
            )
        )
    else:
        report.rows.append(Row("library versions", "ok", f"{found} (the Converse API is there)"))


def _credentials(report: Report, session, offline: bool) -> None:
    if offline:
        report.rows.append(
            Row(
                "credentials",
                "ok",
                "offline: calls are signed with the workshop's dummy keys and answered in this process; "
                "your own keys, if any, are never used",
            )
        )
        return
    try:
        found = session.get_credentials()
        frozen = found.get_frozen_credentials() if found is not None else None
    except Exception as err:  # an expired SSO token or a broken profile
        report.rows.append(
            Row(
                "credentials",
                "fail",
                f"found but unusable: {type(err).__name__}: {err}",
                "for SSO run `aws sso login --profile NAME`; otherwise check the profile with `aws configure list`",
            )
        )
        return
    if frozen is None or not frozen.access_key:
        report.rows.append(
            Row(
                "credentials",
                "fail",
                "none found",
                "run `aws configure` (access key) or `aws configure sso` and set AWS_PROFILE, then re-run",
            )
        )
        return
    method = getattr(found, "method", "") or "unknown source"
    profile = session.profile_name if method in ("shared-credentials-file", "config-file", "sso", "assume-role") else ""
    where = _SOURCES.get(method, method) + (f", profile {profile!r}" if profile else "")
    temporary = " (temporary, with a session token)" if frozen.token else ""
    report.rows.append(Row("credentials", "ok", f"from {where}{temporary}"))


def _identity(report: Report, session, region: str) -> str | None:
    """Who the caller is (masked); returns the caller's ARN for the IAM check."""
    try:
        identity = session.client("sts", region_name=region).get_caller_identity()
    except Exception as err:
        report.rows.append(
            Row(
                "identity",
                "fail",
                f"sts get-caller-identity failed: {_code(err)}: {_message(err)}",
                "your credentials are invalid or expired: renew them (`aws sso login`, or new access keys)",
            )
        )
        return None
    account = identity.get("Account", "")
    arn = identity.get("Arn", "")
    report.rows.append(Row("identity", "ok", f"account {_mask(account)}, {arn.replace(account, _mask(account))}"))
    return arn


def _region(report: Report, bedrock, region: str | None) -> bool:
    if not region:
        report.rows.append(
            Row(
                "region",
                "fail",
                "no region configured",
                "set AWS_DEFAULT_REGION (e.g. us-east-1) or pass region_name= to boto3.client",
            )
        )
        return False
    try:
        listed = bedrock.list_foundation_models()["modelSummaries"]
    except Exception as err:
        if _code(err) == "AccessDeniedException":
            report.rows.append(
                Row(
                    "region",
                    "warn",
                    f"{region}: your identity may not call bedrock:ListFoundationModels",
                    "allow bedrock:ListFoundationModels (lesson 00's least-privilege policy has it)",
                )
            )
            return True
        report.rows.append(
            Row(
                "region",
                "fail",
                f"{region}: Bedrock did not answer ({_code(err)}: {_message(err)})",
                "choose a region where Bedrock runs, e.g. us-east-1 or us-west-2",
            )
        )
        return False
    report.rows.append(Row("region", "ok", f"Bedrock answers in {region} ({len(listed)} foundation models listed)"))
    return True


def _model_rows(bedrock, iam, caller_arn: str | None, model_id: str, region: str, offline: bool) -> list[Row]:
    prefix, base = split_model_id(model_id)
    rows: list[Row] = []

    def add(check: str, status: str, detail: str, fix: str = "") -> None:
        rows.append(Row(check, status, detail, fix, model_id))

    # offered in the region, and its lifecycle
    try:
        details = bedrock.get_foundation_model(modelIdentifier=base)["modelDetails"]
    except Exception as err:
        successor = _successor(base)
        fix = "list the models of this region (lesson 03) and copy an id from there"
        if successor:
            fix = f"if it was retired, move to its successor {successor}; else {fix}"
        add(f"offered in {region}", "fail", f"{_code(err)}: {_message(err)}", fix)
        return rows
    add(f"offered in {region}", "ok", f"{details['modelName']} by {details['providerName']}")
    lifecycle = details.get("modelLifecycle", {})
    status = lifecycle.get("status", "ACTIVE")
    if status == "LEGACY":
        end = lifecycle.get("endOfLifeTime")
        end_text = f", end of life {end:%Y-%m-%d}" if hasattr(end, "strftime") else ""
        successor = _successor(base)
        add(
            "lifecycle",
            "warn",
            f"LEGACY{end_text}: it may stop answering",
            f"move to {successor}" if successor else "move to a current model (lesson 03 lists successors)",
        )
    else:
        add("lifecycle", "ok", status)

    # on demand, or through an inference profile of the region's geography
    if prefix:
        from .profiles import source_regions

        if region in source_regions(prefix):
            add("inference profile", "ok", f"called through the {prefix}. cross-region inference profile")
        else:
            add(
                "inference profile",
                "fail",
                f"{prefix}. profiles cannot be called from {region}",
                _profile_for(base, region).replace("call it as", "from here, call", 1),
            )
    elif "ON_DEMAND" in details.get("inferenceTypesSupported", ["ON_DEMAND"]):
        add("inference profile", "ok", "not needed: the model answers on demand")
    else:
        add(
            "inference profile",
            "fail",
            "needed: this model is not served on demand",
            _profile_for(base, region),
        )

    # model access
    try:
        available = bedrock.get_foundation_model_availability(modelId=base)
    except AttributeError:
        add("access", "unknown", "this boto3 lacks GetFoundationModelAvailability", "pip install -U boto3")
    except Exception as err:
        add("access", "unknown", f"could not ask: {_code(err)}", "allow bedrock:GetFoundationModelAvailability")
    else:
        granted = (
            available.get("entitlementAvailability") == "AVAILABLE"
            and available.get("authorizationStatus") == "AUTHORIZED"
            and available.get("agreementAvailability", {}).get("status", "AVAILABLE") == "AVAILABLE"
        )
        if granted:
            add("access", "ok", "granted to this account")
        else:
            agreement = available.get("agreementAvailability", {})
            add(
                "access",
                "fail",
                "not granted (entitlement {}, authorization {}, agreement {})".format(
                    available.get("entitlementAvailability"),
                    available.get("authorizationStatus"),
                    agreement.get("status"),
                ),
                "a third-party model's first call subscribes the account on AWS Marketplace: allow "
                "aws-marketplace:Subscribe and ViewSubscriptions, add a payment method (lesson 00); "
                "Anthropic also asks once for a use-case form (console playground)",
            )

    # IAM
    if offline:
        add("allowed by IAM", "skip", "not checked offline: the simulator has no IAM")
    else:
        rows.append(_iam_row(iam, caller_arn, model_id, base, prefix, region))
    return rows


def _principal(arn: str) -> str:
    """The IAM principal to simulate: an assumed-role session becomes its role."""
    match = re.match(r"^arn:(aws[a-z-]*):sts::(\d{12}):assumed-role/([^/]+)/", arn)
    return f"arn:{match[1]}:iam::{match[2]}:role/{match[3]}" if match else arn


def _iam_row(iam, caller_arn: str | None, model_id: str, base: str, prefix: str | None, region: str) -> Row:
    actions = ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"]
    if not caller_arn:
        return Row("allowed by IAM", "unknown", "no identity to check", "fix the identity row first", model_id)
    if caller_arn.endswith(":root"):
        return Row(
            "allowed by IAM",
            "warn",
            "you are the account's root user: everything is allowed",
            "use an IAM user or role with a least-privilege policy (lesson 00)",
            model_id,
        )
    account = caller_arn.split(":")[4]
    if prefix:
        resource = f"arn:aws:bedrock:{region}:{account}:inference-profile/{model_id}"
    else:
        resource = f"arn:aws:bedrock:{region}::foundation-model/{base}"
    try:
        results = iam.simulate_principal_policy(
            PolicySourceArn=_principal(caller_arn), ActionNames=actions, ResourceArns=[resource]
        )["EvaluationResults"]
    except Exception as err:
        return Row(
            "allowed by IAM",
            "unknown",
            f"cannot simulate the policy ({_code(err)})",
            "ask for iam:SimulatePrincipalPolicy, or just try a small call (lesson 00)",
            model_id,
        )
    denied = [r["EvalActionName"] for r in results if r.get("EvalDecision") != "allowed"]
    if denied:
        return Row(
            "allowed by IAM",
            "fail",
            "denied: " + ", ".join(denied),
            "attach a policy allowing them on this model (lesson 00 builds one)",
            model_id,
        )
    return Row("allowed by IAM", "ok", "InvokeModel and InvokeModelWithResponseStream allowed", "", model_id)


# ---------------------------------------------------------------- entry point


def preflight(models: Iterable[str] | str = (), *, region: str | None = None, session=None) -> Report:
    """Check versions, credentials, identity, region and each model; returns a Report to display or print.

    `models` are model ids as a lesson calls them (base ids, profile ids such as
    'us.anthropic.claude-sonnet-4-20250514-v1:0', or ARNs). `region` defaults to your configured
    one; `session` to a new boto3.Session().
    """
    import boto3

    from . import _setup

    ids = _check_models(models)
    session = session or boto3.session.Session()
    region = region or session.region_name
    offline = _setup.offline()
    mode = "OFFLINE: the workshop's simulator answers" if offline else "LIVE: your AWS account answers"
    report = Report(mode, region or "(none)")
    _versions(report)
    _credentials(report, session, offline)
    if not region:
        _region(report, None, region)
        return report
    caller = _identity(report, session, region)
    bedrock = session.client("bedrock", region_name=region)
    if not _region(report, bedrock, region):
        return report
    iam = None if offline else session.client("iam", region_name=region)
    for model_id in ids:
        report.rows += _model_rows(bedrock, iam, caller, model_id, region, offline)
    return report


class _CallableModule(types.ModuleType):
    """Lets `helpers.preflight(...)` call this module's `preflight` (the module and the function share a name)."""

    def __call__(self, models: Iterable[str] | str = (), **kwargs) -> Report:
        return preflight(models, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
