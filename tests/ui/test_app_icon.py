"""The app icon files, the QIcon built from them and the Linux .desktop entry that names them."""

from __future__ import annotations

import configparser
import logging
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QSize
from PySide6.QtWidgets import QApplication

from avatar_desktop.ui import app_icon as app_icon_module
from avatar_desktop.ui.app_icon import ICON_NAME, ICON_SIZES, app_icon, icon_path, resources_dir

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
DESKTOP_KEYS = (
    "Type",
    "Name",
    "GenericName",
    "Comment",
    "Exec",
    "Icon",
    "Terminal",
    "Categories",
    "Keywords",
    "StartupWMClass",
)


def test_resources_dir_is_the_repo_folder_from_source() -> None:
    assert resources_dir() == Path(__file__).resolve().parents[2] / "resources"


def test_resources_dir_is_inside_the_bundle_when_frozen(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert resources_dir() == tmp_path / "resources"


@pytest.mark.parametrize("size", ICON_SIZES)
def test_each_size_is_a_real_png_of_that_size(size: int) -> None:
    path = icon_path(size)
    assert path.is_file(), f"run scripts/make_icons.py to draw {path.name}"
    assert path.read_bytes()[:8] == PNG_MAGIC
    with Image.open(path) as image:
        assert image.format == "PNG"
        assert image.size == (size, size)
        pixels = np.asarray(image.convert("RGBA"))
    alpha = pixels[..., 3]
    assert (alpha == 255).mean() > 0.5  # a solid tile, not a faint smudge
    assert [alpha[0, 0], alpha[0, -1], alpha[-1, 0], alpha[-1, -1]] == [0, 0, 0, 0]  # rounded
    opaque = pixels[alpha == 255][:, :3]
    assert len(np.unique(opaque, axis=0)) >= 8  # a picture, not a flat square
    assert np.ptp(opaque.astype(int).sum(axis=1)) > 200  # light and dark parts: it has contrast


def test_app_icon_has_every_size(qapp: QApplication) -> None:
    icon = app_icon()
    assert not icon.isNull()
    assert set(icon.availableSizes()) >= {QSize(s, s) for s in ICON_SIZES}
    assert icon.pixmap(QSize(16, 16)).size() == QSize(16, 16)


def test_app_icon_without_files_is_empty_and_warns_once(
    qapp: QApplication,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setattr(app_icon_module, "resources_dir", lambda: tmp_path / "nowhere")
    with caplog.at_level(logging.WARNING, logger="avatar_desktop"):
        first, second = app_icon(), app_icon()
    assert first.isNull() and second.isNull()
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "nowhere" in warnings[0].getMessage()


def test_windows_ico_holds_the_small_to_large_sizes() -> None:
    with Image.open(resources_dir() / "icons" / f"{ICON_NAME}.ico") as ico:
        assert ico.format == "ICO"
        assert {(s, s) for s in ICON_SIZES if s <= 256} <= set(ico.info["sizes"])
        ico.load()
        assert ico.size == (256, 256)


def test_macos_icns_opens() -> None:
    with Image.open(resources_dir() / "icons" / f"{ICON_NAME}.icns") as icns:
        assert icns.format == "ICNS"
        assert (512, 512, 1) in icns.info["sizes"]
        icns.load()
        assert icns.size[0] >= 512


def test_desktop_entry_has_the_required_keys() -> None:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    parser.read(resources_dir() / f"{ICON_NAME}.desktop", encoding="utf-8")
    entry = parser["Desktop Entry"]
    missing = [key for key in DESKTOP_KEYS if not entry.get(key)]
    assert not missing
    assert entry["Type"] == "Application"
    assert entry["Name"] == "Avatar Desktop"
    assert entry["Exec"].split()[0] == "avatar-desktop"
    assert entry["Icon"] == ICON_NAME
    assert entry["Terminal"] == "false"
    assert entry["StartupWMClass"] == "avatar-desktop"
    assert entry["Categories"].endswith(";") and entry["Keywords"].endswith(";")
