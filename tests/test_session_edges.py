"""The AWS session and its error sentences at the edges: a region name that is not one,
a profile that does not exist, no credentials anywhere, a reply that cannot be read,
two panes asking for the same client at once."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

import pytest

from lambdatui.aws.errors import AwsError, CredentialsError
from lambdatui.aws.session import AwsSession, Target, call

from .helpers import session_for


@pytest.fixture
def no_aws_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


def test_a_target_without_an_endpoint_is_aws() -> None:
    assert Target(profile=None, region="us-east-1").is_aws
    assert not Target(profile=None, region="us-east-1", endpoint_url="http://127.0.0.1:1").is_aws


async def test_two_panes_asking_for_one_client_at_once_share_it(sandbox: Any) -> None:
    aws = session_for(sandbox)
    aws.connect_timeout = 3.0
    try:
        first, second = await asyncio.gather(aws.client("sqs"), aws.client("sqs"))
    finally:
        await aws.close()

    assert first is second
    assert aws.connect_timeout == 3.0


async def test_a_region_name_that_is_not_one_is_said(sandbox: Any) -> None:
    aws = session_for(sandbox, "not a region!")
    try:
        with pytest.raises(AwsError) as refused:
            await call(aws, "lambda", "ListFunctions")
    finally:
        await aws.close()

    assert refused.value.sentence.startswith("lambda:CreateClient failed:")
    assert "not a region!" in refused.value.sentence


async def test_a_reply_that_cannot_be_read_is_said(sandbox: Any) -> None:
    aws = session_for(sandbox)
    aws.max_attempts = 1
    # An XML (query protocol) reply: botocore reads a broken JSON body as a message.
    sandbox.fault("iam:ListRolePolicies", "malformed", times=1)
    try:
        with pytest.raises(AwsError) as refused:
            await call(aws, "iam", "ListRolePolicies", RoleName="orders-role")
    finally:
        sandbox.faults.clear()
        await aws.close()

    assert refused.value.sentence == (
        "iam:ListRolePolicies: the reply could not be read (malformed)"
    )


async def test_a_profile_that_does_not_exist_is_named(no_aws_files: None) -> None:
    aws = AwsSession(Target(profile="nowhere", region="us-east-1"), pacing=False)
    try:
        with pytest.raises(CredentialsError) as refused:
            await call(aws, "lambda", "ListFunctions")
    finally:
        await aws.close()

    assert "nowhere" in refused.value.sentence


async def test_no_credentials_anywhere_says_how_to_get_some(no_aws_files: None) -> None:
    aws = AwsSession(
        Target(profile=None, region="us-east-1", endpoint_url="http://127.0.0.1:9"), pacing=False
    )
    try:
        with pytest.raises(CredentialsError) as refused:
            await call(aws, "lambda", "ListFunctions")
    finally:
        await aws.close()

    assert refused.value.sentence.startswith("no AWS credentials found: run `aws configure`")
