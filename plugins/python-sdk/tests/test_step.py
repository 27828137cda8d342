import unittest
from dataclasses import dataclass
from typing import Any

from scena_plugin import ATOMS, AtomError, Denied, Fatal, Retryable, Step, done, pending


@dataclass
class In:
    name: str


@dataclass
class Out:
    greeting: str


class Hello(Step[In, Out]):
    name = "hello"
    version = "1.2.3-rc.1"
    title = "Hello"
    description = "Greets."
    capabilities = ["http", "log", "log"]

    def run(self, ctx, input: In):
        return done(Out(f"Hello, {input.name}!"))


class StepTest(unittest.TestCase):
    def test_meta_carries_the_schemas_and_the_capabilities_in_world_order(self):
        meta = Hello.meta()
        self.assertEqual(meta["capabilities"], ["log", "http"])
        self.assertEqual(meta["input_schema"]["required"], ["name"])
        self.assertEqual(meta["output_schema"]["title"], "Out")
        self.assertEqual(meta["category"], "custom")
        self.assertEqual(Hello.io_types(), (In, Out))

    def test_bad_metadata_is_refused_with_the_reason(self):
        for attr, value, reason in [
            ("name", "Bad Name", "must match"),
            ("version", "one", "not semver"),
            ("capabilities", ["sockets"], "unknown capabilities"),
        ]:
            bad = type("Bad", (Hello,), {attr: value})
            with self.assertRaises(TypeError) as e:
                bad.meta()
            self.assertIn(reason, str(e.exception))

    def test_untyped_steps_take_any_json(self):
        class Raw(Step):
            name = "raw"
            version = "0.1.0"
            title = "t"
            description = "d"

        self.assertEqual(Raw.io_types(), (Any, Any))
        self.assertEqual(Raw.meta()["input_schema"], {"$schema": "https://json-schema.org/draft/2020-12/schema"})

    def test_atom_errors_map_as_the_rust_sdk_maps_them(self):
        self.assertIsInstance(AtomError("denied", "x").to_step_error(), Denied)
        self.assertIsInstance(AtomError("failed", "x").to_step_error(), Retryable)
        self.assertIsInstance(AtomError("invalid", "x").to_step_error(), Fatal)
        self.assertIsInstance(AtomError("unavailable", "x").to_step_error(), Fatal)
        with self.assertRaises(ValueError):
            AtomError("odd", "x")

    def test_pending_checks_its_delay(self):
        self.assertEqual(pending({"a": 1}, 5).after_ms, 5)
        with self.assertRaises(Fatal):
            pending({}, -1)

    def test_the_sdk_knows_every_atom(self):
        self.assertEqual(ATOMS, ("log", "kv", "secrets", "http", "cmdb", "job", "notify"))


if __name__ == "__main__":
    unittest.main()
