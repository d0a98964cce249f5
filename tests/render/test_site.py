"""The show's home page, the episode pages' links (series parts, chapters, guest photos), the
JSON-LD and sitemap.xml, built once by the real CLI (`notes`, `render`, `feed --now`) and
opened in a real headless Chromium served over HTTP, as a web host would serve public/.

Screenshots are kept in $SHOWRUNNER_ARTIFACTS/screenshots, else test-artifacts/screenshots at
the repository's root (git-ignored).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.error import HTTPError
from urllib.parse import unquote, urldefrag

import pytest
from lxml import etree
from lxml import html as lxml_html
from PIL import Image

from ..helpers import GUEST_YAML, REPO, SHOW_YAML, make_show, run
from ..notes.test_notes import check_golden, episode_with_transcript
from .browser import CHROMIUM, Browser, browser, serve
from .test_render import make_audio

# Released or held back depends on dates: test_clock runs these again five years ahead.
pytestmark = [pytest.mark.clock,
              pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="chromium is not installed")]

SITE = "https://example.com/"
NOW = "2026-11-10T12:00:00"
HOSTILE = "<script>document.title='pwned'</script> & \"Q&A\""
# The calls to action point at pages that are not in public/ (the shop's own site).
SHOW = SHOW_YAML.replace("https://example.com/ebook", "https://shop.example.org/ebook").replace(
    "description: A show made by the test suite.",
                         "description: '" + HOSTILE.replace("'", "''") + "'") + """\
subscribe:
  - {label: Apple Podcasts, url: "https://podcasts.apple.com/podcast/id1"}
  - {label: Pocket Casts, url: "https://pca.st/test-kitchen"}
"""
SERIES = "series: {{name: Long Talk with Mary, part: {part}, of: 2}}\nsource: E8\n"
EPISODES = {
    "E7": "title: Rising Early\nnumber: 7\ndate: 2026-11-02\nstatus: released\n"
          "guests: [mary-chen]\n",
    "E8": "title: Long Talk with Mary\nnumber: 8\ndate: 2026-11-03\nparts: 2\nstatus: released\n",
    "E8-1": "title: Long Talk with Mary – Part 1 of 2\nnumber: 8\ndate: 2026-11-03\n"
            "status: released\nguests: [mary-chen]\n" + SERIES.format(part=1),
    "E8-2": "title: Long Talk with Mary – Part 2 of 2\nnumber: 9\ndate: 2026-11-04\n"
            "status: released\nguests: [mary-chen]\n" + SERIES.format(part=2),
    "E10": "title: Not Yet\nnumber: 10\ndate: 2026-12-01\nstatus: released\n",  # held back
    "E11": "title: A Draft\nnumber: 11\ndate: 2026-11-05\n",  # not released
}
PAGES = ["E7", "E8-1", "E8-2", "E10"]
GOLDEN = Path(__file__).parent.parent / "golden" / "site"


def artifacts() -> Path:
    root = Path(os.environ["SHOWRUNNER_ARTIFACTS"]) if os.environ.get("SHOWRUNNER_ARTIFACTS") \
        else REPO / "test-artifacts"
    folder = root / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def show(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A show with one episode, a two-part series, one held back and one draft, built once."""
    root = tmp_path_factory.mktemp("site")
    show = make_show(root / "show", show_yaml=SHOW,
                     guests={"mary-chen": GUEST_YAML + "photo: guests/mary.png\n"})
    Image.new("RGB", (120, 120), (180, 90, 40)).save(show / "guests" / "mary.png")
    folders = {eid: episode_with_transcript(show, eid, text) for eid, text in EPISODES.items()}
    for eid in PAGES:
        make_audio(folders[eid] / f"{eid}.mp3", seconds=100.0 if eid.startswith("E8") else 2.0)
        assert run(["notes", eid], show).exit_code == 0
    notes = folders["E7"] / "notes.md"
    quoted = HOSTILE.replace("'", "''")  # the host types it into the hook and the summary
    notes.write_text(re.sub(r"(?m)^(hook|summary): .*$", rf"\1: '{quoted}'", notes.read_text()))
    for eid in ("E7", "E10"):  # their stand-in audio (2 s) is shorter than the transcript
        short = folders[eid] / "notes.md"  # their soundbites were drafted from
        short.write_text(re.sub(r"(?m)^soundbite: .*$", "soundbite: null", short.read_text()))
    for eid in PAGES:
        result = run(["render", eid], show)
        assert result.exit_code == 0, result.output + result.stderr
    result = run(["feed", "--now", NOW], show)
    assert result.exit_code == 0, result.output + result.stderr
    assert "wrote index.html and sitemap.xml: 3 episode(s)" in result.stdout
    return show


@pytest.fixture(scope="module")
def site(show: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Browser, str]]:
    with serve(show / "public") as base, \
            browser(tmp_path_factory.mktemp("chromium")) as chromium:
        yield chromium, base


def dom(chromium: Browser) -> Any:
    return lxml_html.fromstring(chromium.evaluate("document.documentElement.outerHTML"))


# ---------------------------------------------------------------- in the browser


def test_home_page(site: tuple[Browser, str]) -> None:
    chromium, base = site
    chromium.open(base)
    chromium.screenshot(artifacts() / "home.png")
    tree = dom(chromium)
    assert chromium.evaluate("document.title") == "Test Kitchen"
    assert tree.xpath("string(//h1)") == "Test Kitchen"
    assert tree.xpath("string(//p[@class='description'])") == HOSTILE  # shown as text
    assert not tree.xpath("//script") and "Hosted by Jason Reed" in tree.text_content()
    assert chromium.evaluate("document.querySelector('header.cover img').naturalWidth") > 0
    assert tree.xpath("//section[@id='subscribe']//a/@href") == [
        "https://example.com/feed.xml", "https://podcasts.apple.com/podcast/id1",
        "https://pca.st/test-kitchen"]

    # newest first; the series is one entry with its parts in order; E10 and E11 wait
    entries = tree.xpath("//ol[@class='episodes']/li")
    assert [li.get("class") for li in entries] == ["series", "episode"]
    assert entries[0].findtext("h3") == "Long Talk with Mary"
    assert entries[0].xpath(".//ol[@class='parts']/li/a/@href") == ["episodes/E8-1/",
                                                                   "episodes/E8-2/"]
    assert entries[1].xpath(".//h3/a/@href") == ["episodes/E7/"]
    assert entries[1].xpath(".//time/@datetime") == ["2026-11-02", "PT2S"]
    assert entries[1].xpath("string(.//p[@class='hook'])") == HOSTILE
    part = entries[0].xpath(".//ol[@class='parts']/li")[1]
    assert part.xpath(".//time/@datetime") == ["2026-11-04", "PT1M40S"]
    assert "1:40" in part.text_content() and part.xpath("string(p[@class='hook'])").endswith("?")
    assert "Not Yet" not in tree.text_content() and "A Draft" not in tree.text_content()


def test_following_the_parts_and_a_chapter(site: tuple[Browser, str]) -> None:
    chromium, base = site
    chromium.open(base)
    chromium.click("a[href='episodes/E8-1/']", navigates=True)
    assert chromium.evaluate("location.pathname") == "/episodes/E8-1/"
    assert chromium.evaluate("document.querySelector('a[rel=prev]')") is None
    chromium.screenshot(artifacts() / "part-1.png")
    chromium.click("a[rel=next]", navigates=True)
    assert chromium.evaluate("location.pathname") == "/episodes/E8-2/"
    assert chromium.evaluate("document.querySelector('a[rel=next]')") is None
    chromium.click("a[rel=prev]", navigates=True)
    assert chromium.evaluate("location.pathname") == "/episodes/E8-1/"

    # with script, a chapter link seeks the page's player and the page stays
    link = "#chapters li:nth-child(3) a"
    start = float(chromium.evaluate(f"document.querySelector('{link}').dataset.seek"))
    assert start > 10
    chromium.click(link, navigates=False)
    assert chromium.evaluate("location.pathname") == "/episodes/E8-1/"
    position = chromium.evaluate("document.querySelector('#player audio').currentTime")
    assert start <= position < start + 2
    chromium.screenshot(artifacts() / "part-1-chapter.png")

    # without script, the same link is a media fragment of the published audio
    chromium.call("Emulation.setScriptExecutionDisabled", {"value": True})
    try:
        chromium.open(base + "episodes/E8-1/")
        chromium.click(link, navigates=True)
        assert chromium.evaluate("location.href") == f"{base}episodes/E8-1/E8-1.mp3#t={start:g}"
    finally:
        chromium.call("Emulation.setScriptExecutionDisabled", {"value": False})


def test_episode_page_scripts_photo_and_escaping(site: tuple[Browser, str]) -> None:
    chromium, base = site
    chromium.open(base + "episodes/E7/")
    chromium.screenshot(artifacts() / "episode.png")
    tree = dom(chromium)
    assert "pwned" not in chromium.evaluate("document.title")
    scripts = tree.xpath("//script")
    assert [s.get("type") for s in scripts] == ["application/ld+json", None]
    seek = (REPO / "src/showrunner/templates/seek.js").read_text()
    assert scripts[1].text == seek  # the one script that runs: allowed by its CSP hash
    assert "'sha256-" in tree.xpath("string(//meta[@http-equiv='Content-Security-Policy']"
                                    "/@content)")
    assert json.loads(scripts[0].text)["@type"] == "PodcastEpisode"
    (photo,) = tree.xpath("//figure[@class='guest']/img")
    assert photo.get("src") == "../../guests/mary-chen.png" and photo.get("alt") == "Mary Chen"
    assert chromium.evaluate("document.querySelector('figure.guest img').naturalWidth") == 120
    assert tree.xpath("//meta[@name='twitter:image']/@content") == \
        tree.xpath("//meta[@property='og:image']/@content") == [f"{SITE}artwork.jpg"]
    assert tree.xpath("//header[@class='show']/a/@href") == ["../../"]


def test_no_broken_link_in_public(show: Path, site: tuple[Browser, str]) -> None:
    chromium, base = site
    pages = sorted(show.joinpath("public").rglob("*.html"))
    assert len(pages) == 5  # the home page and four episode pages (E10's waits, unlisted)
    checked = set()
    for page in pages:
        chromium.open(base + page.relative_to(show / "public").parent.as_posix() + "/")
        urls = chromium.evaluate(
            "[...document.querySelectorAll('a[href], link[href], img[src], audio[src]')]"
            ".map(e => e.href || e.src).concat([...document.querySelectorAll("
            "'meta[property=\"og:image\"], meta[property=\"og:audio\"], "
            "meta[name=\"twitter:image\"]')].map(m => m.content))")
        for url in urls:
            local = urldefrag(url)[0].replace(SITE, base, 1)
            if local.startswith(base):
                checked.add(local)
    for url in sorted(checked):
        try:
            with urllib.request.urlopen(urllib.request.Request(url, method="HEAD")) as answer:
                assert answer.status == 200, url
        except HTTPError as exc:
            raise AssertionError(f"broken link {unquote(url)}: {exc.code}") from exc
    assert f"{base}feed.xml" in checked and f"{base}episodes/E8-2/" in checked
    assert f"{base}guests/mary-chen.png" in checked and f"{base}artwork.jpg" in checked


# ---------------------------------------------------------------- golden, JSON-LD and sitemap


@pytest.mark.parametrize("name", ["index.html", "sitemap.xml"])
def test_home_page_and_sitemap_golden(show: Path, name: str) -> None:
    check_golden(show / "public" / name, GOLDEN / name)


def json_ld(show: Path, episode_id: str) -> dict[str, Any]:
    page = show / "public" / "episodes" / episode_id / "index.html"
    (script,) = lxml_html.parse(str(page)).xpath("//script[@type='application/ld+json']")
    return dict(json.loads(script.text))


def test_json_ld_is_a_schema_org_podcast_episode(show: Path) -> None:
    data = json_ld(show, "E8-2")
    assert data["@context"] == "https://schema.org" and data["@type"] == "PodcastEpisode"
    assert data["name"] == "E9: Long Talk with Mary – Part 2 of 2"
    assert data["url"] == f"{SITE}episodes/E8-2/" and data["datePublished"] == "2026-11-04"
    assert data["duration"] == "PT1M40S"
    assert re.fullmatch(r"PT(\d+H)?(\d+M)?(\d+S)?", data["duration"])
    assert data["associatedMedia"] == {"@type": "MediaObject", "encodingFormat": "audio/mpeg",
                                       "contentUrl": f"{SITE}episodes/E8-2/E8-2.mp3"}
    assert data["partOfSeries"] == {"@type": "PodcastSeries", "name": "Test Kitchen",
                                    "url": SITE, "webFeed": f"{SITE}feed.xml"}
    assert data["actor"] == [{"@type": "Person", "name": "Mary Chen"}]


def test_json_ld_keeps_hostile_text_as_text(show: Path) -> None:
    page = (show / "public" / "episodes" / "E7" / "index.html").read_text()
    block = page.split('<script type="application/ld+json">')[1].split("</script>")[0]
    assert "<" not in block and "&" not in block
    assert HOSTILE in json_ld(show, "E7")["description"]


def test_sitemap_lists_the_home_page_and_every_released_episode(show: Path) -> None:
    path = show / "public" / "sitemap.xml"
    root = etree.parse(str(path)).getroot()
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    assert root.tag == "{http://www.sitemaps.org/schemas/sitemap/0.9}urlset"
    assert path.read_bytes().startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    for url in root:
        assert [child.tag.split("}")[1] for child in url] in (["loc"], ["loc", "lastmod"])
    locs = root.xpath("s:url/s:loc/text()", namespaces=ns)
    assert locs == [SITE, f"{SITE}episodes/E8-2/", f"{SITE}episodes/E8-1/", f"{SITE}episodes/E7/"]
    assert len(set(locs)) == len(locs) and all(len(loc) <= 2048 for loc in locs)
    assert root.xpath("s:url/s:lastmod/text()", namespaces=ns) == [
        "2026-11-04", "2026-11-04", "2026-11-03", "2026-11-02"]


def test_the_episode_command_publishes_the_home_page_with_the_feed(show: Path,
                                                                   tmp_path: Path) -> None:
    copy = Path(shutil.copytree(show, tmp_path / "show"))
    before = {name: (copy / "public" / name).read_bytes() for name in ("index.html",
                                                                       "sitemap.xml")}
    result = run(["episode", "E8-1", "--now", NOW, "--quiet"], copy)  # a part: no transcribe
    assert result.exit_code == 0, result.output + result.stderr
    # nothing changed for the home page: it says so, and the files are left as they were
    assert result.output.splitlines()[-1].endswith("; index.html and sitemap.xml: "
                                                   "3 episode(s) (unchanged)")
    assert {name: (copy / "public" / name).read_bytes() for name in before} == before
    # a later `now` releases E10: it joins the home page and the sitemap, newest first
    result = run(["feed", "--now", "2026-12-02"], copy)
    assert result.exit_code == 0
    assert result.output.splitlines()[-1] == "wrote index.html and sitemap.xml: 4 episode(s)"
    tree = lxml_html.parse(str(copy / "public" / "index.html"))
    assert tree.xpath("//ol[@class='episodes']/li[1]//h3/a/@href") == ["episodes/E10/"]
    assert f"{SITE}episodes/E10/" in (copy / "public" / "sitemap.xml").read_text()
    # an earlier `now`: only part 1 of the series is out
    assert run(["feed", "--now", "2026-11-03T06:00:00"], copy).exit_code == 0
    tree = lxml_html.parse(str(copy / "public" / "index.html"))
    (series,) = tree.xpath("//li[@class='series']")
    assert "A series in 2 parts, 1 out so far" in series.text_content()
    assert series.xpath(".//a/@href") == ["episodes/E8-1/"]
    assert f"{SITE}episodes/E8-2/" not in (copy / "public" / "sitemap.xml").read_text()
