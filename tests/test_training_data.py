"""The training and test data are big enough, varied, and kept apart."""

from collections import Counter

from conftest import held_out_examples, normalise, training_examples

FIXED_INTENTS = {
    "ask_uses",
    "ask_side_effects",
    "ask_back_pain",
    "seek_advice",
    "urgent_help",
    "personal_advice",
    "greet",
    "goodbye",
    "thank",
    "bot_challenge",
    "out_of_scope",
}
# Feedback, "forget me" and a person to contact (data/nlu/service.yml): short,
# distinct phrasings, and mostly sent as button payloads.
SERVICE_INTENTS = {
    "helpful",
    "not_helpful",
    "rephrase",
    "forget_me",
    "forget_me_confirm",
    "forget_me_cancel",
    "ask_human",
    # "English please" / "en español" (data/nlu/language.yml)
    "switch_language",
}
MIN_TRAINING = {"urgent_help": 60, "personal_advice": 60, **dict.fromkeys(SERVICE_INTENTS, 20)}
MIN_TRAINING_DEFAULT = 30
MIN_TEST = 10
MIN_TEST_SERVICE = 5


def base(label):
    return label.split("/", 1)[0]


def test_training_examples_per_intent():
    counts = Counter(base(label) for label, _ in training_examples())
    print(dict(sorted(counts.items())))
    assert set(counts) == FIXED_INTENTS | SERVICE_INTENTS
    for intent, count in counts.items():
        assert count >= MIN_TRAINING.get(intent, MIN_TRAINING_DEFAULT), intent


def test_held_out_examples_per_intent():
    counts = Counter(base(label) for label, _ in held_out_examples())
    print(dict(sorted(counts.items())))
    assert set(counts) == FIXED_INTENTS | SERVICE_INTENTS
    for intent, count in counts.items():
        assert count >= (MIN_TEST_SERVICE if intent in SERVICE_INTENTS else MIN_TEST), intent


def test_no_duplicates_in_training_data():
    counts = Counter(normalise(text) for _, text in training_examples())
    assert [text for text, n in counts.items() if n > 1] == []


def test_held_out_set_never_seen_in_training():
    trained = {normalise(text) for _, text in training_examples()}
    assert [text for _, text in held_out_examples() if normalise(text) in trained] == []


def test_every_sub_topic_has_an_answer_and_examples(responses):
    trained = {label for label, _ in training_examples() if "/" in label}
    answered = {name[len("utter_") :] for name in responses if "/" in name}
    assert trained == answered
    tested = {label for label, _ in held_out_examples() if "/" in label}
    assert tested <= answered
