"""The chat model in use: loading it off the GUI thread, switching to another, falling back."""

from __future__ import annotations

from collections.abc import Callable

from avatar_desktop.app.controllers.conversation import Conversation
from avatar_desktop.app.controllers.services import Providers
from avatar_desktop.app.workers import Pools
from avatar_desktop.core import notices
from avatar_desktop.providers.base import ChatModel

STATE_WORDS = {
    "loading": "loading… (a message sent now waits for it)",
    "ready": "ready",
    "failed": "not loaded — choose a model in Settings",
}


class Brain:
    """Which model answers the conversation, and whether it has loaded (``state``)."""

    def __init__(
        self,
        conversation: Conversation,
        providers: Providers,
        pools: Pools,
        on_state: Callable[[], None],
        interrupt: Callable[[], None],
    ) -> None:
        self.conversation = conversation
        self.providers = providers
        self.pools = pools
        self.on_state = on_state
        self.interrupt = interrupt  # the app's one way to end a running turn
        self.state = "loading"

    @property
    def model(self) -> ChatModel:
        return self.conversation.model

    def describe(self) -> str:
        """For the status bar: the model's name and where it stands."""
        return f"{self.model.name} — {STATE_WORDS[self.state]}"

    def load(self) -> None:
        """Load the current model (and warm up what a turn needs) on the loading pool."""
        model = self.model
        load = getattr(model, "load", None) or (lambda: None)
        self._set_state("loading")

        def loaded(_result: object) -> None:
            if model is self.model:
                self._set_state("ready")

        def failed(exc: Exception) -> None:
            if model is self.model:
                self._set_state("failed")
                notices.error(getattr(exc, "user_message", str(exc)))

        def job(emit: object) -> None:
            load()
            _warm_up(emit)

        self.pools.start(self.pools.load, job, returned=loaded, errored=failed)

    def use(self, model: ChatModel) -> None:
        """Answer with ``model`` from now on (a running answer is interrupted first)."""
        self.interrupt()
        self.conversation.model = model
        self.load()

    def fallback(self) -> ChatModel | None:
        """The model on this computer, when the current one is elsewhere and it can be used."""
        local = self.providers.local
        if self.model is local or local.load_error is not None:
            return None
        return local

    def close(self) -> None:
        """Let go of the models this app loaded (the current one and the local one)."""
        for model in {id(m): m for m in (self.model, self.providers.local)}.values():
            close = getattr(model, "close", None)
            if close is not None:
                close()

    def _set_state(self, state: str) -> None:
        self.state = state
        self.on_state()


def _warm_up(_emit: object) -> None:
    """Import and set up what the first turn needs now, off the GUI thread, so it cannot stall.

    An import holds the GIL for its whole module body; done during a turn, langchain-core's
    ~0.5 s of imports starves the GUI thread's frames.
    """
    from avatar_desktop.core.markdown import render_markdown
    from avatar_desktop.core.memory import context_window, to_langchain
    from avatar_desktop.core.session import Message

    render_markdown("*Warm* `up`: the parser builds its rules on first use.")
    # langchain builds its pydantic validators on first use, ~100 ms with the GIL held.
    history = to_langchain([Message("user", "Hi"), Message("assistant", "Hello!")])
    context_window("Persona.", history, budget=100, count=len)
