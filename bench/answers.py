"""Answer accuracy on the blind answer set (tests/answers_blind.tsv).

Each question is labelled with the one answer that should reply to it
(`ask_back_pain/self_care`), `other_medicine` (a question about another medicine
alone) or `abstain` (nothing the fact sheet supports answers it). The set was
written by someone who never saw the training data; it is frozen (sha256 pinned
in tests/test_blind_sets.py) and never tuned on. Judged on the reply a person
gets in a new conversation:

* right: the labelled answer; for `other_medicine`, the other-medicine reply;
  for `abstain`, any honest non-answer;
* abstained: an honest non-answer ("I don't have checked information on that",
  the fallback, out of scope) where an answer was due;
* wrong: any other answer: the failure that matters, a confident wrong fact.

    python -m bench.answers [MODEL]
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path
from typing import Callable, Dict, List, Optional, Tuple

from bench.replies import Reply, answer_of

ROOT = Path(__file__).resolve().parent.parent
# Oldest first: once a set's misses have been studied and fixed (by kind), the
# newest one is the honest estimate.
BLIND_SETS = [
    ROOT / "tests" / "answers_blind.tsv",
    ROOT / "tests" / "answers_blind2.tsv",
    ROOT / "tests" / "answers_blind3.tsv",
    ROOT / "tests" / "answers_blind4.tsv",
    ROOT / "tests" / "answers_blind5.tsv",
    ROOT / "tests" / "answers_blind6.tsv",
    ROOT / "tests" / "answers_blind7.tsv",
]
# Figures of the assistant before the answer work (issue 13), for the "before" column.
BASELINE = ROOT / "tests" / "baselines" / "answers.json"
OTHER_MEDICINE = "other_medicine"
ABSTAIN = "abstain"
NON_ANSWERS = {"utter_fallback", "utter_out_of_scope"}
# What an honest non-answer says (tests/test_responses.py keeps these phrases).
NO_CHECKED_INFORMATION = "don't have checked information"
ONLY_VALACYCLOVIR = "only have checked information about valacyclovir"


def read_blind(path: Path) -> List[Tuple[str, str]]:
    return [
        tuple(line.split("\t", 1))
        for line in path.read_text(encoding="utf-8").splitlines()  # type: ignore[misc]
        if line.strip()
    ]


def abstains(reply: Reply) -> bool:
    text = reply.text.replace("\u2019", "'")
    return reply.name in NON_ANSWERS or NO_CHECKED_INFORMATION in text or ONLY_VALACYCLOVIR in text


def judge(label: str, reply: Reply) -> str:
    """ "right", "abstained" or "wrong"."""
    if label == OTHER_MEDICINE and ONLY_VALACYCLOVIR in reply.text.replace("\u2019", "'"):
        return "right"
    if label == ABSTAIN and abstains(reply):
        return "right"
    if reply.name == f"utter_{label}":
        return "right"
    return "abstained" if abstains(reply) else "wrong"


def evaluate(first_turn: Callable[[str], List[Reply]], path: Path) -> Dict:
    rows = []
    for label, question in read_blind(path):
        answer = answer_of(first_turn(question))
        rows.append((label, question, answer.name, judge(label, answer)))
    return summarise(rows)


def summarise(rows: List[Tuple[str, str, str, str]]) -> Dict:
    total = Counter(verdict for *_, verdict in rows)
    answerable = [row for row in rows if row[0] not in (OTHER_MEDICINE, ABSTAIN)]
    other = [row for row in rows if row[0] == OTHER_MEDICINE]
    n = len(rows)
    return {
        "questions": n,
        "right": total["right"] / n,
        "abstained": total["abstained"] / n,
        "wrong": total["wrong"] / n,
        "right_among_answerable": sum(r[3] == "right" for r in answerable) / len(answerable),
        "other_medicine_given_valacyclovir_facts": sum(r[3] == "wrong" for r in other),
        "rows": rows,
    }


def report(figures: Dict, before: Optional[Dict] = None, name: str = "") -> str:
    keys = [
        ("right", "answered and right"),
        ("abstained", "abstained where an answer was due"),
        ("wrong", "answered wrong"),
        ("right_among_answerable", "right among answerable questions"),
    ]
    lines = [
        f"Blind answer set {name} ({figures['questions']} questions)",
        "",
        "| figure | before | now |",
        "|---|---|---|",
    ]
    for key, name in keys:
        was = f"{before[key]:.1%}" if before else "-"
        lines.append(f"| {name} | {was} | {figures[key]:.1%} |")
    was = before["other_medicine_given_valacyclovir_facts"] if before else "-"
    lines.append(
        f"| other-medicine questions given valacyclovir facts | {was} | "
        f"{figures['other_medicine_given_valacyclovir_facts']} |"
    )
    lines += ["", "Answered wrong:"]
    lines += [
        f"- [{label}] -> {got or 'nothing'}: {question}"
        for label, question, got, verdict in figures["rows"]
        if verdict == "wrong"
    ]
    return "\n".join(lines)


def baseline() -> Dict:
    return json.loads(BASELINE.read_text()) if BASELINE.exists() else {}


def evaluate_all(first_turn: Callable[[str], List[Reply]]) -> Dict[str, Dict]:
    """Every blind set, by file name."""
    return {path.name: evaluate(first_turn, path) for path in BLIND_SETS}


def main(model: Path, record: bool = False) -> None:
    from bench.replies import Conversations

    with Conversations(model) as talk:
        results = evaluate_all(talk.first_turn)
    before = baseline()
    for name, figures in results.items():
        print(report(figures, before.get(name), name) + "\n")
    if record:  # only to write the "before" figures, once per set
        kept = {name: {k: v for k, v in figures.items() if k != "rows"} for name, figures in results.items()}
        BASELINE.parent.mkdir(exist_ok=True)
        BASELINE.write_text(json.dumps(kept, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    args = [arg for arg in sys.argv[1:] if arg != "--record"]
    main(Path(args[0]) if args else ROOT / "models" / "valtrex-assistant.tar.gz", "--record" in sys.argv)
