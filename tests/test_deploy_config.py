"""Quick static checks of the scale-out profile (deploy/, .env.example).

`make scale-test` runs the profile for real; these catch a configuration slip
in seconds: an undocumented variable, a secret in the example, an nginx file
that does not load.
"""

import re
import shutil
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Dict

import pytest
import requests
from requests_toolbelt.adapters.source import SourceAddressAdapter

from bench.server import ROOT
from deploy.services import Stack, nginx_main_config, render_nginx, start_nginx

ENDPOINTS = ROOT / "deploy" / "endpoints.scale.yml"
NGINX_TEMPLATE = ROOT / "deploy" / "nginx.conf.template"
ENV_EXAMPLE = ROOT / ".env.example"


def example_env() -> Dict[str, str]:
    pairs = (
        line.split("=", 1)
        for line in ENV_EXAMPLE.read_text().splitlines()
        if line and not line.startswith("#")
    )
    return {name: value for name, value in pairs}


def placeholders(path: Path) -> set:
    """${VAR} outside comments: what Rasa or envsubst fills in."""
    code = "\n".join(line.split("#", 1)[0] for line in path.read_text().splitlines())
    return set(re.findall(r"\$\{(\w+)\}", code))


@pytest.mark.parametrize("path", [ENDPOINTS, NGINX_TEMPLATE], ids=lambda p: p.name)
def test_every_variable_is_documented(path):
    assert placeholders(path), f"{path.name} reads nothing from the environment"
    assert placeholders(path) <= set(example_env())


def test_no_secret_in_the_example():
    secrets = {
        name: value for name, value in example_env().items() if re.search(r"PASSWORD|TOKEN|SECRET", name)
    }
    assert secrets and all(value == "" for value in secrets.values()), secrets


def test_rasa_reads_the_endpoints_from_the_environment(monkeypatch):
    from rasa.core.utils import read_endpoints_from_path
    from rasa.shared.exceptions import RasaException

    for name, value in example_env().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("DB_PASSWORD", "pa$$ word#1")  # read as is, not as YAML
    endpoints = read_endpoints_from_path(ENDPOINTS)
    store, lock = endpoints.tracker_store, endpoints.lock_store
    assert store.type == "privacy.tracker_store.RedactingSQLTrackerStore"
    assert (store.url, store.kwargs["dialect"], store.kwargs["password"]) == (
        "127.0.0.1",
        "postgresql",
        "pa$$ word#1",
    )
    assert (lock.type, lock.url, lock.kwargs["db"]) == ("redis", "127.0.0.1", "1")

    monkeypatch.delenv("DB_HOST")
    with pytest.raises(RasaException, match="DB_HOST"):
        read_endpoints_from_path(ENDPOINTS)


def location(config: str, path: str) -> str:
    match = re.search(r"location " + re.escape(path) + r" \{(.*?)\n    \}", config, re.S)
    assert match, f"no location {path}"
    return match.group(1)


def test_nginx_limits_rest_messages_per_client_address():
    config = NGINX_TEMPLATE.read_text()
    zone = re.search(r"^limit_req_zone \$binary_remote_addr zone=(\w+):\S+ rate=\S+;", config, re.M)
    assert zone, "no limit_req_zone keyed by the client address"
    webhooks = location(config, "/webhooks/")
    assert re.search(rf"limit_req zone={zone.group(1)} burst=\d+", webhooks)
    assert "limit_req_status 429;" in webhooks


def test_no_location_drops_the_forwarded_headers():
    """nginx inherits proxy_set_header only into a level that sets none: one in a
    location would drop X-Forwarded-For there, and every client would count as
    nginx in the replicas' per-address limit."""
    config = NGINX_TEMPLATE.read_text()
    for path in ("/webhooks/", "/socket.io/", "= /"):
        assert "proxy_set_header" not in location(config, path), path
    assert "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;" in config


NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
needs_nginx = pytest.mark.skipif(
    not Path(NGINX).exists(), reason="nginx is not installed (make scale-test installs it)"
)


@needs_nginx
def test_nginx_passes_each_clients_address_to_the_replicas(tmp_path):
    seen = []

    class Replica(BaseHTTPRequestHandler):
        def do_GET(self):
            self.reply()

        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            seen.append(self.headers.get("X-Forwarded-For"))
            self.reply()

        def reply(self):
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"[]")

        def log_message(self, *args):
            pass

    replica = ThreadingHTTPServer(("127.0.0.1", 0), Replica)
    threading.Thread(target=replica.serve_forever, daemon=True).start()
    tmp_path.chmod(0o711)
    (tmp_path / "logs").mkdir()
    stack = Stack(tmp_path / "logs")
    try:
        port = replica.server_address[1]
        nginx = start_nginx(stack, tmp_path, [port, port], retry_post=False)
        for client in ("127.0.1.2", "127.0.1.3"):
            with requests.Session() as session:
                session.mount("http://", SourceAddressAdapter(client))
                session.post(f"http://127.0.0.1:{nginx.port}/webhooks/rest/webhook", json={}, timeout=10)
    finally:
        stack.stop_all()
        replica.shutdown()
    assert seen == ["127.0.1.2", "127.0.1.3"]


@needs_nginx
def test_nginx_accepts_the_rendered_template(tmp_path):
    site = tmp_path / "rasa.conf"
    site.write_text(render_nginx("127.0.0.1:8080", ["127.0.0.1:5005", "127.0.0.1:5006"]))
    assert "${" not in site.read_text()
    main = tmp_path / "nginx.conf"
    main.write_text(nginx_main_config(tmp_path, site, tmp_path))
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    result = subprocess.run(
        [nginx, "-t", "-c", str(main), "-e", str(tmp_path / "error.log")],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr
