"""`showrunner validate`: a table of broken feeds, each found; a good feed passes clean.

Each case breaks one thing in a feed that `showrunner feed` published (so the rest is valid),
the way real feeds break; the expected finding is named by its level and words.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from showrunner.config import load_show
from showrunner.feed import publish_feed, validate_feed_bytes, validate_feed_file
from showrunner.synth import Conversation, solo_script, speak
from showrunner.synth.speech import HOST_VOICE

from ..feed_fixtures import build_show, podcastparser_parse
from ..helpers import assert_one_line_error, run

# Dates matter here: test_clock runs these again with the clock five years ahead.
pytestmark = pytest.mark.clock

Edit = Callable[[str], str]


@pytest.fixture(scope="module")
def good_feed(tmp_path_factory: pytest.TempPathFactory) -> str:
    speech = speak(solo_script("Jason Reed"), {"Jason Reed": HOST_VOICE}, mp3=True)
    assert isinstance(speech, Conversation)
    show = build_show(tmp_path_factory.mktemp("validate") / "show", speech)
    result = publish_feed(load_show(show), now=dt.datetime(2026, 2, 1, tzinfo=dt.UTC))
    return result.path.read_text(encoding="utf-8")


def once(old: str, new: str) -> Edit:
    def edit(text: str) -> str:
        assert old in text, old
        return text.replace(old, new, 1)
    return edit


def once_re(pattern: str, new: str) -> Edit:
    def edit(text: str) -> str:
        changed, count = re.subn(pattern, new, text, count=1)
        assert count == 1, pattern
        return changed
    return edit


def duplicate_guid(text: str) -> str:
    first, second = re.findall(r'<guid isPermaLink="false">([^<]+)</guid>', text)[:2]
    return text.replace(second, first)


def duplicate_enclosure(text: str) -> str:
    return text.replace("episodes/E2/episode.mp3", "episodes/E1/episode.mp3")


BROKEN: dict[str, tuple[Edit, str, str]] = {
    # the table
    "missing enclosure length": (once_re(r' length="\d+"', ""), "error", "no length"),
    "bad pubDate": (once_re(r"<pubDate>[^<]+</pubDate>\s*<itunes:duration>",
                            "<pubDate>Mon, 45 Foo 2024 99:00:00</pubDate><itunes:duration>"),
                    "error", "not an RFC 2822 date"),
    "explicit maybe": (once("<itunes:explicit>false</itunes:explicit>\n    <item>",
                            "<itunes:explicit>maybe</itunes:explicit>\n    <item>"),
                       "error", "'maybe' is not true or false"),
    "duplicate guid": (duplicate_guid, "error", "is also used by item 1"),
    "unescaped &": (once("<title>First Bake</title>", "<title>Bread & Butter</title>"),
                    "error", "not well-formed XML"),
    ".jpeg artwork": (once('<itunes:image href="https://example.com/artwork.jpg"/>',
                           '<itunes:image href="https://example.com/artwork.jpeg"/>'),
                      "error", "must end in .jpg or .png"),
    "blank person": (once(">Mary Chen</podcast:person>", ">  </podcast:person>"),
                     "error", "blank name"),
    "non-UUID podcast:guid": (once_re(r"<podcast:guid>[^<]+</podcast:guid>",
                                      "<podcast:guid>not-a-uuid</podcast:guid>"),
                              "error", "'not-a-uuid' is not a UUID"),
    # more ways real feeds break
    "enclosure length None": (once_re(r'length="\d+"', 'length="None"'), "error",
                              "'None' is not a byte count"),
    "no enclosure": (once_re(r"<enclosure [^>]+/>", ""), "error", "has no <enclosure>"),
    "no guid": (once_re(r'<guid isPermaLink="false">[^<]+</guid>', ""), "error",
                "has no <guid>"),
    "duplicate enclosure url": (duplicate_enclosure, "error", "Apple ignores duplicates"),
    "enclosure type": (once('type="audio/mpeg"', 'type="audio/wav"'), "error",
                       "'audio/wav' is not one Apple accepts"),
    "two chapters tags": (once_re(r"(<podcast:chapters [^>]+/>)", r"\1\1"), "error",
                          "2 <podcast:chapters> tags"),
    "person over 128": (once(">Mary Chen</podcast:person>", ">" + "M" * 129 +
                             "</podcast:person>"), "error", "over 128 characters"),
    "transcript without type": (once_re(r'(<podcast:transcript url="[^"]+") type="[^"]+"',
                                        r"\1"), "error", "lacks type"),
    "chapters without url": (once_re(r'<podcast:chapters url="[^"]+"', "<podcast:chapters"),
                             "error", "needs both url and type"),
    "category not Apple's": (once('<itunes:category text="Business">',
                                  '<itunes:category text="Science &amp; Medicine">'),
                             "error", "not in Apple's category list"),
    "subcategory not Apple's": (once('text="Entrepreneurship"', 'text="Natural Sciences"'),
                                "error", "text=\"Natural Sciences\"> is not one of Business's"),
    "no explicit": (once("<itunes:explicit>false</itunes:explicit>\n    <item>", "<item>"),
                    "error", "the show has no <itunes:explicit>"),
    "no artwork": (once_re(r"<itunes:image [^>]+/>", ""), "error", "no <itunes:image"),
    "language": (once("<language>en</language>", "<language>English</language>"), "error",
                 "not an ISO 639 code"),
    "prefix pi:": (lambda t: t.replace("xmlns:podcast=", "xmlns:pi=").replace("podcast:", "pi:"),
                   "error", "bound to 'pi:'"),
    "locked maybe": (once_re(r">yes</podcast:locked>", ">maybe</podcast:locked>"), "error",
                     "must be yes or no"),
    "itunes:episode 0": (once("<itunes:episode>1</itunes:episode>",
                              "<itunes:episode>0</itunes:episode>"), "error",
                         "'0' is not a whole number above 0"),
    "episode display over 32": (once('display="Part 1 of 2"', 'display="' + "P" * 33 + '"'),
                                "error", "over 32 characters"),
    "season not a number": (once_re(r'(<podcast:season name="[^"]+">)2<', r"\1one<"), "error",
                            "'one' is not a number"),
    "description over 4000 bytes": (once("<p>A show made by the test suite.</p>",
                                         "<p>" + "é" * 2100 + "</p>"),
                                    "error", "over 4000 bytes"),
    "serial without episode numbers": (
        lambda t: once("<itunes:type>episodic", "<itunes:type>serial")(
            t.replace("<itunes:episode>2</itunes:episode>", "")),
        "error", "a serial show needs one on every episode"),
    # where the W3C Feed Validator reports an error (see tests/data/feeds/)
    "pubDate wrong weekday": (once("<pubDate>Mon, 05 Jan 2026", "<pubDate>Tue, 05 Jan 2026"),
                              "error", "names the wrong day of the week"),
    "guid without isPermaLink": (once('<guid isPermaLink="false">', "<guid>"), "error",
                                 "is not a URL, so it needs isPermaLink=\"false\""),
    "owner without email": (once_re(r"\s*<itunes:email>[^<]+</itunes:email>", ""), "error",
                            "<itunes:owner> has no <itunes:email>"),
    "relative artwork url": (once('<itunes:image href="https://example.com/artwork.jpg"/>',
                                  '<itunes:image href="artwork.jpg"/>'), "error",
                             "href=\"artwork.jpg\"> is not a full http(s) URL"),
    "relative enclosure url": (once('url="https://example.com/episodes/E1/episode.mp3"',
                                    'url="episodes/E1/episode.mp3"'), "error",
                               "enclosure url 'episodes/E1/episode.mp3' is not a full http(s)"),
    # stricter than the W3C validator, which does not check the podcast namespace
    "relative transcript url": (once('<podcast:transcript url="https://example.com/',
                                     '<podcast:transcript url="'), "error",
                                "<podcast:transcript url=\"episodes/E1/transcript.vtt\"> is not "
                                "a full http(s) URL"),
    "transcript type not MIME": (once('type="text/vtt"', 'type="vtt"'), "error",
                                 "type=\"vtt\"> is not a MIME type"),
    # warnings: recommended practice
    "transcript type not listed": (once('type="text/vtt"', 'type="text/markdown"'), "warning",
                                   "type=\"text/markdown\"> is not one the namespace lists"),
    "numbered title": (once("<title>First Bake</title>", "<title>E1: First Bake</title>"),
                       "warning", "starts with an episode number"),
    "duration as clock": (once_re(r"<itunes:duration>\d+</itunes:duration>",
                                  "<itunes:duration>01:02:03</itunes:duration>"),
                          "warning", "Apple recommends seconds"),
    "legacy explicit clean": (once("<itunes:explicit>false</itunes:explicit>\n    <item>",
                                   "<itunes:explicit>clean</itunes:explicit>\n    <item>"),
                              "warning", "'clean' is an old spelling"),
    "old explicit no": (once("<itunes:explicit>false</itunes:explicit>\n    <item>",
                             "<itunes:explicit>no</itunes:explicit>\n    <item>"),
                        "warning", "'no' is an old spelling; Apple's guide and the W3C"),
    "old explicit yes on an item": (once("<itunes:explicit>true</itunes:explicit>",
                                         "<itunes:explicit>yes</itunes:explicit>"),
                                    "warning", "<itunes:explicit> 'yes' is an old spelling"),
    "podcast:guid not v5": (once_re(r"<podcast:guid>[^<]+</podcast:guid>",
                                    "<podcast:guid>f5b0dc6b-e796-49df-981b-53e882f31f41"
                                    "</podcast:guid>"), "warning", "not a UUIDv5"),
    "old namespace URI": (once("https://podcastindex.org/namespace/1.0",
                               "https://github.com/Podcastindex-org/podcast-namespace/blob/"
                               "main/docs/1.0.md"), "warning", "old Podcasting 2.0 namespace"),
}


def test_the_good_feed_is_clean(good_feed: str) -> None:
    report = validate_feed_bytes(good_feed.encode())
    assert report.findings == () and report.items == 4


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_broken_feed_is_found(good_feed: str, case: str) -> None:
    edit, level, words = BROKEN[case]
    broken = edit(good_feed)
    assert broken != good_feed
    report = validate_feed_bytes(broken.encode())
    lines = [finding.line() for finding in report.findings]
    assert any(line.startswith(f"{level}: ") and words in line for line in lines), lines
    if level == "warning":
        assert report.errors == (), lines


def test_latin1_bytes_are_not_utf8(good_feed: str) -> None:
    broken = good_feed.replace("First Bake", "Café Bake").encode("utf-8").replace(
        "é".encode(), "é".encode("latin-1"))
    report = validate_feed_bytes(broken)
    assert any("not UTF-8" in f.message for f in report.errors)


def test_unescaped_ampersand_is_also_what_podcastparser_rejects(good_feed: str,
                                                                 tmp_path: Path) -> None:
    import podcastparser

    feed = tmp_path / "feed.xml"
    broken = BROKEN["unescaped &"][0](good_feed)
    feed.write_text(broken, encoding="utf-8")
    where = next(n for n, text in enumerate(broken.splitlines(), 1) if "Bread & Butter" in text)
    with pytest.raises(podcastparser.FeedParseError):
        podcastparser_parse(feed)
    # Nothing else can be checked in a feed that does not parse: one line, where and the fix.
    line = assert_one_line_error(run(["validate", str(feed)]), "feed.xml", "not well-formed XML",
                                 f"(line {where}, column", "&amp;")
    assert line.startswith("error: ")


def test_a_feed_from_elsewhere(tmp_path: Path) -> None:
    # Not built by showrunner: the minimum Apple asks for, plus a clock-style duration.
    feed = tmp_path / "other.xml"
    feed.write_text("""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"
     xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel>
  <title>Elsewhere</title><link>https://elsewhere.example</link>
  <description><![CDATA[<p>Other show</p>]]></description>
  <language>en-us</language>
  <itunes:image href="https://elsewhere.example/cover.png"/>
  <itunes:category text="Kids &amp; Family"><itunes:category text="Parenting"/></itunes:category>
  <itunes:explicit>false</itunes:explicit>
  <itunes:author>Someone</itunes:author>
  <itunes:owner><itunes:name>Someone</itunes:name><itunes:email>a@b.example</itunes:email>
  </itunes:owner>
  <item>
    <title>Hello</title><description>Hi</description>
    <guid isPermaLink="false">elsewhere-1</guid>
    <enclosure url="https://elsewhere.example/1.m4a" length="1000" type="audio/x-m4a"/>
    <pubDate>Tue, 10 Mar 2026 06:00:00 GMT</pubDate>
    <itunes:duration>1:02:03</itunes:duration>
  </item>
</channel></rss>
""", encoding="utf-8")
    report = validate_feed_file(feed)
    assert report.errors == ()
    assert [f.line() for f in report.warnings] == [
        "warning: item 1 (\"Hello\"): <itunes:duration> '1:02:03' — Apple recommends seconds"]


def test_cli_prints_one_line_per_finding_and_exits_nonzero(good_feed: str,
                                                           tmp_path: Path) -> None:
    feed = tmp_path / "broken.xml"
    text = BROKEN["blank person"][0](BROKEN["numbered title"][0](good_feed))
    feed.write_text(text, encoding="utf-8")
    result = run(["validate", str(feed)])
    assert result.exit_code == 1
    lines = result.stdout.strip().splitlines()
    assert lines[0].startswith("error: ") and "blank name" in lines[0]
    assert lines[1].startswith("warning: ") and "episode number" in lines[1]
    assert lines[2] == f"{feed}: INVALID, 4 episode(s), 1 error(s), 1 warning(s)"
    good = tmp_path / "good.xml"
    good.write_text(good_feed, encoding="utf-8")
    assert run(["validate", str(good)]).exit_code == 0


def test_cli_missing_feed_is_one_line(tmp_path: Path) -> None:
    result = run(["validate", str(tmp_path / "nope.xml")])
    assert_one_line_error(result, "nope.xml", "showrunner feed")
