"""Editorial standards (issue 13): structured authors and reviewers, review dates, affiliate and tracking links.

The rules' own cases are data fixtures (tests/fixtures/rules/HC73*-HC75*.yaml); these tests pin what the
fixtures cannot: the issue's reports, the options' validation, and properties of the date and URL helpers.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hipcheck.config import Config, read_config
from hipcheck.engine import check_paths
from hipcheck.errors import ConfigError
from hipcheck.rules.advertising import affiliate, without_tracking
from hipcheck.rules.currency import add_months, review_date

from helpers import REPO, write_tree

TODAY = dt.date(2026, 11, 21)

STRUCTURED = """\
---
title: Are the hips and flat feet connected?
summary: Weak hip muscles can let the foot roll in.
authors:
  - {name: Jane Doe, credentials: MD}
reviewed_by:
  - {name: John Roe, credentials: PT, role: medical reviewer, conflicts: none}
published: 2026-11-20
last_reviewed: 2026-11-20
---

Body.
"""


def _codes(root: Path, text: str, today: dt.date = TODAY, select: list[str] | None = None) -> list[str]:
    write_tree(root, {"articles/hips-and-flat-feet.md": text})
    result = check_paths([str(root)], cwd=root, today=today, select=select, cache=False)
    return [f"{d.code} {d.message}" for d in result.diagnostics]


def test_structured_author_and_reviewer_are_valid_and_count(tmp_path: Path) -> None:
    """Issue 13: `{name, credentials}` gave a schema error and a false "no author" (reviewer, here)."""
    assert _codes(tmp_path, STRUCTURED, select=["HC1", "HC301", "HC302", "HC74"]) == []


def test_a_nameless_reviewer_mapping_is_no_reviewer(tmp_path: Path) -> None:
    reviewer = "{name: John Roe, credentials: PT, role: medical reviewer, conflicts: none}"
    text = STRUCTURED.replace(reviewer, "{name: ''}")
    assert _codes(tmp_path, text, select=["HC302"]) == [
        "HC302 article has no reviewer: add 'reviewed_by' to the front matter"
    ]


def test_a_bare_year_review_date_as_the_issue_reports_it(tmp_path: Path) -> None:
    """Issue 13: `last_reviewed: 2020` passed when checked as of 2035. Now its form is reported (HC003), the
    review is overdue (HC730), and HC302 no longer says the article has no review date."""
    text = STRUCTURED.replace("last_reviewed: 2026-11-20", "last_reviewed: 2020")
    found = _codes(tmp_path, text, today=dt.date(2035, 1, 1), select=["HC003", "HC101", "HC302", "HC303", "HC73"])
    assert [f.split(" ", 1)[0] for f in found] == ["HC003", "HC730"]
    assert "read as 2020-12-31" in found[1]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2020-02-29", (dt.date(2020, 2, 29), True)),
        (2020, (dt.date(2020, 12, 31), False)),
        ("2020", (dt.date(2020, 12, 31), False)),
        ("2021-02", (dt.date(2021, 2, 28), False)),
        ("2021-13", None),
        ("2021-02-30", None),
        ("soon", None),
        (True, None),
        (0, None),
        (10**9, None),
        (None, None),
    ],
)
def test_review_date_reads_full_and_partial_dates(value: object, expected: object) -> None:
    assert review_date(value) == expected


@settings(derandomize="HIPCHECK_PROPERTY_EXAMPLES" not in os.environ, database=None)
@given(st.dates(), st.integers(min_value=0, max_value=1200))
def test_add_months_keeps_the_day_where_the_month_has_it(day: dt.date, months: int) -> None:
    later = add_months(day, months)
    if later is None:
        assert day.year * 12 + day.month - 1 + months >= (dt.MAXYEAR + 1) * 12
        return
    assert (later.year * 12 + later.month) - (day.year * 12 + day.month) == months
    assert later.day == day.day or later.day < day.day  # the 31st becomes the month's last day


URL_PART = st.text(alphabet="abcXYZ019-._~%", min_size=0, max_size=6)
QUERY_ITEM = st.one_of(
    st.builds(lambda k, v: f"utm_{k}={v}", st.sampled_from(["source", "medium", "campaign", "content"]), URL_PART),
    st.builds(lambda k, v: f"{k}={v}", st.sampled_from(["page", "q", "utmost", "id", "tag"]), URL_PART),
)


@settings(derandomize="HIPCHECK_PROPERTY_EXAMPLES" not in os.environ, database=None)
@given(
    st.lists(QUERY_ITEM, max_size=6),
    st.sampled_from(["&", "&amp;", ";"]),
    st.sampled_from(["", "#arches"]),
)
def test_removing_tracking_keeps_everything_else(items: list[str], separator: str, fragment: str) -> None:
    url = "https://example.org/hips" + ("?" + separator.join(items) if items else "") + fragment
    clean = without_tracking(url)
    kept = [item for item in items if not item.startswith("utm_")]
    assert "utm_" not in clean
    assert without_tracking(clean) == clean  # idempotent
    assert clean.startswith("https://example.org/hips") and clean.endswith(fragment)
    for item in kept:
        assert item in clean
    if not kept:
        assert "?" not in clean


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://www.amazon.com/dp/B000000000?tag=site-20", True),
        ("https://amazon.co.uk/dp/B000000000?ref=x&tag=site-21", True),
        ("http://www.amazon.com.au/dp/B000000000?tag=site-22", True),
        ("https://www.amazon.com/dp/B000000000", False),
        ("https://www.amazon.com/dp/B000000000?tag=", False),
        ("https://amazon.example.com/?tag=a", False),
        ("https://example.org/?tag=amazon", False),
        ("https://notamazon.com/?tag=a", False),
        ("https://[::1/?tag=a", False),
    ],
)
def test_amazon_associates_pattern(url: str, expected: bool) -> None:
    assert affiliate(url, Config().affiliate_links) is expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('affiliate-links = ["amazon.*?tag", "(a+)+$"]', "is not 'host' or 'host?parameter'"),
        ('affiliate-links = [" "]', "empty or blank entry"),
        ('product-names = [""]', "empty or blank entry"),
        ('sponsored-label = "  "', "must not be empty"),
        ("review-interval = -1", "greater than or equal to 0"),
        ('require-disclaimer = "yes"', "valid boolean"),
    ],
)
def test_editorial_options_are_validated(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "hipcheck.toml"
    path.write_text(text + "\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"hipcheck\.toml:1") as error:
        read_config(path)
    assert message in str(error.value)


def test_editorial_options_load(tmp_path: Path) -> None:
    path = tmp_path / "hipcheck.toml"
    path.write_text(
        'review-interval = 12\nrequire-conflicts = true\naffiliate-links = ["shop.example.org?aff"]\n'
        'product-names = ["Rock Mat"]\nsponsored-label = "Paid partnership"\n',
        encoding="utf-8",
    )
    config = read_config(path)
    assert (config.review_interval, config.require_conflicts, config.sponsored_label) == (12, True, "Paid partnership")


def test_the_readme_front_matter_example_passes_every_requirement(tmp_path: Path) -> None:
    readme = (REPO / "README.md").read_text("utf-8")
    example = re.search(r"Front matter for the authorship and transparency rules:\n\n```yaml\n(.*?)```", readme, re.S)
    assert example is not None
    write_tree(
        tmp_path,
        {
            "hipcheck.toml": "require-reviewer-credentials = true\nrequire-disclaimer = true\n"
            "require-contact = true\nrequire-conflicts = true\n",
            "articles/example.md": f"---\ntitle: T\nsummary: S\n{example.group(1)}---\n\nBody.\n",
        },
    )
    result = check_paths([str(tmp_path)], cwd=tmp_path, today=TODAY, cache=False)
    assert [f"{d.code} {d.message}" for d in result.diagnostics] == []


FRAGMENTS = st.sampled_from(
    [
        "https://example.org/a?utm_source=x",
        "https://example.org/a?page=2&utm_medium=y#f",
        "https://www.amazon.com/dp/B000000000?tag=s-20&utm_campaign=z",
        '<a href="', '<a rel="sponsored" href="', '">', "</a>", "&amp;", "&", "?", "#", "utm_term=1",
        "[text](", ")", "){rel=nofollow}", "`", "```\n", "<!--", "-->", "\n", "\r\n", " ", "é", ".", "mailto:",
        "## Disclaimer\n", "Sponsored",
    ]
)  # fmt: skip


def _is_subsequence(short: str, long: str) -> bool:
    letters = iter(long)
    return all(char in letters for char in short)


@settings(derandomize="HIPCHECK_PROPERTY_EXAMPLES" not in os.environ, database=None, deadline=None, max_examples=60)
@given(st.lists(FRAGMENTS, max_size=30))
def test_link_findings_stay_in_the_file_and_the_tracking_fix_only_deletes(parts: list[str]) -> None:
    from hipcheck.fix_edits import apply_fixes

    text = "---\ntitle: T\nsponsored: true\n---\n" + "".join(parts)
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "articles").mkdir()
        path = root / "articles" / "a.md"
        path.write_bytes(text.encode("utf-8"))
        result = check_paths([str(root)], cwd=root, today=TODAY, select=["HC74", "HC75"], cache=False)
        assert not result.internal_errors
        for d in result.diagnostics:
            assert 0 <= d.span.offset <= d.span.end_offset <= len(text), d
        fixes = [d.fix for d in result.diagnostics if d.fix is not None]
        fixed, _ = apply_fixes(text, fixes)
        assert _is_subsequence(fixed, text)
        path.write_bytes(fixed.encode("utf-8"))
        again = check_paths([str(root)], cwd=root, today=TODAY, select=["HC752"], cache=False)
        assert [d for d in again.diagnostics if d.fix is not None] == []
