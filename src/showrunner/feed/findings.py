"""Findings and the small checks that channel and item rules share."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from lxml import etree

from .spec import (
    EXPLICIT_ACCEPTED,
    EXPLICIT_LEGACY,
    ITUNES_NS,
    PERSON_NAME_MAX,
    PODCAST_NS,
    TAG_VALUE_MAX_CHARS,
)

ERROR, WARNING = "error", "warning"
IT, PC = f"{{{ITUNES_NS}}}", f"{{{PODCAST_NS}}}"


@dataclass(frozen=True)
class Finding:
    """One problem found in a feed."""

    level: str
    message: str

    def line(self) -> str:
        """`error: item 2 ("Title"): enclosure has no length`."""
        return f"{self.level}: {self.message}"


@dataclass(frozen=True)
class Report:
    """Every finding for one feed, errors first."""

    source: str
    findings: tuple[Finding, ...]
    items: int = 0
    checked: bool = True  # False: not well-formed XML or not RSS, so no rule could run

    @property
    def errors(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.level == ERROR)

    @property
    def warnings(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.level == WARNING)

    @property
    def summary(self) -> str:
        counts = f"{len(self.errors)} error(s), {len(self.warnings)} warning(s)"
        verdict = "INVALID" if self.errors else "valid"
        return f"{self.source}: {verdict}, {self.items} episode(s), {counts}"


@dataclass
class Checker:
    """Collects findings as the rules run."""

    findings: list[Finding] = field(default_factory=list)

    def error(self, message: str) -> None:
        self.findings.append(Finding(ERROR, message))

    def warn(self, message: str) -> None:
        self.findings.append(Finding(WARNING, message))


def text(parent: etree._Element, tag: str) -> str | None:
    """The text of `parent`'s first `tag` child: None if absent, "" if empty."""
    node = parent.find(tag)
    return None if node is None else (node.text or "")


def check_required_text(parent: etree._Element, tag: str, where: str, check: Checker) -> None:
    value = text(parent, tag)
    if not (value or "").strip():
        check.error(f"{where} has no <{tag}>")
        return
    assert value is not None
    if value != value.strip():
        check.warn(f"{where}: <{tag}> has leading or trailing spaces")
    if len(value) > TAG_VALUE_MAX_CHARS:
        check.warn(f"{where}: <{tag}> is over {TAG_VALUE_MAX_CHARS} characters")


def check_explicit(parent: etree._Element, where: str, check: Checker, *,
                   required: bool) -> None:
    value = text(parent, f"{IT}explicit")
    if value is None:
        if required:
            check.error(f"{where} has no <itunes:explicit> (true or false)")
        return
    value = value.strip().lower()
    if value in EXPLICIT_LEGACY:
        check.warn(f"{where}: <itunes:explicit> '{value}' is an old spelling; Apple's guide and "
                   "the W3C Feed Validator want true or false")
    elif value not in EXPLICIT_ACCEPTED:
        check.error(f"{where}: <itunes:explicit> '{value}' is not true or false")


def check_persons(nodes: Iterable[etree._Element], where: str, check: Checker) -> None:
    for node in nodes:
        name = (node.text or "").strip()
        if not name:
            check.error(f"{where}: a <podcast:person> has a blank name")
        elif len(name) > PERSON_NAME_MAX:
            check.error(f"{where}: <podcast:person> '{name[:40]}…' is over {PERSON_NAME_MAX} "
                        "characters")
