"""Medicine names (medicines/dictionary.py) and the MedicineDetector's decisions."""

import json

import pytest
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from medicines.component import NAMES_FILE, MedicineDetector, spoken_names
from medicines.dictionary import MedicineNames, edit_distance, extract_names, load_settings

SETTINGS = load_settings()
NAMES = {
    "valsartan": "valsartan",
    "tylenol": "acetaminophen",
    "ibuprofen": "ibuprofen",
    "advil": "ibuprofen",
    "valacyclovir": "valacyclovir",
    "acyclovir": "acyclovir",
    "vitamin d": "ergocalciferol",
    "gabapentin": "gabapentin",
    "differin": "adapalene",
}
COMMON = {"different", "shingles", "kidneys"}
TOKENIZER = WhitespaceTokenizer(WhitespaceTokenizer.get_default_config())


def tokens(text):
    message = Message(data={"text": text})
    TOKENIZER.process([message])
    return [(t.text, t.start, t.end) for t in message.get("text_tokens")]


def found(text, names=NAMES):
    return [
        (m.text, m.medicine, m.valacyclovir, m.exact)
        for m in MedicineNames(names, COMMON, SETTINGS).find(tokens(text))
    ]


def test_brand_and_generic_names_resolve_to_the_medicine():
    assert found("is Tylenol ok") == [("tylenol", "acetaminophen", False, True)]
    assert found("side effects of valsartan") == [("valsartan", "valsartan", False, True)]


def test_two_word_names_match_as_one():
    assert found("can i take vitamin d daily") == [("vitamin d", "ergocalciferol", False, True)]


def test_nicknames_listed_in_the_settings_are_that_medicine():
    names = {**NAMES, **SETTINGS["extra_names"]}
    assert found("how long does a z pack take to work", names) == [("z pack", "azithromycin", False, True)]


def test_misspelt_medicines_are_found_but_english_words_are_not():
    assert found("gabapentine and back pain") == [("gabapentine", "gabapentin", False, False)]
    assert found("ibuprofin") == [("ibuprofin", "ibuprofen", False, False)]
    # One edit from nothing, but a word: "different" is not a typo of Differin.
    assert found("is it a different drug") == []


def test_valacyclovir_and_acyclovir_names_and_misspellings_are_the_known_medicine():
    for text in ("valtrex", "Valtrax", "valaciclovir", "valacyclovier", "vlatrex", "zovirax", "aciclovir"):
        assert [m[2] for m in found(f"what is {text}")] == [True], text
    assert found("valtrex vs acyclovir") == [
        ("valtrex", "valacyclovir", True, True),
        ("acyclovir", "acyclovir", True, True),
    ]


def test_edit_distance_stops_past_its_limit():
    assert edit_distance("valtrax", "valtrex", 2) == 1
    assert edit_distance("kitten", "sitting", 3) == 3
    assert edit_distance("abc", "xyzxyz", 2) == 3


def test_spoken_names_keep_what_was_typed():
    finder = MedicineNames(NAMES, COMMON, SETTINGS)
    text = "Advil, Tylenol or Valsartan?"
    assert spoken_names(text, finder.find(tokens(text))) == "Advil, Tylenol and Valsartan"


@pytest.fixture(scope="module")
def dictionary():
    """The consumer-medicine names training keeps from the package."""
    return extract_names(SETTINGS)


def test_the_dictionary_keeps_consumer_medicines_and_drops_words(dictionary):
    assert dictionary["valsartan"] == "valsartan"
    assert dictionary["tylenol"] == "acetaminophen"
    assert dictionary["valtrex"] == "valacyclovir"
    assert dictionary["abreva"] == "docosanol"  # medicines.yml: extra_names
    for word in ("generics", "kendrick", "emend", "diamonds", "caps"):
        assert word not in dictionary, word
    assert 5_000 < len(dictionary) < 20_000


# -- the detector's decisions -------------------------------------------------


@pytest.fixture(scope="module")
def detector(tmp_path_factory):
    component = MedicineDetector(
        MedicineDetector.get_default_config(),
        LocalModelStorage(tmp_path_factory.mktemp("medicines")),
        Resource("medicines"),
    )
    component._use({"names": NAMES, "common_words": sorted(COMMON)})
    return component


def message(text, intent="ask_side_effects", answer="ask_side_effects/common"):
    msg = Message(
        data={
            "text": text,
            "intent": {"name": intent, "confidence": 0.9},
            "intent_ranking": [
                {"name": intent, "confidence": 0.9},
                {"name": "urgent_help", "confidence": 0.1},
            ],
            "response_selector": {intent: {"response": {"intent_response_key": answer}}},
        }
    )
    TOKENIZER.process([msg])
    return msg


def test_another_medicine_alone_goes_to_the_pharmacist(detector):
    msg = message("what are the side effects of Valsartan")
    detector.process([msg])
    assert msg.get("intent") == {"name": "out_of_scope", "confidence": 1.0}
    assert msg.get("entities") == [
        {"entity": "medicine", "start": 29, "end": 38, "value": "Valsartan", "extractor": "MedicineDetector"}
    ]
    assert msg.get("medicines")["decision"] == "other_medicine"
    # The safety layer still reads the classifier's urgent score.
    assert "urgent_help" in [entry["name"] for entry in msg.get("intent_ranking")]


def test_valacyclovir_with_another_medicine_stays_with_the_classifier(detector):
    msg = message("can i take advil with valtrex", "personal_advice", "personal_advice/interaction")
    detector.process([msg])
    assert msg.get("intent")["name"] == "personal_advice"
    assert not msg.get("entities")
    assert msg.get("medicines")["decision"] is None
    assert [m["medicine"] for m in msg.get("medicines")["named"]] == ["ibuprofen", "valacyclovir"]


def test_a_pain_reliever_asked_about_for_back_pain_is_answered(detector):
    msg = message("is ibuprofen good for back pain", "ask_back_pain", "ask_back_pain/pain_relievers")
    detector.process([msg])
    assert msg.get("intent")["name"] == "ask_back_pain"
    # ...but not when the question is about the pain reliever itself.
    msg = message("can ibuprofen cause back pain", "ask_back_pain", "ask_back_pain/is_side_effect")
    detector.process([msg])
    assert msg.get("intent")["name"] == "out_of_scope"


def test_buttons_are_left_alone(detector):
    msg = message("/ask_side_effects/kidney")
    detector.process([msg])
    assert msg.get("intent")["name"] == "ask_side_effects"
    assert msg.get("medicines") is None


def test_the_classifiers_urgent_guess_is_no_reason_to_keep_another_medicine(detector):
    """ "valsartan bleeding risk" may look urgent to the classifier; the SafetyNet
    after this decides whether it is an emergency (next test)."""
    msg = message("valsartan bleeding risk", "urgent_help", "urgent_help/ttp_hus")
    detector.process([msg])
    assert msg.get("medicines")["decision"] == "other_medicine"


@pytest.mark.parametrize("text", ["took a bottle of tylenol", "my son swallowed my lisinopril"])
def test_an_overdose_of_another_medicine_is_still_urgent(assistant, text):
    parsed = assistant.parse(text)
    assert parsed["intent"]["name"] == "urgent_help"
    assert parsed["intent"]["full_retrieval_intent_name"] == "urgent_help/overdose"
    assert parsed["entities"] == []  # an emergency reply fills in no medicine name


def test_no_medicine_named_changes_nothing(detector):
    msg = message("what are the side effects")
    detector.process([msg])
    assert msg.get("intent")["name"] == "ask_side_effects"
    assert msg.get("medicines") is None


def test_training_keeps_the_names_as_json_and_loading_uses_them(tmp_path):
    storage, resource = LocalModelStorage(tmp_path), Resource("medicines")
    config = MedicineDetector.get_default_config()
    MedicineDetector.create(config, storage, resource, None).train(TrainingData())
    with storage.read_from(resource) as directory:
        data = json.loads((directory / NAMES_FILE).read_text())
    assert data["names"]["lipitor"] == "atorvastatin"
    loaded = MedicineDetector.load(config, storage, resource, None)
    msg = message("what is lipitor for", "ask_uses", "ask_uses/conditions_adults")
    loaded.process([msg])
    assert msg.get("entities")[0]["value"] == "lipitor"


def test_the_fingerprint_follows_the_settings(tmp_path):
    settings = tmp_path / "medicines.yml"
    settings.write_text("a: 1\n")
    first = MedicineDetector.fingerprint_addon({"settings": str(settings)})
    settings.write_text("a: 2\n")
    assert MedicineDetector.fingerprint_addon({"settings": str(settings)}) != first


def test_acyclovir_cream_is_another_product(detector):
    msg = message("what does acyclovir cream do for cold sores", "ask_uses", "ask_uses/conditions_adults")
    detector.process([msg])
    assert msg.get("medicines")["decision"] == "other_medicine"
    assert msg.get("medicines")["named"][0]["medicine"] == "acyclovir cream"
    # the tablets themselves stay in scope
    msg = message("is acyclovir the same as valtrex", "ask_uses", "ask_uses/what_it_is")
    detector.process([msg])
    assert msg.get("medicines")["decision"] is None


def test_a_pain_reliever_for_back_pain_beside_valacyclovir_keeps_the_back_pain_answer(detector):
    msg = message(
        "can i take ibuprofen for my back on valtrex", "ask_back_pain", "ask_back_pain/pain_relievers"
    )
    detector.process([msg])
    assert msg.get("medicines")["decision"] == "back_pain_question"
    assert msg.get("intent")["name"] == "ask_back_pain"


@pytest.mark.parametrize(
    "text, answer",
    [
        # another medicine with alcohol or food is that medicine's question
        ("can i drink alcohol on metronidazole", "out_of_scope"),
        # valacyclovir named or referred to, with another medicine: the interaction answer
        ("my husband is on valtrex and takes warfarin is that ok", "personal_advice/interaction"),
        ("can i take advil with it", "personal_advice/interaction"),
        # a comparison is not a question about taking both
        ("is famvir better than valtrex for shingles", "not_in_label"),
        # a pet is not the person's child
        ("can my dog take valtrex", "not_in_label"),
    ],
)
def test_who_answers_a_question_naming_other_medicines(assistant, text, answer):
    parsed = assistant.parse(text)
    if answer == "not_in_label":  # "I don't have checked information on that", naming the topic
        assert parsed["abstention"]["decision"] == "not_in_label"
        return
    assert parsed["intent"]["name"] == answer.split("/")[0]
    if "/" in answer:
        assert parsed["intent"]["full_retrieval_intent_name"] == answer
