"""Notifications to people through the tenant's channels (capability `notify`)."""

from __future__ import annotations

from typing import Iterable

from wit_world.imports import notify as _raw

from ._atom import call


def send(channel: str, to: Iterable[str], subject: str, body: str) -> None:
    """Send a message through `channel` (e.g. `ops-chat`, `mail`) to users, groups or addresses."""
    call(_raw.send, _raw.Message(channel=channel, to=list(to), subject=subject, body=body))
