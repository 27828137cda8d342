"""Hostile: recurses without bound. The wasm stack limit must stop it.

CPython 3.14 keeps Python-to-Python calls off the C stack, so plain
recursion meets its own guards first: the recursion limit (RecursionError,
which the SDK turns into a trap, exit 6) or, with the limit lifted, the
memory limit (exit 6). Recursing through a C function (`map`) with the limit
lifted re-enters the interpreter loop on the wasm stack each time, and that
is what the sandbox's stack limit must stop."""
import sys
from typing import Any

from scena_plugin import Step, done


def descend(depth: int) -> int:
    return next(map(descend, [depth + 1])) ^ depth


class RecurseForever(Step[Any, Any]):
    name = "recurse-forever"
    version = "0.1.0"
    title = "Recurse forever"
    description = "Overflows its stack."

    def run(self, ctx, input):
        sys.setrecursionlimit(1 << 30)
        return done(descend(0))
