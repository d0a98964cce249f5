"""Render: the host's notes.md -> the episode page in public/; with the feed, the show's
home page and sitemap."""

from .site import SiteResult, render_site
from .stage import RenderResult, render_episode, stage_inputs

__all__ = ["stage_inputs", "RenderResult", "render_episode", "SiteResult", "render_site"]
