"""Control plane: ListInferenceProfiles and GetInferenceProfile, from the same catalog rows the runtime uses.

A system-defined cross-region profile exists for every (geography, model) pair a catalog row
lists in `inferenceProfiles`, in each region the geography serves as a source; exactly those ids
(`us.anthropic.claude-3-5-haiku-20241022-v1:0`, ...) and their ARNs are what InvokeModel and
Converse accept there. Shapes from botocore's bedrock service model (InferenceProfileSummary:
name, description, createdAt, updatedAt, ARN, models (1-5 foundation-model ARNs), id, status
ACTIVE, type SYSTEM_DEFINED | APPLICATION); paginated by `maxResults` / `nextToken`.
Names follow the console's `US Anthropic Claude 3.5 Haiku` pattern and descriptions its
`Routes requests to ...` sentence [recalled]; creation dates are the later of the model's launch
and cross-region inference's launch, 2024-08-27 [recalled, approximate]. The not-found message is
the simulator's own wording (no capture found).
"""

from __future__ import annotations

import base64
import datetime as dt

from . import catalog, coral, operations
from .catalog import Model
from .errors import BedrockError
from .sts import FAKE_ACCOUNT
from .wire import Request, Response

GEOGRAPHY = {"us": "US", "eu": "EU", "apac": "APAC", "global": "Global", "jp": "JP", "au": "AU", "ca": "CA"}
CROSS_REGION_LAUNCH = dt.date(2024, 8, 27)
MAX_MODELS = 5  # InferenceProfileModels: at most five entries


def _listed(model: Model) -> bool:
    status = model.status(catalog.catalog_date())
    return status != "UNRELEASED" and not (status == "EOL" and operations.lifecycle_mode() == "current")


def _summary(model: Model, geo: str, region: str) -> dict:
    profile_id = f"{geo}.{model.model_id}"
    destinations = [r for r in catalog.profile_regions(geo) if r in model.regions]
    destinations.sort(key=lambda r: r != region)  # the calling region first
    name = model.name if model.name.startswith(model.provider) else f"{model.provider} {model.name}"
    label = f"{GEOGRAPHY.get(geo, geo.upper())} {name}"
    shown = destinations[:MAX_MODELS]
    where = " and ".join([" ".join(shown[:-1]), shown[-1]] if len(shown) > 1 else shown)
    created = max(model.date("startOfLifeTime") or CROSS_REGION_LAUNCH, CROSS_REGION_LAUNCH)
    stamp = f"{created.isoformat()}T00:00:00Z"
    return {
        "inferenceProfileName": label[:64],
        "description": f"Routes requests to {name} in {where}."[:200],
        "createdAt": stamp,
        "updatedAt": stamp,
        "inferenceProfileArn": f"arn:aws:bedrock:{region}:{FAKE_ACCOUNT}:inference-profile/{profile_id}",
        "models": [{"modelArn": f"arn:aws:bedrock:{r}::foundation-model/{model.model_id}"} for r in shown],
        "inferenceProfileId": profile_id,
        "status": "ACTIVE",
        "type": "SYSTEM_DEFINED",
    }


def profiles(region: str) -> list[dict]:
    """Every system-defined profile callable from `region`, sorted by id."""
    found = []
    for model in catalog.all_models():
        if not _listed(model):
            continue
        for geo in model.inference_profiles:
            if region in catalog.profile_regions(geo):
                found.append(_summary(model, geo, region))
    return sorted(found, key=lambda p: p["inferenceProfileId"])


def list_inference_profiles(request: Request) -> Response:
    q = request.query
    c = coral.Constraints()
    c.enum(q.get("type"), "typeEquals", ["SYSTEM_DEFINED", "APPLICATION"])
    size = q.get("maxResults")
    if size is not None:
        if not size.isdigit():
            c.add(size, "maxResults", "have value greater than or equal to 1")
        else:
            c.range(int(size), "maxResults", 1, 1000)
    c.raise_any()
    found = [] if q.get("type") == "APPLICATION" else profiles(request.region)
    start = 0
    if q.get("nextToken"):
        try:
            start = int(base64.urlsafe_b64decode(q["nextToken"].encode()).decode())
        except (ValueError, UnicodeDecodeError):
            raise BedrockError("ValidationException", "The pagination token is invalid.") from None
    limit = int(size) if size else 1000
    page = found[start : start + limit]
    out: dict = {"inferenceProfileSummaries": page}
    if start + limit < len(found):
        out["nextToken"] = base64.urlsafe_b64encode(str(start + limit).encode()).decode()
    return operations.json_response(out)


def get_inference_profile(request: Request, profile_id: str) -> Response:
    wanted = profile_id.rsplit("inference-profile/", 1)[-1] if profile_id.startswith("arn:") else profile_id
    for profile in profiles(request.region):
        if profile["inferenceProfileId"] == wanted:
            return operations.json_response(profile)
    raise BedrockError("ResourceNotFoundException", f"Could not find inference profile {profile_id}.")
