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
  (service/feedback.py).
"""

from pathlib import Path
from typing import Any, Dict, Optional, Text

from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from service.contact import CONTACT_FILE, load_contact
from service.feedback import VOTE_REPLIES, is_answer, vote_record

PERSONAL_ANSWERS = "utter_personal_advice/"
TALK_TO_A_PERSON = {"title": "Talk to a person", "payload": "/ask_human"}


class ServiceNLG(TemplatedNaturalLanguageGenerator):
    """domain.yml's responses, with the contact and the vote records filled in."""

    def __init__(
        self, endpoint_config: Optional[EndpointConfig] = None, domain: Optional[Domain] = None
    ) -> None:
        super().__init__((domain or Domain.empty()).responses)
        options = endpoint_config.kwargs if endpoint_config else {}
        self.contact = load_contact(Path(options.get("contact_file", CONTACT_FILE)))

    async def generate(
        self, utter_action: Text, tracker: DialogueStateTracker, output_channel: Text, **kwargs: Any
    ) -> Optional[Dict[Text, Any]]:
        slots = tracker.current_slot_values()
        values: Dict[Text, Any] = {}
        if self.contact:
            slots["contact_configured"] = True
            values = self.contact.template_values()
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
            response["buttons"] = [*(response.get("buttons") or []), dict(TALK_TO_A_PERSON)]
        return response
