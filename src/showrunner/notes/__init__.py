"""Notes: the topic structure of a transcript -> chapters.json and the notes.md draft.

Holds the stage, topic segmentation and wording (topics, phrasing, embeddings), the chapters
it owns, and the optional language-model writer."""

from .chapters import draft_chapters, write_episode_chapters
from .stage import NotesResult, stage_inputs, write_notes

__all__ = ["stage_inputs", "NotesResult", "draft_chapters", "write_episode_chapters", "write_notes"]
