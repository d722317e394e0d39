"""`hipcheck muscles`: the muscle vocabulary in force for a content root, so authors can find the right id.

Lists the built-in vocabulary with the root's `muscles/` records over it (or those records only, when
`[tool.hipcheck.muscles] vocabulary = "content"`), filtered by body region or by group, as text or JSON.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hipcheck.errors import UsageError

if TYPE_CHECKING:  # imported when the command runs: the CLI registers it without loading the vocabulary
    from hipcheck.muscle_vocabulary import Entry, Vocabulary

EXIT_OK = 0


def add_muscles_parser(commands: Any) -> None:
    """Register the `muscles` subcommand on the CLI's subparsers."""
    muscles = commands.add_parser("muscles", help="list the muscle vocabulary in force (built-in and muscles/)")
    muscles.add_argument("path", nargs="?", default=None, help="a content root (default: the configured one, or .)")
    muscles.add_argument("--region", help="only the muscles and groups of this body region (neck, arm, hip, ...)")
    muscles.add_argument("--group", metavar="ID", help="only this group and the muscles and groups in it")
    muscles.add_argument("--format", choices=("text", "json"), default="text")


def _root(path: str | None) -> Path:
    from hipcheck.config import load_config

    start = Path(path) if path else Path.cwd()
    if not start.exists():
        raise UsageError(f"{path}: no such file or directory")
    if path is None:
        return load_config(start).root_dir or start
    return start if start.is_dir() else start.parent


def vocabulary_in_force(root: Path) -> tuple[Vocabulary, dict[str, str], str]:
    """(vocabulary, where each entry comes from, a one-line description of what is in force) for a root."""
    from hipcheck.config import load_config
    from hipcheck.discovery import walk
    from hipcheck.file_reading import read_bytes
    from hipcheck.loader.records import read_records
    from hipcheck.muscle_vocabulary import Vocabulary, base_entries, builtin_release, options_from

    config = load_config(root)
    options = options_from(config)
    records = []
    for relative, kind in walk(root, exclude=config.exclude, leaving={}):
        if kind != "muscle":
            continue
        path = root / relative
        try:
            raw: bytes | None = read_bytes(path)
        except OSError:
            raw = None
        records += read_records(path, "muscle", relative, raw)
    base = base_entries(options)
    vocabulary = Vocabulary.from_records(records, base)
    origins = {
        entry_id: (entry.record.path if entry.record is not None else "built-in")
        for entry_id, entry in vocabulary.entries.items()
    }
    own = sum(1 for origin in origins.values() if origin != "built-in")
    overriding = sum(1 for e in base if e.id in origins and origins[e.id] != "built-in")
    if base:
        described = (
            f"built-in (Uberon {builtin_release()}, {len(base)} records), with {own} records of muscles/ "
            f"({overriding} of them replacing a built-in record)"
        )
    else:
        described = f'the {own} records of muscles/ only (vocabulary = "content")'
    return vocabulary, origins, described


def _selected(vocabulary: Vocabulary, region: str | None, group: str | None) -> list[Entry]:
    from hipcheck.muscle_vocabulary import REGIONS, builtin_entries

    if region is not None and region not in REGIONS:
        raise UsageError(f"no body region {region!r}; the regions are {', '.join(REGIONS)}")
    regions = {e.id: e.region for e in builtin_entries()}
    entries = list(vocabulary.entries.values())
    if group is not None:
        resolved = vocabulary.id_for_name(group)
        if resolved is None:
            raise UsageError(f"no muscle group {group!r}; 'hipcheck muscles' lists them")
        inside = {resolved}
        stack = [resolved]
        while stack:
            for member in vocabulary.members(stack.pop()):
                if member not in inside:
                    inside.add(member)
                    stack.append(member)
        entries = [e for e in entries if e.id in inside]
    if region is not None:
        entries = [e for e in entries if (e.region or regions.get(e.id)) == region]
    return entries


def _as_data(entry: Entry, origin: str, region: str | None) -> dict[str, Any]:
    data: dict[str, Any] = {"id": entry.id, "kind": entry.kind, "name": entry.name}
    for key in ("synonyms", "aliases", "abbreviations", "members", "part_of", "actions", "crosses"):
        if getattr(entry, key):
            data[key] = list(getattr(entry, key))
    if entry.grouping:
        data["grouping"] = entry.grouping
    data["region"] = region
    data["from"] = origin
    return data


def run_muscles(args: argparse.Namespace) -> int:
    from hipcheck.muscle_vocabulary import builtin_entries

    vocabulary, origins, described = vocabulary_in_force(_root(args.path))
    regions = {e.id: e.region for e in builtin_entries()}
    entries = _selected(vocabulary, args.region, args.group)
    rows = [_as_data(e, origins[e.id], e.region or regions.get(e.id)) for e in entries]
    if args.format == "json":
        print(json.dumps({"vocabulary": described, "muscles": rows}, indent=2, ensure_ascii=False))
        return EXIT_OK
    print(f"# vocabulary: {described}")
    width = max((len(row["id"]) for row in rows), default=2)
    for row in rows:
        names = [*row.get("synonyms", ()), *row.get("aliases", ()), *row.get("abbreviations", ())]
        also = f"  (also: {', '.join(names)})" if names else ""
        print(f"{row['id']:<{width}}  {row['kind']:<6}  {row['region'] or '-':<16}  {row['name']}{also}")
    print(f"# {len(rows)} of {len(vocabulary.entries)} muscles and groups")
    return EXIT_OK
