"""Intent quality on the held-out set, shared by the tests and the benchmark."""

from pathlib import Path
from typing import Callable, Dict, List, Tuple

import yaml

ROOT = Path(__file__).resolve().parent.parent
HELD_OUT = ROOT / "tests" / "nlu_test.yml"
HELD_OUT_ES = ROOT / "tests" / "nlu_test_es.yml"  # Spanish (issue 15)
URGENT = "urgent_help"


def read_nlu(path: Path) -> List[Tuple[str, str]]:
    """(label, text) pairs of a Rasa NLU YAML file; labels may be `intent/sub`."""
    pairs = []
    for block in yaml.safe_load(path.read_text(encoding="utf-8"))["nlu"]:
        for line in block["examples"].splitlines():
            line = line.strip()
            if line.startswith("- "):
                pairs.append((block["intent"], line[2:].strip()))
    return pairs


def per_intent_scores(gold: List[str], predicted: List[str]) -> Dict[str, Tuple[float, float, float, int]]:
    """intent -> (precision, recall, F1, support) over the gold intents."""
    scores = {}
    for intent in sorted(set(gold)):
        tp = sum(g == p == intent for g, p in zip(gold, predicted))
        fp = sum(p == intent != g for g, p in zip(gold, predicted))
        fn = sum(g == intent != p for g, p in zip(gold, predicted))
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        scores[intent] = (precision, recall, f1, tp + fn)
    return scores


def macro_f1(scores: Dict[str, Tuple[float, float, float, int]]) -> float:
    return sum(f1 for _, _, f1, _ in scores.values()) / len(scores)


def held_out_quality(parse: Callable[[str], Dict], held_out: Path = HELD_OUT) -> Dict[str, float]:
    """Macro-F1 and urgent recall of `parse` (text -> Rasa parse data)."""
    rows = [(label.split("/", 1)[0], parse(text)["intent"]["name"]) for label, text in read_nlu(held_out)]
    gold, predicted = [g for g, _ in rows], [p for _, p in rows]
    scores = per_intent_scores(gold, predicted)
    return {"macro_f1": macro_f1(scores), "urgent_recall": scores[URGENT][1]}
