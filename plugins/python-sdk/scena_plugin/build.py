"""Build a Python step into a scena plugin component.

    python -m scena_plugin.build [PROJECT_DIR] [-o OUT.wasm] [--module step]
                                 [--wit DIR] [--componentize-py EXE]
                                 [--allow-undeclared] [--meta-only] [--quiet]

PROJECT_DIR (default `.`) holds the step module (`step.py` unless `--module`
names another); it must define exactly one `Step` subclass. What happens:

1. The step module is imported natively (this Python, with stub bindings of
   the full WIT world) to read its metadata — name, version, schemas and
   the capabilities declared once, in the code — and to see which atom
   wrappers (`scena_plugin.http` …) it imports.
2. An atom imported but not declared stops the build (scena would refuse to
   load the component); `--allow-undeclared` builds it anyway (the hostile
   test corpus uses that to prove the refusal).
3. A trimmed copy of the WIT world is written that imports only the declared
   (plus, with `--allow-undeclared`, the used) atoms: componentize-py imports
   every interface of the world it is given, and scena refuses a component
   importing an atom its step does not declare.
4. componentize-py builds the component; the last line on stdout is its path.

The WIT directory is `--wit`, else `$SCENA_WIT_DIR`, else `host-api/wit` of
the source tree this SDK sits in. componentize-py is `--componentize-py`,
else `$SCENA_COMPONENTIZE_PY`, else the one beside this Python, else on PATH
(`pip install -r plugins/python-sdk/requirements.txt` pins it).

Exit codes: 0 built, 1 the step or its project is wrong (message on stderr),
2 usage, 3 the toolchain is missing or failed.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SDK_ROOT = Path(__file__).resolve().parent.parent  # the folder holding the scena_plugin package
ATOMS = ("log", "kv", "secrets", "http", "cmdb", "job", "notify")  # checked against scena_plugin.ATOMS
WORLD = "step"

_WORLD_BLOCK = re.compile(r"(world\s+" + WORLD + r"\s*\{)(.*?)(\n\})", re.S)
_IMPORT = re.compile(r"^[ \t]*import[ \t]+([a-z][a-z0-9-]*)[ \t]*;[ \t]*\n", re.M)


class BuildError(Exception):
    def __init__(self, message: str, code: int = 1):
        super().__init__(message)
        self.code = code


def find_wit(explicit: str | None) -> Path:
    candidates = [explicit, os.environ.get("SCENA_WIT_DIR"), str(SDK_ROOT.parent.parent / "host-api" / "wit")]
    for c in candidates:
        if c and (Path(c) / "step.wit").is_file():
            return Path(c).resolve()
    raise BuildError(
        "cannot find the scena WIT world (step.wit): pass --wit DIR or set SCENA_WIT_DIR "
        "to the host-api/wit folder of the scena source tree"
    )


def find_componentize_py(explicit: str | None) -> str:
    for c in (explicit, os.environ.get("SCENA_COMPONENTIZE_PY")):
        if c:
            return c
    beside = Path(sys.executable).parent / "componentize-py"
    if beside.is_file():
        return str(beside)
    found = shutil.which("componentize-py")
    if found:
        return found
    raise BuildError(
        "componentize-py is not installed: `pip install -r "
        f"{SDK_ROOT / 'requirements.txt'}` (it pins the version this SDK is tested with), "
        "or pass --componentize-py EXE",
        code=3,
    )


def world_atoms(wit_dir: Path) -> list[str]:
    """The atoms the full `step` world imports, as step.wit declares them."""
    text = (wit_dir / "step.wit").read_text()
    block = _WORLD_BLOCK.search(text)
    if not block:
        raise BuildError(f"{wit_dir / 'step.wit'} has no `world {WORLD}` block")
    return _IMPORT.findall(block.group(2))


def trim_world(wit_dir: Path, keep: set[str], out_dir: Path) -> list[str]:
    """Copy the WIT package to `out_dir` with the world importing only `keep`; returns the imports kept."""
    imported = world_atoms(wit_dir)
    unknown = sorted(set(imported) - set(ATOMS))
    if unknown:
        raise BuildError(
            f"the WIT world imports {unknown}, which this SDK does not know: update scena_plugin "
            "(ATOMS and a wrapper module per atom) to the new host-api"
        )
    missing = sorted(keep - set(imported))
    if missing:
        raise BuildError(f"the WIT world has no atom {missing}")
    out_dir.mkdir(parents=True, exist_ok=True)
    for f in wit_dir.glob("*.wit"):
        text = f.read_text()
        if f.name == "step.wit":
            block = _WORLD_BLOCK.search(text)
            assert block
            body = _IMPORT.sub(lambda m: m.group(0) if m.group(1) in keep else "", block.group(2))
            text = text[: block.start(2)] + body + text[block.end(2) :]
        (out_dir / f.name).write_text(text)
    if (wit_dir / "deps").is_dir():
        shutil.copytree(wit_dir / "deps", out_dir / "deps")
    return [a for a in imported if a in keep]


_INTROSPECT = r"""
import importlib, json, sys
project, module = sys.argv[1], sys.argv[2]
import scena_plugin
from scena_plugin import Step
before = set(sys.modules)
mod = importlib.import_module(module)
steps = [v for v in vars(mod).values()
         if isinstance(v, type) and issubclass(v, Step) and v is not Step and v.__module__ == mod.__name__]
if len(steps) != 1:
    names = [s.__name__ for s in steps]
    sys.stderr.write(f"{module}: expected exactly one Step subclass, found {len(steps)} {names}\n")
    sys.exit(10)
step = steps[0]
meta = step.meta()
used = [a for a in scena_plugin.ATOMS if f"scena_plugin.{a}" in sys.modules]
json.dump({"class": step.__name__, "meta": meta, "used": used, "atoms": list(scena_plugin.ATOMS)}, sys.stdout)
"""


def introspect(python: str, project: Path, module: str, stubs: Path) -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(project), str(SDK_ROOT), str(stubs)])
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    ran = subprocess.run(
        [python, "-c", _INTROSPECT, str(project), module], cwd=project, env=env, capture_output=True, text=True
    )
    if ran.returncode != 0:
        raise BuildError(f"importing the step module `{module}` failed:\n{ran.stderr.strip()}")
    info = json.loads(ran.stdout)
    if tuple(info["atoms"]) != ATOMS:
        raise BuildError(f"scena_plugin.ATOMS {info['atoms']} differs from the build's {list(ATOMS)}")
    return info


def run_tool(argv: list[str], quiet: bool, what: str) -> None:
    try:
        ran = subprocess.run(argv, capture_output=True, text=True)
    except OSError as e:
        raise BuildError(f"{what}: cannot run {argv[0]}: {e.strerror}", code=3) from None
    if ran.returncode != 0:
        raise BuildError(f"{what} failed ({' '.join(argv[:3])} …):\n{ran.stdout}{ran.stderr}".rstrip(), code=3)
    if not quiet and ran.stderr.strip():
        sys.stderr.write(ran.stderr)


def build(
    project: Path,
    out: Path | None = None,
    module: str | None = None,
    wit: str | None = None,
    componentize_py: str | None = None,
    allow_undeclared: bool = False,
    meta_only: bool = False,
    quiet: bool = False,
) -> tuple[Path | None, dict]:
    project = project.resolve()
    if not project.is_dir():
        raise BuildError(f"{project} is not a directory")
    if module is None:
        module = "step"
    if not (project / f"{module}.py").is_file() and not (project / module / "__init__.py").is_file():
        raise BuildError(f"{project} has no {module}.py (the step module; --module names another)")
    wit_dir = find_wit(wit)
    tool = find_componentize_py(componentize_py)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="scena-py-build-") as tmp:
        tmp_dir = Path(tmp)
        # 1. stub bindings of the full world, so the step imports natively.
        run_tool([tool, "-d", str(wit_dir), "-w", WORLD, "bindings", str(tmp_dir / "stubs")], quiet, "componentize-py bindings")
        info = introspect(sys.executable, project, module, tmp_dir / "stubs")
        meta = info["meta"]
        declared, used = set(meta["capabilities"]), set(info["used"])
        undeclared = sorted(used - declared, key=ATOMS.index)
        if undeclared and not allow_undeclared:
            raise BuildError(
                f"step `{meta['name']}` imports "
                + ", ".join(f"scena_plugin.{a}" for a in undeclared)
                + " but does not declare "
                + ", ".join(f"the `{a}` capability" for a in undeclared)
                + f": add {undeclared} to {info['class']}.capabilities (scena refuses to load it otherwise)"
            )
        if undeclared and not quiet:
            sys.stderr.write(f"warning: building `{meta['name']}` with undeclared atoms {undeclared}: scena will refuse it\n")
        if meta_only:
            return None, {**info, "imports": sorted(declared | used, key=ATOMS.index)}
        # 2. the trimmed world: declared atoms (and, if allowed, used ones) only.
        imports = trim_world(wit_dir, declared | used, tmp_dir / "wit")
        # 3. the app module componentize-py pre-initialises.
        app = tmp_dir / "app"
        app.mkdir()
        (app / "scena_step_app.py").write_text(
            "# Generated by scena_plugin.build.\n"
            "from scena_plugin._glue import handler_for\n"
            f"from {module} import {info['class']} as _Step\n"
            "Handler = handler_for(_Step)\n"
        )
        if out is None:
            out = project / "build" / f"{meta['name']}.wasm"
        out = out.resolve()
        out.parent.mkdir(parents=True, exist_ok=True)
        partial = out.with_name(out.name + ".partial")
        run_tool(
            [
                tool, "-d", str(tmp_dir / "wit"), "-w", WORLD, "componentize",
                "-p", str(app), "-p", str(project), "-p", str(SDK_ROOT),
                "scena_step_app", "-o", str(partial),
            ],
            quiet,
            "componentize-py componentize",
        )
        partial.replace(out)
    info["imports"] = imports
    if not quiet:
        size = out.stat().st_size
        sys.stderr.write(
            f"built {meta['name']}@{meta['version']} ({size / 1_048_576:.1f} MiB, imports {imports or 'no atoms'}) "
            f"in {time.monotonic() - started:.1f} s\n"
        )
    return out, info


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m scena_plugin.build", description=__doc__.split("\n\n")[0])
    p.add_argument("project", nargs="?", default=".", help="the step's folder (default .)")
    p.add_argument("-o", "--out", help="the .wasm to write (default PROJECT/build/NAME.wasm)")
    p.add_argument("--module", help="the step module in PROJECT (default step)")
    p.add_argument("--wit", help="the scena WIT folder (default $SCENA_WIT_DIR or the source tree's host-api/wit)")
    p.add_argument("--componentize-py", dest="componentize_py", help="the componentize-py executable")
    p.add_argument("--allow-undeclared", action="store_true", help="build even if the step imports an undeclared atom")
    p.add_argument("--meta-only", action="store_true", help="print the step's metadata as JSON; build nothing")
    p.add_argument("-q", "--quiet", action="store_true")
    args = p.parse_args(argv)
    try:
        out, info = build(
            Path(args.project),
            Path(args.out) if args.out else None,
            args.module,
            args.wit,
            args.componentize_py,
            args.allow_undeclared,
            args.meta_only,
            args.quiet,
        )
    except BuildError as e:
        sys.stderr.write(f"error: {e}\n")
        return e.code
    if out is None:
        print(json.dumps(info, indent=2))
    else:
        print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
