"""`make eval`: quality figures of the trained assistant, written to results/.

Per-intent precision, recall and F1 on tests/nlu_test.yml with a confusion-matrix
PNG, out-of-scope and urgent recall, the false-urgent rate on
tests/safety/not_urgent.txt, answered-right / abstained / answered-wrong with the
abstention thresholds' trade-off curve (bench/tradeoff.py), the blind sets'
figures beside the regression ones (bench/blind.py), the readability of every
response, and the Spanish figures beside the English ones (bench/spanish.py).

    python -m bench.eval [MODEL] [--out results]
"""

import argparse
import asyncio
import logging
from pathlib import Path
from typing import List

import yaml

from bench import blind
from bench.quality import HELD_OUT, macro_f1, per_intent_scores, read_nlu
from bench.server import MODEL, ROOT
from bench.spanish import detector_lines, held_out_scores, readability_lines, side_by_side_lines
from bench.tradeoff import curve_lines, parse_sets, summary_lines
from content.readability import MAX_GRADE, MAX_MEAN_GRADE, grade, is_spanish
from safety.evaluation import evaluate


def confusion_png(gold: List[str], predicted: List[str], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels = sorted(set(gold) | set(predicted))
    counts = [
        [sum(g == row and p == col for g, p in zip(gold, predicted)) for col in labels] for row in labels
    ]
    fig, ax = plt.subplots(figsize=(8, 7))
    ax.imshow(counts, cmap="Blues")
    ax.set_xticks(range(len(labels)), labels, rotation=60, ha="right")
    ax.set_yticks(range(len(labels)), labels)
    for i, row in enumerate(counts):
        for j, n in enumerate(row):
            if n:
                ax.text(j, i, n, ha="center", va="center", color="white" if i == j else "black")
    ax.set_xlabel("predicted")
    ax.set_ylabel("labelled")
    ax.set_title("Intents on tests/nlu_test.yml")
    fig.tight_layout()
    fig.savefig(path, dpi=100)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", nargs="?", type=Path, default=MODEL)
    parser.add_argument("--out", type=Path, default=ROOT / "results")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)

    from rasa.core.agent import Agent
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)
    agent = Agent.load(str(args.model))
    loop = asyncio.new_event_loop()

    def parse(text):
        return loop.run_until_complete(agent.parse_message(text))

    rows = [(label.split("/", 1)[0], parse(text)["intent"]["name"]) for label, text in read_nlu(HELD_OUT)]
    gold, predicted = [g for g, _ in rows], [p for _, p in rows]
    scores = per_intent_scores(gold, predicted)
    confusion_png(gold, predicted, args.out / "confusion.png")
    not_urgent = evaluate(parse)["not_urgent.txt"]

    lines = [
        "# Quality of the trained assistant",
        "",
        f"Held-out set: {len(rows)} messages. Intent macro-F1 {macro_f1(scores):.3f}; "
        f"out-of-scope recall {scores['out_of_scope'][1]:.2f}; urgent recall "
        f"{scores['urgent_help'][1]:.2f}; false-urgent rate on the near misses "
        f"{1 - not_urgent.rate:.1%}.",
        "",
        "| intent | precision | recall | F1 | n |",
        "|---|---|---|---|---|",
    ]
    lines += [
        f"| {intent} | {p:.2f} | {r:.2f} | {f1:.2f} | {n} |" for intent, (p, r, f1, n) in scores.items()
    ]
    lines += ["", "![Confusion matrix](confusion.png)", ""]
    spanish, spanish_n = held_out_scores(parse)
    lines += ["## English and Spanish", ""]
    lines += side_by_side_lines(scores, len(rows), spanish, spanish_n)
    lines += ["", "### Language of short messages (language/)", ""] + detector_lines() + [""]
    answers = parse_sets(parse)
    lines += [
        "## Answering only what it knows",
        "",
        "Held-out and tuning sets (tests/answers_dev.yml); `right` on an unanswerable "
        "question means abstaining or sending it to the pharmacist.",
        "",
    ]
    lines += summary_lines(answers)
    lines += ["", "### Trade-off of the abstention thresholds (abstention/abstention.yml)", ""]
    lines += curve_lines(answers)
    lines += ["", *blind.lines(args.model)]
    lines += ["", "## Readability (Flesch-Kincaid grade)", ""]
    responses = yaml.safe_load((ROOT / "domain.yml").read_text())["responses"]
    grades = {
        name: grade(variants[0]["text"])
        for name, variants in responses.items()
        if not is_spanish(variants[0])
    }  # Spanish: Fernandez-Huerta, in tests/test_responses.py
    readability = (
        f"Reading grade of {len(grades)} responses: mean {sum(grades.values()) / len(grades):.2f} "
        f"(target {MAX_MEAN_GRADE:.1f} or lower), max {max(grades.values()):.1f} "
        f"(target {MAX_GRADE:.1f} or lower)."
    )
    lines += [readability, "", "| response | grade |", "|---|---|"]
    lines += [f"| {name} | {value:.1f} |" for name, value in sorted(grades.items(), key=lambda kv: -kv[1])]
    lines += ["", "## Readability in Spanish (Fernandez-Huerta)", ""] + readability_lines(responses)
    report = "\n".join(lines) + "\n"
    (args.out / "eval.md").write_text(report)
    print(report)
    print(readability)


if __name__ == "__main__":
    main()
