"""Performance benchmark of the API against a hand-written floor: `python -m bench.run`."""
