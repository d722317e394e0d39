"""Hostile configurations (a pull request can change hipcheck.toml): each is one line on stderr, exit 2.

Every case runs the real command line in-process; none may end in a traceback or an "internal error",
and none may be accepted silently (a wrong selector used to turn every rule off and report "0 errors").
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from hipcheck.cli import main
from hipcheck.config import MAX_CONFIG_BYTES, MAX_EXTEND_DEPTH, load_config

from helpers import REPO, write_tree

EXERCISE = "id: a\nname: A\n"


def _check(root: Path, capsys: pytest.CaptureFixture[str], *options: str, command: str = "check") -> str:
    """The one stderr line of a run that must fail with a configuration or usage error."""
    args = [command, str(root), *options] + (["--no-cache", "--format", "concise"] if command == "check" else [])
    status = main(args)
    err = capsys.readouterr().err
    assert status == 2, err
    assert "Traceback" not in err and "internal error" not in err, err
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("hipcheck: ")
    return lines[0]


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    write_tree(tmp_path, {"exercises/a.yaml": EXERCISE})
    return tmp_path


# (hipcheck.toml text, what the one line must contain)
HOSTILE: list[tuple[str, str]] = [
    # unknown selectors, wherever selectors go
    ('select = ["ZZ9"]\n', "hipcheck.toml:1: select: unknown rule selector 'ZZ9'"),
    ('select = ["HC2O3"]\n', "(did you mean HC203?)"),
    ('select = [""]\n', "select: unknown rule selector ''"),
    ('select = [" HC2"]\n', "select: unknown rule selector ' HC2'"),
    ('ignore = ["HC9999"]\n', "hipcheck.toml:1: ignore: unknown rule selector 'HC9999'"),
    ('ignore = ["exercise-missing-dosag"]\n', "(did you mean exercise-missing-dosage?)"),
    ('\n[severity]\nHC999 = "info"\n', "hipcheck.toml:3: severity.HC999: not a rule code or name"),
    ('[severity]\nHC2 = "info"\n', "hipcheck.toml:2: severity.HC2: not a rule code or name"),
    ('severity = { hc201 = "info" }\n', "(did you mean HC201?)"),
    ('[per-file-ignores]\n"exercises/*.yaml" = ["HC2O3"]\n', "hipcheck.toml:2: per-file-ignores.exercises/*.yaml:"),
    ('[per-file-ignores]\n"x/*" = ["HC2O3"]\n', "unknown rule selector 'HC2O3' (did you mean HC203?)"),
    ('[per-file-ignores]\n"x/*" = ["exercise-dosage"]\n', "(did you mean exercise-missing-dosage?)"),
    ('[per-file-ignores]\n"x/*" = []\n', "hipcheck.toml:2: per-file-ignores.x/*: names no rules"),
    ('[per-file-ignores]\n"" = ["HC2"]\n', "per-file-ignores: a pattern must not be empty"),
    ('[per-file-ignores]\n"../*.yaml" = ["HC2"]\n', "per-file-ignores.../*.yaml: must stay inside"),
    # empty strings in term lists
    ('commercial-terms = [""]\n', "hipcheck.toml:1: commercial-terms: an empty or blank entry"),
    ('commercial-terms = ["buy", "  "]\n', "commercial-terms: an empty or blank entry"),
    ('[muscles]\nallowed-informal = [""]\n', "hipcheck.toml:2: muscles.allowed-informal: an empty or blank entry"),
    ('exclude = [""]\n', "exclude: an empty or blank entry"),
    ('[reference-required-fields]\n"*" = ["title|"]\n', "reference-required-fields.*: an empty or blank"),
    ('[reference-required-fields]\narticle-jornal = ["title"]\n', "(did you mean article-journal?)"),
    ('[online]\nmailto = ""\n', "hipcheck.toml:2: online.mailto: must not be empty"),
    # path escapes
    ('[online]\ncache = "/etc/passwd"\n', "hipcheck.toml:2: online.cache: must be a relative path"),
    ('[online]\ncache = "../outside.json"\n', "online.cache: must stay inside"),
    ('[online]\ncache = "a/../../outside.json"\n', "online.cache: must stay inside"),
    ('[online]\ncache = "C:/x/verification.json"\n', "online.cache: must be a relative path"),
    ('[online]\ncache = "\\\\\\\\server\\\\share\\\\x.json"\n', "online.cache: must be a relative path"),
    ('content-root = "/etc"\n', "hipcheck.toml:1: content-root: must be a relative path"),
    ('content-root = "../.."\n', "content-root: must stay inside"),
    ('exclude = ["/etc/*"]\n', "exclude: must be a relative path"),
    ('[online]\ndoi-api = "file:///etc/passwd"\n', "online.doi-api: must be an https:// address"),
    ('[online]\nncbi-api = "http://[::1/eutils"\n', "online.ncbi-api: must be an https:// address"),
    ('[online]\nncbi-api = "http://169.254.169.254/eutils"\n', "hipcheck.toml:2: online.ncbi-api: must be an https://"),
    ('[online]\nncbi-api-key-env = "GITHUB_TOKEN"\n', "hipcheck.toml:2: online.ncbi-api-key-env: must be an"),
    ('[online]\ncrossref-api = "https://h:port/x"\n', "online.crossref-api: must be an https:// address"),
    # wrong types
    ('select = "HC2"\n', "hipcheck.toml:1: select: Input should be a valid list"),
    ("select = [1]\n", "select.0: Input should be a valid string"),
    ('suppression-requires-reason = "yes"\n', "suppression-requires-reason: Input should be a valid boolean"),
    ("suppression-requires-reason = { a = 1 }\n", "suppression-requires-reason: Input should be a valid boolean"),
    ("source-max-age = -1\n", "source-max-age: Input should be greater than or equal to 0"),
    ('source-max-age = "10"\n', "source-max-age: Input should be a valid integer"),
    ("source-max-age = 2.5\n", "source-max-age: Input should be a valid integer"),
    ("commercial-terms = [1, 2]\n", "commercial-terms.0: Input should be a valid string"),
    ('crossref-prefixes = "fig:"\n', "crossref-prefixes: Input should be a valid list"),
    ('crossref-prefixes = [""]\n', "crossref-prefixes: an empty or blank entry"),
    ('crossref-prefixes = ["fig"]\n', "crossref-prefixes: 'fig' is not a label prefix"),
    ('crossref-prefixes = ["@fig:"]\n', "crossref-prefixes: '@fig:' is not a label prefix"),
    ('severity = "error"\n', "severity: Input should be a valid dictionary"),
    ('[severity]\nHC201 = "fatal"\n', "hipcheck.toml:2: severity.HC201: Input should be 'error', 'warning' or 'info'"),
    ('[per-file-ignores]\n"x/*" = "HC2"\n', "per-file-ignores.x/*: Input should be a valid list"),
    ("online = 5\n", "online: Input should be"),
    ("content-root = 5\n", "content-root: Input should be a valid string"),
    ("[online]\nretries = -1\n", "hipcheck.toml:2: online.retries: Input should be greater than or equal to 0"),
    ("[online]\ndeadline = inf\n", "hipcheck.toml:2: online.deadline: must be a finite number"),
    ("[online]\ntimeout = nan\n", "online.timeout: must be a finite number"),
    ("[muscles]\nmisspelling-score = 10\n", "muscles.misspelling-score: Input should be greater than or equal to 50"),
    ('comercial-terms = ["buy"]\n', "hipcheck.toml:1: comercial-terms: unknown key (did you mean commercial-terms?)"),
    ("[online]\ntimeuot = 5\n", "hipcheck.toml:2: online.timeuot: unknown key (did you mean timeout?)"),
    # extend
    ("extend = 5\n", "hipcheck.toml:1: extend: must be a path"),
    ('extend = ["a.toml"]\n', "hipcheck.toml:1: extend: must be a path"),
    ('extend = ""\n', "hipcheck.toml:1: extend: must be a path"),
    ('extend = "missing.toml"\n', "hipcheck.toml:1: extend: no file"),
    ('extend = "/etc/hostname"\n', "hipcheck.toml:1: extend: must be a relative path"),
    ('extend = "exercises"\n', "extend: no file"),
    ('extend = "x\\n::error::injected.toml"\n', "no file"),  # a line break in a path must not end the line
    ('extend = "exercises/a.yaml"\n', "a.yaml: invalid TOML"),
    # file contents
    ("a = " + "[" * 100_000 + "]" * 100_000 + "\n", "hipcheck.toml: invalid TOML: nested too deeply"),
    ("a = " + "{b = " * 100_000 + "1" + "}" * 100_000 + "\n", "hipcheck.toml: invalid TOML: nested too deeply"),
    ("select = [\n", "hipcheck.toml: invalid TOML"),
]


@pytest.mark.parametrize(("text", "expected"), HOSTILE, ids=[f"{i}:{t[:30]}" for i, (t, _) in enumerate(HOSTILE)])
def test_hostile_configuration_is_one_line_exit_2(
    site: Path, capsys: pytest.CaptureFixture[str], text: str, expected: str
) -> None:
    write_tree(site, {"hipcheck.toml": text})
    assert expected in _check(site, capsys)


def test_the_config_command_fails_the_same_way(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_tree(site, {"hipcheck.toml": 'select = ["ZZ9"]\n'})
    assert "hipcheck.toml:1: select: unknown rule selector 'ZZ9'" in _check(site, capsys, command="config")


def test_pyproject_with_dotted_keys_only_is_found(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # No [tool.hipcheck] header: the configuration used to be skipped, and every rule ran.
    (site / "pyproject.toml").write_text('tool.hipcheck.select = ["ZZ9"]\n[project]\nname = "x"\n')
    assert "pyproject.toml:1: tool.hipcheck.select: unknown rule selector 'ZZ9'" in _check(site, capsys)


def test_pyproject_errors_name_the_hipcheck_key_and_its_line(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # ruff's `select` comes first: the line must be the one in [tool.hipcheck].
    text = '[tool.ruff.lint]\nselect = ["E"]\n\n[tool.hipcheck]\nselect = ["ZZ9"]\n'
    write_tree(site, {"pyproject.toml": text})
    assert "pyproject.toml:5: tool.hipcheck.select: unknown rule selector 'ZZ9'" in _check(site, capsys)
    write_tree(site, {"pyproject.toml": "[tool.hipcheck.online]\nretries = 2\ncache = '/etc/passwd'\n"})
    assert "pyproject.toml:3: tool.hipcheck.online.cache: must be a relative path" in _check(site, capsys)


# The header inside a string makes the file look like a hipcheck configuration; the tables say otherwise.
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("tool = 5\n", "pyproject.toml:1: tool: must be a table"),
        ("[tool]\nhipcheck = 5\n", "tool.hipcheck: must be a table"),
    ],
)
def test_pyproject_with_a_wrong_tool_table(
    site: Path, capsys: pytest.CaptureFixture[str], text: str, expected: str
) -> None:
    write_tree(site, {"pyproject.toml": text + 'x = """\n[tool.hipcheck]\n"""\n'})
    assert expected in _check(site, capsys)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"\x00\x01\x02\xff\xfePNG", "hipcheck.toml: not UTF-8 text"),
        ("commercial-terms = ['caf\xe9']\n".encode("latin-1"), "hipcheck.toml: not UTF-8 text"),
        (b"# padding\n" * (MAX_CONFIG_BYTES // 10 + 1), "larger than the 1048576-byte limit"),
    ],
    ids=["binary", "latin-1", "huge"],
)
def test_unreadable_configuration_files(
    site: Path, capsys: pytest.CaptureFixture[str], data: bytes, expected: str
) -> None:
    (site / "hipcheck.toml").write_bytes(data)
    assert expected in _check(site, capsys)


def test_binary_pyproject_is_an_error_not_a_crash(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (site / "pyproject.toml").write_bytes(b"[tool.hipcheck]\n\xff\xfe\x00select = 1\n")
    assert "pyproject.toml: not UTF-8 text" in _check(site, capsys)


def test_the_size_limit_covers_the_whole_extend_chain(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    padding = "#" * (MAX_CONFIG_BYTES // 3) + "\n"  # a third of the limit per file: the third file exceeds it
    write_tree(site, {"c/1.toml": 'extend = "2.toml"\n' + padding, "c/2.toml": padding})
    write_tree(site, {"hipcheck.toml": 'extend = "c/1.toml"\n' + padding})
    assert f"2.toml: larger than the {MAX_CONFIG_BYTES}-byte limit" in _check(site, capsys)


def test_binary_extend_target(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (site / "base.toml").write_bytes(b"\x00\xff" * 100)
    write_tree(site, {"hipcheck.toml": 'extend = "base.toml"\n'})
    assert "base.toml: not UTF-8 text" in _check(site, capsys)


def test_extend_cycle(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_tree(site, {"a.toml": 'extend = "b.toml"\n', "b.toml": 'extend = "a.toml"\n'})
    write_tree(site, {"hipcheck.toml": 'extend = "a.toml"\n'})
    assert "'extend' goes in a circle" in _check(site, capsys)


@pytest.mark.parametrize("length", [MAX_EXTEND_DEPTH + 1, 1500])
def test_extend_chain_longer_than_the_limit(site: Path, capsys: pytest.CaptureFixture[str], length: int) -> None:
    files = {f"c/{i}.toml": f'extend = "{i + 1}.toml"\n' for i in range(length)}
    files[f"c/{length}.toml"] = 'commercial-terms = ["buy"]\n'
    files["hipcheck.toml"] = 'extend = "c/0.toml"\n'
    write_tree(site, files)
    line = _check(site, capsys)
    assert f"'extend' chain deeper than {MAX_EXTEND_DEPTH} levels" in line
    assert "hipcheck.toml -> " in line and "c/0.toml" in line


def test_extend_chain_at_the_limit_loads(site: Path) -> None:
    files = {f"c/{i}.toml": f'extend = "{i + 1}.toml"\n' for i in range(MAX_EXTEND_DEPTH - 1)}
    files[f"c/{MAX_EXTEND_DEPTH - 1}.toml"] = 'commercial-terms = ["buy"]\n'
    files["hipcheck.toml"] = 'extend = "c/0.toml"\n'
    write_tree(site, files)
    config = load_config(site)
    assert config.commercial_terms == ["buy"]
    assert config.origins["commercial-terms"].endswith(f"{MAX_EXTEND_DEPTH - 1}.toml:1")


def test_extend_errors_name_the_file_they_are_in(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_tree(site, {"base.toml": '\nselect = ["ZZ9"]\n', "hipcheck.toml": 'extend = "base.toml"\n'})
    assert "base.toml:2: select: unknown rule selector 'ZZ9'" in _check(site, capsys)


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        (["--select", "HC2O3"], "--select: unknown rule selector 'HC2O3' (did you mean HC203?)"),
        (["--select", "ZZ9"], "--select: unknown rule selector 'ZZ9'"),
        (["--ignore", "HC2,HC9999"], "--ignore: unknown rule selector 'HC9999'"),
        (["--select", ","], "--select: no rule selectors given"),
    ],
)
def test_unknown_command_line_selectors(
    site: Path, capsys: pytest.CaptureFixture[str], options: list[str], expected: str
) -> None:
    assert expected in _check(site, capsys, *options)


@pytest.mark.skipif(os.name == "nt", reason="symbolic links")
def test_verification_cache_through_a_symlink_leaving_the_root(
    site: Path, tmp_path_factory: pytest.TempPathFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    outside = tmp_path_factory.mktemp("outside")
    (outside / "verification.json").write_text("{}")
    (site / ".hipcheck").symlink_to(outside, target_is_directory=True)
    write_tree(site, {"hipcheck.toml": "select = ['HC2']\n"})
    line = _check(site, capsys)
    assert line.startswith("hipcheck: online.cache: ") and "resolves outside the content root" in line
    write_tree(site, {"hipcheck.toml": "[online]\ncache = '.hipcheck/v.json'\n"})
    assert "hipcheck.toml:1: online.cache: " in _check(site, capsys)


# --- what must keep working -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        'select = ["HC2", "hc203", "exercise-missing-dosage", "ALL"]\nignore = ["HC9"]\n',
        '[severity]\nHC201 = "info"\nexercise-missing-dosage = "warning"\n',
        '[per-file-ignores]\n"exercises/*.yaml" = ["HC2", "exercise-missing-dosage"]\n',
        'commercial-terms = []\nexclude = ["exercises/draft-*"]\n',
        'content-root = "."\n[online]\ncache = "cache/verification.json"\ndeadline = 10\n',
        'select = []\n[online]\ncrossref-api = "http://127.0.0.1:8080/crossref"\n',
    ],
)
def test_valid_configurations_still_load(site: Path, capsys: pytest.CaptureFixture[str], text: str) -> None:
    write_tree(site, {"hipcheck.toml": text})
    status = main(["check", str(site), "--no-cache", "--format", "concise"])
    captured = capsys.readouterr()
    assert status in (0, 1), captured.err
    assert captured.err == ""


def test_command_line_selectors_by_prefix_and_name(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["check", str(site), "--no-cache", "--select", "hc2,exercise-missing-dosage", "--ignore", "ALL"])
    captured = capsys.readouterr()
    assert status == 0 and captured.err == ""


def test_the_repository_configuration_loads() -> None:
    config = load_config(REPO)
    assert config.source == REPO / "pyproject.toml"
    assert config.root_dir == REPO / "content"


def test_the_readme_example_configuration_loads(tmp_path: Path) -> None:
    readme = (REPO / "README.md").read_text("utf-8")
    example = readme.split("## Configuration", 1)[1].split("```toml\n", 1)[1].split("```", 1)[0]
    write_tree(tmp_path, {"shared/hipcheck.toml": "source-max-age = 30\n", "site/pyproject.toml": example})
    config = load_config(tmp_path / "site")
    assert config.severity == {"HC305": "error"} and config.source_max_age == 25
