"""The CMDB: hosts and their labels (capability `cmdb`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List, Optional

from wit_world.imports import cmdb as _raw

from ._atom import call


@dataclass
class HostInfo:
    id: str
    hostname: str
    ip: str
    #: Free-form labels, e.g. `{"zone": "eu-1", "role": "game"}`.
    labels: Dict[str, str] = field(default_factory=dict)


def _host(raw: "_raw.HostInfo") -> HostInfo:
    return HostInfo(id=raw.id, hostname=raw.hostname, ip=raw.ip, labels=dict(raw.labels))


def find_hosts(selector: str = "", limit: int = 100) -> List[HostInfo]:
    """Hosts matching a label selector such as `zone=eu-1,role=game` (comma means and)."""
    return [_host(h) for h in call(_raw.find_hosts, selector, limit)]


def get_host(id: str) -> Optional[HostInfo]:
    """One host by id, or None (also for a host the tenant may not see)."""
    found = call(_raw.get_host, id)
    return None if found is None else _host(found)
