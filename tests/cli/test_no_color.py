"""NO_COLOR (https://no-color.org) is honoured: no colour codes even where colour is forced."""

from __future__ import annotations

import os
import re
import subprocess
import sys

#: SGR colour parameters: 30–37/90–97 foreground, 40–47/100–107 background, 38;/48; extended
COLOUR = re.compile(r"\x1b\[(?:[0-9;]*;)?(?:3[0-8]|4[0-8]|9[0-7]|10[0-7])(?:;[0-9;]*)?m")


def _stderr(**extra: str) -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    done = subprocess.run([sys.executable, "-m", "narrowgate", "thesis", "validate"],
                          capture_output=True, text=True, timeout=60, env={**env, **extra})
    assert done.returncode == 2  # no file named: a usage error, printed by rich
    return done.stderr


def test_no_color_removes_colour_that_force_color_would_add() -> None:
    assert COLOUR.search(_stderr(FORCE_COLOR="1"))  # the check bites
    plain = _stderr(FORCE_COLOR="1", NO_COLOR="1")
    assert "Usage:" in plain and not COLOUR.search(plain)
