"""helpers.drift: a live listing compared with the catalog (lesson 03's live-only cell)."""

from __future__ import annotations

import copy
import datetime as dt

import pytest

from helpers.drift import compare


@pytest.fixture
def listing(bedrock, monkeypatch):
    """What today's AWS would list in us-east-1 if the catalog were exact: the simulator in 'current' mode."""
    monkeypatch.setenv("BEDROCK_SIMULATOR_LIFECYCLE", "current")
    return bedrock.list_foundation_models()["modelSummaries"]


def test_the_simulators_own_current_listing_shows_no_drift(listing):
    drift = compare(listing, "us-east-1")
    assert drift.up_to_date
    assert drift.report() == "us-east-1: live listing against the workshop catalog of 2026-11-25: no drift"


def test_a_fabricated_live_listing_shows_each_kind_of_drift(listing):
    live = copy.deepcopy(listing)
    by_id = {s["modelId"]: s for s in live}
    live.remove(by_id["amazon.titan-embed-text-v1"])  # AWS retired it
    live.append(dict(by_id["amazon.nova-micro-v1:0"], modelId="amazon.nova-3-micro-v1:0"))  # a new model
    live.append(
        dict(
            by_id["amazon.nova-micro-v1:0"],
            modelId="amazon.nova-micro-v1:0:128k",
            inferenceTypesSupported=["PROVISIONED"],
        )
    )
    haiku = by_id["anthropic.claude-haiku-4-5-20251001-v1:0"]
    haiku["modelLifecycle"] = {
        "status": "LEGACY",
        "startOfLifeTime": haiku["modelLifecycle"]["startOfLifeTime"],
        "legacyTime": dt.datetime(2026, 11, 20, tzinfo=dt.UTC),
        "endOfLifeTime": dt.datetime(2027, 5, 20, tzinfo=dt.UTC),
    }
    haiku["inferenceTypesSupported"] = ["INFERENCE_PROFILE"]
    by_id["mistral.mistral-7b-instruct-v0:2"]["responseStreamingSupported"] = False

    drift = compare(live, "us-east-1")
    assert drift.only_live == ["amazon.nova-3-micro-v1:0"]
    assert drift.only_catalog == ["amazon.titan-embed-text-v1"]
    assert drift.changed == {
        "anthropic.claude-haiku-4-5-20251001-v1:0": [
            "status LEGACY live, ACTIVE in the catalog",
            "legacyTime 2026-11-20 live, none in the catalog",
            "endOfLifeTime 2027-05-20 live, none in the catalog",
            "profile only live, on demand in the catalog",
        ],
        "mistral.mistral-7b-instruct-v0:2": ["streaming False live, True in the catalog"],
    }
    report = drift.report(width=100)
    assert report.splitlines()[:3] == [
        "us-east-1: live listing against the workshop catalog of 2026-11-25",
        "new on AWS, not in the catalog (1):",
        "  amazon.nova-3-micro-v1:0",
    ]
    assert all(len(line) <= 100 for line in report.splitlines())
    assert "  anthropic.claude-haiku-4-5-20251001-v1:0: status LEGACY live, ACTIVE in the catalog;" in report


def test_an_empty_live_listing_reports_every_catalog_model_missing():
    drift = compare([], "us-west-2")
    assert not drift.up_to_date and "stability.sd3-5-large-v1:0" in drift.only_catalog and not drift.only_live


def test_offline_dates_the_catalog_estimates_are_marked():
    from helpers import drift

    assert drift.estimated_keys("ai21.j2-mid-v1") == {"startOfLifeTime", "legacyTime", "endOfLifeTime"}
    assert drift.estimated_keys("anthropic.claude-sonnet-4-6") == frozenset()
    life = {"legacyTime": dt.datetime(2024, 8, 1, tzinfo=dt.UTC), "endOfLifeTime": "2025-01-15T00:00:00Z"}
    assert drift.day(life, "legacyTime", "ai21.j2-mid-v1") == "2024-08-01 (est.)"
    assert drift.day(life, "endOfLifeTime", "anthropic.claude-v2") == "2025-01-15"
    assert drift.day(life, "publicExtendedAccessTime", "ai21.j2-mid-v1") == "-"


def test_live_nothing_is_an_estimate(monkeypatch):
    from helpers import _setup, drift

    monkeypatch.setattr(_setup._STATE, "current", _setup.Setup("live", "us-east-1", "live", "test"))
    assert drift.estimated_keys("ai21.j2-mid-v1") == frozenset()
