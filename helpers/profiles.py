"""Cross-region inference profiles: which profile id to call a model with from a given Region.

A profile id is a geography prefix plus the model id (`us.anthropic.claude-sonnet-4-6`). Which
prefixes exist for a model, and from which source Regions each may be called, is per model and is
documented on each AWS model card ("Geo inference ID", with a source -> destination table) and in
"Regional availability by models" (models-region-compatibility.html). Facts used here:

- geographies: US, EU, APAC, JP, AU, US GovCloud, plus Global (AWS CDK `CrossRegionInferenceProfileRegion`
  enum: GLOBAL, EU, US, US_GOV, APAC, JP, AU; the model cards' "Geo: US/EU/AU/JP" tables);
- source Regions per geography, from the model cards' source -> destination tables (Claude Haiku 4.5,
  Sonnet 4.6; Nova Micro/Lite/Pro for APAC): the US geography is also called from Canada;
  JP from Tokyo and Osaka; AU from Sydney, Melbourne and Auckland;
- Global is callable from every commercial Region, not from GovCloud.
No `ca.` or `in.` profile appears on any AWS model card read for the 2026-11-25 catalog; a third
party mentions `in.` (India) profiles, which are left out until AWS documents them.

`profile_id()` takes a model's prefixes from the workshop catalog, or from `prefixes=` for a model
the catalog does not know. Importing this module imports no simulator code.
"""

from __future__ import annotations

import re

#: Source Regions from which each geography's profiles can be called (see the module docstring).
GEOGRAPHIES: dict[str, tuple[str, ...]] = {
    "us": ("us-east-1", "us-east-2", "us-west-1", "us-west-2", "ca-central-1", "ca-west-1"),
    "eu": (
        "eu-central-1",
        "eu-central-2",
        "eu-north-1",
        "eu-south-1",
        "eu-south-2",
        "eu-west-1",
        "eu-west-2",
        "eu-west-3",
    ),
    "apac": (
        "ap-northeast-1",
        "ap-northeast-2",
        "ap-northeast-3",
        "ap-south-1",
        "ap-south-2",
        "ap-southeast-1",
        "ap-southeast-2",
        "ap-southeast-3",
        "ap-southeast-4",
    ),
    "jp": ("ap-northeast-1", "ap-northeast-3"),
    "au": ("ap-southeast-2", "ap-southeast-4", "ap-southeast-6"),
    "us-gov": ("us-gov-east-1", "us-gov-west-1"),
}
#: Every prefix a profile id may start with. Order matters for `profile_id`: a narrower geography
#: (jp, au) is preferred over apac when a model offers both.
PREFIXES: tuple[str, ...] = ("us-gov", "us", "eu", "jp", "au", "apac", "global")
_REGION = re.compile(r"^[a-z]{2}(?:-gov)?-[a-z]+-\d$")
_SCOPES = ("geo", "global")


def source_regions(prefix: str) -> frozenset[str] | _Commercial:
    """The Regions from which profiles with this prefix may be called (Global: any commercial Region)."""
    if prefix == "global":
        return _Commercial()
    if prefix not in GEOGRAPHIES:
        raise ValueError(f"{prefix!r} is not an inference-profile prefix; AWS documents {', '.join(PREFIXES)}")
    return frozenset(GEOGRAPHIES[prefix])


class _Commercial:
    """Membership test for 'any commercial Region' (everything but GovCloud)."""

    def __contains__(self, region: object) -> bool:
        return isinstance(region, str) and bool(_REGION.match(region)) and "-gov-" not in region


def split(identifier: str) -> tuple[str | None, str]:
    """`('us', 'anthropic.claude-sonnet-4-6')` for a profile id, `(None, identifier)` for a plain model id."""
    prefix, _, rest = identifier.partition(".")
    if prefix in PREFIXES and "." in rest:
        return prefix, rest
    return None, identifier


def _catalog_prefixes(model_id: str) -> tuple[str, ...]:
    from .simulator import catalog  # the catalog is data: importing it starts no simulator

    model = catalog.get(model_id)
    if model is None:
        raise ValueError(
            f"{model_id!r} is not in the workshop's catalog (reviewed {catalog.catalog_date()}); pass its profile "
            "prefixes from its AWS model card, e.g. profile_id(model_id, region, prefixes=('us', 'eu', 'global'))"
        )
    return model.inference_profiles


def profile_id(
    model_id: str, region: str, *, scope: str = "geo", prefixes: tuple[str, ...] | list[str] | None = None
) -> str:
    """The inference-profile id to call `model_id` with from `region`.

    scope="geo" picks the model's geographic profile for that Region (data stays in the geography);
    scope="global" picks its global profile. Errors say which profiles the model has and from where.
    """
    if not isinstance(region, str) or not _REGION.match(region):
        raise ValueError(f"region {region!r} is not a Region name such as 'us-east-1' or 'eu-central-1'")
    if scope not in _SCOPES:
        raise ValueError(f"scope must be 'geo' or 'global', not {scope!r}")
    prefix, base = split(model_id)
    if prefix:
        raise ValueError(f"{model_id!r} is already an inference-profile id; pass the model id {base!r}")
    offered = tuple(prefixes) if prefixes is not None else _catalog_prefixes(model_id)
    unknown = [p for p in offered if p not in PREFIXES]
    if unknown:
        raise ValueError(f"unknown profile prefix {unknown[0]!r}; AWS documents {', '.join(PREFIXES)}")
    if not offered:
        raise ValueError(
            f"{model_id} has no cross-region inference profile: call it by its model id in a Region that serves it"
        )
    if scope == "global":
        if "global" in offered and region in source_regions("global"):
            return f"global.{model_id}"
        raise ValueError(
            f"{model_id} has no global profile callable from {region} (its profiles: {', '.join(offered)})"
        )
    for candidate in PREFIXES:
        if candidate != "global" and candidate in offered and region in source_regions(candidate):
            return f"{candidate}.{model_id}"
    reachable = ", ".join(geographies_of(region)) or "none"
    hint = f"; use scope='global' for global.{model_id}" if "global" in offered else ""
    raise ValueError(
        f"{model_id} has no geographic profile callable from {region} (its profiles: {', '.join(offered)}; "
        f"geographies of {region}: {reachable}){hint}"
    )


def geographies_of(region: str) -> list[str]:
    """The geography prefixes whose profiles may be called from `region` (narrowest first)."""
    return [p for p in PREFIXES if p != "global" and region in GEOGRAPHIES[p]]
