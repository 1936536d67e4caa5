"""`rasa run` as `make run` starts it, on a loopback port: for tests and benchmarks."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Optional, Sequence

import requests
import yaml

ROOT = Path(__file__).resolve().parent.parent
MODEL = ROOT / "models" / "valtrex-assistant.tar.gz"


class ServerError(RuntimeError):
    """The server exited or did not become ready; the message ends with its log."""


class RasaServer:
    START_TIMEOUT = 240

    def __init__(
        self,
        log: Path,
        port: Optional[int] = None,
        model: Path = MODEL,
        allowed_origins: Sequence[str] = (),
        address_rate_limit: bool = True,
    ) -> None:
        """`log` names a scratch directory too: the server keeps its conversations
        in a SQLite file next to it (`tracker_db`), not in conversations.db.
        `allowed_origins`: web pages that may call it (CORS and socket.io).
        `address_rate_limit=False` lifts the REST limit per client address, for a
        load generator whose simulated people all come from 127.0.0.1."""
        self.address_rate_limit = address_rate_limit
        self.port = port or free_port()
        self.allowed_origins = list(allowed_origins)
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        self.model = model
        self.ready_seconds: Optional[float] = None
        self._process: Optional[subprocess.Popen] = None

    @property
    def pid(self) -> int:
        return self._process.pid

    def start(self) -> "RasaServer":
        """Start and wait until the REST channel answers; records `ready_seconds`."""
        command = [
            str(Path(sys.executable).with_name("rasa")),
            "run",
            "--model",
            str(self.model),
            "--port",
            str(self.port),
            "--interface",
            "127.0.0.1",
            "--credentials",
            str(self._credentials()),
            "--endpoints",
            str(self._endpoints()),
        ]
        if self.allowed_origins:
            command += ["--cors", *self.allowed_origins]
        env = dict(
            os.environ,
            RASA_TELEMETRY_ENABLED="false",
            PYTHONPATH=str(ROOT),
            ALLOWED_ORIGINS=" ".join(self.allowed_origins),
        )
        started = time.monotonic()
        with open(self.log, "a") as out:
            self._process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        while time.monotonic() - started < self.START_TIMEOUT:
            if self._process.poll() is not None:
                raise ServerError(f"server exited early:\n{self._log_tail()}")
            try:
                if requests.get(f"{self.url}/webhooks/rest/", timeout=1).ok:
                    self.ready_seconds = time.monotonic() - started
                    return self
            except requests.ConnectionError:
                time.sleep(0.2)
        self.stop()
        raise ServerError(f"server not ready in {self.START_TIMEOUT} s:\n{self._log_tail()}")

    @property
    def tracker_db(self) -> Path:
        return self.log.with_suffix(".db")

    def _endpoints(self) -> Path:
        """endpoints.yml with the tracker store's database moved to `tracker_db`."""
        endpoints = yaml.safe_load((ROOT / "endpoints.yml").read_text(encoding="utf-8"))
        endpoints["tracker_store"]["db"] = str(self.tracker_db)
        path = self.log.with_suffix(".endpoints.yml")
        path.write_text(yaml.safe_dump(endpoints), encoding="utf-8")
        return path

    def _credentials(self) -> Path:
        if self.address_rate_limit:
            return ROOT / "credentials.yml"
        credentials = yaml.safe_load((ROOT / "credentials.yml").read_text(encoding="utf-8"))
        credentials["channels.rest.RestChannel"].pop("address_rate_limit", None)
        path = self.log.with_suffix(".credentials.yml")
        path.write_text(yaml.safe_dump(credentials), encoding="utf-8")
        return path

    def stop(self) -> None:
        if self._process and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self._process.kill()

    def _log_tail(self) -> str:
        return self.log.read_text()[-3000:]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid: int) -> float:
    """CPU time a running process has used so far (all its threads, user and system)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mb(pid: int) -> float:
    """Resident memory of a running process, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0
