"""episode.yaml's `imported:` section: what an imported episode's old feed said, kept so that
republishing it changes nothing an app keys on (see `model.Imported`).

    imported:
      published: '2026-03-10T09:30:00+01:00'     # the old pubDate, its time and offset kept
      enclosure: {url: https://old.example/e1.mp3, length: 1234567, type: audio/mpeg}
      duration: 1834                             # seconds
      transcripts: [{url: https://old.example/e1.vtt, type: text/vtt, rel: captions}]
      chapters: {url: https://old.example/e1.json, type: application/json+chapters}
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .schema import Field, ListOf, Obj


@dataclass(frozen=True)
class RemoteFile:
    """A file another host serves, as an imported feed linked it."""

    url: str
    type: str
    length: int = 0
    rel: str | None = None


@dataclass(frozen=True)
class Imported:
    """What an imported episode's old feed said, republished unchanged: the pubDate (its time
    and offset kept), the enclosure (published while the audio is not re-produced), its
    duration, and the transcript and chapters links (while the folder has none of its own)."""

    published: dt.datetime
    enclosure: RemoteFile
    duration: int
    transcripts: tuple[RemoteFile, ...] = ()
    chapters: RemoteFile | None = None

_REMOTE_FILE = {"url": Field("url", required=True, example="https://example.com/e1.mp3"),
                "type": Field(required=True, example="audio/mpeg"),
                "length": Field("int", minimum=0), "rel": Field()}

IMPORTED_SCHEMA = Obj({
    "published": Field("moment", required=True, example="'2026-03-10T09:30:00+00:00'"),
    "enclosure": Obj(_REMOTE_FILE, required=True),
    "duration": Field("int", required=True, minimum=1, example="1834"),
    "transcripts": ListOf(Obj(_REMOTE_FILE)),
    "chapters": Obj(_REMOTE_FILE),
})


def imported_record(raw: Mapping[str, Any] | None) -> Imported | None:
    """The checked `imported:` values (see IMPORTED_SCHEMA) as an `Imported`, if any."""
    if not raw:
        return None
    chapters = raw.get("chapters")
    return Imported(published=raw["published"], enclosure=RemoteFile(**raw["enclosure"]),
                    duration=raw["duration"],
                    transcripts=tuple(RemoteFile(**t) for t in raw.get("transcripts") or () if t),
                    chapters=RemoteFile(**chapters) if chapters else None)


def record_fields(imported: Imported) -> dict[str, Any]:
    """The `imported:` section to write into episode.yaml (the inverse of `imported_record`)."""
    def remote(file: RemoteFile) -> dict[str, Any]:
        fields: dict[str, Any] = {"url": file.url, "type": file.type}
        if file.length:
            fields["length"] = file.length
        if file.rel:
            fields["rel"] = file.rel
        return fields

    fields: dict[str, Any] = {"published": imported.published.isoformat(),
                              "enclosure": remote(imported.enclosure),
                              "duration": imported.duration}
    if imported.transcripts:
        fields["transcripts"] = [remote(t) for t in imported.transcripts]
    if imported.chapters is not None:
        fields["chapters"] = remote(imported.chapters)
    return fields
