"""Hostile: returns megabytes of output. The output cap must refuse it."""
from dataclasses import dataclass

from scena_plugin import Step, done


@dataclass
class Input:
    megabytes: int


class HugeOutput(Step[Input, str]):
    name = "huge-output"
    version = "0.1.0"
    title = "Huge output"
    description = "Returns a string of the requested size."

    def run(self, ctx, input: Input):
        return done("x" * (input.megabytes << 20))
