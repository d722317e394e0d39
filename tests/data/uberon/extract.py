"""Extract the Uberon terms hipcheck uses from an Uberon OBO release into a small JSON file.

    python tests/data/uberon/extract.py ../shared/data/uberon-basic.obo > tests/data/uberon/muscles.json
    python tests/data/uberon/extract.py --check ../shared/data/uberon-basic.obo   # exit 1 if it differs

The terms: every `ids.uberon` of content/muscles/*.yaml and every `uberon` of the built-in vocabulary's
hand-kept file (tools/muscle_vocabulary_curated.yaml). For each, the facts the tests and
tools/build_muscle_vocabulary.py use (never a definition or other text): its name, its EXACT and RELATED
synonyms (the synonyms of the muscle), its BROAD and NARROW ones (`other`: labels a record may match, never
accepted synonyms), its FMA cross-references, its direct `is_a` parents and `part_of` relations, and whether
it is obsolete; `alt_ids` maps a wanted id that is only an `alt_id:` to its term's primary id; plus the
release's `data-version` line. Only the OBO text format is read (`[Term]` stanzas); no parser needed.
This is the one vendored extract: tools/build_muscle_vocabulary.py builds the same vocabulary from it as
from the whole release.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[3]
_SYNONYM = re.compile(r'^synonym: "((?:[^"\\]|\\.)*)" (EXACT|RELATED|BROAD|NARROW)\b')
_ID = r"([A-Za-z]+:[^\s!{]+)"
_FMA = re.compile(r"^xref: (FMA:[^\s!{]+)")
_IS_A = re.compile(r"^is_a: " + _ID)
_PART_OF = re.compile(r"^relationship: part_of " + _ID)


def wanted_ids() -> set[str]:
    ids = set()
    for path in sorted((ROOT / "content" / "muscles").glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        uberon = (data.get("ids") or {}).get("uberon")
        if isinstance(uberon, str):
            ids.add(uberon)
    curated = yaml.safe_load((ROOT / "tools" / "muscle_vocabulary_curated.yaml").read_text(encoding="utf-8"))
    ids |= {record["uberon"] for record in curated if isinstance(record.get("uberon"), str)}
    return ids


def _term(lines: list[str]) -> dict[str, object]:
    name = next((line[6:].strip() for line in lines if line.startswith("name: ")), "")
    synonyms: dict[str, list[str]] = {"EXACT": [], "RELATED": [], "BROAD": [], "NARROW": []}
    fma: list[str] = []
    is_a: list[str] = []
    part_of: list[str] = []
    for line in lines:
        if match := _SYNONYM.match(line):
            text = match.group(1).replace('\\"', '"')
            if text not in synonyms[match.group(2)]:
                synonyms[match.group(2)].append(text)
        elif (found := _FMA.match(line)) and found.group(1) not in fma:
            fma.append(found.group(1))
        elif found := _IS_A.match(line):
            is_a.append(found.group(1))
        elif found := _PART_OF.match(line):
            part_of.append(found.group(1))
    return {
        "name": name,
        "exact": synonyms["EXACT"],
        "related": synonyms["RELATED"],
        "other": synonyms["BROAD"] + [s for s in synonyms["NARROW"] if s not in synonyms["BROAD"]],
        "fma": fma,
        "is_a": is_a,
        "part_of": part_of,
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
