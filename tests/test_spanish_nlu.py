"""Spanish understanding on its own held-out set (tests/nlu_test_es.yml), never trained on."""

from collections import Counter

import pytest

from bench.quality import HELD_OUT_ES, macro_f1, per_intent_scores, read_nlu
from conftest import ROOT, normalise, training_examples

MIN_MACRO_F1 = 0.93
MIN_TRAINING_ES = 30
MIN_TRAINING_ES_SAFETY = 60  # urgent and personal
MIN_TEST_ES = 10


def spanish_training():
    return [pair for path in sorted((ROOT / "data" / "nlu").glob("*_es.yml")) for pair in read_nlu(path)]


def base(label):
    return label.split("/", 1)[0]


def test_spanish_training_examples_per_intent():
    counts = Counter(base(label) for label, _ in spanish_training())
    print(dict(sorted(counts.items())))
    english = {base(label) for label, _ in read_nlu(ROOT / "tests" / "nlu_test.yml")} - {"switch_language"}
    assert set(counts) == english
    for intent, count in counts.items():
        minimum = MIN_TRAINING_ES_SAFETY if intent in ("urgent_help", "personal_advice") else MIN_TRAINING_ES
        assert count >= minimum, intent


def test_spanish_held_out_set_per_intent_and_never_trained_on():
    held_out = read_nlu(HELD_OUT_ES)
    counts = Counter(base(label) for label, _ in held_out)
    assert all(count >= MIN_TEST_ES for count in counts.values()), counts
    trained = {normalise(text) for _, text in training_examples()}
    assert [text for _, text in held_out if normalise(text) in trained] == []


@pytest.fixture(scope="module")
def predictions(assistant):
    return [(label, assistant.parse(text)["intent"]["name"], text) for label, text in read_nlu(HELD_OUT_ES)]


def test_spanish_intent_macro_f1(predictions):
    gold = [base(label) for label, *_ in predictions]
    scores = per_intent_scores(gold, [intent for _, intent, _ in predictions])
    for intent, (p, r, f1, n) in scores.items():
        print(f"{intent:18} {p:9.2f} {r:6.2f} {f1:5.2f} {n:3d}")
    for label, intent, text in predictions:
        if base(label) != intent:
            print(f"MISS {label} -> {intent}: {text}")
    macro = macro_f1(scores)
    print(f"Spanish macro-F1 {macro:.3f}")
    assert macro >= MIN_MACRO_F1


def test_spanish_urgent_recall_is_total(predictions):
    urgent = [(intent, text) for label, intent, text in predictions if label.startswith("urgent_help")]
    assert [text for intent, text in urgent if intent != "urgent_help"] == []
