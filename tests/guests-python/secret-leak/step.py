"""Hostile: reads a secret it was granted and tries to smuggle its value out
through every channel the host records — output, pending state, log lines,
stderr and its error message. The host must mask the value in all of them."""
import sys
from dataclasses import dataclass, field
from typing import Any, Optional

from scena_plugin import Fatal, Step, done, pending
from scena_plugin import log, secrets


@dataclass
class Input:
    name: str
    #: `done` (default), `pending` or `fail`: which way the value is smuggled out.
    via: Optional[str] = field(default=None, metadata={"description": "`done` (default), `pending` or `fail`"})


class SecretLeak(Step[Input, Any]):
    name = "secret-leak"
    version = "0.1.0"
    title = "Leak a secret"
    description = "Reads a granted secret and puts its value everywhere it can."
    capabilities = ["secrets", "log"]

    def run(self, ctx, input: Input):
        value = secrets.get(input.name)
        log.info(f"the secret is {value}")
        print(f"stderr says {value}", file=sys.stderr)
        if input.via == "fail":
            raise Fatal(f"failed holding {value}")
        if input.via == "pending":
            return pending({"kept": value}, 1)
        return done({"plain": value, "nested": {"list": [f"prefix-{value}-suffix"]}, "length": len(value)})

    def poll(self, ctx, state):
        return done({"polled": True})
