"""`make content-report`: every response on one page a clinician can review without
running anything, as self-contained HTML and as Markdown.

Per response, grouped by topic: its text and buttons, the intents, rules, safety
net category and buttons that lead to it, with the example questions; its
fact-sheet sections and sources, the source users see, reading grade and word
count, the warning signs it names and their levels, the last review and when the
next is due (flagged when overdue), and any problem the content checks find.
Then the urgency table (content/urgency.yml).

    python -m content.report [--out results] [--period-days 365] [--today YYYY-MM-DD]
"""

import argparse
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Tuple

from content import ROOT, load_responses
from content.readability import MAX_GRADE, MAX_MEAN_GRADE, is_spanish, reading, word_count
from content.review import Entry, FactSheet, Review
from content.routes import Route, routes
from content.urgency import Urgency

# Topic of each response, by name; the rest is conversation.
TOPICS = (
    ("utter_ask_uses/", "Uses"),
    ("utter_ask_side_effects/", "Side effects"),
    ("utter_ask_back_pain/", "Lower back pain"),
    ("utter_seek_advice/", "Getting help"),
    ("utter_personal_advice/", "Personal questions"),
    ("utter_urgent_help/", "Urgent"),
)
CONVERSATION = "Conversation"
SOURCE_PREFIX = "Source: "


def topic_of(name: str) -> str:
    return next((title for prefix, title in TOPICS if name.startswith(prefix)), CONVERSATION)


@dataclass
class Row:
    name: str
    topic: str
    text: str
    urgent: bool
    buttons: List[Tuple[str, str]]
    route: Route
    entry: Optional[Entry]
    grade: float  # Flesch-Kincaid; for a Spanish response, its Fernandez-Huerta ease
    words: int
    next_due: Optional[dt.date]
    overdue: bool
    signs: List[Tuple[str, str]]  # (sign name, level label as said)
    problems: List[str] = field(default_factory=list)
    spanish: bool = False

    @property
    def reading_label(self) -> str:
        return f"Spanish ease {self.grade:.0f}" if self.spanish else f"grade {self.grade:.1f}"

    @property
    def source(self) -> str:
        last = self.text.splitlines()[-1]
        return last[len(SOURCE_PREFIX) :].rstrip(".") if last.startswith(SOURCE_PREFIX) else ""


@dataclass
class Report:
    today: dt.date
    period_days: int
    rows: List[Row]
    urgency: Urgency
    sheet: FactSheet

    def topics(self) -> List[Tuple[str, List[Row]]]:
        order = [CONVERSATION] + [title for _, title in TOPICS]
        return [
            (t, [r for r in self.rows if r.topic == t]) for t in order if any(r.topic == t for r in self.rows)
        ]

    def english(self) -> List[Row]:
        return [r for r in self.rows if not r.spanish]

    @property
    def mean_grade(self) -> float:
        return sum(r.grade for r in self.english()) / len(self.english())

    @property
    def max_grade(self) -> float:
        return max(r.grade for r in self.english())

    def overdue(self) -> List[str]:
        return [r.name for r in self.rows if r.overdue]

    def problems(self) -> List[str]:
        return [f"{r.name}: {p}" for r in self.rows for p in r.problems]

    def sign_users(self, sign: str) -> List[str]:
        return [r.name for r in self.rows if any(s == sign for s, _ in r.signs)]


def build(
    today: dt.date,
    period_days: Optional[int] = None,
    responses: Optional[Dict] = None,
    review: Optional[Review] = None,
    urgency: Optional[Urgency] = None,
    sheet: Optional[FactSheet] = None,
) -> Report:
    responses = load_responses() if responses is None else responses
    review = review or Review.load()
    urgency = urgency or Urgency.load()
    sheet = sheet or FactSheet.load()
    period = period_days or review.period_days
    leads = routes(responses)
    record_problems: Dict[str, List[str]] = {}
    for problem in review.check(responses, sheet, today):
        record_problems.setdefault(problem.response, []).append(problem.problem)
    overdue = set(review.overdue(today, period))
    rows = []
    for name, response in responses.items():
        text = response["text"]
        mentions, violations = urgency.read(name, text)
        signs = list(
            dict.fromkeys(
                (
                    m.sign,
                    " and ".join(sorted(urgency.levels[level].label for level in m.levels)) or "named only",
                )
                for m in mentions
            )
        )
        problems = record_problems.get(name, []) + [
            v.problem + (f' in "{v.sentence}"' if v.sentence else "") for v in violations
        ]
        score, too_hard = reading(response)
        if too_hard:
            problems.append(too_hard)
        rows.append(
            Row(
                name,
                topic_of(name),
                text,
                bool((response.get("metadata") or {}).get("urgent")),
                [(b["title"], b["payload"]) for b in response.get("buttons") or []],
                leads[name],
                review.entries.get(name),
                score,
                word_count(text),
                review.next_due(name, period),
                name in overdue,
                signs,
                problems,
                is_spanish(response),
            )
        )
    return Report(today, period, rows, urgency, sheet)


# --- Markdown ------------------------------------------------------------------


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def to_markdown(report: Report) -> str:
    lines = [
        "# Content report: every response, for clinical review",
        "",
        *summary_lines(report),
        "",
        "## Urgency levels (content/urgency.yml)",
        "",
        "| Warning sign | Level | Fact sheet | Basis | Responses that name it |",
        "|---|---|---|---|---|",
    ]
    for name, sign in report.urgency.signs.items():
        lines.append(
            f"| {_cell(sign.title)} | {report.urgency.levels[sign.level].label} | "
            f"{', '.join(sign.sections)} | {_cell(sign.basis)} | "
            f"{_cell(', '.join(report.sign_users(name)) or '-')} |"
        )
    for topic, rows in report.topics():
        lines += ["", f"## {topic} ({len(rows)})"]
        for row in rows:
            lines += ["", f"### {row.name}" + (" (urgent)" if row.urgent else "")]
            lines += [""] + [f"> {line}" for line in row.text.splitlines()] + [""]
            lines += [f"- **{label}:** {value}" for label, value in details(report, row)]
            if row.route.examples:
                lines.append(
                    f"- **Example questions ({len(row.route.examples)}):** "
                    + "; ".join(f'"{e}"' for e in row.route.examples)
                )
    return "\n".join(lines) + "\n"


def summary_lines(report: Report) -> List[str]:
    overdue = report.overdue()
    problems = report.problems()
    return [
        f"Generated {report.today.isoformat()} from domain.yml, data/, content/review.yml and "
        f"content/urgency.yml. Facts: {report.sheet.path.name} (the fact sheet).",
        "",
        f"- Responses: {len(report.rows)}",
        f"- Reading grade (Flesch-Kincaid): mean {report.mean_grade:.2f} "
        f"(target {MAX_MEAN_GRADE:.1f} or lower), "
        f"max {report.max_grade:.1f} (target {MAX_GRADE:.1f} or lower)",
        f"- Review period: {report.period_days} days; overdue for review: {len(overdue)}"
        + (f" ({', '.join(overdue)})" if overdue else ""),
        f"- Problems found by the content checks: {len(problems)}",
    ] + [f"  - {p}" for p in problems]


def details(report: Report, row: Row) -> List[Tuple[str, str]]:
    """(label, plain text) pairs shown for every response, in both formats."""
    entry = row.entry
    leads = [f"intent {i}" for i in row.route.intents]
    leads += [row.route.safety] if row.route.safety else []
    leads += [f'button "{title}" in {source}' for source, title in row.route.buttons_in]
    review_line = "no review record"
    if entry is not None and entry.reviewed is not None:
        review_line = (
            f"{entry.reviewed.isoformat()} by {entry.reviewer or '?'}; next review due "
            f"{row.next_due.isoformat()}" + (" - OVERDUE" if row.overdue else "")
        )
    pairs = [
        ("Buttons", "; ".join(f"{title} ({payload})" for title, payload in row.buttons) or "-"),
        ("Leads here", "; ".join(leads) or "-"),
        (
            "Fact-sheet sections",
            "; ".join(
                f"{s} {report.sheet.sections.get(s, '(unknown section)')}"
                for s in (entry.sections if entry else ())
            )
            or "-",
        ),
        (
            "Sources behind it",
            "; ".join(
                f"[{s}] {report.sheet.sources.get(s, '(unknown source)')}"
                for s in (entry.sources if entry else ())
            )
            or "-",
        ),
        ("Source users see", row.source or "-"),
        ("Reading", f"{row.reading_label}, {row.words} words"),
        (
            "Warning signs and levels",
            "; ".join(f"{report.urgency.signs[s].title}: {level}" for s, level in row.signs) or "-",
        ),
        ("Last reviewed", review_line),
    ]
    if entry is not None and entry.findings:
        pairs.append(("Review findings answered", ", ".join(entry.findings)))
    if entry is not None and entry.note:
        pairs.append(("Note", entry.note))
    if row.problems:
        pairs.append(("PROBLEMS", "; ".join(row.problems)))
    return pairs


def main() -> None:
    from content.html import to_html

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "results")
    parser.add_argument(
        "--period-days",
        type=int,
        default=None,
        help="review period (default: review_period_days in content/review.yml)",
    )
    parser.add_argument("--today", type=dt.date.fromisoformat, default=dt.date.today())
    args = parser.parse_args()
    report = build(args.today, args.period_days)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "content-report.md").write_text(to_markdown(report), encoding="utf-8")
    (args.out / "content-report.html").write_text(to_html(report), encoding="utf-8")
    print(
        f"{len(report.rows)} responses; reading grade mean {report.mean_grade:.2f}, max "
        f"{report.max_grade:.1f}; {len(report.overdue())} overdue for review; "
        f"{len(report.problems())} problems -> {args.out / 'content-report.html'} and .md"
    )
    for problem in report.problems():
        print(f"  {problem}")


if __name__ == "__main__":
    main()
