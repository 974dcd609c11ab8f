"""No debug text in what a reader sees, AA contrast for verdict colours, a skip link, and
plotly configured without its cloud ("Share chart") button.

The visible text is the rendered page's text nodes outside <script>/<style>/<head>, both
languages, of the bundled thesis run offline on the real shared data.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from importlib import resources

from narrowgate.evaluate.scorecard import Scorecard
from narrowgate.report.html import code_spans, render_report_html

DEBUG_TEXT = {
    "python repr": re.compile(r"\{'[^']*': |\['[^']*'[,\]]|\{\}|\[\]"),
    "module path": re.compile(r"\bnarrowgate\.[a-z_]+"),
    "issue number": re.compile(r"issue ?#", re.IGNORECASE),
    "backtick": re.compile("`"),
    "machine path": re.compile(r"(?<![\w.:/])/(?:home|tmp|work|Users|root|usr|var|opt|mnt|srv)/"
                               r"|\b[A-Z]:\\"),
}
VERDICT_VARS = ("supported", "contradicted", "mixed", "pending", "insufficient-data",
                "qualitative")


class _VisibleText(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hidden = 0
        self.texts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "head"):
            self.hidden += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "head"):
            self.hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self.hidden and data.strip():
            self.texts.append(data.strip())


def visible_texts(page: str) -> list[str]:
    parser = _VisibleText()
    parser.feed(page)
    return parser.texts


def test_bundled_report_shows_no_debug_text(bundled_scorecard: Scorecard) -> None:
    assert bundled_scorecard.warnings  # the offline run's data gaps are in the page too
    texts = visible_texts(render_report_html(bundled_scorecard, "zh"))
    assert len(texts) > 1000
    for what, pattern in DEBUG_TEXT.items():
        hits = [t for t in texts if pattern.search(t)]
        assert hits == [], f"{what}: {hits[:3]}"


def test_commands_in_warnings_show_as_code_not_backticks() -> None:
    shown = code_spans("x: missing — run `narrowgate data pull us:X <a>` or `b`")
    assert str(shown) == ("x: missing — run <code>narrowgate data pull us:X &lt;a&gt;</code> or "
                          "<code>b</code>")
    assert str(code_spans("odd ` one <b>")) == "odd &#39; one &lt;b&gt;"


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    """WCAG 2 contrast ratio of two #rrggbb colours."""
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_verdict_colours_meet_wcag_aa() -> None:
    css = (resources.files("narrowgate.report") / "static" / "report.css").read_text()
    colours = dict(re.findall(r"--([a-z-]+):\s*(#[0-9a-fA-F]{6})\b", css))
    assert round(contrast("#b26b00", "#ffffff"), 1) == 4.2  # the old amber failed
    for name in VERDICT_VARS:
        # as text on the page and on cards, and behind the white text of badges
        for ground in (colours["paper"], colours["ground"], "#ffffff"):
            assert contrast(colours[name], ground) >= 4.5, (name, ground)


def test_skip_link_leads_to_main(sample_scorecard: Scorecard) -> None:
    page = render_report_html(sample_scorecard, "en")
    body = page[page.index("<body>"):]
    first_link = re.search(r"<a [^>]*>", body)
    assert first_link is not None and 'class="skip-link" href="#main"' in first_link.group(0)
    assert '<main id="main"' in page


def test_plotly_has_no_cloud_or_network_feature() -> None:
    script = (resources.files("narrowgate.report") / "static" / "report.js").read_text()
    config = script[script.index("var CONFIG"):script.index("};", script.index("var CONFIG"))]
    assert "displaylogo: false" in config
    assert "showSendToCloud: false" in config  # plotly.js 4 defaults it to true
    assert '"sendChartToCloud"' in config
    assert 'plotlyServerURL: ""' in config
    assert "showLink" not in config and "sendData:" not in config
