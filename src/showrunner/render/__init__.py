"""Render: the host's notes.md -> the episode page in public/."""

from .stage import RenderResult, render_episode, stage_inputs

__all__ = ["stage_inputs", "RenderResult", "render_episode"]
