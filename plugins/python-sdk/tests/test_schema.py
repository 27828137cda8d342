import enum
import unittest
from dataclasses import dataclass, field
from typing import Annotated, Any, Dict, List, Literal, Optional, Tuple

from scena_plugin.schema import DRAFT, DecodeError, SchemaError, decode, encode, json_schema, schema


class Color(enum.Enum):
    RED = "red"
    BLUE = "blue"


@dataclass
class Host:
    """A host."""

    id: str
    labels: Dict[str, str] = field(default_factory=dict)


@dataclass
class Tree:
    name: str
    children: List["Tree"] = field(default_factory=list)


@dataclass
class Input:
    url: Annotated[str, schema(description="Where.", min_length=1)]
    hosts: List[Host]
    color: Color = Color.RED
    mode: Literal["fast", "slow"] = "fast"
    limit: Optional[int] = None
    pair: Tuple[int, str] = (1, "a")
    from_: int = field(default=0, metadata={"json": "from", "description": "Start."})
    anything: Any = None


class SchemaTest(unittest.TestCase):
    def test_a_dataclass_becomes_an_object_with_required_fields_and_defs(self):
        s = json_schema(Input)
        self.assertEqual(s["$schema"], DRAFT)
        self.assertEqual(s["title"], "Input")
        self.assertEqual(s["type"], "object")
        self.assertEqual(s["required"], ["url", "hosts"])
        p = s["properties"]
        self.assertEqual(p["url"], {"type": "string", "description": "Where.", "minLength": 1})
        self.assertEqual(p["hosts"], {"type": "array", "items": {"$ref": "#/$defs/Host"}})
        self.assertEqual(s["$defs"]["Host"]["description"], "A host.")
        self.assertEqual(s["$defs"]["Host"]["properties"]["labels"], {"type": "object", "additionalProperties": {"type": "string"}})
        self.assertEqual(p["color"], {"type": "string", "enum": ["red", "blue"], "default": "red"})
        self.assertEqual(p["mode"], {"type": "string", "enum": ["fast", "slow"], "default": "fast"})
        self.assertEqual(p["limit"], {"type": ["integer", "null"], "default": None})
        self.assertEqual(p["pair"]["prefixItems"], [{"type": "integer"}, {"type": "string"}])
        self.assertEqual(p["from"], {"type": "integer", "description": "Start.", "default": 0})
        self.assertEqual(p["anything"], {"default": None})
        self.assertNotIn("description", s)  # dataclasses' invented docstring is not a description

    def test_recursive_types_refer_to_themselves(self):
        s = json_schema(Tree)
        self.assertEqual(s["properties"]["children"]["items"], {"$ref": "#/$defs/Tree"})
        self.assertIn("Tree", s["$defs"])

    def test_scalars_and_any(self):
        self.assertEqual(json_schema(str), {"$schema": DRAFT, "type": "string"})
        self.assertEqual(json_schema(Any), {"$schema": DRAFT})
        with self.assertRaises(SchemaError):
            json_schema(bytes)
        with self.assertRaises(SchemaError):
            json_schema(Dict[int, str])

    def test_decode_builds_dataclasses_and_names_the_path_of_a_misfit(self):
        value = decode(Input, {"url": "u", "hosts": [{"id": "h1"}], "color": "blue", "from": 3, "extra": 1})
        self.assertEqual(value.hosts, [Host(id="h1")])
        self.assertIs(value.color, Color.BLUE)
        self.assertEqual(value.from_, 3)
        self.assertEqual(value.limit, None)
        with self.assertRaises(DecodeError) as e:
            decode(Input, {"url": "u", "hosts": [{"id": 5}]})
        self.assertEqual(e.exception.path, "/hosts/0/id")
        with self.assertRaises(DecodeError) as e:
            decode(Input, {"url": "u"})
        self.assertIn("missing field `hosts`", str(e.exception))
        with self.assertRaises(DecodeError):
            decode(Input, {"url": "u", "hosts": [], "mode": "medium"})
        with self.assertRaises(DecodeError):
            decode(int, True)
        self.assertEqual(decode(float, 2), 2.0)
        self.assertEqual(decode(Optional[int], None), None)

    def test_encode_is_the_inverse(self):
        value = decode(Input, {"url": "u", "hosts": [{"id": "h1", "labels": {"a": "b"}}], "from": 2})
        data = encode(value)
        self.assertEqual(data["from"], 2)
        self.assertEqual(data["color"], "red")
        self.assertEqual(data["pair"], [1, "a"])
        self.assertEqual(decode(Input, data), value)
        with self.assertRaises(TypeError):
            encode(float("nan"))
        with self.assertRaises(TypeError):
            encode({1: 2})


if __name__ == "__main__":
    unittest.main()
