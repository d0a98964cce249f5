"""Jinja2 environments with the override chain: the show's templates/ first, then the defaults.

A show template can extend the default it replaces: `{% extends "!default/notes.md.j2" %}`.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from .errors import TemplateError
from .model import Show


def default_templates_dir() -> Path:
    """The templates shipped inside the package."""
    return Path(str(resources.files("showrunner") / "templates"))


def environment(show: Show | None, *, html: bool) -> jinja2.Environment:
    """A sandboxed environment; autoescape on for HTML/XML output, off for Markdown."""
    default = jinja2.FileSystemLoader(str(default_templates_dir()))
    searched: list[jinja2.BaseLoader] = []
    if show is not None and show.templates_dir.is_dir():
        searched.append(jinja2.FileSystemLoader(str(show.templates_dir)))
    searched.append(default)
    loader = jinja2.ChoiceLoader([jinja2.PrefixLoader({"!default": default}, delimiter="/"),
                                  *searched])
    env = SandboxedEnvironment(loader=loader, autoescape=html, undefined=jinja2.StrictUndefined,
                               keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True)
    env.globals["searched_folders"] = [str(p) for p in _folders(show)]
    return env


def render(show: Show | None, name: str, *, html: bool, **context: Any) -> str:
    """Render template `name`; a missing or broken template names every folder searched."""
    env = environment(show, html=html)
    try:
        return env.get_template(name).render(**context)
    except jinja2.TemplateNotFound as exc:
        folders = ", ".join(str(p) for p in _folders(show))
        raise TemplateError(f"template '{exc.name}' not found (searched: {folders})",
                            hint="restore it or copy the default with 'showrunner init --templates'") from exc
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(f"line {exc.lineno}: template syntax error: {exc.message}",
                            path=exc.filename or name, hint="fix the template tag on that line") from exc
    except jinja2.UndefinedError as exc:
        raise TemplateError(f"template '{name}' uses an unknown value: {exc.message}",
                            hint="check the variable names against the default template") from exc


def _folders(show: Show | None) -> list[Path]:
    folders = [show.templates_dir] if show is not None and show.templates_dir.is_dir() else []
    return [*folders, default_templates_dir()]
