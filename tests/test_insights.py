"""`make insights` on a database seeded with known conversations shows every known
figure: per day, by topic, fallback and abstain, urgent, helpfulness, the inbox;
read-only, the same on SQLite and PostgreSQL, and no message text beyond the
redacted questions."""

import asyncio
import os
import re
import sqlite3
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import pytest
import yaml
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bench.server import ROOT
from insights.__main__ import collect
from insights.figures import Helpfulness, Settings, Unanswered
from insights.read import read_only_engine
from insights.report import render
from privacy.tracker_store import RedactingSQLTrackerStore

SINCE, UNTIL = date(2026, 11, 2), date(2026, 11, 3)
C1, C2, C3, C4 = (
    "c1aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    "c2bbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
    "c3cccccccccccccccccccccccccccccc",
    "c4dddddddddddddddddddddddddddddd",
)


def at(day: str, hour: int) -> float:
    return datetime.fromisoformat(f"{day}T{hour:02d}:00:00+00:00").timestamp()


def user(text, intent, when):
    return UserUttered(text, intent={"name": intent, "confidence": 1.0}, timestamp=when)


def bot(name, when, text="(reply)", **metadata):
    events = [ActionExecuted(name.split("/", 1)[0], timestamp=when)]
    return events + [
        BotUttered(
            text,
            metadata={"utter_action": name, **({"metadata": metadata} if metadata else {})},
            timestamp=when,
        )
    ]


def vote(intent, answer, when):
    return [user(f'/{intent}{{"answer": "{answer}"}}', intent, when)] + bot(
        f"utter_{intent}", when, feedback={"vote": "up" if intent == "helpful" else "down", "answer": answer}
    )


BACK = "utter_ask_back_pain/is_side_effect"
KIDNEY = "utter_ask_side_effects/kidney"
D1, D2, BEFORE = "2026-11-02", "2026-11-03", "2026-10-20"

CONVERSATIONS = {
    C1: [
        user("does valtrex cause back pain", "ask_back_pain", at(D1, 9)),
        *bot("utter_disclaimer", at(D1, 9)),
        *bot(BACK, at(D1, 9)),
        *vote("not_helpful", BACK, at(D1, 9)),
        user("can it hurt the kidneys", "ask_side_effects", at(D1, 10)),
        *bot(KIDNEY, at(D1, 10)),
        *vote("helpful", KIDNEY, at(D1, 10)),
        user("what helps back pain", "ask_back_pain", at(D2, 8)),
        *bot("utter_ask_back_pain/self_care", at(D2, 8)),
    ],
    C2: [
        user("what's the weather? mail me at jo@example.com", "out_of_scope", at(D1, 11)),
        *bot("utter_disclaimer", at(D1, 11)),
        *bot("utter_out_of_scope", at(D1, 11)),
        *bot("utter_topics", at(D1, 11)),
        user("my son swallowed my pills", "urgent_help", at(D1, 12)),
        *bot("utter_urgent_help/overdose", at(D1, 12), urgent=True, category="overdose"),
    ],
    C3: [
        user("asdf qwerty 555 123 4567", "nlu_fallback", at(D2, 9)),
        *bot("utter_disclaimer", at(D2, 9)),
        *bot("utter_fallback", at(D2, 9)),
        *bot("utter_topics", at(D2, 9)),
        user("does valtrex cause back pain", "ask_back_pain", at(D2, 10)),
        *bot(BACK, at(D2, 10)),
        user("that didn't help", "not_helpful", at(D2, 10)),
        *bot("utter_not_helpful", at(D2, 10), feedback={"vote": "down", "answer": BACK}),
        *vote("helpful", BACK, at(D2, 10)),  # changed their mind: the last vote counts
        user("i can't feel my legs", "urgent_help", at(D2, 11)),
        *bot("utter_urgent_help/cauda_equina", at(D2, 11), urgent=True, category="cauda_equina"),
        user("i can't breathe", "urgent_help", at(D2, 12)),
        *bot("utter_urgent_help/heart_breathing", at(D2, 12), urgent=True, category="heart_breathing"),
    ],
    # Before the range: counted nowhere.
    C4: [
        user("zzzz", "nlu_fallback", at(BEFORE, 9)),
        *bot("utter_fallback", at(BEFORE, 9)),
        user("my son swallowed my pills", "urgent_help", at(BEFORE, 10)),
        *bot("utter_urgent_help/overdose", at(BEFORE, 10), urgent=True, category="overdose"),
        *vote("not_helpful", KIDNEY, at(BEFORE, 10)),
    ],
}


def seed(store: RedactingSQLTrackerStore) -> None:
    """Saved turn by turn, as the assistant saves them (redacted on the way in)."""
    for sender, events in CONVERSATIONS.items():
        tracker = DialogueStateTracker.from_events(
            sender, [ActionExecuted("action_listen", timestamp=events[0].timestamp)]
        )
        for event in events:
            if isinstance(event, UserUttered) and len(tracker.events) > 1:
                asyncio.run(store.save(tracker))
            tracker.update(event)
        asyncio.run(store.save(tracker))


def check_figures(figures) -> None:
    """Every figure the seeded conversations must give."""
    assert figures.days == [D1, D2]
    assert figures.conversations_per_day == {D1: 2, D2: 2}  # C1 and C2, then C1 and C3
    assert figures.messages_per_day == {D1: 4, D2: 5}  # votes are not messages
    assert (figures.conversations, figures.messages) == (3, 9)
    assert figures.answers_by_topic == {"Back pain": 3, "Urgent": 3, "Side effects": 1}
    assert figures.answers == {
        BACK: 2,
        "utter_ask_back_pain/self_care": 1,
        KIDNEY: 1,
        "utter_urgent_help/cauda_equina": 1,
        "utter_urgent_help/heart_breathing": 1,
        "utter_urgent_help/overdose": 1,
    }
    assert (figures.fallback, figures.abstain) == (1, 1)
    assert round(figures.fallback_rate, 4) == round(figures.abstain_rate, 4) == round(1 / 9, 4)
    assert figures.urgent_per_day == {D1: {"overdose": 1}, D2: {"cauda_equina": 1, "heart_breathing": 1}}
    assert figures.helpfulness == [Helpfulness(BACK, up=1, down=1), Helpfulness(KIDNEY, up=1, down=0)]
    assert figures.votes_without_answer == 0
    assert figures.unanswered == [
        Unanswered(D1, C2, "what's the weather? mail me at [email]", "abstain"),
        Unanswered(D2, C3, "asdf qwerty [phone]", "fallback"),
    ]


@pytest.fixture
def seeded(tmp_path):
    db = tmp_path / "conversations.db"
    seed(RedactingSQLTrackerStore(Domain.empty(), db=str(db)))
    return db


def test_every_figure_of_a_seeded_database(seeded):
    check_figures(collect(read_only_engine(sqlite_url(seeded)), SINCE, UNTIL, Settings.load()))


def sqlite_url(db: Path):
    import sqlalchemy as sa

    return sa.engine.make_url(f"sqlite:///{db}")


def test_the_store_is_opened_read_only(seeded):
    import sqlalchemy as sa

    engine = read_only_engine(sqlite_url(seeded))
    with pytest.raises(sa.exc.OperationalError, match="readonly"):
        with engine.begin() as connection:
            connection.execute(sa.text("DELETE FROM events"))
    assert sqlite3.connect(seeded).execute("SELECT count(*) FROM events").fetchone()[0] > 0


def test_the_same_figures_on_postgresql(postgres):
    import sqlalchemy as sa
    from rasa.core.tracker_store import SQLTrackerStore

    store = RedactingSQLTrackerStore(Domain.empty(), **postgres)
    with store.session_scope() as session:  # the fixture's database is shared with other tests
        session.execute(
            store.SQLEvent.__table__.delete().where(store.SQLEvent.sender_id.in_(list(CONVERSATIONS)))
        )
        session.commit()
    seed(store)
    url = sa.engine.make_url(
        SQLTrackerStore.get_db_url(
            "postgresql",
            postgres["host"],
            postgres["port"],
            postgres["db"],
            postgres["username"],
            postgres["password"],
        )
    )
    engine = read_only_engine(url)
    check_figures(collect(engine, SINCE, UNTIL, Settings.load()))
    with pytest.raises(sa.exc.InternalError, match="read-only transaction"):
        with engine.begin() as connection:
            connection.execute(sa.text("DELETE FROM events"))


def test_make_insights_writes_the_page(seeded, tmp_path):
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text(
        yaml.safe_dump(
            {
                "tracker_store": {
                    "type": "privacy.tracker_store.RedactingSQLTrackerStore",
                    "dialect": "sqlite",
                    "db": str(seeded),
                }
            }
        )
    )
    out = tmp_path / "insights.html"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "insights",
            "--endpoints",
            str(endpoints),
            "--since",
            "2026-11-02",
            "--until",
            "2026-11-03",
            "--out",
            str(out),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env=dict(os.environ, PYTHONPATH=str(ROOT), RASA_TELEMETRY_ENABLED="false"),
    )
    assert result.returncode == 0, result.stderr
    assert (
        "3 conversations, 9 messages, fallback 11.1%, abstain 11.1%, 2 questions not answered"
        in result.stdout
    )
    page = out.read_text()
    assert page.count("<img ") == 4 and page.count("<table>") == 7  # a table beside each chart
    text = re.sub(r"<[^>]+>", " ", page)
    for expected in (
        "2026-11-02 2 4",
        "2026-11-03 2 5",
        "Back pain 3",
        "Urgent 3",
        "Side effects 1",
        "Fallback (not understood) 1 11.1%",
        "2026-11-03 cauda_equina 1",
        f"{BACK} 1 1 50.0%",
        f"{KIDNEY} 1 0 100.0%",
        "2026-11-02 c2bbbbbb abstain what&#x27;s the weather? mail me at [email]",
        "2026-11-03 c3cccccc fallback asdf qwerty [phone]",
    ):
        assert expected in " ".join(text.split()), expected
    # No identifier beyond the (shortened) random conversation id, no text but the redacted questions.
    readable = re.sub(r'src="data:image/png;base64,[^"]*"', "", page)
    for absent in (C1, C2, "jo@example.com", "555 123", "zzzz", "does valtrex cause back pain", "(reply)"):
        assert absent not in readable, absent


def test_page_in_chromium(seeded, tmp_path):
    """The page renders (charts and tables); its screenshot goes to the README."""
    from browser import CHROMIUM, CHROMIUM_ARGS, SCREENSHOTS
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium is not installed (make test installs it)")
    figures = collect(read_only_engine(sqlite_url(seeded)), SINCE, UNTIL, Settings.load())
    page_file = tmp_path / "insights.html"
    page_file.write_text(render(figures, "2026-11-02", "2026-11-03", "a seeded test database"))
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1100, "height": 900})
        page.goto(page_file.as_uri())
        assert page.get_by_role("heading", level=1).text_content() == "Assistant insights"
        images = page.locator("img")
        assert images.count() == 4
        assert all(images.nth(i).evaluate("img => img.complete && img.naturalWidth > 0") for i in range(4))
        assert (
            page.get_by_role("table", name="Helpfulness per answer, worst first").locator("tbody tr").count()
            == 2
        )
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "insights.png"), full_page=True)
        browser.close()
