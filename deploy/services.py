"""The scale test's set-up: PostgreSQL, Redis, the Rasa replicas and nginx, each
started on loopback as a child process and stopped again (deploy/scale_test.py)."""

import ctypes
import glob
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict, List, Optional, Tuple

import requests

from bench.server import MODEL, ROOT, free_port
from deploy.report import CheckFailed, log

ENDPOINTS = "deploy/endpoints.scale.yml"
NGINX_TEMPLATE = ROOT / "deploy" / "nginx.conf.template"
RASA = str(Path(sys.executable).with_name("rasa"))


def _die_with_parent() -> None:
    """Child processes get SIGTERM if this script dies without cleaning up."""
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


@dataclass
class Child:
    name: str
    process: subprocess.Popen
    log: Path
    stop_signal: int = signal.SIGTERM
    port: int = 0  # what it listens on, once known
    access_log: Optional[Path] = None  # nginx's


class Stack:
    """Every process started here, stopped in reverse order."""

    def __init__(self, logs: Path) -> None:
        self.logs = logs
        self.children: List[Child] = []

    def spawn(
        self,
        name: str,
        command: List[str],
        user: Optional[str] = None,
        env: Optional[Dict[str, str]] = None,
        cwd: Path = ROOT,
        stop_signal: int = signal.SIGTERM,
    ) -> Child:
        log_path = self.logs / f"{name}.log"
        with open(log_path, "ab") as out:
            process = subprocess.Popen(
                command,
                stdout=out,
                stderr=subprocess.STDOUT,
                cwd=cwd,
                env=env,
                user=user,
                group=user,
                preexec_fn=_die_with_parent,
            )
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
    missing = [
        package
        for package, present in (
            ("postgresql", glob.glob("/usr/lib/postgresql/*/bin/postgres")),
            ("redis-server", shutil.which("redis-server")),
            ("nginx", shutil.which("nginx") or os.path.exists("/usr/sbin/nginx")),
        )
        if not present
    ]
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
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing],
            check=True,
            timeout=600,
            env=env,
            stdout=subprocess.DEVNULL,
        )
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
    subprocess.run(
        [
            bindir / "initdb",
            "-D",
            data,
            "-U",
            "postgres",
            "-E",
            "UTF8",
            "--no-locale",
            "--auth-local=peer",
            "--auth-host=scram-sha-256",
        ],
        check=True,
        timeout=120,
        user="postgres",
        group="postgres",
        cwd=home,
        stdout=subprocess.DEVNULL,
    )
    port = free_port()
    child = stack.spawn(
        "postgres",
        [
            str(bindir / "postgres"),
            "-D",
            str(data),
            "-p",
            str(port),
            "-k",
            str(home),
            "-c",
            "listen_addresses=127.0.0.1",
        ],
        user="postgres",
        cwd=home,
        stop_signal=signal.SIGINT,
    )  # SIGINT: fast shutdown
    wait_until(
        "PostgreSQL",
        lambda: (
            subprocess.run(
                [bindir / "pg_isready", "-q", "-h", "127.0.0.1", "-p", str(port)], timeout=5
            ).returncode
            == 0
        ),
        60,
        child,
    )
    password = secrets.token_hex(16)
    subprocess.run(
        [
            bindir / "psql",
            "-q",
            "-v",
            "ON_ERROR_STOP=1",
            "-h",
            home,
            "-p",
            str(port),
            "-U",
            "postgres",
            "-d",
            "postgres",
        ],
        check=True,
        timeout=30,
        user="postgres",
        group="postgres",
        cwd=home,
        text=True,
        input=f"CREATE ROLE rasa LOGIN PASSWORD '{password}';\nCREATE DATABASE rasa OWNER rasa;\n",
    )
    return {
        "DB_HOST": "127.0.0.1",
        "DB_PORT": str(port),
        "DB_DATABASE": "rasa",
        "DB_USER": "rasa",
        "DB_PASSWORD": password,
    }


def start_redis(stack: Stack, tmp: Path) -> Dict[str, str]:
    import redis

    home = tmp / "redis"
    home.mkdir(mode=0o700)
    port, password = free_port(), secrets.token_hex(16)
    config = home / "redis.conf"
    fd = os.open(config, os.O_WRONLY | os.O_CREAT, 0o600)  # holds the password
    with os.fdopen(fd, "w") as out:
        out.write(
            f'port {port}\nbind 127.0.0.1\nprotected-mode yes\nrequirepass "{password}"\n'
            f'save ""\nappendonly no\ndaemonize no\ndir {home}\nlogfile ""\n'
        )
    child = stack.spawn("redis", ["redis-server", str(config)], cwd=home)
    client = redis.Redis(host="127.0.0.1", port=port, password=password, socket_timeout=2)
    wait_until("Redis", client.ping, 30, child)
    return {"REDIS_HOST": "127.0.0.1", "REDIS_PORT": str(port), "REDIS_PASSWORD": password, "REDIS_DB": "1"}


def start_replicas(stack: Stack, env: Dict[str, str], token: str, count: int) -> List[Child]:
    replicas, ports = [], []
    for i in range(count):
        port = free_port()
        command = [
            RASA,
            "run",
            "--model",
            str(MODEL),
            "--interface",
            "127.0.0.1",
            "--port",
            str(port),
            "--endpoints",
            ENDPOINTS,
            "--credentials",
            "credentials.yml",
            "--enable-api",
            f"--auth-token={token}",
        ]  # "=": a token may start with "-"
        replicas.append(stack.spawn(f"rasa-{i + 1}", command, env=env))
        ports.append(port)
    for replica, port in zip(replicas, ports):
        replica.port = port
        wait_until(
            replica.name,
            lambda port=port: requests.get(f"http://127.0.0.1:{port}/webhooks/rest/", timeout=2).ok,
            240,
            replica,
        )
    return replicas


def render_nginx(listen: str, replicas: List[str]) -> str:
    """deploy/nginx.conf.template as envsubst fills it in, for these names only."""
    values = {"NGINX_LISTEN": listen, **{f"RASA_REPLICA_{i + 1}": r for i, r in enumerate(replicas)}}
    return re.sub(
        r"\$\{(NGINX_LISTEN|RASA_REPLICA_\d+)\}", lambda m: values[m.group(1)], NGINX_TEMPLATE.read_text()
    )


def nginx_main_config(home: Path, site: Path, logs: Path) -> str:
    """The parts of nginx.conf that belong to this machine, not to the profile."""
    temp = "\n".join(
        f"  {kind}_temp_path {home / kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return (
        f"worker_processes 1;\npid {home / 'nginx.pid'};\nerror_log {home / 'error.log'} warn;\n"
        "events { worker_connections 512; }\nhttp {\n"
        '  log_format upstreams \'$request_method $uri $status "$upstream_addr" "$upstream_status" '
        "$request_time $upstream_response_time $http_x_scale_turn';\n"
        f"  access_log {logs / 'nginx-access.log'} upstreams;\n{temp}\n  include {site};\n}}\n"
    )


def start_nginx(stack: Stack, tmp: Path, replica_ports: List[int], retry_post: bool) -> Child:
    home = tmp / "nginx"
    home.mkdir()
    port = free_port()
    site_text = render_nginx(f"127.0.0.1:{port}", [f"127.0.0.1:{p}" for p in replica_ports])
    if retry_post:  # only to measure the alternative (--retry-post)
        site_text = site_text.replace(
            "proxy_next_upstream error timeout;", "proxy_next_upstream error timeout non_idempotent;"
        )
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
    child.port = port
    child.access_log = stack.logs / "nginx-access.log"
    wait_until("nginx", lambda: requests.get(f"http://127.0.0.1:{port}/", timeout=2).ok, 30, child)
    return child


def read_new_lines(path: Path, offset: int) -> Tuple[List[str], int]:
    with open(path, errors="replace") as f:
        f.seek(offset)
        text = f.read()
        return text.splitlines(), f.tell()
