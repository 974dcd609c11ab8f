"""Slugs for ids and figure keys: one rule, used by the data layer and the evaluators."""

from __future__ import annotations

import re


def slug(text: str) -> str:
    """Lower case; runs of anything but [a-z0-9.] become one '-' (OpenRouter's own style)."""
    return re.sub(r"[^a-z0-9.]+", "-", text.lower()).strip("-")
