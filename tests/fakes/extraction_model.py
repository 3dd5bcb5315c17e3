"""The model behind the Groq fake's JSON mode: answers a memory extraction from a script.

It stands in for what a good model returns for each message (the script says what that is),
so the tests and `bench memory` measure our request, parsing, storage and recall, not a model.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from tests.fakes.groq_payloads import JsonDict

NOTHING = '{"facts": [], "forget": []}'


class ScriptedExtraction:
    """Callable as ``GroqFake.json_reply``: the user's words → the scripted JSON reply."""

    def __init__(self, answers: Mapping[str, JsonDict] | None = None) -> None:
        self.answers: dict[str, JsonDict] = dict(answers or {})
        self.seen: list[str] = []  # the user words of each extraction request, in order
        self.known_keys: list[str] = []  # what the last request said it already knows
        self.raw: str | None = None  # when set, the reply verbatim (e.g. broken JSON)

    def tell(self, said: str, *facts: tuple[str, str], forget: tuple[str, ...] = ()) -> None:
        """Script the reply for ``said``: facts as (key, text), and keys to forget."""
        rows: list[dict[str, Any]] = [{"key": k, "text": t} for k, t in facts]
        self.answers[said.strip()] = {"facts": rows, "forget": list(forget)}

    def __call__(self, body: JsonDict) -> str:
        messages = body.get("messages") or []
        users = [m.get("content", "") for m in messages if m.get("role") == "user"]
        system = next((m.get("content", "") for m in messages if m.get("role") == "system"), "")
        said = str(users[-1] if users else "").strip()
        self.seen.append(said)
        _, _, keys = str(system).rpartition("Known keys: ")
        self.known_keys = [k.strip() for k in keys.rstrip(".").split(",") if k.strip()]
        if self.raw is not None:
            return self.raw
        answer = self.answers.get(said)
        return json.dumps(answer) if answer is not None else NOTHING
