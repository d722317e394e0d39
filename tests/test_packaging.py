"""Packaging: one source for the version, a licence file that matches the declared licence, py.typed shipped,
a changelog entry for the version."""

from __future__ import annotations

import os
import re
import tomllib
from importlib import metadata

import pytest

import hipcheck

from helpers import REPO

PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))


def test_the_version_has_one_source() -> None:
    project = PYPROJECT["project"]
    assert "version" not in project and "version" in project["dynamic"]
    assert PYPROJECT["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "hipcheck.__version__"}
    assert re.fullmatch(r"\d+\.\d+\.\d+", hipcheck.__version__)
    assert metadata.version("hipcheck") == hipcheck.__version__  # the installed metadata reads it


def test_the_licence_file_matches_the_licence_expression() -> None:
    project = PYPROJECT["project"]
    assert project["license"] == "MIT" and project["license-files"] == ["LICENSE"]
    licence = (REPO / "LICENSE").read_text("utf-8")
    assert licence.startswith("MIT License\n\nCopyright (c) ")
    assert "Permission is hereby granted, free of charge" in licence
    # PEP 639: a licence expression replaces the licence classifiers, and needs setuptools 77.
    assert not any(c.startswith("License ::") for c in project["classifiers"])
    (requirement,) = PYPROJECT["build-system"]["requires"]
    floor = re.fullmatch(r"setuptools>=(\d+)(?:\.\d+)*", requirement)
    assert floor is not None and int(floor.group(1)) >= 77


def test_the_package_says_it_is_typed() -> None:
    assert (REPO / "hipcheck" / "py.typed").is_file()
    assert "py.typed" in PYPROJECT["tool"]["setuptools"]["package-data"]["hipcheck"]


def test_classifiers_name_the_python_versions_requires_python_allows() -> None:
    project = PYPROJECT["project"]
    minimum = re.fullmatch(r">=3\.(\d+)", project["requires-python"])
    assert minimum is not None
    versions = sorted(int(c.rsplit(".", 1)[1]) for c in project["classifiers"] if re.fullmatch(r".*:: 3\.\d+", c))
    assert versions and versions[0] == int(minimum.group(1))


def test_runtime_dependencies_have_upper_bounds() -> None:
    for requirement in PYPROJECT["project"]["dependencies"]:
        assert "<" in requirement, f"{requirement}: no upper bound"


def test_the_changelog_has_an_entry_for_the_version() -> None:
    changelog = (REPO / "CHANGELOG.md").read_text("utf-8")
    assert f"## [{hipcheck.__version__}]" in changelog
    assert changelog.index("## [Unreleased]") < changelog.index(f"## [{hipcheck.__version__}]")


# A path to the project's reference folder written in code: `ROOT.parent / "shared"`, "../shared/...", or an
# absolute path into one of its folders. Prose that names it (a docstring's command line) has no quote before.
SHARED_PATH = re.compile(
    r"""\.parents?\b[^\n]*/\s*["']shared["']"""
    r"""|["']\.\./shared/"""
    r"""|["'][^"'\n]*/shared/(?:data|seeds|oracles|hooks)\b"""
    r"""|["']shared["']\s*/\s*["'](?:data|seeds|oracles|hooks)["']"""
)


def test_no_test_reads_the_shared_folder() -> None:
    """A fresh clone has no ../shared: what the tests need is vendored in tests/data (tests/data/SOURCES.md).
    Every test module, helper and data script, and every tool a test runs (tools/: the built-in vocabulary's
    build, the docs generator); tests/conftest.py also refuses, at run time, any file opened there."""
    sources = [*sorted((REPO / "tests").rglob("*.py")), *sorted((REPO / "tools").glob("*.py"))]
    assert REPO / "tests" / "test_builtin_vocabulary.py" in sources
    assert REPO / "tools" / "build_muscle_vocabulary.py" in sources
    guards = {"tests/conftest.py", "tests/test_packaging.py"}  # they name it to refuse it
    readers = [str(p.relative_to(REPO)) for p in sources if SHARED_PATH.search(p.read_text("utf-8"))]
    assert sorted(set(readers) - guards) == []


@pytest.mark.parametrize(
    ("line", "reads"),
    [
        ('OBO = REPO.parent / "shared" / "data" / "uberon-basic.obo"', True),
        ("SEEDS = Path(__file__).parents[2] / 'shared'", True),
        ('json.loads(Path("../shared/data/free-exercise-db.json").read_text())', True),
        ('OBO = Path("/work/shared/data/uberon-basic.obo")', True),
        ('DATA = ROOT / "shared" / "data"', True),
        ("    python tools/build_muscle_vocabulary.py --ontology ../shared/data/uberon-basic.obo", False),
        ('write_tree(tmp_path, {"shared/hipcheck.toml": "source-max-age = 30\\n"})', False),
        ('EXTRACT = REPO / "tests" / "data" / "uberon" / "muscles.json"', False),
    ],
)
def test_the_shared_folder_guard_knows_a_reader(line: str, reads: bool) -> None:
    assert bool(SHARED_PATH.search(line)) is reads


def test_opening_a_file_in_the_shared_folder_fails_in_a_test() -> None:
    from conftest import SHARED

    with pytest.raises(PermissionError, match="tests never read"):
        (SHARED / "data" / "uberon-basic.obo").read_text("utf-8")
    with pytest.raises(PermissionError, match="tests never read"):
        os.listdir(SHARED)
