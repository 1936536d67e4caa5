"""Every response the assistant can say keeps the content rules of answer-style.md."""

import re

import pytest
import yaml

from conftest import ROOT, training_examples
from content.readability import (
    MAX_GRADE,
    MAX_MEAN_GRADE,
    MAX_WORDS,
    MIN_SPANISH_EASE,
    grade,
    is_spanish,
    spanish_ease,
    word_count,
)

URGENT_OPENING = "Call 911 now (or your local emergency number)"
# The exceptions: a suspected emergency ("if this is happening now") and Spanish.
URGENT_OPENINGS = {
    "utter_urgent_help/suspected": "If this is happening now, call 911 (or your local emergency number) now.",
    "utter_urgent_help/spanish": "Llame al 911 ahora (o a su número local de emergencias).",
}
CONSULT_ES = "consulte a su proveedor de atención médica"
CONSULT = "consult your healthcare provider"
# Answers that give drug or back-pain facts, so must name their source.
MEDICAL_PREFIXES = ("utter_ask_uses/", "utter_ask_side_effects/", "utter_ask_back_pain/")
CANONICAL_SOURCES = (
    "FDA prescribing information for VALTREX (DailyMed)",
    "NICE guideline NG59",
    "American College of Physicians guideline (2017)",
    "NHS",
)


def names(responses, prefix):
    return sorted(name for name in responses if name.startswith(prefix))


def test_readability_and_length(responses):
    """Grade 8 or lower and under 120 words, printed for every response; grade 6 or
    lower on average (the AMA's target). Spanish: Fernandez-Huerta 70 or more."""
    too_hard, grades = [], []
    for name, response in sorted(responses.items()):
        text = response["text"]
        words = word_count(text)
        if is_spanish(response):
            ease = spanish_ease(text)
            print(f"{ease:5.1f} ease  {words:4d} words  {name}")
            if ease < MIN_SPANISH_EASE or words >= MAX_WORDS:
                too_hard.append((name, ease, words))
            continue
        grades.append(grade(text))
        print(f"{grades[-1]:5.1f} grade {words:4d} words  {name}")
        if grades[-1] > MAX_GRADE or words >= MAX_WORDS:
            too_hard.append((name, grades[-1], words))
    mean = sum(grades) / len(grades)
    print(f"mean grade {mean:.2f}, max {max(grades):.1f}, {len(grades)} English responses")
    assert not too_hard
    assert mean <= MAX_MEAN_GRADE


def test_technical_words_are_explained(responses):
    """A response that uses a technical word (content/glossary.yml) explains it in plain words."""
    terms = yaml.safe_load((ROOT / "content" / "glossary.yml").read_text())["terms"]
    unexplained = [
        (name, term)
        for name, response in sorted(responses.items())
        for term, spec in terms.items()
        if re.search(spec["term"], response["text"], re.I)
        and not re.search(spec["explained"], response["text"], re.I)
    ]
    assert unexplained == []


def test_medical_answers_name_a_canonical_source(responses):
    for name in names(responses, MEDICAL_PREFIXES):
        last_line = responses[name]["text"].splitlines()[-1]
        assert last_line.startswith("Source: "), name
        cited = last_line[len("Source: ") :].rstrip(".")
        parts = re.split(r" and (?=[A-Z])", cited)
        assert all(part in CANONICAL_SOURCES for part in parts), (name, cited)


def test_urgent_answers_open_with_the_action(responses):
    urgent = names(responses, "utter_urgent_help/")
    assert len(urgent) == 18
    for name in urgent:
        response = responses[name]
        category = name.split("/", 1)[1]
        assert response["text"].startswith(URGENT_OPENINGS.get(name, URGENT_OPENING)), name
        assert (CONSULT_ES if is_spanish(response) else CONSULT) in response["text"], name
        # Clients style urgent replies from this, never from the text.
        language = {"language": "es"} if is_spanish(response) else {}
        assert response["metadata"] == {"urgent": True, "category": category, **language}, name


def test_urgent_answers_add_the_right_help_line(responses):
    assert "Poison Help at 1-800-222-1222" in responses["utter_urgent_help/overdose"]["text"]
    assert "988" in responses["utter_urgent_help/self_harm"]["text"]
    # Someone who already acted: 911 unconditionally, Poison Help and 988 (review H1).
    acted = responses["utter_urgent_help/self_harm_acted"]["text"]
    assert acted.startswith("Call 911 now (or your local emergency number). ")
    assert "1-800-222-1222" in acted and "988" in acted
    # A suspected emergency names the main signs and every help line (review H2).
    suspected = responses["utter_urgent_help/suspected"]["text"]
    for line in ("chest pain", "trouble breathing", "stroke", "1-800-222-1222", "988"):
        assert line in suspected
    # Spanish: 988 in Spanish is "press 2" or text AYUDA (fact sheet section 9).
    spanish_reply = responses["utter_urgent_help/spanish"]["text"]
    for line in ("1-800-222-1222", "oprima 2", "AYUDA"):
        assert line in spanish_reply


def test_only_urgent_answers_are_marked_urgent(responses):
    marked = {name for name, r in responses.items() if (r.get("metadata") or {}).get("urgent")}
    assert marked == set(names(responses, "utter_urgent_help/"))


def test_personal_answers_route_to_the_provider_without_a_dose(responses):
    personal = names(responses, "utter_personal_advice/")
    assert len(personal) == 10
    for name in personal:
        text = responses[name]["text"]
        assert CONSULT in text, name
        assert not re.search(r"\d+\s*(mg|g|grams?|tablets?|pills?)\b", text, re.I), name
        assert not re.match(r"(yes|no)\b", text, re.I), name


@pytest.mark.parametrize("name", ["utter_disclaimer"])
def test_disclaimer_says_what_the_bot_is(responses, name):
    text = responses[name]["text"]
    for phrase in ("automated assistant", "not a doctor", "not medical advice", "911"):
        assert phrase in text


def test_buttons_lead_to_existing_answers(responses, domain):
    for name, response in responses.items():
        for button in response.get("buttons", []):
            payload = button["payload"]
            assert payload.startswith("/"), (name, payload)
            slots = re.findall(r"\{(\w+)\}", payload)
            if slots:  # filled at run time ("Did you mean...?"): tests/test_abstention.py
                assert all(slot in domain["slots"] for slot in slots), (name, payload)
                continue
            assert f"utter_{payload[1:]}" in responses, (name, payload)


def test_circulating_claims_are_only_ever_corrected(responses):
    """The "19% of 143 patients" study appears only in the answer that refutes it."""
    claims = re.compile(r"19 ?%|143 patients|journal of clinical virology|pain management", re.I)
    repeating = [name for name, r in responses.items() if claims.search(r["text"])]
    assert repeating == ["utter_ask_back_pain/study_claims"]
    assert "could not be found" in responses["utter_ask_back_pain/study_claims"]["text"]


def test_no_percentages_or_unconfirmed_facts(responses):
    """Numbers people can use ("1 in 7"), and nothing the fact sheet marks
    UNCONFIRMED or secondary-only (the shingles 48-hour window, the cut-off
    post-marketing list)."""
    unconfirmed = re.compile(r"48 hours|2 days of|kidney failure|hepatitis|renal pain|low platelets", re.I)
    for name, response in responses.items():
        text = response["text"]
        assert not unconfirmed.search(text), name
        if name != "utter_ask_back_pain/study_claims":
            assert "%" not in text, name


def rule_actions():
    """Every action a rule's steps run (data/rules/*.yml, parsed, comments and all)."""
    return {
        step["action"]
        for path in (ROOT / "data" / "rules").glob("*.yml")
        for rule in yaml.safe_load(path.read_text(encoding="utf-8"))["rules"]
        for step in rule.get("steps", [])
        if "action" in step
    }


def test_every_response_is_used(responses):
    """No orphan responses: each is run by a rule, or is the answer to a sub-topic
    that the classifier is trained on, of a retrieval intent a rule answers."""
    actions = rule_actions()
    trained = {label for label, _ in training_examples()}
    for name in responses:
        if "/" in name:
            assert name.split("/", 1)[0] in actions and name[len("utter_") :] in trained, name
        else:
            assert name in actions, name
