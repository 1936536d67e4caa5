"""Spanish figures for `make eval`, beside the English ones (issue 15).

* intent macro-F1 and urgent recall on the Spanish held-out set (tests/nlu_test_es.yml);
* how often the language detector (language/, lingua restricted to English and
  Spanish) names the right language of a held-out message, by length, and how
  often it is sure enough to change the conversation's language
  (language/language.yml `min_confidence`);
* the Fernandez-Huerta reading ease of every Spanish response.
"""

from typing import Callable, Dict, List, Tuple

from bench.quality import HELD_OUT, HELD_OUT_ES, macro_f1, per_intent_scores, read_nlu
from content.readability import MIN_SPANISH_EASE, is_spanish, spanish_ease

Scores = Dict[str, Tuple[float, float, float, int]]
# Held-out messages whose language is not the file's: the switch requests name
# either language, and two English-set out-of-scope messages are Spanish and German.
MIXED_INTENTS = {"switch_language"}
NOT_ENGLISH = {"¿cuál es la capital de francia?", "wie spät ist es gerade in berlin?"}
BUCKETS = (("1-2 words", 1, 2), ("3-5 words", 3, 5), ("6+ words", 6, 10_000))


def held_out_scores(parse: Callable[[str], Dict]) -> Tuple[Scores, int]:
    rows = [(label.split("/", 1)[0], parse(text)["intent"]["name"]) for label, text in read_nlu(HELD_OUT_ES)]
    return per_intent_scores([g for g, _ in rows], [p for _, p in rows]), len(rows)


def side_by_side_lines(english: Scores, english_n: int, spanish: Scores, spanish_n: int) -> List[str]:
    return [
        "| held-out set | messages | intent macro-F1 | urgent recall | out-of-scope recall |",
        "|---|---|---|---|---|",
        f"| English (tests/nlu_test.yml) | {english_n} | {macro_f1(english):.3f} | "
        f"{english['urgent_help'][1]:.2f} | {english['out_of_scope'][1]:.2f} |",
        f"| Spanish (tests/nlu_test_es.yml) | {spanish_n} | {macro_f1(spanish):.3f} | "
        f"{spanish['urgent_help'][1]:.2f} | {spanish['out_of_scope'][1]:.2f} |",
    ]


def labelled_messages() -> List[Tuple[str, str]]:
    """(language, text) of the held-out messages whose language is known."""
    english = [
        ("en", text)
        for label, text in read_nlu(HELD_OUT)
        if label not in MIXED_INTENTS and text not in NOT_ENGLISH and not text.startswith("/")
    ]
    spanish = [("es", text) for label, text in read_nlu(HELD_OUT_ES) if label not in MIXED_INTENTS]
    return english + spanish


def detector_lines() -> List[str]:
    from language.component import Detector, LanguagePolicy

    policy = LanguagePolicy.load()
    detector: Detector = policy.detector
    lines = [
        f"lingua (English and Spanish models only) on the held-out messages; 'sure' is a "
        f"confidence of at least {policy.min_confidence} (what may change the conversation's language).",
        "",
        "| language | length | messages | right | sure | sure and wrong |",
        "|---|---|---|---|---|---|",
    ]
    messages = labelled_messages()
    for language in ("en", "es"):
        for name, low, high in BUCKETS:
            texts = [t for lang, t in messages if lang == language and low <= len(t.split()) <= high]
            found = [detector.detect(text) for text in texts]
            right = sum(lang == language for lang, _ in found)
            sure = [(lang, conf) for lang, conf in found if conf >= policy.min_confidence]
            wrong = sum(lang != language for lang, _ in sure)
            share = f"{right} ({right / len(texts):.1%})"
            lines.append(f"| {language} | {name} | {len(texts)} | {share} | {len(sure)} | {wrong} |")
    return lines


def readability_lines(responses: Dict[str, List[Dict]]) -> List[str]:
    ease = {
        name: spanish_ease(variant["text"])
        for name, variants in responses.items()
        for variant in variants
        if is_spanish(variant)
    }
    return [
        f"Fernandez-Huerta reading ease of {len(ease)} Spanish responses: mean "
        f"{sum(ease.values()) / len(ease):.1f}, lowest {min(ease.values()):.1f} "
        f"(target {MIN_SPANISH_EASE:.0f} or higher)."
    ]
