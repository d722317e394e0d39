"""The kinds of record: the folders and file suffixes that hold each, and the shape of their ids.

Plain values, importable without building the pydantic models: a run whose results all come from
the cache never needs those.
"""

KINDS = ("exercise", "muscle", "reference", "article", "program")
# A content root holds one folder per kind; the folder decides the kind.
KIND_FOLDERS = {
    "exercises": "exercise",
    "muscles": "muscle",
    "references": "reference",
    "articles": "article",
    "programs": "program",
}
KIND_SUFFIXES = {
    "exercise": (".yaml", ".yml"),
    "muscle": (".yaml", ".yml"),
    "reference": (".yaml", ".yml", ".json", ".bib"),  # a .bib here is read in place, entry by entry
    "article": (".md", ".markdown"),
    "program": (".yaml", ".yml"),
}
# Bibliography files beside the articles (named in an article's `bibliography:`): read as references.
BIBLIOGRAPHY_SUFFIXES = (".bib", ".json", ".yaml", ".yml")
SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
REFERENCE_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$"
