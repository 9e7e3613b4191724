"""The timeline page in a real browser: headless Chromium draws the seed's gold events.

Runs the real pipeline over a copy of the seed article, renders the page, and reads the
DOM Chromium built (so the page's JavaScript ran), then saves a screenshot. Skips without
Chromium, except in CI (CI=true), where a missing browser is a failure.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from datetime import date, datetime
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote

import pytest

from pipelines.publish.data import read_timeline
from pipelines.publish.formats import export_timeline

from .conftest import ROWS, build_timeline_db

pytestmark = pytest.mark.browser

ARTIFACTS = Path(os.environ.get("TIMELINE_ARTIFACTS", Path(__file__).parent / "artifacts"))
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--hide-scrollbars", "--window-size=1400,1200", "--virtual-time-budget=5000"]


def _chromium() -> str:
    for candidate in (os.environ.get("CHROMIUM"), "chromium", "chromium-browser", "google-chrome",
                      "/usr/bin/chromium"):
        if candidate and (path := shutil.which(candidate)):
            return path
    message = "Chromium not found: install Debian's chromium package (or set CHROMIUM=/path/to/chrome)"
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"CI=true but {message}; .ci/run installs it")
    pytest.skip(message)


def _run_chromium(args: list[str], profile: Path) -> subprocess.CompletedProcess:
    chromium = _chromium()
    return subprocess.run([chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
                          capture_output=True, text=True, timeout=180, check=False)


class _Elements(HTMLParser):
    """Every element with a data-event-id, as (tag, attributes, text inside it)."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[dict] = []
        self._open: list[dict] = []

    def handle_starttag(self, tag, attrs):
        attributes = {k: v or "" for k, v in attrs}
        if "data-event-id" in attributes:
            item = {"tag": tag, "attrs": attributes, "text": "", "depth": 0}
            self.found.append(item)
            self._open.append(item)
        for item in self._open:
            item["depth"] += 1

    def handle_endtag(self, tag):
        for item in self._open:
            item["depth"] -= 1
        self._open = [i for i in self._open if i["depth"] > 0]

    def handle_data(self, data):
        for item in self._open:
            item["text"] += data


@pytest.fixture(scope="module")
def page(seeded) -> Path:
    _chromium()  # skip before any work when there is no browser
    out = seeded.root / "timeline.html"
    export_timeline(seeded.db, out, "html", title="種子文章時間線")
    return out


def _dom(page: Path, tmp_path: Path, fragment: str = "") -> list[dict]:
    result = _run_chromium(["--dump-dom", page.resolve().as_uri() + fragment], tmp_path / "profile")
    assert result.returncode == 0, result.stderr[-2000:]
    assert "timeline-data" in result.stdout, "Chromium returned no page"
    parser = _Elements()
    parser.feed(result.stdout)
    return parser.found


def test_gold_events_are_drawn(seeded, gold, page, tmp_path, matches_gold):
    rows = read_timeline(seeded.db)
    elements = _dom(page, tmp_path)
    drawn = {e["attrs"]["data-event-id"]: e for e in elements
             if "event" in e["attrs"].get("class", "").split()}
    assert len(drawn) == len(rows), "every timeline row is one .event element"
    for event in gold["events"]:
        candidates = [r for r in rows if matches_gold(r, event)]
        assert candidates, f"no timeline row for gold event {event['key']}"
        on_page = [r for r in candidates if r["event_id"] in drawn]
        assert on_page, f"gold event {event['key']} is not drawn"
        element = drawn[on_page[0]["event_id"]]
        assert element["attrs"]["data-event-type"] == on_page[0]["event_type"]
        assert element["text"].strip() == on_page[0]["headline"]
        expected = "true" if event["granularity"] != "day" else "false"
        assert element["attrs"]["data-uncertain"] == expected, event["key"]


def test_selected_event_shows_evidence_and_source(seeded, gold, page, tmp_path, matches_gold):
    rows = read_timeline(seeded.db)
    plenum = next(e for e in gold["events"] if e["key"] == "ninth_plenum")
    row = next(r for r in rows if matches_gold(r, plenum))
    # #event=<id> runs the same select() a click does.
    elements = _dom(page, tmp_path, "#event=" + quote(row["event_id"]))
    details = [e for e in elements if e["tag"] == "aside"]
    assert details, "the details panel did not open"
    text = details[0]["text"]
    assert plenum["evidence_contains"] in text
    assert "來源：" in text and row["source"] in text
    assert "2020年（日期不詳）" in text


def test_screenshot(page, tmp_path):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / "timeline_page.png"
    shot.unlink(missing_ok=True)
    result = _run_chromium([f"--screenshot={shot}", page.resolve().as_uri()], tmp_path / "profile")
    assert result.returncode == 0, result.stderr[-2000:]
    data = shot.read_bytes()
    assert data.startswith(b"\x89PNG") and len(data) > 20_000
    print(f"screenshot: {shot}")


# The page inside an iframe of the width under test (headless Chromium will not make a
# window narrower than 500 px), measured by the browser after the page's script ran.
_PROBE = """<!DOCTYPE html><html><body style="margin:0">
<iframe id="page" style="width:{width}px;height:1000px;border:0" srcdoc="{page}"></iframe>
<script>
var frame = document.getElementById("page");
frame.addEventListener("load", function () {{ setTimeout(function () {{
  var win = frame.contentWindow, doc = win.document;
  var overflowing = Array.prototype.filter.call(doc.querySelectorAll("body *"), function (e) {{
    return !e.closest(".chart") && e.getBoundingClientRect().right > win.innerWidth + 1;
  }}).slice(0, 5).map(function (e) {{ return e.tagName + "." + e.className; }});
  document.body.setAttribute("data-probe", JSON.stringify({{
    scrollWidth: doc.documentElement.scrollWidth, innerWidth: win.innerWidth,
    title: doc.title, h1: doc.querySelector("h1").textContent,
    drawn: doc.querySelectorAll(".event[data-event-id]").length, overflowing: overflowing}}));
}}, 300); }});
</script></body></html>"""


# What made the page scroll sideways on a phone: a date range over years (its cell did
# not wrap), long places and headlines, many types.
_LONG_ROW = ("e_long", date(2012, 1, 1), date(2022, 8, 30), "range", "inherited", "crime", "案件",
             "筠連縣公安局通報巡司鎮燒烤店發生尋釁滋事暴力毆打他人案件的偵辦進展及後續處理情況",
             "四川省宜賓市筠連縣巡司鎮川紅小鎮", ["筠連縣公安局刑事偵查大隊", "筠連縣人民檢察院"], None, "2012年",
             "2012年以來，筠連縣公安局通報巡司鎮燒烤店發生尋釁滋事暴力毆打他人案件的偵辦進展及後續處理情況。",
             0, 50, "d9", "四川日報", "筠連縣通報", datetime(2022, 8, 30), 3, ["d9"], ["e_long"], ["四川日報"], "crime")


@pytest.fixture(scope="module")
def story_page(tmp_path_factory) -> Path:
    _chromium()
    root = tmp_path_factory.mktemp("story")
    db = build_timeline_db(root / "timeline.duckdb", [*ROWS, _LONG_ROW])
    out = root / "story.html"
    export_timeline(db, out, "html", search="筠連縣")
    return out


def _probe(page: Path, width: int, tmp_path: Path, shot: str) -> dict:
    import html
    import json
    import re

    wrapper = tmp_path / f"probe_{width}.html"
    wrapper.write_text(_PROBE.format(width=width, page=html.escape(page.read_text("utf-8"), quote=True)), "utf-8")
    window = [f"--window-size={max(width, 500)},1000"]
    result = _run_chromium([*window, "--dump-dom", wrapper.resolve().as_uri()], tmp_path / "profile")
    assert result.returncode == 0, result.stderr[-2000:]
    found = re.search(r'data-probe="([^"]*)"', result.stdout)
    assert found, "the probe did not run"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    _run_chromium([*window, f"--screenshot={ARTIFACTS / shot}", wrapper.resolve().as_uri()], tmp_path / "profile")
    return json.loads(html.unescape(found.group(1)))


@pytest.mark.parametrize("width", [400, 1400])
def test_story_page_fits_the_screen(story_page, tmp_path, width):
    probe = _probe(story_page, width, tmp_path, f"story_page_{width}.png")
    assert probe["innerWidth"] == width
    assert probe["scrollWidth"] <= probe["innerWidth"], probe["overflowing"]
    assert probe["title"] == probe["h1"] == "筠連縣：時間線"
    matching = len(read_timeline(story_page.parent / "timeline.duckdb", "筠連縣"))
    assert probe["drawn"] == matching >= 4
