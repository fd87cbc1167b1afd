"""`python -m ops.report` (`make report`): write the staff report and print where it is."""

from __future__ import annotations

import argparse
import csv
import datetime
import os
import sys
import time
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from clinic.catalog import load_catalog
from clinic.review import ReviewError, review_status
from ops.environment import ROOT, endpoints_file
from ops.report import figures, markers, plots
from ops.report.turns import read_turns
from ops.store import database_url, read_only_engine

DEFAULT_DAYS = 30
OUT = ROOT / "reports" / "report"


def report_days(value: int | None) -> int:
    days = value if value is not None else int(os.environ.get("REPORT_DAYS") or DEFAULT_DAYS)
    if days < 1:
        raise SystemExit(f"error: the report period must be at least 1 day, not {days}")
    return days


def write_csv(path: Path, header: list[str], rows: list[list[Any]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def write_csvs(out: Path, f: dict[str, Any]) -> None:
    write_csv(out / "per_day.csv", ["day", "conversations", "messages"],
              [[r["day"], r["conversations"], r["messages"]] for r in f["per_day"]])  # fmt: skip
    write_csv(out / "answers.csv", ["answer", "times"], [list(a) for a in f["answers"]])
    write_csv(out / "gaps.csv", ["times", "question", "answered_with", "also_asked_as"],
              [[g.count, g.question, ";".join(g.answers), " | ".join(g.examples[1:])]
               for g in f["gaps"]])  # fmt: skip
    write_csv(out / "red_flags.csv", ["day", "category", "message"],
              [[r["day"], r["category"], r["text"]] for r in f["red_flags"]])  # fmt: skip
    notices = [[n["day"], n["category"], n["answer"], n["text"]] for n in f["notices"]]
    write_csv(out / "safety_notices.csv", ["day", "category", "answer", "message"], notices)
    write_csv(out / "feedback.csv", ["answer", "up", "down"],
              [[r["answer"], r["up"], r["down"]] for r in f["feedback"]["per_answer"]])  # fmt: skip
    write_csv(out / "feedback_down.csv", ["day", "question", "answer", "source", "comment"],
              [[d["day"], d["question"], d["answer"], d["source"], d["comment"]]
               for d in f["feedback"]["down"]])  # fmt: skip


def review_lines() -> list[str]:
    try:
        return review_status(load_catalog()).lines()
    except ReviewError as error:
        return [str(error)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--days", type=int, default=None, help="period (REPORT_DAYS, 30)")
    parser.add_argument("--endpoints", type=Path, default=endpoints_file())
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--no-markers", action="store_true", help="skip rasa evaluate markers")
    args = parser.parse_args(argv)
    days = report_days(args.days)
    os.chdir(ROOT)  # a relative SQLite path is relative to the project, as for `rasa run`
    catalog = load_catalog()
    now = time.time()
    engine = read_only_engine(database_url(args.endpoints))
    try:
        turns = read_turns(engine, since=now - days * 86_400)
    finally:
        engine.dispose()
    f = figures.compute(turns, catalog, days)
    args.out.mkdir(parents=True, exist_ok=True)
    write_csvs(args.out, f)
    found, problem = {}, None
    if not args.no_markers:
        try:
            found = markers.evaluate(args.endpoints, args.out)
        except RuntimeError as error:
            problem = f"Rasa markers could not be evaluated: {error}"
    environment = Environment(
        loader=FileSystemLoader(Path(__file__).parent), autoescape=select_autoescape(["j2"])
    )
    today = datetime.date.fromtimestamp(now)
    page = environment.get_template("template.html.j2").render(
        f=f, clinic=catalog.settings["name"], markers=found, markers_error=problem,
        plots={"per_day": plots.per_day(f["per_day"]), "answers": plots.answers(f["answers"])},
        start=(today - datetime.timedelta(days=days)).isoformat(), end=today.isoformat(),
        generated=datetime.datetime.now().strftime("%Y-%m-%d %H:%M"), review=review_lines(),
        retention_days=os.environ.get("RETENTION_DAYS") or 30,
    )  # fmt: skip
    (args.out / "report.html").write_text(page, encoding="utf-8")
    print(f"{f['messages']} patient messages in {f['conversations']} conversations, "
          f"last {days} days.")  # fmt: skip
    print(f"written: {args.out / 'report.html'} (and CSVs beside it)")
    for line in review_lines():
        print(f"Review: {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
