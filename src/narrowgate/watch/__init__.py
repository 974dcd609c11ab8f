"""The living scorecard: run history, the flips between runs, and diffs of two runs.

Layered above the evaluator and the store (``cli → watch → api/evaluate → data``): it
reads and writes recorded runs, never evaluates claims itself.
"""
