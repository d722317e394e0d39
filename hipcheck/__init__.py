"""hipcheck: validate and lint health and fitness content."""

__version__ = "0.1.0"  # the one source: pyproject.toml reads it, CHANGELOG.md has its entry


def code_version(directory: str | None = None) -> str:
    """The version plus a stamp of this package's source files: caches keyed on it are invalidated by
    an upgrade, and also by editing hipcheck itself in an editable install."""
    import hashlib
    import os

    stamps = []
    for folder, _, names in os.walk(directory or os.path.dirname(__file__)):
        for name in names:
            if name.endswith(".py"):
                status = os.stat(os.path.join(folder, name))
                stamps.append(f"{name}:{status.st_size}:{status.st_mtime_ns}")
    return __version__ + "+" + hashlib.blake2b("|".join(sorted(stamps)).encode(), digest_size=8).hexdigest()
