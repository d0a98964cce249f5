"""`showrunner validate` against the W3C Feed Validator's recorded verdicts.

tests/data/feeds/ holds small feeds, good and broken, and w3c_verdicts.json what the W3C Feed
Validator said about each (recorded by hand: it is on no registry and not vendored; see the
README there). Each feed's "showrunner" part is our expected verdict, with the reason wherever
it differs from W3C's: stricter where Apple or the Podcasting 2.0 namespace asks for more than
W3C knows, more lenient only for the old itunes:explicit spellings.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pytest

from showrunner.config import load_show
from showrunner.feed import publish_feed, validate_feed_bytes
from showrunner.feed.findings import Finding, Report
from showrunner.synth import Conversation, solo_script, speak
from showrunner.synth.speech import HOST_VOICE

from ..feed_fixtures import build_show
from ..helpers import REPO

FEEDS = REPO / "tests" / "data" / "feeds"
TABLE: dict[str, Any] = json.loads((FEEDS / "w3c_verdicts.json").read_text(encoding="utf-8"))
VERDICTS: dict[str, Any] = TABLE["feeds"]

# The feed the code builds (tests/feed_fixtures.py build_show), with fixed episode guids.
BUILT = "showrunner_built.xml"
NOW = dt.datetime(2026, 2, 1, tzinfo=dt.UTC)
GUIDS = {"E1": "0b0f3c4e-5d1a-4c36-9a51-7e2f1d0c0001",
         "E2": "0b0f3c4e-5d1a-4c36-9a51-7e2f1d0c0002",
         "long-1": "0b0f3c4e-5d1a-4c36-9a51-7e2f1d0c0003",
         "long-2": "0b0f3c4e-5d1a-4c36-9a51-7e2f1d0c0004"}

# W3C names an attribute's problem by the attribute, with the element as its parent.
_ATTRIBUTES = {"href", "url", "length", "type", "text"}


def build_recorded_feed(root: Path) -> bytes:
    """The fixture show published as of NOW: the bytes tests/data/feeds/showrunner_built.xml
    was written from (up to the MP3's byte count and seconds, see `_without_mp3_numbers`)."""
    speech = speak(solo_script("Jason Reed"), {"Jason Reed": HOST_VOICE}, mp3=True)
    assert isinstance(speech, Conversation)
    show = build_show(root / "show", speech)
    for episode_id, guid in GUIDS.items():
        with (show / "episodes" / episode_id / "episode.yaml").open("a", encoding="utf-8") as f:
            f.write(f"guid: {guid}\n")
    return publish_feed(load_show(show), now=NOW).path.read_bytes()


def _without_mp3_numbers(feed: bytes) -> bytes:
    # The generated MP3's size and length depend on the local encoder, not on the feed code.
    feed = re.sub(rb' length="\d+"', b' length="BYTES"', feed)
    return re.sub(rb"<itunes:duration>\d+</itunes:duration>",
                  b"<itunes:duration>SECONDS</itunes:duration>", feed)


def _subject(event: dict[str, Any]) -> str:
    """The tag a W3C event is about, as our messages name it (`itunes:explicit`, `enclosure`)."""
    element, parent = event["element"] or "", event["parent"] or ""
    tag = parent if element in _ATTRIBUTES or not element else element
    return tag.replace("_", ":")


def _about(finding: Finding, event: dict[str, Any]) -> bool:
    if event["type"] == "SAXError":
        return "not well-formed XML" in finding.message
    if _subject(event) not in finding.message:
        return False
    # the same place: W3C's parent channel/item is our "the show"/"item N"
    on_item = finding.message.startswith("item ")
    return {"item": on_item, "channel": not on_item}.get(event["parent"], True)


def _report(name: str) -> Report:
    return validate_feed_bytes((FEEDS / name).read_bytes(), source=name)


def test_the_table_covers_every_feed_good_and_bad() -> None:
    assert sorted(VERDICTS) == sorted(p.name for p in FEEDS.glob("*.xml"))
    assert len(VERDICTS) >= 15
    w3c_valid = [not entry["w3c"]["errors"] for entry in VERDICTS.values()]
    assert w3c_valid.count(True) >= 5 and w3c_valid.count(False) >= 10
    assert re.fullmatch(r"[0-9a-f]{40}", TABLE["validator"]["commit"])
    readme = (FEEDS / "README.md").read_text(encoding="utf-8")
    for name, entry in VERDICTS.items():
        assert entry["breaks"], name
        assert isinstance(entry["showrunner"]["valid"], bool), name
        assert f"| `{name}` |" in readme, f"{name} is missing from the README's table"


@pytest.mark.parametrize("name", sorted(VERDICTS))
def test_showrunner_agrees_with_w3c(name: str) -> None:
    entry = VERDICTS[name]
    ours, w3c = entry["showrunner"], entry["w3c"]
    report = _report(name)
    lines = [finding.line() for finding in report.findings]
    # valid vs invalid: W3C's verdict, unless the table says why we differ
    assert (not report.errors) == ours["valid"], lines
    if ours["valid"] != (not w3c["errors"]):
        assert ours.get("differs"), f"{name}: a different verdict needs its reason in the table"
    # every W3C error: a finding of ours about the same tag in the same place; an error, but a
    # warning where the table records us as more lenient (old itunes:explicit spellings)
    level = "warning" if ours.get("lenient") else "error"
    for event in w3c["errors"]:
        assert any(_about(f, event) for f in report.findings if f.level in ("error", level)), \
            (event, lines)


@pytest.mark.clock  # publishes: test_clock runs it again five years ahead
def test_the_built_feed_is_the_one_w3c_passed(tmp_path: Path) -> None:
    recorded = (FEEDS / BUILT).read_bytes()
    assert _without_mp3_numbers(build_recorded_feed(tmp_path)) == _without_mp3_numbers(recorded)
    entry = VERDICTS[BUILT]
    assert entry["w3c"]["errors"] == []
    assert _report(BUILT).findings == ()
    # what was replaced above was a real byte count and duration when W3C saw it
    assert re.findall(rb' length="(\d+)"', recorded) and \
        all(int(n) > 0 for n in re.findall(rb' length="(\d+)"', recorded))
