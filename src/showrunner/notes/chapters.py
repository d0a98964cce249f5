"""The episode's chapters, drafted from the topic structure of its own transcript.

One owner: split (for each part, before mastering) calls `write_episode_chapters`; the
single-episode mastering step and the notes stage call `draft_chapters`. The notes stage
writes the draft into notes.md's chapter list, which the host may edit and which then wins
everywhere (see the floor module `chapters`). The analysis is cached per process, so the
stages of one `showrunner episode` run analyse each transcript once.
"""

from __future__ import annotations

from .. import chapters as chapters_file
from ..layout import CHAPTERS_FILE
from ..model import Chapter, Episode, Show, Transcript
from . import topics


def draft_chapters(show: Show, episode: Episode, transcript: Transcript) -> tuple[Chapter, ...]:
    """Chapter marks timed like `transcript`: the first at 0, one per topic change."""
    return topics.analyse(transcript, host=show.host.name,
                          guests=tuple(g.name for g in episode.guests)).chapters


def write_episode_chapters(show: Show, episode: Episode,
                           transcript: Transcript) -> tuple[Chapter, ...]:
    """Draft the chapters and write them to the episode's chapters.json."""
    chapters = draft_chapters(show, episode, transcript)
    chapters_file.save(episode.folder / CHAPTERS_FILE, chapters)
    return chapters
