"""What leads to each response: its intent and example questions (data/nlu), the
rules that say it (data/rules), the safety net category that picks it
(safety/patterns.yml) and the buttons of other responses that point to it."""

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Tuple

from bench.quality import read_nlu
from content import ROOT, load_yaml

NLU = ROOT / "data" / "nlu"
RULES = ROOT / "data" / "rules"
SAFETY_PATTERNS = ROOT / "safety" / "patterns.yml"
SAFETY_INTENTS = {"urgent": "urgent_help", "personal": "personal_advice"}


@dataclass
class Route:
    intents: List[str] = field(default_factory=list)
    examples: List[str] = field(default_factory=list)
    safety: str = ""
    buttons_in: List[Tuple[str, str]] = field(default_factory=list)  # (response, button title)


def _rule_intents(rules_dir: Path) -> Dict[str, List[str]]:
    """Action -> the intents of the rules that run it."""
    found: Dict[str, List[str]] = defaultdict(list)
    for path in sorted(rules_dir.glob("*.yml")):
        for rule in load_yaml(path).get("rules") or []:
            intents = [step["intent"] for step in rule.get("steps", []) if "intent" in step]
            for step in rule.get("steps", []):
                for intent in intents:
                    if "action" in step and intent not in found[step["action"]]:
                        found[step["action"]].append(intent)
    return found


def _safety_categories(path: Path) -> Dict[str, str]:
    """Response name -> how the safety net picks it."""
    data = load_yaml(path)
    picked = {}
    for kind, intent in SAFETY_INTENTS.items():
        for category, spec in (data.get(kind) or {}).items():
            picked[f"utter_{intent}/{category}"] = (
                f"safety net, {kind} category '{category}': {len(spec.get('patterns', []))} patterns "
                f"(fact sheet {spec.get('source', '?')})"
            )
    return picked


def routes(
    responses: Dict[str, Dict],
    nlu_dir: Path = NLU,
    rules_dir: Path = RULES,
    safety_patterns: Path = SAFETY_PATTERNS,
) -> Dict[str, Route]:
    found = {name: Route() for name in responses}
    for path in sorted(nlu_dir.glob("*.yml")):
        for intent, text in read_nlu(path):
            route = found.get(f"utter_{intent}")
            if route is not None:
                if intent not in route.intents:
                    route.intents.append(intent)
                route.examples.append(text)
    for action, intents in _rule_intents(rules_dir).items():
        if action in found:
            found[action].intents += [i for i in intents if i not in found[action].intents]
    if safety_patterns.exists():
        for name, how in _safety_categories(safety_patterns).items():
            if name in found:
                found[name].safety = how
    for name, response in responses.items():
        for button in response.get("buttons") or []:
            target = found.get(f"utter_{button['payload'].lstrip('/')}")
            if target is not None:
                target.buttons_in.append((name, button["title"]))
    return found
