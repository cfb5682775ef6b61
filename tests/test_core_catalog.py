"""The catalog: every model the article names, successors, filters, lifecycle modes, regions, profiles."""

from __future__ import annotations

import json

import boto3
import pytest

from helpers.simulator import catalog
from tests.conftest import NO_RETRIES, error_of, invoke
from tests.core_support import CLAUDE_OK, stub_families  # noqa: F401  (fixture)

ARTICLE_IDS = [
    "anthropic.claude-v2",
    "anthropic.claude-instant-v1",
    "anthropic.claude-v1",
    "cohere.command-text-v14",
    "ai21.j2-ultra-v1",
    "ai21.j2-mid-v1",
    "amazon.titan-embed-text-v1",
    "stability.stable-diffusion-xl",
]
RETIRED = ["anthropic.claude-v2", "anthropic.claude-v1", "ai21.j2-mid-v1", "stability.stable-diffusion-xl-v0"]
END_OF_LIFE = (
    "This model version has reached the end of its life. Please refer to the AWS documentation for more details."
)
SONNET_4 = "anthropic.claude-sonnet-4-20250514-v1:0"
MESSAGES = {
    "anthropic_version": "bedrock-2023-05-31",
    "max_tokens": 10,
    "messages": [{"role": "user", "content": "hi"}],
}


def ids(summaries) -> list[str]:
    return [m["modelId"] for m in summaries]


def listing(bedrock, **filters) -> list[dict]:
    return bedrock.list_foundation_models(**filters)["modelSummaries"]


def client(service, region):
    return boto3.client(service, region_name=region, config=NO_RETRIES)


# ------------------------------------------------------------------ what the catalog holds


@pytest.mark.parametrize("model_id", ARTICLE_IDS)
def test_every_model_the_article_names_is_there(bedrock, model_id):
    details = bedrock.get_foundation_model(modelIdentifier=model_id)["modelDetails"]
    assert details["modelId"] == catalog.get(model_id).model_id


def test_article_sdxl_id_is_the_sdxl_0_8_alias():
    assert catalog.get("stability.stable-diffusion-xl").model_id == "stability.stable-diffusion-xl-v0"


def test_claude_text_completion_models_are_all_there():
    for model_id in (
        "anthropic.claude-v2",
        "anthropic.claude-v2:1",
        "anthropic.claude-instant-v1",
        "anthropic.claude-v1",
    ):
        assert catalog.get(model_id).family == "claude_text"


def test_successor_chains_end_at_a_model_that_still_answers():
    today = catalog.catalog_date()
    for model in catalog.all_models():
        chain, current = [model.model_id], model
        while current.successor:
            current = catalog.get(current.successor)
            assert current is not None, f"{chain[-1]} names an unknown successor"
            assert current.model_id not in chain, f"successor loop {chain}"
            chain.append(current.model_id)
        if len(chain) > 1:
            assert current.status(today) == "ACTIVE", f"{' -> '.join(chain)} ends in a model that is not ACTIVE"


def test_every_model_that_is_not_active_on_the_catalog_date_names_a_successor():
    today = catalog.catalog_date()
    for model in catalog.all_models():
        if model.status(today) in ("LEGACY", "EOL"):
            assert model.successor, model.model_id


def test_every_retired_seed_model_has_a_successor():
    for model_id in ARTICLE_IDS:
        model = catalog.get(model_id)
        if model.lifecycle.get("endOfLifeTime"):
            assert model.successor, model_id


def test_lifecycle_dates_are_in_order():
    for model in catalog.all_models():
        keys = ("startOfLifeTime", "legacyTime", "publicExtendedAccessTime", "endOfLifeTime")
        present = [model.date(k) for k in keys if model.date(k)]
        assert present == sorted(present), model.model_id
        if model.date("publicExtendedAccessTime"):
            assert model.date("legacyTime") and model.date("endOfLifeTime"), model.model_id


def test_every_row_says_where_its_facts_come_from_and_which_are_estimates():
    keys = {"startOfLifeTime", "legacyTime", "publicExtendedAccessTime", "endOfLifeTime", "limits", "regions"}
    for model in catalog.all_models():
        assert model.source and len(model.source) > 20, model.model_id
        assert set(model.estimated) <= keys, (model.model_id, model.estimated)
        for key in model.estimated:
            assert key in model.lifecycle or key in ("limits", "regions"), (model.model_id, key)


# AWS Bedrock User Guide, "Model lifecycle (Legacy)" (copies of mid-2026 and 2026-10) and "Regional
# availability by models" (copy of 2026-09): (legacy, public extended access, EOL).
AWS_2026 = {
    "anthropic.claude-sonnet-4-20250514-v1:0": ("2026-04-14", "2026-07-14", "2026-10-14"),
    "anthropic.claude-sonnet-4-5-20250929-v1:0": ("2026-10-08", "2027-01-08", "2027-04-08"),
    "anthropic.claude-3-haiku-20240307-v1:0": ("2026-03-10", "2026-06-10", "2026-09-10"),
    "anthropic.claude-3-5-haiku-20241022-v1:0": ("2025-12-19", "2026-03-19", "2026-06-19"),
    "anthropic.claude-3-sonnet-20240229-v1:0": ("2026-01-30", None, "2026-07-30"),
    "cohere.command-r-v1:0": ("2026-02-19", "2026-05-19", "2026-08-19"),
    "cohere.command-r-plus-v1:0": ("2026-02-19", "2026-05-19", "2026-08-19"),
    "ai21.jamba-1-5-mini-v1:0": ("2026-05-26", "2026-08-26", "2026-11-26"),
    "ai21.jamba-1-5-large-v1:0": ("2026-05-26", "2026-08-26", "2026-11-26"),
    "amazon.titan-image-generator-v2:0": ("2025-12-30", None, "2026-06-30"),
    "amazon.nova-canvas-v1:0": ("2026-03-30", None, "2026-09-30"),
    "meta.llama3-2-1b-instruct-v1:0": ("2026-01-07", "2026-04-07", "2026-07-07"),
    "meta.llama3-2-90b-instruct-v1:0": ("2026-01-07", "2026-04-07", "2026-07-07"),
}


@pytest.mark.parametrize("model_id", sorted(AWS_2026))
def test_2026_lifecycle_dates_match_aws(model_id):
    legacy, extended, eol = AWS_2026[model_id]
    lifecycle = catalog.get(model_id).lifecycle
    assert (lifecycle["legacyTime"], lifecycle.get("publicExtendedAccessTime"), lifecycle["endOfLifeTime"]) == (
        legacy,
        extended,
        eol,
    )


def test_status_on_the_catalog_date_as_aws_reports_it():
    today = catalog.catalog_date()
    status = {m.model_id: m.status(today) for m in catalog.all_models()}
    assert status["anthropic.claude-sonnet-4-5-20250929-v1:0"] == "LEGACY"
    assert status["ai21.jamba-1-5-large-v1:0"] == "LEGACY"  # EOL the day after the catalog date
    for gone in (
        "anthropic.claude-sonnet-4-20250514-v1:0",
        "anthropic.claude-3-haiku-20240307-v1:0",
        "cohere.command-r-plus-v1:0",
        "amazon.titan-image-generator-v2:0",
        "meta.llama3-2-3b-instruct-v1:0",
    ):
        assert status[gone] == "EOL", gone
    for active in (
        "amazon.titan-embed-text-v1",
        "amazon.titan-embed-text-v2:0",
        "anthropic.claude-sonnet-4-6",
        "anthropic.claude-haiku-4-5-20251001-v1:0",
        "amazon.nova-2-lite-v1:0",
        "stability.sd3-5-large-v1:0",
    ):
        assert status[active] == "ACTIVE", active


def test_seed_lifecycle_dates_match_the_aws_table():
    # AWS model-lifecycle page as quoted in the wire-format reference, section 5.1.
    expected = {
        "anthropic.claude-v1": ("2023-11-28", "2024-02-28"),
        "anthropic.claude-v2": ("2025-01-21", "2025-07-21"),
        "anthropic.claude-v2:1": ("2025-01-21", "2025-07-21"),
        "anthropic.claude-instant-v1": ("2025-01-21", "2025-07-21"),
        "cohere.command-text-v14": ("2024-10-04", "2025-08-12"),
        "stability.stable-diffusion-xl-v0": (None, "2024-04-30"),
        "stability.stable-diffusion-xl-v1": (None, "2025-05-20"),
    }
    for model_id, (legacy, eol) in expected.items():
        lifecycle = catalog.get(model_id).lifecycle
        assert lifecycle["endOfLifeTime"] == eol, model_id
        if legacy:
            assert lifecycle["legacyTime"] == legacy, model_id
    assert "endOfLifeTime" not in catalog.get("amazon.titan-embed-text-v1").lifecycle


# ------------------------------------------------------------------ ListFoundationModels


def test_listing_uses_regional_arns_with_an_empty_account(bedrock):
    for summary in listing(bedrock):
        assert summary["modelArn"] == f"arn:aws:bedrock:us-east-1::foundation-model/{summary['modelId']}"
    west = client("bedrock", "us-west-2")
    assert all(s["modelArn"].startswith("arn:aws:bedrock:us-west-2::") for s in listing(west))


def test_filter_by_provider_is_case_insensitive(bedrock):
    anthropic = ids(listing(bedrock, byProvider="anthropic"))
    assert anthropic == ids(listing(bedrock, byProvider="Anthropic"))
    assert {"anthropic.claude-v2", "anthropic.claude-instant-v1", "anthropic.claude-v1"} <= set(anthropic)
    assert all(m.startswith("anthropic.") for m in anthropic)
    assert set(ids(listing(bedrock, byProvider="AI21 Labs"))) >= {"ai21.j2-ultra-v1", "ai21.j2-mid-v1"}
    assert listing(bedrock, byProvider="Nobody") == []


def test_filter_by_output_modality(bedrock):
    embedding = listing(bedrock, byOutputModality="EMBEDDING")
    assert "amazon.titan-embed-text-v1" in ids(embedding)
    assert all(m["outputModalities"] == ["EMBEDDING"] for m in embedding)
    image = listing(bedrock, byOutputModality="IMAGE")
    assert "stability.stable-diffusion-xl-v0" in ids(image)
    assert all("IMAGE" in m["outputModalities"] for m in image)
    text = listing(bedrock, byOutputModality="TEXT")
    assert len(text) + len(embedding) + len(image) == len(listing(bedrock))


def test_filter_by_inference_type_matches_what_each_summary_says(bedrock):
    everything = listing(bedrock)
    for kind in ("ON_DEMAND", "PROVISIONED"):
        expected = [m["modelId"] for m in everything if kind in m["inferenceTypesSupported"]]
        assert ids(listing(bedrock, byInferenceType=kind)) == expected, kind
    on_demand = ids(listing(bedrock, byInferenceType="ON_DEMAND"))
    assert "anthropic.claude-v2" in on_demand
    assert SONNET_4 not in on_demand  # profile-only: listed as INFERENCE_PROFILE
    summary = bedrock.get_foundation_model(modelIdentifier=SONNET_4)["modelDetails"]
    assert summary["inferenceTypesSupported"] == ["INFERENCE_PROFILE"]


def test_filter_by_customization_type(bedrock):
    everything = listing(bedrock)
    for kind in ("FINE_TUNING", "CONTINUED_PRE_TRAINING", "DISTILLATION"):
        expected = [m["modelId"] for m in everything if kind in m["customizationsSupported"]]
        assert ids(listing(bedrock, byCustomizationType=kind)) == expected, kind
    assert listing(bedrock, byCustomizationType="FINE_TUNING")


def test_filters_combine(bedrock):
    both = listing(bedrock, byProvider="Amazon", byOutputModality="EMBEDDING")
    assert ids(both) and all(m["providerName"] == "Amazon" and m["outputModalities"] == ["EMBEDDING"] for m in both)


@pytest.mark.parametrize(
    ("name", "value", "allowed"),
    [
        ("byOutputModality", "AUDIO", "TEXT, IMAGE, EMBEDDING"),
        ("byInferenceType", "SERVERLESS", "ON_DEMAND, PROVISIONED"),
        ("byCustomizationType", "LORA", "FINE_TUNING, CONTINUED_PRE_TRAINING, DISTILLATION"),
    ],
)
def test_bad_filter_values_are_refused_as_the_service_does(bedrock, name, value, allowed):
    with pytest.raises(bedrock.exceptions.ValidationException) as exc:
        bedrock.list_foundation_models(**{name: value})
    assert error_of(exc) == (
        "ValidationException",
        f"1 validation error detected: Value '{value}' at '{name}' failed to satisfy constraint: "
        f"Member must satisfy enum value set: [{allowed}]",
        400,
    )


def test_streaming_flags_match_the_2023_listing(bedrock):
    flags = {m["modelId"]: m.get("responseStreamingSupported") for m in listing(bedrock)}
    assert flags["anthropic.claude-v2"] and flags["cohere.command-text-v14"]
    assert flags["ai21.j2-ultra-v1"] is False and flags["ai21.j2-mid-v1"] is False
    assert flags["amazon.titan-embed-text-v1"] is True  # as AWS listed it, though it never streams


# ------------------------------------------------------------------ GetFoundationModel


def test_get_foundation_model_accepts_id_alias_and_arn(bedrock):
    by_id = bedrock.get_foundation_model(modelIdentifier="ai21.j2-mid-v1")["modelDetails"]
    by_alias = bedrock.get_foundation_model(modelIdentifier="ai21.j2-mid")["modelDetails"]
    by_arn = bedrock.get_foundation_model(modelIdentifier=by_id["modelArn"])["modelDetails"]
    assert by_id == by_alias == by_arn


@pytest.mark.parametrize(
    "identifier",
    ["anthropic.claude-v9", "us.anthropic.claude-sonnet-4-20250514-v1:0", "stability.sd3-5-large-v1:0"],
)
def test_get_foundation_model_not_found(bedrock, identifier):
    with pytest.raises(bedrock.exceptions.ResourceNotFoundException) as exc:
        bedrock.get_foundation_model(modelIdentifier=identifier)
    assert error_of(exc)[2] == 404


# ------------------------------------------------------------------ lifecycle


def test_preserved_lists_retired_models_as_legacy_with_their_dates(bedrock):
    by_id = {m["modelId"]: m for m in listing(bedrock)}
    for model_id in RETIRED:
        lifecycle = by_id[model_id]["modelLifecycle"]
        model = catalog.get(model_id)
        assert lifecycle["status"] == "LEGACY", model_id
        assert lifecycle["endOfLifeTime"].date() == model.date("endOfLifeTime")
        if model.date("legacyTime"):
            assert lifecycle["legacyTime"].date() == model.date("legacyTime")
    titan = by_id["amazon.titan-embed-text-v1"]["modelLifecycle"]
    assert titan["status"] == "ACTIVE" and set(titan) == {"status", "startOfLifeTime"}


def test_preserved_retired_models_still_answer(runtime):
    body, _ = invoke(runtime, "anthropic.claude-v1", CLAUDE_OK)
    assert body["completion"]


@pytest.fixture
def current(monkeypatch):
    monkeypatch.setenv("BEDROCK_SIMULATOR_LIFECYCLE", "current")


def test_current_hides_retired_models_from_listings(bedrock, current):
    listed = ids(listing(bedrock))
    for model_id in RETIRED:
        assert model_id not in listed
    assert "amazon.titan-embed-text-v1" in listed
    assert all(m["modelLifecycle"]["status"] in ("ACTIVE", "LEGACY") for m in listing(bedrock))


@pytest.mark.parametrize("model_id", ["anthropic.claude-v2", "stability.stable-diffusion-xl", "ai21.j2-ultra-v1"])
def test_current_get_foundation_model_is_not_found(bedrock, current, model_id):
    with pytest.raises(bedrock.exceptions.ResourceNotFoundException):
        bedrock.get_foundation_model(modelIdentifier=model_id)


def test_current_invoking_a_retired_model_is_end_of_life(runtime, current):
    for call in (runtime.invoke_model, runtime.invoke_model_with_response_stream):
        with pytest.raises(runtime.exceptions.ResourceNotFoundException) as exc:
            call(modelId="anthropic.claude-v2", body=json.dumps(CLAUDE_OK))
        assert error_of(exc) == ("ResourceNotFoundException", END_OF_LIFE, 404)


def test_current_still_says_invalid_for_unknown_ids(runtime, current):
    with pytest.raises(runtime.exceptions.ValidationException):
        invoke(runtime, "anthropic.claude-v9", CLAUDE_OK)


def test_end_of_life_comes_before_body_checks(runtime, current):
    with pytest.raises(runtime.exceptions.ResourceNotFoundException):
        invoke(runtime, "anthropic.claude-v2", {"nonsense": True})


def test_simulator_date_moves_the_lifecycle(bedrock, runtime, current, monkeypatch):
    monkeypatch.setenv("BEDROCK_SIMULATOR_DATE", "2024-06-01")
    by_id = {m["modelId"]: m["modelLifecycle"] for m in listing(bedrock)}
    assert by_id["anthropic.claude-v2"] == {
        "status": "ACTIVE",
        "startOfLifeTime": by_id["anthropic.claude-v2"]["startOfLifeTime"],
    }
    assert "anthropic.claude-v1" not in by_id  # retired 2024-02-28
    invoke(runtime, "anthropic.claude-v2", CLAUDE_OK)
    monkeypatch.setenv("BEDROCK_SIMULATOR_DATE", "2025-03-01")
    legacy = bedrock.get_foundation_model(modelIdentifier="anthropic.claude-v2")["modelDetails"]["modelLifecycle"]
    assert legacy["status"] == "LEGACY" and legacy["endOfLifeTime"].isoformat().startswith("2025-07-21")
    invoke(runtime, "anthropic.claude-v2", CLAUDE_OK)  # legacy models still answer


def test_lifecycle_boundaries_are_inclusive(monkeypatch):
    model = catalog.get("anthropic.claude-v2")
    for day, status in (
        ("2025-01-20", "ACTIVE"),
        ("2025-01-21", "LEGACY"),
        ("2025-07-20", "LEGACY"),
        ("2025-07-21", "EOL"),
    ):
        monkeypatch.setenv("BEDROCK_SIMULATOR_DATE", day)
        assert model.status(catalog.catalog_date()) == status, day


def test_catalog_date_defaults_to_the_reviewed_date():
    assert (
        catalog.catalog_date().isoformat()
        == json.loads((catalog.resources.files(catalog.__package__) / "data/models.json").read_text("utf-8"))[
            "catalogDate"
        ]
    )


@pytest.mark.parametrize(
    ("name", "value"), [("BEDROCK_SIMULATOR_LIFECYCLE", "frozen"), ("BEDROCK_SIMULATOR_DATE", "tomorrow")]
)
def test_bad_simulator_settings_fail_loudly_naming_the_variable(runtime, monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    with pytest.raises(ValueError, match=name):
        invoke(runtime, "anthropic.claude-v2", CLAUDE_OK)


# ------------------------------------------------------------------ regions


def test_a_model_outside_the_client_region_is_an_invalid_identifier(runtime, bedrock, stub_families):  # noqa: F811
    model_id = "stability.sd3-5-large-v1:0"  # us-west-2 only
    with pytest.raises(runtime.exceptions.ValidationException) as exc:
        invoke(runtime, model_id, {"prompt": "a lighthouse"})
    assert error_of(exc) == ("ValidationException", "The provided model identifier is invalid.", 400)
    assert model_id not in ids(listing(bedrock))
    west = client("bedrock-runtime", "us-west-2")
    assert invoke(west, model_id, {"prompt": "a lighthouse"})[0] == {"stub": model_id}
    assert model_id in ids(listing(client("bedrock", "us-west-2")))


def test_an_unsupported_region_knows_no_models():
    sa = client("bedrock-runtime", "sa-east-1")
    with pytest.raises(sa.exceptions.ValidationException):
        invoke(sa, "amazon.titan-embed-text-v1", {"inputText": "x"})


# ------------------------------------------------------------------ on-demand versus inference profiles


def test_on_demand_can_be_limited_to_some_regions(stub_families):  # noqa: F811
    """Claude Haiku 4.5 is In-Region in us-east-1 but only reachable through profiles in us-west-2 (AWS table)."""
    haiku = "anthropic.claude-haiku-4-5-20251001-v1:0"
    assert invoke(client("bedrock-runtime", "us-east-1"), haiku, MESSAGES)[0] == {"stub": haiku}
    west = client("bedrock-runtime", "us-west-2")
    with pytest.raises(west.exceptions.ValidationException) as exc:
        invoke(west, haiku, MESSAGES)
    assert "on-demand throughput isn\u2019t supported" in error_of(exc)[1]
    assert invoke(west, f"us.{haiku}", MESSAGES)[0] == {"stub": haiku}
    kinds = {
        region: client("bedrock", region).get_foundation_model(modelIdentifier=haiku)["modelDetails"][
            "inferenceTypesSupported"
        ]
        for region in ("us-east-1", "us-west-2")
    }
    assert kinds == {"us-east-1": ["ON_DEMAND"], "us-west-2": ["INFERENCE_PROFILE"]}


def test_profile_only_model_refuses_on_demand(runtime):
    with pytest.raises(runtime.exceptions.ValidationException) as exc:
        invoke(runtime, SONNET_4, MESSAGES)
    assert error_of(exc)[1] == (
        f"Invocation of model ID {SONNET_4} with on-demand throughput isn\u2019t supported. "
        "Retry your request with the ID or ARN of an inference profile that contains this model."
    )


def test_profile_only_model_refuses_on_demand_by_arn_too(runtime):
    with pytest.raises(runtime.exceptions.ValidationException) as exc:
        invoke(runtime, f"arn:aws:bedrock:us-east-1::foundation-model/{SONNET_4}", MESSAGES)
    assert "on-demand throughput isn\u2019t supported" in error_of(exc)[1]


@pytest.mark.parametrize(
    ("region", "identifier"),
    [
        ("us-east-1", f"us.{SONNET_4}"),
        ("us-west-2", f"us.{SONNET_4}"),
        ("eu-west-1", f"eu.{SONNET_4}"),
        ("ap-northeast-1", f"apac.{SONNET_4}"),
        ("eu-central-1", f"global.{SONNET_4}"),
        ("us-east-1", f"arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.{SONNET_4}"),
    ],
)
def test_inference_profiles_reach_the_model(stub_families, region, identifier):  # noqa: F811
    body, _ = invoke(client("bedrock-runtime", region), identifier, MESSAGES)
    assert body == {"stub": SONNET_4}
    assert stub_families[-1] == (SONNET_4, MESSAGES)


@pytest.mark.parametrize(
    ("region", "identifier"),
    [
        ("us-east-1", f"eu.{SONNET_4}"),  # a European profile called from the US
        ("eu-west-1", f"us.{SONNET_4}"),
        ("us-east-1", "eu.anthropic.claude-3-5-haiku-20241022-v1:0"),  # offered in the US only
        ("us-east-1", "us.anthropic.claude-v2"),  # never had a profile
        ("us-east-1", f"arn:aws:bedrock:us-east-1:123456789012:inference-profile/{SONNET_4}"),  # not a profile id
        ("us-east-1", f"arn:aws:bedrock:us-east-1::foundation-model/us.{SONNET_4}"),  # a profile is no model
        ("us-east-1", "arn:aws:bedrock:us-east-1:123456789012:foundation-model/anthropic.claude-v2"),  # account set
    ],
)
def test_wrong_profiles_and_arns_are_invalid_identifiers(stub_families, region, identifier):  # noqa: F811
    rt = client("bedrock-runtime", region)
    with pytest.raises(rt.exceptions.ValidationException) as exc:
        invoke(rt, identifier, MESSAGES)
    assert error_of(exc)[1] == "The provided model identifier is invalid."
    assert stub_families == []


def test_a_date_before_launch_hides_the_model(monkeypatch, bedrock, runtime):
    """BEDROCK_SIMULATOR_DATE=2023-11-01 shows the Bedrock of the article: no Claude 3 yet."""
    monkeypatch.setenv("BEDROCK_SIMULATOR_DATE", "2023-11-01")
    ids = {s["modelId"] for s in bedrock.list_foundation_models()["modelSummaries"]}
    assert "anthropic.claude-v2" in ids and "anthropic.claude-3-haiku-20240307-v1:0" not in ids
    with pytest.raises(runtime.exceptions.ValidationException, match="The provided model identifier is invalid."):
        runtime.invoke_model(
            modelId="anthropic.claude-3-haiku-20240307-v1:0",
            body=json.dumps({"anthropic_version": "bedrock-2023-05-31", "max_tokens": 5, "messages": []}),
        )
    with pytest.raises(bedrock.exceptions.ResourceNotFoundException):
        bedrock.get_foundation_model(modelIdentifier="anthropic.claude-3-haiku-20240307-v1:0")
