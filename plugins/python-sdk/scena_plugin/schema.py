"""Python types → JSON Schema (draft 2020-12), JSON → typed values, and back.

Understood types: dataclasses (each field a property; a field without a
default is required; the class docstring and `field(metadata={"description":
...})` become descriptions; `field(metadata={"json": "from"})` gives a
field another JSON name, e.g. a Python keyword), `str`, `int`, `float`, `bool`, `None`,
`list[T]`, `tuple[T, ...]`, `tuple[A, B]`, `dict[str, T]`, `Optional[T]` /
`T | None`, `Union[...]`, `Literal[...]`, `enum.Enum` subclasses, `typing.Any`
(any JSON value) and `Annotated[T, schema(minimum=1, description="...")]` to
add JSON Schema keywords to a type.

Nested dataclasses go to `$defs` and are referenced, so recursive types work.
Unknown object keys are ignored on input, as serde does for the Rust SDK.
"""

from __future__ import annotations

import dataclasses
import enum
import types
import typing
from typing import Any

__all__ = ["SchemaError", "schema", "json_schema", "decode", "encode"]

DRAFT = "https://json-schema.org/draft/2020-12/schema"


class SchemaError(TypeError):
    """A type the schema module cannot express."""


class _Keywords:
    """Extra JSON Schema keywords attached with `Annotated[T, schema(...)]`."""

    __slots__ = ("keywords",)

    def __init__(self, keywords: dict[str, Any]):
        self.keywords = keywords

    def __repr__(self) -> str:
        return f"schema({self.keywords!r})"


def schema(**keywords: Any) -> _Keywords:
    """JSON Schema keywords for `Annotated`, e.g. `Annotated[int, schema(minimum=1)]`.

    Python-safe spellings: `min_length` → `minLength`, `max_items` → `maxItems` …
    (snake_case is turned into camelCase)."""
    return _Keywords({_camel(k): v for k, v in keywords.items()})


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p[:1].upper() + p[1:] for p in rest)


_NONE = type(None)


def _is_union(origin: Any) -> bool:
    return origin is typing.Union or origin is types.UnionType


def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls, include_extras=True)


def _own_doc(cls: type) -> str | None:
    doc = cls.__doc__
    if not doc:
        return None
    # dataclasses invent a docstring (the signature) when there is none.
    if dataclasses.is_dataclass(cls) and doc.startswith(cls.__name__ + "("):
        return None
    return " ".join(line.strip() for line in doc.strip().splitlines() if line.strip()) or None


def json_schema(tp: Any) -> dict[str, Any]:
    """The JSON Schema of `tp`, as a dict ready for `json.dumps`."""
    defs: dict[str, Any] = {}
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        body = _object_schema(tp, defs)
        body = {"title": tp.__name__, **body}
    else:
        body = _schema(tp, defs)
    out = {"$schema": DRAFT, **body}
    if defs:
        out["$defs"] = defs
    return out


def _schema(tp: Any, defs: dict[str, Any]) -> dict[str, Any]:
    if tp is Any or tp is object:
        return {}
    if tp is None or tp is _NONE:
        return {"type": "null"}
    if tp is bool:
        return {"type": "boolean"}
    if tp is int:
        return {"type": "integer"}
    if tp is float:
        return {"type": "number"}
    if tp is str:
        return {"type": "string"}
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin is typing.Annotated:
        base = _schema(args[0], defs)
        for extra in args[1:]:
            if isinstance(extra, _Keywords):
                if "$ref" in base:
                    base = {"allOf": [base]}
                base = {**base, **extra.keywords}
        return base
    if _is_union(origin):
        members = [a for a in args if a is not _NONE]
        nullable = len(members) < len(args)
        parts = [_schema(a, defs) for a in members]
        if nullable:
            if len(parts) == 1 and set(parts[0]) == {"type"} and isinstance(parts[0]["type"], str):
                return {"type": [parts[0]["type"], "null"]}
            parts.append({"type": "null"})
        return parts[0] if len(parts) == 1 else {"anyOf": parts}
    if origin is typing.Literal:
        values = [encode(a) for a in args]
        kinds = {_json_type(v) for v in values}
        out: dict[str, Any] = {"enum": values}
        if len(kinds) == 1:
            out = {"type": kinds.pop(), **out}
        return out
    if origin in (list, typing.List, set, frozenset) or tp in (list, set, frozenset):
        item = args[0] if args else Any
        return {"type": "array", "items": _schema(item, defs)}
    if origin is tuple or tp is tuple:
        if not args or (len(args) == 2 and args[1] is Ellipsis):
            return {"type": "array", "items": _schema(args[0] if args else Any, defs)}
        return {
            "type": "array",
            "prefixItems": [_schema(a, defs) for a in args],
            "minItems": len(args),
            "maxItems": len(args),
        }
    if origin is dict or tp is dict:
        if args and args[0] is not str:
            raise SchemaError(f"{tp}: JSON object keys are strings; use dict[str, ...]")
        return {"type": "object", "additionalProperties": _schema(args[1] if args else Any, defs)}
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        values = [encode(m.value) for m in tp]
        kinds = {_json_type(v) for v in values}
        out = {"enum": values}
        if len(kinds) == 1:
            out = {"type": kinds.pop(), **out}
        doc = _own_doc(tp) if tp.__doc__ != "An enumeration." else None
        return {**out, "description": doc} if doc else out
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        name = tp.__name__
        if name not in defs:
            defs[name] = {}  # placeholder first: recursive types refer to themselves
            defs[name] = _object_schema(tp, defs)
        return {"$ref": f"#/$defs/{name}"}
    if isinstance(tp, type) and issubclass(tp, (bytes, bytearray)):
        raise SchemaError("bytes have no JSON form; use str (e.g. base64) instead")
    raise SchemaError(f"cannot derive a JSON Schema for {tp!r}")


def _object_schema(cls: type, defs: dict[str, Any]) -> dict[str, Any]:
    hints = _hints(cls)
    properties: dict[str, Any] = {}
    required: list[str] = []
    for f in dataclasses.fields(cls):
        if not f.init:
            continue
        prop = _schema(hints.get(f.name, Any), defs)
        description = f.metadata.get("description") if f.metadata else None
        if description:
            prop = {**prop, "description": description} if "$ref" not in prop else {"allOf": [prop], "description": description}
        if f.default is not dataclasses.MISSING:
            try:
                prop = {**prop, "default": encode(f.default)}
            except TypeError:
                pass
        elif f.default_factory is dataclasses.MISSING:  # type: ignore[misc]
            required.append(_key(f))
        properties[_key(f)] = prop
    out: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        out["required"] = required
    doc = _own_doc(cls)
    if doc:
        out["description"] = doc
    return out


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


class DecodeError(ValueError):
    """The JSON value does not fit the type; `path` is a JSON pointer."""

    def __init__(self, path: str, message: str):
        super().__init__(f"{path or '/'}: {message}")
        self.path = path or "/"
        self.message = message


def decode(tp: Any, value: Any, path: str = "") -> Any:
    """Turn a parsed JSON value into an instance of `tp` (dataclasses built recursively)."""
    if tp is Any or tp is object:
        return value
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin is typing.Annotated:
        return decode(args[0], value, path)
    if tp is None or tp is _NONE:
        if value is not None:
            raise DecodeError(path, f"expected null, got {_json_type(value)}")
        return None
    if tp is bool:
        if not isinstance(value, bool):
            raise DecodeError(path, f"expected a boolean, got {_json_type(value)}")
        return value
    if tp is int:
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if not isinstance(value, int) or isinstance(value, bool):
            raise DecodeError(path, f"expected an integer, got {_json_type(value)}")
        return value
    if tp is float:
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            raise DecodeError(path, f"expected a number, got {_json_type(value)}")
        return float(value)
    if tp is str:
        if not isinstance(value, str):
            raise DecodeError(path, f"expected a string, got {_json_type(value)}")
        return value
    if _is_union(origin):
        if value is None and _NONE in args:
            return None
        errors = []
        for member in args:
            if member is _NONE:
                continue
            try:
                return decode(member, value, path)
            except DecodeError as e:
                errors.append(e.message)
        raise DecodeError(path, "fits none of the alternatives: " + "; ".join(errors))
    if origin is typing.Literal:
        for a in args:
            if encode(a) == value and type(encode(a)) is type(value):
                return a
        raise DecodeError(path, f"expected one of {[encode(a) for a in args]}, got {value!r}")
    if origin in (list, typing.List, set, frozenset, tuple) or tp in (list, set, frozenset, tuple):
        if not isinstance(value, list):
            raise DecodeError(path, f"expected an array, got {_json_type(value)}")
        if (origin is tuple or tp is tuple) and args and not (len(args) == 2 and args[1] is Ellipsis):
            if len(value) != len(args):
                raise DecodeError(path, f"expected {len(args)} items, got {len(value)}")
            return tuple(decode(a, v, f"{path}/{i}") for i, (a, v) in enumerate(zip(args, value)))
        item = args[0] if args else Any
        items = [decode(item, v, f"{path}/{i}") for i, v in enumerate(value)]
        kind = origin or tp
        return items if kind in (list, typing.List) else kind(items)
    if origin is dict or tp is dict:
        if not isinstance(value, dict):
            raise DecodeError(path, f"expected an object, got {_json_type(value)}")
        item = args[1] if args else Any
        return {k: decode(item, v, f"{path}/{_escape(k)}") for k, v in value.items()}
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        for member in tp:
            if encode(member.value) == value:
                return member
        raise DecodeError(path, f"expected one of {[encode(m.value) for m in tp]}, got {value!r}")
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        if not isinstance(value, dict):
            raise DecodeError(path, f"expected an object, got {_json_type(value)}")
        hints = _hints(tp)
        kwargs = {}
        for f in dataclasses.fields(tp):
            if not f.init:
                continue
            key = _key(f)
            if key in value:
                kwargs[f.name] = decode(hints.get(f.name, Any), value[key], f"{path}/{_escape(key)}")
            elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:  # type: ignore[misc]
                raise DecodeError(path, f"missing field `{key}`")
        return tp(**kwargs)
    raise SchemaError(f"cannot decode into {tp!r}")


def _key(f: dataclasses.Field) -> str:
    """The JSON name of a field: `field(metadata={"json": "from"})` renames it."""
    return f.metadata.get("json", f.name) if f.metadata else f.name


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def encode(value: Any) -> Any:
    """A value made of dataclasses, enums, tuples … as plain JSON data."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise TypeError(f"{value} has no JSON form")
        return value
    if isinstance(value, enum.Enum):
        return encode(value.value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {_key(f): encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if not isinstance(k, str):
                raise TypeError(f"object key {k!r} is not a string")
            out[k] = encode(v)
        return out
    if isinstance(value, (list, tuple, set, frozenset)):
        return [encode(v) for v in value]
    raise TypeError(f"{type(value).__name__} has no JSON form")
