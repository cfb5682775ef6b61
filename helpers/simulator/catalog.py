"""The model catalog: rows from data/models.json, looked up by id, alias, ARN or inference profile."""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from ..profiles import PREFIXES as PROFILE_PREFIXES
from ..profiles import source_regions
from . import settings

# A model's identifier as InvokeModel accepts it: a base id, an inference-profile id
# (`us.` + base id) or either as an ARN. Pattern simplified from the modelId regex in the
# bedrock-runtime service model.
_ARN = re.compile(
    r"^arn:aws(?:-[^:]+)?:bedrock:(?P<region>[a-z0-9-]{1,20}):(?P<account>\d{12})?:"
    r"(?P<kind>foundation-model|inference-profile)/(?P<id>[A-Za-z0-9.:-]+)$"
)


@dataclass(frozen=True)
class ConverseFeatures:
    """What Converse accepts for a model (a named set in models.json's `converseFeatures`)."""

    name: str
    system_prompts: bool
    conversation_history: bool
    document_blocks: bool
    image_blocks: bool
    tool_use: bool
    streaming_tool_use: bool
    tool_choice_any: bool
    tool_choice_tool: bool

    FIELDS = {
        "systemPrompts": "system_prompts",
        "conversationHistory": "conversation_history",
        "documentBlocks": "document_blocks",
        "imageBlocks": "image_blocks",
        "toolUse": "tool_use",
        "streamingToolUse": "streaming_tool_use",
        "toolChoiceAny": "tool_choice_any",
        "toolChoiceTool": "tool_choice_tool",
    }


class CatalogError(ValueError):
    """models.json says something the simulator cannot use (a row names an unknown family, ...)."""


@dataclass(frozen=True)
class Model:
    """One catalog row."""

    model_id: str
    name: str
    provider: str
    input_modalities: tuple[str, ...]
    output_modalities: tuple[str, ...]
    streaming: bool
    family: str
    converse: bool
    lifecycle: dict
    regions: tuple[str, ...]
    on_demand: bool = True
    inference_profiles: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    limits: dict = field(default_factory=dict)
    successor: str | None = None
    persona: str | None = None
    version: str | None = None
    customizations: tuple[str, ...] = ()
    inference_types: tuple[str, ...] = ("ON_DEMAND",)
    variant: str | None = None  # which version of its family's format the model speaks
    traits: tuple[str, ...] = ()  # yes/no properties of that format, e.g. "temperatureOrTopP"
    converse_features: ConverseFeatures | None = None  # None: Converse does not serve the model
    count_tokens: bool = False  # CountTokens supports the model
    on_demand_regions: tuple[str, ...] | None = None  # None: `on_demand` holds in every listed region
    source: str | None = None  # where the row's lifecycle and Regions come from (AWS page titles and URLs)
    estimated: tuple[str, ...] = ()  # lifecycle keys (or "limits") that are estimates, not AWS facts
    note: str | None = None
    marketplace_product_id: str | None = None  # AWS Marketplace product of a third-party model (model card)

    def on_demand_in(self, region: str) -> bool:
        """Whether the plain model id (no inference profile) may be invoked in `region`."""
        if self.on_demand_regions is not None:
            return region in self.on_demand_regions
        return self.on_demand

    def date(self, key: str) -> dt.date | None:
        value = self.lifecycle.get(key)
        return dt.date.fromisoformat(value) if value else None

    def status(self, today: dt.date) -> str:
        """ACTIVE, LEGACY, EOL or UNRELEASED on `today` (the last two are not API values: such
        models are absent), so BEDROCK_SIMULATOR_DATE=2023-11-01 shows the article's Bedrock."""
        eol, legacy, start = self.date("endOfLifeTime"), self.date("legacyTime"), self.date("startOfLifeTime")
        if start and today < start:
            return "UNRELEASED"
        if eol and today >= eol:
            return "EOL"
        if legacy and today >= legacy:
            return "LEGACY"
        return "ACTIVE"

    @property
    def display_name(self) -> str:
        return self.persona or self.name


@dataclass(frozen=True)
class Resolved:
    """What an identifier in a request named: the model, and how it was named."""

    model: Model
    profile: str | None  # geography prefix when invoked through an inference profile


def _feature_sets(raw: dict) -> dict[str, ConverseFeatures]:
    sets = {}
    for name, row in raw.get("converseFeatures", {}).items():
        if name.startswith("_"):
            continue
        missing = [k for k in ConverseFeatures.FIELDS if not isinstance(row.get(k), bool)]
        if missing:
            raise CatalogError(f"converseFeatures.{name} lacks yes/no values for: {', '.join(missing)}")
        sets[name] = ConverseFeatures(name, **{attr: row[key] for key, attr in ConverseFeatures.FIELDS.items()})
    return sets


def _checked(row: dict, sets: dict[str, ConverseFeatures]) -> tuple[ConverseFeatures | None, str | None, tuple]:
    """A row's Converse feature set, variant and traits, after checking them against its family."""
    from .families import REGISTRY  # data only: no family module is imported here

    where = f"models.json row {row.get('modelId')!r}"
    spec = REGISTRY.get(row.get("family"))
    if spec is None:
        raise CatalogError(f"{where}: family {row.get('family')!r} is not one of {', '.join(sorted(REGISTRY))}")
    variant, traits = row.get("variant"), tuple(row.get("traits", ()))
    if variant is not None and variant not in spec.variants:
        raise CatalogError(f"{where}: variant {variant!r} is not one of {spec.variants} for {row['family']}")
    unknown = [t for t in traits if t not in spec.traits]
    if unknown:
        raise CatalogError(f"{where}: traits {unknown} are not among {spec.traits} for {row['family']}")
    if spec.variants and variant is None:
        variant = spec.variants[0]
    if not row["converse"]:
        if "converseFeatureSet" in row:
            raise CatalogError(f"{where}: converseFeatureSet given but 'converse' is false")
        return None, variant, traits
    name = row.get("converseFeatureSet", spec.converse_features)
    if name not in sets:
        raise CatalogError(f"{where}: converse is true but feature set {name!r} is not in converseFeatures")
    return sets[name], variant, traits


@lru_cache(maxsize=1)
def _load() -> tuple[dict, dict[str, Model], dict[str, str]]:
    raw = json.loads(resources.files(__package__).joinpath("data/models.json").read_text("utf-8"))
    defaults = raw["defaults"]
    sets = _feature_sets(raw)
    models: dict[str, Model] = {}
    aliases: dict[str, str] = {}
    for row in raw["models"]:
        features, variant, traits = _checked(row, sets)
        model = Model(
            model_id=row["modelId"],
            name=row["modelName"],
            provider=row["providerName"],
            input_modalities=tuple(row["inputModalities"]),
            output_modalities=tuple(row["outputModalities"]),
            streaming=row["responseStreamingSupported"],
            family=row["family"],
            converse=row["converse"],
            lifecycle=row["lifecycle"],
            regions=tuple(row.get("regions", defaults["regions"])),
            on_demand=row.get("onDemand", defaults["onDemand"]),
            inference_profiles=tuple(row.get("inferenceProfiles", ())),
            aliases=tuple(row.get("aliases", ())),
            limits=row.get("limits", {}),
            successor=row.get("successor"),
            persona=row.get("persona"),
            version=row.get("version"),
            customizations=tuple(row.get("customizationsSupported", defaults["customizationsSupported"])),
            inference_types=tuple(row.get("inferenceTypesSupported", defaults["inferenceTypesSupported"])),
            variant=variant,
            traits=traits,
            converse_features=features,
            count_tokens=bool(row.get("countTokens", False)),
            on_demand_regions=tuple(row["onDemandRegions"]) if "onDemandRegions" in row else None,
            source=row.get("source"),
            estimated=tuple(row.get("estimated", ())),
            note=row.get("note"),
            marketplace_product_id=row.get("marketplaceProductId"),
        )
        models[model.model_id] = model
        for alias in model.aliases:
            aliases[alias] = model.model_id
    return raw, models, aliases


def all_models() -> list[Model]:
    return list(_load()[1].values())


def catalog_date() -> dt.date:
    """The simulator's 'today': BEDROCK_SIMULATOR_DATE, else the date the catalog was reviewed.

    A fixed default keeps committed notebook outputs stable as real time passes.
    """
    return settings.current().date or dt.date.fromisoformat(_load()[0]["catalogDate"])


def get(model_id: str) -> Model | None:
    """The catalog row for a base model id or alias (no profiles, no ARNs)."""
    _, models, aliases = _load()
    return models.get(model_id) or models.get(aliases.get(model_id, ""))


def resolve(identifier: str) -> Resolved | None:
    """Resolve a runtime modelId (id, alias, profile id, or ARN); None if unknown."""
    kind = None
    match = _ARN.match(identifier)
    if match:
        identifier, kind = match["id"], match["kind"]
        if (kind == "foundation-model") == bool(match["account"]):
            return None  # foundation-model ARNs have an empty account field, profile ARNs an account
    model = get(identifier)
    if model:
        # A base model id inside an inference-profile ARN names no profile.
        return Resolved(model, None) if kind != "inference-profile" else None
    if kind == "foundation-model":
        return None  # a profile id is not a foundation model
    prefix, _, rest = identifier.partition(".")
    if prefix in PROFILE_PREFIXES:
        model = get(rest)
        if model and prefix in model.inference_profiles:
            return Resolved(model, prefix)
    return None


def simulator_regions() -> tuple[str, ...]:
    """The Regions the simulator serves (a model row lists a subset, or all of them by default)."""
    return tuple(_load()[0]["defaults"]["regions"])


def profile_regions(prefix: str) -> tuple[str, ...]:
    """The simulator's Regions from which a geography's cross-region inference profiles can be called.

    The geography table is `helpers.profiles` (one source for the lessons' helper and the simulator).
    """
    return tuple(r for r in simulator_regions() if r in source_regions(prefix))
