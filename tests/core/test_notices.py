"""The one message bridge: notices with actions, updates and withdrawals, kept until a sink."""

from __future__ import annotations

import threading

from avatar_desktop.core import notices
from avatar_desktop.core.notices import Action, Change, Level, Notice


def test_notices_before_the_window_are_delivered_in_order_with_their_actions() -> None:
    pressed: list[str] = []
    early = notices.warning("No sound device.")
    retry = notices.error("Groq is down.", [Action("Retry", lambda: pressed.append("retry"))])
    later = notices.update(retry, "Groq is still down.")
    seen: list[tuple[Change, Notice]] = []
    notices.install(lambda change, notice: seen.append((change, notice)))
    assert [(c, n.text) for c, n in seen] == [
        (Change.SHOWN, "No sound device."),
        (Change.SHOWN, "Groq is down."),
        (Change.UPDATED, "Groq is still down."),
    ]
    assert seen[0][1] == early and seen[0][1].level is Level.WARNING
    assert seen[2][1].id == retry.id != early.id and later.actions == retry.actions
    seen[1][1].actions[0].run()
    assert pressed == ["retry"]


def test_a_withdrawal_names_the_notice_it_takes_back() -> None:
    seen: list[tuple[Change, int]] = []
    notices.install(lambda change, notice: seen.append((change, notice.id)))
    first = notices.info("Retrying in 3 seconds…")
    second = notices.info("Something else.")
    notices.withdraw(first)
    assert seen == [
        (Change.SHOWN, first.id),
        (Change.SHOWN, second.id),
        (Change.WITHDRAWN, first.id),
    ]


def test_any_thread_may_notify() -> None:
    seen: list[str] = []
    notices.install(lambda _change, notice: seen.append(notice.text))
    workers = [threading.Thread(target=notices.info, args=(f"n{i}",)) for i in range(8)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert sorted(seen) == sorted(f"n{i}" for i in range(8))
