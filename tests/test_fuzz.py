"""Property-based fuzzing: the YAML loaders and transcript parsers fail only with our one-line errors."""

from __future__ import annotations

import functools
import io
import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from showrunner.config import EPISODE_SCHEMA, GUEST_SCHEMA, SHOW_SCHEMA, load_episode, load_show
from showrunner.errors import ShowrunnerError
from showrunner.transcripts import load

from .helpers import GUEST_YAML, make_show

FUZZ = settings(max_examples=2000, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6),
                    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=30),
                    st.dates())


def values(keys: list[str]) -> st.SearchStrategy[Any]:
    key = st.one_of(st.sampled_from(keys), st.text(max_size=12))
    return st.recursive(scalars, lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(key, inner, max_size=5)), max_leaves=12)


def documents(schema: Any) -> st.SearchStrategy[Any]:
    """Mostly-valid documents: the schema's keys with random values, plus random noise."""
    keys = list(schema.fields)
    nested = sorted({k for spec in schema.fields.values()
                     for k in getattr(spec, "fields", {})})
    return st.one_of(st.dictionaries(st.sampled_from(keys), values(keys + nested), max_size=12),
                     values(keys))


def dump(document: Any) -> str:
    stream = io.StringIO()
    YAML(typ="safe").dump(document, stream)
    return stream.getvalue()


texts = st.one_of(st.text(max_size=200),
                  st.text(alphabet=":-[]{}#&*!|>'\"%@`\n\t ,?x0", max_size=120))


@functools.cache
def _show_for(where: str) -> Path:
    # One show per fuzzed file, kept for the session: each example only rewrites that file.
    show = make_show(Path(tempfile.mkdtemp(prefix="showrunner-fuzz-")) / "show",
                     guests={"mary-chen": GUEST_YAML})
    (show / "episodes/E1").mkdir(parents=True, exist_ok=True)
    (show / "episodes/E1/episode.yaml").write_text("title: T\nguests: [mary-chen]\n")
    return show


def _check(write: str, where: str, loader: Any) -> None:
    show = _show_for(where)
    (show / where).write_text(write, encoding="utf-8", errors="surrogatepass")
    try:
        loader(show)
    except ShowrunnerError as exc:
        line = exc.one_line()
        assert "\n" not in line and line.strip()


def _episode(show: Path) -> None:
    load_episode(load_show(show), "E1")


@pytest.mark.slow
@FUZZ
@given(st.one_of(documents(SHOW_SCHEMA).map(dump), texts))
def test_show_yaml_fuzz(text: str) -> None:
    _check(text, "show.yaml", load_show)


@pytest.mark.slow
@FUZZ
@given(st.one_of(documents(EPISODE_SCHEMA).map(dump), texts))
def test_episode_yaml_fuzz(text: str) -> None:
    _check(text, "episodes/E1/episode.yaml", _episode)


@pytest.mark.slow
@FUZZ
@given(st.one_of(documents(GUEST_SCHEMA).map(dump), texts))
def test_guest_yaml_fuzz(text: str) -> None:
    _check(text, "guests/mary-chen.yaml", _episode)


word = st.fixed_dictionaries({"start": scalars, "end": scalars, "text": scalars},
                             optional={"probability": scalars, "speaker": scalars})
segment = st.fixed_dictionaries({"start": scalars, "end": scalars, "text": scalars},
                                optional={"speaker": scalars, "words": st.lists(word, max_size=3)})
transcript_docs = st.fixed_dictionaries(
    {"segments": st.one_of(st.lists(segment, max_size=4), scalars)},
    optional={"duration": scalars, "language": scalars, "speakers": values(["name", "voice"]),
              "corrections": values(["wrong", "right", "count"]), "schema_version": scalars})


@pytest.mark.slow
@FUZZ
@given(st.one_of(transcript_docs.map(lambda d: json.dumps(d, default=str)), texts))
def test_transcript_json_fuzz(text: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "transcript.json"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        try:
            load(path)
        except ShowrunnerError as exc:
            assert "\n" not in exc.one_line()
