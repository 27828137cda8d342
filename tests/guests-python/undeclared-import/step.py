"""Hostile: calls `http` without declaring it. Must be refused at load time.

The build refuses this too; the corpus builds it with --allow-undeclared."""
from typing import Any

from scena_plugin import Step, done
from scena_plugin import http


class UndeclaredImport(Step[Any, Any]):
    name = "undeclared-import"
    version = "0.1.0"
    title = "Undeclared import"
    description = "Declares no capability, yet imports http."

    def run(self, ctx, input):
        url = input.get("url", "http://example.com/") if isinstance(input, dict) else "http://example.com/"
        return done({"status": http.get(url).status})
