"""Hostile: spins forever. The epoch deadline must stop it."""
from typing import Any

from scena_plugin import Step


class LoopForever(Step[Any, Any]):
    name = "loop-forever"
    version = "0.1.0"
    title = "Loop forever"
    description = "Never returns."

    def run(self, ctx, input):
        i = 0
        while True:
            i += 1
