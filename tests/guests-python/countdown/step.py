"""Well-behaved test guest for `pending`: counts down across polls, logging each tick."""
from dataclasses import dataclass, field

from scena_plugin import Step, decode, done, pending
from scena_plugin import log


@dataclass
class Input:
    from_: int = field(metadata={"json": "from"})
    every_ms: int = 0


@dataclass
class Output:
    polls: int


@dataclass
class Left:
    left: int
    polls: int
    every_ms: int


def tick(state: Left):
    log.info(f"{state.left} left")
    if state.left == 0:
        return done(Output(polls=state.polls))
    return pending(Left(state.left - 1, state.polls, state.every_ms), state.every_ms)


class Countdown(Step[Input, Output]):
    name = "countdown"
    version = "0.1.0"
    title = "Countdown"
    description = "Returns pending `from` times, then done."
    capabilities = ["log"]

    def run(self, ctx, input: Input):
        return tick(Left(left=input.from_, polls=0, every_ms=input.every_ms))

    def poll(self, ctx, state):
        left = decode(Left, state)
        left.polls += 1
        return tick(left)
