"""The CSL-JSON vocabulary references are checked against: item types and field names, as the CSL-JSON
input schema (citation-style-language/schema) defines them. Plain values, importable without the models.
"""

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
