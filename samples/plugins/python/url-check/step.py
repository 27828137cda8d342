"""url-check: GET a URL through the `http` atom and judge the answer.

A sample scena step in Python (see plugins/python-sdk). Build it with
`python -m scena_plugin.build samples/plugins/python/url-check` or
`plugins/polyglot.sh OUT_DIR`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Annotated, Optional

from scena_plugin import AtomError, Context, Fatal, Step, done, schema
from scena_plugin import http, log


@dataclass
class Input:
    """What to check."""

    url: Annotated[str, schema(description="Absolute http:// or https:// URL; its host must be granted.")]
    expect_status: Annotated[int, schema(minimum=100, maximum=599)] = 200
    #: The body must contain this text (case-sensitive) when given.
    contains: Optional[str] = field(default=None, metadata={"description": "Text the body must contain."})
    timeout_ms: Annotated[int, schema(minimum=1, maximum=30_000)] = 5_000
    #: Fail the step (fatal) instead of answering `ok: false`.
    fail_on_mismatch: bool = False


@dataclass
class Output:
    """The verdict and what it was based on."""

    ok: bool
    #: HTTP status, or null when no answer came (connection refused, timeout).
    status: Optional[int]
    latency_ms: int
    #: Why `ok` is false; empty when it is true.
    reason: str = ""


class UrlCheck(Step[Input, Output]):
    name = "url-check"
    version = "0.1.0"
    title = "URL check"
    description = (
        "GETs a URL and checks its status and, optionally, that the body contains a text. "
        "Reads only; safe to retry."
    )
    category = "net"
    capabilities = ["http", "log"]

    def run(self, ctx: Context, input: Input):
        started = time.monotonic()
        try:
            response = http.get(input.url, timeout_ms=input.timeout_ms, headers={"user-agent": "scena-url-check"})
        except AtomError as e:
            if e.kind != "failed":
                raise  # denied / invalid: the step cannot do its job
            latency = int((time.monotonic() - started) * 1000)
            return self.verdict(input, Output(ok=False, status=None, latency_ms=latency, reason=f"no answer: {e.message}"))
        latency = int((time.monotonic() - started) * 1000)
        reasons = []
        if response.status != input.expect_status:
            reasons.append(f"status {response.status}, expected {input.expect_status}")
        if input.contains is not None and input.contains not in response.text():
            reasons.append(f"body does not contain {input.contains!r}")
        result = Output(ok=not reasons, status=response.status, latency_ms=latency, reason="; ".join(reasons))
        return self.verdict(input, result)

    def verdict(self, input: Input, result: Output):
        if result.ok:
            log.info(f"{input.url}: ok ({result.status}, {result.latency_ms} ms)")
        else:
            log.warn(f"{input.url}: {result.reason}")
            if input.fail_on_mismatch:
                raise Fatal(f"{input.url}: {result.reason}")
        return done(result)
