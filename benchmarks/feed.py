"""The feed for 500 episodes: our build against a bare feedgen build of the same items."""

from __future__ import annotations

import datetime as dt
import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from showrunner.feed.build import Channel, Item
from showrunner.synth import solo_script, speak
from showrunner.synth.speech import HOST_VOICE

from .common import table, timed_python

EPISODES = 500
REPEATS = 7
TARGET_CPU_S, TARGET_RATIO = 0.4, 1.5  # issue #18


def _short_mp3(folder: Path) -> Path:
    """Ten seconds of generated speech as MP3 (each episode gets a hard link to it)."""
    speech = speak(solo_script("Jason Reed"), {"Jason Reed": HOST_VOICE})
    mp3 = folder / "clip.mp3"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(speech.wav), "-t", "10",
                    "-codec:a", "libmp3lame", "-b:a", "64k", str(mp3)], check=True)
    return mp3


def _show(root: Path) -> Path:
    from tests.feed_fixtures import CHAPTERS, NOTES_MD, PC20, SRT, VTT, episode_yaml
    from tests.helpers import make_show, write

    show = make_show(root / "show")
    clip = _short_mp3(root)
    start = dt.date(2016, 1, 4)
    for n in range(1, EPISODES + 1):
        folder = show / "episodes" / f"E{n}"
        date = (start + dt.timedelta(days=7 * (n - 1))).isoformat()
        write(folder, {"episode.yaml": episode_yaml(f"Episode title {n}", n, date),
                       "transcript.vtt": VTT, "transcript.srt": SRT,
                       "transcript.pc20.json": PC20, "chapters.json": CHAPTERS,
                       # Each episode's notes are its own, as in a real show.
                       "notes.md": NOTES_MD.replace("the first year of a bakery",
                                                    f"year {n} of a bakery")})
        (folder / "episode.mp3").hardlink_to(clip)
    return show


def _timed(run: Callable[[], object]) -> tuple[float, float]:
    """(least CPU seconds, median wall seconds) over REPEATS runs. CPU time is what the build
    costs; wall time also counts waiting for a core on a shared machine."""
    cpu, wall = [], []
    for _ in range(REPEATS):
        started, started_cpu = time.perf_counter(), time.process_time()
        run()
        cpu.append(time.process_time() - started_cpu)
        wall.append(time.perf_counter() - started)
    return min(cpu), statistics.median(wall)


def _bare_feedgen(channel: Channel, items: list[Item]) -> bytes:
    """What a plain feedgen + iTunes-extension script would write for the same items."""
    from feedgen.feed import FeedGenerator

    fg = FeedGenerator()
    fg.load_extension("podcast")
    fg.title(channel.title)
    fg.link(href=channel.feed_url, rel="self")
    fg.link(href=channel.website)
    fg.description(channel.description_html)
    fg.language(channel.language)
    fg.podcast.itunes_image(channel.artwork_url)
    fg.podcast.itunes_category(channel.category, channel.subcategory)
    fg.podcast.itunes_explicit("no")
    fg.podcast.itunes_owner(name=channel.owner_name, email=channel.owner_email)
    for item in items:
        fe = fg.add_entry(order="append")
        fe.title(item.title)
        fe.guid(item.guid, permalink=False)
        fe.pubDate(item.published)
        fe.enclosure(item.enclosure_url, str(item.enclosure_length), item.enclosure_type)
        fe.description(item.description_html)
        fe.content(item.description_html, type="CDATA")
        fe.podcast.itunes_duration(item.duration)
        fe.podcast.itunes_episode(item.number)
        fe.podcast.itunes_episode_type(item.episode_type)
        fe.podcast.itunes_explicit("no")
    return bytes(fg.rss_str(pretty=True))


def section() -> str:
    from showrunner.config import list_episodes, load_show
    from showrunner.feed import publish_feed, validate_feed_bytes
    from showrunner.feed.build import build_xml
    from showrunner.feed.gather import artwork_url, channel_facts
    from showrunner.feed.publish import _items
    from showrunner.layout import DURATIONS_CACHE, NOTES_HTML_CACHE

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        show_dir = _show(root)
        started, started_cpu = time.perf_counter(), time.process_time()
        publish_feed(load_show(show_dir))
        cold = (time.process_time() - started_cpu, time.perf_counter() - started)
        show = load_show(show_dir)
        items = _items(show, tuple(list_episodes(show)))
        channel = channel_facts(show, podcast_guid=show.podcast_guid or "",
                                artwork=artwork_url(show, show_dir / "artwork.jpg"))
        bare = _timed(lambda: _bare_feedgen(channel, items))
        ours = _timed(lambda: build_xml(channel, items))
        # The same items without the tags bare feedgen does not write (Podcasting 2.0,
        # Podlove chapters, the page link): what our layer costs for equal output.
        plain = [replace(i, transcripts=(), chapters_url=None, persons=(), season_tag=None,
                         number=None, chapters=(), soundbite=None, link=None) for i in items]
        equal = _timed(lambda: build_xml(channel, plain))
        checked = _timed(lambda: validate_feed_bytes(build_xml(channel, items)))
        loading = _timed(lambda: list_episodes(load_show(show_dir)))
        warm = _timed(lambda: publish_feed(load_show(show_dir)))
        no_durations = _timed(lambda: ((show_dir / DURATIONS_CACHE).unlink(),
                                       publish_feed(load_show(show_dir))))
        caches = (show_dir / NOTES_HTML_CACHE, show_dir / DURATIONS_CACHE)
        uncached = _timed(lambda: ([c.unlink() for c in caches],
                                   publish_feed(load_show(show_dir))))
        child = timed_python("from showrunner.config import load_show\n"
                             "from showrunner.feed import publish_feed\n"
                             f"publish_feed(load_show({str(show_dir)!r}))")
        size = (show_dir / "public" / "feed.xml").stat().st_size
        shutil.rmtree(show_dir / "public")

    def row(label: str, measured: tuple[float, float], peak: str = "") -> list[object]:
        cpu, wall = measured
        return [label, f"{cpu * 1000:.0f} ms", f"{cpu / bare[0]:.2f}×", f"{wall * 1000:.0f} ms",
                peak]

    rows = [row("bare feedgen + iTunes extension (same items, no Podcasting 2.0 tags)", bare),
            row("ours: XML build, same tags as bare (no Podcasting 2.0 or Podlove item tags)",
                equal),
            row("ours: XML build with ~7 Podcasting 2.0 tags per item (transcripts, chapters, "
                "persons, season/episode)", ours),
            row("ours: XML build + validation", checked),
            row("ours: whole `publish_feed`, nothing new (load 500 episode.yaml, read audio, "
                "compare media, render notes, build, validate, compare)", warm),
            row("… the same with no durations cache (every MP3 parsed again; notes from the "
                "cache)", no_durations),
            row("… the same with no caches (every note rendered again and every MP3 parsed, as "
                "before the caches; includes writing them)", uncached),
            row("… of which `config.list_episodes` (libyaml safe loader; round-trip only for "
                "edits)", loading),
            row("ours: whole `publish_feed` in a fresh process (wall includes imports)",
                (child.wall_s, child.wall_s), f"{child.peak_mib:.0f} MiB"),
            row("ours: first publication (copy media, store 500 guids, fsync each)", cold)]
    verdict = (f"Targets (issue #18): whole build of {EPISODES} unchanged episodes under "
               f"{TARGET_CPU_S} s CPU — {'met' if warm[0] < TARGET_CPU_S else 'NOT met'} "
               f"({warm[0]:.3f} s CPU, {warm[1]:.2f} s wall); XML build within {TARGET_RATIO}× "
               "bare feedgen for equal output — "
               f"{'met' if equal[0] / bare[0] <= TARGET_RATIO else 'NOT met'} "
               f"({equal[0] / bare[0]:.2f}×; {ours[0] / bare[0]:.2f}× with the Podcasting 2.0 "
               f"and Podlove tags bare feedgen does not write, {checked[0] / bare[0]:.2f}× with "
               "validation).")
    return "\n".join([
        "## feed", "",
        f"Building the feed for {EPISODES} episodes (each with a real MP3, VTT/SRT/JSON "
        f"transcripts, chapters and notes; the feed is {size / 1e6:.1f} MB), as a ratio to a "
        "bare feedgen build of the same items. CPU time is the least of "
        f"{REPEATS} in-process runs (robust on a shared machine); wall time is their median.",
        "", table(["what", "CPU time", "vs bare feedgen", "wall time", "peak memory"], rows),
        "", verdict, ""])


if __name__ == "__main__":
    print(section())
