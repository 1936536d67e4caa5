"""The blind figures beside the regression ones, for `make eval` and the README.

Regression sets are written with the patterns and the training data, so they
show that nothing broke; blind sets (never seen by whoever tunes) estimate how
the assistant does on messages nobody here wrote. Both, before the December 2026
work (tests/baselines/) and now.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Dict, List

from bench import answers
from safety import evaluation

SAFETY_FIGURES = {
    "urgent.txt": "emergencies answered as emergencies",
    "not_urgent.txt": "near misses flagged urgent",
    "personal.txt": "personal questions routed to a personal answer",
}


def safety_rate(corpus: str, counts: Dict[str, List[int]]) -> float:
    hits = sum(h for h, _ in counts.values())
    total = sum(t for _, t in counts.values())
    rate = hits / total
    return 1 - rate if corpus == "not_urgent.txt" else rate  # near misses: the false-alarm rate


def lines(model: Path) -> List[str]:
    from bench.replies import Conversations

    with Conversations(model) as talk:
        safety = {"regression": evaluation.evaluate(talk.parse)}
        for name, directory in evaluation.BLIND_SETS.items():
            safety[name] = evaluation.evaluate_blind(talk.first_turn, talk.parse, directory)
        answer_sets = answers.evaluate_all(talk.first_turn)
    safety_before = json.loads(evaluation.BASELINE.read_text()) if evaluation.BASELINE.exists() else {}
    answers_before = answers.baseline()

    out = [
        "## Blind and regression figures",
        "",
        "Regression: tests/safety/*.txt (judged on the intent). Blind: tests/safety/blind*/ "
        "(judged on the reply: styled urgent, 911 and 'now' first, Poison Help or 988 where "
        "they fit). The misses of sets 1 to 5 were studied and fixed by kind; set 6 was "
        "measured before and after that work; set 7, by fresh authors, has been measured "
        "(totals only, its misses unread): it is the estimate.",
        "",
        "| set | figure | before | now |",
        "|---|---|---|---|",
    ]
    for name, results in safety.items():
        for corpus, result in results.items():
            was = safety_before.get(name, {}).get(corpus)
            now = safety_rate(corpus, result.as_dict())
            before = f"{safety_rate(corpus, was):.3f}" if was else "-"
            out.append(f"| {name} | {SAFETY_FIGURES[corpus]} | {before} | {now:.3f} |")
    out += ["", "| blind answer set | figure | before | now |", "|---|---|---|---|"]
    for name, figures in answer_sets.items():
        was = answers_before.get(name, {})
        for key, label in (
            ("right", "answered and right"),
            ("abstained", "abstained where an answer was due"),
            ("wrong", "answered wrong"),
            ("right_among_answerable", "right among answerable"),
        ):
            before = f"{was[key]:.1%}" if key in was else "-"
            out.append(f"| {name} | {label} | {before} | {figures[key]:.1%} |")
        key = "other_medicine_given_valacyclovir_facts"
        out.append(
            f"| {name} | other medicines given valacyclovir facts | {was.get(key, '-')} | {figures[key]} |"
        )
    return out
