"""Outgoing HTTP to allow-listed hosts (capability `http`).

```python
resp = http.post("https://api.example.com/v1/alerts/shield",
                 json={"zone": zone}, headers={"Idempotency-Key": ctx.idempotency_key})
if not resp.ok:
    raise Retryable(f"shield answered {resp.status}")
```
Redirects are not followed; any status is a response, errors are `AtomError`."""

from __future__ import annotations

import json as _json
from dataclasses import dataclass, field
from typing import Any, Iterable, List, Mapping, Optional, Tuple, Union

from wit_world.imports import http as _raw

from . import AtomError
from ._atom import call
from .schema import encode

Headers = Union[Mapping[str, str], Iterable[Tuple[str, str]]]


@dataclass
class Response:
    status: int
    headers: List[Tuple[str, str]] = field(default_factory=list)
    body: bytes = b""

    @property
    def ok(self) -> bool:
        """A 2xx status."""
        return 200 <= self.status < 300

    def header(self, name: str) -> Optional[str]:
        """The first header with this name (case-insensitive)."""
        lowered = name.lower()
        return next((v for k, v in self.headers if k.lower() == lowered), None)

    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def json(self) -> Any:
        return _json.loads(self.body)


def request(
    method: str,
    url: str,
    *,
    headers: Optional[Headers] = None,
    body: Union[bytes, str, None] = None,
    json: Any = None,
    timeout_ms: Optional[int] = None,
) -> Response:
    """Send one request and wait for the whole response."""
    pairs = list(headers.items() if isinstance(headers, Mapping) else headers or [])
    if json is not None:
        if body is not None:
            raise AtomError("invalid", "give either body or json, not both")
        try:
            body = _json.dumps(encode(json), ensure_ascii=False, separators=(",", ":"))
        except (TypeError, ValueError) as e:
            raise AtomError("invalid", f"body is not serialisable: {e}") from None
        if not any(k.lower() == "content-type" for k, _ in pairs):
            pairs.append(("content-type", "application/json"))
    if isinstance(body, str):
        body = body.encode("utf-8")
    raw = call(
        _raw.send,
        _raw.Request(method=method.upper(), url=url, headers=pairs, body=body, timeout_ms=timeout_ms),
    )
    return Response(status=raw.status, headers=list(raw.headers), body=bytes(raw.body))


def get(url: str, **kwargs: Any) -> Response:
    return request("GET", url, **kwargs)


def head(url: str, **kwargs: Any) -> Response:
    return request("HEAD", url, **kwargs)


def post(url: str, **kwargs: Any) -> Response:
    return request("POST", url, **kwargs)


def put(url: str, **kwargs: Any) -> Response:
    return request("PUT", url, **kwargs)


def patch(url: str, **kwargs: Any) -> Response:
    return request("PATCH", url, **kwargs)


def delete(url: str, **kwargs: Any) -> Response:
    return request("DELETE", url, **kwargs)
