"""JSON Schemas rollbook ships for what it writes (read with importlib.resources)."""
