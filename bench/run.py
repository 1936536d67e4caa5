"""`make bench`: our assistant against Rasa's default configuration, in one run.

Both are trained here on the same data: ours with config.yml, the peer with the
config.yml that `rasa init` writes (its default pipeline and policies). Each is
started the way `make run` starts the assistant and driven over the REST channel
on loopback with the same fixed message mix (every intent, short and long
messages, new and ongoing conversations). Writes results/bench.md and
results/bench-latency.png.

    python -m bench.run [--out results]
"""
import argparse
import asyncio
import json
import random
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List

import aiohttp
import rasa

from bench.quality import HELD_OUT, read_nlu
from bench.server import ROOT, RasaServer

PEER_CONFIG = Path(rasa.__file__).parent / "cli" / "initial_project" / "config.yml"
SEED = 20261129
TURNS_PER_CONVERSATION = 8
WARM_UP_REQUESTS = 30
SEQUENTIAL_CONVERSATIONS = 30          # concurrency 1: 240 requests
CONCURRENCY = 16
CONCURRENT_CONVERSATIONS_EACH = 4       # concurrency 16: 16 x 4 x 8 = 512 requests
REQUEST_TIMEOUT = 60


@dataclass
class Figures:
    name: str
    train_seconds: float = 0.0
    model_mb: float = 0.0
    ready_seconds: float = 0.0
    rss_mb: float = 0.0
    latencies: Dict[int, List[float]] = field(default_factory=dict)  # concurrency -> ms
    throughput: float = 0.0
    macro_f1: float = 0.0
    urgent_recall: float = 0.0


def message_mix() -> List[List[str]]:
    """Fixed conversations: held-out messages of every intent, some run together
    into long messages, in a seeded order."""
    rng = random.Random(SEED)
    texts = [text for _, text in read_nlu(HELD_OUT)]
    long_messages = [" ".join(rng.sample(texts, 6)) for _ in range(len(texts) // 8)]
    pool = texts + long_messages
    rng.shuffle(pool)
    needed = (SEQUENTIAL_CONVERSATIONS + CONCURRENCY * CONCURRENT_CONVERSATIONS_EACH) * TURNS_PER_CONVERSATION
    stream = (pool * (needed // len(pool) + 1))[:needed]
    return [stream[i:i + TURNS_PER_CONVERSATION] for i in range(0, needed, TURNS_PER_CONVERSATION)]


def train(config: Path, name: str, out: Path) -> Figures:
    figures = Figures(name)
    started = time.monotonic()
    subprocess.run(
        [str(Path(sys.executable).with_name("rasa")), "train", "--config", str(config),
         "--out", str(out), "--fixed-model-name", name, "--force"],
        cwd=ROOT, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    figures.train_seconds = time.monotonic() - started
    figures.model_mb = (out / f"{name}.tar.gz").stat().st_size / 1e6
    return figures


async def converse(session: aiohttp.ClientSession, url: str, sender: str,
                   turns: List[str], latencies: List[float]) -> None:
    for text in turns:
        started = time.perf_counter()
        async with session.post(f"{url}/webhooks/rest/webhook",
                                json={"sender": sender, "message": text}) as response:
            response.raise_for_status()
            replies = await response.json()
        latencies.append((time.perf_counter() - started) * 1000)
        assert replies, f"no reply to {text!r}"


async def drive(url: str, conversations: List[List[str]], concurrency: int, tag: str):
    """Run the conversations `concurrency` at a time; return latencies (ms) and seconds."""
    latencies: List[float] = []
    queue = list(enumerate(conversations))
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        async def worker() -> None:
            while queue:
                index, turns = queue.pop()
                await converse(session, url, f"{tag}-{index}", turns, latencies)

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return latencies, time.perf_counter() - started


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def measure(figures: Figures, model: Path, out: Path) -> None:
    conversations = message_mix()
    sequential = conversations[:SEQUENTIAL_CONVERSATIONS]
    concurrent = conversations[SEQUENTIAL_CONVERSATIONS:]
    server = RasaServer(out / f"{figures.name}-server.log", model=model).start()
    try:
        figures.ready_seconds = server.ready_seconds
        warm_up = [turn for turns in conversations[:4] for turn in turns][:WARM_UP_REQUESTS]
        asyncio.run(drive(server.url, [warm_up], 1, "warm-up"))
        figures.latencies[1], _ = asyncio.run(drive(server.url, sequential, 1, "c1"))
        figures.latencies[CONCURRENCY], seconds = asyncio.run(
            drive(server.url, concurrent, CONCURRENCY, f"c{CONCURRENCY}"))
        figures.throughput = len(figures.latencies[CONCURRENCY]) / seconds
        figures.rss_mb = rss_mb(server.pid)
    finally:
        server.stop()
    figures.__dict__.update(quality(model))


def quality(model: Path) -> Dict[str, float]:
    """Held-out figures, in a separate process so this one stays small."""
    code = ("import asyncio, json, sys; from rasa.core.agent import Agent; "
            "from bench.quality import held_out_quality; "
            "agent = Agent.load(sys.argv[1]); loop = asyncio.new_event_loop(); "
            "print(json.dumps(held_out_quality(lambda t: loop.run_until_complete(agent.parse_message(t)))))")
    output = subprocess.run([sys.executable, "-c", code, str(model)], cwd=ROOT, check=True,
                            capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def percentile(values: List[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def table(ours: Figures, peer: Figures) -> str:
    rows = []

    def row(label, a, b, fmt="{:.1f}"):
        ratio = a / b if b else float("nan")
        rows.append(f"| {label} | {fmt.format(a)} | {fmt.format(b)} | {ratio:.2f} |")

    for c in (1, CONCURRENCY):
        for p in (50, 95, 99):
            row(f"latency p{p} at concurrency {c} (ms)",
                percentile(ours.latencies[c], p), percentile(peer.latencies[c], p))
    row(f"throughput at {CONCURRENCY} conversations (messages/s)", ours.throughput, peer.throughput)
    row("start to ready (s)", ours.ready_seconds, peer.ready_seconds)
    row("resident memory after warm-up (MB)", ours.rss_mb, peer.rss_mb, "{:.0f}")
    row("training time (s)", ours.train_seconds, peer.train_seconds, "{:.0f}")
    row("model size (MB)", ours.model_mb, peer.model_mb)
    row("intent macro-F1, tests/nlu_test.yml", ours.macro_f1, peer.macro_f1, "{:.3f}")
    row("urgent recall, tests/nlu_test.yml", ours.urgent_recall, peer.urgent_recall, "{:.2f}")
    header = ["| Figure | ours | peer (`rasa init` config) | ours/peer |", "|---|---|---|---|"]
    return "\n".join(header + rows)


def chart(ours: Figures, peer: Figures, path: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(10, 4), sharey=True)
    for ax, c in zip(axes, (1, CONCURRENCY)):
        for figures, colour in ((ours, "#0b5394"), (peer, "#b45f06")):
            values = sorted(figures.latencies[c])
            ax.plot(values, [i / len(values) for i in range(len(values))], color=colour,
                    label=f"{figures.name} (p50 {statistics.median(values):.0f} ms)")
        ax.set_xscale("log")
        ax.set_title(f"Concurrency {c}")
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
        figures = train(config, name, models)
        print(f"measuring {name} ...", flush=True)
        measure(figures, models / f"{name}.tar.gz", out)
        results[name] = figures

    ours, peer = results["ours"], results["peer"]
    report = "\n".join([
        "# Benchmark: ours against Rasa's default configuration",
        "",
        f"Same training data, same machine ({__import__('os').cpu_count()} cores), same run, "
        f"REST on loopback; {len(ours.latencies[1])} messages at concurrency 1, "
        f"{len(ours.latencies[CONCURRENCY])} at concurrency {CONCURRENCY}. "
        f"Whole run {time.monotonic() - started:.0f} s.",
        "",
        table(ours, peer),
        "",
        "![Latency distributions](bench-latency.png)",
        "",
    ])
    (out / "bench.md").write_text(report)
    chart(ours, peer, out / "bench-latency.png")
    print(report)


if __name__ == "__main__":
    main()
