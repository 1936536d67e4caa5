"""The insights page: one self-contained HTML file, each chart followed by a table
with the same figures (for screen readers, and for copying)."""

import base64
import io
from html import escape
from typing import Callable, List, Sequence, Text

import matplotlib

matplotlib.use("Agg")  # no display; set before pyplot is imported
import matplotlib.pyplot as plt  # noqa: E402

from insights.figures import Figures  # noqa: E402

COLOURS = ["#0b4f8a", "#b3261e", "#2e7d32", "#8a6d00", "#6a3d9a", "#4b5663", "#c2185b", "#00796b"]

CSS = """
body { margin: 0 auto; max-width: 980px; padding: 24px; font: 16px/1.5 system-ui, sans-serif; color: #1b1f24; }
h1 { font-size: 28px; margin: 0 0 4px; }
h2 { font-size: 21px; margin: 36px 0 8px; border-bottom: 2px solid #d3dbe4; padding-bottom: 4px; }
.lede { color: #36404a; margin: 0 0 16px; }
.tiles { display: flex; flex-wrap: wrap; gap: 12px; margin: 16px 0; padding: 0; list-style: none; }
.tiles li { flex: 1 1 150px; padding: 12px 14px; border: 1px solid #d3dbe4; border-radius: 10px; background: #f3f6f9; }
.tiles strong { display: block; font-size: 26px; }
figure { margin: 8px 0 12px; }
figure img { max-width: 100%; height: auto; }
figcaption { color: #4b5663; font-size: 14px; }
table { border-collapse: collapse; margin: 8px 0 16px; font-size: 14.5px; }
caption { text-align: left; font-weight: 600; padding: 4px 0; }
th, td { border: 1px solid #d3dbe4; padding: 4px 10px; text-align: left; vertical-align: top; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
thead th { background: #e6eef7; }
.none { color: #4b5663; font-style: italic; }
"""


def _png(draw: Callable[[plt.Axes], None], width: float = 9, height: float = 3.2) -> Text:
    figure, axes = plt.subplots(figsize=(width, height), dpi=100)
    draw(axes)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    plt.close(figure)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _chart(draw: Callable[[plt.Axes], None], alt: Text, caption: Text, **size: float) -> Text:
    return (
        f'<figure><img src="data:image/png;base64,{_png(draw, **size)}" alt="{escape(alt)}">'
        f"<figcaption>{escape(caption)}</figcaption></figure>"
    )


def _table(caption: Text, headers: Sequence[Text], rows: List[Sequence], numeric: Sequence[int] = ()) -> Text:
    if not rows:
        return f'<p class="none">{escape(caption)}: none in this range.</p>'
    head = "".join(f'<th scope="col">{escape(h)}</th>' for h in headers)
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="n">{escape(str(cell))}</td>' if i in numeric else f"<td>{escape(str(cell))}</td>"
            for i, cell in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    return f"<table><caption>{escape(caption)}</caption><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def percent(share: float) -> Text:
    return f"{100 * share:.1f}%"


def short_id(conversation: Text) -> Text:
    """Enough of the random conversation id to tell conversations apart."""
    return conversation[:8]


def _per_day(f: Figures) -> Text:
    def draw(axes: plt.Axes) -> None:
        x = range(len(f.days))
        axes.bar(
            [i - 0.2 for i in x],
            [f.conversations_per_day[d] for d in f.days],
            0.4,
            label="Conversations",
            color=COLOURS[0],
        )
        axes.bar(
            [i + 0.2 for i in x],
            [f.messages_per_day[d] for d in f.days],
            0.4,
            label="Messages",
            color=COLOURS[2],
        )
        axes.set_xticks(list(x))
        axes.set_xticklabels([d[5:] for d in f.days], rotation=90 if len(f.days) > 14 else 0, fontsize=8)
        axes.yaxis.get_major_locator().set_params(integer=True)
        axes.legend(frameon=False)

    rows = [(d, f.conversations_per_day[d], f.messages_per_day[d]) for d in f.days]
    return _chart(
        draw,
        "Bar chart of conversations and messages per day; the table below has the figures.",
        "Conversations and messages per day (UTC).",
    ) + _table("Conversations and messages per day", ["Day", "Conversations", "Messages"], rows, (1, 2))


def _topics(f: Figures) -> Text:
    topics = list(f.answers_by_topic.items())

    def draw(axes: plt.Axes) -> None:
        axes.barh([t for t, _ in topics][::-1], [n for _, n in topics][::-1], color=COLOURS[0])
        axes.xaxis.get_major_locator().set_params(integer=True)

    chart = (
        _chart(
            draw,
            "Bar chart of answers given per topic; the tables below have the figures.",
            "Answers given, by topic.",
            height=max(1.6, 0.45 * len(topics) + 0.8),
        )
        if topics
        else ""
    )
    return (
        chart
        + _table("Answers by topic", ["Topic", "Answers"], topics, (1,))
        + _table("Answers given, most first", ["Answer", "Times"], list(f.answers.items()), (1,))
    )


def _urgent(f: Figures) -> Text:
    categories = f.urgent_categories
    rows = [(day, category, n) for day, per in f.urgent_per_day.items() for category, n in per.items()]

    def draw(axes: plt.Axes) -> None:
        bottom = [0] * len(f.days)
        for i, category in enumerate(categories):
            values = [f.urgent_per_day.get(d, {}).get(category, 0) for d in f.days]
            axes.bar(
                range(len(f.days)),
                values,
                0.6,
                bottom=bottom,
                label=category,
                color=COLOURS[i % len(COLOURS)],
            )
            bottom = [b + v for b, v in zip(bottom, values)]
        axes.set_xticks(list(range(len(f.days))))
        axes.set_xticklabels([d[5:] for d in f.days], rotation=90 if len(f.days) > 14 else 0, fontsize=8)
        axes.yaxis.get_major_locator().set_params(integer=True)
        axes.legend(frameon=False, fontsize=8)

    chart = (
        _chart(
            draw,
            "Stacked bar chart of urgent replies per day by category; the table below has the figures.",
            "Urgent replies per day, by category (UTC).",
        )
        if rows
        else ""
    )
    return chart + _table("Urgent replies per day and category", ["Day", "Category", "Replies"], rows, (2,))


def _helpfulness(f: Figures) -> Text:
    shown = f.helpfulness[:15]

    def draw(axes: plt.Axes) -> None:
        names = [h.answer[len("utter_") :] for h in shown][::-1]
        axes.barh(names, [h.up for h in shown][::-1], color=COLOURS[2], label="Helpful")
        axes.barh(
            names,
            [h.down for h in shown][::-1],
            left=[h.up for h in shown][::-1],
            color=COLOURS[1],
            label="Not helpful",
        )
        axes.xaxis.get_major_locator().set_params(integer=True)
        axes.tick_params(axis="y", labelsize=8)
        axes.legend(frameon=False, fontsize=8)

    chart = (
        _chart(
            draw,
            "Bar chart of helpful and not helpful votes per answer, worst first; the table below has the figures.",
            "Votes per answer, worst first (at most 15 shown).",
            height=max(1.6, 0.4 * len(shown) + 0.9),
        )
        if shown
        else ""
    )
    rows = [(h.answer, h.up, h.down, percent(h.helpful_share)) for h in f.helpfulness]
    note = (
        f"<p>{f.votes_without_answer} vote(s) came before any answer and are not counted above.</p>"
        if f.votes_without_answer
        else ""
    )
    return (
        chart
        + _table(
            "Helpfulness per answer, worst first",
            ["Answer", "Helpful", "Not helpful", "Helpful share"],
            rows,
            (1, 2, 3),
        )
        + note
    )


def render(f: Figures, since: Text, until: Text, source: Text) -> Text:
    """The whole page."""
    tiles = [
        ("Conversations", f.conversations),
        ("Messages", f.messages),
        ("Fallback rate", percent(f.fallback_rate)),
        ("Abstain rate", percent(f.abstain_rate)),
        ("Urgent replies", sum(sum(per.values()) for per in f.urgent_per_day.values())),
    ]
    inbox = [(u.day, short_id(u.conversation), u.reply, u.text) for u in f.unanswered]
    sections = [
        "<h2>Conversations and messages</h2>",
        _per_day(f),
        "<h2>Answers by topic</h2>",
        _topics(f),
        "<h2>Not understood or declined</h2>",
        _table(
            "Fallback and abstain",
            ["Figure", "Messages", "Share of messages"],
            [
                ("Fallback (not understood)", f.fallback, percent(f.fallback_rate)),
                (
                    "Abstain (declined: off-topic or no checked information)",
                    f.abstain,
                    percent(f.abstain_rate),
                ),
            ],
            (1, 2),
        ),
        "<h2>Urgent replies</h2>",
        _urgent(f),
        "<h2>Helpfulness per answer</h2>",
        _helpfulness(f),
        "<h2>Questions the assistant could not answer</h2>",
        "<p>The content team's inbox: each message that got the fallback or a declining reply, "
        "as stored (e-mail addresses and phone numbers already replaced).</p>",
        _table(
            "Questions the assistant could not answer", ["Day", "Conversation", "Reply", "Message"], inbox
        ),
    ]
    tile_html = "".join(
        f"<li>{escape(name)}<strong>{escape(str(value))}</strong></li>" for name, value in tiles
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Assistant insights, {escape(since)} to {escape(until)}</title><style>{CSS}</style></head>
<body><main>
<h1>Assistant insights</h1>
<p class="lede">{escape(since)} to {escape(until)} (UTC days), read-only from {escape(source)}.
Messages are what people sent, votes not included. Conversations appear only by the first 8
characters of their random id; texts are as stored, with contact details replaced.</p>
<ul class="tiles">{tile_html}</ul>
{"".join(sections)}
</main></body></html>
"""
