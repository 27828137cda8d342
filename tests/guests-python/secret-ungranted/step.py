"""Hostile: reads whatever secret it is told to. Secrets not granted must be denied."""
from dataclasses import dataclass
from typing import Any

from scena_plugin import Step, done
from scena_plugin import secrets


@dataclass
class Input:
    name: str


class SecretUngranted(Step[Input, Any]):
    name = "secret-ungranted"
    version = "0.1.0"
    title = "Read any secret"
    description = "Reads the secret it is told to and returns its length."
    capabilities = ["secrets"]

    def run(self, ctx, input: Input):
        return done({"length": len(secrets.get(input.name))})
