"""Scripts on hosts (capability `job`). Start in `run`, return `pending`, check in `poll`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import List, Optional

from wit_world.imports import job as _raw

from ._atom import call

#: `queued`, `running`, `succeeded`, `failed`, `cancelled`.
STATES = ("queued", "running", "succeeded", "failed", "cancelled")


@dataclass
class JobSpec:
    #: Host ids from the CMDB; the tenant must be granted each of them.
    hosts: List[str]
    script: str
    #: Passed on so a retried step reuses the job it already started: use `ctx.idempotency_key`.
    idempotency_key: str
    interpreter: str = "bash"
    account: str = "root"
    #: Per host; counted from `at` if given.
    timeout_ms: int = 60_000
    #: An RFC 3339 instant at which every host starts the script together (at
    #: most 24 hours ahead): the agents hold it ready until then. None or empty: at once.
    at: Optional[str] = None


@dataclass
class FileSpec:
    #: Host ids from the CMDB; the tenant must be granted each of them.
    hosts: List[str]
    #: The name of a file uploaded to the tenant's files.
    file: str
    #: Absolute path on the host.
    path: str
    #: Passed on so a retried step reuses the job it already started: use `ctx.idempotency_key`.
    idempotency_key: str
    #: The sha256 the file must have; empty: whatever it has now.
    sha256: str = ""
    mode: int = 0o644
    #: The owner; empty: the agent's own account.
    account: str = ""
    timeout_ms: int = 60_000


@dataclass
class HostResult:
    host: str
    state: str
    exit_code: Optional[int]
    #: The last 64 KiB of output.
    output_tail: str


@dataclass
class JobStatus:
    id: str
    state: str
    hosts: List[HostResult] = field(default_factory=list)

    @property
    def finished(self) -> bool:
        return self.state in ("succeeded", "failed", "cancelled")


def _state(raw: "_raw.JobState") -> str:
    return raw.name.lower()


def start(spec: JobSpec) -> str:
    """Start a job; returns its id."""
    wit = _raw.JobSpec(
        hosts=list(spec.hosts),
        script=spec.script,
        interpreter=spec.interpreter,
        account=spec.account,
        timeout_ms=spec.timeout_ms,
        idempotency_key=spec.idempotency_key,
    )
    if not spec.at:
        return call(_raw.start, wit)
    return call(_raw.start_at, wit, spec.at)


def push_file(spec: FileSpec) -> str:
    """Start placing a file on hosts; returns the job's id (follow it with `status`)."""
    return call(
        _raw.push_file,
        _raw.FileSpec(
            hosts=list(spec.hosts),
            file=spec.file,
            sha256=spec.sha256,
            path=spec.path,
            mode=spec.mode,
            account=spec.account,
            timeout_ms=spec.timeout_ms,
            idempotency_key=spec.idempotency_key,
        ),
    )


def status(id: str) -> JobStatus:
    raw = call(_raw.status, id)
    return JobStatus(
        id=raw.id,
        state=_state(raw.state),
        hosts=[
            HostResult(host=h.host, state=_state(h.state), exit_code=h.exit_code, output_tail=h.output_tail)
            for h in raw.hosts
        ],
    )


def cancel(id: str) -> None:
    call(_raw.cancel, id)
