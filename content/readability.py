"""How hard a response is to read: the one measure the tests, `make eval` and the
report share (Flesch-Kincaid grade of the whole text, as textstat computes it)."""

from typing import Dict, Iterable, Optional, Tuple

import textstat

# answer-style.md: grade 8 or lower for every answer; the AMA's grade 6 on average.
MAX_GRADE = 8.0
MAX_MEAN_GRADE = 6.0
MAX_WORDS = 120
# Fact sheet section 9: Spanish answers score 70 or more on Fernandez-Huerta.
MIN_SPANISH_EASE = 70.0


def grade(text: str) -> float:
    return textstat.flesch_kincaid_grade(text)


def spanish_ease(text: str) -> float:
    """Fernandez-Huerta reading ease (textstat's Spanish mode; higher is easier)."""
    textstat.set_lang("es")
    try:
        return textstat.fernandez_huerta(text)
    finally:
        textstat.set_lang("en")


def is_spanish(response: Dict) -> bool:
    return (response.get("metadata") or {}).get("language") == "es"


def reading(response: Dict) -> Tuple[float, Optional[str]]:
    """(grade, or Spanish ease; the problem if it is too hard to read, else None)."""
    text = response["text"]
    if is_spanish(response):
        ease = spanish_ease(text)
        return ease, (
            f"Spanish reading ease {ease:.0f} is below {MIN_SPANISH_EASE:.0f}"
            if ease < MIN_SPANISH_EASE
            else None
        )
    level = grade(text)
    return level, f"reading grade {level:.1f} is above {MAX_GRADE:.0f}" if level > MAX_GRADE else None


def word_count(text: str) -> int:
    return len(text.split())


def summary(texts: Iterable[str]) -> Dict[str, float]:
    """Mean and worst grade of `texts`."""
    grades = [grade(text) for text in texts]
    return {"mean": sum(grades) / len(grades), "max": max(grades), "count": len(grades)}
