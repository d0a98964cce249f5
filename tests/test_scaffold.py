"""`init` and `new` through the CLI."""

from __future__ import annotations

from pathlib import Path

import pytest

from showrunner.config import load_episode, load_show

from .helpers import add_episode, assert_one_line_error, run

# Dates matter here: test_clock runs these again with the clock five years ahead.
pytestmark = pytest.mark.clock


def test_init_scaffolds_a_loadable_show(tmp_path: Path) -> None:
    result = run(["init", str(tmp_path / "my-show"), "--title", 'The "Quoted" Show'])
    assert result.exit_code == 0, result.output
    text = (tmp_path / "my-show" / "show.yaml").read_text()
    assert "# transcription:" in text and "# corrections:" in text  # every setting, commented
    show = load_show(tmp_path / "my-show")
    assert show.title == 'The "Quoted" Show'
    assert (tmp_path / "my-show" / "episodes").is_dir()
    assert not (tmp_path / "my-show" / "templates").exists()


def test_init_copies_templates_only_on_request(tmp_path: Path) -> None:
    result = run(["init", str(tmp_path / "s"), "--templates"])
    assert result.exit_code == 0, result.output
    assert any((tmp_path / "s" / "templates").iterdir())


def test_init_refuses_an_existing_show(show: Path) -> None:
    before = (show / "show.yaml").read_bytes()
    result = run(["init", str(show)])
    assert result.exit_code == 1 and "already exists" in result.stderr
    assert (show / "show.yaml").read_bytes() == before


def test_new_numbers_episodes_and_copies_audio(show: Path, tmp_path: Path) -> None:
    add_episode(show, "E4", "title: Earlier\nnumber: 4\n")
    audio = tmp_path / "take1.wav"
    audio.write_bytes(b"RIFF....WAVE")
    result = run(["new", "dana-1", "--title", "Finding the Grain", "--guest", "mary-chen",
                  "--date", "2026-03-10", "--audio", str(audio)], show)
    assert result.exit_code == 0, result.output
    episode = load_episode(load_show(show), "dana-1")
    assert episode.number == 5 and episode.guest_slugs == ("mary-chen",)
    assert episode.audio == "take1.wav" and (episode.folder / "take1.wav").is_file()
    assert episode.status == "draft"
    assert not list((show / "episodes").glob(".*"))  # no staging folder left behind


def test_new_with_tracks_copies_one_file_per_person(show: Path, tmp_path: Path) -> None:
    (tmp_path / "jason.wav").write_bytes(b"RIFF-host")
    (tmp_path / "mary.wav").write_bytes(b"RIFF-guest")
    result = run(["new", "E9", "--title", "Two mics", "--guest", "mary-chen",
                  "--track", f"jason-reed={tmp_path / 'jason.wav'}",
                  "--track", f"mary-chen={tmp_path / 'mary.wav'}"], show)
    assert result.exit_code == 0, result.output + result.stderr
    folder = show / "episodes" / "E9"
    assert (folder / "jason.wav").read_bytes() == b"RIFF-host"
    assert (folder / "mary.wav").read_bytes() == b"RIFF-guest"
    episode = load_episode(load_show(show), "E9")
    assert [(t.slug, t.name, t.file) for t in episode.tracks] == [
        ("jason-reed", "Jason Reed", "jason.wav"), ("mary-chen", "Mary Chen", "mary.wav")]
    assert episode.audio_path == folder / "mixed.wav"


def test_new_refuses_a_track_for_someone_unknown(show: Path, tmp_path: Path) -> None:
    (tmp_path / "omar.wav").write_bytes(b"RIFF")
    result = run(["new", "E9", "--title", "Two mics",
                  "--track", f"omar-haddad={tmp_path / 'omar.wav'}"], show)
    assert_one_line_error(result, "omar.wav", "omar-haddad", "not a host or a guest")
    assert not (show / "episodes" / "E9").exists()
