"""An in-memory tracker store that never keeps e-mail addresses or phone numbers.

The assistant reads each message as typed; what is stored of it (the text and
the parse data's copy of it) has those details replaced by a label
(privacy/redaction.yml), so a later look at the tracker store, an export or a
crash dump holds no contact details.
"""
import json
import re
from pathlib import Path
from typing import Any, Dict, List, Text, Tuple

import yaml
from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.trackers import DialogueStateTracker

RULES = Path(__file__).with_name("redaction.yml")


def load_rules(path: Path = RULES) -> List[Tuple[re.Pattern, Text]]:
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [(re.compile(rule["regex"]), rule["label"]) for rule in config["patterns"]]


def redact(text: Text, rules: List[Tuple[re.Pattern, Text]]) -> Text:
    for pattern, label in rules:
        text = pattern.sub(label, text)
    return text


def redact_user_event(event: Dict[Text, Any], rules: List[Tuple[re.Pattern, Text]]) -> None:
    if event.get("event") != "user":
        return
    if isinstance(event.get("text"), str):
        event["text"] = redact(event["text"], rules)
    parse_data = event.get("parse_data") or {}
    if isinstance(parse_data.get("text"), str):
        parse_data["text"] = redact(parse_data["text"], rules)


class RedactingInMemoryTrackerStore(InMemoryTrackerStore):
    """InMemoryTrackerStore whose stored user messages are redacted."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._rules = load_rules()

    async def save(self, tracker: DialogueStateTracker) -> None:
        await self.stream_events(tracker)
        dialogue = tracker.as_dialogue().as_dict()
        for event in dialogue["events"]:
            redact_user_event(event, self._rules)
        self.store[tracker.sender_id] = json.dumps(dialogue)
