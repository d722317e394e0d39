"""Extract the Uberon terms of content/muscles/ from an Uberon OBO release into a small JSON file.

    python tests/data/uberon/extract.py ../shared/data/uberon-basic.obo > tests/data/uberon/muscles.json
    python tests/data/uberon/extract.py --check ../shared/data/uberon-basic.obo   # exit 1 if it differs

Keeps, for every `ids.uberon` of content/muscles/*.yaml, the facts the tests check (never a definition or
other text): the term's name, its EXACT and RELATED synonyms (the synonyms of the muscle), its BROAD and
NARROW ones (`other`: labels a record may match, never accepted synonyms), its FMA cross-references, and
whether it is obsolete; `alt_ids` maps a wanted id that is only an `alt_id:` to its term's primary id; plus
the release's `data-version` line. Only the OBO text format is read (`[Term]` stanzas); no parser needed.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[3]
_SYNONYM = re.compile(r'^synonym: "((?:[^"\\]|\\.)*)" (EXACT|RELATED|BROAD|NARROW)\b')


def wanted_ids() -> set[str]:
    ids = set()
    for path in sorted((ROOT / "content" / "muscles").glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        uberon = (data.get("ids") or {}).get("uberon")
        if isinstance(uberon, str):
            ids.add(uberon)
    return ids


def _term(lines: list[str]) -> dict[str, object]:
    name = next((line[6:].strip() for line in lines if line.startswith("name: ")), "")
    synonyms: dict[str, list[str]] = {"EXACT": [], "RELATED": [], "BROAD": [], "NARROW": []}
    for line in lines:
        match = _SYNONYM.match(line)
        if match:
            text = match.group(1).replace('\\"', '"')
            if text not in synonyms[match.group(2)]:
                synonyms[match.group(2)].append(text)
    fma = [line[6:].split()[0] for line in lines if line.startswith("xref: FMA:")]
    return {
        "name": name,
        "exact": synonyms["EXACT"],
        "related": synonyms["RELATED"],
        "other": synonyms["BROAD"] + [s for s in synonyms["NARROW"] if s not in synonyms["BROAD"]],
        "fma": fma,
        "obsolete": any(line.strip() == "is_obsolete: true" for line in lines),
    }


def extract(obo: str, ids: set[str]) -> dict[str, object]:
    version = next((line.split(": ", 1)[1] for line in obo.splitlines() if line.startswith("data-version: ")), "")
    terms: dict[str, dict[str, object]] = {}
    alt_ids: dict[str, str] = {}
    for stanza in obo.split("\n\n"):
        lines = stanza.strip().split("\n")
        if lines[0] != "[Term]" or len(lines) < 2 or not lines[1].startswith("id: "):
            continue
        term_id = lines[1][4:].strip()
        for line in lines:
            if line.startswith("alt_id: ") and line[8:].strip() in ids:
                alt_ids[line[8:].strip()] = term_id
        if term_id in ids:
            terms[term_id] = _term(lines)
    return {"data-version": version, "terms": dict(sorted(terms.items())), "alt_ids": dict(sorted(alt_ids.items()))}


def render(obo: str) -> str:
    return json.dumps(extract(obo, wanted_ids()), indent=1, ensure_ascii=False) + "\n"


def main(argv: list[str]) -> int:
    check = argv[:1] == ["--check"]
    made = render(Path(argv[-1]).read_text(encoding="utf-8"))
    if not check:
        sys.stdout.write(made)
        return 0
    kept = (Path(__file__).parent / "muscles.json").read_text(encoding="utf-8")
    print("muscles.json is what the release gives" if made == kept else "muscles.json differs: re-extract it")
    return 0 if made == kept else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
