"""Rules about a file's format (HC001-HC008): the loader (`hipcheck.loader`) finds these problems while
reading a file and reports them through these rule objects; they have no check function here."""

from hipcheck.diagnostics import Severity
from hipcheck.rules.registry import rule

SYNTAX = rule(
    "HC001",
    "yaml-syntax",
    Severity.ERROR,
    """
    The file is not valid YAML.

    ## What it does
    Reports the first YAML syntax error in a record or in an article's front matter, at the line and
    column where the parser stopped, with what it expected (an error at the end of the file points at
    its last character); in a BibTeX bibliography beside the articles, each block that is not valid
    BibTeX. Also reports a second document (`---`) in a record file, recursive aliases,
    control characters YAML does not allow, and structures beyond hipcheck's limits: nested more than
    100 levels (libyaml stops at 1,000), or expanding to more than 200,000 values through aliases (an
    "alias bomb").

    ## Why it matters
    Nothing else in the file can be checked until it parses, and a publishing pipeline would fail
    on it later with a less helpful message. The limits keep a hostile file from exhausting memory or
    time in CI.

    ## Example
    ```yaml
    steps: [Lie on your back,
    dosage: {sets: 2}
    ```

    ## Fix
    Close the bracket or quote, or fix the indentation the message points at.
    """,
)

DUPLICATE_KEY = rule(
    "HC002",
    "duplicate-key",
    Severity.ERROR,
    """
    The same key appears twice in one mapping.

    ## What it does
    Reports both occurrences of a repeated key. YAML loaders keep the last value silently.

    ## Why it matters
    The first value is lost without a word: an author edits `safety` at the top while the copy
    further down is what gets published.

    ## Example
    ```yaml
    name: Banded walks
    name: Lateral band walks
    ```

    ## Fix
    Delete one of the two entries, keeping the value you mean.
    """,
)

UNSAFE_TAG = rule(
    "HC004",
    "unsafe-tag",
    Severity.ERROR,
    """
    A value carries a YAML tag outside the safe core set, or a core tag that does not fit it.

    ## What it does
    Reports tags such as `!!python/object` or `!custom`. Only the core tags (`!!str`, `!!int`,
    `!!float`, `!!bool`, `!!null`, `!!timestamp`, `!!seq`, `!!map`) are allowed, each on its kind
    of value: `!!str [a, b]` or `!!seq text` is reported too, and so is a core tag on a value it
    cannot read (`!!bool maybe`, `!!int abc`, `!!null x`, `!!float` with no value). hipcheck never
    constructs tagged objects; it reads the value as plain data (text) and keeps checking.

    ## Why it matters
    Other loaders in a publishing pipeline may refuse the file, or worse, execute what the tag
    names.

    ## Example
    ```yaml
    summary: !!python/object:os.system "rm -rf /"
    level: !!bool maybe
    ```

    ## Fix
    Remove the tag and write the value as plain YAML.
    """,
)

FRONT_MATTER = rule(
    "HC005",
    "front-matter",
    Severity.ERROR,
    """
    An article's YAML front matter is missing or never closes.

    ## What it does
    Reports an article that does not start with a `---` line, or whose front matter has no closing
    `---` (or `...`) line.

    ## Why it matters
    Without a closed front matter, the metadata is read as body text (or not at all), so the
    article silently loses its title, authors, dates and disclosure.

    ## Example
    ```markdown
    ---
    title: Are the hips and flat feet connected?

    You've probably heard about muscle imbalances before.
    ```

    ## Fix
    Add the closing `---` line after the last front-matter field.
    """,
)

UNREADABLE = rule(
    "HC006",
    "unreadable-file",
    Severity.ERROR,
    """
    The file cannot be read as UTF-8 text.

    ## What it does
    Reports a content file that cannot be opened, is not a regular file, is larger than 4 MiB,
    contains binary data (a NUL byte), or is not valid UTF-8, with the position of the first bad
    byte. Also reports, where it stands, a byte order mark after the start of the file and a
    carriage return without a line feed (old Mac line breaks), which YAML counts as a line break
    and editors, git and hipcheck's line numbers do not. The rest of the file is not checked. A
    symbolic link whose target lies outside the content root is reported and never read.

    ## Why it matters
    A binary or mis-encoded file in a content folder is either a mistake (an image saved in the
    wrong place) or text that will show up garbled on the site. Hidden characters and stray line
    breaks make line numbers disagree between tools, and a huge file or a device behind a link
    would stall a CI run. A link out of the root (`exercises/x.yaml -> /etc/passwd`, or a CI
    runner's secrets) would copy another file's contents into findings in a public CI log.

    ## Example
    A file `exercises/deadlifts.yaml` saved as Latin-1 with `é` in a step.

    ## Fix
    Re-save the file as UTF-8 with LF (or CRLF) line breaks, delete the character the message
    points at, or move a non-text or huge file out of the content folders.
    """,
)

EMPTY = rule(
    "HC007",
    "empty-file",
    Severity.ERROR,
    """
    A content file, or an article's front matter, is empty.

    ## What it does
    Reports a record file with no content (or only whitespace and comments), and an article
    whose front matter holds no fields.

    ## Why it matters
    An empty record is usually an accident (a failed save or a stub committed too early) and would
    publish as a blank page.

    ## Example
    An `exercises/hip-circles.yaml` of zero bytes.

    ## Fix
    Fill in the record's fields, or delete the file.
    """,
)

NOT_A_MAPPING = rule(
    "HC008",
    "not-a-mapping",
    Severity.ERROR,
    """
    A record's top level is not a mapping of fields.

    ## What it does
    Reports a record file (or front matter) whose top level is a list or a single value instead
    of `key: value` fields.

    ## Why it matters
    Every record kind is a set of named fields; anything else cannot be validated or published.

    ## Example
    ```yaml
    - id: banded-walks
    - name: Banded walks
    ```

    ## Fix
    Remove the leading `- ` so the fields form one mapping.
    """,
)
