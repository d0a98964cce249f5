"""Load and save the show folder: show.yaml, guests/<slug>.yaml, episodes/<id>/episode.yaml."""

from __future__ import annotations

import functools
import io
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from . import atomic, yamlread
from .deploy_settings import DEPLOY_SCHEMA, deploy_settings
from .episode_tracks import TRACKS_SCHEMA, episode_tracks
from .errors import ConfigError
from .import_record import IMPORTED_SCHEMA, imported_record
from .layout import EPISODE_FILE, MIXED_AUDIO, SHOW_FILE
from .model import (
    AudioSettings,
    CallToAction,
    Episode,
    Guest,
    Host,
    Link,
    NotesWriterSettings,
    Series,
    Show,
    TranscriptionSettings,
)
from .podcast_tags import EPISODE_TAGS_SCHEMA, SHOW_TAGS_SCHEMA, episode_tags, show_tags
from .schema import TRANSCRIPTION_SCHEMA, Field, ListOf, MapOf, Obj, Problem, validate
from .tidy_settings import TIDY_SCHEMA

_CTA = Obj({"text": Field(required=True, example="Download the checklist"),
            "url": Field("url", required=True, example="https://example.com/checklist"),
            "funding": Field("bool")})
_LINK = Obj({"label": Field(required=True, example="Website"),
             "url": Field("url", required=True, example="https://example.com")})



SHOW_SCHEMA = Obj({
    "title": Field(required=True, example="The Workbench"),
    "description": Field(required=True, example="Conversations with makers.", multiline=True),
    "website": Field("url", required=True, example="https://example.com"),
    "feed_url": Field("url", required=True, example="https://example.com/feed.xml"),
    "language": Field(example="en"),
    "author": Field(example="Riley Moss"),
    "owner": Obj({"name": Field(required=True, example="Riley Moss"),
                  "email": Field("email", required=True, example="riley@example.com")},
                 required=True, example="{name: Riley Moss, email: riley@example.com}"),
    "artwork": Field("path", example="artwork.jpg"),
    "category": Field(required=True, example="Education"),
    "subcategory": Field(example="How To"),
    "explicit": Field("bool"),
    "copyright": Field(),
    "type": Field("choice", choices=("episodic", "serial")),
    "locked": Field("bool"),
    "podcast_guid": Field(example="917393e3-1b1e-5cef-ace4-edaa54e1f810"),
    "public_dir": Field("path", example="public"),
    "hosts": ListOf(Obj({"name": Field(required=True, example="Riley Moss"),
                         "slug": Field(example="riley-moss"),
                         "linkedin": Field("url"), "email": Field("email"),
                         "voice_sample": Field("path", example="voices/riley.wav")}),
                    required=True, example="[{name: Riley Moss}]"),
    "calls_to_action": ListOf(_CTA),
    "closing_calls_to_action": ListOf(_CTA),
    # The home page's subscribe links, after the feed's own: one per podcast app.
    "subscribe": ListOf(_LINK, example="[{label: Apple Podcasts, url: https://…}]"),
    "audio": Obj({
        "loudness_lufs": Field("float", minimum=-36, maximum=-6, example="-16"),
        "true_peak_dbtp": Field("float", minimum=-9, maximum=0, example="-1"),
        "intro": Field("path"), "outro": Field("path"), "welcome_back": Field("path"),
        "crossfade_ms": Field("int", minimum=0, maximum=5000),
        "bitrate": Field("choice", choices=("64k", "96k", "128k", "160k", "192k", "256k", "320k")),
        "sample_rate": Field("choice", choices=("22050", "44100", "48000")),
        "channels": Field("int", minimum=1, maximum=2),
    }),
    "transcription": TRANSCRIPTION_SCHEMA,
    "glossary": ListOf(Field(example="Grainline")),
    "corrections": MapOf(Field(), example="{grain line: Grainline}"),
    "notes_writer": Obj({"base_url": Field("url", required=True, example="http://localhost:8000/v1"),
                         "model": Field(required=True, example="llama3"),
                         "api_key_env": Field(example="OPENAI_API_KEY"),
                         "timeout_s": Field("float", minimum=1, maximum=600)}),
    "deploy": DEPLOY_SCHEMA, "tidy": TIDY_SCHEMA, **SHOW_TAGS_SCHEMA,
})

GUEST_SCHEMA = Obj({
    "name": Field(required=True, example="Dana Ortiz"),
    "bio": ListOf(Field(multiline=True), accept_single=True,
                  example="['Dana Ortiz, founder of Grainline Studio.']"),
    "links": ListOf(_LINK),
    "linkedin": Field("url", example="https://www.linkedin.com/in/dana"),
    "photo": Field("path", example="guests/dana.jpg"),
    "voice_sample": Field("path", example="voices/dana.wav"),
})

EPISODE_SCHEMA = Obj({
    "title": Field(required=True, example="Finding the Grain"),
    "number": Field("int", minimum=0, example="58"),
    "date": Field("date", example="2026-03-10"),
    "guests": ListOf(Field(example="dana-ortiz"), accept_single=True),
    "audio": Field("path", example="raw.wav"),
    "tracks": TRACKS_SCHEMA,  # one file per person instead of 'audio:' (see episode_tracks)
    "series": Obj({"name": Field(required=True, example="Finding the Grain"),
                   "part": Field("int", required=True, minimum=1, example="2"),
                   "of": Field("int", required=True, minimum=2, example="3")}),
    "status": Field("choice", choices=("draft", "released")),
    "hook": Field(),
    "topics": ListOf(Field()),
    "guid": Field(),
    "season": Field("int", minimum=1),
    "explicit": Field("bool"),
    "episode_type": Field("choice", choices=("full", "trailer", "bonus")),
    "parts": Field("int", minimum=2, maximum=20),
    # written by `split` on each part: the id of the episode the part was cut from
    "source": Field(example="rise-and-shine"),
    # written by `import`: what the old feed said, republished unchanged (see model.Imported)
    "imported": IMPORTED_SCHEMA,
    "extra": MapOf(Field()), **EPISODE_TAGS_SCHEMA,
})

_EPISODE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)),
             *(f"lpt{i}" for i in range(10)), "public", "templates", "guests"}


# ---------------------------------------------------------------- reading YAML


def read_yaml(path: Path, what: str, fix_missing: str) -> Any:
    """Parse a YAML file (round-trip, so comments survive edits); one-line error on failure."""
    return yamlread.round_trip(yamlread.read_text(path, what, fix_missing), path)


def _read_checked(path: Path, what: str, fix_missing: str, schema: Obj) -> dict[str, Any]:
    """A settings file that will not be written back: read by the fast safe loader, and
    round-trip only when it is in doubt or wrong (whose error then names the line)."""
    text = yamlread.read_text(path, what, fix_missing)
    raw = yamlread.load(text)
    if raw is not None:
        problems: list[Problem] = []
        clean = validate(raw, schema, problems)
        if not problems:
            return clean
    return _checked(yamlread.round_trip(text, path), schema, path)


def _checked(raw: Any, schema: Obj, path: Path) -> dict[str, Any]:
    problems: list[Problem] = []
    clean = validate(raw, schema, problems)
    if problems:
        more = f" (and {len(problems) - 1} more: " + "; ".join(
            p.describe() for p in problems[1:3]) + ")" if len(problems) > 1 else ""
        raise ConfigError(problems[0].describe() + more, path=path)
    return clean


# ---------------------------------------------------------------- show


def load_show(root: Path) -> Show:
    """Read and validate `root/show.yaml`."""
    root = Path(root)
    path = root / SHOW_FILE
    clean = _read_checked(path, "show.yaml", f"run 'showrunner init {root}' or pass --show with "
                                             "the show folder", SHOW_SCHEMA)
    hosts = tuple(_host(item, root) for item in clean.get("hosts", []) if item)
    if not hosts:
        raise ConfigError("'hosts' lists no host", path=path, hint="add '- name: Your Name' under hosts:")
    return Show(**_show_fields(clean, root, hosts))


def _show_fields(clean: dict[str, Any], root: Path, hosts: tuple[Host, ...]) -> dict[str, Any]:
    audio = clean.get("audio") or {}
    transcription = clean.get("transcription") or {}
    writer = clean.get("notes_writer")
    corrections = clean.get("corrections") or {}
    return dict(
        root=root,
        title=clean["title"],
        description=clean["description"],
        website=clean["website"],
        feed_url=clean["feed_url"],
        language=clean.get("language", "en"),
        author=clean.get("author") or hosts[0].name,
        owner_name=clean["owner"]["name"],
        owner_email=clean["owner"]["email"],
        artwork=_path(root, clean.get("artwork")),
        category=clean["category"],
        subcategory=clean.get("subcategory"),
        explicit=clean.get("explicit", False),
        copyright=clean.get("copyright"),
        show_type=clean.get("type", "episodic"),
        locked=clean.get("locked", True),
        podcast_guid=clean.get("podcast_guid"),
        public_dir=_path(root, clean.get("public_dir")),
        hosts=hosts,
        calls_to_action=tuple(CallToAction(**c) for c in clean.get("calls_to_action", []) if c),
        closing_calls_to_action=tuple(CallToAction(**c) for c in
                                      clean.get("closing_calls_to_action", []) if c),
        subscribe=tuple(Link(**link) for link in clean.get("subscribe", []) if link),
        audio=_audio_settings(root, audio),
        transcription=TranscriptionSettings(**transcription),
        glossary=tuple(t for t in clean.get("glossary", []) if t),
        corrections=tuple((str(k), str(v)) for k, v in corrections.items() if v is not None),
        notes_writer=NotesWriterSettings(**writer) if writer else None,
        deploy=deploy_settings(clean.get("deploy"), root), tags=show_tags(clean, root / SHOW_FILE),
    )


def _audio_settings(root: Path, audio: Mapping[str, Any]) -> AudioSettings:
    values: dict[str, Any] = dict(audio)
    for key in ("intro", "outro", "welcome_back"):
        values[key] = _path(root, values.get(key))
    if "sample_rate" in values:
        values["sample_rate"] = int(values["sample_rate"])
    return AudioSettings(**values)


def _host(item: Mapping[str, Any], root: Path) -> Host:
    return Host(name=item["name"], slug=item.get("slug") or slugify(item["name"]),
                linkedin=item.get("linkedin"), email=item.get("email"),
                voice_sample=_path(root, item.get("voice_sample")))


def _path(root: Path, value: str | None) -> Path | None:
    return (root / value) if value else None


def slugify(name: str) -> str:
    """`Dana Ortiz` -> `dana-ortiz`."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return slug or "person"


# ---------------------------------------------------------------- guests


def guest_path(show: Show, slug: str) -> Path:
    return show.guests_dir / f"{slug}.yaml"


def load_guest(show: Show, slug: str, *, referenced_by: Path | None = None) -> Guest:
    """Read guests/<slug>.yaml; an unknown slug names the file that referred to it."""
    if not _SLUG.match(slug):
        raise ConfigError(f"guest '{slug}' is not a valid guest slug", path=referenced_by,
                          hint="use lowercase letters, digits and dashes, e.g. dana-ortiz")
    path = guest_path(show, slug)
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in show.guests_dir.glob("*.yaml"))) or "none yet"
        raise ConfigError(f"unknown guest '{slug}' (no {path.relative_to(show.root)})",
                          path=referenced_by or path,
                          hint=f"create guests/{slug}.yaml with at least 'name:'; known guests: {known}")
    stat = path.stat()
    return _read_guest(show.root, slug, path, stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=256)
def _read_guest(root: Path, slug: str, path: Path, mtime_ns: int, size: int) -> Guest:
    # Parsed once per process while the file is unchanged: every episode of a guest series
    # names the same guest file.
    clean = _read_checked(path, "guest file", "", GUEST_SCHEMA)
    bio = tuple(p.strip() for para in clean.get("bio", []) if para
                for p in re.split(r"\n\s*\n", para) if p.strip())
    return Guest(slug=slug, name=clean["name"], bio=bio,
                 links=tuple(Link(**link) for link in clean.get("links", []) if link),
                 linkedin=clean.get("linkedin"), photo=_path(root, clean.get("photo")),
                 voice_sample=_path(root, clean.get("voice_sample")))


# ---------------------------------------------------------------- episodes


def check_episode_id(episode_id: str) -> str:
    """Refuse ids that are paths, reserved names or odd characters; return the id."""
    problem = None
    if not episode_id:
        problem = "is empty"
    elif "/" in episode_id or "\\" in episode_id or episode_id.startswith("."):
        problem = "looks like a path"
    elif not _EPISODE_ID.match(episode_id) or episode_id.endswith("."):
        problem = "has characters an episode id cannot have"
    elif episode_id.lower().split(".")[0] in _RESERVED:
        problem = "is a reserved name"
    if problem:
        shown = episode_id.encode("unicode_escape").decode("ascii")
        raise ConfigError(f"episode id '{shown}' {problem}",
                          hint="use letters, digits, '-', '_' or '.', starting with a letter or "
                               "digit, e.g. E58 or 2026-03-dana")
    return episode_id


def episode_folder(show: Show, episode_id: str) -> Path:
    return show.episodes_dir / check_episode_id(episode_id)


def load_episode(show: Show, episode_id: str) -> Episode:
    """Read and validate episodes/<id>/episode.yaml (guests must exist)."""
    folder = episode_folder(show, episode_id)
    path = folder / EPISODE_FILE
    if not folder.is_dir():
        raise ConfigError(f"no episode '{episode_id}'", path=folder,
                          hint=f"create it with 'showrunner new {episode_id} --title \"…\"' "
                               "or check the id with 'ls episodes'")
    clean = _read_checked(path, "episode.yaml", f"create it with 'showrunner new {episode_id}'",
                          EPISODE_SCHEMA)
    series = clean.get("series")
    if series and series["part"] > series["of"]:
        raise ConfigError(f"'series.part' is {series['part']} but 'series.of' is {series['of']}",
                          path=path, hint="the part number cannot exceed the number of parts")
    audio = clean.get("audio")
    if audio and (Path(audio).is_absolute() or ".." in Path(audio).parts):
        raise ConfigError(f"'audio' is {audio!r}, outside the episode folder", path=path,
                          hint="put the recording in the episode folder and name just the file")
    guests = tuple(load_guest(show, slug, referenced_by=path) for slug in clean.get("guests", []))
    people = {person.slug: person.name for person in (*show.hosts, *guests)}
    tracks = episode_tracks(clean, path, people)
    return Episode(
        id=episode_id, folder=folder, title=clean["title"], number=clean.get("number"),
        date=clean.get("date"), guests=guests, audio=MIXED_AUDIO if tracks else audio,
        tracks=tracks,
        series=Series(**series) if series else None, status=clean.get("status", "draft"),
        hook=clean.get("hook"), topics=tuple(clean.get("topics", [])), guid=clean.get("guid"),
        season=clean.get("season"), explicit=clean.get("explicit"),
        episode_type=clean.get("episode_type", "full"), parts=clean.get("parts"),
        source=clean.get("source"), imported=imported_record(clean.get("imported")),
        extra=dict(clean.get("extra") or {}), tags=episode_tags(clean, path),
    )


def list_episodes(show: Show) -> list[Episode]:
    """Every episode folder with an episode.yaml, sorted by number then id."""
    if not show.episodes_dir.is_dir():
        return []
    episodes = [load_episode(show, p.parent.name)
                for p in sorted(show.episodes_dir.glob(f"*/{EPISODE_FILE}"))]
    return sorted(episodes, key=lambda e: (e.number is None, e.number or 0, e.id))


def next_episode_number(show: Show) -> int:
    numbers = [e.number for e in list_episodes(show) if e.number is not None]
    return max(numbers, default=0) + 1


# ---------------------------------------------------------------- writing YAML


def dump_yaml(document: Any) -> str:
    stream = io.StringIO()
    yamlread.round_trip_parser().dump(document, stream)
    return stream.getvalue()


def update_yaml(path: Path, changes: Mapping[str, Any]) -> None:
    """Set top-level keys in a YAML file, keeping the producer's comments and key order."""
    document = read_yaml(path, path.name, "")
    for key, value in changes.items():
        if value is None:
            document.pop(key, None)
        else:
            document[key] = value
    atomic.write_text(path, dump_yaml(document))


def write_episode_yaml(folder: Path, fields: Mapping[str, Any]) -> Path:
    """Write a new episode.yaml from plain values, in a stable key order."""
    path = folder / EPISODE_FILE
    atomic.write_text(path, dump_yaml(dict(fields)))
    return path
