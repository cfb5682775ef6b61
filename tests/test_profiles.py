"""helpers.profiles: one Region -> inference-profile helper, and the simulator agrees with it."""

from __future__ import annotations

import subprocess
import sys

import pytest

from helpers import profiles
from helpers.profiles import profile_id
from helpers.simulator import catalog, operations
from helpers.simulator.errors import BedrockError
from helpers.simulator.wire import Request

SONNET = "anthropic.claude-sonnet-4-6"
NOVA = "amazon.nova-micro-v1:0"
REGIONS = catalog.simulator_regions()


@pytest.mark.parametrize(
    ("model_id", "region", "scope", "expected"),
    [
        (SONNET, "us-east-1", "geo", f"us.{SONNET}"),
        (SONNET, "ca-central-1", "geo", f"us.{SONNET}"),  # Canada calls the US geography (Haiku 4.5 card)
        (SONNET, "eu-west-3", "geo", f"eu.{SONNET}"),
        (SONNET, "ap-northeast-1", "geo", f"jp.{SONNET}"),  # jp, not apac, for the Claude 4.5+ cards
        (SONNET, "ap-southeast-2", "geo", f"au.{SONNET}"),
        (SONNET, "ap-south-1", "global", f"global.{SONNET}"),
        (NOVA, "ap-northeast-1", "geo", f"apac.{NOVA}"),  # Nova v1 offers apac, not jp
        (NOVA, "eu-central-1", "geo", f"eu.{NOVA}"),
    ],
)
def test_profile_id_picks_the_geography_the_model_offers(model_id, region, scope, expected):
    assert profile_id(model_id, region, scope=scope) == expected


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        ((SONNET, "ap-south-1"), {}, "no geographic profile callable from ap-south-1.*scope='global'"),
        ((NOVA, "us-east-1"), {"scope": "global"}, "no global profile callable from us-east-1 .its profiles: us, eu"),
        (("amazon.titan-embed-text-v2:0", "us-east-1"), {}, "has no cross-region inference profile"),
        ((f"us.{SONNET}", "us-east-1"), {}, "already an inference-profile id; pass the model id"),
        ((SONNET, "useast1"), {}, "not a Region name such as 'us-east-1'"),
        ((SONNET, "us-east-1"), {"scope": "local"}, "scope must be 'geo' or 'global'"),
        (("acme.model-v1", "us-east-1"), {}, "not in the workshop's catalog .reviewed 2026-11-25.; pass its profile"),
        (("acme.model-v1", "us-east-1"), {"prefixes": ["usa"]}, "unknown profile prefix 'usa'; AWS documents us-gov"),
    ],
)
def test_bad_input_says_what_is_allowed(args, kwargs, message):
    with pytest.raises(ValueError, match=message):
        profile_id(*args, **kwargs)


def test_prefixes_argument_serves_a_model_the_catalog_does_not_know():
    assert profile_id("acme.model-v1", "eu-west-1", prefixes=("us", "eu")) == "eu.acme.model-v1"
    assert profile_id("acme.model-v1", "us-gov-west-1", prefixes=("us-gov",)) == "us-gov.acme.model-v1"
    with pytest.raises(ValueError, match="no global profile callable from us-gov-west-1"):
        profile_id("acme.model-v1", "us-gov-west-1", scope="global", prefixes=("global",))


def test_split_recognises_every_documented_prefix():
    for prefix in profiles.PREFIXES:
        assert profiles.split(f"{prefix}.{SONNET}") == (prefix, SONNET)
    assert profiles.split(SONNET) == (None, SONNET)
    assert profiles.split("ca.anthropic.claude-sonnet-4-6") == (
        None,
        "ca.anthropic.claude-sonnet-4-6",
    )  # not documented


def test_importing_the_helper_loads_no_simulator():
    code = "import helpers, helpers.profiles, helpers.iam, sys; print([m for m in sys.modules if 'simulator' in m])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


# ------------------------------------------------------------------ the simulator agrees


def _simulator_accepts(identifier: str, region: str) -> bool:
    request = Request(
        "POST", f"/model/{identifier}/invoke", {}, {}, b"{}", host=f"bedrock-runtime.{region}.amazonaws.com"
    )
    try:
        operations.resolve_invocable(request, identifier)
    except BedrockError:
        return False
    return True


def test_simulator_profile_regions_follow_the_helpers_geographies():
    for prefix in profiles.PREFIXES:
        expected = tuple(r for r in REGIONS if r in profiles.source_regions(prefix))
        assert catalog.profile_regions(prefix) == expected, prefix
    assert catalog.profile_regions("global") == REGIONS


@pytest.mark.parametrize("model", [m for m in catalog.all_models() if m.inference_profiles], ids=lambda m: m.model_id)
def test_every_profile_the_helper_names_is_one_the_simulator_accepts(model):
    """For each Region: the helper's answer is accepted, and when it refuses, so does the simulator."""
    for region in REGIONS:
        accepted = {p for p in profiles.PREFIXES if _simulator_accepts(f"{p}.{model.model_id}", region)}
        for scope in ("geo", "global"):
            try:
                chosen = profile_id(model.model_id, region, scope=scope)
            except ValueError:
                wanted = {"global"} if scope == "global" else set(profiles.PREFIXES) - {"global"}
                assert not accepted & wanted, (region, scope, accepted)
            else:
                assert chosen.split(".")[0] in accepted, (region, scope, chosen, accepted)
