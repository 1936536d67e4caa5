"""The figures of the insights page, counted from stored events (insights/read.py).

Days are UTC dates. A turn is a user message and the replies stored after it in
the same conversation. A "message" is a user message that is not a vote. A
conversation's votes count once per answer: its last vote on that answer.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Sequence, Text, Tuple

import yaml

from insights.read import Event

SETTINGS = Path(__file__).with_name("insights.yml")


@dataclass(frozen=True)
class Settings:
    fallback: Tuple[Text, ...]
    abstain: Tuple[Text, ...]
    not_messages: Tuple[Text, ...]
    topics: Dict[Text, Text]

    @classmethod
    def load(cls, path: Path = SETTINGS) -> "Settings":
        config = yaml.safe_load(path.read_text(encoding="utf-8"))
        return cls(
            tuple(config["fallback"]),
            tuple(config["abstain"]),
            tuple(config["not_messages"]),
            dict(config["topics"]),
        )

    def topic(self, answer: Text) -> Text:
        intent = answer[len("utter_") :].split("/", 1)[0]
        return self.topics.get(intent, intent)


@dataclass
class Helpfulness:
    answer: Text
    up: int
    down: int

    @property
    def votes(self) -> int:
        return self.up + self.down

    @property
    def helpful_share(self) -> float:
        return self.up / self.votes


@dataclass
class Unanswered:
    day: Text
    conversation: Text
    text: Text
    reply: Text  # "fallback" or "abstain"


@dataclass
class Figures:
    days: List[Text] = field(default_factory=list)  # every day of the range
    conversations_per_day: Dict[Text, int] = field(default_factory=dict)
    messages_per_day: Dict[Text, int] = field(default_factory=dict)
    answers_by_topic: Dict[Text, int] = field(default_factory=dict)  # most first
    answers: Dict[Text, int] = field(default_factory=dict)  # most first
    conversations: int = 0  # with at least one message in the range
    messages: int = 0
    fallback: int = 0
    abstain: int = 0
    urgent_per_day: Dict[Text, Dict[Text, int]] = field(default_factory=dict)  # day -> category -> n
    helpfulness: List[Helpfulness] = field(default_factory=list)  # worst first
    votes_without_answer: int = 0
    unanswered: List[Unanswered] = field(default_factory=list)

    @property
    def fallback_rate(self) -> float:
        return self.fallback / self.messages if self.messages else 0.0

    @property
    def abstain_rate(self) -> float:
        return self.abstain / self.messages if self.messages else 0.0

    @property
    def urgent_categories(self) -> List[Text]:
        return sorted({category for per_day in self.urgent_per_day.values() for category in per_day})


def day_of(timestamp: float) -> Text:
    return datetime.fromtimestamp(timestamp, tz=timezone.utc).strftime("%Y-%m-%d")


def _matches(name: Optional[Text], names: Sequence[Text]) -> bool:
    """`names` lists response names; one ending in "/" stands for its sub-topics."""
    return bool(name) and any(name == n or (n.endswith("/") and name.startswith(n)) for n in names)


def _reply(event: Event) -> Tuple[Optional[Text], Dict[Text, Any]]:
    """A bot event's response name and its response metadata."""
    metadata = event.data.get("metadata") or {}
    return metadata.get("utter_action"), metadata.get("metadata") or {}


def _is_answer(name: Optional[Text]) -> bool:
    return bool(name) and name.startswith("utter_") and "/" in name


def count(events: Iterable[Event], days: List[Text], settings: Settings) -> Figures:
    """Every figure of the page, from events ordered by conversation, then as stored."""
    figures = Figures(days=days)
    conversations: Dict[Text, set] = defaultdict(set)
    messages: Counter = Counter()
    topics: Counter = Counter()
    answers: Counter = Counter()
    urgent: Dict[Text, Counter] = defaultdict(Counter)
    last_vote: Dict[Tuple[Text, Text], Text] = {}  # (conversation, answer) -> vote
    turn: Optional[Dict[Text, Any]] = None  # the current user message and what answered it

    def close(turn: Optional[Dict[Text, Any]]) -> None:
        if not turn or not turn["message"]:
            return
        kind = "fallback" if turn["fallback"] else "abstain" if turn["abstain"] else None
        if kind:
            setattr(figures, kind, getattr(figures, kind) + 1)
            figures.unanswered.append(Unanswered(turn["day"], turn["sender"], turn["text"], kind))

    for event in events:
        day = day_of(event.timestamp)
        if event.type_name == "user":
            close(turn)
            intent = ((event.data.get("parse_data") or {}).get("intent") or {}).get("name")
            is_message = intent not in settings.not_messages
            turn = {
                "sender": event.sender_id,
                "day": day,
                "text": event.data.get("text") or "",
                "message": is_message,
                "fallback": False,
                "abstain": False,
            }
            if is_message:
                conversations[day].add(event.sender_id)
                messages[day] += 1
                figures.messages += 1
            continue
        name, metadata = _reply(event)
        if turn and turn["sender"] == event.sender_id:
            turn["fallback"] |= _matches(name, settings.fallback)
            turn["abstain"] |= _matches(name, settings.abstain)
        if _is_answer(name):
            answers[name] += 1
            topics[settings.topic(name)] += 1
        if metadata.get("urgent") is True:
            urgent[day][str(metadata.get("category") or "unknown")] += 1
        feedback = metadata.get("feedback")
        if isinstance(feedback, dict) and feedback.get("vote") in ("up", "down"):
            if _is_answer(feedback.get("answer")):
                last_vote[(event.sender_id, feedback["answer"])] = feedback["vote"]
            else:
                figures.votes_without_answer += 1
    close(turn)

    figures.conversations = len({sender for senders in conversations.values() for sender in senders})
    figures.conversations_per_day = {day: len(conversations.get(day, ())) for day in days}
    figures.messages_per_day = {day: messages.get(day, 0) for day in days}
    figures.answers_by_topic = dict(topics.most_common())
    figures.answers = dict(sorted(answers.items(), key=lambda item: (-item[1], item[0])))
    figures.urgent_per_day = {day: dict(sorted(urgent[day].items())) for day in days if urgent.get(day)}
    votes: Dict[Text, Counter] = defaultdict(Counter)
    for (_, answer), vote in last_vote.items():
        votes[answer][vote] += 1
    figures.helpfulness = sorted(
        (Helpfulness(answer, counts["up"], counts["down"]) for answer, counts in votes.items()),
        key=lambda h: (h.helpful_share, -h.down, h.answer),
    )
    return figures
