"""The bad-input and fault matrix (SPEC §6): every case through the real CLI.

For every case: exit != 0, exactly one line on stderr naming the file and the fix, no traceback,
and every existing output byte-identical (the show folder is hashed before and after).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
import soundfile

from showrunner.synth import TOPICS, Conversation, interview_script, speak
from showrunner.synth.speech import GUEST_VOICE, HOST_VOICE

from .conftest import GUEST, HOST
from .helpers import add_episode, assert_one_line_error, make_show, run, tree_hashes

EPISODE = ("title: Talk\nnumber: 1\ndate: 2026-01-05\nguests: [mary-chen]\naudio: raw.wav\n"
           "status: released\n")


@dataclass(frozen=True)
class Case:
    name: str
    args: list[str]
    needles: tuple[str, ...]
    setup: Callable[[Path], object] = lambda show: None


@pytest.fixture(scope="module")
def talk() -> Conversation:
    return speak(interview_script(HOST, GUEST, TOPICS[:1]), {HOST: HOST_VOICE, GUEST: GUEST_VOICE})


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, talk: Conversation) -> Path:
    """A show with one episode taken through every stage once (real recognition)."""
    show = make_show(tmp_path_factory.mktemp("built") / "show")
    add_episode(show, "E1", EPISODE, talk.wav)
    result = run(["episode", "E1", "--quiet"], show)
    assert result.exit_code == 0, result.output + result.stderr
    return show


def _write(relative: str, content: str | bytes) -> Callable[[Path], None]:
    def setup(show: Path) -> None:
        path = show / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return setup


def _edit(relative: str, old: str, new: str) -> Callable[[Path], None]:
    def setup(show: Path) -> None:
        path = show / relative
        text = path.read_text(encoding="utf-8")
        assert old in text, (old, relative)
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return setup


def _remove(relative: str) -> Callable[[Path], None]:
    return lambda show: (show / relative).unlink()


def _both(*steps: Callable[[Path], object]) -> Callable[[Path], None]:
    def setup(show: Path) -> None:
        for step in steps:
            step(show)
    return setup


def _wav(seconds: float, loud: bool) -> bytes:
    path = Path(os.environ.get("TMPDIR", "/tmp")) / f"showrunner-faults-{os.getpid()}.wav"
    samples = (0.3 * np.sin(np.arange(int(16000 * seconds)) / 5.0) if loud
               else np.zeros(int(16000 * seconds))).astype(np.float32)
    soundfile.write(str(path), samples, 16000, subtype="PCM_16")
    data = path.read_bytes()
    path.unlink()
    return data


RAW = "episodes/E1/raw.wav"
YAML = "episodes/E1/episode.yaml"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(200)

CASES = [
    # ---- transcribe: audio
    Case("empty audio", ["transcribe", "E1"], ("raw.wav", "empty"), _write(RAW, b"")),
    Case("corrupt audio", ["transcribe", "E1"], ("raw.wav",),
         _write(RAW, b"RIFF\x10\x00\x00\x00WAVEjunk" + os.urandom(3000))),
    Case("truncated audio", ["transcribe", "E1"], ("raw.wav",), _write(RAW, _wav(2, True)[:300])),
    Case("text renamed .mp3", ["transcribe", "E1"], ("notes.mp3",),
         _both(_write("episodes/E1/notes.mp3", "just some text\n"),
               _edit(YAML, "audio: raw.wav", "audio: notes.mp3"))),
    Case("unsupported container", ["transcribe", "E1"], ("raw.m4a",),
         _both(_write("episodes/E1/raw.m4a", PNG), _edit(YAML, "audio: raw.wav", "audio: raw.m4a"))),
    Case("all silence", ["transcribe", "E1", "--force"], ("raw.wav", "speech"),
         _write(RAW, _wav(8, False))),
    Case("missing audio file", ["transcribe", "E1"], ("missing.wav",),
         _edit(YAML, "audio: raw.wav", "audio: missing.wav")),
    Case("no audio named", ["transcribe", "E1"], ("episode.yaml", "audio"),
         _edit(YAML, "audio: raw.wav\n", "")),
    Case("unknown engine", ["transcribe", "E1", "--force"], ("whisperx", "faster-whisper"),
         _edit("show.yaml", "transcription:\n", "transcription:\n  engine: whisperx\n")),
    Case("model missing offline", ["transcribe", "E1", "--force", "--model", "medium.en"],
         ("medium.en",)),
    Case("missing voice sample", ["transcribe", "E1", "--force"], ("voices/jason.wav",),
         _edit("show.yaml", "    linkedin: https://www.linkedin.com/in/jason\n",
               "    linkedin: https://www.linkedin.com/in/jason\n    voice_sample: voices/jason.wav\n")),
    # ---- split
    Case("one part", ["split", "E1", "--parts", "1"], ("--parts",)),
    Case("more parts than turns", ["split", "E1", "--parts", "500"], ("500",)),
    Case("max-minutes below the longest turn", ["split", "E1", "--max-minutes", "0.05"],
         ("--max-minutes",)),
    Case("split without transcript", ["split", "E1", "--parts", "2"], ("transcript",),
         _remove("episodes/E1/transcript.json")),
    Case("missing bumper", ["split", "E1", "--parts", "2"], ("audio/missing.wav",),
         _edit("show.yaml", "transcription:\n",
               "audio:\n  welcome_back: audio/missing.wav\ntranscription:\n")),
    Case("missing artwork for split", ["split", "E1", "--parts", "2"], ("artwork.jpg",),
         _remove("artwork.jpg")),
    # ---- notes
    Case("unknown guest", ["notes", "E1"], ("episode.yaml", "ghost"),
         _edit(YAML, "guests: [mary-chen]", "guests: [ghost]")),
    Case("malformed transcript", ["notes", "E1", "--force"], ("transcript.json",),
         _write("episodes/E1/transcript.json", '{"segments": [{"start": "soon"}]}')),
    Case("guest bio of the wrong type", ["notes", "E1", "--force"], ("mary-chen.yaml", "bio"),
         _write("guests/mary-chen.yaml", "name: Mary Chen\nbio: {a: b}\n")),
    # ---- render
    Case("render without notes", ["render", "E1"], ("notes.md", "showrunner notes"),
         _remove("episodes/E1/notes.md")),
    Case("javascript link in notes", ["render", "E1"], ("notes.md", "javascript:"),
         _edit("episodes/E1/notes.md", "](https://", "](javascript:alert(1)//")),
    Case("broken override template", ["render", "E1"], ("episode.html.j2", "line 1"),
         _write("templates/episode.html.j2", "{% block nope %}\n")),
    # ---- feed
    Case("jpeg artwork", ["feed"], ("artwork.jpeg",),
         _both(lambda show: shutil.copyfile(show / "artwork.jpg", show / "artwork.jpeg"),
               _edit("show.yaml", "artwork: artwork.jpg", "artwork: artwork.jpeg"))),
    Case("artwork too small", ["feed"], ("artwork.png", "1400"),
         _both(lambda show: __import__("PIL.Image").Image.new("RGB", (600, 600)).save(
             show / "artwork.png"), _edit("show.yaml", "artwork: artwork.jpg", "artwork: artwork.png"))),
    Case("category not Apple's", ["feed"], ("show.yaml", "Bakery"),
         _edit("show.yaml", "category: Business", "category: Bakery")),
    Case("owner email missing", ["feed"], ("show.yaml", "owner.email"),
         _edit("show.yaml", ", email: jason@example.com", "")),
    # ---- validate
    Case("validate a missing feed", ["validate", "nowhere.xml"], ("nowhere.xml",)),
    Case("validate a non-XML file", ["validate", "show.yaml"], ("show.yaml", "XML")),
    # ---- ids, YAML, Unicode
    Case("path-like id", ["episode", "../x"], ("looks like a path",)),
    Case("reserved id", ["render", "NUL"], ("reserved",)),
    Case("setting typo", ["transcribe", "E1"], ("show.yaml", "did you mean 'transcription'"),
         _edit("show.yaml", "transcription:", "transcripton:")),
    Case("YAML syntax error", ["notes", "E1"], ("episode.yaml", "line 2"),
         _edit(YAML, "number: 1\n", "number: [1\n")),
    Case("explicit maybe", ["feed"], ("show.yaml", "explicit", "true or false"),
         _edit("show.yaml", "category: Business", "category: Business\nexplicit: maybe")),
    Case("NUL in show title", ["feed"], ("show.yaml", "NUL"),
         _edit("show.yaml", 'title: "Test Kitchen"', 'title: "Test\\0Kitchen"')),
    Case("init over a show", ["init", "."], ("show.yaml", "already exists")),
    Case("unknown guest on new", ["new", "E9", "--title", "x", "--guest", "ghost"], ("ghost",)),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_fault_matrix(case: Case, built: Path, tmp_path: Path,
                      monkeypatch: pytest.MonkeyPatch) -> None:
    show = tmp_path / "show"
    shutil.copytree(built, show)
    case.setup(show)
    monkeypatch.chdir(show)
    before = tree_hashes(show)
    result = run(case.args, show)
    assert_one_line_error(result, *case.needles)
    assert tree_hashes(show) == before


def test_matrix_size() -> None:
    print(f"\nfault matrix: {len(CASES)} cases (+ read-only, full disk, SIGKILL below)")
    assert len(CASES) >= 30


# ---------------------------------------------------------------- the environment fails


def _in_namespace(show: Path, script: str) -> subprocess.CompletedProcess[str]:
    """Run `script` as root of a private user+mount namespace (no real privileges needed)."""
    return subprocess.run(["unshare", "-rm", "bash", "-c", script], cwd=show, text=True,
                          capture_output=True, timeout=600,
                          env=dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path)))


CLI = f"{sys.executable} -m showrunner.cli"


@pytest.mark.parametrize("args", [["render", "E1"], ["notes", "E1", "--force"], ["feed"]])
def test_read_only_output_folder(args: list[str], built: Path, tmp_path: Path) -> None:
    show = tmp_path / "show"
    shutil.copytree(built, show)
    target = "public" if args[0] in ("render", "feed") else "episodes/E1"
    # Something to write: the host changed the notes since the last build.
    notes = show / "episodes/E1/notes.md"
    notes.write_text(notes.read_text() + "\nA line the host added.\n")
    before = tree_hashes(show)
    done = _in_namespace(show, f"mount --bind -o ro {target} {target} && "
                               f"mount -o remount,bind,ro {target} && {CLI} {' '.join(args)}")
    assert done.returncode != 0, done.stdout
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in done.stderr, done.stderr
    assert "permission denied" in lines[0] or "read-only" in lines[0], lines[0]
    assert tree_hashes(show) == before


def test_full_disk(built: Path, tmp_path: Path) -> None:
    show = tmp_path / "show"
    shutil.copytree(built, show)
    before = (show / "public" / "feed.xml").read_bytes()
    (show / "episodes/E1/notes.md").write_text(
        (show / "episodes/E1/notes.md").read_text() + "\nA new paragraph the host wrote.\n")
    # public/ becomes a tiny disk holding exactly its old content, then the feed is rebuilt.
    files = [p for p in (show / "public").rglob("*") if p.is_file()]
    pages = sum(-(-p.stat().st_size // 4096) for p in files)
    size = 4096 * pages  # tmpfs counts whole pages: room for the old files, no more
    done = _in_namespace(show, f"cp -a public /tmp/public.$$ && mount -t tmpfs -o size={size} "
                               f"tmpfs public && cp -a /tmp/public.$$/. public/ && "
                               f"{CLI} feed; code=$?; sha256sum public/feed.xml; exit $code")
    assert done.returncode != 0, done.stdout
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "disk is full" in lines[0], done.stderr
    import hashlib

    assert hashlib.sha256(before).hexdigest() in done.stdout  # the old feed, intact


# ---------------------------------------------------------------- killed mid-write


def _kill_after(show: Path, args: list[str], seconds: float) -> None:
    child = subprocess.Popen([sys.executable, "-m", "showrunner.cli", *args, "--show", str(show)],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        child.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait()


def _whole(show: Path) -> None:
    """Every output parses: no half-written file anywhere."""
    import json

    from lxml import etree

    for path in show.rglob("*"):
        if path.suffix == ".json":
            json.loads(path.read_text())
        elif path.suffix == ".xml":
            etree.parse(str(path))
        elif path.suffix == ".mp3":
            done = subprocess.run(["ffmpeg", "-v", "error", "-i", str(path), "-f", "null", "-"],
                                  capture_output=True, text=True, check=False)
            assert done.returncode == 0 and not done.stderr.strip(), (path, done.stderr)


@pytest.mark.parametrize(("args", "delays"), [
    (["transcribe", "E1", "--force"], (3.0, 6.0)),
    (["split", "E1", "--parts", "2", "--force"], (2.0, 4.0)),
    (["notes", "E1", "--force"], (1.5, 3.0)),
    (["render", "E1"], (0.8, 1.6)),
    (["feed"], (0.8, 1.6)),
], ids=["transcribe", "split", "notes", "render", "feed"])
def test_sigkill_mid_write(args: list[str], delays: tuple[float, ...], built: Path,
                           tmp_path: Path) -> None:
    show = tmp_path / "show"
    shutil.copytree(built, show)
    notes = (show / "episodes/E1/notes.md").read_text() + "\nThe host's own edit.\n"
    (show / "episodes/E1/notes.md").write_text(notes)
    old_feed = (show / "public/feed.xml").read_bytes()
    for delay in delays:
        _kill_after(show, args, delay)
        _whole(show)
        feed = (show / "public/feed.xml").read_bytes()
        assert feed == old_feed or args == ["feed"]
    assert "The host's own edit." in (show / "episodes/E1/notes.md").read_text()
    result = run(["episode", "E1", "--quiet"], show)  # the next run completes and tidies up
    assert result.exit_code == 0, result.output + result.stderr
    assert not list(show.rglob("*.showrunner-tmp*"))
    assert run(["validate", str(show / "public/feed.xml")]).exit_code == 0
