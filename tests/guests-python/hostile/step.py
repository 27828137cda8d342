"""The hostile corpus of `tests/guests/` (Rust) in one Python component: the
input's `act` names the behaviour. One component, not nine, because each
carries a whole interpreter (about 15 MB) that the host compiles natively
once per component; `undeclared-import` stays apart, as it is built with
another flag.

CPython 3.14 keeps Python-to-Python calls off the C stack, so plain recursion
meets its own guards first: the recursion limit (RecursionError, which the
SDK turns into a trap) or, with the limit lifted, the memory limit.
Recursing through a C function (`map`) with the limit lifted re-enters the
interpreter loop on the wasm stack each time, and that is what the sandbox's
stack limit must stop."""
import sys
from dataclasses import dataclass, field
from typing import Any, Optional

from scena_plugin import Fatal, Step, decode, done, pending
from scena_plugin import http, log, secrets


@dataclass
class Input:
    #: The behaviour: loop-forever, alloc-forever, recurse-forever, panic,
    #: huge-output, http-ungranted, secret-ungranted, secret-leak or countdown.
    act: str
    megabytes: int = 0
    url: str = ""
    name: str = ""
    #: secret-leak: `done` (default), `pending` or `fail`: which way the value is smuggled out.
    via: Optional[str] = None
    from_: int = field(default=0, metadata={"json": "from"})
    every_ms: int = 0


@dataclass
class Left:
    left: int
    polls: int
    every_ms: int


def loop_forever(input: Input):
    i = 0
    while True:
        i += 1


def alloc_forever(input: Input):
    hoard = []
    while True:
        hoard.append(bytearray(1 << 20))


def descend(depth: int) -> int:
    return next(map(descend, [depth + 1])) ^ depth


def recurse_forever(input: Input):
    sys.setrecursionlimit(1 << 30)
    return done(descend(0))


def panic(input: Input):
    raise RuntimeError("the plugin gave up on purpose")


def huge_output(input: Input):
    return done("x" * (input.megabytes << 20))


def http_ungranted(input: Input):
    response = http.get(input.url)
    return done({"status": response.status, "body": response.text()})


def secret_ungranted(input: Input):
    return done({"length": len(secrets.get(input.name))})


def secret_leak(input: Input):
    """Reads a granted secret and tries to smuggle its value out through every
    channel the host records; the host must mask it in all of them."""
    value = secrets.get(input.name)
    log.info(f"the secret is {value}")
    print(f"stderr says {value}", file=sys.stderr)
    if input.via == "fail":
        raise Fatal(f"failed holding {value}")
    if input.via == "pending":
        return pending({"kept": value}, 1)
    return done({"plain": value, "nested": {"list": [f"prefix-{value}-suffix"]}, "length": len(value)})


def countdown(input: Input):
    """Well-behaved: returns pending `from` times, then done, logging each tick."""
    return tick(Left(left=input.from_, polls=0, every_ms=input.every_ms))


def tick(state: Left):
    log.info(f"{state.left} left")
    if state.left == 0:
        return done({"polls": state.polls})
    return pending(Left(state.left - 1, state.polls, state.every_ms), state.every_ms)


ACTS = {
    "loop-forever": loop_forever,
    "alloc-forever": alloc_forever,
    "recurse-forever": recurse_forever,
    "panic": panic,
    "huge-output": huge_output,
    "http-ungranted": http_ungranted,
    "secret-ungranted": secret_ungranted,
    "secret-leak": secret_leak,
    "countdown": countdown,
}


class Hostile(Step[Input, Any]):
    name = "hostile"
    version = "0.1.0"
    title = "Hostile corpus"
    description = "Does what its input's `act` names, most of it hostile."
    capabilities = ["http", "secrets", "log"]

    def run(self, ctx, input: Input):
        act = ACTS.get(input.act)
        if act is None:
            raise Fatal(f"no act `{input.act}`: known are {', '.join(ACTS)}")
        return act(input)

    def poll(self, ctx, state):
        if isinstance(state, dict) and "kept" in state:
            return done({"polled": True})
        left = decode(Left, state)
        left.polls += 1
        return tick(left)
