"""How hard a response is to read: the one measure the tests, `make eval` and the
report share (Flesch-Kincaid grade of the whole text, as textstat computes it)."""
from typing import Dict, Iterable

import textstat

# answer-style.md: grade 8 or lower for every answer; the AMA's grade 6 on average.
MAX_GRADE = 8.0
MAX_MEAN_GRADE = 6.0
MAX_WORDS = 120


def grade(text: str) -> float:
    return textstat.flesch_kincaid_grade(text)


def word_count(text: str) -> int:
    return len(text.split())


def summary(texts: Iterable[str]) -> Dict[str, float]:
    """Mean and worst grade of `texts`."""
    grades = [grade(text) for text in texts]
    return {"mean": sum(grades) / len(grades), "max": max(grades), "count": len(grades)}
