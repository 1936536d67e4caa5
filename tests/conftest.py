"""Shared fixtures: the project's data files and the trained assistant."""
import asyncio
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import pytest
import requests
import yaml

ROOT = Path(__file__).resolve().parent.parent
MODEL = ROOT / "models" / "valtrex-assistant.tar.gz"


def read_nlu(path: Path) -> List[Tuple[str, str]]:
    """(label, text) pairs of a Rasa NLU YAML file; labels may be `intent/sub`."""
    pairs = []
    for block in yaml.safe_load(path.read_text(encoding="utf-8"))["nlu"]:
        for line in block["examples"].splitlines():
            line = line.strip()
            if line.startswith("- "):
                pairs.append((block["intent"], line[2:].strip()))
    return pairs


def training_examples() -> List[Tuple[str, str]]:
    return [pair for path in sorted((ROOT / "data" / "nlu").glob("*.yml")) for pair in read_nlu(path)]


def held_out_examples() -> List[Tuple[str, str]]:
    return read_nlu(ROOT / "tests" / "nlu_test.yml")


def normalise(text: str) -> str:
    """Lower case, words only (any script): what makes two examples the same."""
    return re.sub(r"[\W_]+", " ", text.lower()).strip()


@pytest.fixture(scope="session")
def domain() -> Dict:
    return yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def responses(domain) -> Dict[str, Dict]:
    """Every response name mapped to its (single) variation."""
    return {name: variations[0] for name, variations in domain["responses"].items()}


class Assistant:
    """The trained model, driven the way a channel drives it."""

    def __init__(self) -> None:
        from rasa.core.agent import Agent

        if not MODEL.exists():
            pytest.fail(f"{MODEL} is missing: run `make train` first")
        self._loop = asyncio.new_event_loop()
        self._agent = Agent.load(str(MODEL))

    def parse(self, text: str) -> Dict:
        return self._loop.run_until_complete(self._agent.parse_message(text))

    def reply(self, text: str, sender: str) -> List[Dict]:
        return self._loop.run_until_complete(self._agent.handle_text(text, sender_id=sender))


@pytest.fixture(scope="session")
def assistant() -> Assistant:
    return Assistant()


class RasaServer:
    """`rasa run` as `make run` starts it, on a free loopback port."""

    START_TIMEOUT = 240

    def __init__(self, log: Path, port: Optional[int] = None,
                 extra_args: Optional[List[str]] = None) -> None:
        self.port = port or free_port()
        self.extra_args = list(extra_args or [])  # e.g. ["--cors", origin] for the web widget
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        self._process: Optional[subprocess.Popen] = None

    def start(self) -> "RasaServer":
        command = [
            str(Path(sys.executable).with_name("rasa")), "run", "--model", str(MODEL),
            "--port", str(self.port), "--interface", "127.0.0.1",
            "--credentials", "credentials.yml", "--endpoints", "endpoints.yml",
            *self.extra_args,
        ]
        env = dict(os.environ, RASA_TELEMETRY_ENABLED="false", PYTHONPATH=str(ROOT))
        with open(self.log, "a") as out:
            self._process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out,
                                             stderr=subprocess.STDOUT)
        deadline = time.monotonic() + self.START_TIMEOUT
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                pytest.fail(f"server exited early:\n{self.log.read_text()[-3000:]}")
            try:
                if requests.get(f"{self.url}/webhooks/rest/", timeout=1).ok:
                    return self
            except requests.ConnectionError:
                time.sleep(0.5)
        self.stop()
        pytest.fail(f"server not ready in {self.START_TIMEOUT} s:\n{self.log.read_text()[-3000:]}")

    def stop(self) -> None:
        if self._process and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self._process.kill()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    """One running assistant shared by the tests that only talk to it."""
    rasa = RasaServer(tmp_path_factory.mktemp("server") / "rasa.log").start()
    yield rasa
    rasa.stop()
