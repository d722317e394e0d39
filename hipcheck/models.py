"""Pydantic models of the record kinds: the single source of truth for `schemas/`.

Models describe *shape* only. Publishing policy (an article needs a reviewer, an exercise needs a
dosage) lives in rules, so drafts still load and every gap gets its own precise message. Models
carry no validators that JSON Schema cannot express, so hipcheck and `jsonschema` always agree.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal, get_args

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, create_model

from hipcheck.csl import CSL_DATE_FIELDS, CSL_NAME_FIELDS, CSL_STRING_FIELDS, CSL_STRING_OR_NUMBER_FIELDS, CSL_TYPES
from hipcheck.kinds import REFERENCE_ID_PATTERN, SLUG_PATTERN


def _calendar_date(value: str) -> str:
    dt.date.fromisoformat(value)  # raises ValueError on 2024-02-30, as format "date" does
    return value


IsoDate = Annotated[
    str,
    Field(pattern=r"^\d{4}-\d{2}-\d{2}$", json_schema_extra={"format": "date"}),
    AfterValidator(_calendar_date),
]


def _integral(value: Any) -> Any:
    # JSON Schema counts 2.0 as an integer; so must we, or the two verdicts would differ.
    return int(value) if isinstance(value, float) and value.is_integer() else value


Integer = Annotated[int, BeforeValidator(_integral)]
Count = Annotated[int, Field(ge=1), BeforeValidator(_integral)]
Slug = Annotated[str, Field(pattern=SLUG_PATTERN)]
ReferenceId = Annotated[str, Field(pattern=REFERENCE_ID_PATTERN)]
Text = Annotated[str, Field(description="Free text.")]


class Strict(BaseModel):
    """Base: strict types (no "5" -> 5 coercion) and unknown keys forbidden, as in the schemas."""

    # python-re: patterns behave exactly as in jsonschema (Python's `re`), `$` included.
    model_config = ConfigDict(strict=True, extra="forbid", populate_by_name=False, regex_engine="python-re")


# --- exercises -------------------------------------------------------------------------------


Level = Literal["beginner", "intermediate", "advanced"]
Equipment = Literal[
    "none",
    "band",
    "barbell",
    "dumbbell",
    "kettlebell",
    "cable",
    "machine",
    "ez-bar",
    "medicine-ball",
    "exercise-ball",
    "foam-roller",
    "bench",
    "box",
    "mat",
    "wall",
    "chair",
    "other",
]


EQUIPMENT: tuple[str, ...] = get_args(Equipment)

Supervision = Literal["supervised", "unsupervised", "either"]
Delivery = Literal["individual", "group", "either"]
Setting = Literal["home", "gym", "clinic", "hospital", "outdoors", "pool", "workplace", "community", "other"]
Weekday = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]

JointAction = Annotated[
    str,
    Field(
        pattern=r"^[a-z]+(?:-[a-z]+)+$",
        description="A joint and its movement, kebab-case: hip-flexion, hip-abduction, knee-extension.",
    ),
]


class RepRange(Strict):
    min: Count
    max: Count


class Range(Strict):
    min: float = Field(ge=0)
    max: float = Field(ge=0)


class Load(Strict):
    value: float = Field(gt=0)
    unit: Literal["kg", "lb"]


class Intensity(Strict):
    """How hard (FITT's I; CERT item 13). One mapping; give the forms that apply, usually one."""

    rpe: Annotated[float, Field(ge=0, le=10)] | Range | None = Field(
        None, description="Rating of perceived exertion on the 0-10 (CR10) scale, or a range such as {min: 6, max: 7}."
    )
    percent_1rm: Annotated[float, Field(gt=0, le=100)] | Range | None = Field(
        None, description="Percent of the one-repetition maximum, or a range."
    )
    load: Load | None = Field(None, description="An external load: {value: 8, unit: kg}.")
    heart_rate_zone: Annotated[int, Field(ge=1, le=5), BeforeValidator(_integral)] | None = Field(
        None, description="Heart-rate zone, 1-5."
    )
    described: str | None = Field(
        None, description="A described level: 'a medium-heavy band', 'a weight you could lift 2-3 more times'."
    )


Frequency = Annotated[
    Count | RepRange, Field(description="Sessions per week: a count, or a range such as {min: 2, max: 3}.")
]


class Dosage(Strict):
    """How much (CERT item 13: repetitions, sets, sessions, session and programme duration)."""

    sets: Count | None = None
    reps: Count | RepRange | None = Field(None, description="A count, or a range such as {min: 8, max: 10}.")
    hold_seconds: float | None = Field(None, gt=0)
    duration_seconds: float | None = Field(None, gt=0)
    rest_seconds: float | None = Field(None, ge=0, description="Rest between sets, in seconds.")
    per_side: bool | None = Field(None, description="True when the reps, hold or duration apply to each side.")
    frequency: Frequency | None = None
    intensity: Intensity | None = None
    tempo: str | None = Field(
        None, description="Speed of each repetition: '3-1-1-0' (lower, pause, lift, pause; seconds) or described."
    )
    duration_weeks: Count | None = Field(None, description="How many weeks the exercise is prescribed for.")


class MuscleRoles(Strict):
    primary: list[Slug] = Field(default_factory=list, description="Muscle or group ids that drive the movement.")
    secondary: list[Slug] = Field(default_factory=list, description="Muscle or group ids that assist.")


class Exercise(Strict):
    """An exercise record: `exercises/<id>.yaml`."""

    model_config = ConfigDict(title="hipcheck exercise")

    id: Slug
    name: str
    summary: str | None = None
    level: Level | None = None
    equipment: list[Equipment] = Field(default_factory=list)
    unilateral: bool | None = Field(None, description="True when the exercise works one side at a time.")
    actions: list[JointAction] = Field(default_factory=list, description="Joint actions the exercise trains.")
    starting_position: str | None = None
    steps: list[str] = Field(default_factory=list)
    muscles: MuscleRoles | None = None
    dosage: Dosage | None = None
    safety: list[str] = Field(default_factory=list)
    references: list[ReferenceId] = Field(default_factory=list)
    # Prescription beyond the dose: each field answers a CERT item (README, "Exercise prescription").
    equipment_details: str | None = Field(
        None, description="The equipment in detail: band resistance, bench height, load increments (CERT item 1)."
    )
    delivery: Delivery | None = Field(None, description="Performed individually or in a group (CERT item 3).")
    supervision: Supervision | None = Field(None, description="Supervised or unsupervised (CERT item 4).")
    adherence: str | None = Field(None, description="How adherence is recorded, e.g. an exercise diary (CERT item 5).")
    progression: list[Slug] = Field(
        default_factory=list, description="Ids of harder exercises to move on to (CERT item 7b)."
    )
    regression: list[Slug] = Field(default_factory=list, description="Ids of easier exercises to fall back to.")
    progression_criteria: str | None = Field(None, description="When to progress: the decision rule (CERT item 7a).")
    home_program: str | None = Field(None, description="The home-programme part, if any (CERT item 9).")
    setting: list[Setting] = Field(default_factory=list, description="Where it is done (CERT item 12).")
    contraindications: list[str] = Field(
        default_factory=list, description="Who should not do it, or only with advice (no CERT item: safety)."
    )
    source: Source | None = Field(None, description="An imported record's origin, licence and authors.")


class Source(Strict):
    """Where an imported record came from, with the source's licence and authors (hipcheck import exercises)."""

    dataset: str = Field(description="free-exercise-db, wger, ...")
    id: str | None = Field(None, description="The entry's id in the dataset.")
    license: str | None = Field(None, description="The entry's licence, e.g. CC-BY-SA 4.0; Unlicense.")
    license_url: str | None = None
    authors: list[str] = Field(default_factory=list, description="The entry's authors, as the dataset names them.")


# --- programmes ------------------------------------------------------------------------------


class ProgramExercise(Dosage):
    """One exercise of a session: the exercise's id and, optionally, this programme's dose for it."""

    exercise: Slug = Field(description="The id of an exercise record.")
    notes: str | None = None


class Session(Strict):
    day: Annotated[int, Field(ge=1, le=7), BeforeValidator(_integral)] | Weekday = Field(
        description="Day of the week: 1-7 or monday..sunday."
    )
    name: str | None = None
    exercises: list[ProgramExercise] = Field(default_factory=list)


class Phase(Strict):
    name: str
    weeks: Count | RepRange = Field(description="The weeks of the programme it spans: 3, or {min: 1, max: 4}.")
    goal: str | None = None


class Program(Strict):
    """A programme: `programs/<id>.yaml`. Fields follow schema.org ExercisePlan where they overlap (README)."""

    model_config = ConfigDict(title="hipcheck programme")

    id: Slug
    name: str
    summary: str | None = Field(None, description="schema.org: description.")
    level: Level | None = None
    exercise_type: list[str] = Field(default_factory=list, description="schema.org: exerciseType.")
    audience: str | None = Field(None, description="schema.org: audience.")
    weeks: Count | None = Field(None, description="Programme length in weeks (schema.org: activityDuration).")
    phases: list[Phase] = Field(default_factory=list)
    progression: str | None = Field(
        None, description="The progression rules (CERT item 7a; schema.org: additionalVariable)."
    )
    sessions: list[Session] = Field(
        default_factory=list, description="The weekly schedule (schema.org: activityFrequency, by count)."
    )
    supervision: Supervision | None = None
    setting: list[Setting] = Field(default_factory=list)
    adherence: str | None = None
    safety: list[str] = Field(default_factory=list)
    references: list[ReferenceId] = Field(default_factory=list)


# --- muscles ---------------------------------------------------------------------------------


MuscleKind = Literal["muscle", "group"]
Grouping = Literal["structural", "functional"]


class OntologyIds(Strict):
    uberon: str | None = Field(None, pattern=r"^UBERON:\d{7}$")
    fma: str | None = Field(None, pattern=r"^FMA:\d+$")
    ta98: str | None = Field(None, pattern=r"^A\d{2}\.\d\.\d{2}\.\d{3}$")


class Muscle(Strict):
    """A muscle or muscle group: `muscles/<id>.yaml`."""

    model_config = ConfigDict(title="hipcheck muscle")

    id: Slug
    kind: MuscleKind
    name: str = Field(description="The canonical name, as prose should spell it.")
    grouping: Grouping | None = Field(None, description="For groups: anatomical (structural) or by action.")
    synonyms: list[str] = Field(
        default_factory=list,
        description=(
            "Accepted names other than the canonical one: standard anatomical short forms and the exact or "
            "related synonyms of the muscle's Uberon term (quadriceps, hamstring muscles). Prose may use them."
        ),
    )
    aliases: list[str] = Field(
        default_factory=list,
        description=(
            "Informal names and variant spellings (quads, glute medius): prose that uses one is reported, "
            "with the canonical name as a safe fix."
        ),
    )
    abbreviations: list[str] = Field(default_factory=list)
    members: list[Slug] = Field(default_factory=list)
    part_of: list[Slug] = Field(default_factory=list)
    crosses: list[str] = Field(default_factory=list, description="Joints the muscle crosses, e.g. hip, knee.")
    ids: OntologyIds | None = None
    actions: list[JointAction] = Field(default_factory=list)
    notes: str | None = None


def _python_name(csl_name: str) -> str:
    return csl_name.replace("-", "_").lower()


# --- articles --------------------------------------------------------------------------------


class Image(Strict):
    src: str
    alt: str | None = None
    credit: str | None = None
    caption: str | None = None


class AuthorEntry(BaseModel):
    """An author or reviewer as a mapping: a name, and what readers need to judge them (JAMA benchmarks,
    HONcode): credentials, affiliation, ORCID iD, role, conflicts of interest. JOSS, Manubot and Quarto
    write authors so too."""

    # Open: each renderer adds its own keys (equal-contrib, corresponding, github, ...). Affiliation stays
    # open as well: JOSS writes an index (1, "1, 2"), Quarto a list of mappings.
    model_config = ConfigDict(strict=True, extra="allow", regex_engine="python-re")

    name: str | dict[str, Any] = Field(description="The person's name; JOSS and Quarto allow {given, family} parts.")
    credentials: str | list[str] | None = Field(
        None, description="Qualifications and registrations, e.g. 'MD' or ['PT', 'DPT']."
    )
    orcid: str | None = Field(None, description="ORCID iD, bare or as an https://orcid.org/ URL (checked).")
    role: str | None = Field(None, description="What the person did, e.g. 'medical reviewer'.")
    conflicts: str | None = Field(
        None, description="Conflicts of interest, in words; write 'none' when there are none."
    )


# Front-matter keys that document renderers read, accepted on an article with any value: hipcheck does not
# check them (each renderer validates its own), so a manuscript written for one passes the schema unchanged.
# Names from each tool's documentation: Pandoc's manual (Metadata variables, Citations: bibliography, csl,
# nocite, link-citations, references, ...), Quarto's front-matter and citation reference (author, affiliations,
# abstract, keywords, license, copyright, citation, format, execute, ...), R Markdown's YAML header (output,
# params, vignette, always_allow_html, editor_options, ...), Manubot's metadata.yaml and JOSS's paper.md
# (authors and affiliations as mappings, date, bibliography). `authors` and `tags` are hipcheck fields.
RENDERER_KEYS: tuple[str, ...] = (
    # Pandoc: document metadata, citations (citeproc), LaTeX/HTML template variables
    "subtitle", "author", "date", "abstract", "abstract-title", "keywords", "subject", "description",
    "category", "lang", "dir", "institute", "thanks", "bibliography", "csl", "citation-abbreviations",
    "link-citations", "link-bibliography", "nocite", "references", "suppress-bibliography",
    "notes-after-punctuation", "reference-section-title", "cite-method", "biblio-style", "biblio-title",
    "biblatexoptions", "natbiboptions", "header-includes", "include-before", "include-after", "toc",
    "toc-title", "toc-depth", "lof", "lot", "numbersections", "number-sections", "secnumdepth",
    "documentclass", "classoption", "geometry", "papersize", "fontsize", "fontfamily", "mainfont",
    "sansfont", "monofont", "mathfont", "linestretch", "linkcolor", "urlcolor", "citecolor", "filecolor",
    "colorlinks", "pagestyle", "indent", "css", "highlight-style", "pagetitle", "title-prefix",
    "title-meta", "author-meta", "date-meta",
    # Quarto
    "format", "execute", "engine", "jupyter", "knitr", "editor", "filters", "crossref", "citation",
    "license", "copyright", "funding", "affiliations", "date-format", "date-modified", "draft",
    "plain-language-summary", "key-points", "categories", "image", "google-scholar", "appendix-style",
    "citation-location", "reference-location", "title-block-banner", "lightbox", "code-fold", "code-tools",
    "toc-location", "notebook-links", "freeze",
    # R Markdown, knitr, bookdown
    "output", "params", "runtime", "always_allow_html", "vignette", "editor_options", "knit", "site",
    # Manubot (metadata.yaml) and JOSS (paper.md)
    "manubot", "thumbnail", "aas-doi", "aas-journal",
)  # fmt: skip


def _renderer_fields() -> dict[str, Any]:
    return {
        _python_name(key): (Any, Field(None, alias=key, description="Read by a document renderer; not checked."))
        for key in RENDERER_KEYS
    }


class _ArticleFields(Strict):
    """hipcheck's own front-matter fields: these are checked."""

    title: str | None = None
    slug: Slug | None = None
    summary: str | None = None
    authors: list[str | AuthorEntry] = Field(
        default_factory=list, description="Names, or mappings with a `name` (credentials, orcid, role, ...)."
    )
    reviewed_by: list[str | AuthorEntry] = Field(
        default_factory=list, description="Names, or mappings with a `name` (credentials, orcid, role, ...)."
    )
    published: IsoDate | None = None
    updated: IsoDate | None = None
    last_reviewed: IsoDate | None = None
    disclosure: str | None = None
    disclaimer: str | None = Field(None, description="What the article is not (e.g. not a substitute for care).")
    contact: str | None = Field(None, description="How readers reach the publisher or give feedback.")
    sponsored: bool | None = Field(None, description="True when a sponsor paid for the article.")
    exercises: list[Slug] = Field(default_factory=list)
    images: list[Image] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)
    audience: Literal["patient", "professional"] | None = Field(
        None, description="Who the article is written for: sets its reading-grade target (prose.reading-grade)."
    )


ARTICLE_FIELDS: frozenset[str] = frozenset(_ArticleFields.model_fields)

ArticleFrontMatter = create_model(
    "ArticleFrontMatter",
    __base__=_ArticleFields,
    __doc__="The YAML front matter of an article: `articles/<slug>.md`. Renderer keys are accepted unchecked.",
    **_renderer_fields(),
)
ArticleFrontMatter.model_config["title"] = "hipcheck article front matter"
ArticleFrontMatter.model_rebuild(force=True)


# --- references (CSL items) -------------------------------------------------------------------
# Field names and types follow the CSL-JSON input schema (citation-style-language/schema), so a
# record hipcheck accepts is a valid CSL item. `id` is narrowed to a string: it names the file.

CslType = Literal[tuple(CSL_TYPES)]  # type: ignore[valid-type]

StrOrNum = str | int | float
Flag = str | int | float | bool


class CslName(Strict):
    family: str | None = None
    given: str | None = None
    dropping_particle: str | None = Field(None, alias="dropping-particle")
    non_dropping_particle: str | None = Field(None, alias="non-dropping-particle")
    suffix: str | None = None
    comma_suffix: Flag | None = Field(None, alias="comma-suffix")
    static_ordering: Flag | None = Field(None, alias="static-ordering")
    literal: str | None = Field(None, description="A group or institution as author, e.g. 'StatPearls'.")
    parse_names: Flag | None = Field(None, alias="parse-names")


DateParts = Annotated[
    list[Annotated[list[StrOrNum], Field(min_length=1, max_length=3)]],
    Field(min_length=1, max_length=2),
]


class CslDate(Strict):
    date_parts: DateParts | None = Field(None, alias="date-parts", description="[[year, month, day]]")
    season: StrOrNum | None = None
    circa: Flag | None = None
    literal: str | None = None
    raw: str | None = None


def _csl_fields() -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for name in CSL_NAME_FIELDS:
        fields[_python_name(name)] = (list[CslName] | None, Field(None, alias=name))
    for name in CSL_DATE_FIELDS:
        fields[_python_name(name)] = (CslDate | None, Field(None, alias=name))
    for name in CSL_STRING_FIELDS:
        fields[_python_name(name)] = (str | None, Field(None, alias=name))
    for name in CSL_STRING_OR_NUMBER_FIELDS:
        fields[_python_name(name)] = (StrOrNum | None, Field(None, alias=name))
    fields["categories"] = (list[str] | None, Field(None, alias="categories"))
    fields["custom"] = (dict[str, Any] | None, Field(None, alias="custom"))
    return fields


Reference = create_model(
    "Reference",
    __base__=Strict,
    __doc__="A CSL item: `references/<id>.yaml`.",
    id=(
        str | Integer,
        Field(..., description="The citation key (CSL allows a number); a one-item file is named by it."),
    ),
    type=(CslType, ...),  # type: ignore[arg-type]  # a Literal built from a tuple: a type only at run time
    **_csl_fields(),
)
Reference.model_config["title"] = "hipcheck reference (CSL item)"
Reference.model_rebuild(force=True)

MODELS: dict[str, type[BaseModel]] = {
    "exercise": Exercise,
    "program": Program,
    "muscle": Muscle,
    "reference": Reference,
    "article": ArticleFrontMatter,
}
