"""Clinical review of the answers: honest when empty, due again after REVIEW_MONTHS."""

from __future__ import annotations

import datetime
from dataclasses import replace

import pytest

from clinic.catalog import Catalog
from clinic.review import ReviewError, review_status

TODAY = datetime.date(2026, 12, 1)


def reviewed(catalog: Catalog, **dates: str | None) -> Catalog:
    answers = dict(catalog.answers)
    for answer_id, day in dates.items():
        answers[answer_id] = replace(answers[answer_id], reviewed=day, reviewed_by="Dr A, GP")
    return replace(catalog, answers=answers)


def test_reviewed_answers_leave_the_list_and_old_reviews_are_due(catalog: Catalog):
    status = review_status(
        reviewed(catalog, overview="2026-06-01", safety="2025-11-30"), TODAY, months=12
    )
    assert "overview" not in status.not_reviewed and "safety" not in status.not_reviewed
    assert status.due == (("safety", "2025-11-30"),)
    assert len(status.not_reviewed) == len(catalog.answers) - 2
    lines = status.lines()
    assert lines[0].startswith(f"{len(catalog.answers) - 2} answers not yet reviewed")
    assert lines[1].startswith("1 answers due for review") and "safety (2025-11-30)" in lines[1]


def test_review_months_come_from_the_environment(catalog: Catalog, monkeypatch):
    monkeypatch.setenv("REVIEW_MONTHS", "3")
    status = review_status(reviewed(catalog, overview="2026-08-15"), TODAY)
    assert status.due == (("overview", "2026-08-15"),)
    monkeypatch.setenv("REVIEW_MONTHS", "soon")
    with pytest.raises(ReviewError, match="REVIEW_MONTHS"):
        review_status(catalog, TODAY)


@pytest.mark.parametrize(
    ("day", "who", "problem"),
    [("2026-13-01", "Dr A", "not a date"), ("2027-01-01", "Dr A", "future"),
     ("2026-01-01", None, "both"), (None, "Dr A", "both")],
)  # fmt: skip
def test_half_filled_or_impossible_reviews_are_refused(catalog, day, who, problem):
    broken = replace(catalog["overview"], reviewed=day, reviewed_by=who)
    with pytest.raises(ReviewError, match=problem):
        review_status(replace(catalog, answers={**catalog.answers, "overview": broken}), TODAY)


def test_every_answer_reviewed_recently_says_so(catalog: Catalog):
    every = reviewed(catalog, **dict.fromkeys(catalog.answers, "2026-11-01"))
    assert review_status(every, TODAY).lines() == [
        "Every answer was reviewed by a clinician within the last 12 months."
    ]
