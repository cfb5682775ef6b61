"""IAM policy documents for the workshop: the article's broad one and a least-privilege builder.

Action names and ARN formats: AWS Service Authorization Reference, "Actions, resources, and
condition keys for Amazon Bedrock" (foundation-model ARNs have an empty account field;
inference profiles are account resources; a cross-region profile also needs the foundation
model allowed in every region it may route to).
"""

from __future__ import annotations

import re

INVOKE_ACTIONS = ("bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream")
CATALOG_ACTIONS = ("bedrock:ListFoundationModels", "bedrock:GetFoundationModel")
_MODEL_ID = re.compile(r"^[a-z0-9-]{1,63}\.[a-z0-9-]{1,63}(?:[.:]?[a-z0-9-]{1,63})*(?::\d+)?$")
_PROFILE_PREFIXES = ("us", "eu", "apac", "global", "jp", "au", "ca", "us-gov")
_REGION = re.compile(r"^[a-z]{2}(?:-gov)?-[a-z]+-\d$")


def article_policy() -> dict:
    """The policy printed in the article: three actions on every resource."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "InvokeFM",
                "Effect": "Allow",
                "Action": [
                    "bedrock:GetFoundationModel",
                    "bedrock:InvokeModel",
                    "bedrock:InvokeModelWithResponseStream",
                ],
                "Resource": "*",
            }
        ],
    }


def _split_profile(model_id: str) -> tuple[str | None, str]:
    prefix, _, rest = model_id.partition(".")
    if prefix in _PROFILE_PREFIXES and _MODEL_ID.match(rest):
        return prefix, rest
    return None, model_id


def least_privilege_policy(
    model_ids: list[str] | tuple[str, ...],
    region: str,
    *,
    account: str = "*",
    streaming: bool = True,
    catalog: bool = True,
) -> dict:
    """A policy allowing only `model_ids` to be invoked in `region` (plus read-only catalog calls).

    Model ids may be base ids (`anthropic.claude-3-haiku-20240307-v1:0`) or cross-region
    inference profile ids (`us.anthropic.claude-sonnet-4-20250514-v1:0`). `account` fills the
    inference-profile ARNs; the default `*` avoids putting an account id in a notebook.
    """
    if isinstance(model_ids, str):
        raise TypeError("model_ids must be a list of model ids, e.g. ['amazon.titan-embed-text-v1']")
    if not model_ids:
        raise ValueError("model_ids is empty; name at least one model id, e.g. 'amazon.titan-embed-text-v1'")
    if not _REGION.match(region or ""):
        raise ValueError(f"region {region!r} is not a region name such as 'us-east-1' or 'eu-central-1'")
    if account != "*" and not re.fullmatch(r"\d{12}", account):
        raise ValueError(f"account must be '*' or a 12-digit account id, not {account!r}")
    resources: list[str] = []
    for model_id in model_ids:
        prefix, base = _split_profile(model_id)
        if not _MODEL_ID.match(base):
            raise ValueError(
                f"{model_id!r} is not a Bedrock model id; expected provider.model, e.g. "
                "'anthropic.claude-3-haiku-20240307-v1:0' or 'us.anthropic.claude-sonnet-4-20250514-v1:0'"
            )
        if prefix:
            resources.append(f"arn:aws:bedrock:{region}:{account}:inference-profile/{model_id}")
            # The profile may route to any region of its geography: allow the model there too.
            resources.append(f"arn:aws:bedrock:*::foundation-model/{base}")
        else:
            resources.append(f"arn:aws:bedrock:{region}::foundation-model/{base}")
    actions = list(INVOKE_ACTIONS if streaming else INVOKE_ACTIONS[:1])
    statements = [
        {"Sid": "InvokeChosenModels", "Effect": "Allow", "Action": actions, "Resource": list(dict.fromkeys(resources))}
    ]
    if catalog:
        statements.append(
            # List/Get on the catalog are read-only; ListFoundationModels supports only "*".
            {"Sid": "ReadModelCatalog", "Effect": "Allow", "Action": list(CATALOG_ACTIONS), "Resource": "*"}
        )
    return {"Version": "2012-10-17", "Statement": statements}
