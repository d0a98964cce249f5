"""`showrunner render`: the host's notes.md -> public/episodes/<id>/index.html.

Order: runs after `notes` (it publishes what the host left in notes.md, edits included) and
before `feed` (the feed links the page). It first reads and checks everything and renders the
page in memory; only then are the media published and the page written, so bad input leaves
public/ as it was.

The chapter list is the one in notes.md's "## Chapters" section (chapters.json when notes.md
has none): before the media are published, chapters.json and the mastered MP3's ID3 chapters
are brought in line with it (the MP3 is retagged, not encoded again), so a host's edit made
after `showrunner notes` reaches every copy. On the page the list shows in its own section,
not inside the notes.

Safety: Markdown is rendered with raw HTML off (a `<script>` typed into notes.md shows as
text), every value put into the HTML template is escaped by Jinja2's autoescape, the JSON-LD
is JSON with `<`, `>` and `&` escaped, the one script the page runs (seek.js, chapter links
seek the player) is allowed by its hash in the Content-Security-Policy and no other script
is, and a link or image whose URL is not http(s) or mailto is refused with a one-line error.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from markdown_it import MarkdownIt
from markdown_it.token import Token
from markupsafe import Markup
from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from .. import atomic, audio, layout, templating
from .. import chapters as chapters_file
from ..digest import loaded_settings, template_files
from ..errors import ConfigError
from ..layout import CHAPTERS_FILE, NOTES_FILE, PAGE_FILE
from ..model import Chapter, Episode, Show, clock
from . import extras

PAGE_TEMPLATE = "episode.html.j2"
SAFE_URL = re.compile(r"^(?:https?://|mailto:)", re.IGNORECASE)
_FRONT = re.compile(r"\A---[ \t]*\r?\n(.*?)^---[ \t]*\r?\n?", re.S | re.M)
_DETAILS_OPEN = re.compile(r"^[ \t]*<details>[ \t]*<summary>(.*?)</summary>[ \t]*$", re.I | re.M)
_DETAILS_CLOSE = re.compile(r"^[ \t]*</details>[ \t]*$", re.I | re.M)


@dataclass(frozen=True)
class RenderResult:
    """The page written, and one line saying so."""

    path: Path
    summary: str
    media: tuple[Path, ...] = ()


@dataclass(frozen=True)
class Notes:
    """notes.md, parsed: front matter and the body as HTML in the page's three places."""

    front: dict[str, Any]
    title: str
    heading_html: str
    notes_html: str
    transcript_label: str
    transcript_html: str
    closing_html: str
    chapters: tuple[Chapter, ...] | None = None  # notes.md's list; None when it has none


def render_episode(show: Show, episode: Episode) -> RenderResult:
    """Write the episode's web page and publish its audio, transcripts and chapters beside it."""
    notes = read_notes(episode.folder / NOTES_FILE, episode)
    chapters_json = episode.folder / layout.CHAPTERS_FILE
    chapters = notes.chapters if notes.chapters is not None else chapters_file.load(chapters_json)
    context = page_context(show, episode, notes, chapter_marks(chapters))
    page = templating.render(show, PAGE_TEMPLATE, html=True, **context)
    if notes.chapters is not None:
        apply_chapters(episode, notes.chapters)
    copied = layout.publish_media(show, episode) + extras.publish_photos(context["guest_photos"])
    path = layout.episode_dir(show, episode) / PAGE_FILE
    atomic.write_text(path, page)
    shown = path.relative_to(show.root) if path.is_relative_to(show.root) else path
    media = f", published {len(copied)} media file(s)" if copied else ""
    return RenderResult(path, f"wrote {shown}{media}", tuple(copied))


# ---------------------------------------------------------------- reading notes.md


def read_notes(path: Path, episode: Episode) -> Notes:
    """Parse notes.md; a broken front matter or an unsafe link is a one-line error."""
    if not path.is_file():
        raise ConfigError("no notes yet", path=path,
                          hint=f"run 'showrunner notes {episode.id}' first")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"is not UTF-8 text (byte {exc.start})", path=path,
                          hint="save the file as UTF-8") from exc
    listed = chapters_file.parse_notes(text, path)
    if listed is not None:  # the page shows the list in its own section
        text = listed.blanked(text)
    front, body, offset = _split_front_matter(text, path)
    notes_md, label, transcript_md, closing_md, lines = _split_transcript(body)
    heading_md, rest_md, rest_line = _split_heading(notes_md)
    sections = ((heading_md, offset), (rest_md, offset + rest_line),
                (transcript_md, offset + lines[0]), (closing_md, offset + lines[1]))
    rendered = [_markdown(md, path, first_line) for md, first_line in sections]
    title = _plain_heading(heading_md) or str(front.get("title") or episode.display_title)
    return Notes(front, title, rendered[0], rendered[1], label or "Show Transcript",
                 rendered[2], rendered[3], listed.chapters if listed else None)


def read_front(path: Path) -> dict[str, Any]:
    """notes.md's front matter alone (empty when there is no notes.md yet)."""
    if not path.is_file():
        return {}
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"is not UTF-8 text (byte {exc.start})", path=path,
                          hint="save the file as UTF-8") from exc
    return _split_front_matter(text, path)[0]


def _split_front_matter(text: str, path: Path) -> tuple[dict[str, Any], str, int]:
    match = _FRONT.match(text)
    if not match:
        return {}, text, 0
    try:
        data = YAML(typ="safe", pure=True).load(match.group(1))
    except (MarkedYAMLError, YAMLError) as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 2}: " if mark is not None else ""
        raise ConfigError(f"{where}the front matter is not valid YAML", path=path,
                          hint="fix the quoting between the two '---' lines "
                               "(or delete the front matter)") from exc
    if data is not None and not isinstance(data, dict):
        raise ConfigError("the front matter is not a list of 'key: value' lines", path=path,
                          hint="keep 'title: …', 'hook: …' between the two '---' lines")
    return dict(data or {}), text[match.end():], text[: match.end()].count("\n")


def _split_transcript(body: str) -> tuple[str, str, str, str, tuple[int, int]]:
    """Body -> (notes, transcript label, transcript, closing, first lines of the last two)."""
    opening = _DETAILS_OPEN.search(body)
    closing = _DETAILS_CLOSE.search(body, opening.end()) if opening else None
    if not opening or not closing:
        return body, "", "", "", (0, 0)
    label = re.sub(r"<[^>]*>", "", opening.group(1)).strip()
    start_line = body[: opening.end()].count("\n")
    end_line = body[: closing.end()].count("\n")
    return (body[: opening.start()], label, body[opening.end(): closing.start()],
            body[closing.end():], (start_line, end_line))


def _split_heading(notes_md: str) -> tuple[str, str, int]:
    tokens = _parser().parse(notes_md)
    first = next((t for t in tokens if t.block and t.nesting >= 0), None)
    if first is None or first.type != "heading_open" or first.tag != "h1" or not first.map:
        return "", notes_md, 0
    lines = notes_md.splitlines(keepends=True)
    end = first.map[1]
    return "".join(lines[:end]), "".join(lines[end:]), end


def _plain_heading(heading_md: str) -> str:
    inline = next((t for t in _parser().parse(heading_md) if t.type == "inline"), None)
    if inline is None:
        return ""
    return "".join(c.content for c in inline.children or () if c.type in ("text", "code_inline"))


def _markdown(text: str, path: Path, first_line: int) -> str:
    if not text.strip():
        return ""
    tokens = _parser().parse(text)
    for token in tokens:
        for child in token.children or ():
            _check_link(child, token, path, first_line)
    return str(_parser().renderer.render(tokens, _parser().options, {}))


def _check_link(child: Token, block: Token, path: Path, first_line: int) -> None:
    url = child.attrGet("href") if child.type == "link_open" else \
        child.attrGet("src") if child.type == "image" else None
    if url is None or SAFE_URL.match(str(url).strip()):
        return
    line = first_line + (block.map[0] if block.map else 0) + 1
    shown = str(url).encode("unicode_escape").decode("ascii")[:80]
    raise ConfigError(f"line {line}: link '{shown}' is not an http(s) or mailto address",
                      path=path, hint="use a full https:// address (or remove the link)")


@functools.cache
def _parser() -> MarkdownIt:
    # Raw HTML off: whatever a host types renders as text. Links are checked by _check_link,
    # which refuses what markdown-it would otherwise silently leave unlinked.
    parser = MarkdownIt("commonmark", {"html": False})
    parser.validateLink = lambda url: True  # type: ignore[method-assign]
    return parser


def chapter_marks(chapters: tuple[Chapter, ...]) -> list[dict[str, Any]]:
    """The page's chapters as {start, clock, title}."""
    return [{"start": c.start, "title": c.title, "clock": clock(c.start, floor=True)}
            for c in chapters]


def apply_chapters(episode: Episode, chapters: tuple[Chapter, ...]) -> None:
    """Bring chapters.json and the mastered MP3's ID3 chapters in line with notes.md's list
    (only what differs is written). A recording published as it is keeps its own tags."""
    chapters_file.save_if_changed(episode.folder / layout.CHAPTERS_FILE, chapters)
    mastered = layout.mastered_audio(episode)
    if mastered.is_file() and mastered.suffix.lower() == ".mp3":
        audio.retag_chapters(mastered, chapters)


# ---------------------------------------------------------------- the page


def page_context(show: Show, episode: Episode, notes: Notes,
                 chapters: list[dict[str, Any]]) -> dict[str, Any]:
    """Everything episode.html.j2 needs; HTML that markdown-it made is marked safe, the rest
    is escaped by the template."""
    audio = layout.published_audio(episode)
    files = [p.name for p in layout.media_files(episode)]
    description = " ".join(str(notes.front.get("summary") or notes.front.get("hook")
                               or notes.title).split())
    artwork = layout.base_url(show) + quote(show.artwork.name) if show.artwork else None
    return {
        "language": show.language or "en",
        "podcast": {"title": show.title, "website": _safe(show.website),
                    "feed_url": _safe(show.feed_url)},
        "episode": {"id": episode.id, "date": episode.date.isoformat() if episode.date else ""},
        "page_title": notes.title, "description": description,
        "heading_html": Markup(notes.heading_html), "notes_html": Markup(notes.notes_html),
        "transcript_label": notes.transcript_label,
        "transcript_html": Markup(notes.transcript_html),
        "closing_html": Markup(notes.closing_html),
        "audio": {"name": audio.name, "type": _audio_type(audio)} if audio else None,
        "chapters": chapters,
        "chapters_file": layout.CHAPTERS_FILE if layout.CHAPTERS_FILE in files else None,
        # Formats a person reads first, then the machine-readable ones.
        "transcript_files": [{"name": f.file, "label": f.label} for f in sorted(
            layout.TRANSCRIPT_FORMATS, key=lambda f: not f.for_reading) if f.file in files],
        "og": {"url": layout.episode_url(show, episode), "image": artwork,
               "audio": layout.episode_url(show, episode, audio.name) if audio else None},
        **_extras(show, episode, notes.title, description, audio),
    }


def _extras(show: Show, episode: Episode, title: str, description: str,
            audio: Path | None) -> dict[str, Any]:
    player = {"name": audio.name, "type": _audio_type(audio)} if audio else None
    return {
        "home": "../../", "parts": extras.part_links(show, episode),
        "guest_photos": extras.guest_photos(show, episode),
        "seek": extras.seek_script(show) if audio else None,
        "json_ld": extras.json_ld(show, episode, name=title, description=description,
                                  audio=player, duration=extras.audio_seconds(audio)),
    }


def _safe(url: str) -> str | None:
    return url if SAFE_URL.match(url or "") else None


def _audio_type(path: Path) -> str:
    return {".mp3": "audio/mpeg", ".m4a": "audio/mp4", ".wav": "audio/wav", ".ogg": "audio/ogg",
            ".flac": "audio/flac", ".opus": "audio/ogg"}.get(path.suffix.lower(), "audio/mpeg")


def stage_inputs(show: Show, episode: Episode) -> list[Any]:
    """What the page depends on, for the up-to-date check (see `digest`)."""
    folder = episode.folder
    return [folder / NOTES_FILE, folder / CHAPTERS_FILE, loaded_settings(show, episode),
            template_files(show, ".html"), template_files(show, ".js"),
            layout.published_audio(episode), sorted(folder.glob("transcript.*")),
            # the neighbouring parts' links and titles, not their episode.yaml files: the feed
            # stores ids there on first publication, which must not make this page stale
            extras.part_links(show, episode),
            [guest.photo for guest in episode.guests if guest.photo is not None]]
