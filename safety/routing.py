"""How the SafetyNet routes a message once it knows what the patterns found and
how alarmed the urgency detector is (safety/component.py runs it on every
message). Every decision is recorded under parse_data["safety"] with why.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any, Dict, List, Optional, Text

from rasa.shared.nlu.constants import (
    ENTITIES,
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

from components.retrieval import best_sub_topic, select_response, set_intent
from safety.matcher import PERSONAL, SPANISH, URGENT, Finding

URGENT_INTENT = "urgent_help"
PERSONAL_INTENT = "personal_advice"
FALLBACK_INTENT = "nlu_fallback"
WARNING_SIGNS = ("seek_advice", "when_emergency")
SUSPECTED = "suspected"  # the reply when only the classifier suspects an emergency
SPANISH_REPLY = "spanish"  # one Spanish emergency reply, whatever the category
SAFETY_KEY = "safety"
# Set by medicines/ and abstention/, which run before this component.
MEDICINES_KEY = "medicines"
ABSTENTION_KEY = "abstention"
INTERACTION = "interaction"  # the personal category of "X with valacyclovir"
EXTRA_DOSE = "extra_dose"  # an extra dose taken by mistake: Poison Help first
OVERDOSE = "overdose"
# Up to this many words a message is short: an ambiguous red flag counts as it is.
SHORT_MESSAGE = 6
# Intents that leave "valtrex and my warfarin?" without an answer of its own
# (a back-pain answer about ibuprofen keeps the turn).
UNANSWERED = {URGENT_INTENT, FALLBACK_INTENT, PERSONAL_INTENT, "out_of_scope"}
# Valacyclovir referred to without its name: "can i take advil with it"
NAMES_IT = re.compile(r"\b(it|this|these|them|that)\b")
COMPARISON = re.compile(
    r"\b(vs|versus|better|worse|stronger|faster|quicker|slower|compared?|comparison|difference|instead)\b"
)
# Set aside because the words meant something else: the classifier's next guess.
NOT_AN_EMERGENCY = {"negated", "figurative", "ambiguous", "said of a thing"}


def apply_finding(
    message: Message, finding: Finding, config: Dict[Text, Any], urgency: float = 0.0, short: bool = False
) -> None:
    """Route the message by what the safety layer found, and record why.

    `urgency` is the urgency detector's score of the message; a `short` one
    ("its an emergency!!") has no other meaning to weigh an ambiguous word by."""
    classifier = classifier_urgent_score(message)
    # "for a novel i'm writing": a question about emergencies, whatever the scores
    suspected = not finding.framed and (
        urgency >= config["detector_alone"]
        or (
            classifier is not None
            and classifier >= config["urgent_threshold"]
            and urgency >= config["detector_gate"]
        )
    )
    scores = f"classifier {URGENT_INTENT} {classifier or 0:.2f} (top two), urgency detector {urgency:.2f}"
    decision, reason = None, None
    if finding.kind == URGENT and finding.ambiguous and not short and urgency < config["ambiguous_red_flag"]:
        finding.set_aside.append(
            {
                "category": str(finding.category),
                "pattern": str(finding.pattern),
                "matched_text": str(finding.matched_text),
                "reason": "ambiguous",
            }
        )
        # the personal question found beside it still counts
        finding = finding.personal or Finding(
            None, set_aside=finding.set_aside, language=finding.language, framed=finding.framed
        )
    if (
        finding.kind is None
        and not suspected
        and intent_of(message) in UNANSWERED
        and with_another_medicine(message)
    ):
        # "my husband is on valtrex and takes warfarin": a question about the two together
        finding = Finding(
            PERSONAL,
            INTERACTION,
            "valacyclovir and another medicine named",
            set_aside=finding.set_aside,
            language=finding.language,
        )
    if finding.kind == URGENT and extra_dose_beside(finding):
        # "took my dose 4 times, now im so confused": the reply that names every line
        decision, reason = route_urgent(message, SUSPECTED, finding.language), "red flag and an extra dose"
    elif finding.kind == URGENT:
        decision, reason = route_urgent(message, finding.category, finding.language), "red flag"
    elif (
        finding.kind == PERSONAL
        and (
            urgency < config["detector_over_personal"]
            or (classifier or 0) < config["classifier_over_personal"]
        )
        and not answered_elsewhere(message, finding)
    ):
        decision, reason = route(message, PERSONAL_INTENT, str(finding.category)), "personal pattern"
    elif suspected or intent_of(message) == URGENT_INTENT:
        reasons = {entry["reason"] for entry in finding.set_aside}
        if reasons and reasons <= NOT_AN_EMERGENCY:
            decision = demote_urgent(message, config["next_intent_threshold"])
            reason = f"{scores}; red flag {'/'.join(sorted(reasons))}"
        elif "hypothetical" in reasons or not suspected:
            decision, reason = route(message, *WARNING_SIGNS), f"{scores}; not an emergency now"
        else:
            decision, reason = route_urgent(message, SUSPECTED, finding.language), scores
    # Always recorded, so a message that was not flagged still shows why not.
    message.set(
        SAFETY_KEY,
        {
            "decision": decision,
            "reason": reason,
            "urgency": round(urgency, 3),
            "classifier_urgent": classifier and round(classifier, 3),
            **finding.as_dict(),
        },
        add_to_output=True,
    )


def thresholds_for(config: Dict[Text, Any], words: int) -> Dict[Text, Any]:
    """The detector's bars for a message of `words` words: higher for a long one,
    whose many windows make one high score by chance more likely."""
    if words <= config["long_message"]:
        return config
    return {
        **config,
        "detector_gate": config["detector_gate_long"],
        "detector_alone": config["detector_alone_long"],
        "classifier_over_personal": config["classifier_over_personal_long"],
    }


def unreadable(text: Text) -> bool:
    """Mostly letters of a script the assistant cannot read (not Latin: Chinese, Arabic...)."""
    letters = [c for c in text if c.isalpha()]
    latin = sum(unicodedata.name(c, "").startswith("LATIN") for c in letters)
    return bool(letters) and latin < len(letters) / 2


def route_unreadable(message: Message) -> None:
    set_intent(message, FALLBACK_INTENT)
    message.set(ENTITIES, [], add_to_output=True)  # no "did you mean" from words it cannot read
    message.set(
        SAFETY_KEY,
        {"decision": FALLBACK_INTENT, "reason": "a script the assistant cannot read", "kind": None},
        add_to_output=True,
    )


def answered_elsewhere(message: Message, finding: Finding) -> bool:
    """An answer component already gave the fitting non-answer: another medicine
    alone goes to the pharmacist (unless the person asks about taking it with
    theirs: "can i take advil with it"; "can i drink alcohol on metronidazole"
    is about metronidazole), a pain reliever asked about as back-pain care keeps
    the back-pain answer, and a 4b topic stays with the abstainer (sent to the
    personal interaction answer, or said plainly not to be in the label)."""
    medicines = (message.get(MEDICINES_KEY) or {}).get("decision")
    abstention = message.get(ABSTENTION_KEY) or {}
    text = str(message.get(TEXT) or "").lower()
    return (
        # an extra dose of any medicine gets Poison Help here, not the pharmacist
        (
            medicines == "other_medicine"
            and finding.category != EXTRA_DOSE
            and (finding.category != INTERACTION or not NAMES_IT.search(text))
        )
        or medicines == "back_pain_question"
        or str(abstention.get("decision")).startswith("route personal_advice/")
        or (abstention.get("over_personal", False) and not with_another_medicine(message))
    )


def extra_dose_beside(finding: Finding) -> bool:
    """A red flag other than an overdose, with an extra dose taken: both matter."""
    personal = finding.personal
    return (
        personal is not None
        and personal.category == EXTRA_DOSE
        and finding.category not in (OVERDOSE, SUSPECTED, "self_harm_acted")
    )


def with_another_medicine(message: Message) -> bool:
    """The medicine dictionary found valacyclovir and another medicine in the
    message, and it does not compare them ("is famvir better than valtrex" is
    not a question about taking both)."""
    named = (message.get(MEDICINES_KEY) or {}).get("named") or []
    text = str(message.get(TEXT) or "").lower()
    return (
        any(m["valacyclovir"] for m in named)
        and any(not m["valacyclovir"] for m in named)
        and not COMPARISON.search(text)
    )


def route(message: Message, intent: Text, sub_topic: Text) -> Text:
    """Set `intent` and its answer `sub_topic`; return the decision made."""
    set_intent(message, intent)
    select_response(message, f"{intent}/{sub_topic}", 1.0)
    return f"{intent}/{sub_topic}"


def route_urgent(message: Message, category: Optional[Text], language: Text) -> Text:
    """The category's emergency reply; in Spanish, the Spanish one. Entities the
    answer components set (a medicine's name, "did you mean" answers) go: an
    emergency reply fills in nothing."""
    message.set(ENTITIES, [], add_to_output=True)
    return route(message, URGENT_INTENT, SPANISH_REPLY if language == SPANISH else category or SUSPECTED)


def classifier_ranking(message: Message) -> List[Dict[Text, Any]]:
    """The classifier's own ranking: without the fallback and intents set by a router (1.0)."""
    ranking = [
        entry
        for entry in message.get(INTENT_RANKING_KEY) or []
        if entry[INTENT_NAME_KEY] != FALLBACK_INTENT and entry[PREDICTED_CONFIDENCE_KEY] < 1.0
    ]
    return sorted(ranking, key=lambda entry: -entry[PREDICTED_CONFIDENCE_KEY])


def classifier_urgent_score(message: Message) -> Optional[float]:
    """urgent_help's score when it is in the classifier's top two, else None."""
    return classifier_score(message, URGENT_INTENT) or None


def classifier_score(message: Message, intent: Text) -> float:
    """`intent`'s score when it is in the classifier's top two, else 0."""
    return next(
        (
            entry[PREDICTED_CONFIDENCE_KEY]
            for entry in classifier_ranking(message)[:2]
            if entry[INTENT_NAME_KEY] == intent
        ),
        0.0,
    )


def demote_to(message: Message, intent: Text) -> Text:
    """Set `intent` with the classifier's best sub-topic of it."""
    set_intent(message, intent)
    best = best_sub_topic(message, intent)
    if best:
        select_response(message, best["intent_response_key"], best["confidence"])
        return best["intent_response_key"]
    return intent


def demote_urgent(message: Message, threshold: float) -> Text:
    """No emergency after all: the classifier's next intent if confident, else the fallback."""
    ranking = [entry for entry in classifier_ranking(message) if entry[INTENT_NAME_KEY] != URGENT_INTENT]
    confident = ranking and ranking[0][PREDICTED_CONFIDENCE_KEY] >= threshold
    return demote_to(message, ranking[0][INTENT_NAME_KEY] if confident else FALLBACK_INTENT)


def intent_of(message: Message) -> Optional[Text]:
    return (message.get(INTENT) or {}).get(INTENT_NAME_KEY)
