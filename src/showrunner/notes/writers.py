"""Who words the generated parts of the notes: the offline writer, or a language model.

The offline writer keeps what `topics` made from the transcript. An OpenAI-compatible
endpoint (show.yaml `notes_writer: {base_url, model, api_key_env, timeout_s}`) may rewrite the
hook, the summary and the topic bullets; any failure (no answer, HTTP error, timeout, an answer
that is not the JSON asked for) leaves the offline wording in place, and the caller says so in
one line. Plain urllib: no client library.
"""

from __future__ import annotations

import json
import os
import re
import urllib.error
import urllib.request
from dataclasses import dataclass, replace
from typing import Any

from ..model import NotesWriterSettings, Show
from .hooks import HOOK_WORDS

MAX_ITEM_CHARS = 160
MAX_SUMMARY_CHARS = 700
MAX_EXCERPT_CHARS = 6000
MAX_ANSWER_TOKENS = 1000


@dataclass(frozen=True)
class NotesText:
    """The generated words of the notes, as a writer returns them."""

    hook: str
    hook_alternatives: tuple[str, ...]
    summary: str
    bullets: tuple[str, ...]


@dataclass(frozen=True)
class Brief:
    """What a writer may know about the episode: who talks, and what each topic says."""

    show: str
    title: str
    host: str
    guests: tuple[str, ...]
    part: str | None
    topics: tuple[tuple[str, str], ...]  # (offline title, an excerpt of the talk)


class WriterFailed(Exception):
    """The writer could not improve the text; the message says why, in a few words."""


class NotesWriter:
    """Base class: `rewrite` returns better words, or raises WriterFailed."""

    name = "offline"

    def rewrite(self, text: NotesText, brief: Brief) -> NotesText:
        """The offline writer changes nothing."""
        return text


class OpenAICompatibleWriter(NotesWriter):
    """Any server that speaks OpenAI's chat-completions API (OpenAI, vLLM, llama.cpp, Ollama…)."""

    def __init__(self, settings: NotesWriterSettings) -> None:
        self.settings = settings
        self.name = f"{settings.model} at {settings.base_url}"

    def rewrite(self, text: NotesText, brief: Brief) -> NotesText:
        answer = self._ask(_messages(text, brief))
        return _checked(answer, text)

    def _ask(self, messages: list[dict[str, str]]) -> str:
        url = self.settings.base_url.rstrip("/") + "/chat/completions"
        # max_tokens bounds the cost of a model that rambles: a good answer is a few hundred.
        body = json.dumps({"model": self.settings.model, "messages": messages,
                           "temperature": 0.3, "max_tokens": MAX_ANSWER_TOKENS,
                           "response_format": {"type": "json_object"}})
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        key = os.environ.get(self.settings.api_key_env or "")
        if key:
            headers["Authorization"] = f"Bearer {key}"
        request = urllib.request.Request(url, data=body.encode("utf-8"), headers=headers,
                                         method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self.settings.timeout_s) as response:
                raw = response.read(2_000_000)
        except urllib.error.HTTPError as exc:
            hint = f" (is ${self.settings.api_key_env} set?)" if exc.code in (401, 403) else ""
            raise WriterFailed(f"HTTP {exc.code} {exc.reason}{hint}") from exc
        except TimeoutError as exc:
            raise WriterFailed(f"no answer within {self.settings.timeout_s:g} s") from exc
        except urllib.error.URLError as exc:
            reason = exc.reason
            if isinstance(reason, TimeoutError):
                raise WriterFailed(f"no answer within {self.settings.timeout_s:g} s") from exc
            raise WriterFailed(f"cannot connect ({reason})") from exc
        except OSError as exc:
            raise WriterFailed(f"connection failed ({exc})") from exc
        try:
            return str(json.loads(raw)["choices"][0]["message"]["content"])
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            raise WriterFailed("the answer is not a chat completion") from exc


def writer_for(show: Show) -> NotesWriter:
    """The show's writer: the endpoint in show.yaml, else the offline one."""
    if show.notes_writer is None:
        return NotesWriter()
    return OpenAICompatibleWriter(show.notes_writer)


def polish(writer: NotesWriter, text: NotesText, brief: Brief) -> tuple[NotesText, str | None]:
    """`text` rewritten by `writer`; on failure the offline text and one line saying why."""
    if type(writer) is NotesWriter:
        return text, None
    try:
        return writer.rewrite(text, brief), None
    except WriterFailed as exc:
        return text, f"notes writer {writer.name} failed: {exc}; kept the offline wording"


# ---------------------------------------------------------------- the conversation


_SYSTEM = (
    "You edit podcast show notes. Answer with one JSON object and nothing else: "
    '{"hook": "...", "summary": "...", "bullets": ["...", "..."]}. '
    "hook: one question of 8 to 25 words that the episode answers. "
    "summary: two or three plain sentences. "
    "bullets: 3 to 6 short noun phrases or questions, one per topic, in the order talked about, "
    "as a host writes them; no filler words, no quotes from the transcript, no Markdown."
)


def _messages(text: NotesText, brief: Brief) -> list[dict[str, str]]:
    topics, budget = [], MAX_EXCERPT_CHARS
    for title, excerpt in brief.topics:
        cut = excerpt[: max(200, budget // max(1, len(brief.topics)))]
        topics.append({"draft title": title, "excerpt": cut})
    prompt = {
        "show": brief.show, "episode": brief.title, "host": brief.host,
        "guests": list(brief.guests), "part of a series": brief.part,
        "draft": {"hook": text.hook, "summary": text.summary, "bullets": list(text.bullets)},
        "topics": topics,
    }
    return [{"role": "system", "content": _SYSTEM},
            {"role": "user", "content": json.dumps(prompt, ensure_ascii=False)}]


def _checked(answer: str, offline: NotesText) -> NotesText:
    """The model's JSON, held to the same rules as the offline text."""
    answer = re.sub(r"^```(?:json)?\s*|\s*```$", "", answer.strip())
    try:
        data: Any = json.loads(answer)
    except ValueError as exc:
        raise WriterFailed("the answer is not JSON") from exc
    if not isinstance(data, dict):
        raise WriterFailed("the answer is not a JSON object")
    hook = _line(data.get("hook"), "hook")
    if not hook.endswith("?") or not HOOK_WORDS[0] <= len(hook.split()) <= HOOK_WORDS[1]:
        raise WriterFailed("the hook in the answer is not a question of 8 to 25 words")
    summary = _line(data.get("summary"), "summary", MAX_SUMMARY_CHARS)
    bullets = data.get("bullets")
    if not isinstance(bullets, list) or not 3 <= len(bullets) <= 6:
        raise WriterFailed("the answer has no list of 3 to 6 bullets")
    cleaned = tuple(_line(b, "bullet").lstrip("-*• ").strip() for b in bullets)
    alternatives = tuple(dict.fromkeys(a for a in (offline.hook, *offline.hook_alternatives)
                                       if a and a != hook))
    return replace(offline, hook=hook, summary=summary, bullets=cleaned,
                   hook_alternatives=alternatives)


def _line(value: Any, what: str, limit: int = MAX_ITEM_CHARS) -> str:
    if not isinstance(value, str) or not value.strip():
        raise WriterFailed(f"the answer has no {what}")
    text = " ".join(value.split())
    if len(text) > limit:
        raise WriterFailed(f"the {what} in the answer is longer than {limit} characters")
    return text
