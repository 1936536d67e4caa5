"""The deterministic safety layer on its own: patterns, negation, history, priority."""

import pytest
import spacy
import yaml

from conftest import ROOT
from safety.matcher import PERSONAL, URGENT, SafetyMatcher

PATTERNS = ROOT / "safety" / "patterns.yml"


@pytest.fixture(scope="module")
def nlp():
    return spacy.load(ROOT / ".spacy" / "en_blank_lookup")


@pytest.fixture(scope="module")
def matcher(nlp):
    return SafetyMatcher.from_file(nlp, PATTERNS)


@pytest.mark.parametrize(
    "text, category",
    [
        ("I can't feel my legs", "cauda_equina"),
        ("i cant feel my legs", "cauda_equina"),
        ("thanks for that. also I can't feel my legs", "cauda_equina"),
        ("my dad is confused and seeing things", "nervous_system"),
        ("my son swallowed a handful of my valtrex pills", "overdose"),
        ("i took too many pills and i want to die", "self_harm_acted"),
        ("i took 6 instead of 1 this morning", "overdose"),
    ],
)
def test_red_flags_are_urgent(matcher, text, category):
    finding = matcher.check(text)
    assert (finding.kind, finding.category) == (URGENT, category)
    assert finding.pattern and finding.source


@pytest.mark.parametrize(
    "text",
    [
        "no fever, just a mild backache",
        "I don't have numbness or anything",
        "what are the signs of an allergic reaction?",
        "are seizures a known side effect of valacyclovir",
        "can valtrex cause confusion",
    ],
)
def test_negated_or_hypothetical_red_flags_are_not_urgent(matcher, text):
    assert matcher.check(text).kind != URGENT


@pytest.mark.parametrize(
    "text",
    [
        "i am having seizures, is it a side effect",
        "im having seizures is that a side effect",
        "can valtrex cause my throat to close up like right now",
        "i had a stroke an hour ago",
    ],
)
def test_questions_that_report_a_red_flag_stay_urgent(matcher, text):
    assert matcher.check(text).kind == URGENT


def test_exact_forms_tell_asking_from_having_done(matcher):
    """`=took` matches what happened, not "can i take ... instead of"."""
    finding = matcher.check("can i take 2 tablets instead of 1")
    assert (finding.kind, finding.category) == (PERSONAL, "own_dose")


def test_past_red_flag_is_a_personal_question(matcher):
    finding = matcher.check("I had a seizure years ago, can I take valtrex?")
    assert (finding.kind, finding.category) == (PERSONAL, "own_condition")
    assert finding.set_aside[0]["reason"] == "past"


def test_one_current_red_flag_outweighs_a_negated_one(matcher):
    finding = matcher.check("i do not have chest pain, but i can't feel my legs")
    assert finding.kind == URGENT
    assert finding.set_aside[0]["reason"] == "negated"


def test_ordinary_questions_match_nothing(matcher):
    for text in ["what is valtrex used for", "does valacyclovir cause back pain", "hello"]:
        assert matcher.check(text).kind is None, text


def test_every_category_names_its_source():
    config = yaml.safe_load(PATTERNS.read_text())
    for kind in (URGENT, PERSONAL):
        for category, entry in config[kind].items():
            assert entry["source"].strip(), category
            assert entry["patterns"], category


def test_pattern_terms_must_be_single_tokens(nlp):
    config = yaml.safe_load(PATTERNS.read_text())
    config["urgent"] = {"collapse": {"source": "x", "patterns": ["passed-out"]}}
    with pytest.raises(ValueError, match="not one token"):
        SafetyMatcher(nlp, config)
