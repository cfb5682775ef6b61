"""IAM policy documents for the workshop: the article's broad one and a least-privilege builder.

Action names and ARN formats: AWS Service Authorization Reference, "Actions, resources, and
condition keys for Amazon Bedrock" (foundation-model ARNs have an empty account field;
inference profiles are account resources; a cross-region profile also needs the foundation
model allowed in every region it may route to).

Model access today (AWS Bedrock User Guide, "Request access to models", model-access.html): access
to every serverless model is enabled by default "with the correct AWS Marketplace permissions". The
first call to a third-party model starts an AWS Marketplace subscription in the background; the
caller needs `aws-marketplace:Subscribe`, `aws-marketplace:Unsubscribe` and
`aws-marketplace:ViewSubscriptions`, the account a payment method, and, for Anthropic, a one-time
use-case form. Without them the call fails with `AccessDeniedException: Model access is denied due
to IAM user or service role is not authorized to perform the required AWS Marketplace actions
(aws-marketplace:ViewSubscriptions, aws-marketplace:Subscribe) ...` (text as reported in
aws-samples/anthropic-on-aws#251). Amazon's own models are not Marketplace products.
"""

from __future__ import annotations

import re

from .profiles import split as _split_profile

INVOKE_ACTIONS = ("bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream")
CATALOG_ACTIONS = ("bedrock:ListFoundationModels", "bedrock:GetFoundationModel")
# The three actions model-access.html lists as the prerequisite for a first call to a third-party model.
MARKETPLACE_ACTIONS = ("aws-marketplace:Subscribe", "aws-marketplace:Unsubscribe", "aws-marketplace:ViewSubscriptions")
_MODEL_ID = re.compile(r"^[a-z0-9-]{1,63}\.[a-z0-9-]{1,63}(?:[.:]?[a-z0-9-]{1,63})*(?::\d+)?$")
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


def _product_id(model_id: str) -> str | None:
    """The model's AWS Marketplace product id, as its AWS model card prints it (catalog data), if known."""
    from .simulator import catalog  # data only: importing it starts no simulator

    model = catalog.get(model_id)
    return model.marketplace_product_id if model else None


def least_privilege_policy(
    model_ids: list[str] | tuple[str, ...],
    region: str,
    *,
    account: str = "*",
    streaming: bool = True,
    catalog: bool = True,
    marketplace: bool = True,
) -> dict:
    """A policy allowing only `model_ids` to be invoked in `region` (plus read-only catalog calls).

    Model ids may be base ids (`anthropic.claude-haiku-4-5-20251001-v1:0`) or cross-region
    inference profile ids (`us.anthropic.claude-sonnet-4-6`). `account` fills the
    inference-profile ARNs; the default `*` avoids putting an account id in a notebook.
    For third-party models (any provider but Amazon) it adds what their first call needs: the AWS
    Marketplace subscription actions, only when Bedrock calls them, and only for those models'
    products when their product ids are known; `marketplace=False` leaves that statement out
    (for a role whose account has already subscribed).
    """
    if isinstance(model_ids, str):
        raise TypeError("model_ids must be a list of model ids, e.g. ['amazon.titan-embed-text-v1']")
    if not model_ids:
        raise ValueError("model_ids is empty; name at least one model id, e.g. 'amazon.titan-embed-text-v2:0'")
    if not _REGION.match(region or ""):
        raise ValueError(f"region {region!r} is not a region name such as 'us-east-1' or 'eu-central-1'")
    if account != "*" and not re.fullmatch(r"\d{12}", account):
        raise ValueError(f"account must be '*' or a 12-digit account id, not {account!r}")
    resources: list[str] = []
    third_party: list[str] = []
    for model_id in model_ids:
        prefix, base = _split_profile(model_id)
        if not _MODEL_ID.match(base):
            raise ValueError(
                f"{model_id!r} is not a Bedrock model id; expected provider.model, e.g. "
                "'amazon.titan-embed-text-v2:0' or 'us.anthropic.claude-sonnet-4-6'"
            )
        if not base.startswith("amazon."):
            third_party.append(base)
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
    if marketplace and third_party:
        statements.append(_marketplace_statement(list(dict.fromkeys(third_party))))
    return {"Version": "2012-10-17", "Statement": statements}


def _marketplace_statement(model_ids: list[str]) -> dict:
    """Let Bedrock subscribe this principal to the third-party models on their first call.

    `aws:CalledViaLast: bedrock.amazonaws.com` limits the actions to calls Bedrock makes on the
    caller's behalf (as in aws/bedrock-agentcore-starter-toolkit#349); `aws-marketplace:ProductId`
    (a documented condition key of AWS Marketplace) limits them to these models' products when every
    product id is known from the models' AWS model cards.
    """
    condition: dict = {"StringEquals": {"aws:CalledViaLast": "bedrock.amazonaws.com"}}
    products = [_product_id(m) for m in model_ids]
    if all(products):
        condition["ForAnyValue:StringEquals"] = {"aws-marketplace:ProductId": list(dict.fromkeys(products))}
    return {
        "Sid": "SubscribeOnFirstUse",
        "Effect": "Allow",
        "Action": list(MARKETPLACE_ACTIONS),
        "Resource": "*",
        "Condition": condition,
    }
