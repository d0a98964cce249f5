"""One error hierarchy; `cli.main` is the one place that turns it into output."""

from __future__ import annotations

from pathlib import Path


class ShowrunnerError(Exception):
    """A problem the producer can fix: one line naming the file, plus how to fix it."""

    def __init__(self, message: str, *, path: Path | str | None = None, hint: str | None = None):
        self.message = " ".join(str(message).split())
        self.path = Path(path) if path is not None else None
        self.hint = " ".join(hint.split()) if hint else None
        super().__init__(self.one_line())

    def one_line(self, relative_to: Path | None = None) -> str:
        """The message as the single line the CLI prints."""
        parts = []
        if self.path is not None:
            shown = self.path
            if relative_to is not None:
                try:
                    shown = self.path.resolve().relative_to(relative_to.resolve())
                except ValueError:
                    shown = self.path
            parts.append(f"{shown}: ")
        parts.append(self.message)
        if self.hint:
            parts.append(f" — {self.hint}")
        return _printable("".join(parts))


class ConfigError(ShowrunnerError):
    """show.yaml, a guest file or an episode.yaml is malformed or incomplete."""


class AudioError(ShowrunnerError):
    """An audio file is missing, empty, corrupt or unsupported."""


class EngineError(ShowrunnerError):
    """A speech or speaker engine, or its model, is unavailable or failed."""


class TemplateError(ShowrunnerError):
    """A Jinja2 template is missing or broken."""


class FeedError(ShowrunnerError):
    """The feed could not be built or failed validation."""


class OutputError(ShowrunnerError):
    """An output could not be written (read-only folder, full disk)."""


class DeployError(ShowrunnerError):
    """public/ could not be sent: credentials, a missing bucket, a refused login, a full disk."""


def _printable(text: str) -> str:
    # One line on any terminal: control characters (NUL, newlines, escapes) are shown escaped.
    return "".join(ch if ch.isprintable() or ch == " " else repr(ch)[1:-1] for ch in text)
