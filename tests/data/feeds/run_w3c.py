"""Record the W3C Feed Validator's verdict on every feed here into w3c_verdicts.json.

Not a test, and not run by the tests: the W3C validator is on no package registry and its code
is not in this repository. Check it out elsewhere and point this script at it (README.md here
says how). Only each feed's "w3c" part and the "validator" header are rewritten; the
hand-written "breaks" and "showrunner" parts are kept.

    python tests/data/feeds/run_w3c.py --validator /tmp/feedvalidator --commit <sha>
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
VERDICTS = HERE / "w3c_verdicts.json"
# The address the feeds claim to be served from (their atom:link rel="self"); relative URLs
# are resolved against it, as when the online validator is given a URL.
BASE = "https://example.com/feed.xml"


def w3c_events(path: Path) -> dict[str, list[dict[str, Any]]]:
    """The validator's errors and warnings for one feed (its "AA" level, as the web form)."""
    import feedvalidator
    from feedvalidator import compatibility
    from feedvalidator.formatter.text_plain import Formatter
    from feedvalidator.logging import Error

    events = feedvalidator.validateString(path.read_bytes(), firstOccurrenceOnly=0,
                                          fallback="utf-8", base=BASE)["loggedEvents"]
    events = compatibility.AA(events)
    formatter = Formatter(events)
    found: dict[str, list[dict[str, Any]]] = {"errors": [], "warnings": []}
    for event in events:
        level = "errors" if isinstance(event, Error) else "warnings"
        found[level].append({
            "type": type(event).__name__,
            "message": formatter.getMessage(event),
            "element": event.params.get("element"),
            "parent": event.params.get("parent"),
            "line": event.params.get("line"),
        })
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--validator", type=Path, required=True,
                        help="a checkout of github.com/w3c/feedvalidator (the folder with src/)")
    parser.add_argument("--commit", required=True, help="the checkout's commit id")
    args = parser.parse_args()
    sys.path.insert(0, str(args.validator / "src"))
    table = json.loads(VERDICTS.read_text(encoding="utf-8")) if VERDICTS.exists() else {}
    recorded = table.get("feeds", {})
    feeds = {}
    for path in sorted(HERE.glob("*.xml")):
        entry = recorded.get(path.name, {"breaks": "", "showrunner": None})
        entry["w3c"] = w3c_events(path)
        feeds[path.name] = entry
    table = {
        "validator": {
            "repository": "https://github.com/w3c/feedvalidator",
            "commit": args.commit,
            "python": sys.version.split()[0],
            "recorded": dt.date.today().isoformat(),
            "command": "python tests/data/feeds/run_w3c.py --validator DIR --commit SHA",
            "call": f"feedvalidator.validateString(data, firstOccurrenceOnly=0, "
                    f"fallback='utf-8', base='{BASE}'), filtered by compatibility.AA",
        },
        "feeds": feeds,
    }
    VERDICTS.write_text(json.dumps(table, indent=2, ensure_ascii=False) + "\n",
                        encoding="utf-8")
    for name, entry in table["feeds"].items():
        w3c = entry["w3c"]
        print(f"{name}: {len(w3c['errors'])} error(s), {len(w3c['warnings'])} warning(s)")


if __name__ == "__main__":
    main()
