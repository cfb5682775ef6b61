"""The article's first call works offline through a real boto3 client."""

import pytest

from tests.conftest import error_of, invoke


def test_titan_g1_embedding_shape(runtime):
    body, headers = invoke(runtime, "amazon.titan-embed-text-v1", {"inputText": "Hello world!"})
    assert len(body["embedding"]) == 1536
    assert body["inputTextTokenCount"] == int(headers["x-amzn-bedrock-input-token-count"])


def test_unknown_model_is_a_validation_exception(runtime):
    with pytest.raises(runtime.exceptions.ValidationException) as exc:
        invoke(runtime, "anthropic.claude-v9", {"prompt": "x"})
    assert error_of(exc) == ("ValidationException", "The provided model identifier is invalid.", 400)
