"""Extract the Uberon terms hipcheck uses from an Uberon OBO release into a small JSON file.

    python tests/data/uberon/extract.py ../shared/data/uberon-basic.obo > tests/data/uberon/muscles.json

The terms: every `ids.uberon` of content/muscles/*.yaml and every `uberon` of the built-in vocabulary's
hand-kept file (tools/muscle_vocabulary_curated.yaml). For each: its name, its EXACT, RELATED and BROAD
synonyms, its FMA xrefs, its direct `is_a` parents and `part_of` relations, and whether it is obsolete; plus
the release's `data-version` line. Only the OBO text format is read (`[Term]` stanzas); no parser needed.
tools/build_muscle_vocabulary.py builds the same vocabulary from this extract as from the whole release.
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
    synonyms: dict[str, list[str]] = {"EXACT": [], "RELATED": [], "BROAD": []}
    fma: list[str] = []
    is_a: list[str] = []
    part_of: list[str] = []
    for line in lines:
        match = _SYNONYM.match(line)
        if match and match.group(2) in synonyms:
            text = match.group(1).replace('\\"', '"')
            if text not in synonyms[match.group(2)]:
                synonyms[match.group(2)].append(text)
        elif (found := re.match(r"^xref: (FMA:\S+)", line)) and found.group(1) not in fma:
            fma.append(found.group(1))
        elif found := re.match(r"^is_a: " + _ID, line):
            is_a.append(found.group(1))
        elif found := re.match(r"^relationship: part_of " + _ID, line):
            part_of.append(found.group(1))
    return {
        "name": name,
        "exact": synonyms["EXACT"],
        "related": synonyms["RELATED"],
        "broad": synonyms["BROAD"],
        "fma": fma,
        "is_a": is_a,
        "part_of": part_of,
        "obsolete": any(line.strip() == "is_obsolete: true" for line in lines),
    }


def extract(obo: str, ids: set[str]) -> dict[str, object]:
    version = next((line.split(": ", 1)[1] for line in obo.splitlines() if line.startswith("data-version: ")), "")
    terms: dict[str, dict[str, object]] = {}
    for stanza in obo.split("\n\n"):
        lines = stanza.strip().split("\n")
        if lines[0] != "[Term]" or len(lines) < 2 or not lines[1].startswith("id: "):
            continue
        term_id = lines[1][4:].strip()
        if term_id in ids:
            terms[term_id] = _term(lines)
    return {"data-version": version, "terms": dict(sorted(terms.items()))}


def main() -> None:
    obo = Path(sys.argv[1]).read_text(encoding="utf-8")
    json.dump(extract(obo, wanted_ids()), sys.stdout, indent=1, ensure_ascii=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
