"""Real media made at test time (MP4 talking clips, PNG and JPEG stills) for the D-ID fake."""

from __future__ import annotations

import functools
import random
import struct
import tempfile
import zlib
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

SAMPLE_RATE = 24000
AAC_FRAME = 1024
# Preferred first: H.264 plays everywhere; MPEG-4 part 2 is FFmpeg's always-built fallback.
VIDEO_CANDIDATES = ("libx264", "libopenh264", "h264", "mpeg4")
_ENCODER_OPTIONS = {
    "libx264": {"preset": "ultrafast", "tune": "zerolatency", "crf": "30"},
    "libopenh264": {"allow_skip_frames": "0"},
}
Rgb = tuple[int, int, int]
YuvFrame = np.ndarray


def make_clip(
    duration_s: float, *, seed: int = 0, size: tuple[int, int] = (256, 256), fps: int = 25
) -> bytes:
    """An MP4 with a mouth that moves with an AAC tone, so a player has something to show."""
    return _clip(round(max(duration_s, 0.1), 1), seed, (int(size[0]), int(size[1])), int(fps))


def video_codec() -> str:
    """The encoder make_clip uses: the first candidate that really encodes a frame here."""
    return _probe_video_codec()


def make_png(width: int, height: int, rgb: Rgb) -> bytes:
    """A solid-colour 8-bit RGB PNG, written by hand so it needs no encoder."""
    row = b"\x00" + bytes(rgb) * width
    raw = zlib.compress(row * height, 6)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", raw) + _chunk(b"IEND", b"")
    )


def make_jpeg(width: int, height: int, rgb: Rgb) -> bytes:
    """A solid-colour baseline JPEG from FFmpeg's mjpeg encoder (width and height made even)."""
    width, height = width + width % 2, height + height % 2
    context = av.CodecContext.create("mjpeg", "w")
    context.width, context.height = width, height
    context.pix_fmt = "yuvj420p"
    context.time_base = Fraction(1, 25)
    frame = av.VideoFrame.from_ndarray(_yuv_plane(width, height, rgb), format="yuv420p")
    frame.pts = 0
    packets = list(context.encode(frame.reformat(format="yuvj420p"))) + list(context.encode(None))
    return b"".join(bytes(packet) for packet in packets)


def _chunk(kind: bytes, data: bytes) -> bytes:
    """One PNG chunk: length, type, data and the CRC over type and data."""
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


# -- the clip -------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=64)
def _clip(duration: float, seed: int, size: tuple[int, int], fps: int) -> bytes:
    """Encode once per (duration, seed, size, fps); the fake serves the same bytes again."""
    codec = _probe_video_codec()
    with tempfile.TemporaryDirectory(prefix="did-clip-") as tmp:
        path = Path(tmp) / "clip.mp4"
        _encode(path, codec, duration, seed, size, fps)
        return path.read_bytes()


def _encode(
    path: Path, codec: str, duration: float, seed: int, size: tuple[int, int], fps: int
) -> None:
    """Write video and audio into one MP4 with the index up front (faststart)."""
    rng = random.Random(seed)
    phase, syllable_hz = rng.uniform(0, 6.28), rng.uniform(3.0, 4.5)
    with av.open(str(path), "w", format="mp4", container_options={"movflags": "faststart"}) as out:
        video = _video_stream(out, codec, size, fps)
        audio = out.add_stream("aac", rate=SAMPLE_RATE)
        audio.layout = "mono"
        audio.bit_rate = 48_000
        audio.options = {"aac_coder": "fast"}  # the default coder is 2-3x slower
        background = _background(rng)
        count = max(1, round(duration * fps))
        openings = _envelope(np.arange(count) / fps, phase, syllable_hz)
        for index, opening in enumerate(openings):
            frame = av.VideoFrame.from_ndarray(_face(size, background, opening), format="yuv420p")
            frame.pts = index
            out.mux(video.encode(frame))
        out.mux(video.encode(None))
        for sound in _audio_frames(duration, phase, syllable_hz):
            out.mux(audio.encode(sound))
        out.mux(audio.encode(None))


def _video_stream(
    out: av.container.OutputContainer, codec: str, size: tuple[int, int], fps: int
) -> av.VideoStream:
    """A yuv420p video stream with a keyframe every second, so players can seek."""
    video = out.add_stream(codec, rate=fps)
    if not isinstance(video, av.VideoStream):
        raise TypeError(f"{codec} is not a video encoder")
    video.width, video.height = size
    video.pix_fmt = "yuv420p"
    video.bit_rate = 300_000
    video.options = dict(_ENCODER_OPTIONS.get(codec, {}))
    video.codec_context.gop_size = fps
    return video


def _envelope(t: np.ndarray, phase: float, syllable_hz: float) -> np.ndarray:
    """Loudness between 0 and 1 that rises and falls a few times a second, like syllables."""
    syllables = np.clip(np.sin(2 * np.pi * syllable_hz * t + phase), 0.0, None) ** 0.7
    phrase = 0.65 + 0.35 * np.sin(2 * np.pi * 0.45 * t + phase / 2)
    result: np.ndarray = syllables * phrase
    return result


def _audio_frames(duration: float, phase: float, syllable_hz: float) -> list[av.AudioFrame]:
    """A voiced-sounding tone (fundamental plus two harmonics) cut into AAC-sized frames."""
    t = np.arange(int(duration * SAMPLE_RATE)) / SAMPLE_RATE
    voice = sum(np.sin(2 * np.pi * 150 * k * t) / k for k in (1, 2, 3))
    samples = (0.25 * voice * _envelope(t, phase, syllable_hz)).astype(np.float32)
    frames = []
    for start in range(0, len(samples), AAC_FRAME):
        piece = samples[start : start + AAC_FRAME].reshape(1, -1)
        frame = av.AudioFrame.from_ndarray(piece, format="fltp", layout="mono")
        frame.sample_rate = SAMPLE_RATE
        frame.pts = start
        frames.append(frame)
    return frames


def _background(rng: random.Random) -> Rgb:
    """A mid-bright colour from the seed, so different renders look different."""
    return (rng.randrange(60, 200), rng.randrange(60, 200), rng.randrange(60, 200))


def _yuv(rgb: Rgb) -> tuple[int, int, int]:
    """BT.601 limited-range Y, U, V of an RGB colour."""
    r, g, b = (c / 255 for c in rgb)
    y = 16 + 65.481 * r + 128.553 * g + 24.966 * b
    u = 128 - 37.797 * r - 74.203 * g + 112.0 * b
    v = 128 + 112.0 * r - 93.786 * g - 18.214 * b
    return round(y), round(u), round(v)


def _yuv_plane(width: int, height: int, rgb: Rgb) -> YuvFrame:
    """A solid yuv420p frame as the (h * 3 / 2, w) array PyAV expects."""
    y, u, v = _yuv(rgb)
    frame = np.empty((height * 3 // 2, width), dtype=np.uint8)
    frame[:height] = y
    chroma = frame[height:].reshape(-1)
    quarter = chroma.size // 2
    chroma[:quarter] = u
    chroma[quarter:] = v
    return frame


def _face(size: tuple[int, int], background: Rgb, opening: float) -> YuvFrame:
    """Two eyes and a dark mouth bar whose height follows the loudness (luma only)."""
    width, height = size
    frame = _yuv_plane(width, height, background)
    eye = max(2, width // 16)
    for cx in (width * 3 // 8, width * 5 // 8):
        frame[height * 3 // 8 - eye : height * 3 // 8 + eye, cx - eye : cx + eye] = 235
    half_open = max(1, round(opening * height * 0.12))
    mid = height * 11 // 16
    frame[mid - half_open : mid + half_open, width * 3 // 10 : width * 7 // 10] = 24
    return frame


@functools.cache
def _probe_video_codec() -> str:
    """Try each candidate on a tiny frame; some builds list encoders that then fail to open."""
    for name in VIDEO_CANDIDATES:
        try:
            context = av.CodecContext.create(name, "w")
            if not isinstance(context, av.VideoCodecContext):
                continue
            context.width = context.height = 64
            context.pix_fmt = "yuv420p"
            context.time_base = Fraction(1, 25)
            context.options = dict(_ENCODER_OPTIONS.get(name, {}))
            frame = av.VideoFrame.from_ndarray(_yuv_plane(64, 64, (0, 0, 0)), format="yuv420p")
            frame.pts = 0
            list(context.encode(frame))
            list(context.encode(None))
        except (av.FFmpegError, ValueError):
            continue
        return str(context.codec.name)
    raise RuntimeError("no MP4 video encoder in this FFmpeg build")
