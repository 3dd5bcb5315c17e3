"""Has the speaker finished? Smart Turn v3 reads the last 8 s of a voice and says how likely.

The model (an ONNX Whisper-encoder classifier, about 8.7 MB) ships inside the ``pipecat-ai``
wheel, installed without its dependencies; only the file is used, run with onnxruntime on
features from :mod:`avatar_desktop.core.mel`. No Qt.
"""

from __future__ import annotations

import importlib.util
import logging
import sys
import threading
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from avatar_desktop.core.mel import SAMPLE_RATE, log_mel, normalise

log = logging.getLogger(__name__)

PACKAGE = "pipecat"
MODEL_PATH = Path("audio/turn/smart_turn/data/smart-turn-v3.2-cpu.onnx")  # inside the package
WINDOW_S = 8  # the model reads this much audio, the latest part, zeros in front if shorter
INPUT = "input_features"


class TurnModelUnavailable(RuntimeError):
    """The end-of-turn model cannot run here; the words say why, for the log and Settings."""


def default_model_path() -> Path | None:
    """The model file inside the installed wheel, or inside the app bundle."""
    bundled = getattr(sys, "_MEIPASS", None)
    if bundled is not None:
        candidate = Path(bundled) / PACKAGE / MODEL_PATH
        if candidate.is_file():
            return candidate
    try:
        spec = importlib.util.find_spec(PACKAGE)  # finds the folder; runs none of its code
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / MODEL_PATH


def features(pcm: npt.ArrayLike) -> npt.NDArray[np.float32]:
    """(1, 80, 800): the latest 8 s of 16 kHz audio, zero-padded in front, as the model reads."""
    samples = np.asarray(pcm, dtype=np.float32).reshape(-1)[-WINDOW_S * SAMPLE_RATE :]
    window = np.zeros(WINDOW_S * SAMPLE_RATE, dtype=np.float32)
    if len(samples):
        window[-len(samples) :] = samples
    return log_mel(normalise(window))[np.newaxis]


class SmartTurn:
    """The model, opened once; ``complete`` is safe from one thread at a time."""

    def __init__(self, model_path: Path | None = None, *, threads: int = 1) -> None:
        self._path = model_path
        self._threads = threads
        self._session: Any = None
        self._lock = threading.Lock()

    @property
    def model_path(self) -> Path | None:
        return self._path if self._path is not None else default_model_path()

    def load(self) -> None:
        """Open the model (about 0.1 s). Raises TurnModelUnavailable in words."""
        with self._lock:
            if self._session is None:
                self._session = self._open()

    def _open(self) -> Any:
        try:
            import onnxruntime
        except ImportError as exc:
            raise TurnModelUnavailable("onnxruntime is not installed") from exc
        path = self.model_path
        if path is None or not path.is_file():
            raise TurnModelUnavailable(
                f"the end-of-turn model is missing ({path or 'package ' + PACKAGE + ' not found'})"
            )
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = self._threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        try:
            session = onnxruntime.InferenceSession(
                str(path), sess_options=options, providers=["CPUExecutionProvider"]
            )
        except Exception as exc:  # onnxruntime raises its own unexported error types
            raise TurnModelUnavailable(f"the end-of-turn model could not be opened: {exc}") from exc
        inputs = [i.name for i in session.get_inputs()]
        if inputs != [INPUT]:
            raise TurnModelUnavailable(f"the end-of-turn model takes {inputs}, not [{INPUT!r}]")
        log.info("end-of-turn model loaded from %s", path.name)
        return session

    def complete(self, pcm: npt.ArrayLike) -> float:
        """The chance (0..1) that the speaker has finished, given audio ending now."""
        self.load()
        try:
            (scores,) = self._session.run(None, {INPUT: features(pcm)})
        except Exception as exc:  # a damaged model fails here, not at load
            raise TurnModelUnavailable(f"the end-of-turn model failed: {exc}") from exc
        value = float(np.asarray(scores).reshape(-1)[0])
        if not 0.0 <= value <= 1.0:
            raise TurnModelUnavailable(f"the end-of-turn model gave {value}, not a probability")
        return value
