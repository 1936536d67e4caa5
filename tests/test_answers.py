"""The trained assistant answers only what it knows (issue 13), end to end.

Replies come from Agent.handle_text, so the slots the components fill are
really interpolated; figures on tests/answers_dev.yml are printed and bounded.
"""

import pytest

from bench.tradeoff import DEV_SET, counts, outcome, parse_sets

TOPIC_BUTTONS = [
    "/ask_uses/conditions_adults",
    "/ask_side_effects/common",
    "/ask_back_pain/is_side_effect",
    "/seek_advice/when_to_call",
]


def replies(assistant, text, sender):
    """Texts and button payloads of the replies, the disclaimer left out."""
    out = [m for m in assistant.reply(text, sender) if "automated assistant" not in m.get("text", "")]
    return [m.get("text", "") for m in out], [b["payload"] for m in out for b in m.get("buttons", [])]


@pytest.mark.parametrize(
    "text, medicine",
    [
        ("what are the side effects of valsartan", "valsartan"),
        ("what happens if one takes a double dose of simvastatin", "simvastatin"),
        ("what happens when you take lansoprazole long term", "lansoprazole"),
        ("what medicines should not be taken with gabapentin", "gabapentin"),
        ("Is Lipitor bad for your kidneys?", "Lipitor"),
        ("does ibuprofin cause stomach ulcers", "ibuprofin"),
    ],
)
def test_another_medicine_alone_is_sent_to_the_pharmacist(assistant, text, medicine):
    texts, buttons = replies(assistant, text, f"other-{medicine}")
    assert texts[0] == (
        f"I only have checked information about valacyclovir (Valtrex). For {medicine}, ask your pharmacist."
    )
    assert buttons == TOPIC_BUTTONS


@pytest.mark.parametrize(
    "text, intent",
    [
        ("valtrex vs acyclovir, whats the difference", "ask_uses"),
        ("can i take advil and valtrex together", "personal_advice"),
        ("is valaciclovir safe for the kidneys", "ask_side_effects"),
    ],
)
def test_valacyclovir_with_or_against_another_medicine_stays_in_scope(assistant, text, intent):
    assert assistant.parse(text)["intent"]["name"] == intent


@pytest.mark.parametrize(
    "text", ["i took too many tylenol", "i overdosed on xanax", "took a whole bottle of advil"]
)
def test_red_flags_win_whatever_the_medicine(assistant, text):
    texts, _ = replies(assistant, text, f"urgent-{text}")
    assert texts[0].startswith("Call 911 now (or your local emergency number)")
    assert "1-800-222-1222" in texts[0]


@pytest.mark.parametrize(
    "text, topic",
    [
        ("is it safe to drive after taking valtrex", "driving"),
        ("does valacyclovir make you sensitive to the sun", "sun sensitivity"),
        ("is it safe to take valtrex long term", "taking it every day for more than a year"),
    ],
)
def test_a_topic_the_label_does_not_cover_gets_one_honest_reply_naming_it(assistant, text, topic):
    texts, buttons = replies(assistant, text, f"topic-{topic}")
    assert texts[0].startswith(f"I don't have checked information about valacyclovir and {topic}.")
    assert buttons == TOPIC_BUTTONS


@pytest.mark.parametrize(
    "text",
    [
        "does valtrex interact with alcohol",
        "is grapefruit juice ok with valacyclovir",
        "can i drink coffee while on valacyclovir",
    ],
)
def test_interaction_type_topics_get_the_interaction_answer(assistant, text):
    parsed = assistant.parse(text)
    assert parsed["intent"]["full_retrieval_intent_name"] == "personal_advice/interaction"


def test_an_unanswerable_question_abstains_and_offers_the_closest_answers(assistant, responses):
    texts, buttons = replies(assistant, "can valtrex cause hair loss", "abstain")
    assert texts == [
        "I don't have checked information on that. Please ask your pharmacist. Did you mean one of these?"
    ]
    assert len(buttons) == 2
    for payload in buttons:
        assert f"utter_{payload[1:]}" in responses, payload
    # A suggestion is a real button: it answers.
    texts, _ = replies(assistant, buttons[0], "abstain")
    assert texts[0].endswith("Source: FDA prescribing information for VALTREX (DailyMed).")


@pytest.mark.parametrize(
    "text, answer",
    [
        ("how long does valtrex stay in your system", "ask_uses/time_in_body"),
        ("can i get valtrex over the counter", "ask_uses/prescription"),
        ("does valacyclovir cause muscle pain", "ask_side_effects/muscle_joint"),
        ("can valtrex give you kidney stones", "ask_side_effects/kidney_crystals"),
        ("how can i tell kidney pain from ordinary back pain", "ask_back_pain/kidney_or_back"),
        (
            "my back pain is not getting better after 3 weeks, when should i see someone",
            "ask_back_pain/not_improving",
        ),
        ("is back pain more serious for people with hiv or a transplant", "ask_back_pain/higher_risk"),
    ],
)
def test_the_new_answers_answer_what_patients_ask(assistant, text, answer):
    assert assistant.parse(text)["intent"].get("full_retrieval_intent_name") == answer


@pytest.fixture(scope="module")
def dev_rows(assistant):
    return parse_sets(assistant.parse, [DEV_SET])


def test_tuning_set_figures(dev_rows):
    """On the questions written to tune the thresholds: nearly everything answerable
    is answered right, no other medicine gets valacyclovir facts, and few
    unanswerable questions get an answer."""
    c = counts(dev_rows)
    print(
        f"\nanswerable {c['answerable']}: right {c['answered_right']}, abstained {c['abstained']}, "
        f"wrong {c['answered_wrong']}; unanswerable {c['unanswerable']}: abstained "
        f"{c['abstained_right']}, answered {c['unanswerable_answered']}"
    )
    for row in dev_rows:
        if outcome(row.label, row.kind) != "right":
            print(f"MISS {row.label} -> {row.kind}: {row.text}")
    other = [row for row in dev_rows if row.label == "other_medicine"]
    assert [row.text for row in other if outcome(row.label, row.kind) == "wrong"] == []
    assert c["answered_right"] >= 0.9 * c["answerable"]
    wrong = c["answered_wrong"] + c["unanswerable_answered"]
    assert wrong <= 0.1 * (c["answerable"] + c["unanswerable"])
