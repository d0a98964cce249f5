"""A show with real MP3 episodes for the feed tests, and the three real parsers as oracles."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

from showrunner.synth import Conversation

from .helpers import REPO, SHOW_YAML, Tools, add_episode, make_show, write

PARTYTIME = REPO / "tests" / "js" / "partytime.mjs"

FEED_SHOW_YAML = SHOW_YAML.replace("category: Business\n",
                                   "category: Business\nsubcategory: Entrepreneurship\n")

NOTES_MD = """\
---
episode: E1
title: "First Bake"
---

# E1: First Bake

January 5, 2026

*Why does sourdough need a week to get started?*

This is my conversation with Mary about the first year of a bakery.

- Starting a starter
- Opening before dawn

## Mary's Info:

Mary Chen, founder of Rise and Shine.

<details><summary>Show Transcript</summary>

Jason: Welcome to the show. TRANSCRIPT-MARKER

</details>

- [Download the ebook](https://example.com/ebook)
"""

VTT = "WEBVTT\n\n00:00:00.000 --> 00:00:04.000\n<v Jason Reed>Welcome to the show.\n"
SRT = "1\n00:00:00,000 --> 00:00:04,000\nJason Reed: Welcome to the show.\n"
PC20 = json.dumps({"version": "1.0.0", "segments": [
    {"speaker": "Jason Reed", "startTime": 0.0, "endTime": 4.0, "body": "Welcome to the show."}]})
HTML = "<p><strong>Jason Reed:</strong> Welcome to the show.</p>\n"
CHAPTERS = json.dumps({"version": "1.2.0", "chapters": [{"startTime": 0, "title": "Welcome"}]})


def episode_yaml(title: str, number: int | None, date: str | None, *, audio: str = "episode.mp3",
                 status: str = "released", guests: str = "[mary-chen]", extra: str = "") -> str:
    lines = [f"title: {json.dumps(title)}"]
    if number is not None:
        lines.append(f"number: {number}")
    if date is not None:
        lines.append(f"date: {date}")
    lines += [f"guests: {guests}", f"audio: {audio}", f"status: {status}"]
    return "\n".join(lines) + "\n" + extra


# Far beyond any real today, so "held back until its date" never depends on the clock.
FUTURE = "2099-06-01"


def build_show(root: Path, speech: Conversation) -> Path:
    """Episodes: E1 (numbered title, every linked file, notes), E2 (explicit, no guest), a
    source episode split into two parts of season 2 (the parts are published, the source is
    not), E5 dated later, a draft."""
    assert speech.mp3 is not None
    show = make_show(root, show_yaml=FEED_SHOW_YAML)
    e1 = add_episode(show, "E1", episode_yaml("E1: First Bake", 1, "2026-01-05"),
                     speech.mp3, "episode.mp3")
    write(e1, {"transcript.vtt": VTT, "transcript.srt": SRT, "transcript.pc20.json": PC20,
               "transcript.html": HTML, "chapters.json": CHAPTERS, "notes.md": NOTES_MD})
    add_episode(show, "E2", episode_yaml("Proofing Overnight", 2, "2026-01-12", guests="[]",
                                         extra="explicit: true\n"), speech.mp3, "episode.mp3")
    add_episode(show, "long", episode_yaml("Rising Early", 3, "2026-01-19", audio="raw.mp3",
                                           extra="parts: 2\n"), speech.mp3, "raw.mp3")
    for part in (1, 2):
        series = (f"series: {{name: Rising Early with Mary Chen, part: {part}, of: 2}}\n"
                  "season: 2\n")
        add_episode(show, f"long-{part}",
                    episode_yaml(f"Rising Early – Part {part} of 2", 2 + part,
                                 f"2026-01-{18 + part}", extra=series),
                    speech.mp3, "episode.mp3")
    add_episode(show, "E5", episode_yaml("Later", 5, FUTURE), speech.mp3, "episode.mp3")
    add_episode(show, "E6", episode_yaml("Draft", 6, "2026-01-02", status="draft"),
                speech.mp3, "episode.mp3")
    return show


def partytime(feed: Path) -> Any:
    """podcast-partytime's parseFeed result (None when it rejects the feed)."""
    node = shutil.which("node") or "node"
    env = dict(os.environ, PARTYTIME_LOG="silent", NODE_PATH=str(Tools().node_modules))
    done = subprocess.run([node, str(PARTYTIME), str(feed)], capture_output=True, text=True,
                          env=env, timeout=60, check=True)
    return json.loads(done.stdout)


def podcastparser_parse(feed: Path, url: str = "https://example.com/feed.xml") -> dict[str, Any]:
    import podcastparser

    with open(feed, "rb") as stream:
        return dict(podcastparser.parse(url, stream))


def feedparser_parse(feed: Path) -> Any:
    import feedparser

    return feedparser.parse(feed.read_bytes())
