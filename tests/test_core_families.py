"""The family contract: every catalog row's family is declared, checked, and answers through boto3."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import boto3
import pytest

from helpers.simulator import catalog, families
from helpers.simulator.families import Family, TextFamily

from .conftest import NO_RETRIES

# The smallest valid native body of each family.
MINIMAL = {
    "claude_text": {"prompt": "\n\nHuman: Hi\n\nAssistant:", "max_tokens_to_sample": 20},
    "claude_messages": {
        "anthropic_version": "bedrock-2023-05-31",
        "max_tokens": 20,
        "messages": [{"role": "user", "content": "Hi"}],
    },
    "titan_text": {"inputText": "Hi"},
    "titan_embed": {"inputText": "Hi"},
    "titan_image": {
        "taskType": "TEXT_IMAGE",
        "textToImageParams": {"text": "a red kite"},
        "imageGenerationConfig": {"width": 512, "height": 512},
    },
    "nova": {"messages": [{"role": "user", "content": [{"text": "Hi"}]}]},
    "cohere_command": {"prompt": "Hi"},
    "cohere_command_r": {"message": "Hi"},
    "cohere_embed": {"texts": ["Hi"], "input_type": "search_query"},
    "ai21_jurassic": {"prompt": "Hi"},
    "ai21_jamba": {"messages": [{"role": "user", "content": "Hi"}]},
    "llama": {"prompt": "Hi"},
    "mistral": {"prompt": "<s>[INST] Hi [/INST]"},
    "stability_sdxl": {"text_prompts": [{"text": "a red kite"}]},
    "stability_image": {"prompt": "a red kite"},
    "openai_chat": {"messages": [{"role": "user", "content": "Hi"}]},
}


def callable_id(model: catalog.Model) -> tuple[str, str]:
    """(model id to send, region) that InvokeModel accepts for this row."""
    for region in model.regions:
        if model.on_demand_in(region):
            return model.model_id, region
    geo = model.inference_profiles[0]
    return f"{geo}.{model.model_id}", catalog.profile_regions(geo)[0]


def test_every_registered_family_is_a_declared_family():
    for name, spec in families.REGISTRY.items():
        family = families.load(name)
        assert isinstance(family, Family) and family.name == name
        # A family with a Converse feature set speaks the whole text contract.
        assert isinstance(family, TextFamily) == (spec.converse_features is not None), name


def test_the_catalog_only_names_registered_families_and_their_variants():
    for model in catalog.all_models():
        spec = families.REGISTRY[model.family]
        assert model.variant is None or model.variant in spec.variants
        assert set(model.traits) <= set(spec.traits)
        assert (model.converse_features is not None) == model.converse, model.model_id


@pytest.mark.parametrize("model", catalog.all_models(), ids=lambda m: m.model_id)
def test_every_catalog_row_answers_invoke_model(model):
    model_id, region = callable_id(model)
    client = boto3.client("bedrock-runtime", region_name=region, config=NO_RETRIES)
    response = client.invoke_model(modelId=model_id, body=json.dumps(MINIMAL[model.family]))
    body = json.loads(response["body"].read())
    headers = response["ResponseMetadata"]["HTTPHeaders"]
    assert body and int(headers["x-amzn-bedrock-input-token-count"]) > 0
    if "TEXT" in model.output_modalities:
        assert int(headers["x-amzn-bedrock-output-token-count"]) > 0


@pytest.mark.parametrize(
    ("change", "complaint"),
    [
        ({"family": "claude_txt"}, "family 'claude_txt' is not one of"),
        ({"variant": "v3"}, "variant 'v3' is not one of"),
        ({"traits": ["chat"]}, "traits ['chat'] are not among"),
        ({"converseFeatureSet": "nope"}, "feature set 'nope' is not in converseFeatures"),
    ],
)
def test_a_row_the_simulator_cannot_use_is_refused_when_the_catalog_loads(monkeypatch, change, complaint):
    raw = json.loads((catalog.resources.files(catalog.__package__) / "data/models.json").read_text("utf-8"))
    row = next(r for r in raw["models"] if r["modelId"] == "amazon.titan-embed-text-v2:0")
    row.update(change)
    if "converseFeatureSet" in change:
        row["converse"] = True
    monkeypatch.setattr(catalog.json, "loads", lambda _text: raw)
    catalog._load.cache_clear()
    try:
        with pytest.raises(catalog.CatalogError, match=complaint.replace("[", r"\[").replace("]", r"\]")):
            catalog._load()
    finally:
        monkeypatch.undo()
        catalog._load.cache_clear()


def imported(module) -> set[str]:
    """Names of the modules a source file imports (relative ones by their last part)."""
    tree = ast.parse(Path(module.__file__).read_text("utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            found.add((node.module or "").rpartition(".")[2])
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name.rpartition(".")[2] for alias in node.names)
    return found


def test_the_two_claude_families_import_without_a_cycle():
    from helpers.simulator.families import claude_messages, claude_text

    assert "claude_messages" in imported(claude_text)  # Claude 2.x hand Messages bodies over
    assert "claude_text" not in imported(claude_messages)


def test_no_family_tells_models_apart_by_their_ids():
    root = Path(families.__file__).parent
    for path in root.glob("*.py"):
        source = path.read_text("utf-8")
        assert "in model.model_id" not in source and "model_id.startswith" not in source, path.name
        assert 'limits.get("chat")' not in source and 'limits.get("temperatureOrTopP")' not in source, path.name
