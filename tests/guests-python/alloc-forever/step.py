"""Hostile: allocates until something stops it. The memory limit must."""
from typing import Any

from scena_plugin import Step


class AllocForever(Step[Any, Any]):
    name = "alloc-forever"
    version = "0.1.0"
    title = "Allocate forever"
    description = "Grows its heap without bound."

    def run(self, ctx, input):
        hoard = []
        while True:
            hoard.append(bytearray(1 << 20))
