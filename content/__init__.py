"""Content governance: one urgency level per warning sign (urgency.yml), the review
record of every response (review.yml, checked against the fact sheet's structure in
fact_sheet.yml) and the clinician's report (`python -m content.report`).

Nothing here runs inside the assistant; it reads domain.yml and data/ like a reviewer.
"""

from pathlib import Path
from typing import Any, Dict

import yaml

ROOT = Path(__file__).resolve().parent.parent
CONTENT = Path(__file__).resolve().parent
DOMAIN = ROOT / "domain.yml"


def load_yaml(path: Path) -> Any:
    return yaml.safe_load(Path(path).read_text(encoding="utf-8"))


def load_responses(domain: Path = DOMAIN) -> Dict[str, Dict]:
    """Every response name mapped to its (single) variation, as the tests read it."""
    return {name: variations[0] for name, variations in load_yaml(domain)["responses"].items()}
