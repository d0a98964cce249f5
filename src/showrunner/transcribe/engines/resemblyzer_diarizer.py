"""The default diarizer: resemblyzer voice embeddings, clustered, then resolved into turns.

No account and no download: the speaker encoder's weights ship inside resemblyzer's wheel.
The recording is embedded in short overlapping windows over the speech only, a batch at a time
(one batch of every window of an hour-long file would need gigabytes), the windows are clustered
into voices, and a Viterbi pass turns per-moment voice scores into turns that change voice only
on sustained evidence.
"""

from __future__ import annotations

import contextlib
import functools
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from ...audio import Mono
from .diarization import SAMPLE_RATE, Diarization, Diarizer, VoiceTurn, speech_regions

WINDOW_FRAMES = 160  # the encoder's 1.6 s partial utterance, in 10 ms mel frames
HOP = SAMPLE_RATE // 100
TARGET_DBFS = -30.0  # resemblyzer's own volume normalisation
CLUSTER_SAMPLE = 1500  # windows clustered exactly; the rest join the nearest voice
MAX_VOICES = 8
MIN_SHARE = 0.04  # when estimating, a voice must hold this share of the speech windows
MIN_SILHOUETTE = 0.3  # below this, no split of the voices is convincing: one voice
STEP_S = 0.1  # resolution of the final turns
MEL_CHUNK = 3000  # spectrogram frames taken at once (30 s)
N_FFT = SAMPLE_RATE * 25 // 1000  # resemblyzer's 25 ms mel window
MELS = 40


@dataclass(frozen=True)
class _Windows:
    """Embedded windows: their time spans, the speech region each lies in, and embeddings."""

    starts: np.ndarray
    ends: np.ndarray
    regions: np.ndarray
    embeddings: np.ndarray


@functools.cache
def _encoder() -> Any:
    # Loaded once per process: the weights take a second to read and 70 MB of memory.
    with warnings.catch_warnings():
        # resemblyzer 0.1.4 imports binary_dilation from a namespace SciPy deprecated.
        warnings.simplefilter("ignore", DeprecationWarning)
        from resemblyzer import VoiceEncoder

    return VoiceEncoder("cpu", verbose=False)


class ResemblyzerDiarizer(Diarizer):
    """resemblyzer's speaker encoder on the CPU.

    `rate` is windows per second of speech (more: sharper turn edges, slower); `batch_size`
    bounds memory (windows encoded at once: 256 added 183 MiB to the peak on a 10-minute
    interview, 64 added 86 MiB in the same time; it runs beside recognition's own peak);
    `switch_penalty` is how much evidence a change of voice inside one stretch of speech needs;
    `precision` is the encoder's arithmetic, "float32", "bfloat16", or "auto": bfloat16 where
    the CPU multiplies it natively (see `native_bfloat16`).
    """

    name = "resemblyzer"

    def __init__(self, *, rate: float = 1.0, batch_size: int = 64,
                 switch_penalty: float = 1.0, precision: str = "auto") -> None:
        if precision not in ("auto", "float32", "bfloat16"):
            raise ValueError(f"precision must be auto, float32 or bfloat16, not {precision!r}")
        self.rate = rate
        self.batch_size = batch_size
        self.switch_penalty = switch_penalty
        if precision == "bfloat16" and not runs_bfloat16():
            raise ValueError("this CPU cannot run the speaker encoder in bfloat16 (PyTorch's "
                             "oneDNN needs AVX-512 for it): use precision 'float32' or 'auto'")
        self.precision = precision if precision != "auto" else (
            "bfloat16" if native_bfloat16() else "float32")
        self.encoder = _encoder()

    def diarize(self, audio: Mono, speakers: int | None = None) -> Diarization:
        """Turns for each voice in `audio`; `speakers` voices, or an estimate when None."""
        regions = speech_regions(audio)
        settings = {"diarizer": self.name, "rate": self.rate, "precision": self.precision,
                    "speakers": speakers}
        if not regions:
            return Diarization((), (), settings)
        gain = _gain(audio, regions)
        windows = self._embed_windows(audio, regions, gain)
        centroids = _cluster(windows.embeddings, speakers)
        turns = self._turns(windows, centroids, regions)
        return Diarization(turns, tuple(centroids), {**settings, "voices": len(centroids)})

    def voiceprint(self, audio: np.ndarray) -> np.ndarray:
        """The mean of the sample's window embeddings, over its speech only."""
        regions = speech_regions(audio)
        if not regions:
            regions = [(0.0, len(audio) / SAMPLE_RATE)]
        windows = self._embed_windows(audio, regions, _gain(audio, regions))
        return _normed(windows.embeddings.mean(axis=0))

    # ------------------------------------------------------------ embedding

    def _embed_windows(self, audio: Mono, regions: list[tuple[float, float]],
                       gain: float) -> _Windows:
        import torch

        spans: list[tuple[float, float, int]] = []
        chunks: list[np.ndarray] = []
        batch: list[np.ndarray] = []
        with torch.inference_mode(), _one_thread(torch):
            for span, mel in self._windows(audio, regions, gain):
                spans.append(span)
                batch.append(mel)
                if len(batch) == self.batch_size:
                    chunks.append(self._encode(batch))
                    batch = []
            if batch:
                chunks.append(self._encode(batch))
        table = np.array(spans, dtype=np.float64).reshape(-1, 3)
        return _Windows(table[:, 0], table[:, 1], table[:, 2].astype(int),
                        np.concatenate(chunks) if chunks else np.zeros((0, 256), np.float32))

    def _encode(self, batch: list[np.ndarray]) -> np.ndarray:
        import torch

        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=self.precision == "bfloat16"):
            embeddings = self.encoder(torch.from_numpy(np.stack(batch)))
        return embeddings.float().numpy()

    def _windows(self, audio: Mono, regions: list[tuple[float, float]],
                 gain: float) -> Iterator[tuple[tuple[float, float, int], np.ndarray]]:
        """Each 1.6 s window over each speech region: its (start, end, region) and mel frames.

        A region shorter than a window is tiled to window length, which keeps its voice.
        """
        step = max(1, round(100 / self.rate))
        for index, (start, end) in enumerate(regions):
            piece = audio[int(start * SAMPLE_RATE):int(end * SAMPLE_RATE)]
            if len(piece) < HOP * 4:
                continue
            frames = 1 + len(piece) // HOP
            if frames < WINDOW_FRAMES:
                mel = mel_frames(piece.astype(np.float32) * gain)
                yield (start, end, index), np.resize(mel, (WINDOW_FRAMES, mel.shape[1]))
                continue
            offsets = list(range(0, frames - WINDOW_FRAMES + 1, step))
            if offsets[-1] + WINDOW_FRAMES < frames:
                offsets.append(frames - WINDOW_FRAMES)
            # The spectrogram of a long region is taken in pieces of about MEL_CHUNK frames:
            # the STFT of an hour of unbroken speech would need gigabytes.
            per_chunk = max(1, (MEL_CHUNK - WINDOW_FRAMES) // step)
            for group in range(0, len(offsets), per_chunk):
                chunk = offsets[group:group + per_chunk]
                first, last = chunk[0], chunk[-1] + WINDOW_FRAMES
                mel = mel_frames(piece[first * HOP:last * HOP].astype(np.float32) * gain)
                for offset in chunk:
                    span = (start + offset / 100,
                            min(end, start + (offset + WINDOW_FRAMES) / 100))
                    yield (span[0], span[1], index), mel[offset - first:
                                                         offset - first + WINDOW_FRAMES]

    # ------------------------------------------------------------ turns

    def _turns(self, windows: _Windows, centroids: list[np.ndarray],
               regions: list[tuple[float, float]]) -> tuple[VoiceTurn, ...]:
        similarity = windows.embeddings @ np.stack(centroids).T
        turns: list[VoiceTurn] = []
        bounds = np.searchsorted(windows.regions, np.arange(len(regions) + 1))
        for index, (start, end) in enumerate(regions):
            lo, hi = bounds[index], bounds[index + 1]
            if lo == hi:
                continue
            grid = np.arange(start, end, STEP_S) + STEP_S / 2
            scores = _grid_scores(grid, windows.starts[lo:hi], windows.ends[lo:hi],
                                  similarity[lo:hi])
            path = _viterbi(scores, self.switch_penalty)
            turns.extend(_path_turns(path, start, end))
        return tuple(turns)


@functools.cache
def native_bfloat16() -> bool:
    """Whether this CPU has bfloat16 multiply instructions (x86 AVX512-BF16 or AMX).

    There the encoder's LSTM runs in half the time under bfloat16 autocast (2.8 s -> 1.4 s for
    the 540 windows of a 10-minute interview, one thread) and its embeddings keep a cosine of
    0.9998 with float32's (at worst 0.999). Elsewhere bfloat16 is emulated, so no faster.
    """
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            flags = next((line for line in cpuinfo if line.startswith("flags")), "").split()
    except OSError:  # not Linux
        return False
    return "avx512_bf16" in flags or "amx_bf16" in flags


@functools.cache
def runs_bfloat16() -> bool:
    """Whether PyTorch can run an LSTM under bfloat16 autocast here, natively or emulated: on
    an AVX2-only CPU (an AMD EPYC here) oneDNN has no bfloat16 LSTM and raises."""
    import torch

    lstm = torch.nn.LSTM(4, 4, batch_first=True)
    try:
        with torch.no_grad(), torch.autocast("cpu", dtype=torch.bfloat16):
            lstm(torch.zeros(1, 2, 4))
    except RuntimeError:
        return False
    return True


@contextlib.contextmanager
def _one_thread(torch: Any) -> Iterator[None]:
    """PyTorch on one thread meanwhile. A second one left the encoder's wall time as it was
    (2.2 s on a 10-minute interview) and cost 1.4 s more CPU, taken from recognition running
    beside it."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


def mel_frames(wav: np.ndarray) -> np.ndarray:
    """The encoder's input: resemblyzer's power mel spectrogram of 16 kHz `wav` (frames x 40).

    The same numbers as `resemblyzer.audio.wav_to_mel_spectrogram`, without its librosa call:
    importing librosa's feature module (scipy.signal, numba) took 1-3 s, holding the GIL
    while recognition ran beside it. The STFT is PyTorch's, already loaded for the encoder;
    the Slaney mel filters are the ones faster-whisper computes for Whisper.
    """
    import torch

    spectrum = torch.stft(torch.from_numpy(np.ascontiguousarray(wav, dtype=np.float32)), N_FFT,
                          hop_length=HOP, window=torch.hann_window(N_FFT), center=True,
                          pad_mode="constant", return_complex=True)
    power = spectrum.abs().square().numpy()
    return (_mel_filters() @ power).T.astype(np.float32)


@functools.cache
def _mel_filters() -> np.ndarray:
    from faster_whisper.feature_extractor import FeatureExtractor

    return FeatureExtractor.get_mel_filters(SAMPLE_RATE, N_FFT, n_mels=MELS).astype(np.float32)


def _gain(audio: Mono, regions: list[tuple[float, float]]) -> float:
    """The gain that brings the speech to resemblyzer's -30 dBFS (raising only, as it does)."""
    total = count = 0.0
    for start, end in regions:
        piece = audio[int(start * SAMPLE_RATE):int(end * SAMPLE_RATE)].astype(np.float64)
        total += float(np.dot(piece, piece))
        count += len(piece)
    rms = np.sqrt(total / max(count, 1.0))
    if rms <= 0:
        return 1.0
    change = TARGET_DBFS - 20 * np.log10(rms)
    return float(10 ** (change / 20)) if change > 0 else 1.0


def _normed(vector: np.ndarray) -> np.ndarray:
    return (vector / max(float(np.linalg.norm(vector)), 1e-9)).astype(np.float32)


def _cluster(embeddings: np.ndarray, speakers: int | None) -> list[np.ndarray]:
    """Voice centroids: average-linkage clustering of (at most CLUSTER_SAMPLE) windows seeds
    them, then every window joins its nearest centroid for a few rounds (k-means on the sphere).
    """
    from scipy.cluster.hierarchy import linkage

    count = len(embeddings)
    if count < 2 or speakers == 1:
        return [_normed(embeddings.mean(axis=0))]
    sample = embeddings[np.linspace(0, count - 1, min(count, CLUSTER_SAMPLE)).round().astype(int)]
    tree = linkage(sample, method="average", metric="cosine")
    wanted = speakers if speakers is not None else _estimate(sample, tree)
    if wanted == 1:
        return [_normed(embeddings.mean(axis=0))]
    return _refined(embeddings, _seeds(sample, tree, min(wanted, len(sample))))


def _seeds(sample: np.ndarray, tree: np.ndarray, voices: int) -> list[np.ndarray]:
    """Centroids of the `voices` largest clusters, cutting the tree finer until that many hold
    a real share of the windows: a few odd windows (a cough, two voices at once) would otherwise
    take a voice's place."""
    from scipy.cluster.hierarchy import fcluster

    smallest = max(2, int(MIN_SHARE / 2 * len(sample)))
    for cut in range(voices, min(len(sample), voices + 40) + 1):
        labels = fcluster(tree, t=cut, criterion="maxclust")
        sizes = np.bincount(labels)
        if np.sum(sizes >= smallest) >= voices:
            break
    largest = np.argsort(-sizes)[:voices]
    return [_normed(sample[labels == k].mean(axis=0)) for k in largest]


def _refined(embeddings: np.ndarray, centroids: list[np.ndarray]) -> list[np.ndarray]:
    for _ in range(8):
        nearest = np.argmax(embeddings @ np.stack(centroids).T, axis=1)
        centroids = [_normed(embeddings[nearest == k].mean(axis=0)) if np.any(nearest == k)
                     else centroids[k] for k in range(len(centroids))]
    return centroids


def _estimate(sample: np.ndarray, tree: np.ndarray) -> int:
    """How many voices: the count whose clustering separates best (silhouette), among those in
    which every voice holds at least MIN_SHARE of the speech; one voice when none separates well.
    """
    best, voices = MIN_SILHOUETTE, 1
    for count in range(2, min(MAX_VOICES, len(sample) // 4) + 1):
        centroids = _refined(sample, _seeds(sample, tree, count))
        labels = np.argmax(sample @ np.stack(centroids).T, axis=1)
        if np.bincount(labels, minlength=count).min() < MIN_SHARE * len(sample):
            continue
        score = _silhouette(sample, labels, count)
        if score > best:
            best, voices = score, count
    return voices


def _silhouette(sample: np.ndarray, labels: np.ndarray, count: int) -> float:
    """Mean silhouette under cosine distance."""
    distance = 1.0 - sample @ sample.T
    mean_to = np.stack([distance[:, labels == k].mean(axis=1) for k in range(count)], axis=1)
    own = mean_to[np.arange(len(sample)), labels]
    mean_to[np.arange(len(sample)), labels] = np.inf
    other = mean_to.min(axis=1)
    return float(np.mean((other - own) / np.maximum(np.maximum(other, own), 1e-9)))


def _grid_scores(grid: np.ndarray, starts: np.ndarray, ends: np.ndarray,
                 similarity: np.ndarray) -> np.ndarray:
    """Each grid moment's mean similarity to each voice, over the windows that cover it.

    Summed with running totals (add where a window starts, subtract where it ends), so memory
    grows with the length of the region, not with its length times its number of windows.
    """
    first = np.searchsorted(grid, starts, side="left")
    after = np.searchsorted(grid, ends, side="left")
    totals = np.zeros((len(grid) + 1, similarity.shape[1]))
    counts = np.zeros(len(grid) + 1)
    np.add.at(totals, first, similarity)
    np.add.at(totals, after, -similarity)
    np.add.at(counts, first, 1)
    np.add.at(counts, after, -1)
    sums, covered = np.cumsum(totals, axis=0)[:-1], np.cumsum(counts)[:-1]
    # A moment no window covers (a short region's tail) takes its nearest window's scores.
    empty = np.flatnonzero(covered < 0.5)
    if empty.size:
        nearest = np.argmin(np.abs(grid[empty, None] - ((starts + ends) / 2)[None, :]), axis=1)
        sums[empty], covered[empty] = similarity[nearest], 1
    return sums / covered[:, None]


def _viterbi(scores: np.ndarray, penalty: float) -> np.ndarray:
    """The voice sequence with the best total score minus `penalty` per change of voice."""
    steps, voices = scores.shape
    total = scores[0].copy()
    back = np.zeros((steps, voices), dtype=np.int64)
    for t in range(1, steps):
        stay_or_switch = total[:, None] - penalty * (1 - np.eye(voices))
        back[t] = np.argmax(stay_or_switch, axis=0)
        total = stay_or_switch[back[t], np.arange(voices)] + scores[t]
    path = np.empty(steps, dtype=np.int64)
    path[-1] = int(np.argmax(total))
    for t in range(steps - 1, 0, -1):
        path[t - 1] = back[t, path[t]]
    return path


def _path_turns(path: np.ndarray, start: float, end: float) -> list[VoiceTurn]:
    changes = np.flatnonzero(np.diff(path)) + 1
    edges = [0, *changes.tolist(), len(path)]
    return [VoiceTurn(round(start + a * STEP_S, 3), round(min(end, start + b * STEP_S), 3),
                      int(path[a])) for a, b in zip(edges[:-1], edges[1:], strict=True)]
