"""The muscle vocabulary: every name, alias and abbreviation of the muscle and group records.

One module per job:

- `entries`: what a vocabulary is made of (Entry, Term) and what it finds (Mention, Misspelling);
- `names`: how names are compared (normal form, grammatical number);
- `never_merge`: words that name different muscles, which fuzzy matching never crosses;
- `options`: `[tool.hipcheck.muscles]`;
- `scanner`: all names in one pattern, run once over a text;
- `misspellings`: misspelt names in prose;
- `model`: the Vocabulary (ids, structure, prose) built from entries;
- `builtin`: the whole-body vocabulary shipped in `hipcheck/data/muscles.json`;
- `record_refs`: where records name muscles, and the vocabulary of a content index.
"""

from hipcheck.muscle_vocabulary.builtin import (
    REGIONS,
    base_entries,
    builtin_digest,
    builtin_entries,
    builtin_release,
    builtin_vocabulary,
    resolve_muscle_name,
)
from hipcheck.muscle_vocabulary.entries import Entry, Mention, Misspelling, Role, Term
from hipcheck.muscle_vocabulary.model import Vocabulary, overlay
from hipcheck.muscle_vocabulary.names import joint_of, normalize, number_variant
from hipcheck.muscle_vocabulary.never_merge import (
    NEVER_MERGE,
    NEVER_MERGE_FAMILIES,
    OTHER_MUSCLE_WORDS,
    crosses_never_merge,
    spelling_close,
    words,
)
from hipcheck.muscle_vocabulary.options import (
    DEFAULT_ALLOWED_INFORMAL,
    DEFAULT_MISSPELLING_SCORE,
    MuscleOptions,
    options_from,
)
from hipcheck.muscle_vocabulary.record_refs import (
    configure_vocabulary,
    muscle_refs,
    share_vocabulary,
    value_edit,
    vocabulary_for,
)
from hipcheck.muscle_vocabulary.scanner import MAX_TERM_CHARS, Scanner, folded_for_cues

__all__ = [
    "DEFAULT_ALLOWED_INFORMAL",
    "DEFAULT_MISSPELLING_SCORE",
    "MAX_TERM_CHARS",
    "NEVER_MERGE",
    "NEVER_MERGE_FAMILIES",
    "OTHER_MUSCLE_WORDS",
    "REGIONS",
    "Entry",
    "Mention",
    "Misspelling",
    "MuscleOptions",
    "Role",
    "Scanner",
    "Term",
    "Vocabulary",
    "base_entries",
    "builtin_digest",
    "builtin_entries",
    "builtin_release",
    "builtin_vocabulary",
    "configure_vocabulary",
    "crosses_never_merge",
    "folded_for_cues",
    "joint_of",
    "muscle_refs",
    "normalize",
    "number_variant",
    "options_from",
    "overlay",
    "resolve_muscle_name",
    "share_vocabulary",
    "spelling_close",
    "value_edit",
    "vocabulary_for",
    "words",
]
