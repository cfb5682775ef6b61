"""Titan Embeddings G1/V2 and Cohere Embed v3 through real boto3 clients: shapes, limits, texts."""

from __future__ import annotations

import numpy as np
import pytest

from tests.conftest import error_of, invoke, malformed, rejected

G1, V2 = "amazon.titan-embed-text-v1", "amazon.titan-embed-text-v2:0"
COHERE_EN, COHERE_ML = "cohere.embed-english-v3", "cohere.embed-multilingual-v3"


def embed(runtime, model_id: str, text: str, **extra) -> np.ndarray:
    body, _ = invoke(runtime, model_id, {"inputText": text, **extra})
    return np.array(body["embedding"])


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


# ---------------------------------------------------------------- Titan G1


def test_g1_vector_is_1536_unnormalised_floats_with_token_count(runtime):
    body, headers = invoke(runtime, G1, {"inputText": "对不起"})
    assert list(body) == ["embedding", "inputTextTokenCount"]
    assert len(body["embedding"]) == 1536
    assert not np.isclose(np.linalg.norm(body["embedding"]), 1.0)  # G1 does not normalise
    assert body["inputTextTokenCount"] == 3 == int(headers["x-amzn-bedrock-input-token-count"])


def test_g1_same_text_same_vector_and_self_cosine_is_one(runtime):
    a, b = embed(runtime, G1, "对不起"), embed(runtime, G1, "对不起")
    assert np.array_equal(a, b)
    assert cosine(a, b) == pytest.approx(1.0)


def test_g1_shared_characters_bring_vectors_closer(runtime):
    word = embed(runtime, G1, "对不起")
    traditional, weather = embed(runtime, G1, "對不起"), embed(runtime, G1, "the weather")
    assert cosine(word, traditional) > cosine(word, weather) + 0.2
    assert np.linalg.norm(word - traditional) < np.linalg.norm(word - weather)


def test_g1_accepts_only_input_text(runtime):
    # Real text: aws-samples/serverless-pdf-chat#35 (no JSON pointer for a single violation).
    assert rejected(runtime, G1, {"inputText": "x", "textGenerationConfig": {}}) == (
        "ValidationException",
        malformed("extraneous key [textGenerationConfig] is not permitted"),
        400,
    )


def test_g1_several_violations_are_counted(runtime):
    # Real text: spring-projects/spring-ai#788.
    assert rejected(runtime, G1, {"text": "x"}) == (
        "ValidationException",
        malformed("2 schema violations found"),
        400,
    )


def test_g1_refuses_an_empty_text(runtime):
    code, message, status = rejected(runtime, G1, {"inputText": ""})
    assert (code, message, status) == ("ValidationException", malformed("expected minLength: 1, actual: 0"), 400)


def test_g1_token_limit_message(runtime):
    # Real text: aws-samples/amazon-bedrock-workshop#136.
    text = " ".join(["word"] * 9000)
    assert rejected(runtime, G1, {"inputText": text}) == (
        "ValidationException",
        "400 Bad Request: Too many input tokens. Max input tokens: 8192, request input token count: 9000",
        400,
    )


def test_embedding_models_do_not_stream(runtime):
    with pytest.raises(runtime.exceptions.ValidationException) as exc:
        runtime.invoke_model_with_response_stream(modelId=V2, body='{"inputText": "x"}')
    assert error_of(exc) == ("ValidationException", "The model is unsupported for streaming.", 400)


# ---------------------------------------------------------------- Titan V2


def test_v2_defaults_are_1024_normalised_floats_with_embeddings_by_type(runtime):
    body, _ = invoke(runtime, V2, {"inputText": "hello world"})
    assert list(body) == ["embedding", "inputTextTokenCount", "embeddingsByType"]
    assert len(body["embedding"]) == 1024
    assert np.linalg.norm(body["embedding"]) == pytest.approx(1.0, abs=1e-5)
    assert body["embeddingsByType"] == {"float": body["embedding"]}


@pytest.mark.parametrize("dims", [256, 512, 1024])
def test_v2_dimensions(runtime, dims):
    assert len(embed(runtime, V2, "hello", dimensions=dims)) == dims


@pytest.mark.parametrize("dims", [0, 100, 768, 1536])
def test_v2_rejects_other_dimensions(runtime, dims):
    assert rejected(runtime, V2, {"inputText": "x", "dimensions": dims}) == (
        "ValidationException",
        malformed(f"{dims} is not a valid enum value"),
        400,
    )


def test_v2_normalize_false_keeps_the_length(runtime):
    vec = embed(runtime, V2, "hello", normalize=False)
    assert np.linalg.norm(vec) > 2
    unit = embed(runtime, V2, "hello")
    assert cosine(vec, unit) == pytest.approx(1.0)


def test_v2_normalize_must_be_a_boolean(runtime):
    assert rejected(runtime, V2, {"inputText": "x", "normalize": "yes"}) == (
        "ValidationException",
        malformed("expected type: Boolean, found: String"),
        400,
    )


def test_v2_binary_embedding_is_one_bit_per_dimension(runtime):
    body, _ = invoke(runtime, V2, {"inputText": "hello", "dimensions": 256, "embeddingTypes": ["binary", "float"]})
    bits, floats = body["embeddingsByType"]["binary"], body["embeddingsByType"]["float"]
    assert list(body["embeddingsByType"]) == ["binary", "float"]
    assert len(bits) == 256 and set(bits) <= {0, 1}
    assert bits == [int(x > 0) for x in floats]
    assert body["embedding"] == floats  # `embedding` is always the float vector


def test_v2_binary_only_still_answers_the_float_embedding(runtime):
    body, _ = invoke(runtime, V2, {"inputText": "hello", "embeddingTypes": ["binary"]})
    assert list(body["embeddingsByType"]) == ["binary"]
    assert len(body["embedding"]) == 1024


@pytest.mark.parametrize(
    ("types", "reason"),
    [
        (["int8"], "int8 is not a valid enum value"),
        ([], "expected minimum item count: 1, found: 0"),
        ("float", "expected type: JSONArray, found: String"),
    ],
)
def test_v2_embedding_types_are_float_or_binary(runtime, types, reason):
    assert rejected(runtime, V2, {"inputText": "x", "embeddingTypes": types}) == (
        "ValidationException",
        malformed(reason),
        400,
    )


def test_v2_character_limit(runtime):
    # Real text: alphagov/govuk-chat#220.
    assert rejected(runtime, V2, {"inputText": "ab" * 30000}) == (
        "ValidationException",
        malformed("expected maxLength: 50000, actual: 60000"),
        400,
    )


def test_v2_and_g1_live_in_different_spaces(runtime):
    g1, v2 = embed(runtime, G1, "hello world")[:1024], embed(runtime, V2, "hello world")
    assert abs(cosine(g1, v2)) < 0.2


def test_v2_smaller_vectors_keep_the_ranking(runtime):
    texts = ["对不起", "對不起", "抱歉", "the weather", "I'm sorry"]
    for dims in (256, 512):
        full = [embed(runtime, V2, t) for t in texts]
        small = [embed(runtime, V2, t, dimensions=dims) for t in texts]
        rank_full = np.argsort([-(full[0] @ v) for v in full])
        rank_small = np.argsort([-(small[0] @ v) for v in small])
        assert list(rank_full[:2]) == list(rank_small[:2]) == [0, 1]


# ---------------------------------------------------------------- Cohere Embed v3


def test_cohere_embeds_many_texts_in_one_call(runtime):
    body, headers = invoke(runtime, COHERE_EN, {"texts": ["hello", "world"], "input_type": "search_document"})
    assert list(body) == ["embeddings", "id", "response_type", "texts"]
    assert body["response_type"] == "embeddings_floats"
    assert body["texts"] == ["hello", "world"]
    assert [len(v) for v in body["embeddings"]] == [1024, 1024]
    assert int(headers["x-amzn-bedrock-input-token-count"]) == 4


def test_cohere_query_and_document_are_close_but_not_equal(runtime):
    doc, _ = invoke(runtime, COHERE_ML, {"texts": ["对不起"], "input_type": "search_document"})
    query, _ = invoke(runtime, COHERE_ML, {"texts": ["对不起"], "input_type": "search_query"})
    similarity = cosine(np.array(doc["embeddings"][0]), np.array(query["embeddings"][0]))
    assert 0.9 < similarity < 1.0


def test_cohere_embedding_types(runtime):
    body, _ = invoke(
        runtime, COHERE_EN, {"texts": ["hi"], "input_type": "clustering", "embedding_types": ["int8", "ubinary"]}
    )
    assert body["response_type"] == "embeddings_by_type"
    assert list(body["embeddings"]) == ["int8", "ubinary"]
    assert len(body["embeddings"]["int8"][0]) == 1024 and len(body["embeddings"]["ubinary"][0]) == 128
    assert all(-128 <= x <= 127 for x in body["embeddings"]["int8"][0])


def test_cohere_given_a_titan_body(runtime):
    # Real text: promptfoo/promptfoo#921.
    assert rejected(runtime, COHERE_EN, {"inputText": "x"}) == (
        "ValidationException",
        "Malformed input request: #: required key [texts] not found#: required key [input_type] not found"
        "#: extraneous key [inputText] is not permitted, please reformat your input and try again.",
        400,
    )


@pytest.mark.parametrize(
    ("extra", "reason"),
    [
        ({"input_type": "search"}, "#/input_type: search is not a valid enum value"),
        ({"truncate": "MIDDLE"}, "#/truncate: MIDDLE is not a valid enum value"),
        ({"texts": ["x"] * 97}, "#/texts: expected maximum item count: 96, found: 97"),
        ({"texts": ["x" * 2049]}, "#/texts/0: expected maxLength: 2048, actual: 2049"),
        ({"embedding_types": ["float16"]}, "#/embedding_types/0: float16 is not a valid enum value"),
    ],
)
def test_cohere_documented_limits(runtime, extra, reason):
    body = {"texts": ["x"], "input_type": "search_query", **extra}
    assert rejected(runtime, COHERE_EN, body) == ("ValidationException", malformed(reason), 400)
