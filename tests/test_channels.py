"""The real server, as `make run` starts it: REST and socket.io channels."""

import asyncio
import json
import time
import uuid
from types import SimpleNamespace

import aiohttp
import pytest
import requests
import socketio

from channels.limits import RestRateLimit, TokenBuckets, client_address, trusted_proxies
from channels.socketio import TOO_MANY
from conftest import ALLOWED_ORIGIN


def rest(url, message, sender="rest-user"):
    response = requests.post(
        f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": message}, timeout=30
    )
    return response


def test_rest_answers_a_question(server):
    url = server.url
    replies = rest(url, "does valtrex cause back pain", sender="rest-question").json()
    texts = [reply["text"] for reply in replies]
    assert texts[0].startswith("I'm an automated assistant, not a doctor.")
    assert texts[1].startswith("Back pain is not a common side effect of valacyclovir.")


@pytest.mark.parametrize(
    "message",
    ["", "   ", "😀😀", "x" * 5000, "¿Qué hora es?"],
    ids=["empty", "spaces", "emoji", "5000 characters", "spanish"],
)
def test_rest_bad_input_gets_a_polite_reply(server, message):
    url = server.url
    response = rest(url, message, sender=f"rest-bad-{uuid.uuid4().hex}")
    assert response.status_code == 200
    texts = [reply.get("text", "") for reply in response.json()]
    # An off-topic Spanish question hears so in Spanish (issue 15).
    polite = (
        "Sorry, I didn't understand",
        "Sorry, I can only help",
        "Lo siento, no le entendí",
        "Lo siento, solo puedo",
    )
    assert any(t.startswith(polite) for t in texts)


BAD_BODIES = {
    "malformed JSON": (b"{not json", 400),
    "invalid UTF-8": (b'{"sender": "a", "message": "\xff\xfe hi"}', 400),
    "not an object": (b"[1, 2]", 400),
    "no sender": (b'{"message": "hi"}', 400),
    "sender not a string": (b'{"sender": 5, "message": "hi"}', 400),
    "no message": (b'{"sender": "a"}', 400),
    "message not a string": (b'{"sender": "a", "message": ["hi"]}', 400),
    "a 1 MB message": (json.dumps({"sender": "a", "message": "a " * 500_000}).encode(), 413),
    "a 1 MB sender": (json.dumps({"sender": "a" * 1_000_000, "message": "hi"}).encode(), 413),
    "a 70 KB body": (json.dumps({"sender": "a", "message": "hi", "pad": "x" * 70_000}).encode(), 413),
    "a message of 10,001 characters": (json.dumps({"sender": "a", "message": "x" * 10_001}).encode(), 413),
    "5 KB of metadata": (
        json.dumps({"sender": "a", "message": "hi", "metadata": {"x": "y" * 5000}}).encode(),
        413,
    ),
    "metadata not an object": (b'{"sender": "a", "message": "hi", "metadata": "x"}', 400),
    "input_channel of 65 characters": (
        json.dumps({"sender": "a", "message": "hi", "input_channel": "c" * 65}).encode(),
        400,
    ),
}


@pytest.mark.parametrize("name", BAD_BODIES)
def test_rest_refuses_bad_requests_clearly_and_stays_up(server, name):
    body, status = BAD_BODIES[name]
    response = requests.post(
        f"{server.url}/webhooks/rest/webhook",
        data=body,
        headers={"Content-Type": "application/json"},
        timeout=30,
    )
    assert response.status_code == status
    assert response.json()["message"]  # says what is wrong
    assert rest(server.url, "hi", sender=f"after-{uuid.uuid4().hex}").ok
    assert "Traceback" not in server.log.read_text()


def test_rest_refuses_a_chunked_body_over_the_cap(server):
    """No Content-Length to check up front: Sanic stops reading at 64 KB."""
    chunks = (b" " * 1024 for _ in range(100))
    response = requests.post(
        f"{server.url}/webhooks/rest/webhook",
        data=chunks,
        headers={"Content-Type": "application/json"},
        timeout=30,
    )
    assert response.status_code == 413


def test_rest_stores_small_metadata_and_a_named_channel(server):
    body = {
        "sender": f"meta-{uuid.uuid4().hex}",
        "message": "hi",
        "input_channel": "kiosk",
        "metadata": {"page": "/valtrex"},
    }
    assert requests.post(f"{server.url}/webhooks/rest/webhook", json=body, timeout=30).ok


def test_rest_answers_a_long_message_up_to_the_limit(server):
    response = rest(server.url, "my lower back hurts " * 500, sender=f"long-{uuid.uuid4().hex}")
    assert response.status_code == 200 and response.json()


async def post_all(url, bodies, source, headers=None):
    """POST every body at once from the loopback address `source` (so that each
    test's client address is its own), return (status, JSON body) of each."""
    connector = aiohttp.TCPConnector(limit=100, local_addr=(source, 0))
    async with aiohttp.ClientSession(
        connector=connector, timeout=aiohttp.ClientTimeout(total=120)
    ) as session:

        async def send(body):
            async with session.post(f"{url}/webhooks/rest/webhook", json=body, headers=headers) as r:
                return r.status, await r.json()

        return await asyncio.gather(*(send(body) for body in bodies))


def refill_allowance(started: float, per_minute: int) -> int:
    """Messages a bucket can have regained since `started`: a slow machine may
    let a few more through, never fewer."""
    return int((time.monotonic() - started) * per_minute / 60) + 1


def test_a_burst_from_one_sender_is_limited_and_the_server_stays_up(server):
    """500 messages at once from one sender: 30 (credentials.yml) are answered,
    plus what refilled while the burst lasted; the rest are refused with 429 at
    once, and other people are not held up."""
    started = time.monotonic()
    results = asyncio.run(
        post_all(
            server.url, [{"sender": "burst", "message": f"hello {i}"} for i in range(500)], source="127.0.0.2"
        )
    )
    statuses = [status for status, _ in results]
    assert 30 <= statuses.count(200) <= 30 + refill_allowance(started, 30)
    assert statuses.count(200) + statuses.count(429) == 500
    assert all(body for status, body in results if status == 200)  # each got its reply
    assert all(
        "too many messages from this sender" in body["message"] for status, body in results if status == 429
    )
    assert rest(server.url, "hi", sender=f"after-burst-{uuid.uuid4().hex}").ok
    assert "Traceback" not in server.log.read_text()


def test_rotating_sender_ids_are_limited_per_client_address(server):
    """A script that makes up a new sender id per message, and claims to be
    forwarding for others (X-Forwarded-For from a peer that is no trusted proxy)."""
    started = time.monotonic()
    bodies = [{"sender": f"rotating-{i}", "message": "hello"} for i in range(150)]
    results = asyncio.run(
        post_all(server.url, bodies, source="127.0.0.3", headers={"X-Forwarded-For": "203.0.113.7"})
    )
    statuses = [status for status, _ in results]
    assert 120 <= statuses.count(200) <= 120 + refill_allowance(started, 120)
    assert all(
        "too many messages from this address" in body["message"] for status, body in results if status == 429
    )
    # Another address is not held up.
    [(status, _)] = asyncio.run(
        post_all(server.url, [{"sender": "other", "message": "hi"}], source="127.0.0.4")
    )
    assert status == 200


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_rate_limits_with_a_clock_that_stands_still():
    clock = FakeClock()
    limit = RestRateLimit(TokenBuckets(30, 60, clock=clock), TokenBuckets(120, 60, clock=clock), clock)
    assert [limit.refusal("burst", "10.0.0.1") for _ in range(500)].count(None) == 30
    assert limit.refusal("burst", "10.0.0.1") == "sender"
    decisions = [limit.refusal(f"rotating-{i}", "10.0.0.1") for i in range(200)]
    assert decisions.count(None) == 120 - 30 and set(decisions[90:]) == {"address"}
    assert len(limit.per_sender) == 1 + 90  # a throttled address adds no sender
    assert limit.refusal("someone", "10.0.0.2") is None
    clock.now += 2  # one message per sender every 2 s, two per address each second
    assert limit.refusal("burst", "10.0.0.3") is None
    assert limit.refusal("burst", "10.0.0.3") == "sender"


def test_message_text_is_not_logged(server):
    """Patients type health details: nothing they write reaches the log at INFO."""
    rest(server.url, "my herpes zoster flare-up 7xq9 hurts", sender=f"log-{uuid.uuid4().hex}")
    rest(server.url, "x" * 20_000, sender=f"log-{uuid.uuid4().hex}")  # refused: not echoed either
    log = server.log.read_text()
    assert "7xq9" not in log and "herpes zoster" not in log and "x" * 100 not in log


async def socketio_session(url, session_id, messages, origin=None):
    """Send each event's data over socket.io; return every bot_uttered event
    received and the server's acknowledgement of each message.

    A str is sent as `{"message": text, "session_id": ...}`; anything else as is.
    `origin` is the web page the client claims to be on (the Origin header). The
    server acknowledges a message after it has emitted every reply to it, so
    waiting for the acknowledgement waits for the whole turn.
    """
    client = socketio.AsyncClient()
    received = []
    confirmed = asyncio.Event()
    client.on("session_confirm", lambda *_: confirmed.set())
    client.on("bot_uttered", lambda data: received.append(data))
    # Long-polling: the websocket client of python-engineio 4.15 needs a newer
    # aiohttp than Rasa 3.6 allows (the browser tests cover websockets).
    await client.connect(
        url, transports=["polling"], socketio_path="socket.io", headers={"Origin": origin} if origin else {}
    )
    await client.emit("session_request", {"session_id": session_id})
    await asyncio.wait_for(confirmed.wait(), 10)
    acks = []
    for message in messages:
        data = {"message": message, "session_id": session_id} if isinstance(message, str) else message
        acks.append(await client.call("user_uttered", data, timeout=30))
    await client.disconnect()
    return received, acks


async def socketio_conversation(url, session_id, messages, origin=None):
    received, _ = await socketio_session(url, session_id, messages, origin)
    return received


def test_socketio_client_gets_its_replies(server):
    """Guards the python-socketio<5.10 pin: with 5.10+ Rasa 3.6 drops every reply."""
    url = server.url
    received = asyncio.run(socketio_conversation(url, uuid.uuid4().hex, ["hello"]))
    texts = [event.get("text") for event in received]
    assert texts[0].startswith("Hi!")
    assert any("automated assistant" in (t or "") for t in texts)
    assert received[-1]["quick_replies"], "topic buttons arrive as quick replies"


def test_socketio_accepts_pages_on_the_allow_list_only(server):
    received = asyncio.run(
        socketio_conversation(server.url, uuid.uuid4().hex, ["hello"], origin=ALLOWED_ORIGIN)
    )
    assert received[0]["text"].startswith("Hi!")
    with pytest.raises(socketio.exceptions.ConnectionError):
        asyncio.run(
            socketio_conversation(server.url, uuid.uuid4().hex, ["hello"], origin="https://elsewhere.example")
        )


def test_socketio_urgent_reply_is_marked_in_metadata(server):
    url = server.url
    received = asyncio.run(
        socketio_conversation(
            url,
            uuid.uuid4().hex,
            [
                "what is valtrex",
                "my little boy swallowed a bunch of my valtrex pills",
            ],
        )
    )
    urgent = [event for event in received if (event.get("metadata") or {}).get("urgent")]
    assert len(urgent) == 1
    assert urgent[0]["metadata"] == {"urgent": True, "category": "overdose"}
    assert urgent[0]["text"].startswith("Call 911 now")
    assert "1-800-222-1222" in urgent[0]["text"]


def test_socketio_replies_name_their_response(server):
    """The widget's "Was this helpful?" vote names the answer by this name."""
    received = asyncio.run(
        socketio_conversation(
            server.url,
            uuid.uuid4().hex,
            ["does valtrex cause back pain", '/not_helpful{"answer": "utter_ask_back_pain/is_side_effect"}'],
        )
    )
    assert [event.get("utter_action") for event in received] == [
        "utter_disclaimer",
        "utter_ask_back_pain/is_side_effect",
        "utter_not_helpful",
    ]
    assert received[2]["metadata"] == {
        "feedback": {"vote": "down", "answer": "utter_ask_back_pain/is_side_effect"}
    }


def test_socketio_bad_events_get_the_fallback(server):
    url, log = server.url, server.log
    session = uuid.uuid4().hex
    bad_events = [
        {"session_id": session},  # no message
        {"message": None, "session_id": session},  # null
        {"message": 12345, "session_id": session},  # not a string
        {"message": ["a", "list"], "session_id": session},
    ]
    received = asyncio.run(socketio_conversation(url, session, bad_events))
    texts = [event.get("text") or "" for event in received]
    assert sum(t.startswith("Sorry, I didn't understand") for t in texts) == len(bad_events)
    assert "Traceback" not in log.read_text()


def test_socketio_message_with_an_over_long_session_id_is_ignored(server):
    """A session id the database could not store: no reply, no traceback, no crash."""
    session = "s" * 256
    received = asyncio.run(
        socketio_conversation(server.url, session, [{"message": "hi", "session_id": session}])
    )
    assert received == []
    assert "usable session_id" in server.log.read_text()
    assert "Traceback" not in server.log.read_text()
    assert rest(server.url, "hi", sender=f"after-long-session-{uuid.uuid4().hex}").ok


def test_socketio_over_long_message_gets_the_fallback(server):
    session = uuid.uuid4().hex
    received = asyncio.run(socketio_conversation(server.url, session, ["x" * 10_001]))
    assert any(event["text"].startswith("Sorry, I didn't understand") for event in received)


def test_socketio_limits_each_connection(server):
    session = uuid.uuid4().hex
    no_message = {"session_id": session}  # answered with the fallback: cheap
    received, acks = asyncio.run(socketio_session(server.url, session, [no_message] * 31))
    assert acks[:30] == [None] * 30 and acks[30] == TOO_MANY
    assert sum(e["text"].startswith("Sorry, I didn't understand") for e in received) == 30
    # A new connection of the same conversation has its own allowance.
    received, acks = asyncio.run(socketio_session(server.url, session, ["what is valtrex"]))
    assert acks == [None] and received


def test_socketio_drops_oversized_metadata_and_still_answers(server):
    session = uuid.uuid4().hex
    big = {"message": "hello", "session_id": session, "metadata": {"x": "y" * 5000}}
    received = asyncio.run(socketio_conversation(server.url, session, [big]))
    assert received[0]["text"].startswith("Hi!")
    assert "Dropped socket.io metadata" in server.log.read_text()


def test_buckets_refill_over_time_and_forget_old_keys():
    limit = TokenBuckets(messages=2, per_seconds=10, max_keys=2)
    assert [limit.allow("a", now=0) for _ in range(3)] == [True, True, False]
    assert limit.allow("a", now=4) is False  # 0.8 of a message refilled
    assert limit.allow("a", now=5) is True  # one whole message after 5 s
    limit.allow("b", now=5)
    limit.allow("c", now=5)  # "a" is forgotten: at most two keys are remembered
    assert len(limit) == 2
    assert [limit.allow("a", now=5) for _ in range(3)] == [True, True, False]  # a full bucket again


def request(peer, forwarded=None):
    return SimpleNamespace(ip=peer, headers={"x-forwarded-for": forwarded} if forwarded else {})


@pytest.mark.parametrize(
    "peer, forwarded, proxies, expected",
    [
        ("198.51.100.9", None, "", "198.51.100.9"),
        ("198.51.100.9", "203.0.113.7", "", "198.51.100.9"),  # nobody trusted: header ignored
        ("198.51.100.9", "203.0.113.7", "127.0.0.1", "198.51.100.9"),  # not from the proxy: ignored
        ("127.0.0.1", "203.0.113.7", "127.0.0.1", "203.0.113.7"),  # what nginx saw
        ("127.0.0.1", "1.2.3.4, 203.0.113.7", "127.0.0.1", "203.0.113.7"),  # the client's own claim: skipped
        ("10.0.0.5", "203.0.113.7, 10.0.0.9", "10.0.0.0/8", "203.0.113.7"),  # two trusted hops
        ("127.0.0.1", None, "127.0.0.1", "127.0.0.1"),
        ("127.0.0.1", "not an address", "127.0.0.1", "not an address"),
    ],
)
def test_client_address_trusts_forwarded_addresses_from_trusted_proxies_only(
    peer, forwarded, proxies, expected
):
    assert client_address(request(peer, forwarded), trusted_proxies(proxies)) == expected
