"""SafetyNet's routing decisions on Rasa messages, and what training refuses."""

import pytest
import spacy
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.utils.spacy_utils import SpacyModel
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from conftest import ROOT
from safety.component import SafetyNet, SafetyPatternsError
from safety.matcher import PERSONAL, URGENT, Finding
from safety.routing import apply_finding, thresholds_for

CONFIG = SafetyNet.get_default_config()
CALM, ALARMED = 0.05, 0.99  # urgency detector scores
# Enough to confirm the classifier's suspicion, not enough alone.
CONFIRMING = (CONFIG["detector_gate"] + CONFIG["detector_alone"]) / 2


def message(*ranking, sub_topic="ask_side_effects/kidney"):
    """A classified message; `ranking` is (intent, confidence), best first."""
    name, confidence = ranking[0]
    return Message(
        data={
            "text": "my question",
            "intent": {"name": name, "confidence": confidence},
            "intent_ranking": [{"name": n, "confidence": c} for n, c in ranking],
            "response_selector": {
                "default": {
                    "response": {},
                    "ranking": [
                        {"intent_response_key": sub_topic, "confidence": 0.8},
                    ],
                }
            },
        }
    )


URGENT_FIRST = (("urgent_help", 0.7), ("ask_side_effects", 0.2), ("greet", 0.1))
SIDE_EFFECTS_FIRST = (("ask_side_effects", 0.7), ("greet", 0.2), ("urgent_help", 0.1))


def selected(msg):
    return msg.get("response_selector")["default"]["response"]["intent_response_key"]


def test_red_flag_routes_to_its_urgent_answer_and_says_why():
    msg = message(*SIDE_EFFECTS_FIRST)
    apply_finding(msg, Finding(URGENT, "kidney", "can not pee", "can not pee", "3: kidney"), CONFIG, CALM)
    assert msg.get("intent") == {"name": "urgent_help", "confidence": 1.0}
    assert selected(msg) == "urgent_help/kidney"
    assert msg.get("safety")["decision"] == "urgent_help/kidney"
    assert msg.get("safety")["reason"] == "red flag"
    assert "safety" in msg.as_dict(only_output_properties=True)


def test_a_spanish_red_flag_gets_the_spanish_emergency_reply():
    msg = message(*SIDE_EFFECTS_FIRST)
    apply_finding(
        msg, Finding(URGENT, "kidney", "no puedo orinar", "no puedo orinar", "3", language="es"), CONFIG, CALM
    )
    assert selected(msg) == "urgent_help/spanish"
    assert msg.get("safety")["category"] == "kidney"


def test_personal_question_routes_to_its_answer():
    msg = message(*SIDE_EFFECTS_FIRST)
    apply_finding(msg, Finding(PERSONAL, "own_dose", "my dose", "my dose", "4"), CONFIG, CALM)
    assert msg.get("intent")["name"] == "personal_advice"
    assert selected(msg) == "personal_advice/own_dose"


def test_an_alarming_message_outweighs_a_personal_pattern():
    msg = message(("ask_side_effects", 0.6), ("urgent_help", 0.3), ("greet", 0.1))
    apply_finding(msg, Finding(PERSONAL, "child", "my son", "my son", "1"), CONFIG, 0.99)
    assert selected(msg) == "urgent_help/suspected"


def test_the_detector_alone_does_not_outweigh_a_personal_pattern():
    """A long personal story can alarm the detector; the classifier must see some urgency too."""
    msg = message(*SIDE_EFFECTS_FIRST)  # urgent_help third
    apply_finding(msg, Finding(PERSONAL, "child", "my son", "my son", "1"), CONFIG, 0.99)
    assert selected(msg) == "personal_advice/child"


def test_fails_closed_when_urgent_is_second_under_the_fallback():
    """Below the fallback threshold the classifier would say "didn't understand"."""
    msg = message(("nlu_fallback", 0.5), ("ask_back_pain", 0.31), ("urgent_help", 0.28), ("greet", 0.1))
    apply_finding(msg, Finding(None), CONFIG, CONFIRMING)
    assert msg.get("intent")["name"] == "urgent_help"
    assert selected(msg) == "urgent_help/suspected"
    assert "urgent_help 0.28" in msg.get("safety")["reason"]


def test_the_detector_alone_fails_closed_whatever_the_classifier_says():
    msg = message(*SIDE_EFFECTS_FIRST)
    apply_finding(msg, Finding(None), CONFIG, ALARMED)
    assert selected(msg) == "urgent_help/suspected"


def test_urgent_third_in_the_ranking_is_not_enough_without_the_detector():
    msg = message(("ask_back_pain", 0.4), ("greet", 0.3), ("urgent_help", 0.25))
    apply_finding(msg, Finding(None), CONFIG, CONFIRMING)
    assert msg.get("intent")["name"] == "ask_back_pain"
    assert msg.get("safety")["decision"] is None


def test_classifier_alone_with_a_calm_detector_gets_the_warning_signs():
    msg = message(*URGENT_FIRST)
    apply_finding(msg, Finding(None), CONFIG, CALM)
    assert selected(msg) == "seek_advice/when_emergency"


def test_hypothetical_red_flag_gets_the_warning_signs():
    msg = message(*URGENT_FIRST)
    asked = {
        "category": "kidney",
        "pattern": "can not pee",
        "matched_text": "can not pee",
        "reason": "hypothetical",
    }
    apply_finding(msg, Finding(None, set_aside=[asked]), CONFIG, ALARMED)
    assert selected(msg) == "seek_advice/when_emergency"


def test_nothing_found_leaves_the_classifier_alone():
    msg = message(*SIDE_EFFECTS_FIRST)
    apply_finding(msg, Finding(None), CONFIG, CALM)
    assert msg.get("intent") == {"name": "ask_side_effects", "confidence": 0.7}
    assert msg.get("safety")["decision"] is None
    assert msg.get("safety")["urgency"] == CALM


NEGATED = {"category": "infection_fever", "pattern": "fever", "matched_text": "fever", "reason": "negated"}


def test_negated_red_flag_hands_over_to_a_confident_next_intent():
    msg = message(*URGENT_FIRST[:1], ("ask_side_effects", 0.45), ("greet", 0.1))
    apply_finding(msg, Finding(None, set_aside=[NEGATED]), CONFIG, CONFIRMING)
    assert msg.get("intent")["name"] == "ask_side_effects"
    assert selected(msg) == "ask_side_effects/kidney"
    assert msg.get("safety")["set_aside"] == [NEGATED]


def test_negated_red_flag_with_a_weak_next_intent_falls_back():
    """Never hand the turn to an intent with near-zero confidence."""
    msg = message(("urgent_help", 0.9), ("greet", 0.05), ("ask_uses", 0.05))
    apply_finding(msg, Finding(None, set_aside=[NEGATED]), CONFIG, CONFIRMING)
    assert msg.get("intent")["name"] == "nlu_fallback"


# -- training -----------------------------------------------------------------


@pytest.fixture(scope="module")
def spacy_model():
    return SpacyModel(model=spacy.load(ROOT / ".spacy" / "en_blank_lookup"), model_name="en_blank_lookup")


def every_reply():
    from safety.component import compile_patterns, required_replies

    nlp = spacy.load(ROOT / ".spacy" / "en_blank_lookup")
    matcher = compile_patterns(nlp, (ROOT / "safety" / "patterns.yml").read_text())
    return {name: [{"text": "..."}] for name in required_replies(matcher)}


def train(tmp_path, spacy_model, patterns=None, responses=None):
    config = dict(CONFIG)
    if patterns is not None:
        config["patterns"] = str(tmp_path / "patterns.yml")
        (tmp_path / "patterns.yml").write_text(patterns)
    (tmp_path / "storage").mkdir()
    storage = LocalModelStorage(tmp_path / "storage")
    resource = Resource("safety")
    net = SafetyNet.create(config, storage, resource, ExecutionContext(None, "test"))
    examples = [
        Message(data={"text": "i cant feel my legs", "intent": "urgent_help"}),
        Message(data={"text": "what is valtrex", "intent": "ask_uses"}),
    ]
    net.train(
        TrainingData(examples, responses=every_reply() if responses is None else responses), spacy_model
    )
    return config, storage, resource


def test_a_broken_patterns_file_is_refused_at_training(tmp_path, spacy_model):
    broken = (ROOT / "safety" / "patterns.yml").read_text().replace("@legs", "@nosuchlist", 1)
    with pytest.raises(SafetyPatternsError, match="nosuchlist"):
        train(tmp_path, spacy_model, patterns=broken)


def test_a_category_without_a_reply_is_refused_at_training(tmp_path, spacy_model):
    responses = every_reply()
    del responses["utter_urgent_help/stroke"]
    with pytest.raises(SafetyPatternsError, match="utter_urgent_help/stroke"):
        train(tmp_path, spacy_model, responses=responses)


def test_the_trained_net_loads_compiled_from_the_model_alone(tmp_path, spacy_model):
    config, storage, resource = train(tmp_path, spacy_model)
    config["patterns"] = str(tmp_path / "gone.yml")  # nothing is read from safety/ at load
    net = SafetyNet.load(config, storage, resource, ExecutionContext(None, "test"))
    msg = Message(data={"text": "my wife is slurring her words", "intent_ranking": []})
    net.process([msg], spacy_model)
    assert msg.get("safety")["category"] == "stroke"


def test_changing_the_patterns_changes_the_fingerprint(tmp_path):
    changed = tmp_path / "patterns.yml"
    changed.write_text((ROOT / "safety" / "patterns.yml").read_text() + "\n# changed\n")
    assert SafetyNet.fingerprint_addon(CONFIG) != SafetyNet.fingerprint_addon(
        {**CONFIG, "patterns": str(changed)}
    )


AMBIGUOUS = Finding(URGENT, "collapse", "collapse|collapsed", "collapsed", "5b", ambiguous=True)


def test_an_ambiguous_red_flag_needs_the_detector_in_a_longer_message():
    """ "my basil plant collapsed, overwatered I think": the word alone is not enough."""
    msg = message(*SIDE_EFFECTS_FIRST)
    apply_finding(msg, Finding(**{**AMBIGUOUS.as_dict(), "set_aside": []}), CONFIG, CALM)
    assert msg.get("intent")["name"] == "ask_side_effects"
    assert msg.get("safety")["set_aside"][0]["reason"] == "ambiguous"


def test_an_ambiguous_red_flag_counts_in_a_short_message():
    """ "mum collapsed": no other meaning to weigh it by."""
    msg = message(*SIDE_EFFECTS_FIRST)
    apply_finding(msg, Finding(**{**AMBIGUOUS.as_dict(), "set_aside": []}), CONFIG, CALM, short=True)
    assert selected(msg) == "urgent_help/collapse"


def test_an_ambiguous_red_flag_set_aside_leaves_the_personal_question_found_beside_it():
    """ "i have epilepsy, will valtrex make my fits worse" """
    personal = Finding(PERSONAL, "own_condition", "i have ... epilepsy", "i have epilepsy", "4")
    fits = Finding(URGENT, "nervous_system", "fitting|fitted", "fits", "3", ambiguous=True, personal=personal)
    msg = message(*SIDE_EFFECTS_FIRST)
    apply_finding(msg, fits, CONFIG, CALM)
    assert selected(msg) == "personal_advice/own_condition"


def test_the_urgency_detector_reads_no_alarm_into_an_email_address(tmp_path, spacy_model):
    """ "...what should i do now. my email is sam.lee@example.com": pieces of an
    address it has never seen are no evidence of an emergency."""
    from safety.detector import UrgencyDetector, segments

    pieces = segments("forgot my dose. my email is sam.lee@example.com")
    assert pieces[1:] == ["forgot my dose", "my email is sam.lee@example.com"]
    detector = UrgencyDetector.fit(
        ["i cant breathe", "chest pain now", "what is valtrex", "does it cause headache"],
        [True, True, False, False],
    )
    assert detector.probability("zzqx") == 0.0


def test_a_long_message_needs_a_higher_detector_score():
    words = CONFIG["long_message"] + 1
    long_config = thresholds_for(CONFIG, words)
    assert thresholds_for(CONFIG, CONFIG["long_message"]) is CONFIG
    score = (CONFIG["detector_gate"] + long_config["detector_gate"]) / 2  # between the two bars
    short_msg, long_msg = message(*URGENT_FIRST), message(*URGENT_FIRST)
    apply_finding(short_msg, Finding(None), CONFIG, score)
    apply_finding(long_msg, Finding(None), long_config, score)
    assert selected(short_msg) == "urgent_help/suspected"
    assert selected(long_msg) == "seek_advice/when_emergency"


def test_a_long_personal_story_keeps_its_personal_answer_unless_the_classifier_is_sure():
    """A long story about a relative's treatment alarms the detector in some window;
    only a classifier fairly sure of an emergency outweighs the question it ends in."""
    long_config = thresholds_for(CONFIG, CONFIG["long_message"] + 1)
    unsure = (CONFIG["classifier_over_personal"] + long_config["classifier_over_personal"]) / 2
    ranking = (("ask_side_effects", 1 - unsure), ("urgent_help", unsure))
    relative = Finding(PERSONAL, "someone_else", "my dad ... take", "my dad takes", "4")
    short_msg, long_msg = message(*ranking), message(*ranking)
    apply_finding(short_msg, relative, CONFIG, ALARMED)
    apply_finding(long_msg, relative, long_config, ALARMED)
    assert selected(short_msg) == "urgent_help/suspected"
    assert selected(long_msg) == "personal_advice/someone_else"
    sure = message(("urgent_help", 0.9), ("ask_side_effects", 0.1))
    apply_finding(sure, relative, long_config, ALARMED)
    assert selected(sure) == "urgent_help/suspected"
