"""Bedrock's error types as data: HTTP status per shape, and the exception the simulator raises.

Statuses come from the error shapes in botocore's bedrock-runtime/bedrock service models
(e.g. ModelErrorException 424, ModelTimeoutException 408, ServiceQuotaExceededException 400).
"""

from __future__ import annotations

STATUS = {
    "AccessDeniedException": 403,
    "ConflictException": 400,
    "InternalServerException": 500,
    "ModelErrorException": 424,
    "ModelNotReadyException": 429,
    "ModelStreamErrorException": 424,
    "ModelTimeoutException": 408,
    "ResourceNotFoundException": 404,
    "ServiceQuotaExceededException": 400,
    "ServiceUnavailableException": 503,
    "ThrottlingException": 429,
    "ValidationException": 400,
}

# Real messages, quoted from error output in public issue trackers (see
# shared/reference/bedrock-wire-format.md, section 4.11).
INVALID_MODEL_ID = "The provided model identifier is invalid."
NO_STREAMING = "The model is unsupported for streaming."
END_OF_LIFE = (
    "This model version has reached the end of its life. Please refer to the AWS documentation for more details."
)
NO_ACCESS = "You don't have access to the model with the specified model ID."
ON_DEMAND_NOT_SUPPORTED = (
    "Invocation of model ID {model_id} with on-demand throughput isn\u2019t supported. "
    "Retry your request with the ID or ARN of an inference profile that contains this model."
)
CONVERSE_UNSUPPORTED = (
    "This action doesn't support the model that you provided. Try again with a supported text or chat model."
)


class BedrockError(Exception):
    """An error the simulated service answers with: a modeled shape name and its message."""

    def __init__(self, error_type: str, message: str, **extra: object) -> None:
        if error_type not in STATUS:
            raise ValueError(f"unknown Bedrock error type {error_type!r}")
        super().__init__(message)
        self.error_type = error_type
        self.message = message
        self.extra = extra  # extra modeled members, e.g. originalStatusCode

    @property
    def status(self) -> int:
        return STATUS[self.error_type]

    def body(self) -> dict:
        return {"message": self.message, **self.extra}


def validation(message: str) -> BedrockError:
    return BedrockError("ValidationException", message)


def malformed(*violations: str) -> BedrockError:
    """The JSON-schema layer's message: every violation prefixed by its pointer, concatenated."""
    return validation("Malformed input request: " + "".join(violations) + ", please reformat your input and try again.")
