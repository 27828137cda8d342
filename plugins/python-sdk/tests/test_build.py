import tempfile
import unittest
from pathlib import Path

import scena_plugin
from scena_plugin import build

from . import bindings

SAMPLE = bindings.REPO / "samples" / "plugins" / "python" / "url-check"
UNDECLARED = bindings.REPO / "tests" / "guests-python" / "undeclared-import"


class TrimTest(unittest.TestCase):
    def test_the_world_imports_exactly_the_atoms_the_sdk_wraps(self):
        self.assertEqual(tuple(build.world_atoms(bindings.WIT)), scena_plugin.ATOMS)
        self.assertEqual(build.ATOMS, scena_plugin.ATOMS)
        for atom in scena_plugin.ATOMS:
            self.assertTrue((bindings.SDK / "scena_plugin" / f"{atom}.py").is_file(), atom)

    def test_a_trimmed_world_keeps_only_the_given_atoms_and_everything_else(self):
        with tempfile.TemporaryDirectory() as tmp:
            kept = build.trim_world(bindings.WIT, {"http", "log"}, Path(tmp))
            self.assertEqual(kept, ["log", "http"])
            self.assertEqual(build.world_atoms(Path(tmp)), ["log", "http"])
            original = (bindings.WIT / "step.wit").read_text()
            trimmed = (Path(tmp) / "step.wit").read_text()
            self.assertIn("export handler;", trimmed)
            self.assertEqual(len(original.splitlines()) - len(trimmed.splitlines()), 5)
            self.assertEqual((Path(tmp) / "types.wit").read_text(), (bindings.WIT / "types.wit").read_text())
            self.assertEqual(build.trim_world(bindings.WIT, set(), Path(tmp) / "none"), [])

    def test_an_atom_the_world_lacks_is_refused(self):
        with tempfile.TemporaryDirectory() as tmp:
            with self.assertRaises(build.BuildError):
                build.trim_world(bindings.WIT, {"sockets"}, Path(tmp))


@unittest.skipUnless(bindings.componentize_py(), "componentize-py is not installed")
class IntrospectTest(unittest.TestCase):
    def test_the_metadata_and_the_used_atoms_are_read_natively(self):
        out, info = build.build(SAMPLE, meta_only=True, componentize_py=bindings.componentize_py(), quiet=True)
        self.assertIsNone(out)
        self.assertEqual(info["meta"]["name"], "url-check")
        self.assertEqual(info["used"], ["log", "http"])
        self.assertEqual(info["imports"], ["log", "http"])

    def test_an_undeclared_atom_stops_the_build_unless_allowed(self):
        with self.assertRaises(build.BuildError) as e:
            build.build(UNDECLARED, meta_only=True, componentize_py=bindings.componentize_py(), quiet=True)
        self.assertIn("does not declare the `http` capability", str(e.exception))
        _, info = build.build(
            UNDECLARED, meta_only=True, allow_undeclared=True, componentize_py=bindings.componentize_py(), quiet=True
        )
        self.assertEqual(info["imports"], ["http"])

    def test_a_folder_without_a_step_is_refused(self):
        with tempfile.TemporaryDirectory() as tmp:
            with self.assertRaises(build.BuildError) as e:
                build.build(Path(tmp), meta_only=True, componentize_py=bindings.componentize_py())
            self.assertIn("step.py", str(e.exception))


if __name__ == "__main__":
    unittest.main()
