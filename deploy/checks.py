"""The scale test's checks: the API stays internal, socket.io works through nginx,
and every turn got the right reply and was stored once, in order, redacted
(deploy/scale_test.py)."""

import asyncio
import json
import statistics
import time
import uuid
from collections import Counter
from contextlib import closing
from typing import Dict, List, Tuple

import aiohttp
import requests

from deploy.load import RAW_CONTACT_DETAILS, RunResult, Turn
from deploy.report import CheckFailed, log

# The page the socket.io sessions claim to come from (channels/socketio.py
# accepts only the origins in ALLOWED_ORIGINS).
ORIGIN = "https://assistant.scale-test.example"


def check_api(replica_port: int, nginx_port: int, token: str) -> List[str]:
    """The HTTP API is on, so it must refuse calls without the token; nginx must
    not expose it at all."""
    problems = []
    url = f"http://127.0.0.1:{replica_port}/status"
    without = requests.get(url, timeout=10).status_code
    wrong = requests.get(url, params={"token": "not-the-token"}, timeout=10).status_code
    with_token = requests.get(url, params={"token": token}, timeout=10).status_code
    through_nginx = requests.get(
        f"http://127.0.0.1:{nginx_port}/status", params={"token": token}, timeout=10
    ).status_code
    log(
        f"API /status: no token {without}, wrong token {wrong}, token {with_token}, "
        f"through nginx {through_nginx}"
    )
    if without not in (401, 403) or wrong not in (401, 403):
        problems.append(f"/status without a valid token answered {without}/{wrong}, not 401/403")
    if with_token != 200:
        problems.append(f"/status with the token answered {with_token}")
    if through_nginx != 404:
        problems.append(f"nginx passed /status on ({through_nginx}); the API must stay internal")
    return problems


def socketio_session(nginx_port: int, expected: List[str]) -> str:
    """One widget-style socket.io session through nginx, spoken by hand (Engine.IO
    4 / Socket.IO 5: the venv's engineio client needs a newer aiohttp): the
    handshake over long-polling, then the upgrade to a WebSocket, then /greet.
    Every request must reach the replica that holds the session."""
    import websockets

    url = f"http://127.0.0.1:{nginx_port}/socket.io/"
    with requests.Session() as http:
        http.headers["Origin"] = ORIGIN
        opened = http.get(url, params={"EIO": "4", "transport": "polling"}, timeout=10)
        opened.raise_for_status()
        sid = json.loads(opened.text[1:])["sid"]
        poll = {"EIO": "4", "transport": "polling", "sid": sid}
        http.post(url, params=poll, data="40", timeout=10).raise_for_status()  # join namespace "/"
        joined = http.get(url, params=poll, timeout=10)
        if not joined.text.startswith("40"):
            raise CheckFailed(f"socket.io: no namespace confirmation over polling: {joined.text[:80]!r}")
    session = f"scale-socketio-{uuid.uuid4().hex[:8]}"

    async def over_websocket() -> List[str]:
        ws_url = f"ws://127.0.0.1:{nginx_port}/socket.io/?EIO=4&transport=websocket&sid={sid}"
        async with websockets.connect(ws_url, open_timeout=10, origin=ORIGIN) as ws:
            await ws.send("2probe")
            if await asyncio.wait_for(ws.recv(), 10) != "3probe":
                raise CheckFailed("socket.io: WebSocket upgrade probe not answered")
            await ws.send("5")  # upgrade done
            for event, data in (
                ("session_request", {"session_id": session}),
                ("user_uttered", {"message": "/greet", "session_id": session}),
            ):
                await ws.send("42" + json.dumps([event, data]))
            texts: List[str] = []
            while len(texts) < len(expected):
                packet = await asyncio.wait_for(ws.recv(), 30)
                if packet == "2":
                    await ws.send("3")  # pong
                elif packet.startswith("42"):
                    event, data = json.loads(packet[2:])[:2]
                    if event == "bot_uttered":
                        texts.append(data.get("text"))
            return texts

    texts = asyncio.run(over_websocket())
    if texts != expected:
        raise CheckFailed(f"socket.io: replies {texts!r}")
    return "polling, then WebSocket"


def check_socketio(nginx_port: int, expected: List[str], sessions: int = 4) -> List[str]:
    problems = []
    for _ in range(sessions):
        try:
            socketio_session(nginx_port, expected)
        except Exception as error:  # noqa: BLE001 - reported as a failed check
            problems.append(f"socket.io through nginx: {type(error).__name__}: {error}")
    log(
        f"socket.io through nginx: {sessions - len(problems)}/{sessions} sessions answered "
        "(polling handshake, then WebSocket)"
    )
    return problems


def check_nginx_rate_limit(
    nginx_port: int, burst: int = 60, per_second: float = 2, requests_sent: int = 100
) -> List[str]:
    """nginx's limit_req (deploy/nginx.conf.template): one client address sending
    `requests_sent` messages at once gets `burst` + 1 through, plus what refilled
    meanwhile, and 429 from nginx itself for the rest (new sender ids each time:
    only the address can limit them)."""
    url = f"http://127.0.0.1:{nginx_port}/webhooks/rest/webhook"

    async def send_all() -> List[Tuple[int, str]]:
        connector = aiohttp.TCPConnector(limit=requests_sent, local_addr=("127.0.2.1", 0))
        async with aiohttp.ClientSession(
            connector=connector, timeout=aiohttp.ClientTimeout(total=120)
        ) as http:

            async def send(i: int) -> Tuple[int, str]:
                body = {"sender": f"scale-limit-{uuid.uuid4().hex[:8]}-{i}", "message": "/greet"}
                async with http.post(url, json=body) as response:
                    return response.status, response.headers.get("Content-Type", "")

            return await asyncio.gather(*(send(i) for i in range(requests_sent)))

    started = time.monotonic()
    results = asyncio.run(send_all())
    allowance = int((time.monotonic() - started) * per_second) + 1
    passed = sum(status == 200 for status, _ in results)
    by_nginx = sum(status == 429 and "json" not in kind for status, kind in results)
    log(
        f"nginx limit_req: {passed} of {requests_sent} at once from one address passed, "
        f"{by_nginx} refused by nginx (429)"
    )
    if not burst + 1 <= passed <= burst + 1 + allowance or passed + by_nginx != requests_sent:
        return [
            f"nginx limit_req: {passed} passed and {by_nginx} refused of {requests_sent}, "
            f"expected {burst + 1} (+{allowance} refilled) to pass and nginx to refuse the rest"
        ]
    return []


def stored_user_turns(
    db: Dict[str, str], senders: List[str]
) -> Tuple[Dict[str, List[Tuple[str, float]]], int]:
    """Each conversation's stored user messages (text, timestamp) in storage
    order, and how many stored events still hold one of the raw contact details."""
    import psycopg2

    connection = psycopg2.connect(
        host=db["DB_HOST"],
        port=db["DB_PORT"],
        dbname=db["DB_DATABASE"],
        user=db["DB_USER"],
        password=db["DB_PASSWORD"],
        connect_timeout=10,
    )
    with closing(connection), connection.cursor() as cursor:
        cursor.execute(
            "SELECT sender_id, data FROM events WHERE type_name = 'user' AND sender_id = ANY(%s) ORDER BY id",
            (senders,),
        )
        stored: Dict[str, List[Tuple[str, float]]] = {s: [] for s in senders}
        for sender, data in cursor.fetchall():
            event = json.loads(data)
            stored[sender].append((event.get("text"), event.get("timestamp")))
        cursor.execute(
            "SELECT count(*) FROM events WHERE " + " OR ".join(["data LIKE %s"] * len(RAW_CONTACT_DETAILS)),
            [f"%{raw}%" for raw in RAW_CONTACT_DETAILS],
        )
        raw_left = cursor.fetchone()[0]
    return stored, raw_left


def evaluate(result: RunResult, db: Dict[str, str], kill_run: bool) -> None:
    turns = [t for c in result.conversations for t in c.turns]
    answered = [t for t in turns if t.ok]
    failed = [t for t in turns if not t.ok]
    server_errors = [t for t in turns if t.status and t.status >= 500]
    stored_events, raw_left = stored_user_turns(db, [c.sender for c in result.conversations])
    stored = {sender: [text for text, _ in events] for sender, events in stored_events.items()}
    by_key = {line.rsplit(" ", 1)[-1]: line for line in result.nginx_lines}
    traces = []

    duplicates = missing = stored_failed = unexpected = out_of_order = 0
    wrong: List[Turn] = []
    for conversation in result.conversations:
        texts = stored[conversation.sender]
        counts = Counter(texts)
        opened = False  # the assistant has seen an earlier turn of this conversation
        for t in conversation.turns:
            if t.ok and t.texts != (t.expected if opened else t.opening):
                wrong.append(t)
            opened = opened or counts[t.stored] > 0
        planned = {t.stored for t in conversation.turns}
        duplicates += sum(n - 1 for n in counts.values() if n > 1)
        for t in conversation.turns:  # how a duplicated turn got there, for the report
            if counts[t.stored] > 1:
                times = [
                    f"{ts - result.kill_wall:+.2f}s" if result.kill_wall else f"{ts:.2f}"
                    for text, ts in stored_events[conversation.sender]
                    if text == t.stored
                ]
                traces.append(
                    f"{t.key} {t.message!r}: stored at {', '.join(times)} (vs kill); "
                    f"nginx: {by_key.get(t.key, '?')}"
                )
        unexpected += sum(n for text, n in counts.items() if text not in planned)
        missing += sum(1 for t in conversation.turns if t.ok and counts[t.stored] == 0)
        stored_failed += sum(1 for t in conversation.turns if not t.ok and counts[t.stored] > 0)
        in_plan_order = [t.stored for t in conversation.turns if counts[t.stored] > 0]
        if list(dict.fromkeys(texts)) != in_plan_order:
            out_of_order += 1

    latencies = sorted(t.latency * 1000 for t in answered)
    # $upstream_addr lists every replica nginx tried: "a, b" means passed on.
    retried = sum(
        1 for line in result.nginx_lines if line.startswith("POST /webhooks/") and ", " in line.split('"')[1]
    )
    per_replica = Counter(
        line.split('"')[1].split(", ")[0] for line in result.nginx_lines if line.startswith("POST /webhooks/")
    )
    result.figures = {
        "conversations x turns": f"{len(result.conversations)} x {len(result.conversations[0].turns)}",
        "requests": len(turns),
        "answered (200)": len(answered),
        "5xx": len(server_errors),
        "failed (any)": len(failed),
        "failed %": f"{100 * len(failed) / len(turns):.2f}",
        "wrong replies": len(wrong),
        "user turns stored": sum(len(v) for v in stored.values()),
        "answered but not stored": missing,
        "stored twice or more": duplicates,
        "failed but stored": stored_failed,
        "conversations out of order": out_of_order,
        "raw contact details in store": raw_left,
        "passed on to the other replica by nginx": retried,
        "POSTs per replica": ", ".join(f"{n}" for _, n in sorted(per_replica.items())),
        "latency p50 (ms)": f"{statistics.median(latencies):.0f}" if latencies else "-",
        "latency p95 (ms)": f"{latencies[int(0.95 * (len(latencies) - 1))]:.0f}" if latencies else "-",
        "latency max (ms)": f"{latencies[-1]:.0f}" if latencies else "-",
        "duration (s)": f"{result.duration:.1f}",
        "answered per second (paced)": f"{len(answered) / result.duration:.1f}",
    }
    for t in failed[:5]:  # what nginx saw of each failed request
        log(f"{result.name}: failed: {t.key} {t.status or t.error}; nginx: {by_key.get(t.key, '-')}")
    slowest = sorted(answered, key=lambda t: -t.latency)[:3]
    log(
        f"{result.name}: slowest turns: "
        + "; ".join(
            f"{by_key.get(t.key, t.key)} ({t.answered_at - result.kill_time:+.1f}s vs kill)"
            if kill_run
            else by_key.get(t.key, t.key)
            for t in slowest
        )
    )
    if kill_run:
        result.figures["killed at turn"] = f"{result.killed_at_turn} (in flight: {result.in_flight_at_kill})"

    p = result.problems
    if wrong:
        p.append(f"{len(wrong)} wrong replies, e.g. {wrong[0].message!r} got {wrong[0].texts!r}")
    if missing or duplicates or unexpected or out_of_order:
        p.append(
            f"store: {missing} answered turns missing, {duplicates} duplicates, "
            f"{unexpected} unexpected, {out_of_order} conversations out of order"
        )
    p.extend(f"duplicate: {trace}" for trace in traces[:5])
    if raw_left:
        p.append(f"{raw_left} stored events still hold a raw e-mail address or phone number")
    if not kill_run:
        if server_errors or failed:
            p.append(
                f"{len(server_errors)} 5xx and {len(failed)} failed requests without any failure injected"
            )
        if sum(len(v) for v in stored.values()) != len(turns):
            p.append(f"{sum(len(v) for v in stored.values())} user turns stored, {len(turns)} sent")
    else:
        if result.killed_at_turn is None:
            p.append("the replica was never killed")
        if len(failed) >= 0.01 * len(turns):
            p.append(f"{len(failed)} failed requests ({100 * len(failed) / len(turns):.2f} %), limit 1 %")
        # Every conversation that sent messages after the kill got answers.
        active = [c for c in result.conversations if any(t.sent_at > result.kill_time for t in c.turns)]
        went_on = [c for c in active if any(t.ok and t.sent_at > result.kill_time for t in c.turns)]
        result.figures["conversations answered after the kill"] = f"{len(went_on)} of {len(active)}"
        if len(went_on) != len(active):
            p.append(f"only {len(went_on)} of {len(active)} conversations went on after the kill")
