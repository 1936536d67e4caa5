"""What a newcomer sees: `make run` ends its start-up with one line saying where
to chat and how to stop, and no wall of third-party deprecation warnings;
scripts/quiet_rasa.py silences only the warnings this project expects."""

import logging
import os
import signal
import subprocess
import sys
import time
import warnings

import pytest
import rasa.utils.common
from rasa.shared.utils.io import raise_warning

from bench.server import ROOT, free_port

sys.path.insert(0, str(ROOT / "scripts"))
import quiet_rasa  # noqa: E402


def shown_after_quiet(log_level, monkeypatch):
    """The warnings still shown once quiet() ran and Rasa set up its filters."""
    monkeypatch.setattr(rasa.utils.common, "EXPECTED_WARNINGS", list(rasa.utils.common.EXPECTED_WARNINGS))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        quiet_rasa.quiet()
        rasa.utils.common._filter_warnings(log_level)  # what Rasa's command line does
        warnings.warn("click.BaseCommand is deprecated", DeprecationWarning, stacklevel=1)
        warnings.warn("old API", PendingDeprecationWarning, stacklevel=1)
        from pyparsing.warnings import PyparsingDeprecationWarning

        warnings.warn("'parseString' deprecated", PyparsingDeprecationWarning, stacklevel=1)
        raise_warning(quiet_rasa.EXPECTED[-1][1] + ". To train a model ...")
        raise_warning("Rasa will drop this option in 4.0", FutureWarning)
        raise_warning("Your domain has no responses for utter_x")
    return [str(w.message) for w in caught]


def test_only_expected_warnings_are_silenced(monkeypatch):
    assert shown_after_quiet(logging.INFO, monkeypatch) == [
        "Rasa will drop this option in 4.0",
        "Your domain has no responses for utter_x",
    ]


def test_debug_still_shows_the_response_selector_warning(monkeypatch):
    shown = shown_after_quiet(logging.DEBUG, monkeypatch)
    assert any("response selector" in message for message in shown)


@pytest.mark.slow
def test_make_run_ends_with_one_line_on_where_to_chat():
    port, web_port = free_port(), free_port()
    process = subprocess.Popen(
        ["make", "--no-print-directory", "run", f"PORT={port}", f"WEB_PORT={web_port}"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
        env={k: v for k, v in os.environ.items() if not k.startswith("MAKE")},
    )
    lines = []
    try:
        deadline = time.monotonic() + 300
        for line in process.stdout:
            lines.append(line)
            if line.startswith("Ready:") or time.monotonic() > deadline:
                break
    finally:
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
    output = "".join(lines)
    assert lines and lines[-1].startswith("Ready:"), output[-3000:]
    assert (
        f"http://localhost:{web_port}" in lines[-1] and f"localhost:{port}/webhooks/rest/webhook" in lines[-1]
    )
    assert "Ctrl-C" in lines[-1]
    assert "DeprecationWarning" not in output and "Traceback" not in output


def test_make_clean_removes_rasas_training_cache():
    """A stale entry in .rasa/ could hand an old component back to `make train`."""
    dry_run = subprocess.run(
        ["make", "--no-print-directory", "-n", "clean"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={k: v for k, v in os.environ.items() if not k.startswith("MAKE")},
    )
    assert dry_run.returncode == 0, dry_run.stderr
    assert ".rasa" in dry_run.stdout.split()
