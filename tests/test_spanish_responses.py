"""Every response's Spanish variation keeps the content rules, in Spanish (issue 15)."""

import datetime as dt
import re

import pytest
import yaml

from conftest import ROOT
from content.readability import MAX_WORDS, MIN_SPANISH_EASE, is_spanish, spanish_ease, word_count
from content.urgency import Urgency

URGENT_OPENING_ES = "Llame al 911 ahora (o a su número local de emergencias)"
CONSULT_ES = "consulte a su proveedor de atención médica"
MEDICAL_PREFIXES = ("utter_ask_uses/", "utter_ask_side_effects/", "utter_ask_back_pain/")
# Fact sheet section 9, "Citing in Spanish".
SOURCES_ES = (
    "Información de prescripción de la FDA para VALTREX (DailyMed)",
    "Guía NICE NG59",
    "Guía del American College of Physicians (2017)",
    "NHS",
)
SPANISH_CONDITION = {"type": "slot", "name": "language", "value": "es"}


@pytest.fixture(scope="module")
def variations(domain):
    """name -> (English variation, [Spanish variations])."""
    out = {}
    for name, found in domain["responses"].items():
        english = next((v for v in found if not is_spanish(v)), None)
        out[name] = (english, [v for v in found if is_spanish(v)])
    return out


@pytest.fixture(scope="module")
def spanish(variations):
    """name -> its Spanish variation (the first, for responses that have two)."""
    return {name: es[0] for name, (_, es) in variations.items() if es}


def test_every_response_has_a_spanish_variation_chosen_by_the_slot(variations):
    missing = [name for name, (_, es) in variations.items() if not es]
    assert missing == []
    for name, (english, es) in variations.items():
        if english is None:  # utter_urgent_help/spanish: Spanish whatever the slot
            assert name == "utter_urgent_help/spanish"
            continue
        for variation in es:
            assert SPANISH_CONDITION in variation["condition"], name
        # English stays the default: no English variation asks for Spanish.
        assert SPANISH_CONDITION not in (english.get("condition") or []), name


def test_spanish_readability_and_length(spanish):
    """Fernandez-Huerta 70 or more (fact sheet section 9) and under 120 words."""
    too_hard = []
    for name, response in sorted(spanish.items()):
        ease, words = spanish_ease(response["text"]), word_count(response["text"])
        print(f"{ease:5.1f} ease {words:4d} words  {name}")
        if ease < MIN_SPANISH_EASE or words >= MAX_WORDS:
            too_hard.append((name, round(ease, 1), words))
    assert too_hard == []


def test_spanish_medical_answers_name_a_canonical_source_in_spanish(spanish):
    for name in (n for n in spanish if n.startswith(MEDICAL_PREFIXES)):
        last_line = spanish[name]["text"].splitlines()[-1]
        assert last_line.startswith("Fuente: "), name
        cited = last_line[len("Fuente: ") :].rstrip(".")
        assert all(part in SOURCES_ES for part in re.split(r" y (?=[A-Z])", cited)), (name, cited)


def test_spanish_urgent_answers_open_with_911_and_keep_their_metadata(variations):
    urgent = {n: v for n, v in variations.items() if n.startswith("utter_urgent_help/")}
    assert len(urgent) == 18
    for name, (english, es) in urgent.items():
        text = es[0]["text"]
        assert text.startswith(URGENT_OPENING_ES), name
        assert CONSULT_ES in text, name
        expected = {**(english or {}).get("metadata", {}), "language": "es"}
        if english is None:
            expected = {"urgent": True, "category": "spanish", "language": "es"}
        assert es[0]["metadata"] == expected, name


def test_spanish_help_lines(spanish):
    """988 in Spanish: press 2 or text AYUDA; Poison Help with its interpreters (section 9)."""
    for name in (
        "utter_urgent_help/self_harm",
        "utter_urgent_help/self_harm_acted",
        "utter_urgent_help/suspected",
    ):
        assert "988" in spanish[name]["text"] and "AYUDA" in spanish[name]["text"], name
        assert re.search(r"oprim\w+ 2", spanish[name]["text"]), name
    for name in ("utter_urgent_help/overdose", "utter_urgent_help/self_harm_acted"):
        assert "1-800-222-1222" in spanish[name]["text"] and "intérpretes" in spanish[name]["text"], name


def test_spanish_personal_answers_route_to_the_provider_without_a_dose(spanish):
    personal = [n for n in spanish if n.startswith("utter_personal_advice/")]
    assert len(personal) == 10
    for name in personal:
        text = spanish[name]["text"]
        assert CONSULT_ES in text, name
        assert not re.search(r"\d+\s*(mg|g|gramos?|tabletas?|pastillas?)\b", text, re.I), name
        assert not re.match(r"(sí|si|no)\s*[,.!]", text, re.I), name  # "No le puedo decir" is fine


def test_spanish_buttons_lead_where_the_english_ones_do(variations):
    """Same buttons, Spanish titles: the payloads are the English variation's, in order."""
    for name, (english, es) in variations.items():
        payloads = [b["payload"] for b in (english or {}).get("buttons", [])]
        for variation in es:
            assert [b["payload"] for b in variation.get("buttons", [])] == payloads, name
            titles = [b["title"] for b in variation.get("buttons", [])]
            english_titles = [b["title"] for b in english.get("buttons", [])] if english else []
            assert all(t not in english_titles or t.startswith("{") for t in titles), name


def test_only_urgent_spanish_answers_are_marked_urgent(spanish):
    marked = {name for name, r in spanish.items() if r["metadata"].get("urgent")}
    assert marked == {name for name in spanish if name.startswith("utter_urgent_help/")}


def test_spanish_answers_say_911_with_the_local_number():
    """content/urgency.yml's wording rules ("911" offers the local number) in Spanish too."""
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    spanish = {
        f"{name} (es)": variation
        for name, found in domain["responses"].items()
        for variation in found
        if is_spanish(variation)
    }
    violations = [str(v) for v in Urgency.load().check(spanish)]
    assert violations == []


def test_every_spanish_variation_has_a_review_record(spanish):
    records = yaml.safe_load((ROOT / "content" / "review_es.yml").read_text(encoding="utf-8"))["responses"]
    roles = set(
        yaml.safe_load((ROOT / "content" / "review.yml").read_text(encoding="utf-8"))["reviewer_roles"]
    )
    assert set(records) == set(spanish)
    for name, record in records.items():
        assert isinstance(record["reviewed"], dt.date) and record["reviewed"] <= dt.date.today(), name
        assert record["reviewer"] in roles, name


def test_a_seeded_hard_spanish_text_fails_the_readability_rule():
    """The measure can fail: a dense sentence of long words scores below 70."""
    dense = (
        "La administración concomitante de medicamentos potencialmente nefrotóxicos "
        "requiere monitorización individualizada de la función renal."
    )
    assert spanish_ease(dense) < MIN_SPANISH_EASE
