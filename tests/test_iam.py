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


# ------------------------------------------------------------------ model access through AWS Marketplace

MARKETPLACE = ["aws-marketplace:Subscribe", "aws-marketplace:Unsubscribe", "aws-marketplace:ViewSubscriptions"]


def test_amazon_models_need_no_marketplace_statement():
    policy = least_privilege_policy(["amazon.titan-embed-text-v2:0", "us.amazon.nova-micro-v1:0"], region="us-east-1")
    assert [s["Sid"] for s in policy["Statement"]] == ["InvokeChosenModels", "ReadModelCatalog"]


def test_a_third_party_model_gets_the_subscription_actions_only_through_bedrock_and_for_its_product():
    policy = least_privilege_policy(
        ["anthropic.claude-haiku-4-5-20251001-v1:0", "us.anthropic.claude-sonnet-4-6"], region="us-east-1"
    )
    invoke, _, market = policy["Statement"]
    assert invoke["Resource"][-1] == "arn:aws:bedrock:*::foundation-model/anthropic.claude-sonnet-4-6"
    assert market["Sid"] == "SubscribeOnFirstUse" and market["Action"] == MARKETPLACE and market["Resource"] == "*"
    assert market["Condition"] == {
        "StringEquals": {"aws:CalledViaLast": "bedrock.amazonaws.com"},
        # product ids as printed on the AWS model cards of Claude Haiku 4.5 and Claude Sonnet 4.6
        "ForAnyValue:StringEquals": {"aws-marketplace:ProductId": ["prod-xdkflymybwmvi", "prod-ffvjxvh4ltq64"]},
    }


def test_an_unknown_product_id_leaves_the_product_condition_out_rather_than_guessing():
    market = least_privilege_policy(["anthropic.claude-sonnet-5"], region="us-east-1")["Statement"][2]
    assert market["Condition"] == {"StringEquals": {"aws:CalledViaLast": "bedrock.amazonaws.com"}}


def test_marketplace_false_leaves_the_subscription_out():
    policy = least_privilege_policy(["anthropic.claude-haiku-4-5-20251001-v1:0"], region="us-east-1", marketplace=False)
    assert len(policy["Statement"]) == 2


def test_the_exercise_statement_order_holds_with_a_third_party_model():
    policy = least_privilege_policy(["cohere.embed-multilingual-v3"], region="eu-west-1", streaming=False)
    assert [s["Sid"] for s in policy["Statement"]] == ["InvokeChosenModels", "ReadModelCatalog", "SubscribeOnFirstUse"]
