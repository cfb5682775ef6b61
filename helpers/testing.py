"""The environment tests and the notebook runner use: offline, with local AWS settings hidden."""

from __future__ import annotations

import os
from collections.abc import MutableMapping

HIDDEN = (
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_BEDROCK",
    "AWS_ENDPOINT_URL_BEDROCK_RUNTIME",
    "AWS_ENDPOINT_URL_STS",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_ROLE_ARN",
    "AWS_RETRY_MODE",
    "AWS_MAX_ATTEMPTS",
    "BEDROCK_SIMULATOR_DATE",
    "BEDROCK_SIMULATOR_LIFECYCLE",
    "BEDROCK_SIMULATOR_LATENCY_SCALE",
    "BEDROCK_SIMULATOR_FAULTS",
)


def use_offline_environment(env: MutableMapping[str, str] = os.environ) -> MutableMapping[str, str]:
    """Force offline mode and hide whatever AWS configuration this machine has."""
    for name in HIDDEN:
        env.pop(name, None)
    env["BEDROCK_WORKSHOP_MODE"] = "offline"
    env["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull
    env["AWS_CONFIG_FILE"] = os.devnull
    env["AWS_EC2_METADATA_DISABLED"] = "true"  # never probe the instance metadata service
    return env
