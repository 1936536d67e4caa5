"""Intent quality on the held-out set (tests/nlu_test.yml), with its figures printed."""

from collections import Counter

import pytest

from bench.quality import macro_f1, per_intent_scores
from conftest import held_out_examples

MIN_MACRO_F1 = 0.93


@pytest.fixture(scope="module")
def predictions(assistant):
    """(gold label, predicted intent, selected answer key, text) per example."""
    rows = []
    for label, text in held_out_examples():
        parsed = assistant.parse(text)
        intent = parsed["intent"]["name"]
        selected = parsed["intent"].get("full_retrieval_intent_name")
        rows.append((label, intent, selected, text))
    return rows


def test_intent_macro_f1(predictions):
    gold = [label.split("/", 1)[0] for label, *_ in predictions]
    scores = per_intent_scores(gold, [intent for _, intent, *_ in predictions])
    print(f"\n{'intent':18} precision recall   f1  n")
    for intent, (p, r, f1, n) in scores.items():
        print(f"{intent:18} {p:9.2f} {r:6.2f} {f1:5.2f} {n:3d}")
    macro = macro_f1(scores)
    print(f"macro-F1 {macro:.3f}")
    for label, intent, _, text in predictions:
        if label.split("/", 1)[0] != intent:
            print(f"MISS {label} -> {intent}: {text}")
    assert macro >= MIN_MACRO_F1


def test_urgent_recall_is_total(predictions):
    urgent = [(intent, text) for label, intent, _, text in predictions if label.startswith("urgent_help")]
    missed = [text for intent, text in urgent if intent != "urgent_help"]
    print(f"urgent recall {1 - len(missed) / len(urgent):.2f} ({len(urgent)} messages)")
    assert missed == []


def test_answer_stays_inside_its_intent(predictions):
    """Whatever sub-topic is chosen belongs to the predicted intent (RetrievalRouter)."""
    for _, intent, selected, text in predictions:
        if selected:
            assert selected.split("/", 1)[0] == intent, text


def test_sub_topic_accuracy(predictions):
    """How often the exact answer is the one the example was written for."""
    scored = [
        (label, selected)
        for label, intent, selected, _ in predictions
        if "/" in label and intent == label.split("/", 1)[0]
    ]
    right = Counter(label == selected for label, selected in scored)
    accuracy = right[True] / len(scored)
    print(f"sub-topic accuracy {accuracy:.2f} ({len(scored)} messages)")
    for label, selected in scored:
        if label != selected:
            print(f"SUB-TOPIC {label} -> {selected}")
    assert accuracy >= 0.85
