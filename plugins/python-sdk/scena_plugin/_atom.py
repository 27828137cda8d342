"""Shared by the atom wrappers: turn the bindings' `Err(atom-error)` into `AtomError`."""

from __future__ import annotations

from typing import Any, Callable

from componentize_py_types import Err

from . import AtomError


def call(fn: Callable[..., Any], *args: Any) -> Any:
    try:
        return fn(*args)
    except Err as e:
        raise from_wit(e.value) from None


def from_wit(error: Any) -> AtomError:
    # The bindings name the cases AtomError_Denied, AtomError_Invalid, …
    kind = type(error).__name__.rsplit("_", 1)[-1].lower()
    return AtomError(kind, str(error.value))
