"""hipcheck: validate and lint health and fitness content."""

__version__ = "0.1.0"
