"""Tenant secrets (capability `secrets`). Never log what you read."""

from __future__ import annotations

from wit_world.imports import secrets as _raw

from ._atom import call


def get(name: str) -> str:
    """The value of secret `name`; `AtomError("denied", ...)` when it is not granted."""
    return call(_raw.get, name)
