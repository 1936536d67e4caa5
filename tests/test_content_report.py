"""`make content-report`: the clinician's page, built from the real content and opened
in Debian's Chromium (set up as in tests/browser.py), which must show every response
and the urgency table with nothing loaded from anywhere else.

The screenshot goes to a temporary folder, or to $CONTENT_REPORT_SCREENSHOTS:
    CONTENT_REPORT_SCREENSHOTS=docs .venv/bin/python -m pytest tests/test_content_report.py
writes docs/content-report.png for the README.
"""

import datetime as dt
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from browser import CHROMIUM, CHROMIUM_ARGS  # one browser set-up for every browser test
from playwright.sync_api import expect, sync_playwright

from conftest import ROOT
from content.html import to_html
from content.report import build, to_markdown
from content.urgency import Urgency

SCREENSHOTS = Path(os.environ.get("CONTENT_REPORT_SCREENSHOTS") or tempfile.mkdtemp(prefix="content-report-"))
TODAY = dt.date(2026, 12, 2)


@pytest.fixture(scope="module")
def report():
    return build(TODAY)


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    """`python -m content.report`, as `make content-report` runs it."""
    out = tmp_path_factory.mktemp("report")
    done = subprocess.run(
        [sys.executable, "-m", "content.report", "--out", str(out), "--today", TODAY.isoformat()],
        cwd=ROOT,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return out, done.stdout


def test_the_command_writes_both_pages_and_its_figures(written, responses):
    out, stdout = written
    assert (out / "content-report.html").stat().st_size > 0
    assert (out / "content-report.md").stat().st_size > 0
    assert re.search(
        rf"^{len(responses)} responses; reading grade mean \d\.\d\d, max \d\.\d; "
        r"0 overdue for review; 0 problems",
        stdout,
    ), stdout


def test_every_response_is_in_the_markdown_with_its_review(report, responses):
    markdown = to_markdown(report)
    for name, response in responses.items():
        assert re.search(rf"^### {re.escape(name)}( \(urgent\))?$", markdown, re.M), name
        assert f"> {response['text'].splitlines()[0]}" in markdown, name
    assert markdown.count("- **Last reviewed:** 2026-12-02 by ") == len(responses)
    assert "Problems found by the content checks: 0" in markdown


def test_the_html_page_is_self_contained(report):
    page = to_html(report)
    assert re.findall(r"""\b(?:src|href)\s*=\s*(?!["']?#)\S+""", page) == [], "only in-page links"
    assert "<script" not in page and "@import" not in page and "url(" not in page


def test_overdue_responses_are_flagged(report, responses):
    later = build(TODAY + dt.timedelta(days=366))
    assert len(later.overdue()) == len(responses)
    assert f"overdue for review: {len(responses)}" in to_markdown(later)
    assert build(TODAY + dt.timedelta(days=366), period_days=730).overdue() == []
    assert report.overdue() == []


def test_a_problem_is_shown_on_the_response(responses):
    seeded = dict(
        responses, **{"utter_ask_side_effects/seeded": {"text": "Call your doctor for trouble breathing."}}
    )
    report = build(TODAY, responses=seeded)
    row = next(r for r in report.rows if r.name == "utter_ask_side_effects/seeded")
    assert any("no review record" in p for p in row.problems)
    assert any("without a level" in p for p in row.problems)
    assert 'data-response="utter_ask_side_effects/seeded"' in to_html(report)


def test_chromium_renders_every_response(written, responses):
    out, _ = written
    signs = Urgency.load().signs
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        requests, errors = [], []
        page.on("request", lambda request: requests.append(request.url))
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto((out / "content-report.html").as_uri())
        expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("Content report"))
        articles = page.locator("article[data-response]")
        expect(articles).to_have_count(len(responses))
        for name, response in responses.items():
            article = page.locator(f'article[data-response="{name}"]')
            expect(article).to_be_visible()
            expect(article.locator("blockquote")).to_contain_text(response["text"].splitlines()[0])
            expect(article).to_contain_text("Last reviewed")
        expect(page.locator("#urgency tbody tr")).to_have_count(len(signs))
        expect(page.locator(".level-emergency").first).to_have_text("911 now")
        page.screenshot(path=str(SCREENSHOTS / "content-report.png"))
        browser.close()
    assert errors == []
    assert all(url.startswith("file://") for url in requests), requests
