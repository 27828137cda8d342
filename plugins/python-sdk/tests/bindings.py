"""Stub bindings of the full WIT world (componentize-py's `bindings` command),
put on sys.path so the glue and the atom wrappers import as they do in a
component. The tests that need them are skipped when componentize-py is not
installed (plugins/polyglot.sh installs it under target/polyglot/venv)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

SDK = Path(__file__).resolve().parent.parent
REPO = SDK.parent.parent
WIT = REPO / "host-api" / "wit"
_made: Path | None = None


def componentize_py() -> str | None:
    for c in (
        os.environ.get("SCENA_COMPONENTIZE_PY"),
        str(Path(sys.executable).parent / "componentize-py"),
        str(REPO / "target" / "polyglot" / "venv" / "bin" / "componentize-py"),
        shutil.which("componentize-py"),
    ):
        if c and Path(c).is_file():
            return c
    return None


def install() -> bool:
    """Generate the stubs once per process and put them on sys.path; False if the tool is missing."""
    global _made
    if _made is not None:
        return True
    tool = componentize_py()
    if tool is None:
        return False
    out = Path(tempfile.mkdtemp(prefix="scena-py-sdk-tests-")) / "stubs"
    subprocess.run([tool, "-d", str(WIT), "-w", "step", "bindings", str(out)], check=True, capture_output=True)
    sys.path.insert(0, str(out))
    _made = out
    return True
