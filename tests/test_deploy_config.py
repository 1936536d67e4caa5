"""Quick static checks of the scale-out profile (deploy/, .env.example).

`make scale-test` runs the profile for real; these catch a configuration slip
in seconds: an undocumented variable, a secret in the example, an nginx file
that does not load.
"""
import re
import shutil
import subprocess
from pathlib import Path
from typing import Dict

import pytest

from bench.server import ROOT
from deploy.scale_test import nginx_main_config, render_nginx

ENDPOINTS = ROOT / "deploy" / "endpoints.scale.yml"
NGINX_TEMPLATE = ROOT / "deploy" / "nginx.conf.template"
ENV_EXAMPLE = ROOT / ".env.example"


def example_env() -> Dict[str, str]:
    pairs = (line.split("=", 1) for line in ENV_EXAMPLE.read_text().splitlines()
             if line and not line.startswith("#"))
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
    secrets = {name: value for name, value in example_env().items()
               if re.search(r"PASSWORD|TOKEN|SECRET", name)}
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
        "127.0.0.1", "postgresql", "pa$$ word#1")
    assert (lock.type, lock.url, lock.kwargs["db"]) == ("redis", "127.0.0.1", "1")

    monkeypatch.delenv("DB_HOST")
    with pytest.raises(RasaException, match="DB_HOST"):
        read_endpoints_from_path(ENDPOINTS)


@pytest.mark.skipif(not (shutil.which("nginx") or Path("/usr/sbin/nginx").exists()),
                    reason="nginx is not installed (make scale-test installs it)")
def test_nginx_accepts_the_rendered_template(tmp_path):
    site = tmp_path / "rasa.conf"
    site.write_text(render_nginx("127.0.0.1:8080", ["127.0.0.1:5005", "127.0.0.1:5006"]))
    assert "${" not in site.read_text()
    main = tmp_path / "nginx.conf"
    main.write_text(nginx_main_config(tmp_path, site, tmp_path))
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    result = subprocess.run([nginx, "-t", "-c", str(main), "-e", str(tmp_path / "error.log")],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
