"""After the new feed is up: tell a WebSub hub (POST hub.mode=publish) and/or ping a URL
(GET …?url=<feed>, as podping and the Podcast Index's pubnotify take it)."""

from __future__ import annotations

import urllib.error
import urllib.request
from urllib.parse import urlencode

from ..model import DeploySettings

TIMEOUT_S = 15.0


def notify(settings: DeploySettings, feed_url: str, user_agent: str) -> tuple[list[str], list[str]]:
    """Send the notifications show.yaml asks for; return (what was notified, warnings).
    A failure is a warning, not an error: the feed is up, apps see it at their next poll."""
    done, warnings = [], []
    calls = []
    if settings.websub_hub:
        body = urlencode({"hub.mode": "publish", "hub.url": feed_url}).encode()
        calls.append(("WebSub hub", settings.websub_hub,
                      urllib.request.Request(settings.websub_hub, data=body, method="POST")))
    if settings.ping_url:
        joiner = "&" if "?" in settings.ping_url else "?"
        url = settings.ping_url + joiner + urlencode({"url": feed_url})
        calls.append(("ping", settings.ping_url, urllib.request.Request(url, method="GET")))
    for what, where, request in calls:
        request.add_header("User-Agent", user_agent)
        problem = _call(request)
        if problem is None:
            done.append(f"{what} {where}")
        else:
            warnings.append(f"warning: {what} {where}: {problem} — the feed is up; apps will "
                            "find the new episode at their next poll")
    return done, warnings


def _call(request: urllib.request.Request) -> str | None:
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as answer:  # noqa: S310
            answer.read()
    except urllib.error.HTTPError as exc:
        return f"answered {exc.code} {exc.reason}"
    except (urllib.error.URLError, OSError) as exc:
        return f"did not answer ({getattr(exc, 'reason', exc)})"
    return None
