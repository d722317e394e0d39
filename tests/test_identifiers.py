"""hipcheck.identifiers: syntax, check digits, normalization and wrong-field detection of CSL identifiers.

Every identifier here is a standard published example (ISBN 0-306-40615-2 and 978-0-306-40615-7, ISSN
0378-5955, 0317-8471 and 1050-124X, ORCID 0000-0002-1825-0097 and 0000-0002-1694-233X, DOI 10.1000/182,
...) or one of them deliberately broken.
"""

from __future__ import annotations

import itertools

import pytest

from hipcheck.identifiers import (
    CHECKERS,
    IdCheck,
    check_doi,
    check_field,
    check_isbn,
    check_issn,
    check_orcid,
    check_pmcid,
    check_pmid,
    classify,
    doi_key,
    extract_orcids,
    isbn10_check_digit,
    isbn13_check_digit,
    isbn_key,
    issn_check_digit,
    orcid_check_digit,
)

ISBN10 = ["0-306-40615-2", "0-8044-2957-X", "0306406152", "080442957X"]
ISBN13 = ["978-0-306-40615-7", "9780306406157", "979-10-90636-07-1"]
ISSNS = ["0378-5955", "0317-8471", "1050-124X"]
ORCIDS = ["0000-0002-1825-0097", "0000-0002-1694-233X"]


def assert_consistent(result: IdCheck) -> None:
    """The invariants every result keeps, whatever the input."""
    assert result.ok == (result.problem is None) == (result.severity is None)
    if result.ok:
        assert result.fix is None and result.belongs_in is None
    if result.fix is not None:
        assert result.fix == result.normalized and not result.ok
    if result.belongs_in is not None:
        assert result.severity == "error"


def assert_ok(result: IdCheck, normalized: str) -> None:
    assert_consistent(result)
    assert result.ok, result.problem
    assert result.normalized == normalized


def assert_error(result: IdCheck, *fragments: str) -> None:
    assert_consistent(result)
    assert not result.ok
    assert result.severity == "error", result.problem
    for fragment in fragments:
        assert fragment in (result.problem or ""), result.problem


def assert_warning(result: IdCheck, *fragments: str) -> None:
    assert_consistent(result)
    assert not result.ok
    assert result.severity == "warning", result.problem
    for fragment in fragments:
        assert fragment in (result.problem or ""), result.problem


def mutations(value: str, alphabet: str = "0123456789") -> list[str]:
    """Every value with exactly one digit (or the X check character) replaced by another."""
    out = []
    for i, char in enumerate(value):
        if not (char.isdigit() or char == "X"):
            continue
        options = alphabet + ("X" if i == len(value) - 1 else "")
        out += [value[:i] + other + value[i + 1 :] for other in options if other != char]
    return out


def transpositions(value: str) -> list[str]:
    """Every value with two adjacent, different digits swapped (hyphens skipped over)."""
    positions = [i for i, char in enumerate(value) if char.isdigit() or char == "X"]
    out = []
    for a, b in itertools.pairwise(positions):
        if value[a] != value[b]:
            chars = list(value)
            chars[a], chars[b] = chars[b], chars[a]
            out.append("".join(chars))
    return out


# ------------------------------------------------------------------------------------------------ check digits


@pytest.mark.parametrize(
    ("function", "digits", "expected"),
    [
        (isbn10_check_digit, "030640615", "2"),
        (isbn10_check_digit, "080442957", "X"),
        (isbn13_check_digit, "978030640615", "7"),
        (isbn13_check_digit, "979109063607", "1"),
        (issn_check_digit, "0378595", "5"),
        (issn_check_digit, "0317847", "1"),
        (issn_check_digit, "1050124", "X"),
        (orcid_check_digit, "000000021825009", "7"),
        (orcid_check_digit, "000000021694233", "X"),
    ],
)
def test_check_digit_functions(function, digits, expected):
    assert function(digits) == expected


@pytest.mark.parametrize(
    ("function", "digits"),
    [
        (isbn10_check_digit, "03064061"),
        (isbn10_check_digit, "03064061X"),
        (isbn13_check_digit, "97803064061"),
        (issn_check_digit, "037859"),
        (orcid_check_digit, "00000002182500"),
        (orcid_check_digit, "٠٠٠٠٠٠٠٢١٨٢٥٠٠٩"),  # Arabic-Indic digits are not ASCII digits
    ],
)
def test_check_digit_functions_reject_wrong_input(function, digits):
    with pytest.raises(ValueError):
        function(digits)


@pytest.mark.parametrize(
    ("check", "valid"),
    [(check_isbn, v) for v in ISBN10 + ISBN13] + [(check_issn, v) for v in ISSNS] + [(check_orcid, v) for v in ORCIDS],
)
def test_every_single_character_change_is_caught(check, valid):
    assert check(valid).ok
    for broken in mutations(valid):
        result = check(broken)
        assert_consistent(result)
        assert result.severity == "error", (broken, result)


@pytest.mark.parametrize(
    ("check", "valid"),
    [(check_isbn, v) for v in ISBN10] + [(check_issn, v) for v in ISSNS] + [(check_orcid, v) for v in ORCIDS],
)
def test_mod_11_catches_every_adjacent_transposition(check, valid):
    for swapped in transpositions(valid):
        result = check(swapped)
        assert result.severity == "error", (swapped, result)


# ----------------------------------------------------------------------------------------------------- DOI


@pytest.mark.parametrize(
    "doi",
    [
        "10.1016/j.archger.2021.104499",
        "10.1097/00042752-200501000-00004",
        "10.1000/182",
        "10.1038/nature14539",
        "10.1016/S0140-6736(20)30183-5",  # parentheses belong to the suffix
        "10.48550/arXiv.1706.03762",
    ],
)
def test_valid_doi(doi):
    assert_ok(check_doi(doi), doi)


@pytest.mark.parametrize(
    ("doi", "fragment"),
    [
        ("10.1002/(SICI)1097-4636(199706)35:4<...>", "'<', '>'"),  # older Wiley SICI DOI: warning, not error
        ("10.1000.10/182", "registrant code '1000.10' is not 4-9 digits"),  # subdivided registrant code
        ("10.1097/00042752\u2013200501000-00004", "is '\u2013' (U+2013) meant to be '-'?"),  # en dash from a PDF
        # a ']' that closes a '[' of the suffix is part of it, not punctuation copied from the sentence
        ("10.1000/182[a]", "'[', ']'"),
    ],
)
def test_doi_failing_crossref_pattern_is_a_warning(doi, fragment):
    result = check_doi(doi)
    assert_warning(result, "Crossref's recommended DOI pattern", fragment, f"https://doi.org/{doi} resolves")
    assert result.normalized == doi
    assert result.fix is None


@pytest.mark.parametrize(
    ("doi", "fragment"),
    [
        ("11.1000/x", "a DOI starts with '10.' (not '11.')"),
        ("1.1000/x", "a DOI starts with '10.' (not '1.')"),
        ("doi 182", "a DOI starts with '10.'"),
        ("10.abc/x", "the registrant code after '10.' must be digits, like '10.1016' (not 'abc')"),
        ("10./x", "the registrant code after '10.' must be digits, like '10.1016' (and there is none)"),
        ("10.1000", "'10.1000' has no '/' and suffix after the registrant code"),
        ("10.1000/", "'10.1000/' has no suffix after the '/'"),
        ("", "DOI is empty"),
        ("   ", "DOI is empty"),
        ("doi:", "there is no DOI after the 'doi:' prefix"),
        ("https://doi.org/", "there is no DOI after the 'https://doi.org/' prefix"),
        ("10.1016/j.archger. 2021.104499", "it is '10.1016/j.archger.2021.104499'"),
    ],
)
def test_invalid_doi(doi, fragment):
    result = check_doi(doi)
    assert_error(result, fragment)
    assert result.normalized is None and result.fix is None


@pytest.mark.parametrize(
    ("doi", "prefix"),
    [
        ("doi:10.1000/182", "doi:"),
        ("DOI: 10.1000/182", "DOI:"),
        ("doi 10.1000/182", "doi"),
        ("https://doi.org/10.1000/182", "https://doi.org/"),
        ("http://doi.org/10.1000/182", "http://doi.org/"),
        ("http://dx.doi.org/10.1000/182", "http://dx.doi.org/"),
        ("https://dx.doi.org/10.1000/182", "https://dx.doi.org/"),
        ("doi.org/10.1000/182", "doi.org/"),
        ("doi: https://doi.org/10.1000/182", "doi: https://doi.org/"),
    ],
)
def test_doi_prefix_is_fixed_away(doi, prefix):
    result = check_doi(doi)
    assert_error(result, f"remove the '{prefix}' prefix", "use '10.1000/182'")
    assert result.normalized == result.fix == "10.1000/182"


@pytest.mark.parametrize(
    ("doi", "fragment", "normalized"),
    [
        ("10.1016/j.archger.2021.104499.", "remove the trailing '.'", "10.1016/j.archger.2021.104499"),
        ("10.1016/j.archger.2021.104499,", "remove the trailing ','", "10.1016/j.archger.2021.104499"),
        ("10.1016/j.archger.2021.104499;", "remove the trailing ';'", "10.1016/j.archger.2021.104499"),
        ("10.1016/S0140-6736(20)30183-5).", "remove the trailing ').'", "10.1016/S0140-6736(20)30183-5"),
        ("(doi:10.1000/182).", "remove the leading '('", "10.1000/182"),
        ("<https://doi.org/10.1000/182>", "remove the angle brackets", "10.1000/182"),
        (
            "https://doi.org/10.1000/182.",
            "remove the 'https://doi.org/' prefix; remove the trailing '.'",
            "10.1000/182",
        ),
        (
            "https://doi.org/10.1016/S0140-6736%2820%2930183-5",
            "remove the 'https://doi.org/' prefix and decode the %-escapes",
            "10.1016/S0140-6736(20)30183-5",
        ),
        (" 10.1000/182 ", "remove the whitespace around the value", "10.1000/182"),
        (
            "10.1016/j.\u200barchger.2021.104499",
            "remove the invisible character U+200B",
            "10.1016/j.archger.2021.104499",
        ),
    ],
)
def test_doi_copied_punctuation_is_fixed(doi, fragment, normalized):
    result = check_doi(doi)
    assert_consistent(result)
    assert not result.ok
    assert fragment in (result.problem or "")
    assert result.problem.endswith(f"use '{normalized}'")
    assert result.normalized == result.fix == normalized


def test_doi_trailing_punctuation_only_is_an_error():
    assert check_doi("10.1000/182.").severity == "error"
    assert check_doi("10.1000/182").ok


@pytest.mark.parametrize(
    ("doi", "belongs_in", "fragment"),
    [
        ("PMC1234567", "pmcid", "this is a PMCID, not a DOI; move it to PMCID"),
        ("12345678", "pmid", "this looks like a PMID, not a DOI; move it to PMID"),
        ("978-0-306-40615-7", "isbn", "this is an ISBN, not a DOI; move it to ISBN"),
        ("0378-5955", "issn", "this is an ISSN, not a DOI; move it to ISSN"),
        ("0000-0002-1825-0097", "orcid", "this is an ORCID iD, not a DOI"),
        ("https://example.org/paper.pdf", "url", "this is a URL, not a DOI; move it to URL"),
    ],
)
def test_doi_field_holding_another_identifier(doi, belongs_in, fragment):
    result = check_doi(doi)
    assert_error(result, fragment)
    assert result.belongs_in == belongs_in
    assert result.normalized is None


def test_doi_inside_a_publisher_url_is_suggested_but_not_auto_fixed():
    result = check_doi("https://example.org/doi/full/10.1016/j.archger.2021.104499")
    assert_error(result, "this is a URL, not a DOI", "use '10.1016/j.archger.2021.104499'")
    assert result.belongs_in == "url"
    assert result.normalized == "10.1016/j.archger.2021.104499"
    assert result.fix is None


def test_doi_accepts_an_int_without_crashing():
    assert check_doi(182).severity == "error"


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("10.1016/j.archger.2021.104499", "10.1016/J.ARCHGER.2021.104499"),
        ("10.1016/j.archger.2021.104499", "https://doi.org/10.1016/J.ArchGer.2021.104499"),
        ("10.1000/182", "doi:10.1000/182."),
        ("10.1016/S0140-6736(20)30183-5", "https://dx.doi.org/10.1016/s0140-6736%2820%2930183-5"),
    ],
)
def test_doi_key_is_case_insensitive_and_prefix_free(a, b):
    assert doi_key(a) == doi_key(b) == a.lower()


def test_doi_key_keeps_different_dois_apart():
    assert doi_key("10.1000/182") != doi_key("10.1000/183")


# ---------------------------------------------------------------------------------------------------- PMID


@pytest.mark.parametrize("pmid", ["1", "7", "12345", "12345678"])
def test_valid_pmid(pmid):
    assert_ok(check_pmid(pmid), pmid)


def test_pmid_as_int():
    assert_ok(check_pmid(12345678), "12345678")


@pytest.mark.parametrize(
    ("pmid", "fragment", "normalized"),
    [
        ("012345", "a PMID has no leading zeros ('012345')", "12345"),
        ("0", "'0' is not a PMID", None),
        ("000", "'000' is not a PMID", None),
        ("123456789", "a PMID has at most 8 digits; '123456789' has 9", None),
        ("12a45", "a PMID is digits only; '12a45' contains 'a'", None),
        ("12 345", "a PMID is digits only; '12 345' contains ' '", None),
        ("", "PMID is empty", None),
        ("PMID:", "PMID is empty", None),
    ],
)
def test_invalid_pmid(pmid, fragment, normalized):
    result = check_pmid(pmid)
    assert_error(result, fragment)
    assert result.normalized == normalized


@pytest.mark.parametrize(
    ("pmid", "fragment"),
    [
        ("PMID: 12345678", "remove the 'PMID:' label"),
        ("pmid12345678", "remove the 'pmid' label"),
        ("https://pubmed.ncbi.nlm.nih.gov/12345678/", "remove the 'https://pubmed.ncbi.nlm.nih.gov/' URL"),
        ("https://www.ncbi.nlm.nih.gov/pubmed/12345678", "remove the 'https://www.ncbi.nlm.nih.gov/pubmed/' URL"),
    ],
)
def test_pmid_label_and_url_fixed_away(pmid, fragment):
    result = check_pmid(pmid)
    assert_error(result, fragment, "use '12345678'")
    assert result.fix == "12345678"


@pytest.mark.parametrize(
    ("pmid", "belongs_in", "fragment"),
    [
        ("PMC1234567", "pmcid", "this is a PMCID, not a PMID; move it to PMCID"),
        ("pmc1234567", "pmcid", "this is a PMCID"),
        ("10.1016/j.archger.2021.104499", "doi", "this is a DOI, not a PMID; move it to DOI"),
        ("https://doi.org/10.1000/182", "doi", "this is a DOI"),
        ("978-0-306-40615-7", "isbn", "this is an ISBN, not a PMID; move it to ISBN"),
        ("9780306406157", "isbn", "this is an ISBN"),
        ("0378-5955", "issn", "this is an ISSN, not a PMID; move it to ISSN"),
    ],
)
def test_pmid_field_holding_another_identifier(pmid, belongs_in, fragment):
    result = check_pmid(pmid)
    assert_error(result, fragment)
    assert result.belongs_in == belongs_in
    assert result.normalized is None and result.fix is None


# --------------------------------------------------------------------------------------------------- PMCID


@pytest.mark.parametrize("pmcid", ["PMC1234567", "PMC7"])
def test_valid_pmcid(pmcid):
    assert_ok(check_pmcid(pmcid), pmcid)


@pytest.mark.parametrize(
    ("pmcid", "fragment"),
    [
        ("pmc1234567", "write 'PMC' in capitals"),
        ("Pmc1234567", "write 'PMC' in capitals"),
        ("PMC 1234567", "write 'PMC' directly followed by the digits"),
    ],
)
def test_pmcid_spelling_is_a_fixable_warning(pmcid, fragment):
    result = check_pmcid(pmcid)
    assert_warning(result, fragment, "use 'PMC1234567'")
    assert result.fix == "PMC1234567"


def test_pmcid_bare_digits_is_an_error_with_a_suggestion_but_no_auto_fix():
    result = check_pmcid("1234567")
    assert_error(result, "PMCID must start with PMC", "could also be a PMID", "use 'PMC1234567'")
    assert result.normalized == "PMC1234567"
    assert result.fix is None


def test_pmcid_as_int():
    assert check_pmcid(1234567).normalized == "PMC1234567"


@pytest.mark.parametrize(
    ("pmcid", "fragment"),
    [
        ("PMCID: PMC1234567", "remove the 'PMCID:' label"),
        ("https://www.ncbi.nlm.nih.gov/pmc/articles/PMC1234567/", "remove the 'https://www.ncbi.nlm.nih.gov/pmc/"),
        ("https://pmc.ncbi.nlm.nih.gov/articles/PMC1234567/", "remove the 'https://pmc.ncbi.nlm.nih.gov/articles/'"),
    ],
)
def test_pmcid_label_and_url_fixed_away(pmcid, fragment):
    result = check_pmcid(pmcid)
    assert_error(result, fragment, "use 'PMC1234567'")
    assert result.fix == "PMC1234567"


@pytest.mark.parametrize(
    ("pmcid", "fragment", "belongs_in"),
    [
        ("", "PMCID is empty", None),
        ("PMCA123", "PMCID must start with PMC and continue with digits only", None),
        ("10.1000/182", "this is a DOI, not a PMCID; move it to DOI", "doi"),
        ("0378-5955", "this is an ISSN, not a PMCID", "issn"),
    ],
)
def test_invalid_pmcid(pmcid, fragment, belongs_in):
    result = check_pmcid(pmcid)
    assert_error(result, fragment)
    assert result.belongs_in == belongs_in
    assert result.normalized is None


# ---------------------------------------------------------------------------------------------------- ISBN


@pytest.mark.parametrize(
    ("isbn", "normalized"),
    [
        ("0-306-40615-2", "0306406152"),
        ("0306406152", "0306406152"),
        ("0-8044-2957-X", "080442957X"),
        ("978-0-306-40615-7", "9780306406157"),
        ("978 0 306 40615 7", "9780306406157"),
        ("979-10-90636-07-1", "9791090636071"),
        ("0-306-40615-2 978-0-306-40615-7", "0306406152 9780306406157"),
        ("0 306 40615 2 978 0 306 40615 7", "0306406152 9780306406157"),
        ("0306406152, 9780306406157", "0306406152, 9780306406157"),
        ("978-0-306-40615-7; 0-8044-2957-X", "9780306406157; 080442957X"),
    ],
)
def test_valid_isbn(isbn, normalized):
    assert_ok(check_isbn(isbn), normalized)


def test_isbn_as_int():
    assert_ok(check_isbn(9780306406157), "9780306406157")


@pytest.mark.parametrize(
    ("isbn", "fragment"),
    [
        (
            "0-306-40615-3",
            "'0-306-40615-3' fails the ISBN-10 check: its check character is '3' but the first 9 digits give '2'",
        ),
        ("0-306-40615-X", "its check character is 'X' but the first 9 digits give '2'"),
        ("0-8044-2957-9", "its check character is '9' but the first 9 digits give 'X'"),
        ("1-306-40615-2", "fails the ISBN-10 check"),
        (
            "978-0-306-40615-8",
            "'978-0-306-40615-8' fails the ISBN-13 check: its check character is '8' but the first 12 digits give '7'",
        ),
        ("979-0-306-40615-7", "fails the ISBN-13 check"),
        ("976-0-306-40615-7", "an ISBN-13 starts with 978 or 979; '976-0-306-40615-7' starts with '976'"),
        ("978-0-306-40615-X", "an ISBN-13 has no X check character"),
        ("0-306-X0615-2", "a final X (ISBN-10); '0-306-X0615-2' contains 'X'"),
        ("0-306-40615", "an ISBN has 10 or 13 digits; '0-306-40615' has 9"),
        ("978-0-306-40615-77", "an ISBN has 10 or 13 digits; '978-0-306-40615-77' has 14"),
        ("0-306-4O615-2", "'0-306-4O615-2' contains 'O'"),
        ("", "ISBN is empty"),
        ("0-306-40615-2, 0-306-40615-3", "'0-306-40615-3' fails the ISBN-10 check"),
        # a whole ISBN-10 is never joined to the group before it
        ("978 0-306-40615-2", "an ISBN has 10 or 13 digits; '978' has 3"),
    ],
)
def test_invalid_isbn(isbn, fragment):
    result = check_isbn(isbn)
    assert_error(result, fragment)
    assert result.normalized is None and result.fix is None


@pytest.mark.parametrize(
    ("isbn", "severity", "fragment", "normalized"),
    [
        ("ISBN 978-0-306-40615-7", "error", "remove the 'ISBN' label", "9780306406157"),
        ("ISBN-13: 978-0-306-40615-7", "error", "remove the 'ISBN-13:' label", "9780306406157"),
        ("978-0-306-40615-7 (pbk.)", "warning", "remove the qualifier '(pbk.)'", "9780306406157"),
        ("0-8044-2957-x", "warning", "write the ISBN check character as a capital X", "080442957X"),
        ("978\u20130\u2013306\u201340615\u20137", "warning", "replace '\u2013' (U+2013) with '-'", "9780306406157"),
        ("0306406152 0306406152", "warning", "ISBN '0306406152' is listed twice", "0306406152"),
    ],
)
def test_isbn_fixable_problems(isbn, severity, fragment, normalized):
    result = check_isbn(isbn)
    assert_consistent(result)
    assert result.severity == severity
    assert fragment in result.problem
    assert result.normalized == normalized


@pytest.mark.parametrize("issn", ["0378-5955", "0317-8471", "1050-124X", "03785955"])
def test_issn_in_isbn_field(issn):
    result = check_isbn(issn)
    assert_error(result, f"'{issn}' is an ISSN, not an ISBN; move it to ISSN")
    assert result.belongs_in == "issn"


def test_issn_barcode_in_isbn_field():
    result = check_isbn("9770317847001")
    assert_error(result, "EAN-13 barcode of a serial", "its ISSN is '0317-8471'", "move it to ISSN")
    assert result.belongs_in == "issn"


@pytest.mark.parametrize(
    ("isbn", "belongs_in"),
    [("10.1000/182", "doi"), ("PMC1234567", "pmcid"), ("https://example.org/book", "url")],
)
def test_isbn_field_holding_another_identifier(isbn, belongs_in):
    result = check_isbn(isbn)
    assert_error(result, "move it to")
    assert result.belongs_in == belongs_in


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("0-306-40615-2", "978-0-306-40615-7"),
        ("0306406152", "9780306406157"),
        ("ISBN 0-306-40615-2", "978 0 306 40615 7"),
    ],
)
def test_isbn_key_equates_isbn10_with_its_isbn13(a, b):
    assert isbn_key(a) == isbn_key(b) == "9780306406157"


# ---------------------------------------------------------------------------------------------------- ISSN


@pytest.mark.parametrize(
    ("issn", "normalized"),
    [
        ("0378-5955", "0378-5955"),
        ("0317-8471", "0317-8471"),
        ("1050-124X", "1050-124X"),
        ("0378-5955, 0317-8471", "0378-5955, 0317-8471"),
        ("0378-5955; 1050-124X", "0378-5955; 1050-124X"),
        ("0378-5955 0317-8471", "0378-5955 0317-8471"),
    ],
)
def test_valid_issn(issn, normalized):
    assert_ok(check_issn(issn), normalized)


@pytest.mark.parametrize(
    ("issn", "fragment"),
    [
        ("0378-5956", "'0378-5956' fails the ISSN check: its check character is '6' but the first 7 digits give '5'"),
        ("0317-8472", "its check character is '2' but the first 7 digits give '1'"),
        ("1050-1249", "its check character is '9' but the first 7 digits give 'X'"),
        ("0378-595X", "its check character is 'X' but the first 7 digits give '5'"),
        ("0378-595", "an ISSN has 8 characters (NNNN-NNNC); '0378-595' has 7"),
        ("0378-59555", "has 9"),
        ("O378-5955", "contains 'O'"),
        ("", "ISSN is empty"),
        ("0378-5955, 0378-5956", "'0378-5956' fails the ISSN check"),
    ],
)
def test_invalid_issn(issn, fragment):
    result = check_issn(issn)
    assert_error(result, fragment)
    assert result.normalized is None and result.fix is None


@pytest.mark.parametrize(
    ("issn", "severity", "fragment", "normalized"),
    [
        ("03785955", "warning", "write an ISSN as two groups of four joined by a hyphen", "0378-5955"),
        ("1050-124x", "warning", "write the ISSN check character as a capital X", "1050-124X"),
        ("0378\u20135955", "warning", "replace '\u2013' (U+2013) with '-'", "0378-5955"),
        ("03785955, 1050124X", "warning", "NNNN-NNNC", "0378-5955, 1050-124X"),
        ("ISSN 0378-5955", "error", "remove the 'ISSN' label", "0378-5955"),
        ("eISSN: 0378-5955", "error", "remove the 'eISSN:' label", "0378-5955"),
        ("0378-5955 (Print)", "warning", "remove the qualifier '(Print)'", "0378-5955"),
        ("0378-5955, 0378-5955", "warning", "ISSN '0378-5955' is listed twice", "0378-5955"),
        ("9770317847001", "error", "is the EAN-13 barcode of the serial, not its ISSN", "0317-8471"),
    ],
)
def test_issn_fixable_problems(issn, severity, fragment, normalized):
    result = check_issn(issn)
    assert_consistent(result)
    assert result.severity == severity
    assert fragment in result.problem
    assert result.normalized == result.fix == normalized
    assert result.problem.endswith(f"use '{normalized}'")


@pytest.mark.parametrize("isbn", ["978-0-306-40615-7", "9780306406157", "0-306-40615-2", "978 0 306 40615 7"])
def test_isbn_in_issn_field(isbn):
    result = check_issn(isbn)
    assert_error(result, "is an ISBN, not an ISSN; move it to ISBN")
    assert result.belongs_in == "isbn"
    assert result.normalized is None


@pytest.mark.parametrize(("issn", "belongs_in"), [("10.1000/182", "doi"), ("https://example.org/journal", "url")])
def test_issn_field_holding_another_identifier(issn, belongs_in):
    result = check_issn(issn)
    assert_error(result, "move it to")
    assert result.belongs_in == belongs_in


# --------------------------------------------------------------------------------------------------- ORCID


@pytest.mark.parametrize(
    ("orcid", "normalized"),
    [
        ("0000-0002-1825-0097", "0000-0002-1825-0097"),
        ("0000-0002-1694-233X", "0000-0002-1694-233X"),
        ("https://orcid.org/0000-0002-1825-0097", "0000-0002-1825-0097"),
        ("https://orcid.org/0000-0002-1694-233X", "0000-0002-1694-233X"),
    ],
)
def test_valid_orcid(orcid, normalized):
    assert_ok(check_orcid(orcid), normalized)


@pytest.mark.parametrize(
    ("orcid", "fragment"),
    [
        (
            "0000-0002-1825-0098",
            "'0000-0002-1825-0098' fails the ORCID check: its check character is '8' but the first 15 digits give '7'",
        ),
        ("0000-0002-1694-2339", "its check character is '9' but the first 15 digits give 'X'"),
        ("0000-0002-1825-009X", "its check character is 'X' but the first 15 digits give '7'"),
        ("https://orcid.org/0000-0002-1825-0098", "fails the ORCID check"),
        ("0000-0002-1825", "an ORCID iD is 16 digits (the last may be X) in four groups of four"),
        ("0000-0002-1825-00977", "has 17 digits"),
        ("0000-0002-1825-OO97", "and other characters"),
        ("", "ORCID iD is empty"),
        ("https://orcid.org/", "ORCID iD is empty"),
    ],
)
def test_invalid_orcid(orcid, fragment):
    result = check_orcid(orcid)
    assert_error(result, fragment)
    assert result.normalized is None


@pytest.mark.parametrize(
    ("orcid", "fragment"),
    [
        ("http://orcid.org/0000-0002-1825-0097", "write the ORCID URL as 'https://orcid.org/<iD>'"),
        ("orcid.org/0000-0002-1825-0097", "not 'orcid.org/<iD>'"),
        ("https://www.orcid.org/0000-0002-1825-0097", "not 'https://www.orcid.org/<iD>'"),
        ("0000000218250097", "write an ORCID iD as four groups of four joined by hyphens"),
        ("0000 0002 1825 0097", "four groups of four joined by hyphens"),
        ("ORCID: 0000-0002-1825-0097", "remove the 'ORCID:' label"),
        ("ORCID iD 0000-0002-1825-0097", "remove the 'ORCID iD' label"),
    ],
)
def test_orcid_fixable_forms(orcid, fragment):
    result = check_orcid(orcid)
    assert_warning(result, fragment, "use '0000-0002-1825-0097'")
    assert result.normalized == result.fix == "0000-0002-1825-0097"


def test_orcid_lowercase_x():
    result = check_orcid("0000-0002-1694-233x")
    assert_warning(result, "write the ORCID check character as a capital X", "use '0000-0002-1694-233X'")
    assert result.fix == "0000-0002-1694-233X"


@pytest.mark.parametrize(("orcid", "belongs_in"), [("10.1000/182", "doi"), ("PMC1234567", "pmcid")])
def test_orcid_field_holding_another_identifier(orcid, belongs_in):
    result = check_orcid(orcid)
    assert_error(result, "move it to")
    assert result.belongs_in == belongs_in


def test_extract_orcids_from_a_note():
    note = (
        "Corresponding author ORCID: https://orcid.org/0000-0002-1825-0097; co-author 0000-0002-1694-233X. "
        "Grant 1234-5678-9012-3456-78 and DOI 10.1000/182 are not ORCID iDs."
    )
    assert extract_orcids(note) == ("https://orcid.org/0000-0002-1825-0097", "0000-0002-1694-233X")
    assert [check_orcid(found).normalized for found in extract_orcids(note)] == ORCIDS


# ------------------------------------------------------------------------------------------------ classify


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ("10.1016/j.archger.2021.104499", "doi"),
        ("10.1002/(SICI)1097-4636(199706)35:4<...>", "doi"),
        ("doi:10.1000/182", "doi"),
        ("https://doi.org/10.1000/182", "doi"),
        ("12345678", "pmid"),
        ("PMID: 12345678", "pmid"),
        ("https://pubmed.ncbi.nlm.nih.gov/12345678/", "pmid"),
        ("PMC1234567", "pmcid"),
        ("pmc1234567", "pmcid"),
        ("https://www.ncbi.nlm.nih.gov/pmc/articles/PMC1234567/", "pmcid"),
        ("0-306-40615-2", "isbn"),
        ("0306406152", "isbn"),
        ("978-0-306-40615-7", "isbn"),
        ("ISBN 978-0-306-40615-7", "isbn"),
        ("0378-5955", "issn"),
        ("1050-124X", "issn"),
        ("ISSN 0378-5955", "issn"),
        ("0000-0002-1825-0097", "orcid"),
        ("https://orcid.org/0000-0002-1694-233X", "orcid"),
        ("https://example.org/article", "url"),
        ("www.example.org", "url"),
        ("", None),
        ("hello", None),
        ("0378-5956", None),  # ISSN-shaped, but the check character is wrong (above the right one, '5')
        ("0378-5954", None),  # and below it
        ("0-306-40615-3", None),  # ISBN-shaped, but the check character is wrong (above the right one, '2')
        ("11.1000/x", None),
    ],
)
def test_classify(value, kind):
    assert classify(value) == kind


def test_classify_int():
    assert classify(12345678) == "pmid"


# ------------------------------------------------------------------------------------------------ dispatch


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("DOI", "10.1000/182"),
        ("PMID", "12345678"),
        ("PMCID", "PMC1234567"),
        ("ISBN", "978-0-306-40615-7"),
        ("ISSN", "0378-5955"),
        ("ORCID", "0000-0002-1825-0097"),
        ("doi", "10.1000/182"),
    ],
)
def test_check_field_dispatches_by_csl_field_name(field, value):
    result = check_field(field, value)
    assert result is not None and result.ok
    assert result.kind == field.lower()


def test_check_field_ignores_other_fields():
    assert check_field("title", "10.1000/182") is None
    assert set(CHECKERS) == {"DOI", "PMID", "PMCID", "ISBN", "ISSN", "ORCID"}


def test_results_are_frozen():
    result = check_doi("10.1000/182")
    with pytest.raises(AttributeError):
        result.ok = False  # type: ignore[misc]
