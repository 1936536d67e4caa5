"""python -m insights [--endpoints endpoints.yml] [--since YYYY-MM-DD] [--until YYYY-MM-DD] [--out FILE]

`make insights` runs this on the tracker store of `make run` (conversations.db);
ENDPOINTS=deploy/endpoints.scale.yml reads the scale-out PostgreSQL instead.
The range is whole UTC days, both ends included; by default the last 30 days.
"""

import argparse
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import List, Text, Tuple

from insights.figures import Figures, Settings, count
from insights.read import database_url, read_events, read_only_engine
from insights.report import render


def day_range(since: date, until: date) -> Tuple[float, float, List[Text]]:
    """Start and end timestamps (end excluded) and every day in between."""
    start = datetime.combine(since, datetime.min.time(), tzinfo=timezone.utc)
    end = datetime.combine(until + timedelta(days=1), datetime.min.time(), tzinfo=timezone.utc)
    days = [(since + timedelta(days=i)).isoformat() for i in range((until - since).days + 1)]
    return start.timestamp(), end.timestamp(), days


def collect(engine, since: date, until: date, settings: Settings) -> Figures:
    start, end, days = day_range(since, until)
    return count(read_events(engine, start, end), days, settings)


def main() -> None:
    parser = argparse.ArgumentParser(description="Write the insights page for the content team.")
    today = datetime.now(timezone.utc).date()
    parser.add_argument("--endpoints", type=Path, default=Path("endpoints.yml"))
    parser.add_argument("--since", type=date.fromisoformat, default=today - timedelta(days=29))
    parser.add_argument("--until", type=date.fromisoformat, default=today)
    parser.add_argument("--out", type=Path, default=Path("results/insights.html"))
    args = parser.parse_args()
    if args.since > args.until:
        parser.error("--since must not be after --until")
    url = database_url(args.endpoints)
    try:
        figures = collect(read_only_engine(url), args.since, args.until, Settings.load())
    except FileNotFoundError as error:
        parser.exit(1, f"{error}: nothing stored yet (`make run` creates it)\n")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    source = f"the {url.get_backend_name()} tracker store of {args.endpoints}"
    args.out.write_text(
        render(figures, args.since.isoformat(), args.until.isoformat(), source), encoding="utf-8"
    )
    print(
        f"{args.out}: {figures.conversations} conversations, {figures.messages} messages, "
        f"fallback {100 * figures.fallback_rate:.1f}%, abstain {100 * figures.abstain_rate:.1f}%, "
        f"{len(figures.unanswered)} questions not answered, {args.since} to {args.until}."
    )


if __name__ == "__main__":
    main()
