"""Write a scena scenario step in Python.

```python
from dataclasses import dataclass
from scena_plugin import Context, Step, done
from scena_plugin import log

@dataclass
class Input:
    name: str

@dataclass
class Output:
    greeting: str

class Hello(Step[Input, Output]):
    name = "hello"
    version = "0.1.0"
    title = "Say hello"
    description = "Greets someone by name."
    capabilities = ["log"]

    def run(self, ctx: Context, input: Input):
        log.info(f"greeting {input.name}")
        return done(Output(greeting=f"Hello, {input.name}!"))
```

The input and output JSON Schemas are derived from the types given to
`Step[Input, Output]` (dataclasses with type hints, see `scena_plugin.schema`),
so the contract the host checks never drifts from the code. Build with
`python -m scena_plugin.build DIR`.

The atom wrappers (`scena_plugin.log`, `kv`, `secrets`, `http`, `cmdb`, `job`,
`notify`) are separate modules: import only those you declare in
`capabilities`. The build sees which ones the step imports and gives the
component exactly those imports.

This module itself never touches the WIT bindings, so steps and their
helpers can be unit-tested with plain Python.
"""

from __future__ import annotations

import re
import typing
from dataclasses import dataclass
from typing import Any, ClassVar, Generic, Sequence, TypeVar, Union

from .schema import decode, encode, json_schema, schema

__all__ = [
    "ATOMS",
    "AtomError",
    "Context",
    "Denied",
    "Done",
    "Fatal",
    "InvalidInput",
    "Pending",
    "Retryable",
    "Step",
    "StepError",
    "decode",
    "done",
    "encode",
    "json_schema",
    "pending",
    "schema",
]

#: Every atom of the WIT world, in the order `step.wit` imports them. The
#: build checks this list against the world, so it cannot drift silently.
ATOMS: tuple[str, ...] = ("log", "kv", "secrets", "http", "cmdb", "job", "notify")

I = TypeVar("I")
O = TypeVar("O")


@dataclass(frozen=True)
class Context:
    """Where a call comes from (the WIT `context` record)."""

    tenant: str
    run_id: str
    node_id: str
    attempt: int
    #: Stable across retries of the same node in the same run: hand it to
    #: external systems so a retried step does not repeat an effect.
    idempotency_key: str


@dataclass(frozen=True)
class Done(Generic[O]):
    """A finished step and its output."""

    output: O


@dataclass(frozen=True)
class Pending:
    """Not finished: the host saves `state` (any JSON value) and calls `poll` after `after_ms`."""

    state: Any
    after_ms: int


Outcome = Union[Done[O], Pending]


def done(output: O) -> Done[O]:
    """Finish the step with `output`."""
    return Done(output)


def pending(state: Any, after_ms: int) -> Pending:
    """Ask to be polled again after `after_ms` milliseconds with `state`."""
    if not isinstance(after_ms, int) or isinstance(after_ms, bool) or not 0 <= after_ms < 2**32:
        raise Fatal(f"pending: after_ms must be an integer in 0..2^32, not {after_ms!r}")
    return Pending(state, after_ms)


class StepError(Exception):
    """Why a step did not finish; raise one of the subclasses from `run`/`poll`.

    The kind tells the engine what to do next (see `types.wit`)."""

    kind: ClassVar[str] = "fatal"

    def __init__(self, message: str):
        super().__init__(message)
        self.message = str(message)


class InvalidInput(StepError):
    """The input is unusable; retrying with the same input cannot help."""

    kind = "invalid-input"


class Denied(StepError):
    """An atom refused: the tenant has not granted what the step needs."""

    kind = "denied"


class Retryable(StepError):
    """A transient failure (timeout, 503, lock held): the engine may retry."""

    kind = "retryable"


class Fatal(StepError):
    """A permanent failure: do not retry."""

    kind = "fatal"


class AtomError(Exception):
    """Why an atom call failed: `kind` is `denied`, `invalid`, `unavailable` or `failed`.

    Left uncaught in `run`/`poll`, it ends the step as the Rust SDK's `?` does:
    `denied` → denied, `failed` → retryable, the others → fatal."""

    KINDS: ClassVar[tuple[str, ...]] = ("denied", "invalid", "unavailable", "failed")

    def __init__(self, kind: str, message: str):
        if kind not in self.KINDS:
            raise ValueError(f"unknown atom error kind {kind!r}")
        super().__init__(f"{kind}: {message}")
        self.kind = kind
        self.message = message

    def to_step_error(self) -> StepError:
        if self.kind == "denied":
            return Denied(self.message)
        if self.kind == "failed":
            return Retryable(self.message)
        return Fatal(self.message)


_NAME = re.compile(r"^[a-z][a-z0-9-]{0,62}$")
_SEMVER = re.compile(
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$"
)


class Step(Generic[I, O]):
    """One kind of scenario step. Subclass as `Step[Input, Output]`.

    `Input` and `Output` are types the schema module understands: dataclasses,
    `str`, `int`, `float`, `bool`, `list[...]`, `dict[str, ...]`, `Optional`,
    `Literal`, enums, or `typing.Any` for "any JSON"."""

    #: `^[a-z][a-z0-9-]{0,62}$`
    name: ClassVar[str]
    #: Semantic version, e.g. `0.1.0`.
    version: ClassVar[str]
    title: ClassVar[str]
    description: ClassVar[str]
    category: ClassVar[str] = "custom"
    #: The atoms this step calls: any of `ATOMS`. Using one not listed here
    #: gets the plugin refused when it is loaded (the build says so first).
    capabilities: ClassVar[Sequence[str]] = ()

    def run(self, ctx: Context, input: I) -> Union[Done[O], Pending]:
        raise NotImplementedError(f"{type(self).__name__}.run")

    def poll(self, ctx: Context, state: Any) -> Union[Done[O], Pending]:
        """Continue after `pending`. Steps that never pend keep this default."""
        raise Fatal(f"{self.name} never returns pending, so it cannot be polled")

    # -- what the glue and the build use --------------------------------------

    @classmethod
    def io_types(cls) -> tuple[Any, Any]:
        """The `(Input, Output)` given as `Step[Input, Output]` (`Any` when not given)."""
        for klass in cls.__mro__:
            for base in getattr(klass, "__orig_bases__", ()):
                if typing.get_origin(base) is Step:
                    args = typing.get_args(base)
                    if len(args) == 2 and not any(isinstance(a, TypeVar) for a in args):
                        return args[0], args[1]
        return Any, Any

    @classmethod
    def meta(cls) -> dict[str, Any]:
        """`describe()`'s answer as a dict (schemas as JSON values), checked."""
        problems = []
        for attr in ("name", "version", "title", "description"):
            if not isinstance(getattr(cls, attr, None), str):
                problems.append(f"`{attr}` must be a string class attribute")
        if problems:
            raise TypeError(f"step {cls.__name__}: " + "; ".join(problems))
        if not _NAME.match(cls.name):
            problems.append(f"name `{cls.name}` must match ^[a-z][a-z0-9-]{{0,62}}$")
        if not _SEMVER.match(cls.version):
            problems.append(f"version `{cls.version}` is not semver")
        caps = list(cls.capabilities)
        unknown = [c for c in caps if c not in ATOMS]
        if unknown:
            problems.append(f"unknown capabilities {unknown}: known are {list(ATOMS)}")
        if problems:
            raise TypeError(f"step {cls.__name__}: " + "; ".join(problems))
        input_type, output_type = cls.io_types()
        return {
            "name": cls.name,
            "version": cls.version,
            "title": cls.title,
            "description": cls.description,
            "category": cls.category,
            "input_schema": json_schema(input_type),
            "output_schema": json_schema(output_type),
            "capabilities": sorted(set(caps), key=ATOMS.index),
        }
