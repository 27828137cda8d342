"""Hostile: raises an exception that is no StepError. The trap must be
contained and the message kept."""
from typing import Any

from scena_plugin import Step


class Panic(Step[Any, Any]):
    name = "panic"
    version = "0.1.0"
    title = "Panic"
    description = "Raises on every call."

    def run(self, ctx, input):
        raise RuntimeError("the plugin gave up on purpose")
