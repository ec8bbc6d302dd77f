"""The one exception scaffold shows to users."""


class ScaffoldError(Exception):
    """Bad input or a refused operation, shown as one line (no traceback)."""
