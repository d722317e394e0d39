"""The errors a user can cause, each reported as one plain line (exit status 2), never a traceback."""


class ConfigError(Exception):
    """A configuration problem; the message names the file, the key and the line."""


class UsageError(Exception):
    """Bad command-line input (exit status 2)."""
