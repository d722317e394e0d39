"""The benchmark corpus generator (benchmarks/generate.py) on small sizes: no timing here."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType

import pytest
import yaml

from helpers import REPO, TODAY


def _load(name: str) -> ModuleType:
    path = REPO / "benchmarks" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"benchmarks_{name}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    sys.path.insert(0, str(path.parent))  # run.py imports generate.py beside it
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(path.parent))
    return module


generate = _load("generate")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    root = tmp_path_factory.mktemp("corpus")
    manifest = generate.generate(root, 50, articles=10, seed=7, defect_share=0.2)
    return root, manifest


def test_layout(corpus: tuple[Path, dict]) -> None:
    root, manifest = corpus
    assert len(list((root / "exercises").glob("*.yaml"))) == 50
    assert len(list((root / "articles").glob("*.md"))) == 10
    for kind in ("muscles", "references"):
        for source in (REPO / "content" / kind).iterdir():
            assert (root / kind / source.name).read_bytes() == source.read_bytes()  # copied as they are
    assert json.loads((root / generate.MANIFEST).read_text()) == manifest
    assert 700 <= manifest["exercise_bytes"] / 50 <= 1500  # about 1 KB each, like the corpus


def test_records_are_real(corpus: tuple[Path, dict]) -> None:
    root, _ = corpus
    muscles = {p.stem for p in (REPO / "content" / "muscles").glob("*.yaml")}
    references = {p.stem for p in (REPO / "content" / "references").glob("*.yaml")}
    exercises = {p.stem for p in (root / "exercises").glob("*.yaml")}
    bases = {p.stem for p in (REPO / "content" / "exercises").glob("*.yaml")}
    for stem in exercises:
        base, _, n = stem.rpartition("-")
        assert base in bases and n.isdigit()
    cited = Counter[str]()
    for path in (root / "exercises").glob("*.yaml"):
        data = yaml.safe_load(path.read_text("utf-8"))
        assert data["id"] == path.stem
        cited.update(data["muscles"]["primary"] + data["muscles"]["secondary"])
        assert set(data["references"]) <= references | set(generate.WRONG_REFERENCES)
    # Each exercise keeps its base exercise's real muscles (random ones would contradict its actions).
    assert set(cited) - muscles <= set(generate.WRONG_MUSCLES) and len(set(cited) & muscles) >= 5


def test_hipcheck_finds_exactly_the_seeded_defects(corpus: tuple[Path, dict]) -> None:
    root, manifest = corpus
    done = subprocess.run(
        [sys.executable, "-m", "hipcheck", "check", ".", "--format", "json", "--today", TODAY.isoformat()],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    found = Counter((d["path"], d["code"]) for d in json.loads(done.stdout)["diagnostics"])
    seeded = Counter((d["path"], d["code"]) for d in manifest["defects"])
    # Anything else means the generated records are not clean: update benchmarks/generate.py.
    assert found - seeded == Counter(), "findings on records the generator meant to be clean"
    assert seeded - found == Counter(), "seeded defects hipcheck did not report"
    codes = {code for _, code in seeded}
    assert {"HC201", "HC202", "HC203", "HC206", "HC401", "HC402", "HC403", "HC404"} <= codes


def test_deterministic_for_a_seed(tmp_path: Path) -> None:
    def files(root: Path) -> dict[str, bytes]:
        return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}

    generate.generate(tmp_path / "a", 20, seed=3)
    generate.generate(tmp_path / "b", 20, seed=3)
    generate.generate(tmp_path / "c", 20, seed=4)
    assert files(tmp_path / "a") == files(tmp_path / "b")
    assert files(tmp_path / "a") != files(tmp_path / "c")


def test_command_lines_are_split_to_fit() -> None:
    run = _load("run")
    args = [f"corpus/exercises/exercise-{i}.yaml" for i in range(100_000)]
    chunks = run.batches(args, {"PATH": "/usr/bin"}, ["check-jsonschema", "--schemafile", "schema.json"])
    assert [a for chunk in chunks for a in chunk] == args
    assert len(chunks) > 1
    assert all(sum(len(a) + 9 for a in chunk) <= 1024 * 1024 for chunk in chunks)


def test_growth_targets_compare_each_measurement_with_the_same_one_at_10000() -> None:
    run = _load("run")
    names = ["hipcheck check, cold (--no-cache)", "hipcheck check ONE.yaml, one file changed, warm"]
    results = [run.Measurement(10_000, name, 2.0, 70 * run.MB) for name in names]
    results += [
        run.Measurement(100_000, names[0], 21.0, 400 * run.MB),
        run.Measurement(100_000, names[1], 23.0, 1_200 * run.MB),
        run.Measurement(100_000, "check-jsonschema, exercise schema", 250.0, 80 * run.MB),
    ]
    run.add_growth_targets(results)
    assert [m.targets for m in results[:2]] == [[], []]
    assert results[2].targets == [("≤ 11 × the 10,000 figure (is 10.5×)", True), ("peak ≤ 1 GB", True)]
    assert results[3].targets == [("≤ 11 × the 10,000 figure (is 11.5×)", False), ("peak ≤ 1 GB", False)]
    assert results[4].targets == []  # only hipcheck's own measurements have targets
