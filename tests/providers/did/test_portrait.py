"""The portrait check: only real JPEG/PNG faces go up, upright and at most 1920 px long."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from avatar_desktop.providers.base import ProviderError
from avatar_desktop.providers.did.portrait import (
    LARGEST_FILE,
    Portrait,
    portrait_key,
    prepare_portrait,
)

RED, BLUE = (255, 0, 0), (0, 0, 255)


def _save(path: Path, image: Image.Image, fmt: str, **options: object) -> Path:
    image.save(path, fmt, **options)
    return path


def _decode(portrait: Portrait) -> Image.Image:
    image = Image.open(io.BytesIO(portrait.data))
    image.load()
    return image


def _rgb(image: Image.Image, xy: tuple[int, int]) -> tuple[int, ...]:
    pixel = image.getpixel(xy)
    assert isinstance(pixel, tuple)
    return pixel


def _refusal(path: Path) -> ProviderError:
    with pytest.raises(ProviderError) as caught:
        prepare_portrait(path)
    assert caught.value.kind == "portrait"
    return caught.value


def test_big_photo_is_shrunk_to_1920_on_the_long_side(tmp_path: Path) -> None:
    path = _save(tmp_path / "holiday photo.JPG", Image.new("RGB", (4000, 3000), RED), "JPEG")

    portrait = prepare_portrait(path)

    assert (portrait.width, portrait.height, portrait.shrunk) == (1920, 1440, True)
    assert portrait.filename == "holiday_photo.jpg"
    image = _decode(portrait)
    assert (image.format, image.size) == ("JPEG", (1920, 1440))
    assert _rgb(image, (960, 720))[0] > 240  # still red, not garbled


def test_a_photo_that_fits_is_kept_at_its_size(tmp_path: Path) -> None:
    path = _save(tmp_path / "me.jpeg", Image.new("RGB", (800, 1000), BLUE), "JPEG")

    portrait = prepare_portrait(path)

    assert (portrait.width, portrait.height, portrait.shrunk) == (800, 1000, False)
    assert portrait.filename == "me.jpg"


def test_exif_orientation_turns_the_picture_upright(tmp_path: Path) -> None:
    image = Image.new("RGB", (600, 300), RED)
    image.paste(BLUE, (300, 0, 600, 300))  # left half red, right half blue, as stored
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90° clockwise to view", as phones write portrait shots
    path = _save(tmp_path / "phone.jpg", image, "JPEG", exif=exif.tobytes())

    portrait = prepare_portrait(path)

    upright = _decode(portrait)
    assert upright.size == (300, 600)
    top, bottom = _rgb(upright, (150, 100)), _rgb(upright, (150, 500))
    assert top[0] > 200 and top[2] < 60  # the stored left (red) is now on top
    assert bottom[2] > 200 and bottom[0] < 60
    assert not upright.getexif().get(0x0112)  # not rotated a second time by a viewer


def test_tiny_picture_is_refused_as_too_small_for_a_face(tmp_path: Path) -> None:
    path = _save(tmp_path / "icon.png", Image.new("RGB", (100, 100), RED), "PNG")

    error = _refusal(path)

    assert "too small for a face" in error.user_message
    assert "icon.png" in error.user_message


def test_text_file_named_png_is_refused_by_its_content(tmp_path: Path) -> None:
    path = tmp_path / "notes.png"
    path.write_text("this is not a picture at all\n" * 50)

    error = _refusal(path)

    assert "not a JPEG or PNG" in error.user_message


def test_gif_is_refused_even_though_pillow_reads_it(tmp_path: Path) -> None:
    path = _save(tmp_path / "face.gif", Image.new("RGB", (400, 400), RED), "GIF")

    assert "not a JPEG or PNG" in _refusal(path).user_message


def test_truncated_jpeg_is_refused_as_damaged(tmp_path: Path) -> None:
    whole = _save(tmp_path / "whole.jpg", Image.effect_noise((800, 800), 60).convert("RGB"), "JPEG")
    cut = tmp_path / "cut.jpg"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])

    assert "damaged" in _refusal(cut).user_message


def test_file_over_10_mb_is_refused_before_decoding(tmp_path: Path) -> None:
    path = tmp_path / "huge.jpg"
    path.write_bytes(b"\xff\xd8\xff\xe0" + b"\0" * LARGEST_FILE)  # decoding would say "damaged"

    error = _refusal(path)

    assert "too large" in error.user_message and "10 MB" in error.user_message


def test_png_with_alpha_is_flattened_onto_white_as_jpeg(tmp_path: Path) -> None:
    image = Image.new("RGBA", (400, 400), (0, 0, 0, 0))
    image.paste((255, 0, 0, 255), (0, 0, 200, 400))  # left half opaque red, right see-through
    path = _save(tmp_path / "cutout.png", image, "PNG")

    portrait = prepare_portrait(path)

    flat = _decode(portrait)
    assert portrait.filename == "cutout.jpg" and flat.format == "JPEG" and flat.mode == "RGB"
    assert min(_rgb(flat, (350, 200))) > 245  # transparent became white, not black
    assert _rgb(flat, (50, 200))[0] > 240


def test_opaque_png_stays_png(tmp_path: Path) -> None:
    path = _save(tmp_path / "drawn.png", Image.new("RGB", (512, 512), BLUE), "PNG")

    portrait = prepare_portrait(path)

    assert portrait.filename == "drawn.png"
    assert _decode(portrait).format == "PNG"


def test_missing_file_is_refused_in_words(tmp_path: Path) -> None:
    assert "no longer there" in _refusal(tmp_path / "gone.jpg").user_message


def test_portrait_key_names_the_prepared_bytes(tmp_path: Path) -> None:
    first = _save(tmp_path / "a.jpg", Image.new("RGB", (300, 300), RED), "JPEG")
    other = _save(tmp_path / "b.jpg", Image.new("RGB", (300, 300), BLUE), "JPEG")

    again = prepare_portrait(first)

    assert portrait_key(prepare_portrait(first).data) == portrait_key(again.data)
    assert portrait_key(prepare_portrait(other).data) != portrait_key(again.data)
    assert len(portrait_key(again.data)) == 64
