"""Safety figures of the trained assistant on the corpora in tests/safety/.

    python -m safety.evaluation [MODEL]      (what `make safety-report` runs)

prints urgent recall, false-urgent rate and personal recall per category, and
every miss. tests/test_safety_corpora.py asserts the same figures.
"""
from __future__ import annotations

import asyncio
import logging
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, List, Tuple

ROOT = Path(__file__).resolve().parent.parent
CORPORA = ROOT / "tests" / "safety"
DEFAULT_MODEL = ROOT / "models" / "valtrex-assistant.tar.gz"

# corpus file -> (figure name, intent a message must get (None: anything but urgent))
EXPECTATIONS = {
    "urgent.txt": ("urgent recall", "urgent_help"),
    "not_urgent.txt": ("not flagged urgent", None),
    "personal.txt": ("personal recall", "personal_advice"),
}


def read_corpus(path: Path) -> List[Tuple[str, str]]:
    """(category, message) per line of a `category<TAB>message` file."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            category, text = line.split("\t", 1)
            rows.append((category, text))
    return rows


@dataclass
class CorpusResult:
    figure: str
    hits: Dict[str, int] = field(default_factory=lambda: defaultdict(int))
    totals: Dict[str, int] = field(default_factory=lambda: defaultdict(int))
    misses: List[Tuple[str, str, str, str]] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return sum(self.hits.values()) / sum(self.totals.values())


def evaluate(parse: Callable[[str], Dict]) -> Dict[str, CorpusResult]:
    """Run every corpus message through `parse` (text -> Rasa parse data)."""
    results = {}
    for corpus, (figure, expected) in EXPECTATIONS.items():
        result = CorpusResult(figure)
        for category, text in read_corpus(CORPORA / corpus):
            parsed = parse(text)
            intent = parsed["intent"]["name"]
            ok = intent == expected if expected else intent != "urgent_help"
            result.totals[category] += 1
            result.hits[category] += ok
            if not ok:
                why = (parsed.get("safety") or {}).get("pattern") or "classifier"
                result.misses.append((category, intent, why, text))
        results[corpus] = result
    return results


def report(results: Dict[str, CorpusResult]) -> str:
    lines = []
    for corpus, result in results.items():
        lines.append(f"\n{corpus}: {result.figure} {result.rate:.3f} "
                     f"({sum(result.hits.values())}/{sum(result.totals.values())})")
        for category in sorted(result.totals):
            hits, total = result.hits[category], result.totals[category]
            lines.append(f"  {category:24} {hits / total:6.2f}  {hits:3d}/{total:<3d}")
        for category, intent, why, text in result.misses:
            lines.append(f"  MISS [{category}] -> {intent} ({why}): {text}")
    return "\n".join(lines)


def main(model: Path) -> None:
    from rasa.core.agent import Agent
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)  # no per-message debug lines
    agent = Agent.load(str(model))
    loop = asyncio.new_event_loop()
    results = evaluate(lambda text: loop.run_until_complete(agent.parse_message(text)))
    print(report(results))


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_MODEL)
