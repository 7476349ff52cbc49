"""Create ``.venv`` with pip, even where Debian's python3-venv (ensurepip) is missing.

Tries the standard ``python3 -m venv``; if ensurepip is unavailable it creates the
environment without pip and installs pip from its wheel on PyPI.
"""

from __future__ import annotations

import json
import subprocess  # noqa: S404
import sys
import tempfile
import urllib.request
import venv
from pathlib import Path

PIP_VERSION = "26.3"
TARGET = Path(sys.argv[1] if len(sys.argv) > 1 else ".venv")


def main() -> int:
    python = TARGET / "bin" / "python"
    if (
        python.exists()
        and subprocess.call([python, "-m", "pip", "--version"], stdout=subprocess.DEVNULL) == 0
    ):
        return 0
    try:
        venv.EnvBuilder(with_pip=True, clear=True).create(TARGET)
        return 0
    except (subprocess.CalledProcessError, OSError) as exc:
        print(f"ensurepip is not available ({exc}); installing pip from PyPI", file=sys.stderr)
    venv.EnvBuilder(with_pip=False, clear=True).create(TARGET)
    meta_url = f"https://pypi.org/pypi/pip/{PIP_VERSION}/json"
    with urllib.request.urlopen(meta_url, timeout=60) as response:  # noqa: S310 - fixed PyPI URL
        meta = json.load(response)
    wheel = next(u for u in meta["urls"] if u["filename"].endswith(".whl"))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / wheel["filename"]
        with urllib.request.urlopen(wheel["url"], timeout=120) as response:  # noqa: S310
            path.write_bytes(response.read())
        subprocess.check_call([python, f"{path}/pip", "install", "-q", str(path)])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
