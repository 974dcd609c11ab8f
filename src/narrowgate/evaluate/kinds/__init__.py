"""Generic test kinds: each names what it measures, never a claim; wording comes from params."""
