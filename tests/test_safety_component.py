"""SafetyNet's routing decisions on Rasa messages."""
from rasa.shared.nlu.training_data.message import Message

from safety.component import apply_finding
from safety.matcher import PERSONAL, URGENT, Finding

RANKING = [("urgent_help", 0.7), ("ask_side_effects", 0.2), ("greet", 0.1)]


def message(intent="ask_side_effects"):
    ranking = sorted(RANKING, key=lambda r: r[0] != intent)
    return Message(data={
        "text": "...",
        "intent": {"name": intent, "confidence": 0.7},
        "intent_ranking": [{"name": n, "confidence": c} for n, c in ranking],
        "response_selector": {"default": {"response": {}, "ranking": [
            {"intent_response_key": "ask_side_effects/kidney", "confidence": 0.8},
        ]}},
    })


def selected(msg):
    return msg.get("response_selector")["default"]["response"]["intent_response_key"]


def test_red_flag_routes_to_its_urgent_answer_and_says_why():
    msg = message()
    apply_finding(msg, Finding(URGENT, "kidney", "can not pee", "can not pee", "3: kidney"))
    assert msg.get("intent") == {"name": "urgent_help", "confidence": 1.0}
    assert selected(msg) == "urgent_help/kidney"
    assert msg.get("safety")["category"] == "kidney"
    assert msg.get("safety")["decision"] == "urgent_help/kidney"
    assert "safety" in msg.as_dict(only_output_properties=True)


def test_personal_question_routes_to_its_answer():
    msg = message()
    apply_finding(msg, Finding(PERSONAL, "own_dose", "my dose", "my dose", "4"))
    assert msg.get("intent")["name"] == "personal_advice"
    assert selected(msg) == "personal_advice/own_dose"


def test_classifier_alone_gets_the_warning_signs_not_an_alarm():
    msg = message("urgent_help")
    apply_finding(msg, Finding(None))
    assert msg.get("intent")["name"] == "seek_advice"
    assert selected(msg) == "seek_advice/when_emergency"
    assert msg.get("safety")["decision"] == "seek_advice/when_emergency"


def test_hypothetical_red_flag_gets_the_warning_signs():
    msg = message("urgent_help")
    asked = {"category": "kidney", "pattern": "can not pee", "matched_text": "can not pee",
             "reason": "hypothetical"}
    apply_finding(msg, Finding(None, set_aside=[asked]))
    assert selected(msg) == "seek_advice/when_emergency"


def test_personal_pattern_outweighs_the_classifier_guess():
    msg = message("urgent_help")
    apply_finding(msg, Finding(PERSONAL, "own_dose", "my dose", "my dose", "4"))
    assert msg.get("intent")["name"] == "personal_advice"


def test_nothing_found_leaves_the_classifier_alone():
    msg = message("ask_side_effects")
    apply_finding(msg, Finding(None))
    assert msg.get("intent") == {"name": "ask_side_effects", "confidence": 0.7}
    assert msg.get("safety") is None


def test_negated_red_flag_hands_over_to_the_next_intent():
    msg = message("urgent_help")
    negated = {"category": "infection_fever", "pattern": "fever", "matched_text": "fever",
               "reason": "negated"}
    apply_finding(msg, Finding(None, set_aside=[negated]))
    assert msg.get("intent")["name"] == "ask_side_effects"
    assert selected(msg) == "ask_side_effects/kidney"
    assert msg.get("safety")["set_aside"] == [negated]
