"""The scale test's load: conversations planned from domain.yml with the replies
they must get, and driven through nginx like people would (deploy/scale_test.py)."""

import threading
import time
import uuid
from dataclasses import dataclass, field
from random import Random
from typing import Callable, Dict, List, Optional, Tuple

import requests
import yaml
from requests_toolbelt.adapters.source import SourceAddressAdapter

from bench.server import ROOT
from deploy.report import CheckFailed

# Connect within 5 s, answer within 90 s (a retried message may wait for a dead
# replica's conversation lock first).
REQUEST_TIMEOUT = (5, 90)

# Messages typed with contact details, and what must be stored of them. The
# replies come from the safety net's personal and urgent patterns; the intents
# are the ones tests/stories/ expect for the same questions.
TYPED = [
    (
        "is it ok to have a glass of wine with my valtrex tonight? text me on 555-123-4567",
        "is it ok to have a glass of wine with my valtrex tonight? text me on [phone]",
        "utter_personal_advice/interaction",
    ),
    (
        "totally forgot my lunchtime valacyclovir, what should i do now. my email is sam.lee@example.com",
        "totally forgot my lunchtime valacyclovir, what should i do now. my email is [email]",
        "utter_personal_advice/missed_dose",
    ),
    (
        "got a cold sore starting, how many of my 1 gram valtrex should i take? call me at (555) 987 6543",
        "got a cold sore starting, how many of my 1 gram valtrex should i take? call me at [phone]",
        "utter_personal_advice/own_dose",
    ),
    (
        "im 10 weeks pregnant, is valtrex ok for me to take? reach me at jo+test@mail.example.org",
        "im 10 weeks pregnant, is valtrex ok for me to take? reach me at [email]",
        "utter_personal_advice/pregnancy_breastfeeding",
    ),
    (
        "my lips and tongue are swelling after my valtrex pill, call 555-222-3333",
        "my lips and tongue are swelling after my valtrex pill, call [phone]",
        "utter_urgent_help/allergy",
    ),
]
RAW_CONTACT_DETAILS = ["555-123-4567", "sam.lee@example.com", "987 6543", "jo+test@", "555-222-3333"]


@dataclass
class Turn:
    message: str
    stored: str  # the message as it must be stored (redacted)
    expected: List[str]  # the reply texts, in order
    opening: List[str]  # the replies if it opens the conversation (earlier turns lost)
    status: Optional[int] = None
    error: str = ""
    texts: Optional[List[str]] = None
    latency: float = 0.0
    sent_at: float = 0.0
    answered_at: float = 0.0
    key: str = ""  # sender/index, logged by nginx to trace a turn

    @property
    def ok(self) -> bool:
        return self.status == 200 and self.texts is not None


@dataclass
class Conversation:
    sender: str
    turns: List[Turn] = field(default_factory=list)
    address: str = "127.0.0.1"  # the loopback address this person sends from


def person_address(index: int) -> str:
    """A loopback address of its own for each simulated person (127.0.1.2, ...):
    the per-address rate limits (nginx, the REST channel) see 50 people, as in
    production, not one client. Linux answers on all of 127.0.0.0/8."""
    return f"127.0.{1 + index // 250}.{2 + index % 250}"


def plan_conversations(count: int, turns: int, run: str, seed: int) -> List[Conversation]:
    """Each conversation: an opener, then distinct button payloads and one typed
    message with a contact detail. Expected replies come from domain.yml."""
    responses = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))["responses"]
    text = {name: variations[0]["text"] for name, variations in responses.items()}
    payloads = sorted(
        {
            button["payload"]
            for variations in responses.values()
            for variation in variations
            for button in variation.get("buttons") or []
            if "{" not in button["payload"]  # filled from slots ("did you mean..."): no fixed reply
        }
    )
    if len(payloads) < turns:
        raise CheckFailed(f"domain.yml has {len(payloads)} button payloads, need {turns}")

    def make_turn(message: str, stored: str, response: str) -> Turn:
        # Rules: a conversation opens with the disclaimer, except before an urgent reply.
        urgent = response.startswith("utter_urgent_help/")
        return Turn(
            message,
            stored,
            [text[response]],
            [text[response]] if urgent else [text["utter_disclaimer"], text[response]],
        )

    rng = Random(seed)
    conversations = []
    for i in range(count):
        turns_ = [make_turn(p, p, "utter_" + p.lstrip("/")) for p in rng.sample(payloads, turns - 1)]
        turns_.insert(rng.randrange(1, turns - 1), make_turn(*TYPED[i % len(TYPED)]))
        if i % 3 == 0:  # a greeting is answered with greeting, disclaimer, topics
            greeting = [text["utter_greet"], text["utter_disclaimer"], text["utter_topics"]]
            turns_ = [Turn("/greet", "/greet", greeting, greeting)] + turns_[:-1]
        turns_[0].expected = turns_[0].opening
        assert len({t.message for t in turns_}) == turns  # distinct, so each is found once in the store
        sender = f"scale-{run}-{i:02d}-{uuid.uuid4().hex[:8]}"
        for index, turn in enumerate(turns_):
            turn.key = f"{sender}/{index}"
        conversations.append(Conversation(sender, turns_, person_address(i)))
    return conversations


@dataclass
class RunResult:
    name: str
    conversations: List[Conversation]
    duration: float
    killed_at_turn: Optional[int] = None
    in_flight_at_kill: int = 0
    kill_time: float = 0.0
    kill_wall: float = 0.0
    nginx_lines: List[str] = field(default_factory=list)
    figures: Dict[str, object] = field(default_factory=dict)
    problems: List[str] = field(default_factory=list)


def drive(
    url: str,
    conversations: List[Conversation],
    think: Tuple[float, float],
    kill: Optional[Callable[[], None]] = None,
    kill_fraction: float = 0.4,
) -> Dict:
    """One thread per conversation, like a person: they start within the first
    2 s, send one message, wait for the answer, read it for `think` seconds
    (random between min and max), send the next. Bounded: each request waits
    REQUEST_TIMEOUT at most, so the run ends by itself however slow the machine;
    nothing is judged by the clock."""
    total = sum(len(c.turns) for c in conversations)
    lock = threading.Lock()
    state = {"done": 0, "in_flight": 0, "killed_at_turn": None, "in_flight_at_kill": 0, "kill_time": 0.0}

    def converse(conversation: Conversation, rng: Random) -> None:
        time.sleep(rng.uniform(0, 2))
        with requests.Session() as session:
            session.mount("http://", SourceAddressAdapter(conversation.address))
            for index, turn in enumerate(conversation.turns):
                if index:
                    time.sleep(rng.uniform(*think))
                with lock:
                    state["in_flight"] += 1
                started = turn.sent_at = time.monotonic()
                try:
                    response = session.post(
                        url,
                        json={"sender": conversation.sender, "message": turn.message},
                        headers={"X-Scale-Turn": turn.key},
                        timeout=REQUEST_TIMEOUT,
                    )
                    turn.status = response.status_code
                    if response.status_code == 200:
                        turn.texts = [m.get("text") for m in response.json()]
                except (requests.RequestException, ValueError) as error:
                    turn.error = type(error).__name__
                turn.answered_at = time.monotonic()
                turn.latency = turn.answered_at - started
                with lock:
                    state["in_flight"] -= 1
                    state["done"] += 1
                    if kill and state["killed_at_turn"] is None and state["done"] >= kill_fraction * total:
                        state.update(
                            killed_at_turn=state["done"],
                            in_flight_at_kill=state["in_flight"],
                            kill_time=time.monotonic(),
                            kill_wall=time.time(),
                        )
                        kill()

    threads = [
        threading.Thread(target=converse, args=(c, Random(c.sender)), daemon=True) for c in conversations
    ]
    # Only a hang (a request outliving its own timeout) can reach this bound.
    turns = max(len(c.turns) for c in conversations)
    bound = 2 + turns * (think[1] + sum(REQUEST_TIMEOUT)) + 60
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=max(1.0, started + bound - time.monotonic()))
    if any(thread.is_alive() for thread in threads):
        raise CheckFailed("the load hung: requests outlived their own timeouts")
    state["duration"] = time.monotonic() - started
    return state
