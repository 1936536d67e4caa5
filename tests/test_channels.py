"""The real server, as `make run` starts it: REST and socket.io channels."""
import asyncio
import json
import time
import uuid

import aiohttp
import pytest
import requests
import socketio

from bench.server import rss_mb
from channels.rest import SenderRateLimit
from conftest import ALLOWED_ORIGIN


def rest(url, message, sender="rest-user"):
    response = requests.post(f"{url}/webhooks/rest/webhook",
                             json={"sender": sender, "message": message}, timeout=30)
    return response


def test_rest_answers_a_question(server):
    url = server.url
    replies = rest(url, "does valtrex cause back pain", sender="rest-question").json()
    texts = [reply["text"] for reply in replies]
    assert texts[0].startswith("I'm an automated assistant, not a doctor.")
    assert texts[1].startswith("Back pain is not a common side effect of valacyclovir.")


@pytest.mark.parametrize("message", ["", "   ", "😀😀", "x" * 5000, "¿Qué hora es?"],
                         ids=["empty", "spaces", "emoji", "5000 characters", "spanish"])
def test_rest_bad_input_gets_a_polite_reply(server, message):
    url = server.url
    response = rest(url, message, sender=f"rest-bad-{uuid.uuid4().hex}")
    assert response.status_code == 200
    texts = [reply.get("text", "") for reply in response.json()]
    assert any(t.startswith(("Sorry, I didn't understand", "Sorry, I can only help")) for t in texts)


BAD_BODIES = {
    "malformed JSON": (b"{not json", 400),
    "invalid UTF-8": (b'{"sender": "a", "message": "\xff\xfe hi"}', 400),
    "not an object": (b"[1, 2]", 400),
    "no sender": (b'{"message": "hi"}', 400),
    "sender not a string": (b'{"sender": 5, "message": "hi"}', 400),
    "no message": (b'{"sender": "a"}', 400),
    "message not a string": (b'{"sender": "a", "message": ["hi"]}', 400),
    "a 1 MB message": (json.dumps({"sender": "a", "message": "a " * 500_000}).encode(), 413),
    "a 1 MB sender": (json.dumps({"sender": "a" * 1_000_000, "message": "hi"}).encode(), 400),
}


@pytest.mark.parametrize("name", BAD_BODIES)
def test_rest_refuses_bad_requests_clearly_and_stays_up(server, name):
    body, status = BAD_BODIES[name]
    response = requests.post(f"{server.url}/webhooks/rest/webhook", data=body,
                             headers={"Content-Type": "application/json"}, timeout=30)
    assert response.status_code == status
    assert response.json()["message"]  # says what is wrong
    assert rest(server.url, "hi", sender=f"after-{uuid.uuid4().hex}").ok
    assert "Traceback" not in server.log.read_text()


def test_rest_answers_a_long_message_up_to_the_limit(server):
    response = rest(server.url, "my lower back hurts " * 500, sender=f"long-{uuid.uuid4().hex}")
    assert response.status_code == 200 and response.json()


def test_a_burst_from_one_sender_is_limited_and_the_server_stays_up(server):
    """500 messages at once from one sender: the first 30 (credentials.yml) are
    answered, the rest refused with 429 at once, and other people are not held up."""
    async def burst():
        connector = aiohttp.TCPConnector(limit=100)
        async with aiohttp.ClientSession(connector=connector,
                                         timeout=aiohttp.ClientTimeout(total=120)) as session:
            async def send(i):
                async with session.post(f"{server.url}/webhooks/rest/webhook",
                                        json={"sender": "burst", "message": f"hello {i}"}) as r:
                    return r.status, await r.json()
            return await asyncio.gather(*(send(i) for i in range(500)))

    rss_before = rss_mb(server.pid)
    results = asyncio.run(burst())
    statuses = [status for status, _ in results]
    assert statuses.count(200) == 30 and statuses.count(429) == 470
    assert all(body for status, body in results if status == 200)  # each got its reply
    assert all("too many messages" in body["message"] for status, body in results if status == 429)
    assert rest(server.url, "hi", sender=f"after-burst-{uuid.uuid4().hex}").ok
    assert rss_mb(server.pid) - rss_before < 100
    assert "Traceback" not in server.log.read_text()


def test_message_text_is_not_logged(server):
    """Patients type health details: nothing they write reaches the log at INFO."""
    rest(server.url, "my herpes zoster flare-up 7xq9 hurts", sender=f"log-{uuid.uuid4().hex}")
    rest(server.url, "x" * 20_000, sender=f"log-{uuid.uuid4().hex}")  # refused: not echoed either
    log = server.log.read_text()
    assert "7xq9" not in log and "herpes zoster" not in log and "x" * 100 not in log


async def socketio_conversation(url, session_id, messages, origin=None, reply_seconds=20):
    """Send each event's data over socket.io and collect every bot_uttered event.

    A str is sent as `{"message": text, "session_id": ...}`; anything else as is.
    `origin` is the web page the client claims to be on (the Origin header).
    """
    client = socketio.AsyncClient()
    received = []
    confirmed = asyncio.Event()
    client.on("session_confirm", lambda *_: confirmed.set())
    client.on("bot_uttered", lambda data: received.append(data))
    # Long-polling: the websocket client of python-engineio 4.15 needs a newer
    # aiohttp than Rasa 3.6 allows (the browser tests cover websockets).
    await client.connect(url, transports=["polling"], socketio_path="socket.io",
                         headers={"Origin": origin} if origin else {})
    await client.emit("session_request", {"session_id": session_id})
    await asyncio.wait_for(confirmed.wait(), 10)
    for message in messages:
        before = len(received)
        data = {"message": message, "session_id": session_id} if isinstance(message, str) else message
        await client.emit("user_uttered", data)
        deadline = time.monotonic() + reply_seconds
        while len(received) == before and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.3)  # let the rest of this turn's messages arrive
    await client.disconnect()
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
    received = asyncio.run(socketio_conversation(server.url, uuid.uuid4().hex, ["hello"],
                                                 origin=ALLOWED_ORIGIN))
    assert received[0]["text"].startswith("Hi!")
    with pytest.raises(socketio.exceptions.ConnectionError):
        asyncio.run(socketio_conversation(server.url, uuid.uuid4().hex, ["hello"],
                                          origin="https://elsewhere.example"))


def test_socketio_urgent_reply_is_marked_in_metadata(server):
    url = server.url
    received = asyncio.run(socketio_conversation(url, uuid.uuid4().hex, [
        "what is valtrex", "my little boy swallowed a bunch of my valtrex pills",
    ]))
    urgent = [event for event in received if (event.get("metadata") or {}).get("urgent")]
    assert len(urgent) == 1
    assert urgent[0]["metadata"] == {"urgent": True, "category": "overdose"}
    assert urgent[0]["text"].startswith("Call 911 now")
    assert "1-800-222-1222" in urgent[0]["text"]


def test_socketio_replies_name_their_response(server):
    """The widget's "Was this helpful?" vote names the answer by this name."""
    received = asyncio.run(socketio_conversation(server.url, uuid.uuid4().hex, [
        "does valtrex cause back pain", '/not_helpful{"answer": "utter_ask_back_pain/is_side_effect"}']))
    assert [event.get("utter_action") for event in received] == [
        "utter_disclaimer", "utter_ask_back_pain/is_side_effect", "utter_not_helpful"]
    assert received[2]["metadata"] == {"feedback": {"vote": "down", "answer": "utter_ask_back_pain/is_side_effect"}}


def test_socketio_bad_events_get_the_fallback(server):
    url, log = server.url, server.log
    session = uuid.uuid4().hex
    bad_events = [
        {"session_id": session},                      # no message
        {"message": None, "session_id": session},     # null
        {"message": 12345, "session_id": session},    # not a string
        {"message": ["a", "list"], "session_id": session},
    ]
    received = asyncio.run(socketio_conversation(url, session, bad_events))
    texts = [event.get("text") or "" for event in received]
    assert sum(t.startswith("Sorry, I didn't understand") for t in texts) == len(bad_events)
    assert "Traceback" not in log.read_text()


def test_socketio_message_with_an_over_long_session_id_is_ignored(server):
    """A session id the database could not store: no reply, no traceback, no crash."""
    session = "s" * 256
    received = asyncio.run(socketio_conversation(
        server.url, session, [{"message": "hi", "session_id": session}], reply_seconds=3))
    assert received == []
    assert "usable session_id" in server.log.read_text()
    assert "Traceback" not in server.log.read_text()
    assert rest(server.url, "hi", sender=f"after-long-session-{uuid.uuid4().hex}").ok


def test_socketio_over_long_message_gets_the_fallback(server):
    session = uuid.uuid4().hex
    received = asyncio.run(socketio_conversation(server.url, session, ["x" * 10_001]))
    assert any(event["text"].startswith("Sorry, I didn't understand") for event in received)


def test_rate_limit_refills_over_time_and_forgets_old_senders():
    limit = SenderRateLimit(messages=2, per_seconds=10, max_senders=2)
    assert [limit.allow("a", now=0) for _ in range(3)] == [True, True, False]
    assert limit.allow("a", now=4) is False  # 0.8 of a message refilled
    assert limit.allow("a", now=5) is True   # one whole message after 5 s
    limit.allow("b", now=5)
    limit.allow("c", now=5)  # "a" is forgotten: at most two senders are remembered
    assert len(limit._buckets) == 2 and "a" not in limit._buckets
