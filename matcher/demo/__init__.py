"""The synthetic demo world: a seeded generator (`generator.py`) drawing from sampling tables (`tables.py`)."""
