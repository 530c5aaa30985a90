"""docs/claims.md against the suite, so that the list of the source documents' claims cannot rot:
every claim has a proof; every test it names exists as a test function pytest collects (and, when
this run collected that test's file, is one of this run's items); every deviation it names is an
entry of openapi/DEVIATIONS.md; ids run in order; the counts are the rows'; and, with the
documents at hand (../shared/seeds), each has its section and no claim copies their prose."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from helpers import REPO

CLAIMS = REPO / "docs" / "claims.md"
DEVIATIONS = REPO / "openapi" / "DEVIATIONS.md"
SEEDS = REPO.parent / "shared" / "seeds"
SECTION = re.compile(r"^## (C\d) · `(\d{3}-[\w.-]+\.txt)`", re.M)
ROW = re.compile(r"^\| (C\d\.\d\d) \| (.+) \| ([^|]+) \|$")
TEST = re.compile(r"^tests/[\w/]+\.py::\w+(::\w+)?$")
DEVIATION = re.compile(r"^[DES]\d+$")
COUNT = re.compile(r"^\| `(\d{3}-[\w.-]+\.txt)` \| (C\d) \| (\d+) \| (\d+) \| (\d+) \| (\d+) \|$")
COPIED_WORDS = 8  # a run of this many words of a document inside a claim is copied prose


@dataclass
class Claim:
    id: str
    text: str
    tests: list[str] = field(default_factory=list)
    deviations: list[str] = field(default_factory=list)
    stray: list[str] = field(default_factory=list)  # proof tokens that are neither


@dataclass
class Section:
    prefix: str
    document: str
    claims: list[Claim] = field(default_factory=list)


def parse(text: str) -> list[Section]:
    sections: list[Section] = []
    for line in text.splitlines():
        heading = SECTION.match(line)
        if heading:
            sections.append(Section(heading.group(1), heading.group(2)))
            continue
        row = ROW.match(line)
        if row and sections:
            claim = Claim(row.group(1), row.group(2))
            for token in (t.strip().strip("`") for t in row.group(3).split(",")):
                target = claim.tests if TEST.match(token) else (
                    claim.deviations if DEVIATION.match(token) else claim.stray)  # fmt: skip
                target.append(token)
            sections[-1].claims.append(claim)
    return sections


def deviation_ids(text: str) -> set[str]:
    return set(re.findall(r"^\| ([DES]\d+) \|", text, re.M))


def shape_problems(sections: list[Section]) -> list[str]:
    problems = []
    for number, section in enumerate(sections):
        if section.prefix != f"C{number}" or not section.document.startswith(f"{number:03}-"):
            problems.append(f"section {section.prefix} ({section.document}) is out of order")
        for index, claim in enumerate(section.claims, start=1):
            if claim.id != f"{section.prefix}.{index:02}":
                problems.append(f"{claim.id}: expected id {section.prefix}.{index:02}")
            if not claim.tests and not claim.deviations:
                problems.append(f"{claim.id}: no proof")
            if claim.stray:
                problems.append(f"{claim.id}: not a test or a deviation: {claim.stray}")
        if not section.claims:
            problems.append(f"section {section.prefix} lists no claim")
    return problems


def deviation_problems(sections: list[Section], known: set[str]) -> list[str]:
    return [f"{claim.id}: {name} is not an entry of DEVIATIONS.md"
            for section in sections for claim in section.claims
            for name in claim.deviations if name not in known]  # fmt: skip


def _decorated_skip(node: ast.AST) -> bool:
    for decorator in getattr(node, "decorator_list", []):
        text = ast.unparse(decorator)
        if re.search(r"mark\.(skip|xfail)\b", text):
            return True
    return False


def defined_tests(path: Path) -> dict[str, bool]:
    """Node names of the collectable test functions of a file -> whether a skip/xfail marks
    them (module-level `test_*` functions and `test_*` methods of `Test*` classes)."""
    found: dict[str, bool] = {}
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        is_test = isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        if is_test and node.name.startswith("test_"):
            found[node.name] = _decorated_skip(node)
        elif isinstance(node, ast.ClassDef) and node.name.startswith("Test"):
            for item in node.body:
                is_method = isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef)
                if is_method and item.name.startswith("test_"):
                    found[f"{node.name}::{item.name}"] = _decorated_skip(item) or _decorated_skip(
                        node
                    )
    return found


def named_test_problems(
    sections: list[Section], root: Path, collected: Iterable[str]
) -> tuple[list[str], int]:
    """Problems with the named tests, and how many were matched against this run's items.
    `collected`: the node ids this pytest run collected (parameters stripped)."""
    items = set(collected)
    files_in_run = {node.split("::", 1)[0] for node in items}
    problems, matched = [], 0
    for claim in (c for section in sections for c in section.claims):
        for reference in claim.tests:
            file, _, name = reference.partition("::")
            path = root / file
            if not path.is_file():
                problems.append(f"{claim.id}: {file} does not exist")
                continue
            defined = defined_tests(path)
            if name not in defined:
                problems.append(f"{claim.id}: {reference} is not a test function of {file}")
            elif defined[name]:
                problems.append(f"{claim.id}: {reference} is marked skip or xfail")
            elif file in files_in_run:
                matched += 1
                if reference not in items:
                    problems.append(f"{claim.id}: {reference} was not collected by this run")
    return problems, matched


def count_problems(text: str, sections: list[Section]) -> list[str]:
    stated = {m.group(2): m.groups() for m in map(COUNT.match, text.splitlines()) if m}
    problems = []
    for section in sections:
        held = sum(1 for c in section.claims if c.tests and not c.deviations)
        part = sum(1 for c in section.claims if c.tests and c.deviations)
        explained = sum(1 for c in section.claims if c.deviations and not c.tests)
        actual = (section.document, section.prefix, str(len(section.claims)), str(held),
                  str(part), str(explained))  # fmt: skip
        if stated.get(section.prefix) != actual:
            problems.append(f"counts of {section.prefix}: table says {stated.get(section.prefix)}"
                            f", rows say {actual}")  # fmt: skip
    if set(stated) != {s.prefix for s in sections}:
        problems.append(f"the counts table names {sorted(stated)}")
    return problems


def copied_problems(sections: list[Section], documents: dict[str, str]) -> list[str]:
    """Claims that repeat COPIED_WORDS or more consecutive words of their document."""

    def words(text: str) -> list[str]:
        return re.findall(r"[a-z0-9]+", text.lower())

    def prose(text: str) -> str:
        """Code spans (names, values, paths) are the vendor's facts, not its prose."""
        return re.sub(r"`[^`]*`", " | ", text)

    problems = []
    for section in sections:
        source = " " + " ".join(words(documents.get(section.document, ""))) + " "
        for claim in section.claims:
            said = words(prose(claim.text))
            for start in range(len(said) - COPIED_WORDS + 1):
                run = " ".join(said[start : start + COPIED_WORDS])
                if f" {run} " in source:
                    problems.append(f"{claim.id} copies the document: '{run}'")
                    break
    return problems


# -- the checks on the real list --------------------------------------------------------------
@pytest.fixture(scope="module")
def text() -> str:
    return CLAIMS.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def sections(text: str) -> list[Section]:
    return parse(text)


def test_every_claim_has_a_proof_and_the_ids_run_in_order(sections: list[Section]) -> None:
    assert [s.prefix for s in sections] == ["C0", "C1", "C2", "C3", "C4"]
    assert shape_problems(sections) == []


def test_every_named_deviation_is_an_entry_of_deviations_md(sections: list[Section]) -> None:
    known = deviation_ids(DEVIATIONS.read_text(encoding="utf-8"))
    assert {"D1", "S1"} <= known
    assert deviation_problems(sections, known) == []


def test_every_named_test_exists_and_is_collected(
    sections: list[Section], request: pytest.FixtureRequest
) -> None:
    collected = [item.nodeid.split("[", 1)[0] for item in request.session.items]
    problems, matched = named_test_problems(sections, REPO, collected)
    assert problems == []
    files_in_run = {node.split("::", 1)[0] for node in collected}
    named = [t for s in sections for c in s.claims for t in c.tests]
    assert matched == sum(1 for t in named if t.split("::", 1)[0] in files_in_run)


def test_the_counts_are_the_rows(text: str, sections: list[Section]) -> None:
    assert count_problems(text, sections) == []


def test_each_document_has_its_section_and_no_claim_copies_it(sections: list[Section]) -> None:
    if not SEEDS.is_dir():
        pytest.skip("../shared/seeds is absent: the documents themselves are needed here")
    documents = {p.name: p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))}
    assert sorted(documents) == [s.document for s in sections]
    assert copied_problems(sections, documents) == []


# -- the checks do catch rot ----------------------------------------------------------------
BROKEN = """\
## C0 · `000-a.txt`

| id | claim | proof |
|---|---|---|
| C0.01 | A claim proved by a test that is gone. | `tests/test_fake.py::test_removed` |
| C0.03 | A claim out of order, with no proof. | see the docs |
| C0.04 | A claim naming an unknown deviation. | `S99` |
| C0.05 | A claim naming a skipped test. | `tests/test_fake.py::test_skipped` |
| C0.06 | A claim whose file is gone. | `tests/test_gone.py::test_x` |
| C0.07 | A claim whose test this run did not collect. | `tests/test_fake.py::test_real` |
"""
FAKE_TESTS = """\
import pytest


def test_real():
    assert True


@pytest.mark.skip(reason="off")
def test_skipped():
    assert True
"""


def test_the_checks_catch_what_rots(tmp_path: Path) -> None:
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_fake.py").write_text(FAKE_TESTS, encoding="utf-8")
    sections = parse(BROKEN)
    assert shape_problems(sections) == [
        "C0.03: expected id C0.02", "C0.03: no proof",
        "C0.03: not a test or a deviation: ['see the docs']",
        "C0.04: expected id C0.03", "C0.05: expected id C0.04", "C0.06: expected id C0.05",
        "C0.07: expected id C0.06",
    ]  # fmt: skip
    assert deviation_problems(sections, {"S1"}) == ["C0.04: S99 is not an entry of DEVIATIONS.md"]
    run = ["tests/test_fake.py::test_other"]  # this run collected that file, not test_real
    problems, matched = named_test_problems(sections, tmp_path, run)
    assert problems == [
        "C0.01: tests/test_fake.py::test_removed is not a test function of tests/test_fake.py",
        "C0.05: tests/test_fake.py::test_skipped is marked skip or xfail",
        "C0.06: tests/test_gone.py does not exist",
        "C0.07: tests/test_fake.py::test_real was not collected by this run",
    ]
    assert matched == 1
    assert named_test_problems(sections[:0], tmp_path, run) == ([], 0)
    right = "| `000-a.txt` | C0 | 6 | 4 | 0 | 1 |\n"
    assert count_problems(right, sections) == []
    assert count_problems(right.replace("| 4 |", "| 5 |"), sections) == [
        "counts of C0: table says ('000-a.txt', 'C0', '6', '5', '0', '1'), rows say "
        "('000-a.txt', 'C0', '6', '4', '0', '1')"
    ]
    document = {"000-a.txt": "Well: a claim proved by a test that is gone."}
    copied = copied_problems(sections, document)
    assert copied == ["C0.01 copies the document: 'a claim proved by a test that is'"]
    backticked = parse(BROKEN.replace("test that is gone", "`test that is gone`"))
    assert copied_problems(backticked, {"000-a.txt": "a claim proved by a test that is gone"}) == []
