"""The demo world's data files: what they promise, and how a mistake in them reads."""

from __future__ import annotations

import copy
import random
import string
from collections import Counter
from datetime import UTC, datetime
from typing import Any

import pytest

from lambdatui_sandbox import seeddata, stories, world
from lambdatui_sandbox.invocations import InvocationType, Outcome
from lambdatui_sandbox.profiles import Backlog, Context, Ramp
from lambdatui_sandbox.seeddata import Document, Draw, SeedDataError, Template

NOW_MS = int(datetime(2026, 11, 27, 12, 0, 0, tzinfo=UTC).timestamp() * 1000)
MINUTE = 60_000


def world_data() -> dict[str, Any]:
    return copy.deepcopy(seeddata.read("world.toml").data)


def story_data() -> dict[str, Any]:
    return copy.deepcopy(seeddata.read("stories.toml").data)


def broken_world(change: Any) -> str:
    data = world_data()
    change(data)
    with pytest.raises(SeedDataError) as caught:
        world.load_world(Document("world.toml", data))
    return str(caught.value)


def broken_stories(change: Any) -> str:
    data = story_data()
    change(data)
    with pytest.raises(SeedDataError) as caught:
        stories.demo_profiles(NOW_MS, Document("stories.toml", data))
    return str(caught.value)


def test_the_world_is_the_one_the_readme_describes() -> None:
    functions = world.FUNCTIONS
    assert len(functions) == 30
    assert len({spec.name for spec in functions}) == 30
    families = {(spec.runtime or "image").rstrip("0123456789.x") for spec in functions}
    assert families == {"python", "nodejs", "java", "provided.al", "image"}
    roles = Counter(spec.role for spec in functions)
    assert roles["payments-service-role"] == 5
    assert sum(spec.runtime == "nodejs20.x" for spec in functions) == 3
    legacy = next(spec for spec in functions if spec.name == "legacy-coupon-service")
    assert legacy.reserved == 0
    webhook = next(spec for spec in functions if spec.name == "payments-webhook")
    assert webhook.releases[-1] == webhook.deployed
    assert (len(world.ROLES), len(world.QUEUES), len(world.TOPICS)) == (9, 11, 2)


def test_every_function_has_a_story_and_the_incident_is_in_them() -> None:
    profiles = stories.demo_profiles(NOW_MS)
    assert sorted(profiles) == sorted(spec.name for spec in world.FUNCTIONS)
    webhook = profiles["payments-webhook"].failures[0]
    assert isinstance(webhook.chance, Ramp)
    released = NOW_MS - 23 * MINUTE  # version 2 went live 23 minutes ago
    assert (webhook.chance.start_ms, webhook.chance.end_ms) == (released, released + 40 * MINUTE)
    assert webhook.versions == ("2",) and webhook.outcome is Outcome.ERROR
    assert profiles["orders-analytics-consumer"].backlog == Backlog(NOW_MS - 40 * MINUTE)
    assert profiles["orders-worker"].kind is InvocationType.SQS_BATCH
    assert profiles["image-resizer"].failures[0].outcome is Outcome.OOM
    assert profiles["dev-sandbox-hello"].rate == 1 / 1200


def test_every_name_a_story_uses_is_in_the_vocabulary() -> None:
    used = set()
    for profile in stories.demo_profiles(NOW_MS).values():
        lines = [*profile.lines, *(line for f in profile.failures for line in f.lines)]
        for line in lines:
            for text in (*line.templates(), *(value for _, value in line.fields)):
                used.update(_names(text))
    assert used - set(stories.VOCABULARY) == set()


def _names(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_events_are_filled_from_the_same_values_as_the_lines() -> None:
    profiles = stories.demo_profiles(NOW_MS)
    context = Context(random.Random(7), stories.VOCABULARY)
    order = context["order_id"]
    email = profiles["notifications-email-sender"].payload
    assert email is not None
    event = email(context)
    assert event["order"] == order and event["customer"] == context["customer_id"]
    scheduled = profiles["orders-export-csv"].payload
    assert scheduled is not None
    assert scheduled(context) == {
        "source": "aws.scheduler",
        "detail-type": "Scheduled Event",
        "detail": {},
    }


def test_a_draw_is_the_generator_call_it_names() -> None:
    assert Draw(bits=40, format="ord_{:010x}")(random.Random(1)) == (
        f"ord_{random.Random(1).getrandbits(40):010x}"
    )
    assert Draw(integer=(1, 6))(random.Random(2)) == str(random.Random(2).randint(1, 6))
    assert Draw(uniform=(6.0, 320.0), format="{:.2f}")(random.Random(3)) == (
        f"{random.Random(3).uniform(6.0, 320.0):.2f}"
    )
    assert Draw(choice=("a", "b"))(random.Random(4)) == random.Random(4).choice(("a", "b"))
    with pytest.raises(ValueError, match="exactly one"):
        Draw(bits=8, integer=(1, 2))


def test_a_template_fills_strings_and_keeps_the_rest() -> None:
    template = Template({"id": "{a}-{b}", "n": 3, "list": ["{a}", True], "raw": "{{x}}"})
    assert template({"a": "1", "b": "2"}) == {
        "id": "1-2",
        "n": 3,
        "list": ["1", True],
        "raw": "{x}",
    }


def test_a_wrong_value_names_the_file_and_the_key() -> None:
    def lots(data: dict[str, Any]) -> None:
        data["functions"][2]["memory"] = "lots"

    assert broken_world(lots) == "world.toml: functions[2].memory: expected an integer, got 'lots'"


def test_an_unknown_or_missing_key_is_named() -> None:
    def typo(data: dict[str, Any]) -> None:
        data["functions"][0]["memroy"] = 512

    assert broken_world(typo).startswith("world.toml: functions[0].memroy: unknown key (known: ")

    def forgotten(data: dict[str, Any]) -> None:
        del data["roles"][1]["description"]

    assert broken_world(forgotten) == "world.toml: roles[1]: missing key 'description'"


def test_a_duration_must_read_as_one() -> None:
    def vague(data: dict[str, Any]) -> None:
        data["queues"][0]["age"] = "a while"

    message = broken_world(vague)
    assert message.startswith("world.toml: queues[0].age: expected a duration such as '2h14m'")


def test_a_reference_to_nothing_is_named() -> None:
    def dangling(data: dict[str, Any]) -> None:
        data["functions"][1]["role"] = "orders-role"

    assert broken_world(dangling) == (
        "world.toml: functions[1].role: no role 'orders-role' in this file"
    )

    def later(data: dict[str, Any]) -> None:
        data["queues"][1]["dead_letter"] = "payments-webhook-dlq"

    assert "queues[1].dead_letter: no earlier queue 'payments-webhook-dlq'" in broken_world(later)


def test_a_syntax_error_names_the_file() -> None:
    with pytest.raises(SeedDataError, match=r"^world\.toml: .*line 1"):
        seeddata.read("world.toml", "seed = \n")
    with pytest.raises(SeedDataError, match=r"^payloads\.json: "):
        seeddata.read("payloads.json", "{")


def test_a_story_names_a_function_an_event_and_an_outcome_that_exist() -> None:
    def stranger(data: dict[str, Any]) -> None:
        data["no-such-function"] = {"rate": 1}

    assert broken_stories(stranger) == (
        "stories.toml: no-such-function: no function of that name in world.toml"
    )

    def unknown_event(data: dict[str, Any]) -> None:
        data["orders-worker"]["payload"] = "sqs-bacth"

    assert broken_stories(unknown_event).startswith(
        "stories.toml: orders-worker.payload: expected an event's name ("
    )

    def outcome(data: dict[str, Any]) -> None:
        data["orders-api"]["failures"][0]["outcome"] = "crash"

    assert broken_stories(outcome).startswith(
        "stories.toml: orders-api.failures[0].outcome: expected one of 'ok', 'error'"
    )


def test_a_ramp_starts_at_a_release_the_function_has() -> None:
    def release(data: dict[str, Any]) -> None:
        data["payments-webhook"]["failures"][0]["chance"]["since"] = "release 3"

    assert broken_stories(release).startswith(
        "stories.toml: payments-webhook.failures[0].chance.since: expected 'release N' "
        "(payments-webhook has 2 releases)"
    )

    def chance(data: dict[str, Any]) -> None:
        data["orders-api"]["failures"][0]["chance"] = "often"

    assert broken_stories(chance) == (
        "stories.toml: orders-api.failures[0].chance: expected a number or a table, got 'often'"
    )


def test_a_schedule_reads_as_one_of_its_forms() -> None:
    def neither(data: dict[str, Any]) -> None:
        data["orders-export-csv"]["schedule"] = {"hour": 2, "minutes": 0}

    message = broken_stories(neither)
    assert message.startswith("stories.toml: orders-export-csv.schedule: fits none of its forms")
    assert "as Every: orders-export-csv.schedule.hour: unknown key (known: period" in message
    assert "as DailyAt: orders-export-csv.schedule.minutes: unknown key (known: hour" in message


def test_a_vocabulary_value_draws_one_way() -> None:
    text = 'order_id = { bits = 40, choice = ["a"] }\n'
    with pytest.raises(SeedDataError) as caught:
        seeddata.read("vocabulary.toml", text).build(dict[str, Draw])
    assert str(caught.value) == (
        "vocabulary.toml: order_id: set exactly one of bits, integer, uniform, beta and choice"
    )
