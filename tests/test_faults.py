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

from .catalogue.server import Files, Item, feed_xml, serving, sine_mp3
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
    # ---- import: a hostile or broken feed changes nothing
    Case("import billion laughs", ["import", "lol.xml"], ("lol.xml", "entities"),
         _write("lol.xml", '<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa">'
                + "".join(f'<!ENTITY {c} "{("&" + p + ";") * 10}">'
                          for p, c in zip("abcdefgh", "bcdefghi", strict=True))
                + ']><rss version="2.0"><channel><title>&i;</title></channel></rss>')),
    Case("import XXE", ["import", "xxe.xml"], ("xxe.xml", "entities"),
         _write("xxe.xml", '<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x SYSTEM '
                '"file:///etc/passwd">]><rss version="2.0"><channel><title>&x;</title>'
                "</channel></rss>")),
    Case("import a feed that is not XML", ["import", "bad.xml"], ("bad.xml", "well-formed"),
         _write("bad.xml", "<rss><channel><title>A & B</title></channel></rss>")),
    Case("import an Atom feed", ["import", "atom.xml"], ("atom.xml", "not an RSS feed"),
         _write("atom.xml", '<feed xmlns="http://www.w3.org/2005/Atom"><title>x</title></feed>')),
    Case("import a missing feed", ["import", "nowhere.xml"], ("nowhere.xml",)),
    Case("import with a missing media folder", ["import", "feed.xml", "--media", "mp3s"],
         ("mp3s", "not a folder"), _write("feed.xml", '<rss version="2.0"><channel/></rss>')),
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


# ---------------------------------------------------------------- import: bad items


def _bad_items(base: str, store: Files) -> list[tuple[Item, str | None]]:
    """(item, the words its skip line must hold, or None where it imports, safely named)."""
    mp3 = sine_mp3(1.0, 440)
    for name in ("ok", "ok2", "ok5"):
        store.files[f"/{name}.mp3"] = mp3
    store.files["/a/..%2F..%2F..%2Fevil.mp3"] = mp3
    store.files["/nul%00.mp3"] = mp3
    store.files["/big.mp3"] = store.files["/unsized.mp3"] = bytes(3 * 1024 * 1024)
    store.unsized.add("/unsized.mp3")
    store.redirects["/moved.mp3"] = "file:///etc/passwd"
    store.redirects["/moved-ftp.mp3"] = "ftp://127.0.0.1/x.mp3"
    store.redirects["/moved-ok.mp3"] = "/ok5.mp3"
    store.files["/slow.mp3"] = mp3
    store.stall.add("/slow.mp3")
    date = "Mon, 05 Jan 2026 09:30:00 +0000"

    def item(guid: str, url: str, *, pub: str = date, title: str = "") -> Item:
        return Item(guid, title or guid, pub, url, len(mp3))

    return [
        (item("good", f"{base}/ok.mp3"), None),
        (item("../../../../etc/passwd", f"{base}/ok2.mp3", title="../../x"), None),
        (item("traversal-in-url", f"{base}/a/..%2F..%2F..%2Fevil.mp3"), None),
        (item("nul-in-url", f"{base}/nul%00.mp3"), None),
        (item("/abs/path", f"{base}/ok5.mp3", title="/etc/cron.d/x"), None),
        (item("file-url", "file:///etc/passwd"), "not an http(s) address"),
        (item("javascript-url", "javascript:alert(1)"), "not an http(s) address"),
        (item("ftp-url", "ftp://example.com/x.mp3"), "not an http(s) address"),
        (item("no-date", f"{base}/ok.mp3", pub=""), "pubDate"),
        (item("bad-date", f"{base}/ok.mp3", pub="Mon, 45 Foo 2024 99:00:00"), "RFC 2822"),
        (item("missing-media", f"{base}/gone.mp3"), "HTTP 404"),
        (item("too-big", f"{base}/big.mp3"), "limit"),
        (item("too-big-unsized", f"{base}/unsized.mp3"), "limit"),
        (item("redirect-to-file", f"{base}/moved.mp3"), "not allowed"),
        (item("redirect-to-ftp", f"{base}/moved-ftp.mp3"), "redirects to 'ftp://"),
        (item("redirect-to-http", f"{base}/moved-ok.mp3"), None),
        (item("stalled", f"{base}/slow.mp3"), "resume"),
        (item("good", f"{base}/ok2.mp3", title="good again"), "guid is item 1's"),
        (item("same-enclosure", f"{base}/ok.mp3"), "enclosure url is item 1's"),
    ]


def test_import_skips_each_bad_item_with_one_line_and_imports_the_rest(tmp_path: Path) -> None:
    store = Files()
    with serving(store) as base:
        cases = _bad_items(base, store)
        feed = tmp_path / "feed.xml"
        feed.write_text(feed_xml(base, [i for i, _ in cases]).replace(
            "<pubDate></pubDate>", ""))
        show = make_show(tmp_path / "show")
        result = run(["import", str(feed), "--quiet", "--max-mb", "1", "--timeout", "1"], show)
    assert result.exit_code == 1 and "Traceback" not in result.output + result.stderr
    lines = result.stderr.strip().splitlines()
    bad = [(k, needle) for k, (_, needle) in enumerate(cases, 1) if needle]
    assert len(lines) == len(bad), result.stderr
    for line, (position, needle) in zip(lines, bad, strict=True):
        assert line.startswith(f"skipped item {position} ("), line
        assert needle in line, (needle, line)
    imported = sorted(p.parent for p in show.glob("episodes/*/episode.yaml"))
    assert len(imported) == len(cases) - len(bad)
    for path in tmp_path.rglob("*"):  # nothing was written outside the show folder
        assert path.resolve().is_relative_to(show.resolve()) or path in (feed, show), path
    for folder in imported:
        assert folder.parent == show / "episodes"
        names = [p.name for p in folder.iterdir()]
        assert all(n.isascii() and "\0" not in n and ".." not in n for n in names), names
