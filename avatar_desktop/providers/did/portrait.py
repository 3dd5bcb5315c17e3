"""The user's portrait for D-ID talks: checked, turned upright, shrunk and re-encoded once.

Re-encoding every picture also drops its metadata (camera, GPS position) before it leaves the
computer, and makes the bytes — and so :func:`portrait_key` — stable for the same picture.
"""

from __future__ import annotations

import hashlib
import io
import re
import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from avatar_desktop.providers.base import ProviderError

LARGEST_FILE = 10 * 1024 * 1024
LARGEST_PIXELS = 60_000_000
SHORTEST_SIDE = 256
LONGEST_SIDE = 1920
JPEG_QUALITY = 90
_FORMATS = ("JPEG", "PNG")
_SAFE = re.compile(r"[^A-Za-z0-9_-]+")


@dataclass(frozen=True, slots=True)
class Portrait:
    """Bytes ready for ``DidClient.upload_image``; ``filename`` ends in .jpg or .png."""

    data: bytes
    filename: str
    width: int
    height: int
    shrunk: bool


def prepare_portrait(path: Path) -> Portrait:
    """Check ``path`` is a usable face picture and return it upright, at most 1920 px long."""
    data = _read(path)
    image = _open(data, path.name)
    try:
        if min(image.size) < SHORTEST_SIDE:
            raise _refuse(
                f"“{path.name}” is too small for a face ({image.width}×{image.height} pixels). "
                f"Choose a picture at least {SHORTEST_SIDE} pixels on each side."
            )
        upright = ImageOps.exif_transpose(image)
        shrunk = max(upright.size) > LONGEST_SIDE
        if shrunk:
            upright.thumbnail((LONGEST_SIDE, LONGEST_SIDE), Image.Resampling.LANCZOS)
        encoded, suffix = _encode(upright, image.format or "")
        return Portrait(encoded, _stem(path) + suffix, upright.width, upright.height, shrunk)
    finally:
        image.close()


def portrait_key(data: bytes) -> str:
    """A fingerprint of the prepared picture, so the same one is never uploaded twice."""
    return hashlib.sha256(data).hexdigest()


def _read(path: Path) -> bytes:
    """The file's bytes, refusing huge files before anything is decoded."""
    try:
        size = path.stat().st_size
        if size > LARGEST_FILE:
            raise _refuse(
                f"“{path.name}” is too large ({size / 1024 / 1024:.0f} MB). "
                "Choose a picture under 10 MB."
            )
        return path.read_bytes()
    except FileNotFoundError as exc:
        raise _refuse(f"The picture “{path.name}” is no longer there.") from exc
    except OSError as exc:
        raise _refuse(f"The picture “{path.name}” could not be read ({exc.strerror}).") from exc


def _open(data: bytes, name: str) -> Image.Image:
    """Decode JPEG or PNG by content (the extension may lie); anything else is refused."""
    not_picture = f"“{name}” is not a JPEG or PNG picture. Choose a photo saved as JPEG or PNG."
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=_FORMATS)
            if image.width * image.height > LARGEST_PIXELS:
                raise _refuse(f"“{name}” has too many pixels. Choose a smaller picture.")
            image.load()
    except UnidentifiedImageError as exc:
        raise _refuse(not_picture) from exc
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _refuse(f"“{name}” has too many pixels. Choose a smaller picture.") from exc
    except (OSError, SyntaxError, ValueError) as exc:  # truncated or damaged data
        raise _refuse(f"“{name}” seems damaged and could not be read.") from exc
    return image


def _encode(image: Image.Image, source_format: str) -> tuple[bytes, str]:
    """JPEG for photos and see-through PNGs (flattened on white); PNG stays PNG otherwise."""
    out = io.BytesIO()
    if source_format == "PNG" and not _has_alpha(image):
        image.convert("RGB").save(out, "PNG", optimize=True)
        return out.getvalue(), ".png"
    _flatten(image).save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
    return out.getvalue(), ".jpg"


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info


def _flatten(image: Image.Image) -> Image.Image:
    """RGB on a white background: JPEG has no transparency and no CMYK a browser agrees on."""
    if not _has_alpha(image):
        return image.convert("RGB")
    rgba = image.convert("RGBA")
    white = Image.new("RGB", rgba.size, (255, 255, 255))
    white.paste(rgba, mask=rgba.getchannel("A"))
    return white


def _refuse(sentence: str) -> ProviderError:
    return ProviderError(sentence, kind="portrait")


def _stem(path: Path) -> str:
    """A plain file name for D-ID's URL (letters, digits, - and _), never empty."""
    stem = _SAFE.sub("_", path.stem).strip("_")[:60]
    return stem or "portrait"
