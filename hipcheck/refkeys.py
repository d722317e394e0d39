"""Reference keys as file names: a reversible encoding valid on Windows, macOS and Linux.

A key is kept verbatim in the record's `id` (citations use it); only its file name is encoded.
Letters, digits and `_ . + -` stay as they are; every other character (`:`, `/`, `%`, spaces,
non-ASCII, ...) becomes `%XX` per UTF-8 byte, as in URLs. A leading or trailing `.` and the first
letter of a Windows device name (`con`, `nul`, `com1`, ...) are encoded too. Non-ASCII is encoded
because macOS stores names decomposed (NFD), which would no longer equal an NFC key.
`doi:10.1101/502484` -> `doi%3A10.1101%2F502484`; `hammarström2020` -> `hammarstr%C3%B6m2020`.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

_SAFE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.+-")
_WINDOWS_DEVICES = re.compile(r"^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\.|$)", re.IGNORECASE)
_ENCODED = re.compile(r"^(?:[A-Za-z0-9_.+-]|%[0-9A-F]{2})+$")


def _escape(char: str) -> str:
    return "".join(f"%{byte:02X}" for byte in char.encode("utf-8"))


def key_to_stem(key: str) -> str:
    """The file name (without `.yaml`) for a reference key; `stem_to_key` reverses it."""
    chars = [c if c in _SAFE else _escape(c) for c in key]
    if chars and _WINDOWS_DEVICES.match(key):
        chars[0] = _escape(key[0])
    if chars and key.startswith("."):
        chars[0] = _escape(".")
    if len(chars) > 1 and key.endswith("."):
        chars[-1] = _escape(".")
    return "".join(chars)


def stem_to_key(stem: str) -> str | None:
    """The key a file name encodes, or None when the name is not an encoding `key_to_stem` writes."""
    if not _ENCODED.match(stem):
        return None
    try:
        key = unquote(stem, errors="strict")
    except UnicodeDecodeError:  # %FF...: bytes that are not UTF-8
        return None
    return key if key_to_stem(key) == stem else None
