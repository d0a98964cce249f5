"""`showrunner render`: golden page, the page in headless Chromium (DOM and screenshot),
escaping of hostile text with no script run, refused links, overrides, published media."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from lxml import html as lxml_html

from ..helpers import SHOW_YAML, assert_one_line_error, make_show, run, tree_hashes
from ..notes.test_notes import CASES, CLOSING, check_golden, episode_with_transcript

# Dates matter here: test_clock runs these again with the clock five years ahead.
pytestmark = pytest.mark.clock

GOLDEN = Path(__file__).parent.parent / "golden" / "notes"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
HOSTILE_TITLE = '<script>alert(1)</script> & "Q&A"'
HOSTILE_GUEST = """\
name: "Mary <script>document.title='pwned'</script> Chen"
bio:
  - "Founder of <img src=x onerror=\\"document.body.setAttribute('data-pwned','1')\\"> Rise & Shine."
linkedin: https://www.linkedin.com/in/mary
"""


def make_audio(path: Path, seconds: float = 2.0) -> Path:
    """A real MP3 made by ffmpeg (a quiet tone), standing in for the mastered episode."""
    subprocess.run(["ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
                    f"sine=frequency=220:duration={seconds}", "-ac", "1", "-b:a", "64k",
                    "-map_metadata", "-1", "-fflags", "+bitexact", str(path)], check=True)
    return path


def published_episode(tmp_path: Path, episode_yaml: str, *, guest: str | None = None,
                      show_yaml: str = SHOW_YAML + CLOSING) -> tuple[Path, Path]:
    guests = {"mary-chen": guest} if guest else None
    show = make_show(tmp_path / "show", show_yaml=show_yaml, guests=guests)
    folder = episode_with_transcript(show, "E7", episode_yaml)
    make_audio(folder / "E7.mp3")
    (folder / "transcript.vtt").write_text("WEBVTT\n")
    for args in (["notes", "E7"], ["render", "E7"]):
        result = run(args, show)
        assert result.exit_code == 0, result.output + result.stderr
    return show, show / "public" / "episodes" / "E7" / "index.html"


def chromium(page: Path, out: Path) -> tuple[str, Path]:
    """Open `page` in headless Chromium: the DOM after load, and a screenshot."""
    profile = out / "chromium-profile"
    common = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
              "--no-first-run", "--disable-background-networking", "--disable-component-update",
              "--disable-sync", f"--user-data-dir={profile}", "--virtual-time-budget=3000"]
    env = {**os.environ, "HOME": str(out)}
    dom = subprocess.run([*common, "--dump-dom", page.as_uri()], capture_output=True, text=True,
                         timeout=120, env=env, check=True).stdout
    shot = out / "page.png"
    subprocess.run([*common, "--window-size=1000,2400", f"--screenshot={shot}", page.as_uri()],
                   capture_output=True, timeout=120, env=env, check=True)
    return dom, shot


# ---------------------------------------------------------------- golden page


@pytest.mark.parametrize("case", sorted(CASES))
def test_page_golden(tmp_path: Path, case: str) -> None:
    show, page = published_episode(tmp_path, CASES[case])
    check_golden(page, GOLDEN / case / "index.html")
    public = page.parent
    assert sorted(p.name for p in public.iterdir()) == ["E7.mp3", "chapters.json", "index.html",
                                                        "transcript.vtt"]
    assert (public / "E7.mp3").read_bytes() == (show / "episodes/E7/E7.mp3").read_bytes()


# ---------------------------------------------------------------- in a real browser


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed")
def test_page_in_headless_chromium(tmp_path: Path) -> None:
    yaml_title = HOSTILE_TITLE.replace('"', '\\"')
    show, page = published_episode(
        tmp_path, f'title: "{yaml_title}"\nnumber: 7\ndate: 2026-11-02\nguests: [mary-chen]\n',
        guest=HOSTILE_GUEST)
    dom, shot = chromium(page, tmp_path)
    assert shot.is_file() and shot.stat().st_size > 20_000 and shot.read_bytes()[:4] == b"\x89PNG"
    tree = lxml_html.fromstring(dom)

    # the hostile text shows as text, and nothing it carried ran
    assert tree.findtext(".//title").startswith(f"E7: {HOSTILE_TITLE} · Test Kitchen")
    assert tree.xpath("string(//h1)") == f"E7: {HOSTILE_TITLE}"
    # the only scripts are showrunner's: the JSON-LD (data) and seek.js (allowed by its hash)
    assert [s.get("type") for s in tree.xpath("//script")] == ["application/ld+json", None]
    assert "pwned" not in tree.xpath("string(//script[not(@type)])")
    assert json.loads(tree.xpath("string(//script[@type='application/ld+json'])"))["name"] == \
        f"E7: {HOSTILE_TITLE}"
    assert not tree.xpath("//img")
    assert tree.xpath("//body/@data-pwned") == [] and "pwned" not in tree.findtext(".//title")
    assert tree.xpath("//meta[@property='og:title']/@content") == [f"E7: {HOSTILE_TITLE}"]

    # the parts of the page a listener needs
    notes = front_topics(show)
    bullets = [li.text_content() for li in tree.xpath("//div[@id='notes']/ul[1]/li")]
    assert bullets == notes and 3 <= len(bullets) <= 6
    info = tree.xpath("//h2[contains(., \"'s Info:\")]")
    assert [h.text_content() for h in info] == ["Mary's Info:"]
    assert "Founder of <img src=x" in tree.xpath("string(//div[@id='notes'])")
    (audio,) = tree.xpath("//audio[@controls]")
    assert audio.get("src") == "E7.mp3"
    assert tree.xpath("//meta[@property='og:audio']/@content") == \
        ["https://example.com/episodes/E7/E7.mp3"]
    transcript = tree.xpath("//section[@id='transcript']/details")[0]
    assert transcript.findtext("summary") == "Show Transcript"
    paragraphs = [p.text_content() for p in transcript.xpath("p")]
    assert paragraphs[0].startswith("Jason: Welcome") and len(paragraphs) >= 10
    assert "transcript.vtt" in tree.xpath("//section[@id='transcript']//a/@href")
    assert tree.xpath("//section[@id='chapters']/p//a/@href") == ["chapters.json"]
    seeks = tree.xpath("//section[@id='chapters']//li/a/@href")
    assert len(seeks) >= 3 and all(href.startswith("E7.mp3#t=") for href in seeks)
    links = tree.xpath("//a/@href")
    assert "https://www.linkedin.com/in/mary" in links and "https://example.com/course" in links


def front_topics(show: Path) -> list[str]:
    from ruamel.yaml import YAML

    text = (show / "episodes" / "E7" / "notes.md").read_text()
    return list(YAML(typ="safe").load(text.split("---\n")[1])["topics"])


# ---------------------------------------------------------------- the host's edits and bad input


def test_host_edits_are_what_gets_published(tmp_path: Path) -> None:
    show, page = published_episode(tmp_path, CASES["single"])
    notes = show / "episodes" / "E7" / "notes.md"
    text = notes.read_text().replace("- The sourdough starter", "- Keeping a starter alive")
    notes.write_text(text.replace("# E7: Rising Early", "# E7: Rising Early, Edited"))
    assert run(["render", "E7"], show).exit_code == 0
    tree = lxml_html.fromstring(page.read_text())
    assert tree.xpath("string(//h1)") == "E7: Rising Early, Edited"
    assert "Keeping a starter alive" in tree.xpath("//div[@id='notes']/ul[1]/li/text()")


@pytest.mark.parametrize("url", ["javascript:alert(1)", "JaVaScRiPt:alert(1)", "data:text/html,x",
                                 "vbscript:x", "file:///etc/passwd", "relative/page.html"])
def test_a_link_that_is_not_http_or_mailto_is_refused(tmp_path: Path, url: str) -> None:
    show, page = published_episode(tmp_path, CASES["single"])
    notes = show / "episodes" / "E7" / "notes.md"
    notes.write_text(notes.read_text() + f"\n[Click me]({url})\n")
    before = tree_hashes(show / "public")
    line = assert_one_line_error(run(["render", "E7"], show), "notes.md", "http(s) or mailto")
    assert "line " in line
    assert tree_hashes(show / "public") == before


def test_raw_html_and_mailto_in_host_notes(tmp_path: Path) -> None:
    show, page = published_episode(tmp_path, CASES["single"])
    notes = show / "episodes" / "E7" / "notes.md"
    notes.write_text(notes.read_text() + "\n<script>alert(3)</script>\n\n"
                     "[Write to us](mailto:jason@example.com)\n")
    assert run(["render", "E7"], show).exit_code == 0
    tree = lxml_html.fromstring(page.read_text())
    assert len(tree.xpath("//script")) == 2 and not tree.xpath("//footer//script")
    assert "<script>alert(3)</script>" in tree.xpath("string(//footer)")
    assert "mailto:jason@example.com" in tree.xpath("//a/@href")


def test_broken_front_matter_is_a_one_line_error(tmp_path: Path) -> None:
    show, page = published_episode(tmp_path, CASES["single"])
    notes = show / "episodes" / "E7" / "notes.md"
    notes.write_text(notes.read_text().replace('title: "', 'title: [', 1))
    assert_one_line_error(run(["render", "E7"], show), "notes.md", "front matter")


def test_render_before_notes_is_a_one_line_error(tmp_path: Path) -> None:
    show = make_show(tmp_path / "show")
    episode_with_transcript(show, "E7", CASES["single"])
    assert_one_line_error(run(["render", "E7"], show), "notes.md", "showrunner notes E7")
    assert not (show / "public").exists()


def test_show_template_overrides_the_page(tmp_path: Path) -> None:
    show, page = published_episode(tmp_path, CASES["single"])
    (show / "templates").mkdir()
    (show / "templates" / "episode.html.j2").write_text(
        '{% extends "!default/episode.html.j2" %}\n'
        '{% block player %}<p id="custom">{{ page_title }}</p>{{ super() }}{% endblock %}\n')
    (show / "templates" / "style.css").write_text("body { background: #123456; }\n")
    assert run(["render", "E7"], show).exit_code == 0
    text = page.read_text()
    tree = lxml_html.fromstring(text)
    assert tree.xpath("string(//p[@id='custom'])") == "E7: Rising Early"
    assert tree.xpath("//audio/@src") == ["E7.mp3"] and "#123456" in text
