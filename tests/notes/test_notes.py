"""`showrunner notes`: golden notes.md on a fixed (really recognized) transcript, host edits
kept byte for byte, escaping, and the optional OpenAI-compatible writer against a local server.

tests/golden/notes/transcript.json was recognized once by faster-whisper (tiny.en) from a
generated three-topic interview (speakers from the generator's ground truth). Regenerate the
golden files after an intended change with `make golden` (SHOWRUNNER_UPDATE_GOLDEN=1).
"""

from __future__ import annotations

import http.server
import json
import os
import re
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from ..helpers import SHOW_YAML, add_episode, assert_one_line_error, make_show, run

# Dates matter here: test_clock runs these again with the clock five years ahead.
pytestmark = pytest.mark.clock

GOLDEN = Path(__file__).parent.parent / "golden" / "notes"
UPDATE = os.environ.get("SHOWRUNNER_UPDATE_GOLDEN") == "1"

CASES = {
    "single": "title: Rising Early\nnumber: 7\ndate: 2026-11-02\nguests: [mary-chen]\n",
    "part2": ("title: Rising Early with Mary Chen – Part 2 of 3\nnumber: 8\ndate: 2026-11-03\n"
              "guests: [mary-chen]\nseries: {name: Rising Early with Mary Chen, part: 2, of: 3}\n"
              "source: rising-early\n"),
}
CLOSING = ("closing_calls_to_action:\n  - {text: Take the course, url: \"https://example.com/course\"}\n")


def episode_with_transcript(show: Path, episode_id: str, episode_yaml: str) -> Path:
    folder = add_episode(show, episode_id, episode_yaml)
    shutil.copyfile(GOLDEN / "transcript.json", folder / "transcript.json")
    return folder


def front_matter(text: str) -> dict[str, Any]:
    assert text.startswith("---\n")
    return dict(YAML(typ="safe").load(text.split("---\n")[1]))


def check_golden(actual: Path, golden: Path) -> None:
    if UPDATE:
        golden.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(actual, golden)
    assert golden.is_file(), f"no golden file {golden}; run 'make golden'"
    assert actual.read_text(encoding="utf-8") == golden.read_text(encoding="utf-8"), \
        f"{actual.name} differs from {golden}; if intended, run 'make golden'"


# ---------------------------------------------------------------- golden files


@pytest.mark.parametrize("case", sorted(CASES))
def test_notes_golden(tmp_path: Path, case: str) -> None:
    show = make_show(tmp_path / "show", show_yaml=SHOW_YAML + CLOSING)
    folder = episode_with_transcript(show, "E7", CASES[case])
    result = run(["notes", "E7"], show)
    assert result.exit_code == 0, result.output + result.stderr
    assert "wrote episodes/E7/notes.md" in result.stdout
    check_golden(folder / "notes.md", GOLDEN / case / "notes.md")
    check_golden(folder / "chapters.json", GOLDEN / case / "chapters.json")


def test_notes_follow_the_show_order(tmp_path: Path) -> None:
    show = make_show(tmp_path / "show", show_yaml=SHOW_YAML + CLOSING)
    folder = episode_with_transcript(show, "E8", CASES["part2"])
    assert run(["notes", "E8"], show).exit_code == 0
    text = (folder / "notes.md").read_text()
    meta = front_matter(text)
    assert meta["title"] == "E8: Rising Early with Mary Chen – Part 2 of 3"
    assert str(meta["date"]) == "2026-11-03"
    assert meta["series"] == {"name": "Rising Early with Mary Chen", "part": 2, "of": 3}
    assert meta["hook"].endswith("?") and meta["hook"] not in meta["hook_alternatives"]
    assert 3 <= len(meta["topics"]) <= 6
    body = text.split("---\n", 2)[2]
    order = ["# E8: Rising Early with Mary Chen – Part 2 of 3", "November 3, 2026",
             f"*{meta['hook']}*", "This is part two of my conversation with Mary.",
             "In Part 2, Mary and I talk about:", f"- {meta['topics'][0]}",
             "* [Download the ebook](https://example.com/ebook)",
             "* [Connect with Mary on LinkedIn](https://www.linkedin.com/in/mary)",
             "## Mary's Info:", "Mary Chen, founder of Rise and Shine",
             "<details><summary>Show Transcript</summary>", "Jason: Welcome to",
             "Mary: Thanks for having me", "</details>",
             "* [Take the course](https://example.com/course)"]
    positions = [body.index(item) for item in order]
    assert positions == sorted(positions)
    chapters = json.loads((folder / "chapters.json").read_text())
    assert chapters["version"] == "1.2.0"
    assert chapters["chapters"][0]["startTime"] == 0
    starts = [c["startTime"] for c in chapters["chapters"]]
    assert starts == sorted(starts) and all(c["title"] for c in chapters["chapters"])


# ---------------------------------------------------------------- host edits


def test_host_edit_survives_reruns_and_force_keeps_a_backup(tmp_path: Path) -> None:
    show = make_show(tmp_path / "show")
    folder = episode_with_transcript(show, "E7", CASES["single"])
    assert run(["notes", "E7"], show).exit_code == 0
    notes = folder / "notes.md"
    generated = notes.read_bytes()
    edited = generated.replace(b"*", b"_", 2) + "\nA line the host wrote: café ☕\n".encode()
    notes.write_bytes(edited)
    for _ in range(2):
        result = run(["notes", "E7"], show)
        assert result.exit_code == 0
        assert notes.read_bytes() == edited
        assert "kept your edited episodes/E7/notes.md" in result.stdout
        assert "notes.draft.md" in result.stdout and "--force" in result.stdout
        assert (folder / "notes.draft.md").read_bytes() == generated
    result = run(["notes", "E7", "--force"], show)
    assert result.exit_code == 0
    backups = sorted(folder.glob("notes.backup-*.md"))
    assert len(backups) == 1 and backups[0].read_bytes() == edited
    assert backups[0].name in result.stdout
    assert notes.read_bytes() == generated


def test_untouched_notes_are_regenerated_without_a_draft(tmp_path: Path) -> None:
    show = make_show(tmp_path / "show")
    folder = episode_with_transcript(show, "E7", CASES["single"])
    assert run(["notes", "E7"], show).exit_code == 0
    assert "is up to date" in run(["notes", "E7"], show).stdout
    yaml_path = folder / "episode.yaml"
    yaml_path.write_text(yaml_path.read_text().replace("Rising Early", "Rising Earlier"))
    result = run(["notes", "E7"], show)
    assert "updated episodes/E7/notes.md" in result.stdout
    assert "# E7: Rising Earlier" in (folder / "notes.md").read_text()
    assert not (folder / "notes.draft.md").exists()
    assert not list(folder.glob("notes.backup-*"))


def test_notes_md_that_showrunner_did_not_write_is_kept(tmp_path: Path) -> None:
    show = make_show(tmp_path / "show")
    folder = episode_with_transcript(show, "E7", CASES["single"])
    (folder / "notes.md").write_text("# My own notes\n")
    result = run(["notes", "E7"], show)
    assert result.exit_code == 0 and (folder / "notes.md").read_text() == "# My own notes\n"
    assert (folder / "notes.draft.md").is_file()


# ---------------------------------------------------------------- escaping and bad input


def test_user_text_is_escaped_in_markdown_and_front_matter(tmp_path: Path) -> None:
    title = '<script>alert(1)</script> & "Q&A" *bold* [x](javascript:y) &amp;'
    guest = ("name: \"Mary <b>Chen</b>\"\nbio:\n  - \"# not a heading, <img src=x onerror=alert(2)>\"\n"
             "linkedin: https://www.linkedin.com/in/mary\n")
    show = make_show(tmp_path / "show", guests={"mary-chen": guest})
    yaml_title = title.replace("\\", "\\\\").replace('"', '\\"')
    folder = episode_with_transcript(show, "E7", f'title: "{yaml_title}"\nnumber: 7\nguests: [mary-chen]\n')
    assert run(["notes", "E7"], show).exit_code == 0
    text = (folder / "notes.md").read_text()
    assert front_matter(text)["title"] == f"E7: {title}"
    body = text.split("---\n", 2)[2]
    assert not re.search(r"(?<!\\)<(?!/?details|summary|/summary)", body), "unescaped tag"
    assert r"\<script\>alert(1)\</script\>" in body
    assert r"\*bold\*" in body and r"\[x\](javascript:y)" in body and r"\&amp;" in body
    assert r"\# not a heading" in body


def test_missing_transcript_is_a_one_line_error(tmp_path: Path) -> None:
    show = make_show(tmp_path / "show")
    add_episode(show, "E7", CASES["single"])
    assert_one_line_error(run(["notes", "E7"], show), "transcript.json", "showrunner transcribe")


def test_broken_show_template_is_a_one_line_error(tmp_path: Path) -> None:
    show = make_show(tmp_path / "show")
    folder = episode_with_transcript(show, "E7", CASES["single"])
    (show / "templates").mkdir()
    (show / "templates" / "notes.md.j2").write_text("{% for x in %}\n")
    assert_one_line_error(run(["notes", "E7"], show), "template")
    assert not (folder / "notes.md").exists()


def test_show_template_overrides_one_block(tmp_path: Path) -> None:
    show = make_show(tmp_path / "show")
    folder = episode_with_transcript(show, "E7", CASES["single"])
    (show / "templates").mkdir()
    (show / "templates" / "notes.md.j2").write_text(
        '{% extends "!default/notes.md.j2" %}\n{% block hook %}*Listen closely.*\n\n{% endblock %}\n')
    assert run(["notes", "E7"], show).exit_code == 0
    text = (folder / "notes.md").read_text()
    assert "*Listen closely.*" in text and "## Mary's Info:" in text


# ---------------------------------------------------------------- the language-model writer


class ChatServer:
    """A local OpenAI-compatible chat-completions server; `mode` picks how it answers."""

    def __init__(self) -> None:
        self.mode = "ok"
        self.requests: list[dict[str, Any]] = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 — http.server's naming
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                outer.requests.append({"path": self.path, "body": body,
                                       "auth": self.headers.get("Authorization")})
                if outer.mode == "slow":
                    time.sleep(2.5)
                if outer.mode == "error":
                    self.send_error(500, "model crashed")
                    return
                content = {"ok": json.dumps({
                    "hook": "What keeps a bakery's starter alive for a decade?",
                    "summary": "Mary Chen shares how her bakery keeps going.",
                    "bullets": ["Starter care", "A first hire", "Prices that cover costs"]}),
                    "garbage": "Sure! Here are some ideas: starter, hiring, pricing.",
                    "off-format": json.dumps({
                        "hook": "Starters.", "summary": "About bread.",
                        "bullets": ["Starter care", "A first hire", "Prices"]})}.get(
                    outer.mode, "{}")
                payload = json.dumps({"choices": [{"message": {"role": "assistant",
                                                               "content": content}}]}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: Any) -> None:
                pass

        class Server(http.server.ThreadingHTTPServer):
            def handle_error(self, request: Any, client_address: Any) -> None:
                pass  # the slow answer arrives after the client gave up: a broken pipe

        self.server = Server(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture(scope="module")
def chat_server() -> Iterator[ChatServer]:
    server = ChatServer()
    yield server
    server.server.shutdown()


def writer_show(tmp_path: Path, url: str) -> Path:
    writer = (f"notes_writer:\n  base_url: {url}\n  model: tiny-test-model\n"
              "  api_key_env: SHOWRUNNER_TEST_KEY\n  timeout_s: 1\n")
    return make_show(tmp_path / "show", show_yaml=SHOW_YAML + writer)


def test_language_model_rewrites_hook_summary_and_bullets(
        tmp_path: Path, chat_server: ChatServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHOWRUNNER_TEST_KEY", "sk-local")
    chat_server.mode, chat_server.requests = "ok", []
    show = writer_show(tmp_path, chat_server.url)
    folder = episode_with_transcript(show, "E7", CASES["single"])
    result = run(["notes", "E7"], show)
    assert result.exit_code == 0 and result.stderr == ""
    assert "worded by tiny-test-model" in result.stdout
    meta = front_matter((folder / "notes.md").read_text())
    assert meta["hook"] == "What keeps a bakery's starter alive for a decade?"
    assert meta["topics"] == ["Starter care", "A first hire", "Prices that cover costs"]
    assert meta["summary"] == "Mary Chen shares how her bakery keeps going."
    assert meta["hook_alternatives"], "the offline hooks stay as alternatives"
    (request,) = chat_server.requests
    assert request["path"] == "/v1/chat/completions" and request["auth"] == "Bearer sk-local"
    assert request["body"]["model"] == "tiny-test-model"
    assert request["body"]["max_tokens"] == 1000, "a rambling model is cut off"
    assert "sourdough" in json.dumps(request["body"]["messages"]).lower()


@pytest.mark.parametrize("mode, reason", [("error", "HTTP 500"), ("slow", "no answer within 1 s"),
                                          ("garbage", "not JSON"), ("empty", "no hook"),
                                          ("off-format", "not a question of 8 to 25 words")])
def test_language_model_failure_keeps_the_offline_notes(
        tmp_path: Path, chat_server: ChatServer, mode: str, reason: str) -> None:
    offline_show = make_show(tmp_path / "offline")
    episode_with_transcript(offline_show, "E7", CASES["single"])
    assert run(["notes", "E7"], offline_show).exit_code == 0
    chat_server.mode = mode
    show = writer_show(tmp_path, chat_server.url)
    folder = episode_with_transcript(show, "E7", CASES["single"])
    result = run(["notes", "E7"], show)
    assert result.exit_code == 0
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and reason in lines[0] and "kept the offline wording" in lines[0]
    assert "offline wording" in result.stdout
    assert (folder / "notes.md").read_bytes() == \
        (offline_show / "episodes" / "E7" / "notes.md").read_bytes()


def test_unreachable_language_model_keeps_the_offline_notes(tmp_path: Path) -> None:
    show = writer_show(tmp_path, "http://127.0.0.1:9/v1")  # the discard port: nothing listens
    episode_with_transcript(show, "E7", CASES["single"])
    result = run(["notes", "E7"], show)
    assert result.exit_code == 0
    assert "cannot connect" in result.stderr and len(result.stderr.splitlines()) == 1
