"""Rasa's response generator with what only the running service knows.

Configured as the `nlg` of endpoints.yml, so `make run`, `make shell` and the
scale-out replicas all use it (in-process: no second server). On top of the
curated responses of domain.yml it

* fills in the contact of contact.yml: utter_ask_human takes its variation for a
  configured contact (the `contact_configured` condition) and the contact's name
  and details, and every personal answer (utter_personal_advice/...) gets a
  "Talk to a person" button;
* records a vote on the reply to it: utter_helpful and utter_not_helpful carry
  `{"feedback": {"vote": ..., "answer": ...}}` in their metadata
  (service/feedback.py);
* in a Spanish conversation (slot `language`), fills in the Spanish words of
  what the replies take from elsewhere: the "Did you mean...?" titles, the topic
  the label does not cover, and the "Talk to a person" button
  (language/language.yml `spanish`).
"""

from pathlib import Path
from typing import Any, Dict, Optional, Text

import yaml
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from language.component import SETTINGS_FILE as LANGUAGE_SETTINGS
from language.component import SPANISH
from service.contact import CONTACT_FILE, load_contact
from service.feedback import VOTE_REPLIES, is_answer, vote_record

PERSONAL_ANSWERS = "utter_personal_advice/"
TALK_TO_A_PERSON = {"title": "Talk to a person", "payload": "/ask_human"}
SUGGESTION_SLOTS = (("suggestion_1", "suggestion_1_title"), ("suggestion_2", "suggestion_2_title"))


class ServiceNLG(TemplatedNaturalLanguageGenerator):
    """domain.yml's responses, with the contact and the vote records filled in."""

    def __init__(
        self, endpoint_config: Optional[EndpointConfig] = None, domain: Optional[Domain] = None
    ) -> None:
        super().__init__((domain or Domain.empty()).responses)
        options = endpoint_config.kwargs if endpoint_config else {}
        self.contact = load_contact(Path(options.get("contact_file", CONTACT_FILE)))
        self.spanish = yaml.safe_load(LANGUAGE_SETTINGS.read_text(encoding="utf-8"))["spanish"]

    async def generate(
        self, utter_action: Text, tracker: DialogueStateTracker, output_channel: Text, **kwargs: Any
    ) -> Optional[Dict[Text, Any]]:
        slots = tracker.current_slot_values()
        values: Dict[Text, Any] = {}
        if self.contact:
            slots["contact_configured"] = True
            values = self.contact.template_values()
        spanish = slots.get("language") == SPANISH
        if spanish:
            self._in_spanish(slots)
        response = self.generate_from_slots(utter_action, slots, output_channel, **{**values, **kwargs})
        if response is None:
            return None
        if utter_action in VOTE_REPLIES:
            answers = {name for name in self.responses if is_answer(name)}
            response["metadata"] = {
                **(response.get("metadata") or {}),
                "feedback": vote_record(tracker, answers),
            }
        if self.contact and utter_action.startswith(PERSONAL_ANSWERS):
            title = self.spanish["talk_to_a_person"] if spanish else TALK_TO_A_PERSON["title"]
            response["buttons"] = [*(response.get("buttons") or []), {**TALK_TO_A_PERSON, "title": title}]
        return response

    def _in_spanish(self, slots: Dict[Text, Any]) -> None:
        """The Spanish words for what the slots hold in English (titles, topic)."""
        for answer_slot, title_slot in SUGGESTION_SLOTS:
            title = self.spanish["suggestions"].get(slots.get(answer_slot) or "")
            if title:
                slots[title_slot] = title
        topic = self.spanish["topics"].get(slots.get("unknown_topic") or "")
        if topic:
            slots["unknown_topic"] = topic
