"""Extract the Uberon terms of content/muscles/ from an Uberon OBO release into a small JSON file.

    python tests/data/uberon/extract.py ../shared/data/uberon-basic.obo > tests/data/uberon/muscles.json

Keeps, for every `ids.uberon` of content/muscles/*.yaml: the term's id, name, and its EXACT and RELATED
synonyms (BROAD and NARROW ones are not synonyms of the muscle), plus the release's `data-version` line.
Only the OBO text format is read (`[Term]` stanzas, `id:`, `name:`, `synonym: "..." SCOPE`); no parser needed.
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


def extract(obo: str, ids: set[str]) -> dict[str, object]:
    version = next((line.split(": ", 1)[1] for line in obo.splitlines() if line.startswith("data-version: ")), "")
    terms: dict[str, dict[str, object]] = {}
    for stanza in obo.split("\n\n"):
        lines = stanza.strip().split("\n")
        if lines[0] != "[Term]" or len(lines) < 2 or not lines[1].startswith("id: "):
            continue
        term_id = lines[1][4:].strip()
        if term_id not in ids:
            continue
        name = next((line[6:].strip() for line in lines if line.startswith("name: ")), "")
        synonyms: dict[str, list[str]] = {"EXACT": [], "RELATED": []}
        for line in lines:
            match = _SYNONYM.match(line)
            if match and match.group(2) in synonyms:
                text = match.group(1).replace('\\"', '"')
                if text not in synonyms[match.group(2)]:
                    synonyms[match.group(2)].append(text)
        obsolete = any(line.strip() == "is_obsolete: true" for line in lines)
        terms[term_id] = {
            "name": name,
            "exact": synonyms["EXACT"],
            "related": synonyms["RELATED"],
            "obsolete": obsolete,
        }
    return {"data-version": version, "terms": dict(sorted(terms.items()))}


def main() -> None:
    obo = Path(sys.argv[1]).read_text(encoding="utf-8")
    json.dump(extract(obo, wanted_ids()), sys.stdout, indent=1, ensure_ascii=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
