"""`showrunner import`: a real feed served over real HTTP, imported, then republished.

Oracles: the source feed itself (guids, enclosure URLs, pubDates as instants), gPodder's
podcastparser and the Podcast Index parser podcast-partytime on the republished feed.
"""

from __future__ import annotations

import email.utils
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from ..feed_fixtures import partytime, podcastparser_parse
from ..helpers import REPO, add_episode, assert_one_line_error, make_show, run, tree_hashes
from .server import Files, Item, artwork, feed_xml, serving, sine_mp3

pytestmark = pytest.mark.clock  # fixed dates, and feed --now

NOW = "2026-12-01"
LINKS = ('<podcast:transcript url="https://old.example.com/e1.vtt" type="text/vtt" '
         'rel="captions"/><podcast:transcript url="https://old.example.com/e1.srt"/>'
         '<podcast:transcript url="https://old.example.com/e1.bin"/>'
         '<podcast:chapters url="https://old.example.com/e1.json" '
         'type="application/json+chapters"/>')


def _items(base: str, store: Files) -> list[Item]:
    items = []
    for k, (date, extra) in enumerate([("Mon, 05 Jan 2026 09:30:00 +0000", LINKS),
                                       ("Mon, 12 Jan 2026 06:15:00 -0500", ""),
                                       ("Tue, 20 Jan 2026 23:59:59 +0100", "")], 1):
        data = sine_mp3(1.0, 300 + 100 * k)
        store.files[f"/media/ep{k}.mp3"] = data
        items.append(Item(f"old-host-guid-{k}", f"Episode {k}: Bake {k}", date,
                          f"{base}/media/ep{k}.mp3", len(data), number=k,
                          description=f"<p>Bake <b>{k}</b> &amp; more.</p><ul><li>Flour</li>"
                                      f"<li><a href='https://example.com/{k}'>Recipe</a></li>"
                                      "</ul><script>alert(1)</script>", extra=extra))
    return items


@pytest.fixture()
def served() -> Iterator[tuple[Files, str]]:
    store = Files()
    store.files["/art/cover.jpg"] = artwork()
    with serving(store) as base:
        yield store, base


def _import(show: Path, feed: Path, *more: str) -> object:
    return run(["import", str(feed), "--quiet", *more], show)


def _kept(feed: Path) -> dict[str, tuple[str, int, float]]:
    """guid -> (enclosure URL, length, pubDate as a moment), as gPodder's parser reads them."""
    return {e["guid"]: (e["enclosures"][0]["url"], e["enclosures"][0]["file_size"],
                        e["published"]) for e in podcastparser_parse(feed)["episodes"]}


def _yaml(path: Path) -> dict:
    return YAML(typ="safe").load(path.read_text())


def test_an_imported_feed_republishes_every_guid_enclosure_and_date(served, tmp_path: Path):
    store, base = served
    items = _items(base, store)
    feed = tmp_path / "old.xml"
    feed.write_text(feed_xml(base, items))
    show = tmp_path / "show"
    result = _import(show, feed)
    assert result.exit_code == 0, result.output + result.stderr
    assert "imported 3 episode(s)" in result.output
    e1 = _yaml(show / "episodes/E1/episode.yaml")
    assert e1["guid"] == "old-host-guid-1" and e1["status"] == "released"
    assert e1["imported"]["enclosure"]["url"] == f"{base}/media/ep1.mp3"
    assert (show / "episodes/E1/ep1.mp3").read_bytes() == store.files["/media/ep1.mp3"]
    assert not (show / "episodes/E1/.notes.sha256").exists()  # the host's from the start
    notes = (show / "episodes/E1/notes.md").read_text()
    assert "**1**" in notes and "[Recipe](https://example.com/1)" in notes
    assert "alert" not in notes
    assert _yaml(show / "show.yaml")["podcast_guid"] == "c7b1a8a4-2f46-5f0e-9a38-3f4f4b1e2d11"

    assert run(["render", "E1"], show).exit_code == 0
    page = (show / "public/episodes/E1/index.html").read_text()
    assert "Recipe" in page and "<script>alert" not in page

    done = run(["feed", "--now", NOW, "--quiet"], show)
    assert done.exit_code == 0, done.output + done.stderr
    republished = show / "public/feed.xml"
    assert _kept(republished) == _kept(feed)
    for item in items:
        moment = email.utils.parsedate_to_datetime(item.pub_date).timestamp()
        assert _kept(republished)[item.guid] == (item.url, item.length, moment)
    index = partytime(republished)
    assert len(index["items"]) == len(partytime(feed)["items"]) == len(items)
    first = next(i for i in index["items"] if i["guid"] == "old-host-guid-1")
    # a transcript without a type gets the one its name implies; one of no knowable type is left out
    assert [(t["url"], t["type"]) for t in first["podcastTranscripts"]] == [
        ("https://old.example.com/e1.vtt", "text/vtt"),
        ("https://old.example.com/e1.srt", "application/srt")]
    assert first["podcastChapters"]["url"] == "https://old.example.com/e1.json"
    assert index["guid"] == "c7b1a8a4-2f46-5f0e-9a38-3f4f4b1e2d11"


def test_a_rerun_imports_only_what_is_new_and_overwrites_nothing(served, tmp_path: Path):
    store, base = served
    items = _items(base, store)
    feed = tmp_path / "old.xml"
    feed.write_text(feed_xml(base, items[:2]))
    show = tmp_path / "show"
    assert _import(show, feed).exit_code == 0
    notes = show / "episodes/E1/notes.md"
    notes.write_text(notes.read_text() + "\nThe host's own line.\n")
    before = tree_hashes(show)
    fetched = len(store.hits)
    feed.write_text(feed_xml(base, items))
    result = _import(show, feed)
    assert result.exit_code == 0, result.stderr
    assert "imported 1 episode(s)" in result.output and "2 already imported" in result.output
    after = tree_hashes(show)
    assert {k: v for k, v in after.items() if k in before} == before
    assert {k.split("/")[1] for k in set(after) - set(before)} == {"E3"}
    assert store.hits[fetched:] == ["/media/ep3.mp3"]


def test_media_come_from_a_folder_by_file_name(served, tmp_path: Path):
    store, base = served
    items = _items(base, store)
    media = tmp_path / "mp3s"
    media.mkdir()
    for k in (1, 2, 3):
        (media / f"ep{k}.mp3").write_bytes(store.files[f"/media/ep{k}.mp3"])
    feed = tmp_path / "old.xml"
    feed.write_text(feed_xml(base, items))
    result = _import(tmp_path / "show", feed, "--media", str(media))
    assert result.exit_code == 0, result.stderr
    assert not [hit for hit in store.hits if hit.startswith("/media/")]


def test_an_interrupted_download_resumes_on_the_next_run(served, tmp_path: Path):
    store, base = served
    items = _items(base, store)
    store.cut_once.add("/media/ep2.mp3")
    feed = tmp_path / "old.xml"
    feed.write_text(feed_xml(base, items))
    show = tmp_path / "show"
    first = _import(show, feed)
    assert first.exit_code == 1
    assert "item 2 ('Episode 2: Bake 2')" in first.stderr and "resume" in first.stderr
    assert not (show / "episodes/E2").exists()
    partial = list((show / ".showrunner-import").glob("*.part"))
    assert len(partial) == 1 and 0 < partial[0].stat().st_size < items[1].length
    second = _import(show, feed)
    assert second.exit_code == 0, second.stderr
    assert (show / "episodes/E2/ep2.mp3").read_bytes() == store.files["/media/ep2.mp3"]
    assert store.hits.count("/media/ep2.mp3") == 2


def test_a_file_changed_on_the_server_since_the_interruption_comes_again_whole(served,
                                                                              tmp_path: Path):
    store, base = served
    items = _items(base, store)[:2]
    store.cut_once.add("/media/ep2.mp3")
    feed = tmp_path / "old.xml"
    feed.write_text(feed_xml(base, items))
    show = tmp_path / "show"
    assert _import(show, feed).exit_code == 1
    store.files["/media/ep2.mp3"] = sine_mp3(1.5, 700)  # re-encoded on the old host meanwhile
    assert _import(show, feed).exit_code == 0
    assert (show / "episodes/E2/ep2.mp3").read_bytes() == store.files["/media/ep2.mp3"]
    assert not list((show / ".showrunner-import").iterdir())


def test_force_writes_an_imported_episode_again_keeping_the_old_notes(served, tmp_path):
    store, base = served
    feed = tmp_path / "old.xml"
    feed.write_text(feed_xml(base, _items(base, store)[:1]))
    show = tmp_path / "show"
    assert _import(show, feed).exit_code == 0
    notes = show / "episodes/E1/notes.md"
    notes.write_text("# edited\n")
    assert _import(show, feed, "--force").exit_code == 0
    assert (show / "episodes/E1/notes.before-import.md").read_text() == "# edited\n"
    assert "Bake" in notes.read_text()


def test_notes_never_replace_the_imported_notes(served, tmp_path: Path):
    store, base = served
    feed = tmp_path / "old.xml"
    feed.write_text(feed_xml(base, _items(base, store)[:1]))
    show = tmp_path / "show"
    assert _import(show, feed).exit_code == 0
    folder = show / "episodes/E1"
    imported = (folder / "notes.md").read_bytes()
    shutil.copyfile(REPO / "tests/golden/notes/transcript.json", folder / "transcript.json")
    result = run(["notes", "E1", "--quiet"], show)
    assert result.exit_code == 0, result.output + result.stderr
    assert "kept your edited" in result.output
    assert (folder / "notes.md").read_bytes() == imported
    assert (folder / "notes.draft.md").is_file()


def test_an_imported_episode_whose_audio_is_re_produced_publishes_it_under_the_same_guid(
        served, tmp_path: Path):
    store, base = served
    feed = tmp_path / "old.xml"
    feed.write_text(feed_xml(base, _items(base, store)[:2]))
    show = tmp_path / "show"
    assert _import(show, feed).exit_code == 0
    mastered = show / "episodes/E2/E2.mp3"  # what mastering writes
    mastered.write_bytes(sine_mp3(2.0, 550))
    assert run(["feed", "--now", NOW, "--quiet"], show).exit_code == 0
    kept = _kept(show / "public/feed.xml")
    assert kept["old-host-guid-1"][0] == f"{base}/media/ep1.mp3"
    assert kept["old-host-guid-2"][:2] == ("https://old.example.com/episodes/E2/E2.mp3",
                                           mastered.stat().st_size)


def test_force_leaves_an_episode_that_was_not_imported_alone(served, tmp_path: Path):
    store, base = served
    feed = tmp_path / "old.xml"
    feed.write_text(feed_xml(base, _items(base, store)[:1]))
    show = make_show(tmp_path / "show")
    add_episode(show, "mine", "title: Mine\nguid: old-host-guid-1\n")
    before = tree_hashes(show / "episodes")
    show_yaml = (show / "show.yaml").read_bytes()
    result = _import(show, feed, "--force")
    assert result.exit_code == 1
    assert "episode mine's, which was not imported" in result.stderr
    assert tree_hashes(show / "episodes") == before
    assert (show / "show.yaml.before-import").read_bytes() == show_yaml  # --force kept a copy


def test_a_channel_that_cannot_become_show_yaml_is_one_line_and_writes_nothing(served,
                                                                               tmp_path: Path):
    store, base = served
    feed = tmp_path / "old.xml"
    feed.write_text(feed_xml(base, _items(base, store)).replace(
        "<itunes:email>jason@example.com</itunes:email>", ""))
    show = tmp_path / "show"
    result = _import(show, feed)
    assert_one_line_error(result, "old.xml", "owner.email", "write show.yaml yourself")
    assert not show.exists() or not [p for p in show.rglob("*") if p.is_file()]
