"""Shared fixtures: the project's data files, the trained assistant, and for the
browser tests the demo page's web server, an assistant that allows it, and Chromium."""

import asyncio
import functools
import re
import threading
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Dict, List, Tuple

import pytest
import yaml
from browser import CHROMIUM, CHROMIUM_ARGS
from playwright.sync_api import sync_playwright
from widget_page import WEB, WebHandler

from bench.quality import HELD_OUT, read_nlu
from bench.server import MODEL, ROOT, RasaServer, ServerError

# The one web page the shared test server accepts browsers from.
ALLOWED_ORIGIN = "https://pharmacy.example"


def training_examples() -> List[Tuple[str, str]]:
    return [pair for path in sorted((ROOT / "data" / "nlu").glob("*.yml")) for pair in read_nlu(path)]


def held_out_examples() -> List[Tuple[str, str]]:
    return read_nlu(HELD_OUT)


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


def pytest_collection_modifyitems(items):
    """A test that talks to the shared server is slow (it starts `rasa run`)."""
    for item in items:
        if "server" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    """One running assistant shared by the tests that only talk to it."""
    rasa = start_server(
        RasaServer(tmp_path_factory.mktemp("server") / "rasa.log", allowed_origins=[ALLOWED_ORIGIN])
    )
    yield rasa
    rasa.stop()


def start_server(server: RasaServer) -> RasaServer:
    """Start it, or fail the test with the server's log."""
    try:
        return server.start()
    except ServerError as error:
        pytest.fail(str(error))


@pytest.fixture(scope="session")
def postgres(tmp_path_factory):
    """A throw-away PostgreSQL cluster on loopback (Debian's packages, as the
    scale-out profile uses): the tracker store's settings for it."""
    import glob
    import os

    if not glob.glob("/usr/lib/postgresql/*/bin/postgres") or os.geteuid() != 0:
        pytest.skip("PostgreSQL is not installed, or not root (make scale-test installs it)")
    from deploy.scale_test import Stack, start_postgres

    tmp = tmp_path_factory.mktemp("postgres")
    tmp.chmod(0o711)  # the postgres user must reach its own directory
    for parent in tmp.parents:  # ... through pytest's temporary directories
        if str(parent).startswith("/tmp/") and parent != Path("/tmp"):
            parent.chmod(parent.stat().st_mode | 0o011)
    stack = Stack(tmp)
    try:
        env = start_postgres(stack, tmp)
        yield {
            "dialect": "postgresql",
            "host": env["DB_HOST"],
            "port": int(env["DB_PORT"]),
            "db": env["DB_DATABASE"],
            "username": env["DB_USER"],
            "password": env["DB_PASSWORD"],
        }
    finally:
        stack.stop_all()


# --- The browser tests: one web server, assistant and browser per test module ---


@pytest.fixture(scope="module")
def web_origin():
    """web/ (and the scripted-server page) on a loopback port."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(WebHandler, directory=str(WEB)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def rasa(web_origin, tmp_path_factory):
    """`rasa run` allowing the web server's origin (a test may stop and restart it)."""
    server = start_server(
        RasaServer(tmp_path_factory.mktemp("widget") / "rasa.log", allowed_origins=[web_origin])
    )
    yield server
    server.stop()


@pytest.fixture(scope="module")
def chromium():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
