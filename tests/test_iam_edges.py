"""An execution role at the edges: statements that allow by exclusion, a role with more
policies than one page lists, a policy that may not be read, documents as text."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest

from lambdatui.aws.iam import Statement, parse_document, role_summary

from .helpers import client, session_for

TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": {
            "Effect": "Allow",
            "Principal": {"Service": "lambda.amazonaws.com"},
            "Action": "sts:AssumeRole",
        },
    }
)


def make_role(box: Any) -> tuple[str, str]:
    """A fresh role: (its name, its ARN)."""
    name = f"orders-role-{uuid.uuid4().hex[:8]}"
    arn = client(box, "iam").create_role(RoleName=name, AssumeRolePolicyDocument=TRUST)["Role"][
        "Arn"
    ]
    return name, arn


def attach(box: Any, role: str, document: dict[str, Any], name: str | None = None) -> str:
    iam = client(box, "iam")
    name = name or f"orders-{uuid.uuid4().hex[:8]}"
    arn = iam.create_policy(PolicyName=name, PolicyDocument=json.dumps(document))["Policy"]["Arn"]
    iam.attach_role_policy(RoleName=role, PolicyArn=arn)
    return name


@pytest.fixture
def faults_cleared(sandbox: Any) -> Iterator[None]:
    yield
    sandbox.faults.clear()


async def test_statements_that_allow_by_exclusion_are_flagged(sandbox: Any) -> None:
    role, arn = make_role(sandbox)
    policy = attach(
        sandbox,
        role,
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"},
                {"Effect": "Allow", "Action": "s3:GetObject", "NotResource": "arn:aws:s3:::x/*"},
                {"Effect": "Deny", "Action": "*", "Resource": "*"},
            ],
        },
    )
    aws = session_for(sandbox)
    try:
        summary = await role_summary(aws, arn)
    finally:
        await aws.close()

    assert summary.name == role
    assert summary.error is None
    [got] = summary.policies
    assert got.name == policy
    # The actions a NotAction leaves out are not granted; a Deny flags nothing.
    assert got.wildcards == (
        "NotAction (allows every other action)",
        "Resource * for NotAction",
        "NotResource (every other resource)",
    )
    assert got.summary() == (
        "Allow everything except iam:* on *; "
        "Allow s3:GetObject on everything except arn:aws:s3:::x/*; Deny * on *"
    )


async def test_a_role_with_more_policies_than_a_page_lists_them_all(sandbox: Any) -> None:
    role, arn = make_role(sandbox)
    document = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "*"}],
    }
    # ListAttachedRolePolicies answers 100 a page.
    names = {attach(sandbox, role, document) for _ in range(101)}
    aws = session_for(sandbox)
    try:
        summary = await role_summary(aws, arn)
    finally:
        await aws.close()

    assert {p.name for p in summary.policies} == names


async def test_a_policy_that_may_not_be_read_says_why_in_its_place(
    sandbox: Any, faults_cleared: None
) -> None:
    role, arn = make_role(sandbox)
    managed = attach(
        sandbox,
        role,
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "*"}],
        },
    )
    client(sandbox, "iam").put_role_policy(
        RoleName=role,
        PolicyName="inline-orders",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}],
            }
        ),
    )
    sandbox.deny("iam:GetPolicy", "iam:GetRolePolicy")
    aws = session_for(sandbox)
    try:
        summary = await role_summary(aws, arn)
    finally:
        await aws.close()

    by_name = {p.name: p for p in summary.policies}
    assert set(by_name) == {managed, "inline-orders"}
    assert "iam:GetPolicy" in by_name[managed].summary()
    assert "iam:GetRolePolicy" in by_name["inline-orders"].summary()
    assert by_name[managed].statements == by_name["inline-orders"].statements == ()


DOCUMENT = {
    "Version": "2012-10-17",
    "Statement": {"Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": "arn:t"},
}
READ = (Statement("Allow", ("dynamodb:GetItem",), ("arn:t",)),)


@pytest.mark.parametrize(
    "document",
    [DOCUMENT, json.dumps(DOCUMENT), quote(json.dumps(DOCUMENT))],
    ids=["mapping", "json", "url-encoded"],
)
def test_a_document_reads_the_same_as_a_mapping_json_or_url_encoded(document: Any) -> None:
    assert parse_document(document) == READ


@pytest.mark.parametrize(
    ("document", "statements"),
    [
        ([DOCUMENT], ()),  # not a document at all
        ({"Statement": ["Allow everything", DOCUMENT["Statement"]]}, READ),
        (
            {"Statement": [{"Effect": "Allow", "Resource": "*"}]},
            (Statement("Allow", (), ("*",)),),
        ),
    ],
)
def test_a_malformed_document_keeps_what_it_can(document: Any, statements: Any) -> None:
    assert parse_document(document) == statements
