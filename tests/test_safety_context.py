"""How the clause around a red flag is read (safety/context.py): the kinds of
reading that decide between an emergency and a near miss."""

import pytest
import spacy

from conftest import ROOT
from safety.matcher import PERSONAL, URGENT, SafetyMatcher


@pytest.fixture(scope="module")
def matcher():
    nlp = spacy.load(ROOT / ".spacy" / "en_blank_lookup")
    return SafetyMatcher.from_file(nlp, ROOT / "safety" / "patterns.yml")


@pytest.mark.parametrize(
    "text",
    [
        # a negation's scope ends where a new subject starts
        "she is making no sense and her face is drooping",
        # a red flag that names its own negation is not undone by an earlier one
        "his inhaler is not working and he cant breathe",
        # "can't stop" affirms
        "i cant stop shivering, temp is 39.8 and my back is agony",
        # a past cue with "now" between it and the red flag is now
        "my dad fell last week and now he cant feel his legs",
        # more than a doubled dose already swallowed, any medicine
        "my teenager took 12 sleeping pills at a party",
        # a past event beside a present one: the present one counts
        "my dad had a stroke 5 years ago, he fainted an hour ago",
        "i had a stroke years ago, and now my face is drooping",
        # "ever" after "worst headache" is no question
        "fever stiff neck worst headache ever",
        "wife having her first ever seizure",
        # a question word, then a report of what was done
        "didnt know how much to take so i took 6 of them and now i can barely pee",
    ],
)
def test_present_red_flags_stay_urgent(matcher, text):
    assert matcher.check(text).kind == URGENT


@pytest.mark.parametrize(
    "text, reason",
    [
        ("our dog fainted at the vet again", "said of a thing"),
        ("my laptop has a seizure every time i open photoshop", "said of a thing"),
        ("i passed out giving blood when i was 18", "past"),
        ("my legs are dead after leg day lol", "figurative"),
        ("what number do i call for poison help", "hypothetical"),
        ("toddler had my valtrex bottle but nothing swallowed, all the pills are there", "negated"),
        # a past cue elsewhere in the sentence, nothing between it and the red flag says now
        ("had bells palsy three years ago, face went droopy, totally back to normal now", "past"),
        ("everyone in my office is dying to know if cold sores are contagious", "figurative"),
        ("no numbness down below, no peeing problems", "negated"),
        ("game character passed out, how to revive", "said of a thing"),
        ("what happens if you swallowed too many", "hypothetical"),
        ("is back pain ever an emergency", "hypothetical"),
    ],
)
def test_near_misses_are_set_aside_with_the_reason(matcher, text, reason):
    finding = matcher.check(text)
    assert finding.kind != URGENT
    assert reason in {entry["reason"] for entry in finding.set_aside}


def test_a_past_event_with_a_present_ache_stays_past(matcher):
    # "still" is about the ache, not the accident: a question about their own history
    finding = matcher.check("was in a car accident in 2020 and i still get the odd back ache")
    assert (finding.kind, finding.category) == (PERSONAL, "own_condition")


def test_many_means_more_than_a_doubled_dose(matcher):
    many = matcher.check("took 20 of my tablets")
    assert (many.kind, many.category) == (URGENT, "overdose") and "#many" in many.pattern
    for text in ("took 2 of my tablets", "took 4 of my tablets"):
        assert "#many" not in str(matcher.check(text).pattern)
