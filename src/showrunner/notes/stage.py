"""`showrunner notes`: transcript + metadata -> notes.md and chapters.json.

Order: runs after transcribe (and, for a series, after split: each part has its own
transcript.json), and after a single episode is mastered (the drafted chapter times are moved
past the intro, into the published MP3); `render` reads the notes.md written here, as the host
left it.

The chapter list is drafted into notes.md's "## Chapters" section; chapters.json is then
written from the list in the notes.md in force (the host's, when their edits are kept).

Host edits are never lost. The sha256 of the last notes.md this stage wrote is kept in
`.notes.sha256`; a notes.md that no longer matches it (or that this stage never wrote) has the
host's edits, so the new draft goes to notes.draft.md instead, and only `--force` replaces
notes.md, after copying it to a timestamped backup.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import atomic, audio, templating, tidy, transcripts
from .. import chapters as chapters_file
from ..digest import loaded_settings, template_files
from ..layout import CHAPTERS_FILE, NOTES_DRAFT_FILE, NOTES_FILE, NOTES_RECORD_FILE, TRANSCRIPT_JSON
from ..model import Chapter, Episode, Guest, Show, Transcript
from . import topics, writers
from .chapters import draft_chapters
from .soundbite import draft_soundbite, mp3_offset

TEMPLATE = "notes.md.j2"
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")
NUMBER_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
                "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen",
                "seventeen", "eighteen", "nineteen", "twenty")


@dataclass(frozen=True)
class NotesResult:
    """What `write_notes` did: `path` is notes.md, or notes.draft.md when the host's notes.md
    was kept (`draft`); `backup` is the copy made before `--force` replaced it."""

    path: Path
    summary: str
    draft: bool = False
    backup: Path | None = None
    chapters: Path | None = None
    notices: tuple[str, ...] = ()


def write_notes(show: Show, episode: Episode, *, force: bool = False,
                quiet: bool = False) -> NotesResult:
    """Draft the episode's notes.md (SPEC §2) and chapters.json from its transcript."""
    transcript = _tidied(show, episode, transcripts.load(episode.folder / TRANSCRIPT_JSON))
    notes = episode.folder / NOTES_FILE
    if not force:  # a host's broken chapter list stops the stage before anything is written
        chapters_file.notes_chapters(notes)
    chapters = chapters_file.draft(draft_chapters(show, episode, transcript),
                                   offset=audio.conversation_start(show, episode))
    # A draft too short for Apple and Spotify (a very short episode) gets no section.
    listable = chapters if chapters_file.follows_app_rules(chapters) else ()
    context, notice = build_context(show, episode, transcript, listable)
    text = templating.render(show, TEMPLATE, html=False, **context)
    result = _save(episode, text, force=force)
    listed = chapters_file.notes_chapters(notes)
    chapters = listed.chapters if listed else chapters
    chapters_file.save(episode.folder / CHAPTERS_FILE, chapters)
    counts = f"{_count(len(context['bullets']), 'topic bullet')}, " \
             f"{_count(len(chapters), 'chapter')}, {context['writer']}"
    notices = (notice,) if notice else ()
    action, _, advice = result.summary.partition(" | ")
    summary = f"{action} — {counts}" + (f"; {advice}" if advice else "")
    return NotesResult(result.path, summary, result.draft, result.backup,
                       episode.folder / CHAPTERS_FILE, notices)


# ---------------------------------------------------------------- phase 1: the context


def build_context(show: Show, episode: Episode, transcript: Transcript,
                  chapters: tuple[Chapter, ...]) -> tuple[dict[str, Any], str | None]:
    """Everything the notes template needs, and a writer's failure line."""
    guests = episode.guests
    structure = topics.analyse(transcript, host=show.host.name,
                               guests=tuple(g.name for g in guests))
    offline = offline_text(structure)
    writer = writers.writer_for(show)
    text, notice = writers.polish(writer, offline, _brief(show, episode, guests, structure))
    # What the producer set in episode.yaml wins over anything generated.
    hook = episode.hook or text.hook
    bullets = episode.topics or text.bullets
    labels = transcripts.speaker_labels(transcript)
    context = {
        "episode_id": episode.id, "title": heading(episode), "date": episode.date,
        "date_text": long_date(episode.date), "series": episode.series,
        "guest_slugs": list(episode.guest_slugs), "hook": hook,
        "hook_alternatives": [h for h in (text.hook, *text.hook_alternatives) if h and h != hook],
        "summary": text.summary, "bullets": list(bullets),
        "soundbite": draft_soundbite(transcript, (hook, *structure.hooks),
                                     offset=mp3_offset(show, episode)),
        "why": why_listen(episode, guests, text.summary), "lead": lead(show, episode, guests),
        "calls_to_action": calls_to_action(show, guests),
        "closing": [{"text": c.text, "url": c.url} for c in show.closing_calls_to_action],
        "guests": [_guest(g) for g in guests],
        "transcript": [{"speaker": labels.get(p.speaker, p.speaker) if p.speaker else "",
                        "text": p.text, "start": p.start}
                       for p in transcripts.paragraphs(transcript, max_words=250)],
        "chapters": [{"start": c.start, "time": chapters_file.format_time(c.start),
                      "title": c.title} for c in chapters],
        "chapters_heading": chapters_file.SECTION,
        "podcast": {"title": show.title, "host": show.host.name},
        "writer": "offline wording" if notice or type(writer) is writers.NotesWriter
        else f"worded by {writer.name}",
        "md": markdown_text, "url": markdown_url, "yaml": yaml_value,
    }
    return context, notice


def offline_text(structure: topics.TopicStructure) -> writers.NotesText:
    """The generated words of the notes as the transcript gives them, before any writer."""
    return writers.NotesText(hook=structure.hooks[0] if structure.hooks else "",
                             hook_alternatives=structure.hooks[1:4], summary=structure.summary,
                             bullets=structure.bullets())


def topic_excerpts(structure: topics.TopicStructure) -> tuple[tuple[str, str], ...]:
    """(offline title, the talk) of each topic after the intro: what a writer reads."""
    return tuple((t.title, " ".join(s.text for s in t.sentences))
                 for t in structure.topics if not t.intro)


def _brief(show: Show, episode: Episode, guests: tuple[Guest, ...],
           structure: topics.TopicStructure) -> writers.Brief:
    part = f"part {episode.series.part} of {episode.series.of}" if episode.series else None
    return writers.Brief(show.title, heading(episode), show.host.name,
                         tuple(g.name for g in guests), part, topic_excerpts(structure))


def _count(number: int, noun: str) -> str:
    """`1 topic bullet`, `3 topic bullets`."""
    return f"{number} {noun}{'' if number == 1 else 's'}"


def heading(episode: Episode) -> str:
    """`E58: Finding the Grain with Dana Ortiz – Part 2 of 3`."""
    title = episode.display_title
    series = episode.series
    if series and f"Part {series.part} of {series.of}" not in title:
        title += f" – Part {series.part} of {series.of}"
    return title


def long_date(date: dt.date | None) -> str:
    """`2026-03-10` -> `March 10, 2026` (the same in every locale)."""
    return f"{MONTHS[date.month - 1]} {date.day}, {date.year}" if date else ""


def first_names(guests: tuple[Guest, ...]) -> str:
    names = [g.first_name for g in guests]
    return ", ".join(names[:-1]) + f" and {names[-1]}" if len(names) > 1 else "".join(names)


def why_listen(episode: Episode, guests: tuple[Guest, ...], summary: str) -> list[str]:
    """The paragraphs before the bullets: for a part, which part of whose conversation."""
    series = episode.series
    if series and guests:
        word = NUMBER_WORDS[series.part] if series.part < len(NUMBER_WORDS) else str(series.part)
        return [f"This is part {word} of my conversation with {first_names(guests)}."]
    return [summary] if summary else []


def lead(show: Show, episode: Episode, guests: tuple[Guest, ...]) -> str:
    """`In Part 2, Dana and I talk about:` (or `In this episode, …`)."""
    when = f"In Part {episode.series.part}" if episode.series else "In this episode"
    if guests:
        return f"{when}, {first_names(guests)} and I talk about:"
    return f"{when}, I talk about:"


def calls_to_action(show: Show, guests: tuple[Guest, ...]) -> list[dict[str, str]]:
    """The show's standard list, then "Connect with <guest> on LinkedIn" for each guest."""
    items = [{"text": c.text, "url": c.url} for c in show.calls_to_action]
    items += [{"text": f"Connect with {g.first_name} on LinkedIn", "url": g.linkedin}
              for g in guests if g.linkedin]
    return items


def _guest(guest: Guest) -> dict[str, Any]:
    return {"slug": guest.slug, "name": guest.name, "first_name": guest.first_name,
            "bio": list(guest.bio), "linkedin": guest.linkedin,
            "links": [{"label": link.label, "url": link.url} for link in guest.links]}


# ---------------------------------------------------------------- escaping for notes.md


_MD_INLINE = re.compile(r"([\\`*_\[\]<>|])")
_MD_ENTITY = re.compile(r"&(?=#?\w+;)")
_MD_LINE_START = re.compile(r"^(\s*)([#>+=~-]|\d+(?=[.)]))")


def markdown_text(value: Any) -> str:
    """User text as Markdown that shows exactly that text: one line, markup escaped."""
    text = " ".join(str(value or "").split())
    text = _MD_ENTITY.sub(r"\\&", _MD_INLINE.sub(r"\\\1", text))
    match = _MD_LINE_START.match(text)
    if match and match.group(2)[0].isdigit():
        return text[: match.end()] + "\\" + text[match.end():]
    return _MD_LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), text, count=1)


def markdown_url(value: Any) -> str:
    """A link target for `[text](…)`: spaces, parentheses and angle brackets percent-encoded."""
    text = str(value or "").strip()
    return "".join({" ": "%20", "(": "%28", ")": "%29", "<": "%3C", ">": "%3E"}.get(ch, ch)
                   for ch in text)


def yaml_value(value: Any) -> str:
    """A YAML 1.2 flow value (JSON is YAML): quoted strings, dates as YYYY-MM-DD."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if value is None:
        return "null"
    if hasattr(value, "__dataclass_fields__"):
        value = {name: getattr(value, name) for name in value.__dataclass_fields__}
    text = json.dumps(value, ensure_ascii=False)
    # Line and paragraph separators are line breaks to a YAML parser: keep them escaped.
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029").replace("\x85", "\\x85")


# ---------------------------------------------------------------- phase 2: writing


def _save(episode: Episode, text: str, *, force: bool) -> NotesResult:
    notes, draft = episode.folder / NOTES_FILE, episode.folder / NOTES_DRAFT_FILE
    new = text.encode("utf-8")
    if not notes.is_file():
        _write_owned(episode, notes, new)
        return NotesResult(notes, f"wrote {_shown(notes)}")
    current = notes.read_bytes()
    if _sha(current) == _recorded(episode):  # the host has not touched it
        if current == new:
            return NotesResult(notes, f"{_shown(notes)} is up to date")
        _write_owned(episode, notes, new)
        return NotesResult(notes, f"updated {_shown(notes)}, which had no edits of yours")
    if force:
        backup = _backup_path(notes)
        atomic.write_bytes(backup, current)
        _write_owned(episode, notes, new)
        return NotesResult(notes, f"replaced {_shown(notes)}; your edited version is in "
                                  f"{_shown(backup)}", backup=backup)
    atomic.write_bytes(draft, new)
    return NotesResult(draft, f"kept your edited {_shown(notes)}; new draft in {_shown(draft)}"
                              f" | compare the two, or run 'showrunner notes {episode.id} "
                              "--force' to replace notes.md (a backup is kept)", draft=True)


def _write_owned(episode: Episode, path: Path, content: bytes) -> None:
    atomic.write_bytes(path, content)
    # Recorded after the notes: a crash in between makes the next run keep notes.md (safe).
    atomic.write_text(episode.folder / NOTES_RECORD_FILE, _sha(content) + "\n")


def _recorded(episode: Episode) -> str | None:
    try:
        return (episode.folder / NOTES_RECORD_FILE).read_text().strip() or None
    except OSError:
        return None


def _backup_path(notes: Path) -> Path:
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    candidate = notes.with_name(f"notes.backup-{stamp}.md")
    count = 1
    while candidate.exists():
        count += 1
        candidate = notes.with_name(f"notes.backup-{stamp}-{count}.md")
    return candidate


def _sha(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def _shown(path: Path) -> str:
    return str(Path(path.parent.parent.name, path.parent.name, path.name))


def _tidied(show: Show, episode: Episode, transcript: Transcript) -> Transcript:
    """A single episode's transcript timed to its MP3's tidied audio (a split part's
    transcript was tidied and timed by split)."""
    edit = None if episode.source else tidy.episode_edit(show, episode)
    return edit.transcript(transcript) if edit is not None else transcript


def stage_inputs(show: Show, episode: Episode) -> list[Any]:
    """What notes.md and chapters.json depend on, for the up-to-date check (see `digest`);
    the intro clip, since a single episode's drafted chapter times and soundbite are moved
    past it."""
    return [episode.folder / TRANSCRIPT_JSON, loaded_settings(show, episode),
            template_files(show, ".md"), show.audio.intro, *tidy.edit_inputs(episode)]
