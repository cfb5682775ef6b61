"""The least-privilege policy builder: correct ARNs, teaching errors, and lesson 00's exercise."""

import pytest

from helpers.iam import article_policy, least_privilege_policy


def test_exercise_00_solution():
    policy = least_privilege_policy(["amazon.titan-embed-text-v2:0"], region="us-west-2", streaming=False)
    invoke = policy["Statement"][0]
    assert invoke["Resource"] == ["arn:aws:bedrock:us-west-2::foundation-model/amazon.titan-embed-text-v2:0"]
    assert invoke["Action"] == ["bedrock:InvokeModel"]
    assert policy["Statement"][1]["Action"] == ["bedrock:ListFoundationModels", "bedrock:GetFoundationModel"]


def test_profile_allows_profile_and_model_in_every_region():
    res = least_privilege_policy(["eu.amazon.nova-lite-v1:0"], region="eu-west-1", catalog=False)["Statement"]
    assert len(res) == 1
    assert res[0]["Resource"] == [
        "arn:aws:bedrock:eu-west-1:*:inference-profile/eu.amazon.nova-lite-v1:0",
        "arn:aws:bedrock:*::foundation-model/amazon.nova-lite-v1:0",
    ]


def test_article_policy_is_the_printed_one():
    statement = article_policy()["Statement"][0]
    assert statement["Resource"] == "*" and len(statement["Action"]) == 3


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        ((["claude-v2"],), {"region": "us-east-1"}, "is not a Bedrock model id"),
        (([],), {"region": "us-east-1"}, "model_ids is empty"),
        ((["amazon.titan-embed-text-v1"],), {"region": "useast1"}, "is not a region name"),
        ((["amazon.titan-embed-text-v1"],), {"region": "us-east-1", "account": "12"}, "12-digit account id"),
    ],
)
def test_bad_input_says_what_is_allowed(args, kwargs, message):
    with pytest.raises(ValueError, match=message):
        least_privilege_policy(*args, **kwargs)


def test_a_string_instead_of_a_list_is_refused():
    with pytest.raises(TypeError, match="must be a list"):
        least_privilege_policy("amazon.titan-embed-text-v1", region="us-east-1")
