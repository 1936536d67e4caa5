"""The review record of every response (review.yml), checked against the fact sheet.

Like a hospital's "page last reviewed" line: each response names the fact-sheet
sections and sources it draws on, when it was last reviewed and by whom (a
role, not a person). A response with no record, a section or source the sheet
does not have, or a date in the future is a problem; a record older than the
review period is overdue (shown in the report, not an error).
"""

import datetime as dt
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Tuple

from content import CONTENT, ROOT, load_yaml

REVIEW = CONTENT / "review.yml"
FACT_SHEET_RECORD = CONTENT / "fact_sheet.yml"
# Responses that give medical facts or send people to care: they must name a section.
MEDICAL_PREFIXES = ("utter_ask_", "utter_seek_advice/", "utter_personal_advice/", "utter_urgent_help/")
FINDING = re.compile(r"^[HML]\d+$")


def is_medical(name: str, text: str) -> bool:
    return name.startswith(MEDICAL_PREFIXES) or "Source:" in text or "911" in text


@dataclass(frozen=True)
class FactSheet:
    """Section ids -> titles and source tags -> names, from fact_sheet.yml."""

    sections: Dict[str, str]
    sources: Dict[str, str]
    path: Path

    @classmethod
    def load(cls, record: Path = FACT_SHEET_RECORD) -> "FactSheet":
        data = load_yaml(record)
        path = Path(os.environ.get("FACT_SHEET") or (ROOT / data["path"]))
        return cls({str(k): v for k, v in data["sections"].items()}, dict(data["sources"]), path)

    @staticmethod
    def parse(markdown: str) -> Tuple[Dict[str, str], List[str]]:
        """The sections ("## 4b. Title") and source tags ("- [DM] ...") of the sheet itself."""
        sections = dict(re.findall(r"^## (\d+[a-z]?)\. (.+?)\s*$", markdown, re.M))
        tags = [
            tag
            for line in re.findall(r"^- (\[.+)$", markdown, re.M)
            for tag in re.findall(r"\[([A-Z0-9-]+)\]", line.split(":")[0])
        ]
        return sections, tags


@dataclass(frozen=True)
class Entry:
    sections: Tuple[str, ...]
    sources: Tuple[str, ...]
    reviewed: Optional[dt.date]
    reviewer: str
    findings: Tuple[str, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class Problem:
    response: str
    problem: str

    def __str__(self) -> str:
        return f"{self.response}: {self.problem}"


@dataclass
class Review:
    period_days: int
    roles: Tuple[str, ...]
    entries: Dict[str, Entry] = field(default_factory=dict)

    @classmethod
    def from_data(cls, data: Dict) -> "Review":
        entries = {}
        for name, spec in (data.get("responses") or {}).items():
            spec = spec or {}
            reviewed = spec.get("reviewed")
            entries[name] = Entry(
                tuple(str(s) for s in spec.get("sections") or ()),
                tuple(spec.get("sources") or ()),
                reviewed if isinstance(reviewed, dt.date) else None,
                str(spec.get("reviewer") or ""),
                tuple(spec.get("findings") or ()),
                str(spec.get("note") or ""),
            )
        return cls(int(data["review_period_days"]), tuple(data["reviewer_roles"]), entries)

    @classmethod
    def load(cls, path: Path = REVIEW) -> "Review":
        return cls.from_data(load_yaml(path))

    def next_due(self, name: str, period_days: Optional[int] = None) -> Optional[dt.date]:
        entry = self.entries.get(name)
        if entry is None or entry.reviewed is None:
            return None
        return entry.reviewed + dt.timedelta(days=period_days or self.period_days)

    def overdue(self, today: dt.date, period_days: Optional[int] = None) -> List[str]:
        """Responses whose last review is older than the review period (default: review.yml's)."""
        return sorted(name for name in self.entries if (self.next_due(name, period_days) or today) < today)

    def check(self, responses: Dict[str, Dict], sheet: FactSheet, today: dt.date) -> List[Problem]:
        """Every response without a complete, valid record, and every record without a response."""
        problems = [
            Problem(name, "has a review record but no response in domain.yml")
            for name in sorted(set(self.entries) - set(responses))
        ]
        for name, response in sorted(responses.items()):
            entry = self.entries.get(name)
            if entry is None:
                problems.append(
                    Problem(
                        name,
                        "has no review record: add it to content/review.yml "
                        "(sections, sources, reviewed, reviewer)",
                    )
                )
                continue
            problems += [
                Problem(name, p) for p in self._entry_problems(name, response["text"], entry, sheet, today)
            ]
        return problems

    def _entry_problems(
        self, name: str, text: str, entry: Entry, sheet: FactSheet, today: dt.date
    ) -> List[str]:
        problems = [
            f"cites section {s!r}, which the fact sheet does not have"
            for s in entry.sections
            if s not in sheet.sections
        ]
        problems += [
            f"cites source [{s}], which the fact sheet does not list"
            for s in entry.sources
            if s not in sheet.sources
        ]
        problems += [
            f"names finding {f!r}, not a review finding id (H1, M14, L3...)"
            for f in entry.findings
            if not FINDING.match(str(f))
        ]
        if is_medical(name, text) and not entry.sections:
            problems.append("gives medical information but cites no fact-sheet section")
        if "Source:" in text and not entry.sources:
            problems.append("names a source to users but lists no fact-sheet source tag")
        if entry.reviewed is None:
            problems.append("has no last-reviewed date (reviewed: YYYY-MM-DD)")
        elif entry.reviewed > today:
            problems.append(f"was reviewed in the future ({entry.reviewed})")
        if entry.reviewer not in self.roles:
            problems.append(f"reviewer {entry.reviewer!r} is not one of {', '.join(self.roles)}")
        return problems
