"""MedicineDetector: a question about another medicine alone gets no valacyclovir facts.

It runs after the RetrievalRouter and before the Abstainer and the SafetyNet
(which keeps the last word: a red flag wins whatever the medicine). When a
message names a medicine other than valacyclovir (or acyclovir, what it turns
into) and does not name valacyclovir, it becomes `out_of_scope` with a `medicine`
entity (the names as typed), which fills the `medicine` slot of the reply "For
<medicine>, ask your pharmacist". Valacyclovir *with* another medicine stays
with the classifier (and the SafetyNet's interaction patterns); so does a pain
reliever in a question the back-pain answers cover ("is naproxen ok for back pain?").

`parse_data["medicines"]` lists every medicine found and the decision.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import replace
from importlib import metadata
from pathlib import Path
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.tokenizers.tokenizer import Tokenizer
from rasa.shared.nlu.constants import (
    ENTITIES,
    ENTITY_ATTRIBUTE_END,
    ENTITY_ATTRIBUTE_START,
    ENTITY_ATTRIBUTE_TYPE,
    ENTITY_ATTRIBUTE_VALUE,
    EXTRACTOR,
    INTENT,
    INTENT_NAME_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from components.retrieval import set_intent
from medicines.dictionary import (
    SETTINGS_FILE,
    MedicineNames,
    Mention,
    common_words,
    extract_names,
    load_settings,
)

NAMES_FILE = "medicine_names.json"
PACKAGE = "drug-named-entity-recognition"
MEDICINE_ENTITY = "medicine"
OTHER_MEDICINE_INTENT = "out_of_scope"
PARSE_KEY = "medicines"
# "naproxen for my back": the back-pain answers cover it; "naproxen vs ibuprofen" they do not.
BACK_PAIN_WORDS = re.compile(r"\b(back|backache|spine|spinal|sciatica|lumbar)\b")


def selected_answer(message: Message) -> Optional[Text]:
    """The sub-topic the RetrievalRouter chose for the predicted intent, if any."""
    intent = (message.get(INTENT) or {}).get(INTENT_NAME_KEY)
    selector = (message.get("response_selector") or {}).get(intent) or {}
    return (selector.get("response") or {}).get("intent_response_key")


def spoken_names(text: Text, mentions: List[Mention]) -> Text:
    """ "a", "a and b", "a, b and c": the medicines as the person typed them."""
    names = list(dict.fromkeys(text[m.start : m.end] for m in mentions))
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class MedicineDetector(GraphComponent):
    """Finds medicine names; sends questions about another medicine alone to the pharmacist."""

    @staticmethod
    def required_components() -> List[type]:
        return [Tokenizer]

    @staticmethod
    def required_packages() -> List[Text]:
        return ["drug_named_entity_recognition"]

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"settings": str(SETTINGS_FILE)}

    @classmethod
    def fingerprint_addon(cls, config: Dict[Text, Any]) -> Optional[Text]:
        """Retrain when the settings or the dictionary's version change."""
        settings = Path(config.get("settings", SETTINGS_FILE)).read_bytes()
        return hashlib.sha256(settings + metadata.version(PACKAGE).encode()).hexdigest()

    def __init__(
        self,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        data: Optional[Dict[Text, Any]] = None,
    ) -> None:
        self._settings = load_settings(Path(config["settings"]))
        self._references = [re.compile(p) for p in self._settings["valacyclovir"].get("references", [])]
        self._other_forms = re.compile(self._settings["valacyclovir"].get("other_forms", "(?!)"))
        self._model_storage = model_storage
        self._resource = resource
        self._use(data)

    def _use(self, data: Optional[Dict[Text, Any]]) -> None:
        self._names = (
            MedicineNames(data["names"], set(data["common_words"]), self._settings) if data else None
        )

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> MedicineDetector:
        return cls(config, model_storage, resource)

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> MedicineDetector:
        with model_storage.read_from(resource) as directory:
            data = json.loads((directory / NAMES_FILE).read_text(encoding="utf-8"))
        return cls(config, model_storage, resource, data)

    def train(self, training_data: TrainingData) -> Resource:
        """Keep the dictionary's consumer medicines (the package stays out of the server)."""
        data = {"names": extract_names(self._settings), "common_words": sorted(common_words(self._settings))}
        with self._model_storage.write_to(self._resource) as directory:
            (directory / NAMES_FILE).write_text(json.dumps(data), encoding="utf-8")
        self._use(data)
        return self._resource

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            self._check(message)
        return messages

    def find(self, message: Message) -> List[Mention]:
        tokens = message.get(TOKENS_NAMES[TEXT]) or []
        return self._names.find([(t.text, t.start, t.end) for t in tokens]) if self._names else []

    def _check(self, message: Message) -> None:
        if (message.get(TEXT) or "").strip().startswith("/"):  # a button's payload
            return
        mentions = [self._as_other_form(message, m) for m in self.find(message)]
        if not mentions:
            return
        others = [m for m in mentions if not m.valacyclovir]
        if any(reference.search((message.get(TEXT) or "").lower()) for reference in self._references):
            others = []  # "...with the cold sore tablets": valacyclovir is named after all
        decision = None
        # The classifier's urgent guess is no reason to keep it: the SafetyNet, after
        # this, still answers a red flag or an alarming message as an emergency.
        if others and self._back_pain_question(message, others):
            # "ibuprofen for my back while on valtrex": the back-pain answers cover it
            decision = "back_pain_question"
        elif others and len(others) == len(mentions):
            decision = self._send_to_pharmacist(message, others)
        message.set(
            PARSE_KEY, {"decision": decision, "named": [m.as_dict() for m in mentions]}, add_to_output=True
        )

    def _as_other_form(self, message: Message, mention: Mention) -> Mention:
        """ "acyclovir cream" is another product than the tablets this assistant knows."""
        after = (message.get(TEXT) or "")[mention.end :].lower()
        if mention.valacyclovir and self._other_forms.match(after):
            return replace(mention, valacyclovir=False, medicine=f"{mention.medicine} {after.split()[0]}")
        return mention

    def _back_pain_question(self, message: Message, others: List[Mention]) -> bool:
        """Pain relievers asked about as back-pain care: the back-pain answers cover it."""
        relievers = set(self._settings["back_pain_medicines"])
        return (
            all(m.medicine in relievers for m in others)
            and selected_answer(message) in self._settings["back_pain_answers"]
            and BACK_PAIN_WORDS.search((message.get(TEXT) or "").lower()) is not None
        )

    @staticmethod
    def _send_to_pharmacist(message: Message, others: List[Mention]) -> Text:
        set_intent(message, OTHER_MEDICINE_INTENT)
        entity = {
            ENTITY_ATTRIBUTE_TYPE: MEDICINE_ENTITY,
            ENTITY_ATTRIBUTE_START: others[0].start,
            ENTITY_ATTRIBUTE_END: others[-1].end,
            ENTITY_ATTRIBUTE_VALUE: spoken_names(message.get(TEXT), others),
            EXTRACTOR: MedicineDetector.__name__,
        }
        message.set(ENTITIES, [*(message.get(ENTITIES) or []), entity], add_to_output=True)
        return "other_medicine"
