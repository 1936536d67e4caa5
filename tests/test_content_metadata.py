"""Review metadata (content/review.yml) for every response, checked against the fact sheet.

A new response fails here until it has a record in content/review.yml: its
fact-sheet sections (at least one if it gives medical facts or says 911), its
source tags (at least one if it names a source to users), a last-reviewed date
and the reviewer's role.
"""

import datetime as dt
import re

import pytest

from content.review import FactSheet, Review

TODAY = dt.date.today()
GOOD = {"sections": ["3"], "sources": ["RXL-W"], "reviewed": dt.date(2026, 12, 2), "reviewer": "pharmacist"}
MEDICAL = {
    "text": "Valacyclovir can rarely harm the kidneys.\nSource: FDA prescribing "
    "information for VALTREX (DailyMed)."
}


@pytest.fixture(scope="module")
def sheet():
    return FactSheet.load()


@pytest.fixture(scope="module")
def review():
    return Review.load()


def seeded(record=None, name="utter_ask_side_effects/seeded"):
    """A review of one seeded response with `record` (None: no record at all)."""
    data = {
        "review_period_days": 365,
        "reviewer_roles": ["pharmacist", "content editor"],
        "responses": {} if record is None else {name: record},
    }
    return Review.from_data(data), {name: MEDICAL}


def test_every_response_has_a_valid_review_record(review, sheet, responses):
    problems = [str(p) for p in review.check(responses, sheet, TODAY)]
    assert problems == [], "\n".join(problems)


def test_a_seeded_good_record_passes(sheet):
    review, responses = seeded(GOOD)
    assert review.check(responses, sheet, TODAY) == []


@pytest.mark.parametrize(
    "change, problem",
    [
        (None, "has no review record"),
        ({"sections": ["12"]}, "cites section '12', which the fact sheet does not have"),
        ({"sections": ["5c"]}, "cites section '5c'"),
        ({"sections": []}, "cites no fact-sheet section"),
        ({"sources": ["WIKIPEDIA"]}, "cites source [WIKIPEDIA]"),
        ({"sources": []}, "lists no fact-sheet source tag"),
        ({"reviewed": None}, "has no last-reviewed date"),
        ({"reviewed": "last spring"}, "has no last-reviewed date"),
        ({"reviewed": TODAY + dt.timedelta(days=1)}, "was reviewed in the future"),
        ({"reviewer": "Dr Smith"}, "is not one of pharmacist, content editor"),
        ({"findings": ["see above"]}, "not a review finding id"),
    ],
)
def test_a_seeded_bad_record_fails(sheet, change, problem):
    review, responses = seeded(None if change is None else {**GOOD, **change})
    found = [str(p) for p in review.check(responses, sheet, TODAY)]
    assert len(found) == 1 and problem in found[0], found


def test_a_record_without_its_response_fails(sheet):
    review, _ = seeded(GOOD)
    found = [str(p) for p in review.check({}, sheet, TODAY)]
    assert found == ["utter_ask_side_effects/seeded: has a review record but no response in domain.yml"]


def test_overdue_after_the_review_period():
    review, _ = seeded({**GOOD, "reviewed": dt.date(2025, 6, 1)})
    assert review.overdue(dt.date(2026, 6, 1)) == []
    assert review.overdue(dt.date(2026, 6, 2)) == ["utter_ask_side_effects/seeded"]
    assert review.overdue(dt.date(2026, 6, 2), period_days=730) == []
    assert review.next_due("utter_ask_side_effects/seeded") == dt.date(2026, 6, 1)


def test_the_fact_sheet_record_matches_the_sheet(sheet):
    """content/fact_sheet.yml lists exactly the sheet's sections and source tags."""
    if not sheet.path.exists():
        pytest.skip(f"fact sheet not here: {sheet.path} (set FACT_SHEET)")
    sections, tags = FactSheet.parse(sheet.path.read_text(encoding="utf-8"))
    assert sections == sheet.sections
    assert sorted(tags) == sorted(sheet.sources)


def test_every_review_finding_is_answered_by_a_record(review, sheet):
    """The December 2026 review's table can be checked row by row: each finding
    names the responses that answer it."""
    path = sheet.path.with_name("content-review-2026-12.md")
    if not path.exists():
        pytest.skip(f"review not here: {path}")
    findings = set(re.findall(r"^(?:\| |- )([HML]\d+)\b", path.read_text(encoding="utf-8"), re.M))
    assert len(findings) == 29
    named = {f for entry in review.entries.values() for f in entry.findings}
    assert sorted(findings - named) == []
