"""Answered-and-right, abstained, answered-wrong: how well the assistant answers
only what it knows, and the trade-off its abstention thresholds make.

Every message of a labelled set (tests/nlu_test.yml, tests/answers_dev.yml) is
parsed once; the Abstainer records the figures its decision rests on, so the
outcome under any other thresholds follows without parsing again.

Labels: a sub-topic ("ask_uses/prescription"), an intent without sub-topics,
`other_medicine` ("ask your pharmacist") or `abstain` (the fact sheet cannot
answer it). Outcomes: `right` (the expected reply, or abstaining when that is
expected), `abstained` (an honest "I don't know" on something answerable) and
`wrong` (any other reply, above all a valacyclovir answer that does not fit).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence

import yaml

from abstention.component import fits
from bench.quality import HELD_OUT, ROOT, read_nlu

DEV_SET = ROOT / "tests" / "answers_dev.yml"
SETTINGS = ROOT / "abstention" / "abstention.yml"
ABSTAIN, OTHER_MEDICINE = "abstain", "other_medicine"
NOT_ANSWERS = (ABSTAIN, OTHER_MEDICINE)
# The curve: each pair of answer-confidence and similarity thresholds.
ANSWER_GRID = (0.0, 0.2, 0.3, 0.4, 0.5, 0.6)
SIMILARITY_GRID = (0.0, 0.1, 0.15, 0.2, 0.25, 0.3)


def reply_kind(parsed: Dict[str, Any]) -> str:
    """What the assistant replies to a parsed message, in the labels' terms."""
    intent = parsed["intent"]["name"]
    entities = {entity["entity"] for entity in parsed.get("entities") or []}
    if intent == "out_of_scope" and "medicine" in entities:
        return OTHER_MEDICINE
    if intent == "nlu_fallback":
        return ABSTAIN
    if intent == "out_of_scope":  # declines: "I can only help with valacyclovir..."
        return ABSTAIN if parsed.get("medicines") else intent
    return parsed["intent"].get("full_retrieval_intent_name") or intent


def outcome(label: str, kind: str) -> str:
    if kind == label or (label == ABSTAIN and kind in NOT_ANSWERS):
        return "right"
    if kind in NOT_ANSWERS or (kind == "out_of_scope" and label == OTHER_MEDICINE):
        return "abstained"
    return "wrong"


@dataclass
class Row:
    source: str
    label: str
    text: str
    kind: str
    figures: Optional[Dict[str, Any]]  # the Abstainer's, when its thresholds decided

    def kind_at(self, thresholds: Dict[str, float]) -> str:
        """The reply under other thresholds (the same one if they did not decide it)."""
        if not self.figures:
            return self.kind
        return self.figures["answer"] if fits(self.figures, thresholds) else ABSTAIN


def parse_sets(
    parse: Callable[[str], Dict[str, Any]], sets: Sequence[Path] = (HELD_OUT, DEV_SET)
) -> List[Row]:
    rows = []
    for path in sets:
        for label, text in read_nlu(path):
            parsed = parse(text)
            record = parsed.get("abstention") or {}
            decided_here = (
                record.get("decision") in ("answer", "abstain")
                and "answer_confidence" in record
                and not (parsed.get("safety") or {}).get("decision")
            )
            rows.append(Row(path.name, label, text, reply_kind(parsed), record if decided_here else None))
    return rows


def counts(rows: Iterable[Row], thresholds: Optional[Dict[str, float]] = None) -> Dict[str, int]:
    """right / abstained / wrong, split by whether the message was answerable."""
    result = {
        "answerable": 0,
        "answered_right": 0,
        "abstained": 0,
        "answered_wrong": 0,
        "unanswerable": 0,
        "abstained_right": 0,
        "unanswerable_answered": 0,
    }
    for row in rows:
        kind = row.kind_at(thresholds) if thresholds is not None else row.kind
        verdict = outcome(row.label, kind)
        if row.label in NOT_ANSWERS:
            result["unanswerable"] += 1
            result["abstained_right" if verdict == "right" else "unanswerable_answered"] += 1
        else:
            result["answerable"] += 1
            result[
                {"right": "answered_right", "abstained": "abstained", "wrong": "answered_wrong"}[verdict]
            ] += 1
    return result


def configured_thresholds() -> Dict[str, float]:
    return yaml.safe_load(SETTINGS.read_text(encoding="utf-8"))["thresholds"]


def curve_lines(rows: List[Row]) -> List[str]:
    """Markdown: the outcome on all rows for each pair of thresholds."""
    current = configured_thresholds()
    lines = [
        f"Intent threshold {current['intent']} and agreement {current['agreement']} throughout; "
        "**bold** is the configured pair.",
        "",
        "| answer ≥ | similarity ≥ | answered right | abstained (answerable) | answered wrong "
        "| abstained right (unanswerable) | answered (unanswerable) |",
        "|---|---|---|---|---|---|---|",
    ]
    for answer in ANSWER_GRID:
        for similarity in SIMILARITY_GRID:
            thresholds = dict(current, answer=answer, similarity=similarity)
            c = counts(rows, thresholds)
            mark = "**" if (answer, similarity) == (current["answer"], current["similarity"]) else ""
            lines.append(
                f"| {mark}{answer}{mark} | {mark}{similarity}{mark} | {c['answered_right']} "
                f"| {c['abstained']} | {c['answered_wrong']} | {c['abstained_right']} "
                f"| {c['unanswerable_answered']} |"
            )
    return lines


def summary_lines(rows: List[Row]) -> List[str]:
    """Markdown: the outcome per set with the configured thresholds, and every miss."""
    lines = [
        "| set | answerable | answered right | abstained | answered wrong | unanswerable "
        "| abstained right | answered |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for source in sorted({row.source for row in rows}):
        c = counts(row for row in rows if row.source == source)
        lines.append(
            f"| {source} | {c['answerable']} | {c['answered_right']} | {c['abstained']} "
            f"| {c['answered_wrong']} | {c['unanswerable']} | {c['abstained_right']} "
            f"| {c['unanswerable_answered']} |"
        )
    misses = [row for row in rows if outcome(row.label, row.kind) != "right"]
    lines += ["", "| set | expected | replied | message |", "|---|---|---|---|"]
    lines += [f"| {row.source} | {row.label} | {row.kind} | {row.text} |" for row in misses]
    return lines
