"""The Podcasting 2.0 tags hosts ask for (soundbite, txt, podroll, image, podping, funding,
license) and the analytics prefix, from show.yaml, episode.yaml and notes.md to what apps read.

Oracles: podcast-partytime (Podcast Index) for every tag it knows; it does not know
podcast:image or podcast:podping (5.0.0, the latest), so feedparser reads those two.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from showrunner.config import load_show
from showrunner.feed import publish_feed, validate_feed_bytes, validate_feed_file
from showrunner.podcast_tags import prefixed, unprefixed
from showrunner.synth import Conversation, solo_script, speak
from showrunner.synth.speech import HOST_VOICE

from ..feed_fixtures import build_show, feedparser_parse, partytime, podcastparser_parse
from ..helpers import assert_one_line_error, run

# Dates matter here: test_clock runs these again with the clock five years ahead.
pytestmark = pytest.mark.clock

FEB = dt.datetime(2026, 2, 1, tzinfo=dt.UTC)
PUBLISHED = 4  # E1, E2, long-1, long-2 (see feed_fixtures.build_show)
ROLL_GUID = "917393e3-1b1e-5cef-ace4-edaa54e1f810"
SHOW_TAGS = f"""\
podping: true
license: cc-by-4.0
txt:
  - {{purpose: applepodcastsverify, text: "ap-05124"}}
podroll:
  - {{feed_guid: {ROLL_GUID}, feed_url: "https://feeds.podcastindex.org/pc20.xml",
     title: Podcasting 2.0}}
images:
  - {{href: "https://example.com/wide.jpg", alt: The kitchen, aspect_ratio: 16/9,
     width: 1920, purpose: social}}
"""
FUNDING_CTA = '  - {text: Support the show, url: "https://example.com/support", funding: true}\n'
EPISODE_TAGS = ('license: my-show-licence\nlicense_url: "https://example.com/licence"\n'
                'txt: [{text: "release-42"}]\nimages: [{href: "https://example.com/e1.jpg"}]\n')
SOUNDBITE = 'soundbite: {"start": 12.5, "duration": 20, "title": "Why a starter needs a week"}\n'
OP3 = "https://op3.dev/e/"


@pytest.fixture(scope="module")
def speech() -> Conversation:
    return speak(solo_script("Jason Reed"), {"Jason Reed": HOST_VOICE}, mp3=True)


def _tagged(root: Path, speech: Conversation, *, prefix: str | None = None) -> Path:
    """The feed fixture show with every new tag set (and the analytics prefix, if given)."""
    show = build_show(root, speech)
    text = (show / "show.yaml").read_text(encoding="utf-8")
    text = text.replace("transcription:", FUNDING_CTA.rstrip("\n") + "\ntranscription:", 1)
    text += SHOW_TAGS + (f"analytics_prefix: {prefix}\n" if prefix else "")
    (show / "show.yaml").write_text(text, encoding="utf-8")
    e1 = show / "episodes" / "E1"
    with open(e1 / "episode.yaml", "a", encoding="utf-8") as stream:
        stream.write(EPISODE_TAGS)
    notes = (e1 / "notes.md").read_text(encoding="utf-8")
    (e1 / "notes.md").write_text(notes.replace("---\n", "---\n" + SOUNDBITE, 1),
                                 encoding="utf-8")
    return show


@pytest.fixture(scope="module")
def tagged(tmp_path_factory: pytest.TempPathFactory, speech: Conversation) -> Path:
    show = _tagged(tmp_path_factory.mktemp("tags") / "show", speech)
    publish_feed(load_show(show), now=FEB)
    return show


def _first(feed: dict) -> dict:  # type: ignore[type-arg]
    return next(i for i in feed["items"] if i["title"] == "First Bake")


def test_partytime_reads_the_new_tags(tagged: Path) -> None:
    feed = partytime(tagged / "public" / "feed.xml")
    assert feed["podcastTxt"] == [{"value": "ap-05124", "purpose": "applepodcastsverify"}]
    assert feed["podroll"] == [{"feedGuid": ROLL_GUID, "title": "Podcasting 2.0",
                                "feedUrl": "https://feeds.podcastindex.org/pc20.xml"}]
    assert feed["podcastFunding"] == [{"message": "Support the show",
                                       "url": "https://example.com/support"}]
    assert feed["license"]["identifier"] == "cc-by-4.0"
    first = _first(feed)
    assert first["podcastSoundbites"] == [{"startTime": 12.5, "duration": 20,
                                           "title": "Why a starter needs a week"}]
    assert first["podcastTxt"] == [{"value": "release-42"}]
    assert first["license"] == {"identifier": "my-show-licence",
                                "url": "https://example.com/licence"}
    assert len(feed["items"]) == PUBLISHED
    assert all("podcastSoundbites" not in i for i in feed["items"] if i is not first)
    # Known limit: partytime 5.0.0 (the latest) reads neither podcast:image nor
    # podcast:podping; asserted so that support is noticed. feedparser reads both below.
    assert "podping" not in feed and "podcastImages" not in feed


def test_feedparser_and_podcastparser_still_read_every_item(tagged: Path) -> None:
    parsed = feedparser_parse(tagged / "public" / "feed.xml")
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert len(parsed.entries) == PUBLISHED
    assert all(e.enclosures and e.id for e in parsed.entries)
    assert parsed.feed.podcast_podping == {"usespodping": "true"}
    assert parsed.feed.podcast_image["href"] == "https://example.com/wide.jpg"
    assert parsed.feed.podcast_image["aspect-ratio"] == "16/9"
    first = next(e for e in parsed.entries if e.title == "First Bake")
    assert first.podcast_image == {"href": "https://example.com/e1.jpg"}
    episodes = podcastparser_parse(tagged / "public" / "feed.xml")["episodes"]
    assert len(episodes) == PUBLISHED
    assert all(e["enclosures"][0]["file_size"] > 0 for e in episodes)


def test_the_tagged_feed_passes_validation(tagged: Path) -> None:
    report = validate_feed_file(tagged / "public" / "feed.xml")
    assert report.errors == () and report.warnings == (), report.findings


def test_an_all_digit_txt_is_published_with_a_warning(tmp_path: Path,
                                                       speech: Conversation) -> None:
    # fast-xml-parser under partytime turns "05124" into the number 5124 and the tag is lost;
    # the feed still goes out (Apple reads it), and the build says why apps may not.
    show = _tagged(tmp_path / "show", speech)
    yaml = show / "show.yaml"
    yaml.write_text(yaml.read_text(encoding="utf-8").replace('"ap-05124"', '"05124"'),
                    encoding="utf-8")
    result = publish_feed(load_show(show), now=FEB)
    assert any("'05124' is all digits" in w for w in result.warnings), result.warnings
    assert "podcastTxt" not in partytime(result.path)


def test_analytics_prefix_only_on_feed_enclosures(tmp_path: Path, speech: Conversation) -> None:
    show = _tagged(tmp_path / "show", speech, prefix=OP3)
    publish_feed(load_show(show), now=FEB)
    public = show / "public"
    text = (public / "feed.xml").read_text(encoding="utf-8")
    urls = re.findall(r'<enclosure url="([^"]+)"', text)
    assert len(urls) == PUBLISHED
    for url in urls:  # OP3's documented form: prefix + the URL without https://
        assert re.fullmatch(r"https://op3\.dev/e/example\.com/episodes/[\w-]+/episode\.mp3", url)
    # Nothing else points through the prefix: transcripts, chapters, artwork, links.
    assert text.count("op3.dev") == PUBLISHED
    parsed = partytime(public / "feed.xml")
    assert sorted(i["enclosure"]["url"] for i in parsed["items"]) == sorted(urls)
    for episode_id in ("E1", "E2", "long-1", "long-2"):
        copy = public / "episodes" / episode_id / "episode.mp3"
        assert copy.read_bytes() == (show / "episodes" / episode_id / "episode.mp3").read_bytes()
    assert not any("op3" in p.name for p in public.rglob("*"))
    # The episode page plays and links the file itself, never through the prefix.
    assert run(["render", "E1"], show).exit_code == 0
    page = (public / "episodes" / "E1" / "index.html").read_text(encoding="utf-8")
    assert "op3.dev" not in page
    assert "https://example.com/episodes/E1/episode.mp3" in page


def test_podtrac_prefix_form(tmp_path: Path, speech: Conversation) -> None:
    show = _tagged(tmp_path / "show", speech, prefix="https://dts.podtrac.com/redirect.mp3/")
    publish_feed(load_show(show), now=FEB)
    feed = partytime(show / "public" / "feed.xml")
    assert _first(feed)["enclosure"]["url"] == \
        "https://dts.podtrac.com/redirect.mp3/example.com/episodes/E1/episode.mp3"


SHOW_ERRORS = [
    ("analytics_prefix: op3.dev/e/\n", "analytics_prefix", "https://op3.dev/e/"),
    ("analytics_prefix: https://op3.dev/e\n", "does not end in '/'", "https://op3.dev/e/"),
    ("analytics_prefix: https://op3.dev/e/?x=1\n", "query", "ending in '/'"),
    ("podroll: [{feed_guid: not-a-guid}]\n", "podroll[0].feed_guid", "36-character"),
    ("podroll: [{title: Missing guid}]\n", "podroll[0].feed_guid", "add it"),
    ("images: [{href: \"https://example.com/a.jpg\", aspect_ratio: wide}]\n",
     "images[0].aspect_ratio", "16/9"),
    ("txt: [{purpose: verify}]\n", "txt[0].text", "add it"),
    ("license: Creative Commons\n", "'license'", "cc-by-4.0"),
    ("license_url: \"https://example.com/l\"\n", "license_url", "license:"),
    ("podping: sometimes\n", "podping", "true or false"),
]


@pytest.mark.parametrize(("line", "named", "fix"), SHOW_ERRORS, ids=lambda v: str(v)[:24])
def test_bad_show_setting_is_one_line_naming_show_yaml(tmp_path: Path, speech: Conversation,
                                                       line: str, named: str, fix: str) -> None:
    show = build_show(tmp_path / "show", speech)
    with open(show / "show.yaml", "a", encoding="utf-8") as stream:
        stream.write(line)
    message = assert_one_line_error(run(["feed", "--now", "2026-02-01"], show),
                                    "show.yaml", named, fix)
    assert not (show / "public" / "feed.xml").exists(), message


def test_long_funding_text_and_bad_episode_tags_name_their_file(tmp_path: Path,
                                                                speech: Conversation) -> None:
    show = build_show(tmp_path / "show", speech)
    with open(show / "episodes" / "E2" / "episode.yaml", "a", encoding="utf-8") as stream:
        stream.write("images: [{href: \"https://example.com/a.jpg\", type: jpeg}]\n")
    assert_one_line_error(run(["feed", "--now", "2026-02-01"], show),
                          "episode.yaml", "images[0].type", "image/jpeg")
    show2 = build_show(tmp_path / "show2", speech)
    text = (show2 / "show.yaml").read_text(encoding="utf-8").replace(
        "transcription:", f"  - {{text: {'x' * 130}, url: \"https://e.com\", funding: true}}\n"
                          "transcription:", 1)
    (show2 / "show.yaml").write_text(text, encoding="utf-8")
    assert_one_line_error(run(["feed", "--now", "2026-02-01"], show2),
                          "show.yaml", "calls_to_action[2].text", "128")


@pytest.mark.parametrize(("soundbite", "named"), [
    ('soundbite: {"start": 10}', "needs a start and a duration"),
    ('soundbite: {"start": "ten", "duration": 20}', "numbers of seconds"),
    ('soundbite: {"start": 10, "duration": 9000}', "after the episode's end"),
    ('soundbite: {"start": 10, "duration": 20, "titel": "x"}', "unknown key 'titel'"),
])
def test_malformed_soundbite_names_notes_md(tmp_path: Path, speech: Conversation,
                                            soundbite: str, named: str) -> None:
    show = build_show(tmp_path / "show", speech)
    notes = show / "episodes" / "E1" / "notes.md"
    notes.write_text(notes.read_text(encoding="utf-8").replace("---\n", f"---\n{soundbite}\n", 1),
                     encoding="utf-8")
    assert_one_line_error(run(["feed", "--now", "2026-02-01"], show),
                          "notes.md", named, "soundbite: null")


def test_soundbite_removed_by_the_host_is_not_published(tmp_path: Path,
                                                        speech: Conversation) -> None:
    show = _tagged(tmp_path / "show", speech)
    notes = show / "episodes" / "E1" / "notes.md"
    notes.write_text(notes.read_text(encoding="utf-8").replace(SOUNDBITE, "soundbite: null\n"),
                     encoding="utf-8")
    publish_feed(load_show(show), now=FEB)
    assert "podcastSoundbites" not in _first(partytime(show / "public" / "feed.xml"))


# ---------------------------------------------------------------- `showrunner validate`

SOUNDBITE_XML = '<podcast:soundbite startTime="12.5" duration="20.0">'
MALFORMED: dict[str, tuple[str, str, str, str]] = {
    # case: (old, new, level, words)
    "soundbite without duration": (SOUNDBITE_XML, '<podcast:soundbite startTime="12.5">',
                                   "error", "needs startTime and duration"),
    "soundbite in clock form": (SOUNDBITE_XML,
                                '<podcast:soundbite startTime="00:12" duration="20.0">',
                                "error", "are not seconds"),
    "soundbite of no length": (SOUNDBITE_XML, '<podcast:soundbite startTime="12.5" '
                               'duration="0">', "error", "must be above 0"),
    "soundbite of 10 s": (SOUNDBITE_XML, '<podcast:soundbite startTime="12.5" '
                          'duration="10">', "warning", "recommends 15 to 120 s"),
    "soundbite past the end": (SOUNDBITE_XML, '<podcast:soundbite startTime="60" '
                               'duration="30">', "error", "after the episode's <itunes:duration>"),
    "soundbite at 0": (SOUNDBITE_XML, '<podcast:soundbite startTime="0" duration="20.0">',
                       "warning", "partytime drops a soundbite that starts at 0"),
    "empty txt": ('<podcast:txt>release-42</podcast:txt>', "<podcast:txt> </podcast:txt>",
                  "error", "a <podcast:txt> is empty"),
    "podroll guid": (f'feedGuid="{ROLL_GUID}"', 'feedGuid="pc20"', "error",
                     "is not a podcast:guid"),
    "empty podroll": ("<podcast:remoteItem ", "<podcast:notRemoteItem ", "error",
                      "holds no <podcast:remoteItem>"),
    "image without href": ('<podcast:image href="https://example.com/e1.jpg"/>',
                           '<podcast:image alt="x"/>', "error", "a <podcast:image> has no href"),
    "image relative": ('href="https://example.com/wide.jpg"', 'href="wide.jpg"', "error",
                       "is not a full http(s) URL"),
    "image width": ('width="1920"', 'width="wide"', "error", "is not a whole number"),
    "podping maybe": ('usesPodping="true"', 'usesPodping="maybe"', "error",
                      "must be true or false"),
    "two podpings": ('<podcast:podping usesPodping="true"/>',
                     '<podcast:podping usesPodping="true"/><podcast:podping usesPodping="true"/>',
                     "error", "<podcast:podping> appears more than once"),
    "funding without url": ('<podcast:funding url="https://example.com/support">',
                            "<podcast:funding>", "error", "a <podcast:funding> has no url"),
    "license with spaces": ("<podcast:license>cc-by-4.0<", "<podcast:license>CC BY 4.0<",
                            "error", "is not a licence identifier"),
    "two licenses": ("<podcast:license>cc-by-4.0</podcast:license>",
                     "<podcast:license>cc-by-4.0</podcast:license>"
                     "<podcast:license>cc0-1.0</podcast:license>", "error",
                     "2 <podcast:license> tags"),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_validate_finds_malformed_tags(tagged: Path, case: str) -> None:
    old, new, level, words = MALFORMED[case]
    good = (tagged / "public" / "feed.xml").read_text(encoding="utf-8")
    assert old in good, old
    report = validate_feed_bytes(good.replace(old, new, 1).encode("utf-8"))
    lines = [finding.line() for finding in report.findings]
    assert any(line.startswith(f"{level}: ") and words in line for line in lines), lines
    if level == "warning":
        assert report.errors == (), lines


@pytest.mark.parametrize(("prefix", "url", "expected"), [
    (OP3, "https://example.com/ep.mp3", "https://op3.dev/e/example.com/ep.mp3"),
    # OP3's form for a plain-http file keeps the scheme (op3's own computeChainEstimate tests)
    (OP3, "http://example.com/ep.mp3", "https://op3.dev/e/http://example.com/ep.mp3"),
    ("https://dts.podtrac.com/redirect.mp3/", "https://www.mysite.com/ep051215.mp3",
     "https://dts.podtrac.com/redirect.mp3/www.mysite.com/ep051215.mp3"),
    # a chain, as hosts document it: each further prefix without its scheme
    ("https://op3.dev/e/dts.podtrac.com/redirect.mp3/", "https://a.com/ep.mp3",
     "https://op3.dev/e/dts.podtrac.com/redirect.mp3/a.com/ep.mp3"),
    (None, "https://example.com/ep.mp3", "https://example.com/ep.mp3"),
])
def test_prefixed_and_back(prefix: str | None, url: str, expected: str) -> None:
    assert prefixed(prefix, url) == expected
    assert unprefixed(prefix, expected) == url
