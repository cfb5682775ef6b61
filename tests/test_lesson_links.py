"""Promises kept: every link and every "lesson NN" in the course points at something that exists.

- A markdown link to a file (a notebook, the README, ...) names a file that exists; a link to a
  heading of a markdown file (`../README.md#course-map`) names a heading that exists.
- "lesson 07", "lessons 04 to 06", "notebook 12" name existing notebooks, in prose and in what code
  cells print.
- Vague forward references ("a later lesson", "the errors lesson", "the course notes") are not
  allowed: a promise names its lesson by number, so that this test can check it.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests import notebook_run as nr

ROOT = nr.ROOT
DOCS = [ROOT / "README.md", ROOT / "CONTRIBUTING.md"]
LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)")
LESSON_REF = re.compile(r"\b(?:lessons?|notebooks?)\s+(\d{2}(?:\s*(?:,|and|or|to|-|\u2013)\s*\d{2})*)\b", re.IGNORECASE)
VAGUE = re.compile(
    r"\b(?:an?|the) later lessons?\b|\blater in (?:this|the) course\b|\btaught later\b|\bthe errors lesson\b"
    r"|\bcourse notes\b|\blessons on each family\b|\bin a future lesson\b",
    re.IGNORECASE,
)


def existing_numbers() -> set[str]:
    return {p.name[:2] for p in nr.lessons()}


def named_numbers(text: str) -> list[str]:
    """Every lesson number a text names; "04 to 06" and "04-06" name 05 too."""
    found = []
    for match in LESSON_REF.finditer(text):
        chain = match.group(1)
        numbers = re.findall(r"\d{2}", chain)
        found += numbers
        for a, b in re.findall(r"(\d{2})\s*(?:to|-|\u2013)\s*(\d{2})", chain):
            found += [f"{n:02d}" for n in range(int(a) + 1, int(b))]
    return found


def slug(heading: str) -> str:
    """GitHub's anchor for a markdown heading."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    text = path.read_text(encoding="utf-8")
    return {slug(m.group(1)) for m in re.finditer(r"^#{1,6}\s+(.+?)\s*$", text, re.M)}


def texts() -> list[tuple[str, Path, str, str]]:
    """(where, base directory, kind, text) for every markdown cell, code cell and document."""
    out = []
    for path in nr.lessons():
        for i, cell in enumerate(nr.read(path).cells):
            if "navigation" in nr.tags(cell):
                continue
            out.append((f"{path.name} cell {i}", path.parent, cell.cell_type, cell.source))
    for doc in DOCS:
        out.append((doc.name, doc.parent, "markdown", doc.read_text(encoding="utf-8")))
    return out


def test_markdown_links_to_files_and_headings_exist():
    broken = []
    for where, base, kind, text in texts():
        if kind != "markdown":
            continue
        for target in LINK.findall(text):
            if re.match(r"^(?:[a-z]+:|#)", target):  # web links and same-page anchors
                continue
            file_part, _, anchor = target.partition("#")
            path = (base / file_part).resolve()
            if not path.exists():
                broken.append(f"{where}: {target} (no such file)")
            elif anchor and path.suffix == ".md" and anchor not in anchors(path):
                broken.append(f"{where}: {target} (no such heading)")
    assert not broken, "\n".join(broken)


def test_every_lesson_number_named_exists():
    have = existing_numbers()
    missing = [
        f"{where}: lesson {n}" for where, _base, _kind, text in texts() for n in named_numbers(text) if n not in have
    ]
    assert not missing, "\n".join(missing) + f"\n(existing: {sorted(have)})"


def test_no_vague_forward_references():
    vague = [f"{where}: {m.group(0)!r}" for where, _b, _k, text in texts() for m in VAGUE.finditer(text)]
    assert not vague, "name the lesson by number instead:\n" + "\n".join(vague)


@pytest.mark.parametrize(
    "text, numbers",
    [
        ("see lesson 07", ["07"]),
        ("lessons 04 to 06 explain", ["04", "06", "05"]),
        ("Lesson 12 covers retries", ["12"]),
        ("notebooks 01 and 03", ["01", "03"]),
        ("the 2023 lesson plan", []),
    ],
)
def test_lesson_numbers_are_read_the_way_a_reader_reads_them(text, numbers):
    assert named_numbers(text) == numbers


def test_a_missing_lesson_is_caught():
    assert "13" not in existing_numbers() and named_numbers("see lesson 13") == ["13"]
    assert VAGUE.search("the Converse API, taught later in this course")
