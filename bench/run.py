"""`make bench`: our assistant against Rasa's default configuration, in one run.

Both are trained here on the same data: ours with config.yml, the peer with the
config.yml that `rasa init` writes (its default pipeline and policies). Each is
started the way `make run` starts the assistant and driven over the REST channel
on loopback with the same fixed message mix (every intent, short and long
messages, new and ongoing conversations):

- concurrency 1: one conversation at a time, each message sent when the last
  reply arrives;
- 16 conversations back to back: each sends its next message as soon as its
  reply arrives; this saturates the server and gives the throughput. Latency
  here is mostly queueing: 16 requests share 2 cores, so p95 cannot fall below
  about 16 / throughput whatever the server does (Little's law);
- 16 conversations at a person's pace: each waits 0.5-1.5 s (seeded) after a
  reply before it sends the next message, like someone tapping quick replies.

Both are trained first and then measured in turn, ROUNDS times (ours, peer,
ours, peer): this machine's speed drifts by up to a factor of two over minutes,
and alternating lets a slow spell hit both rather than one. Figures pool the rounds.

Writes results/bench.md (figures, targets) and results/bench-latency.png.

    python -m bench.run [--out results]
"""

import argparse
import asyncio
import json
import os
import random
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional

import aiohttp
import rasa

from bench.quality import HELD_OUT, read_nlu
from bench.server import ROOT, RasaServer, cpu_seconds, rss_mb

PEER_CONFIG = Path(rasa.__file__).parent / "cli" / "initial_project" / "config.yml"
SEED = 20261129
TURNS_PER_CONVERSATION = 8
WARM_UP_REQUESTS = 30
SEQUENTIAL_CONVERSATIONS = 30  # per round: concurrency 1, 240 requests
CONCURRENCY = 16
CONCURRENT_CONVERSATIONS_EACH = 4  # per round: back to back, 16 x 4 x 8 = 512 requests
PACED_CONVERSATIONS_EACH = 2  # per round: paced, 16 x 2 x 8 = 256 requests
THINK_SECONDS = (0.5, 1.5)
ROUNDS = 2
REQUEST_TIMEOUT = 60
PACED = "paced"  # key of the paced run in Figures.latencies

# The targets (ours against the peer measured in the same run).
TARGETS = [
    ("throughput at least 4x the peer's", lambda o, p: o.throughput >= 4 * p.throughput),
    ("p50 at concurrency 1 at most 15 ms", lambda o, p: percentile(o.latencies[1], 50) <= 15),
    (
        f"p95 at {CONCURRENCY} conversations (paced) at most 3x p50 at concurrency 1",
        lambda o, p: percentile(o.latencies[PACED], 95) <= 3 * percentile(o.latencies[1], 50),
    ),
    (
        f"p95 at {CONCURRENCY} conversations (back to back) at most 3x p50 at concurrency 1",
        lambda o, p: percentile(o.latencies[CONCURRENCY], 95) <= 3 * percentile(o.latencies[1], 50),
    ),
    ("ready in at most 20 s", lambda o, p: o.ready_seconds <= 20),
    ("memory at most 800 MB", lambda o, p: o.rss_mb <= 800),
    ("macro-F1 not below the peer's", lambda o, p: o.macro_f1 >= p.macro_f1),
    ("urgent recall not below the peer's", lambda o, p: o.urgent_recall >= p.urgent_recall),
]


@dataclass
class Figures:
    name: str
    train_seconds: float = 0.0
    model_mb: float = 0.0
    ready: List[float] = field(default_factory=list)  # seconds, one per round
    rss: List[float] = field(default_factory=list)  # MB, one per round
    latencies: Dict[object, List[float]] = field(  # 1, 16 or PACED -> ms, all rounds
        default_factory=lambda: {1: [], CONCURRENCY: [], PACED: []}
    )
    back_to_back_seconds: float = 0.0  # elapsed, all rounds
    server_cpu_seconds: float = 0.0  # server CPU time (all threads), back to back
    macro_f1: float = 0.0
    urgent_recall: float = 0.0

    @property
    def throughput(self) -> float:
        return len(self.latencies[CONCURRENCY]) / self.back_to_back_seconds

    @property
    def cpu_ms_per_message(self) -> float:
        return 1000 * self.server_cpu_seconds / len(self.latencies[CONCURRENCY])

    @property
    def cores_busy(self) -> float:
        return self.server_cpu_seconds / self.back_to_back_seconds

    @property
    def ready_seconds(self) -> float:
        return statistics.median(self.ready)

    @property
    def rss_mb(self) -> float:
        return max(self.rss)


def message_mix() -> List[List[str]]:
    """Fixed conversations: held-out messages of every intent, some run together
    into long messages, in a seeded order."""
    rng = random.Random(SEED)
    texts = [text for _, text in read_nlu(HELD_OUT)]
    long_messages = [" ".join(rng.sample(texts, 6)) for _ in range(len(texts) // 8)]
    pool = texts + long_messages
    rng.shuffle(pool)
    conversations = SEQUENTIAL_CONVERSATIONS + CONCURRENCY * (
        CONCURRENT_CONVERSATIONS_EACH + PACED_CONVERSATIONS_EACH
    )
    needed = conversations * TURNS_PER_CONVERSATION
    stream = (pool * (needed // len(pool) + 1))[:needed]
    return [stream[i : i + TURNS_PER_CONVERSATION] for i in range(0, needed, TURNS_PER_CONVERSATION)]


def train(config: Path, name: str, out: Path) -> Figures:
    figures = Figures(name)
    started = time.monotonic()
    subprocess.run(
        [
            str(Path(sys.executable).with_name("rasa")),
            "train",
            "--config",
            str(config),
            "--out",
            str(out),
            "--fixed-model-name",
            name,
            "--force",
        ],
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    figures.train_seconds = time.monotonic() - started
    figures.model_mb = (out / f"{name}.tar.gz").stat().st_size / 1e6
    return figures


async def converse(
    session: aiohttp.ClientSession,
    url: str,
    sender: str,
    turns: List[str],
    latencies: List[float],
    think: Optional[random.Random],
) -> None:
    for text in turns:
        if think:
            await asyncio.sleep(think.uniform(*THINK_SECONDS))
        started = time.perf_counter()
        async with session.post(
            f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": text}
        ) as response:
            response.raise_for_status()
            replies = await response.json()
        latencies.append((time.perf_counter() - started) * 1000)
        assert replies, f"no reply to {text!r}"


async def drive(url: str, conversations: List[List[str]], concurrency: int, tag: str, paced: bool = False):
    """Run the conversations `concurrency` at a time; return latencies (ms) and seconds.
    `paced`: wait THINK_SECONDS (seeded per conversation) before each message."""
    latencies: List[float] = []
    queue = list(enumerate(conversations))
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT)
    async with aiohttp.ClientSession(timeout=timeout) as session:

        async def worker() -> None:
            while queue:
                index, turns = queue.pop()
                think = random.Random(f"{SEED}-{index}") if paced else None
                await converse(session, url, f"{tag}-{index}", turns, latencies, think)

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return latencies, time.perf_counter() - started


def measure(figures: Figures, model: Path, out: Path) -> None:
    """One round: start the server, run the three loads, add to `figures`."""
    conversations = message_mix()
    sequential = conversations[:SEQUENTIAL_CONVERSATIONS]
    split = SEQUENTIAL_CONVERSATIONS + CONCURRENCY * CONCURRENT_CONVERSATIONS_EACH
    back_to_back, paced = conversations[SEQUENTIAL_CONVERSATIONS:split], conversations[split:]
    # Every simulated person comes from 127.0.0.1: no limit per client address.
    server = RasaServer(out / f"{figures.name}-server.log", model=model, address_rate_limit=False)
    for stale in (server.log, *server.tracker_db.parent.glob(server.tracker_db.name + "*")):
        stale.unlink(missing_ok=True)  # a new run starts new conversations (and SQLite's -wal)
    server.start()
    try:
        figures.ready.append(server.ready_seconds)
        warm_up = conversations[: WARM_UP_REQUESTS // TURNS_PER_CONVERSATION]
        asyncio.run(drive(server.url, warm_up, 1, "warm-up"))
        latencies, _ = asyncio.run(drive(server.url, sequential, 1, "c1"))
        figures.latencies[1] += latencies
        cpu_before = cpu_seconds(server.pid)
        latencies, seconds = asyncio.run(drive(server.url, back_to_back, CONCURRENCY, f"c{CONCURRENCY}"))
        figures.server_cpu_seconds += cpu_seconds(server.pid) - cpu_before
        figures.latencies[CONCURRENCY] += latencies
        figures.back_to_back_seconds += seconds
        figures.rss.append(rss_mb(server.pid))
        latencies, _ = asyncio.run(drive(server.url, paced, CONCURRENCY, PACED, paced=True))
        figures.latencies[PACED] += latencies
    finally:
        server.stop()


def quality(model: Path) -> Dict[str, float]:
    """Held-out figures, in a separate process so this one stays small."""
    code = (
        "import asyncio, json, sys; from rasa.core.agent import Agent; "
        "from bench.quality import held_out_quality; "
        "agent = Agent.load(sys.argv[1]); loop = asyncio.new_event_loop(); "
        "print(json.dumps(held_out_quality(lambda t: loop.run_until_complete(agent.parse_message(t)))))"
    )
    output = subprocess.run(
        [sys.executable, "-c", code, str(model)], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


RUNS = [
    (1, "concurrency 1"),
    (PACED, f"{CONCURRENCY} conversations, paced"),
    (CONCURRENCY, f"{CONCURRENCY} conversations, back to back"),
]


def percentile(values: List[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def table(ours: Figures, peer: Figures) -> str:
    rows = []

    def row(label, a, b, fmt="{:.1f}"):
        ratio = a / b if b else float("nan")
        rows.append(f"| {label} | {fmt.format(a)} | {fmt.format(b)} | {ratio:.2f} |")

    for key, label in RUNS:
        for p in (50, 95, 99):
            row(
                f"latency p{p}, {label} (ms)",
                percentile(ours.latencies[key], p),
                percentile(peer.latencies[key], p),
            )
    row(f"throughput at {CONCURRENCY} conversations (messages/s)", ours.throughput, peer.throughput)
    row("server CPU time per message, back to back (ms)", ours.cpu_ms_per_message, peer.cpu_ms_per_message)
    row("server cores busy, back to back", ours.cores_busy, peer.cores_busy, "{:.2f}")
    row("start to ready (s)", ours.ready_seconds, peer.ready_seconds)
    row("resident memory after warm-up (MB)", ours.rss_mb, peer.rss_mb, "{:.0f}")
    row("training time (s)", ours.train_seconds, peer.train_seconds, "{:.0f}")
    row("model size (MB)", ours.model_mb, peer.model_mb)
    row("intent macro-F1, tests/nlu_test.yml", ours.macro_f1, peer.macro_f1, "{:.3f}")
    row("urgent recall, tests/nlu_test.yml", ours.urgent_recall, peer.urgent_recall, "{:.2f}")
    header = ["| Figure | ours | peer (`rasa init` config) | ours/peer |", "|---|---|---|---|"]
    return "\n".join(header + rows)


def targets(ours: Figures, peer: Figures) -> str:
    lines = ["| Target | met |", "|---|---|"]
    lines += [f"| {name} | {'yes' if met(ours, peer) else '**no**'} |" for name, met in TARGETS]
    return "\n".join(lines)


def chart(ours: Figures, peer: Figures, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(RUNS), figsize=(14, 4), sharey=True)
    for ax, (key, label) in zip(axes, RUNS):
        for figures, colour in ((ours, "#0b5394"), (peer, "#b45f06")):
            values = sorted(figures.latencies[key])
            ax.plot(
                values,
                [i / len(values) for i in range(len(values))],
                color=colour,
                label=f"{figures.name} (p50 {statistics.median(values):.0f} ms)",
            )
        ax.set_xscale("log")
        ax.set_title(label)
        ax.set_xlabel("latency per message (ms, log scale)")
        ax.grid(True, alpha=0.3)
        ax.legend(loc="lower right")
    axes[0].set_ylabel("share of messages answered")
    fig.suptitle("REST latency, same message mix, same machine")
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "results")
    args = parser.parse_args()
    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    models = out / "bench-models"
    started = time.monotonic()

    results = {}
    for name, config in (("ours", ROOT / "config.yml"), ("peer", PEER_CONFIG)):
        print(f"training {name} ...", flush=True)
        results[name] = train(config, name, models)
    for round_number in range(1, ROUNDS + 1):
        for name, figures in results.items():
            print(f"measuring {name}, round {round_number} of {ROUNDS} ...", flush=True)
            measure(figures, models / f"{name}.tar.gz", out)
    for name, figures in results.items():
        figures.__dict__.update(quality(models / f"{name}.tar.gz"))

    ours, peer = results["ours"], results["peer"]
    report = "\n".join(
        [
            "# Benchmark: ours against Rasa's default configuration",
            "",
            f"Same training data, same machine ({os.cpu_count()} cores), same run, "
            f"REST on loopback; {len(ours.latencies[1])} messages at concurrency 1, "
            f"{len(ours.latencies[PACED])} from {CONCURRENCY} conversations at a person's pace "
            f"({THINK_SECONDS[0]}-{THINK_SECONDS[1]} s between a reply and the next message), "
            f"{len(ours.latencies[CONCURRENCY])} from {CONCURRENCY} conversations back to back, "
            f"in {ROUNDS} rounds measured alternately (ours, peer, ours, ...) and pooled; memory "
            f"is the larger round's, ready the median. Both servers run with the environment "
            f"`make run` gives them (TensorFlow's default threads). "
            f"Whole run {time.monotonic() - started:.0f} s.",
            "",
            table(ours, peer),
            "",
            targets(ours, peer),
            "",
            f"Back to back, {CONCURRENCY} requests are always queued: p95 is at least about "
            f"{CONCURRENCY} / throughput ({1000 * CONCURRENCY / ours.throughput:.0f} ms for ours), "
            "so that target cannot be met by any server on this machine. Each server keeps "
            "about one core busy (one Rasa process), so the throughput ratio is about the "
            "inverse of the CPU time per message, and Rasa's own work per message (processor, "
            "graph runner, tracker, policies) is in both.",
            "",
            "![Latency distributions](bench-latency.png)",
            "",
        ]
    )
    (out / "bench.md").write_text(report)
    chart(ours, peer, out / "bench-latency.png")
    print(report)


if __name__ == "__main__":
    main()
