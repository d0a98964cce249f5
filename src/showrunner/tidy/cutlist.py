"""cuts.yaml: the edit list. showrunner writes it; the host flips `keep:` (or deletes a cut).

Each cut is one block starting `- id: <kind>@<start ms>`. A re-run merges: a cut the host
touched (any byte of its block differs from what tidy wrote: `keep: true`, a comment, a new end)
stays byte for byte, and no new proposal overlapping it is added; untouched cuts are replaced
by this run's proposals (so a new `max_pause` or transcript applies to them).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import ConfigError
from ..yamlread import load, round_trip
from .detect import Proposal

HEADER = ("# showrunner tidy: proposed cuts. Set `keep: true` to keep that audio.\n"
          "# A re-run never changes a cut you edited; it refreshes the ones you did not.\n"
          "cuts:\n")
_BLOCK = re.compile(r"^- id: (\S+)\s*$", re.M)


@dataclass(frozen=True)
class Cut:
    id: str
    kind: str
    start: float
    end: float
    keep: bool
    block: str
    removes: str = ""
    context: str = ""

    @property
    def touched(self) -> bool:
        """Whether the host changed this cut: its text is not what tidy would write for it."""
        proposal = Proposal(self.kind, self.start, self.end, self.removes, self.context)
        return self.id != cut_id(proposal) or self.block != render(proposal)


def cut_id(proposal: Proposal) -> str:
    return f"{proposal.kind}@{int(round(proposal.start * 1000))}"


def render(proposal: Proposal) -> str:
    return (f"- id: {cut_id(proposal)}\n  kind: {proposal.kind}\n"
            f"  start: {proposal.start:.3f}\n  end: {proposal.end:.3f}\n"
            f"  removes: {json.dumps(proposal.removes)}\n"
            f"  context: {json.dumps(proposal.context)}\n  keep: false\n")


def read(path: Path) -> list[Cut]:
    """The cuts in `path` (none when it does not exist), each with its exact text."""
    if not path.is_file():
        return []
    return parse(path.read_text(encoding="utf-8"), path)


def parse(text: str, path: Path) -> list[Cut]:
    """The cuts in `text` (the contents of `path`)."""
    starts = [m.start() for m in _BLOCK.finditer(text)]
    blocks = [text[a:b] for a, b in zip(starts, starts[1:] + [len(text)], strict=True)]
    data = load(text)
    if data is None:
        data = round_trip(text, path)  # words a syntax error with its line
    items = data.get("cuts") if isinstance(data, dict) else None
    items = [] if items is None and not blocks else items
    if not isinstance(items, list) or len(items) != len(blocks):
        raise ConfigError("has no readable 'cuts:' list of '- id:' entries", path=path,
                          hint="restore the list, or delete cuts.yaml to propose again")
    return [_cut(item, block, path) for item, block in zip(items, blocks, strict=True)]


def _cut(item: object, block: str, path: Path) -> Cut:
    if not isinstance(item, dict) or not isinstance(item.get("keep"), bool):
        raise ConfigError(f"cut '{block.split()[2]}' needs 'keep: true' or 'keep: false'",
                          path=path, hint="set keep: to true or false")
    try:
        return Cut(str(item["id"]), str(item["kind"]), float(item["start"]),
                   float(item["end"]), item["keep"], block, str(item.get("removes") or ""),
                   str(item.get("context") or ""))
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigError(f"cut '{item.get('id')}' lacks a number for {exc}", path=path,
                          hint="restore id, kind, start and end as tidy wrote them") from exc


def merge(old: list[Cut], proposals: list[Proposal], old_text: str | None) -> str:
    """The new file text: old blocks kept verbatim, new proposals added, in time order."""
    kept = [cut for cut in old if cut.touched]
    blocks = [(cut.start, cut.block) for cut in kept]
    blocks += [(p.start, render(p)) for p in proposals
               if not any(p.start < cut.end and p.end > cut.start or cut_id(p) == cut.id
                          for cut in kept)]
    blocks.sort(key=lambda item: item[0])
    head = HEADER if old_text is None else old_text[:_first_block(old_text)]
    return head + "".join(b if b.endswith("\n") else b + "\n" for _, b in blocks)


def _first_block(text: str) -> int:
    match = _BLOCK.search(text)
    return match.start() if match else len(text)
