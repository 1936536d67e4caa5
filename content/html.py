"""The content report as one self-contained HTML page: inline CSS, no scripts, no
external assets, so it can be mailed to a reviewer and opened anywhere."""

import html
import re
from typing import List

from content.report import Report, Row, details, summary_lines

CSS = """
:root { --ink: #1d2433; --muted: #5b6474; --line: #d9dee7; --bg: #f6f7f9; --accent: #1f5fa8;
        --emergency: #b3261e; --same_day: #b35c00; --promptly: #8a6d00; --self_care: #2e7d32; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
       color: var(--ink); background: var(--bg); }
header, main { max-width: 1100px; margin: 0 auto; padding: 0 20px; }
header { padding-top: 24px; }
h1 { font-size: 1.6rem; margin: 0 0 4px; }
h2 { font-size: 1.3rem; margin: 32px 0 12px; border-bottom: 2px solid var(--line); padding-bottom: 4px; }
h3 { font-size: 1rem; margin: 0 0 8px; display: flex; flex-wrap: wrap; gap: 6px; align-items: center; }
.meta, .summary { color: var(--muted); }
.summary { margin: 8px 0; padding-left: 20px; }
nav { display: flex; flex-wrap: wrap; gap: 8px; margin: 12px 0 0; }
nav a { color: var(--accent); text-decoration: none; border: 1px solid var(--line); border-radius: 14px;
        padding: 2px 10px; background: #fff; }
table { width: 100%; border-collapse: collapse; background: #fff; font-size: 0.9rem; }
th, td { border: 1px solid var(--line); padding: 6px 8px; text-align: left; vertical-align: top; }
th { background: #eef1f6; }
.level { font-weight: 600; }
table.urgency td:last-child { font-size: 0.8rem; }
.level-emergency { color: var(--emergency); } .level-same_day { color: var(--same_day); }
.level-promptly { color: var(--promptly); } .level-self_care { color: var(--self_care); }
article { background: #fff; border: 1px solid var(--line); border-left: 4px solid var(--accent);
          border-radius: 6px; padding: 14px 16px; margin: 0 0 14px; }
article.urgent { border-left-color: var(--emergency); }
article.problem, article.overdue { outline: 2px solid var(--emergency); }
.badge { font-size: 0.75rem; font-weight: 600; border-radius: 10px; padding: 1px 8px; background: #eef1f6;
         color: var(--muted); }
.badge.urgent, .badge.overdue, .badge.problem { background: var(--emergency); color: #fff; }
blockquote { margin: 0 0 10px; padding: 10px 12px; background: #f9fafc; border-radius: 4px;
             font-size: 1rem; }
.chips { display: flex; flex-wrap: wrap; gap: 6px; margin: 0 0 10px; padding: 0; list-style: none; }
.chips li { border: 1px solid var(--accent); color: var(--accent); border-radius: 14px; padding: 1px 10px;
            font-size: 0.85rem; }
dl { display: grid; grid-template-columns: 190px 1fr; gap: 4px 12px; margin: 0; font-size: 0.88rem; }
dt { color: var(--muted); } dd { margin: 0; }
dd.problems { color: var(--emergency); font-weight: 600; }
details { margin-top: 8px; font-size: 0.88rem; } summary { cursor: pointer; color: var(--accent); }
details ul { margin: 6px 0 0; padding-left: 20px; columns: 2; }
@media (max-width: 700px) { dl { grid-template-columns: 1fr; } details ul { columns: 1; } }
@media print { body { background: #fff; } nav { display: none; } article { break-inside: avoid; } }
"""


def e(text) -> str:
    return html.escape(str(text), quote=True)


def anchor(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def urgency_table(report: Report) -> List[str]:
    out = [
        '<section id="urgency"><h2>Urgency levels (content/urgency.yml)</h2>',
        '<p class="meta">One level per warning sign, defined once; every response that names a '
        "sign must give it this level (checked by tests/test_content_urgency.py).</p>",
        '<table class="urgency"><colgroup><col style="width:24%"><col style="width:10%">'
        '<col style="width:7%"><col style="width:29%"><col style="width:30%"></colgroup>'
        "<thead><tr><th>Warning sign</th><th>Level</th><th>Fact sheet</th><th>Basis</th>"
        "<th>Responses that name it</th></tr></thead><tbody>",
    ]
    for name, sign in report.urgency.signs.items():
        users = ", ".join(f'<a href="#{anchor(u)}">{e(u)}</a>' for u in report.sign_users(name)) or "-"
        out.append(
            f'<tr data-sign="{e(name)}"><td>{e(sign.title)}</td>'
            f'<td class="level level-{e(sign.level)}">{e(report.urgency.levels[sign.level].label)}</td>'
            f"<td>{e(', '.join(sign.sections))}</td><td>{e(sign.basis)}</td><td>{users}</td></tr>"
        )
    return out + ["</tbody></table></section>"]


def article(report: Report, row: Row) -> str:
    classes = " ".join(
        ["response"] + ["urgent"] * row.urgent + ["overdue"] * row.overdue + ["problem"] * bool(row.problems)
    )
    badges = [
        f'<span class="badge">{row.reading_label}</span>',
        f'<span class="badge">{row.words} words</span>',
    ]
    badges += ['<span class="badge urgent">urgent</span>'] * row.urgent
    badges += ['<span class="badge overdue">overdue for review</span>'] * row.overdue
    badges += [f'<span class="badge problem">{len(row.problems)} problem(s)</span>'] * bool(row.problems)
    text = "<br>".join(e(line) for line in row.text.splitlines())
    parts = [
        f'<article class="{classes}" id="{anchor(row.name)}" data-response="{e(row.name)}">',
        f"<h3><code>{e(row.name)}</code> {' '.join(badges)}</h3>",
        f'<blockquote class="text">{text}</blockquote>',
    ]
    if row.buttons:
        parts.append(
            '<ul class="chips" aria-label="Buttons">'
            + "".join(f'<li title="{e(p)}">{e(t)}</li>' for t, p in row.buttons)
            + "</ul>"
        )
    parts.append("<dl>")
    for label, value in details(report, row):
        if label == "Buttons":
            continue
        css = ' class="problems"' if label == "PROBLEMS" else ""
        parts.append(
            f"<dt>{e(label.capitalize() if label == 'PROBLEMS' else label)}</dt><dd{css}>{e(value)}</dd>"
        )
    parts.append("</dl>")
    if row.route.examples:
        parts.append(
            f"<details><summary>Example questions ({len(row.route.examples)})</summary><ul>"
            + "".join(f"<li>{e(x)}</li>" for x in row.route.examples)
            + "</ul></details>"
        )
    return "".join(parts) + "</article>"


def to_html(report: Report) -> str:
    summary = summary_lines(report)
    topics = report.topics()
    nav = (
        ['<nav><a href="#urgency">Urgency levels</a>']
        + [f'<a href="#topic-{anchor(t)}">{e(t)} ({len(rows)})</a>' for t, rows in topics]
        + ["</nav>"]
    )
    body = urgency_table(report)
    for topic, rows in topics:
        body.append(f'<section id="topic-{anchor(topic)}"><h2>{e(topic)} ({len(rows)})</h2>')
        body += [article(report, row) for row in rows]
        body.append("</section>")
    items = "".join(f"<li>{e(line.lstrip('- ').strip())}</li>" for line in summary[2:])
    return "\n".join(
        [
            "<!doctype html>",
            '<html lang="en"><head><meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            "<title>Content report: every response, for clinical review</title>",
            f"<style>{CSS}</style></head><body>",
            "<header><h1>Content report: every response, for clinical review</h1>",
            f'<p class="meta">{e(summary[0])}</p><ul class="summary">{items}</ul>',
            *nav,
            "</header>",
            "<main>",
            *body,
            "</main></body></html>",
            "",
        ]
    )
