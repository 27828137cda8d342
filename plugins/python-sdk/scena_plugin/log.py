"""The step log (capability `log`). Lines longer than 8 KiB are cut; a call keeps at most 1,000."""

from __future__ import annotations

from wit_world.imports import log as _raw


def trace(message: str) -> None:
    _raw.write(_raw.Level.TRACE, str(message))


def debug(message: str) -> None:
    _raw.write(_raw.Level.DEBUG, str(message))


def info(message: str) -> None:
    _raw.write(_raw.Level.INFO, str(message))


def warn(message: str) -> None:
    _raw.write(_raw.Level.WARN, str(message))


def error(message: str) -> None:
    _raw.write(_raw.Level.ERROR, str(message))
