"""Which answers a clinician has checked, and which are due again.

An answer counts as reviewed only when `reviewed` (a date) and `reviewed_by` (who)
are both filled in `content/catalog.yml`; a review older than REVIEW_MONTHS months
(default 12) is due again. `make validate`, `make run` and `make report` show the
lists (`python -m clinic.check`).
"""

from __future__ import annotations

import datetime
import os
from dataclasses import dataclass

from clinic.catalog import Catalog

DEFAULT_REVIEW_MONTHS = 12


class ReviewError(ValueError):
    """A `reviewed` value that is not a date, or a date without a reviewer."""


@dataclass(frozen=True)
class ReviewStatus:
    not_reviewed: tuple[str, ...]
    due: tuple[tuple[str, str], ...]  # (answer id, date of its last review)
    months: int

    def lines(self) -> list[str]:
        result = []
        if self.not_reviewed:
            result.append(
                f"{len(self.not_reviewed)} answers not yet reviewed by a clinician: "
                + ", ".join(self.not_reviewed)
            )
        if self.due:
            result.append(
                f"{len(self.due)} answers due for review (last reviewed over {self.months} months "
                "ago): " + ", ".join(f"{answer} ({day})" for answer, day in self.due)
            )
        return result or ["Every answer was reviewed by a clinician within the last "
                          f"{self.months} months."]  # fmt: skip


def review_months() -> int:
    value = os.environ.get("REVIEW_MONTHS") or str(DEFAULT_REVIEW_MONTHS)
    if not value.isdigit() or int(value) < 1:
        raise ReviewError(f"REVIEW_MONTHS must be a whole number of months, not {value!r}")
    return int(value)


def review_status(
    catalog: Catalog, today: datetime.date | None = None, months: int | None = None
) -> ReviewStatus:
    today = today or datetime.date.today()
    months = months or review_months()
    limit = _months_before(today, months)
    not_reviewed, due = [], []
    for answer in catalog.answers.values():
        if not answer.reviewed and not answer.reviewed_by:
            not_reviewed.append(answer.id)
            continue
        if not (answer.reviewed and answer.reviewed_by):
            raise ReviewError(f"{answer.id}: fill in both `reviewed` and `reviewed_by`")
        try:
            day = datetime.date.fromisoformat(answer.reviewed)
        except ValueError:
            raise ReviewError(
                f"{answer.id}: reviewed {answer.reviewed!r} is not a date (YYYY-MM-DD)"
            ) from None
        if day > today:
            raise ReviewError(f"{answer.id}: reviewed {answer.reviewed} is in the future")
        if day < limit:
            due.append((answer.id, answer.reviewed))
    return ReviewStatus(tuple(not_reviewed), tuple(due), months)


def _months_before(day: datetime.date, months: int) -> datetime.date:
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    for last_day in (day.day, 30, 29, 28):
        try:
            return datetime.date(year, month + 1, last_day)
        except ValueError:
            continue
    raise AssertionError("unreachable")
