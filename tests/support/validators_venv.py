"""The validators' virtualenv (warcio, cdxj-indexer, pywb, wacz) in ``.cache/validators-venv``,
built once and reused; needs only the standard library, so that ``.ci/run`` can build it in the
background while the demo runs (``python3 tests/support/validators_venv.py``), before pytest and
its test extras are installed. The tests use it through tests/support/validators.py."""

from __future__ import annotations

import fcntl
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
VENV = REPO / ".cache" / "validators-venv"
PACKAGES = ["warcio", "cdxj-indexer", "pywb", "wacz"]
TOOLS = ["warcio", "cdxj-indexer", "wb-manager", "wayback", "wacz"]


def _works(venv: Path) -> bool:
    py = venv / "bin" / "python"
    if not py.exists() or not all((venv / "bin" / t).exists() for t in TOOLS):
        return False
    probe = subprocess.run([str(py), "-c", "import warcio, cdxj_indexer, pywb, wacz"],
                           capture_output=True)
    return probe.returncode == 0


def build_venv(venv: Path = VENV) -> tuple[Path | None, str]:
    """(bin folder, "") when the venv works, else (None, why not)."""
    if _works(venv):
        return venv / "bin", ""
    venv.parent.mkdir(parents=True, exist_ok=True)
    # Test workers running side by side (pytest -n) all ask for the venv at start, and .ci/run may
    # be building it already: the first one builds it, the others wait on the lock and then find
    # it working.
    with open(venv.parent / "validators-venv.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return _build(venv)


def _build(venv: Path) -> tuple[Path | None, str]:
    if _works(venv):
        return venv / "bin", ""
    steps = [[sys.executable, "-m", "venv", str(venv)],
             [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", *PACKAGES]]
    for step in steps:
        done = subprocess.run(step, capture_output=True, text=True)
        if done.returncode != 0:
            tail = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
            return None, f"`{' '.join(step[-4:])}` failed: {tail[0]}"
    if not _works(venv):
        return None, f"{venv} was built but its tools do not import"
    return venv / "bin", ""


if __name__ == "__main__":
    bin_dir, why = build_venv()
    print(f"validators venv: {bin_dir}" if bin_dir else f"validators venv not built: {why}")
    sys.exit(0 if bin_dir else 1)
