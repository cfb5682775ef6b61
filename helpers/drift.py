"""Compare a live `list_foundation_models` answer with the workshop's catalog, for instructors.

Lesson 03 runs `compare()` live: what AWS lists in a Region today against what the simulator lists
there on its catalog date, with retired models absent as on AWS. The differences say when the
workshop's catalog (helpers/simulator/data/models.json) needs a refresh.
"""

from __future__ import annotations

import datetime as dt
import textwrap
from dataclasses import dataclass, field

_DATES = ("legacyTime", "publicExtendedAccessTime", "endOfLifeTime")


@dataclass
class Drift:
    """What differs between a live listing and the catalog, model by model."""

    region: str
    catalog_date: dt.date
    only_live: list[str] = field(default_factory=list)  # AWS lists it, the catalog does not
    only_catalog: list[str] = field(default_factory=list)  # the catalog lists it here, AWS does not
    changed: dict[str, list[str]] = field(default_factory=dict)  # model id -> what differs

    @property
    def up_to_date(self) -> bool:
        return not (self.only_live or self.only_catalog or self.changed)

    def report(self, width: int = 100) -> str:
        """Lines no wider than `width`, for printing in a notebook."""
        head = f"{self.region}: live listing against the workshop catalog of {self.catalog_date}"
        if self.up_to_date:
            return f"{head}: no drift"
        lines = [head]
        for title, ids in (
            ("new on AWS, not in the catalog", self.only_live),
            ("in the catalog, not listed by AWS", self.only_catalog),
        ):
            if ids:
                lines.append(f"{title} ({len(ids)}):")
                lines += textwrap.wrap(", ".join(ids), width, initial_indent="  ", subsequent_indent="  ")
        if self.changed:
            lines.append(f"changed ({len(self.changed)}):")
            for model_id, what in self.changed.items():
                lines += textwrap.wrap(
                    f"{model_id}: {'; '.join(what)}", width, initial_indent="  ", subsequent_indent="    "
                )
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.report()


def _day(value: object) -> str | None:
    """A listing timestamp (datetime from boto3, or an ISO string) as YYYY-MM-DD."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    return str(value)[:10]


def compare(live_summaries: list[dict], region: str, *, today: dt.date | None = None) -> Drift:
    """Compare `live_summaries` (a real ListFoundationModels answer in `region`) with the catalog.

    Provisioned-only variants (`amazon.titan-embed-text-v1:2:8k`, listed with inferenceTypesSupported
    ["PROVISIONED"]) are not catalog rows and are ignored. The catalog side is what the simulator
    lists in `region` on `today` (default: the catalog's date) with retired models absent.
    """
    from .simulator import catalog  # data only

    today = today or catalog.catalog_date()
    live = {s["modelId"]: s for s in live_summaries if s.get("inferenceTypesSupported") != ["PROVISIONED"]}
    expected = {
        m.model_id: m for m in catalog.all_models() if region in m.regions and m.status(today) in ("ACTIVE", "LEGACY")
    }
    drift = Drift(region, today)
    drift.only_live = sorted(set(live) - set(expected))
    drift.only_catalog = sorted(set(expected) - set(live))
    for model_id in sorted(set(live) & set(expected)):
        model, summary, what = expected[model_id], live[model_id], []
        status = model.status(today)
        live_status = summary.get("modelLifecycle", {}).get("status")
        if live_status and live_status != status:
            what.append(f"status {live_status} live, {status} in the catalog")
        for key in _DATES:
            live_day = _day(summary.get("modelLifecycle", {}).get(key))
            if live_day and live_day != model.lifecycle.get(key):
                what.append(f"{key} {live_day} live, {model.lifecycle.get(key) or 'none'} in the catalog")
        kinds = summary.get("inferenceTypesSupported", [])
        profile_only = "INFERENCE_PROFILE" in kinds and "ON_DEMAND" not in kinds
        if profile_only == model.on_demand_in(region):
            live_kind = "profile only" if profile_only else "on demand"
            what.append(
                f"{live_kind} live, {'on demand' if model.on_demand_in(region) else 'profile only'} in the catalog"
            )
        if "responseStreamingSupported" in summary and summary["responseStreamingSupported"] != model.streaming:
            what.append(f"streaming {summary['responseStreamingSupported']} live, {model.streaming} in the catalog")
        if what:
            drift.changed[model_id] = what
    return drift


def estimated_keys(model_id: str) -> frozenset[str]:
    """Lifecycle keys the simulator answers with the workshop's estimates for `model_id` (offline only).

    Live, every date comes from AWS, so nothing is an estimate; an unknown model has none either.
    """
    from ._setup import _STATE

    if _STATE.current is not None and not _STATE.current.offline:
        return frozenset()
    from .simulator import catalog

    model = catalog.get(model_id)
    return frozenset(model.estimated) if model else frozenset()


def day(lifecycle: dict, key: str, model_id: str) -> str:
    """A lifecycle date from a listing as YYYY-MM-DD, marked ' (est.)' when it is an offline estimate; '-' if absent."""
    value = _day(lifecycle.get(key))
    if value is None:
        return "-"
    return value + (" (est.)" if key in estimated_keys(model_id) else "")
