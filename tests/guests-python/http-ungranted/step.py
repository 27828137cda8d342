"""Hostile: calls whatever URL it is given. Hosts not granted must be denied."""
from dataclasses import dataclass
from typing import Any

from scena_plugin import Step, done
from scena_plugin import http


@dataclass
class Input:
    url: str


class HttpUngranted(Step[Input, Any]):
    name = "http-ungranted"
    version = "0.1.0"
    title = "HTTP to anywhere"
    description = "Fetches the URL it is given."
    capabilities = ["http"]

    def run(self, ctx, input: Input):
        response = http.get(input.url)
        return done({"status": response.status, "body": response.text()})
