"""scaffold: Flask and Django starter projects from one answers file."""

__version__ = "0.1.0"
