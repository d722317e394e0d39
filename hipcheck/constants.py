"""Names and patterns shared by the models and the rules.

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
LOADED_EQUIPMENT = frozenset({"barbell", "dumbbell", "kettlebell", "ez-bar"})

# Field names and types follow the CSL-JSON input schema (citation-style-language/schema).
CSL_TYPES = (
    "article article-journal article-magazine article-newspaper bill book broadcast chapter classic "
    "collection dataset document entry entry-dictionary entry-encyclopedia event figure graphic "
    "hearing interview legal_case legislation manuscript map motion_picture musical_score pamphlet "
    "paper-conference patent performance periodical personal_communication post post-weblog "
    "regulation report review review-book software song speech standard thesis treaty webpage"
).split()

CSL_NAME_FIELDS = (
    "author chair collection-editor compiler composer container-author contributor curator director "
    "editor editorial-director executive-producer guest host interviewer illustrator narrator "
    "organizer original-author performer producer recipient reviewed-author script-writer "
    "series-creator translator"
).split()
CSL_DATE_FIELDS = "accessed available-date event-date issued original-date submitted".split()
CSL_STRING_FIELDS = (
    "citation-key language journalAbbreviation shortTitle abstract annote archive archive_collection "
    "archive_location archive-place authority call-number citation-label collection-title "
    "container-title container-title-short dimensions division DOI event event-title event-place "
    "genre ISBN ISSN jurisdiction keyword medium note original-publisher original-publisher-place "
    "original-title part-title PMCID PMID publisher publisher-place references reviewed-genre "
    "reviewed-title scale section source status title title-short URL version volume-title "
    "volume-title-short year-suffix"
).split()
CSL_STRING_OR_NUMBER_FIELDS = (
    "chapter-number citation-number collection-number edition first-reference-note-number issue "
    "locator number number-of-pages number-of-volumes page page-first part printing supplement volume"
).split()
