"""The top-level options: `narrowgate --version` prints the installed version and exits 0."""

from __future__ import annotations

import subprocess
import sys

from narrowgate import __version__


def test_version_option_and_command_agree() -> None:
    for args in (["--version"], ["version"]):
        done = subprocess.run([sys.executable, "-m", "narrowgate", *args], capture_output=True,
                              text=True, timeout=60, check=False)
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip() == __version__
