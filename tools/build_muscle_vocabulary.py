"""Build hipcheck's built-in muscle vocabulary (hipcheck/data/muscles.json) from Uberon and a hand-kept file.

    python tools/build_muscle_vocabulary.py --ontology ../shared/data/uberon-basic.obo   # a new Uberon release
    python tools/build_muscle_vocabulary.py --extract tests/data/uberon/muscles.json     # the vendored terms

The ontology gives each record's canonical name (its label, or the label's short form when that is one of
the term's synonyms), its synonyms (EXACT and RELATED ones that name one record only), its FMA id (the
term's FMA xref) and the members of structural groups (records whose term is_a or part_of the group's
term). tools/muscle_vocabulary_curated.yaml gives what the ontology lacks: ids, regions, informal aliases,
abbreviations, functional groups, actions and the joints crossed, each with its source. Nothing else is
added: a fact neither gives is left out. With --ontology, the OBO file is read with fastobo (pronto's
parser); tests/data/uberon/extract.py writes the vendored extract from the same file.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

import yaml

from hipcheck.muscle_vocabulary.builtin import REGIONS  # the regions the package accepts

ROOT = Path(__file__).resolve().parents[1]
CURATED = ROOT / "tools" / "muscle_vocabulary_curated.yaml"
OUTPUT = ROOT / "hipcheck" / "data" / "muscles.json"
EXTRACT = ROOT / "tests" / "data" / "uberon" / "muscles.json"

# A synonym is kept when it is plain words (letters, spaces, hyphens, apostrophes): not an abbreviated
# Latin form ("m.gastrocnemius"), nor a combination ("biceps brachii %26 brachialis muscles").
_PLAIN = re.compile(r"[A-Za-z][A-Za-z' -]*")
# fastobo rejects URL xrefs with backslash escapes (`Category\:Adult_organism`); they play no part here.
_BAD_URL_XREF = re.compile(r"^xref: https?://\S*\\.*$", re.MULTILINE)


def _key(text: str) -> str:
    return " ".join(text.lower().replace("-", " ").split())


# --- reading the ontology ------------------------------------------------------------------------------


def terms_from_obo(path: Path, wanted: set[str]) -> tuple[str, dict[str, dict[str, Any]]]:
    """(data-version, facts of each wanted term) from an OBO file, parsed with fastobo."""
    import fastobo

    doc = fastobo.loads(_BAD_URL_XREF.sub("", path.read_text(encoding="utf-8")))
    version = next((c.raw_value() for c in doc.header if c.raw_tag() == "data-version"), "")
    terms: dict[str, dict[str, Any]] = {}
    for frame in doc:
        term_id = str(frame.id)
        if not isinstance(frame, fastobo.term.TermFrame) or term_id not in wanted:
            continue
        # the vendored extract's fields (tests/data/uberon/extract.py); `other`: BROAD and NARROW synonyms
        facts: dict[str, Any] = {"name": "", "exact": [], "related": [], "other": [], "fma": [], "is_a": []}
        facts.update(part_of=[], obsolete=False)
        for clause in frame:
            if isinstance(clause, fastobo.term.NameClause):
                facts["name"] = str(clause.name)
            elif isinstance(clause, fastobo.term.SynonymClause):
                scope = str(clause.synonym.scope).lower()
                scope = "other" if scope in ("broad", "narrow") else scope
                if scope in ("exact", "related", "other") and clause.synonym.desc not in facts[scope]:
                    facts[scope].append(clause.synonym.desc)
            elif isinstance(clause, fastobo.term.XrefClause) and str(clause.xref.id).startswith("FMA:"):
                facts["fma"].append(str(clause.xref.id))
            elif isinstance(clause, fastobo.term.IsAClause):
                facts["is_a"].append(str(clause.term))
            elif isinstance(clause, fastobo.term.RelationshipClause) and str(clause.typedef) == "part_of":
                facts["part_of"].append(str(clause.term))
            elif isinstance(clause, fastobo.term.IsObsoleteClause):
                facts["obsolete"] = bool(clause.obsolete)
        terms[term_id] = facts
    return version, terms


def terms_from_extract(path: Path) -> tuple[str, dict[str, dict[str, Any]]]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return data["data-version"], data["terms"]


def curated_records(path: Path = CURATED) -> list[dict[str, Any]]:
    records = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(records, list):
        raise SystemExit(f"{path}: expected a list of records")
    return records


def wanted_terms(records: list[dict[str, Any]]) -> set[str]:
    return {r["uberon"] for r in records if "uberon" in r}


# --- building ----------------------------------------------------------------------------------------


_ORDER = (
    "id",
    "kind",
    "grouping",
    "name",
    "synonyms",
    "aliases",
    "abbreviations",
    "members",
    "part_of",
    "actions",
    "crosses",
    "region",
    "ids",
    "source",
)


class BuildError(Exception):
    pass


def _short_name(label: str, synonyms: list[str]) -> str:
    """The label, or its form without a trailing "muscle" when that is also one of the term's synonyms."""
    short = label.removesuffix(" muscle")
    return short if short != label and _key(short) in {_key(s) for s in synonyms} else label


def build(records: list[dict[str, Any]], version: str, terms: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The built-in vocabulary: one entry per curated record, with the ontology's facts filled in."""
    built: list[dict[str, Any]] = []
    by_term: dict[str, str] = {}
    for record in records:
        if record.get("region") not in REGIONS:
            raise BuildError(f"{record.get('id')}: region must be one of {', '.join(REGIONS)}")
        entry: dict[str, Any] = {"id": record["id"], "kind": record.get("kind", "muscle")}
        if "grouping" in record:
            entry["grouping"] = record["grouping"]
        term_id = record.get("uberon")
        term = terms.get(term_id) if term_id else None
        if term_id and (term is None or term["obsolete"]):
            raise BuildError(f"{record['id']}: {term_id} is not a current term of the ontology")
        names = [term["name"], *term["exact"], *term["related"]] if term else []
        if term and term_id:
            by_term[term_id] = record["id"]
            name = record.get("name") or _short_name(term["name"], term["exact"] + term["related"])
            if not {_key(name), _key(name).removesuffix("s")} & {_key(n) for n in names}:  # "hamstrings"
                raise BuildError(f"{record['id']}: name {name!r} is not the label or a synonym of {term_id}")
        elif "name" in record:
            name = record["name"]
        else:
            raise BuildError(f"{record['id']}: no Uberon term and no name")
        entry["name"] = name
        if "synonyms" in record:
            synonyms = list(record["synonyms"])
            stray = [s for s in synonyms if _key(s) not in {_key(n) for n in names}]
            if stray:
                raise BuildError(f"{record['id']}: {stray} are not synonyms of {term_id}")
        else:
            excluded = {_key(s) for s in record.get("exclude_synonyms", ())}
            if excluded - {_key(n) for n in names}:
                raise BuildError(f"{record['id']}: exclude_synonyms lists forms that are not synonyms of {term_id}")
            synonyms = [n for n in names if _PLAIN.fullmatch(n) and _key(n) not in excluded | {_key(name)}]
        entry["synonyms"] = list(dict.fromkeys(synonyms))
        for field in ("aliases", "abbreviations", "members", "actions", "crosses"):
            if record.get(field):
                entry[field] = list(record[field])
        entry["region"] = record["region"]
        ids = {}
        if term:
            ids["uberon"] = term_id
            fma = record.get("fma")
            if fma is not None and fma not in term["fma"]:
                raise BuildError(f"{record['id']}: {fma} is not an FMA xref of {term_id}")
            if fma is None and len(term["fma"]) == 1:
                fma = term["fma"][0]
            if fma:
                ids["fma"] = fma
        entry["ids"] = ids
        if record.get("source"):
            entry["source"] = record["source"]
        built.append(entry)
    _derive_members(built, records, terms, by_term)
    _drop_shared_synonyms(built)
    built = [{key: entry[key] for key in _ORDER if key in entry} for entry in built]
    return {
        "data-version": version,
        "licence": "Uberon: CC BY 3.0; see hipcheck/data/SOURCES.md",
        "records": built,
    }


def _derive_members(
    built: list[dict[str, Any]],
    records: list[dict[str, Any]],
    terms: dict[str, dict[str, Any]],
    by_term: dict[str, str],
) -> None:
    """Members of structural groups without hand-kept members: the records whose term is_a or part_of the
    group's term; then every record's part_of, from the groups that list it."""
    children: dict[str, list[str]] = defaultdict(list)
    for record in records:
        term = terms.get(record.get("uberon", ""))
        for parent in [*(term["is_a"] if term else ()), *(term["part_of"] if term else ())]:
            if parent in by_term and by_term[parent] != record["id"] and record["id"] not in children[by_term[parent]]:
                children[by_term[parent]].append(record["id"])
    for entry, record in zip(built, records, strict=True):
        if entry["kind"] == "group" and "members" not in record and children.get(entry["id"]):
            entry["members"] = sorted(children[entry["id"]])
    part_of: dict[str, list[str]] = defaultdict(list)
    for entry in built:
        for member in entry.get("members", ()):
            part_of[member].append(entry["id"])
    known = {e["id"] for e in built}
    for entry in built:
        stray = [m for m in entry.get("members", ()) if m not in known]
        if stray:
            raise BuildError(f"{entry['id']}: members {stray} are not records")
        if part_of.get(entry["id"]):
            entry["part_of"] = sorted(part_of[entry["id"]])


def _drop_shared_synonyms(built: list[dict[str, Any]]) -> None:
    """A synonym that another record also claims (as its name or a synonym, alias or abbreviation) names
    neither for sure: it is dropped from the records that took it from the ontology."""
    claims: dict[str, set[str]] = defaultdict(set)
    for entry in built:
        for form in [entry["name"], *entry["synonyms"], *entry.get("aliases", ()), *entry.get("abbreviations", ())]:
            claims[_key(form)].add(entry["id"])
    for entry in built:
        entry["synonyms"] = [s for s in entry["synonyms"] if len(claims[_key(s)]) == 1]


def render(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=1, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--ontology", type=Path, help="an Uberon OBO release (uberon-basic.obo)")
    source.add_argument("--extract", type=Path, default=EXTRACT, help="the vendored extract (default)")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    parser.add_argument("--check", action="store_true", help="exit 1 when the output file differs")
    args = parser.parse_args(argv)
    records = curated_records()
    if args.ontology:
        version, terms = terms_from_obo(args.ontology, wanted_terms(records))
    else:
        version, terms = terms_from_extract(args.extract)
    try:
        text = render(build(records, version, terms))
    except BuildError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    if args.check:
        same = args.output.exists() and args.output.read_text(encoding="utf-8") == text
        print("up to date" if same else f"{args.output} differs from a rebuild", file=sys.stderr)
        return 0 if same else 1
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
