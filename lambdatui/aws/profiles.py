"""Profiles from the AWS config files (~/.aws/config, ~/.aws/credentials) and regions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from botocore import exceptions as bx
from botocore.session import Session

# Shown when the SDK's endpoint data cannot be read (it always ships with botocore).
FALLBACK_REGIONS = ("us-east-1", "us-east-2", "us-west-1", "us-west-2", "eu-west-1")


@dataclass(frozen=True, slots=True)
class Profile:
    name: str
    # sso, assume-role, process, keys, or "" when nothing says how it logs in.
    kind: str
    region: str | None
    endpoint_url: str | None


def _kind(config: dict[str, Any]) -> str:
    if "sso_session" in config or "sso_start_url" in config:
        return "sso"
    if "role_arn" in config:
        return "assume-role"
    if "credential_process" in config:
        return "process"
    if "aws_access_key_id" in config:
        return "keys"
    return ""


def list_profiles() -> list[Profile]:
    """Every profile of the config and credentials files, default first."""
    session = Session()
    try:
        profiles: dict[str, dict[str, Any]] = session.full_config.get("profiles", {})
    except bx.BotoCoreError:
        return []
    out = [
        Profile(
            name=name,
            kind=_kind(config),
            region=config.get("region"),
            endpoint_url=config.get("endpoint_url"),
        )
        for name, config in profiles.items()
    ]
    out.sort(key=lambda p: (p.name != "default", p.name))
    return out


def profile_endpoint(profile: str | None) -> str | None:
    """The endpoint_url a profile names in the config file, if any."""
    if not profile:
        return None
    try:
        config: dict[str, Any] = Session(profile=profile).get_scoped_config()
    except bx.BotoCoreError:
        return None
    value = config.get("endpoint_url")
    return str(value) if value else None


def lambda_regions() -> list[str]:
    """The regions Lambda is offered in, from the SDK's bundled endpoint data (no call)."""
    try:
        regions = Session().get_available_regions("lambda")
    except bx.BotoCoreError:
        regions = []
    return sorted(regions) or list(FALLBACK_REGIONS)
