"""One urgency level per warning sign (content/urgency.yml), in every response.

A new response needs nothing extra here: it is read like the others, and fails
if it gives a sign another level, sends someone to care without saying how
fast, says 911 without "(or your local emergency number)", or names suicide or
an overdose without its help line.
"""

import pytest
import yaml

from content.review import FactSheet
from content.urgency import URGENCY, Urgency

# Review-time texts (content-review-2026-12.md): each broke the one-level rule.
REVIEW_TIME = {
    "H3 utter_ask_side_effects/kidney": (
        "Valacyclovir can rarely harm the kidneys. Get care right away if you pee very little or "
        "not at all. Also call your doctor for swollen ankles, tiredness or shortness of breath."
    ),
    "M1 utter_urgent_help/kidney": (
        "Call 911 now (or your local emergency number). Peeing very little or not at all, or blood "
        "in your pee with back or side pain, can be a sign of a kidney problem."
    ),
    "M1 utter_ask_back_pain/kidney_warning": (
        "Rarely, pain in your side or lower back can be a sign of a kidney problem. Call your "
        "doctor soon if it comes with less pee, fever or blood in your pee."
    ),
    "M2 utter_urgent_help/infection_fever": (
        "Call 911 now (or your local emergency number). A high fever or chills with back pain can "
        "be a serious infection. Get help right away."
    ),
    "M3 utter_ask_side_effects/nervous_system": (
        "Rarely, it can cause confusion, agitation, seeing things that aren't there, or seizures. "
        "This happens mostly in older adults. These signs need care right away."
    ),
    "L5 utter_ask_side_effects/allergy": (
        "Swelling of the face or throat, or trouble breathing, is an emergency: call 911."
    ),
}


@pytest.fixture(scope="module")
def urgency():
    return Urgency.load()


def problems(urgency, text):
    return [str(v) for v in urgency.read("utter_seeded", text)[1]]


def test_every_response_gives_each_sign_its_one_level(urgency, responses):
    violations = [str(v) for v in urgency.check(responses)]
    assert violations == [], "\n".join(violations)


@pytest.mark.parametrize("finding", sorted(REVIEW_TIME))
def test_the_review_time_texts_fail(urgency, finding):
    assert problems(urgency, REVIEW_TIME[finding]), finding


@pytest.mark.parametrize(
    "text, sign",
    [
        ("Call your doctor promptly if you have trouble breathing.", "trouble_breathing"),
        ("See a doctor the same day if you pee very little or not at all.", "little_or_no_urine"),
        ("Call 911 now (or your local emergency number) for a high fever.", "high_fever"),
        (
            "Call 911 now (or your local emergency number). A seizure, or a high fever, needs help.",
            "high_fever",
        ),
    ],
)
def test_a_seeded_response_with_another_level_fails(urgency, text, sign):
    found = problems(urgency, text)
    assert len(found) == 1 and f"({sign}) must be" in found[0], found


@pytest.mark.parametrize(
    "text, problem",
    [
        ("Signs are fainting or peeing very little. Get care right away.", "without a level"),
        ("Call your doctor for shortness of breath.", "without a level"),
        ("If you faint, call 911.", "or your local emergency number"),
        ("Llame al 911 ahora si se desmaya.", "or your local emergency number"),
        ("Call 911 now (or your local emergency number) if you have thoughts of suicide.", "help line"),
        ("Call 911 now (or your local emergency number) if a child swallowed any pills.", "help line"),
    ],
)
def test_a_seeded_response_breaking_a_wording_rule_fails(urgency, text, problem):
    found = problems(urgency, text)
    assert len(found) == 1 and problem in found[0], found


@pytest.mark.parametrize(
    "text",
    [
        "Call 911 now (or your local emergency number) if you have trouble breathing.",
        "Call 911 now (or your local emergency number). Fainting needs help right away.",
        "See a doctor the same day for a high fever. Call your doctor promptly for blood in your pee.",
        "Some people had dizziness, fainting or a seizure in studies.",
        "Fever with a stiff neck is an emergency: call 911 now (or your local emergency number).",
        "Llame al 911 ahora (o a su número local de emergencias).",
        "If a child swallowed any pills, call Poison Help (1-800-222-1222) right away.",
    ],
)
def test_a_sign_at_its_own_level_or_only_mentioned_passes(urgency, text):
    assert problems(urgency, text) == []


def test_every_sign_is_defined_once_with_a_known_level_and_section(urgency):
    class NoDuplicates(yaml.SafeLoader):
        pass

    def mapping(loader, node):
        keys = [loader.construct_object(key) for key, _ in node.value]
        assert len(keys) == len(set(keys)), f"defined twice: {sorted(k for k in keys if keys.count(k) > 1)}"
        return loader.construct_mapping(node)

    NoDuplicates.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, mapping)
    yaml.load(URGENCY.read_text(), Loader=NoDuplicates)

    sections = FactSheet.load().sections
    assert set(urgency.levels) == {"emergency", "same_day", "promptly", "self_care"}
    for name, sign in urgency.signs.items():
        assert sign.sections and set(sign.sections) <= set(sections), name
        assert sign.basis, name
    patterns = [p.pattern for sign in urgency.signs.values() for p in sign.patterns]
    assert len(patterns) == len(set(patterns)), "a pattern belongs to two signs"


def test_each_sign_is_found_by_its_own_name(urgency):
    """The sign's name, as the report shows it, is read as that sign (the patterns cover it)."""
    for name, sign in urgency.signs.items():
        assert name in {found for found, _ in urgency.signs_in(sign.title)}, (name, sign.title)
