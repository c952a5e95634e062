"""GetQueueAttributes knows RedriveAllowPolicy, as SQS does.

moto 5.2 keeps a queue's RedriveAllowPolicy when CreateQueue or SetQueueAttributes sets
it, but its GetQueueAttributes answers a request naming it with InvalidAttributeName
and leaves it out of ``All``. This returns it, when set, for ``RedriveAllowPolicy`` and
for ``All``; a queue without one answers without it, as SQS does.
"""

from __future__ import annotations

from typing import Any

from moto.sqs.models import Queue, SQSBackend

NAME = "RedriveAllowPolicy"


def install() -> None:
    """Wrap moto's GetQueueAttributes (patches.install_all runs this once per process)."""
    original = SQSBackend.get_queue_attributes

    def get_queue_attributes(
        self: SQSBackend, queue_name: str, attribute_names: list[str]
    ) -> dict[str, Any]:
        others = [name for name in attribute_names if name != NAME]
        attributes = original(self, queue_name, others) if others else {}
        if NAME in attribute_names or "All" in attribute_names:
            policy = redrive_allow_policy(self.get_queue(queue_name))
            if policy:
                attributes[NAME] = policy
        return attributes

    SQSBackend.get_queue_attributes = get_queue_attributes  # type: ignore[method-assign]


def redrive_allow_policy(queue: Queue) -> str | None:
    """The queue's RedriveAllowPolicy as it was set (a JSON document), or None."""
    policy = getattr(queue, "redrive_allow_policy", None)
    return str(policy) if policy else None
