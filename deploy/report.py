"""The scale test's reporting: timestamped progress lines and the figures table."""

import time
from typing import TYPE_CHECKING, List

if TYPE_CHECKING:
    from deploy.load import RunResult


class CheckFailed(Exception):
    """A check of the scale-out profile failed; the message says which."""


STARTED = time.monotonic()


def log(message: str) -> None:
    print(f"[{time.monotonic() - STARTED:6.1f}s] {message}", flush=True)


def print_table(runs: List["RunResult"]) -> None:
    keys = list(dict.fromkeys(k for r in runs for k in r.figures))
    width = max(len(k) for k in keys)
    columns = [max(len(r.name), *(len(str(v)) for v in r.figures.values())) for r in runs]
    print(
        "\n| "
        + "figure".ljust(width)
        + " | "
        + " | ".join(r.name.rjust(w) for r, w in zip(runs, columns))
        + " |"
    )
    print("|" + "-" * (width + 2) + "|" + "|".join("-" * (w + 1) + ":" for w in columns) + "|")
    for k in keys:
        cells = [str(r.figures.get(k, "")).rjust(w) for r, w in zip(runs, columns)]
        print(f"| {k.ljust(width)} | " + " | ".join(cells) + " |")
    print()
