"""`make scale-test`: the scale-out profile (docs/deploy.md), proved on this machine.

Installs PostgreSQL, Redis and nginx from Debian packages if they are missing,
starts each on loopback from a temporary directory as a child of this process,
then two Rasa replicas with deploy/endpoints.scale.yml behind nginx rendered
from deploy/nginx.conf.template, and drives conversations through nginx over
REST:

  run 1  50 conversations x 20 turns, people pausing 1-3 s between messages
         (--think): no 5xx, every reply the right one, every user turn stored
         exactly once and in order in PostgreSQL, with e-mail addresses and
         phone numbers redacted;
  run 2  the same with new conversations; one replica is SIGKILLed when 40 % of
         the turns are done: the conversations go on with the other replica,
         under 1 % of requests fail, every answered turn is stored exactly once.

Prints the figures, stops everything it started and removes its files. Exit
status 1 if a check fails (the logs are then kept in results/scale-test-logs/).
"""
import argparse
import asyncio
import ctypes
import glob
import json
import os
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from random import Random
from typing import Callable, Dict, List, Optional, Tuple

import requests
import yaml

from bench.server import MODEL, ROOT, free_port, rss_mb

ENDPOINTS = "deploy/endpoints.scale.yml"
NGINX_TEMPLATE = ROOT / "deploy" / "nginx.conf.template"
FAILED_LOGS = ROOT / "results" / "scale-test-logs"
RASA = str(Path(sys.executable).with_name("rasa"))
# The page the socket.io sessions claim to come from (channels/socketio.py
# accepts only the origins in ALLOWED_ORIGINS).
ORIGIN = "https://assistant.scale-test.example"

# Messages typed with contact details, and what must be stored of them. The
# replies come from the safety net's personal and urgent patterns; the intents
# are the ones tests/stories/ expect for the same questions.
TYPED = [
    ("is it ok to have a glass of wine with my valtrex tonight? text me on 555-123-4567",
     "is it ok to have a glass of wine with my valtrex tonight? text me on [phone]",
     "utter_personal_advice/interaction"),
    ("totally forgot my lunchtime valacyclovir, what should i do now. my email is sam.lee@example.com",
     "totally forgot my lunchtime valacyclovir, what should i do now. my email is [email]",
     "utter_personal_advice/missed_dose"),
    ("got a cold sore starting, how many of my 1 gram valtrex should i take? call me at (555) 987 6543",
     "got a cold sore starting, how many of my 1 gram valtrex should i take? call me at [phone]",
     "utter_personal_advice/own_dose"),
    ("im 10 weeks pregnant, is valtrex ok for me to take? reach me at jo+test@mail.example.org",
     "im 10 weeks pregnant, is valtrex ok for me to take? reach me at [email]",
     "utter_personal_advice/pregnancy_breastfeeding"),
    ("my lips and tongue are swelling after my valtrex pill, call 555-222-3333",
     "my lips and tongue are swelling after my valtrex pill, call [phone]",
     "utter_urgent_help/allergy"),
]
RAW_CONTACT_DETAILS = ["555-123-4567", "sam.lee@example.com", "987 6543", "jo+test@", "555-222-3333"]


class CheckFailed(Exception):
    pass


STARTED = time.monotonic()


def log(message: str) -> None:
    print(f"[{time.monotonic() - STARTED:6.1f}s] {message}", flush=True)


# --- Conversations and the replies they must get ----------------------------------

@dataclass
class Turn:
    message: str
    stored: str                 # the message as it must be stored (redacted)
    expected: List[str]         # the reply texts, in order
    opening: List[str]          # the replies if it opens the conversation (earlier turns lost)
    status: Optional[int] = None
    error: str = ""
    texts: Optional[List[str]] = None
    latency: float = 0.0
    sent_at: float = 0.0
    answered_at: float = 0.0
    key: str = ""               # sender/index, logged by nginx to trace a turn

    @property
    def ok(self) -> bool:
        return self.status == 200 and self.texts is not None


@dataclass
class Conversation:
    sender: str
    turns: List[Turn] = field(default_factory=list)


def plan_conversations(count: int, turns: int, run: str, seed: int) -> List[Conversation]:
    """Each conversation: an opener, then distinct button payloads and one typed
    message with a contact detail. Expected replies come from domain.yml."""
    responses = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))["responses"]
    text = {name: variations[0]["text"] for name, variations in responses.items()}
    payloads = sorted({button["payload"] for variations in responses.values()
                       for variation in variations for button in variation.get("buttons") or []})
    if len(payloads) < turns:
        raise CheckFailed(f"domain.yml has {len(payloads)} button payloads, need {turns}")

    def make_turn(message: str, stored: str, response: str) -> Turn:
        # Rules: a conversation opens with the disclaimer, except before an urgent reply.
        urgent = response.startswith("utter_urgent_help/")
        return Turn(message, stored, [text[response]],
                    [text[response]] if urgent else [text["utter_disclaimer"], text[response]])

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
        conversations.append(Conversation(sender, turns_))
    return conversations


# --- Processes this script starts and must stop -----------------------------------

def _die_with_parent() -> None:
    """Child processes get SIGTERM if this script dies without cleaning up."""
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


@dataclass
class Child:
    name: str
    process: subprocess.Popen
    log: Path
    stop_signal: int = signal.SIGTERM


class Stack:
    """Every process started here, stopped in reverse order."""

    def __init__(self, logs: Path) -> None:
        self.logs = logs
        self.children: List[Child] = []

    def spawn(self, name: str, command: List[str], user: Optional[str] = None,
              env: Optional[Dict[str, str]] = None, cwd: Path = ROOT,
              stop_signal: int = signal.SIGTERM) -> Child:
        log_path = self.logs / f"{name}.log"
        with open(log_path, "ab") as out:
            process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, cwd=cwd,
                                       env=env, user=user, group=user, preexec_fn=_die_with_parent)
        child = Child(name, process, log_path, stop_signal)
        self.children.append(child)
        return child

    def stop_all(self) -> None:
        for child in reversed(self.children):
            if child.process.poll() is None:
                child.process.send_signal(child.stop_signal)
        for child in reversed(self.children):
            try:
                child.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                child.process.kill()
                child.process.wait(timeout=10)


def wait_until(what: str, ready: Callable[[], bool], timeout: float, child: Optional[Child] = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if child and child.process.poll() is not None:
            raise CheckFailed(f"{what}: exited early, see {child.log.name}:\n{tail(child.log)}")
        try:
            if ready():
                return
        except Exception:
            pass
        time.sleep(0.3)
    raise CheckFailed(f"{what}: not ready in {timeout:.0f} s")


def tail(path: Path, chars: int = 2500) -> str:
    return path.read_text(errors="replace")[-chars:] if path.exists() else ""


def ensure_packages() -> None:
    """apt-get install what is missing. Debian would start each package's service
    at install; policy-rc.d says no, as only the programs are wanted here."""
    missing = [package for package, present in (
        ("postgresql", glob.glob("/usr/lib/postgresql/*/bin/postgres")),
        ("redis-server", shutil.which("redis-server")),
        ("nginx", shutil.which("nginx") or os.path.exists("/usr/sbin/nginx")),
    ) if not present]
    if not missing:
        return
    if os.geteuid() != 0:
        raise CheckFailed(f"install {' '.join(missing)} (apt-get) or run as root")
    log(f"apt-get install {' '.join(missing)}")
    policy = Path("/usr/sbin/policy-rc.d")
    created = not policy.exists()
    if created:
        policy.write_text("#!/bin/sh\nexit 101\n")
        policy.chmod(0o755)
    try:
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        subprocess.run(["apt-get", "update", "-qq"], check=True, timeout=300, env=env)
        subprocess.run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing],
                       check=True, timeout=600, env=env, stdout=subprocess.DEVNULL)
    finally:
        if created:
            policy.unlink()


def start_postgres(stack: Stack, tmp: Path) -> Dict[str, str]:
    """A throw-away cluster owned by the postgres user (it refuses to run as root)."""
    bindir = Path(max(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name)))
    home = tmp / "postgres"
    home.mkdir(mode=0o700)
    shutil.chown(home, "postgres", "postgres")
    data = home / "data"
    subprocess.run([bindir / "initdb", "-D", data, "-U", "postgres", "-E", "UTF8", "--no-locale",
                    "--auth-local=peer", "--auth-host=scram-sha-256"], check=True, timeout=120,
                   user="postgres", group="postgres", cwd=home, stdout=subprocess.DEVNULL)
    port = free_port()
    child = stack.spawn("postgres", [str(bindir / "postgres"), "-D", str(data), "-p", str(port),
                                     "-k", str(home), "-c", "listen_addresses=127.0.0.1"],
                        user="postgres", cwd=home, stop_signal=signal.SIGINT)  # SIGINT: fast shutdown
    wait_until("PostgreSQL", lambda: subprocess.run(
        [bindir / "pg_isready", "-q", "-h", "127.0.0.1", "-p", str(port)], timeout=5).returncode == 0,
        60, child)
    password = secrets.token_hex(16)
    subprocess.run([bindir / "psql", "-q", "-v", "ON_ERROR_STOP=1", "-h", home, "-p", str(port),
                    "-U", "postgres", "-d", "postgres"], check=True, timeout=30, user="postgres",
                   group="postgres", cwd=home, text=True,
                   input=f"CREATE ROLE rasa LOGIN PASSWORD '{password}';\nCREATE DATABASE rasa OWNER rasa;\n")
    return {"DB_HOST": "127.0.0.1", "DB_PORT": str(port), "DB_DATABASE": "rasa",
            "DB_USER": "rasa", "DB_PASSWORD": password}


def start_redis(stack: Stack, tmp: Path) -> Dict[str, str]:
    import redis

    home = tmp / "redis"
    home.mkdir(mode=0o700)
    port, password = free_port(), secrets.token_hex(16)
    config = home / "redis.conf"
    fd = os.open(config, os.O_WRONLY | os.O_CREAT, 0o600)  # holds the password
    with os.fdopen(fd, "w") as out:
        out.write(f'port {port}\nbind 127.0.0.1\nprotected-mode yes\nrequirepass "{password}"\n'
                  f'save ""\nappendonly no\ndaemonize no\ndir {home}\nlogfile ""\n')
    child = stack.spawn("redis", ["redis-server", str(config)], cwd=home)
    client = redis.Redis(host="127.0.0.1", port=port, password=password, socket_timeout=2)
    wait_until("Redis", client.ping, 30, child)
    return {"REDIS_HOST": "127.0.0.1", "REDIS_PORT": str(port), "REDIS_PASSWORD": password,
            "REDIS_DB": "1"}


def start_replicas(stack: Stack, env: Dict[str, str], token: str, count: int) -> List[Child]:
    replicas, ports = [], []
    for i in range(count):
        port = free_port()
        command = [RASA, "run", "--model", str(MODEL), "--interface", "127.0.0.1", "--port", str(port),
                   "--endpoints", ENDPOINTS, "--credentials", "credentials.yml",
                   "--enable-api", f"--auth-token={token}"]  # "=": a token may start with "-"
        replicas.append(stack.spawn(f"rasa-{i + 1}", command, env=env))
        ports.append(port)
    for replica, port in zip(replicas, ports):
        replica.port = port  # type: ignore[attr-defined]
        wait_until(replica.name, lambda: requests.get(f"http://127.0.0.1:{port}/webhooks/rest/",
                                                     timeout=2).ok, 240, replica)
    return replicas


def render_nginx(listen: str, replicas: List[str]) -> str:
    """deploy/nginx.conf.template as envsubst fills it in, for these names only."""
    values = {"NGINX_LISTEN": listen, **{f"RASA_REPLICA_{i + 1}": r for i, r in enumerate(replicas)}}
    return re.sub(r"\$\{(NGINX_LISTEN|RASA_REPLICA_\d+)\}", lambda m: values[m.group(1)],
                  NGINX_TEMPLATE.read_text())


def nginx_main_config(home: Path, site: Path, logs: Path) -> str:
    """The parts of nginx.conf that belong to this machine, not to the profile."""
    temp = "\n".join(f"  {kind}_temp_path {home / kind};" for kind in
                     ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    return (f"worker_processes 1;\npid {home / 'nginx.pid'};\nerror_log {home / 'error.log'} warn;\n"
            "events { worker_connections 512; }\nhttp {\n"
            "  log_format upstreams '$request_method $uri $status \"$upstream_addr\" \"$upstream_status\" "
            "$request_time $upstream_response_time $http_x_scale_turn';\n"
            f"  access_log {logs / 'nginx-access.log'} upstreams;\n{temp}\n  include {site};\n}}\n")


def start_nginx(stack: Stack, tmp: Path, replica_ports: List[int], retry_post: bool) -> Child:
    home = tmp / "nginx"
    home.mkdir()
    port = free_port()
    site_text = render_nginx(f"127.0.0.1:{port}", [f"127.0.0.1:{p}" for p in replica_ports])
    if retry_post:  # only to measure the alternative (--retry-post)
        site_text = site_text.replace("proxy_next_upstream error timeout;",
                                      "proxy_next_upstream error timeout non_idempotent;")
    site = home / "rasa.conf"
    site.write_text(site_text)
    main = home / "nginx.conf"
    main.write_text(nginx_main_config(home, site, stack.logs))
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    base = [nginx, "-c", str(main), "-e", str(home / "error.log")]
    checked = subprocess.run([*base, "-t", "-q"], capture_output=True, text=True, timeout=30)
    if checked.returncode != 0:
        raise CheckFailed(f"nginx -t failed:\n{checked.stderr}")
    child = stack.spawn("nginx", [*base, "-g", "daemon off;"], cwd=home)
    child.port = port  # type: ignore[attr-defined]
    child.access_log = stack.logs / "nginx-access.log"  # type: ignore[attr-defined]
    wait_until("nginx", lambda: requests.get(f"http://127.0.0.1:{port}/", timeout=2).ok, 30, child)
    return child


# --- Checks -------------------------------------------------------------------------

def check_api(replica_port: int, nginx_port: int, token: str) -> List[str]:
    """The HTTP API is on, so it must refuse calls without the token; nginx must
    not expose it at all."""
    problems = []
    url = f"http://127.0.0.1:{replica_port}/status"
    without = requests.get(url, timeout=10).status_code
    wrong = requests.get(url, params={"token": "not-the-token"}, timeout=10).status_code
    with_token = requests.get(url, params={"token": token}, timeout=10).status_code
    through_nginx = requests.get(f"http://127.0.0.1:{nginx_port}/status", params={"token": token},
                                 timeout=10).status_code
    log(f"API /status: no token {without}, wrong token {wrong}, token {with_token}, "
        f"through nginx {through_nginx}")
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
            for event, data in (("session_request", {"session_id": session}),
                                ("user_uttered", {"message": "/greet", "session_id": session})):
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
    log(f"socket.io through nginx: {sessions - len(problems)}/{sessions} sessions answered "
        "(polling handshake, then WebSocket)")
    return problems


def stored_user_turns(db: Dict[str, str], senders: List[str]) -> Tuple[Dict[str, List[Tuple[str, float]]], int]:
    """Each conversation's stored user messages (text, timestamp) in storage
    order, and how many stored events still hold one of the raw contact details."""
    import psycopg2

    connection = psycopg2.connect(host=db["DB_HOST"], port=db["DB_PORT"], dbname=db["DB_DATABASE"],
                                  user=db["DB_USER"], password=db["DB_PASSWORD"], connect_timeout=10)
    with closing(connection), connection.cursor() as cursor:
        cursor.execute("SELECT sender_id, data FROM events WHERE type_name = 'user' "
                       "AND sender_id = ANY(%s) ORDER BY id", (senders,))
        stored: Dict[str, List[Tuple[str, float]]] = {s: [] for s in senders}
        for sender, data in cursor.fetchall():
            event = json.loads(data)
            stored[sender].append((event.get("text"), event.get("timestamp")))
        cursor.execute("SELECT count(*) FROM events WHERE " +
                       " OR ".join(["data LIKE %s"] * len(RAW_CONTACT_DETAILS)),
                       [f"%{raw}%" for raw in RAW_CONTACT_DETAILS])
        raw_left = cursor.fetchone()[0]
    return stored, raw_left


# --- Load -------------------------------------------------------------------------

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


def drive(url: str, conversations: List[Conversation], think: Tuple[float, float], time_limit: float,
          kill: Optional[Callable[[], None]] = None, kill_fraction: float = 0.4) -> Dict:
    """One thread per conversation, like a person: they start within the first
    2 s, send one message, wait for the answer, read it for `think` seconds
    (random between min and max), send the next. Bounded: each request 90 s at
    most, the whole run `time_limit`."""
    total = sum(len(c.turns) for c in conversations)
    lock = threading.Lock()
    state = {"done": 0, "in_flight": 0, "killed_at_turn": None, "in_flight_at_kill": 0, "kill_time": 0.0}
    deadline = time.monotonic() + time_limit

    def converse(conversation: Conversation, rng: Random) -> None:
        time.sleep(rng.uniform(0, 2))
        with requests.Session() as session:
            for index, turn in enumerate(conversation.turns):
                if index:
                    time.sleep(rng.uniform(*think))
                if time.monotonic() > deadline:
                    turn.error = "not sent (time limit)"
                    continue
                with lock:
                    state["in_flight"] += 1
                started = turn.sent_at = time.monotonic()
                try:
                    response = session.post(url, json={"sender": conversation.sender, "message": turn.message},
                                            headers={"X-Scale-Turn": turn.key}, timeout=(5, 90))
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
                        state.update(killed_at_turn=state["done"], in_flight_at_kill=state["in_flight"],
                                     kill_time=time.monotonic(), kill_wall=time.time())
                        kill()

    threads = [threading.Thread(target=converse, args=(c, Random(c.sender)), daemon=True)
               for c in conversations]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=max(1.0, deadline + 100 - time.monotonic()))
    if any(thread.is_alive() for thread in threads):
        raise CheckFailed("the load did not finish in its time limit")
    state["duration"] = time.monotonic() - started
    return state


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
                times = [f"{ts - result.kill_wall:+.2f}s" if result.kill_wall else f"{ts:.2f}"
                         for text, ts in stored_events[conversation.sender] if text == t.stored]
                traces.append(f"{t.key} {t.message!r}: stored at {', '.join(times)} (vs kill); "
                              f"nginx: {by_key.get(t.key, '?')}")
        unexpected += sum(n for text, n in counts.items() if text not in planned)
        missing += sum(1 for t in conversation.turns if t.ok and counts[t.stored] == 0)
        stored_failed += sum(1 for t in conversation.turns if not t.ok and counts[t.stored] > 0)
        in_plan_order = [t.stored for t in conversation.turns if counts[t.stored] > 0]
        if list(dict.fromkeys(texts)) != in_plan_order:
            out_of_order += 1

    latencies = sorted(t.latency * 1000 for t in answered)
    # $upstream_addr lists every replica nginx tried: "a, b" means passed on.
    retried = sum(1 for line in result.nginx_lines
                  if line.startswith("POST /webhooks/") and ", " in line.split('"')[1])
    per_replica = Counter(line.split('"')[1].split(", ")[0] for line in result.nginx_lines
                          if line.startswith("POST /webhooks/"))
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
    log(f"{result.name}: slowest turns: " + "; ".join(
        f"{by_key.get(t.key, t.key)} ({t.answered_at - result.kill_time:+.1f}s vs kill)" if kill_run
        else by_key.get(t.key, t.key) for t in slowest))
    if kill_run:
        result.figures["killed at turn"] = f"{result.killed_at_turn} (in flight: {result.in_flight_at_kill})"

    p = result.problems
    if wrong:
        p.append(f"{len(wrong)} wrong replies, e.g. {wrong[0].message!r} got {wrong[0].texts!r}")
    if missing or duplicates or unexpected or out_of_order:
        p.append(f"store: {missing} answered turns missing, {duplicates} duplicates, "
                 f"{unexpected} unexpected, {out_of_order} conversations out of order")
    p.extend(f"duplicate: {trace}" for trace in traces[:5])
    if raw_left:
        p.append(f"{raw_left} stored events still hold a raw e-mail address or phone number")
    if not kill_run:
        if server_errors or failed:
            p.append(f"{len(server_errors)} 5xx and {len(failed)} failed requests without any failure injected")
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


def read_new_lines(path: Path, offset: int) -> Tuple[List[str], int]:
    with open(path, errors="replace") as f:
        f.seek(offset)
        text = f.read()
        return text.splitlines(), f.tell()


def print_table(runs: List[RunResult]) -> None:
    keys = list(dict.fromkeys(k for r in runs for k in r.figures))
    width = max(len(k) for k in keys)
    columns = [max(len(r.name), *(len(str(v)) for v in r.figures.values())) for r in runs]
    print("\n| " + "figure".ljust(width) + " | " + " | ".join(r.name.rjust(w) for r, w in zip(runs, columns)) + " |")
    print("|" + "-" * (width + 2) + "|" + "|".join("-" * (w + 1) + ":" for w in columns) + "|")
    for k in keys:
        cells = [str(r.figures.get(k, "")).rjust(w) for r, w in zip(runs, columns)]
        print(f"| {k.ljust(width)} | " + " | ".join(cells) + " |")
    print()


# --- Main ---------------------------------------------------------------------------

def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--conversations", type=int, default=50)
    parser.add_argument("--turns", type=int, default=20)
    parser.add_argument("--kill-at", type=float, default=0.4, help="fraction of turns done when a replica dies")
    parser.add_argument("--lock-lifetime", default=os.environ.get("TICKET_LOCK_LIFETIME", "10"),
                        help="TICKET_LOCK_LIFETIME for the replicas (s)")
    parser.add_argument("--think", default="1,3",
                        help="seconds a person takes between an answer and the next message: min,max")
    parser.add_argument("--retry-post", action="store_true",
                        help="measure the alternative: nginx re-sends delivered POSTs (non_idempotent)")
    args = parser.parse_args()
    think = tuple(float(x) for x in args.think.split(","))
    if not MODEL.exists():
        print(f"{MODEL} is missing: make train", file=sys.stderr)
        return 2

    # SIGTERM/SIGHUP end the run like Ctrl-C: through the finally below.
    def interrupted(signum, _frame):
        raise KeyboardInterrupt(signal.Signals(signum).name)
    signal.signal(signal.SIGTERM, interrupted)
    signal.signal(signal.SIGHUP, interrupted)

    ensure_packages()
    tmp = Path(tempfile.mkdtemp(prefix="rasa-scale-"))
    tmp.chmod(0o711)  # postgres and nginx workers must reach their own subdirectories
    logs = tmp / "logs"
    logs.mkdir()
    stack = Stack(logs)
    problems: List[str] = []
    runs: List[RunResult] = []
    try:
        db = start_postgres(stack, tmp)
        log(f"PostgreSQL on 127.0.0.1:{db['DB_PORT']}")
        lock = start_redis(stack, tmp)
        log(f"Redis on 127.0.0.1:{lock['REDIS_PORT']}")
        token = secrets.token_hex(24)
        env = dict(os.environ, PYTHONPATH=str(ROOT), RASA_TELEMETRY_ENABLED="false",
                   TICKET_LOCK_LIFETIME=str(args.lock_lifetime), SQL_POOL_SIZE="10", SQL_MAX_OVERFLOW="10",
                   ALLOWED_ORIGINS=ORIGIN,
                   **db, **lock)
        replicas = start_replicas(stack, env, token, 2)
        log("Rasa replicas ready on ports " + ", ".join(str(r.port) for r in replicas))
        nginx = start_nginx(stack, tmp, [r.port for r in replicas], retry_post=args.retry_post)
        log(f"nginx on 127.0.0.1:{nginx.port}")

        # The first message a replica answers is slow (TensorFlow builds its
        # graphs): send one to each so the runs measure replicas in service.
        for replica in replicas:
            requests.post(f"http://127.0.0.1:{replica.port}/webhooks/rest/webhook",
                          json={"sender": f"warm-up-{uuid.uuid4().hex[:8]}", "message": "/greet"}, timeout=60)
        log("replica memory (RSS): " + ", ".join(f"{rss_mb(r.process.pid):.0f} MB" for r in replicas))
        problems += check_api(replicas[0].port, nginx.port, token)
        responses = yaml.safe_load((ROOT / "domain.yml").read_text())["responses"]
        problems += check_socketio(nginx.port, [responses[n][0]["text"] for n in
                                                ("utter_greet", "utter_disclaimer", "utter_topics")])

        url = f"http://127.0.0.1:{nginx.port}/webhooks/rest/webhook"
        offset = 0
        for name, seed, kill_run in (("run 1", 1, False), ("run 2: replica killed", 2, True)):
            conversations = plan_conversations(args.conversations, args.turns, f"r{seed}", seed)
            victim = replicas[1]

            def kill_replica() -> None:
                victim.process.send_signal(signal.SIGKILL)
                log(f"SIGKILL {victim.name} (pid {victim.process.pid})")

            log(f"{name}: {args.conversations} conversations x {args.turns} turns through nginx")
            state = drive(url, conversations, think, time_limit=150,
                          kill=kill_replica if kill_run else None, kill_fraction=args.kill_at)
            result = RunResult(name, conversations, state["duration"], state["killed_at_turn"],
                               state["in_flight_at_kill"], state["kill_time"], state.get("kill_wall", 0.0))
            time.sleep(0.5)  # let nginx flush its access log lines
            result.nginx_lines, offset = read_new_lines(nginx.access_log, offset)
            evaluate(result, db, kill_run)
            result.figures = {"think time (s)": args.think.replace(",", "-"),
                              "nginx re-sends delivered POSTs": "yes" if args.retry_post else "no",
                              **result.figures}
            runs.append(result)
            log(f"{name}: {result.figures['answered (200)']}/{result.figures['requests']} answered "
                f"in {result.figures['duration (s)']} s")
            problems += [f"{name}: {p}" for p in result.problems]
        if runs and runs[-1].killed_at_turn is not None and replicas[1].process.poll() is None:
            problems.append("the killed replica is still running")
    except CheckFailed as error:
        problems.append(str(error))
    except KeyboardInterrupt as error:
        problems.append(f"interrupted ({error})")
    finally:
        log("stopping everything this test started")
        stack.stop_all()
        shutil.rmtree(FAILED_LOGS, ignore_errors=True)  # an earlier failure's
        if problems:
            shutil.copytree(logs, FAILED_LOGS)
        shutil.rmtree(tmp, ignore_errors=True)

    if runs:
        print_table(runs)
    if problems:
        print("FAILED:\n  " + "\n  ".join(problems))
        print(f"Logs: {FAILED_LOGS.relative_to(ROOT)}/")
        return 1
    print(f"OK: scale-out profile checked in {time.monotonic() - STARTED:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
