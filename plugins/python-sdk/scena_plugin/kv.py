"""Durable key/value state of this tenant and plugin (capability `kv`).

Values are JSON (anything `scena_plugin.encode` accepts). Writes commit
together when the call finishes with an outcome; see `types.wit` for the rules."""

from __future__ import annotations

import json
from typing import Any, List, Optional

from wit_world.imports import kv as _raw

from . import AtomError
from ._atom import call
from .schema import decode, encode


class _Absent:
    def __repr__(self) -> str:
        return "kv.ABSENT"


#: For `compare_and_swap`: the key must not exist (`None` means a stored JSON null).
ABSENT: Any = _Absent()


def _to_json(value: Any) -> str:
    try:
        return json.dumps(encode(value), ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError) as e:
        raise AtomError("invalid", f"value is not serialisable: {e}") from None


def get(key: str, type: Any = Any, default: Any = None) -> Any:
    """The value under `key` (decoded into `type` if given), or `default` when absent."""
    text: Optional[str] = call(_raw.get, key)
    if text is None:
        return default
    try:
        return decode(type, json.loads(text))
    except ValueError as e:
        raise AtomError("invalid", f"value under `{key}` does not fit the requested type: {e}") from None


def set(key: str, value: Any) -> None:
    call(_raw.set, key, _to_json(value))


def delete(key: str) -> bool:
    """True if the key existed."""
    return call(_raw.delete, key)


def increment(key: str, by: int = 1) -> int:
    """Add `by` (a missing key counts as 0); returns the new value."""
    return call(_raw.increment, key, by)


def compare_and_swap(key: str, expected: Any, value: Any) -> bool:
    """Store `value` only if the current value equals `expected` (`ABSENT`: no value). True if stored."""
    old = None if expected is ABSENT else _to_json(expected)
    return call(_raw.compare_and_swap, key, old, _to_json(value))


def list_keys(prefix: str = "", limit: int = 100) -> List[str]:
    """Keys starting with `prefix`, in byte order, at most `limit`."""
    return call(_raw.list_keys, prefix, limit)
