"""The echo guard: the avatar's own voice at the microphone never counts as the user's."""

from __future__ import annotations

import numpy as np

from avatar_desktop.audio.echo import EchoGuard

TICKS_PER_S = 33  # the guard below is told it is observed every 30 ms (its default)


def speech_envelope(seconds: float, seed: int) -> np.ndarray:
    """Syllable-like loudness in dBFS: between -35 and -10, changing every tick."""
    rng = np.random.default_rng(seed)
    return rng.uniform(-35.0, -10.0, int(seconds * TICKS_PER_S))


def play(guard: EchoGuard, out: np.ndarray, *, coupling: float, delay: int, user: float | None):
    """Feed the guard: the mic hears the output ``delay`` ticks later, ``coupling`` dB down,
    plus the user's voice at ``user`` dBFS if given; returns what the guard said each tick."""
    said = []
    for i, level in enumerate(out):
        echo = out[i - delay] + coupling if i >= delay else -90.0
        mic = echo if user is None else 10 * np.log10(10 ** (echo / 10) + 10 ** (user / 10))
        guard.observe(float(mic), float(level))
        said.append(guard.user_is_louder())
    return said


def test_with_nothing_playing_any_voice_is_the_users() -> None:
    guard = EchoGuard()
    guard.observe(-40.0, -120.0)
    assert guard.user_is_louder()


def test_the_avatars_echo_alone_never_passes_for_the_user() -> None:
    for coupling in (0.0, -12.0, -25.0):
        for delay in (2, 5, 12):
            guard = EchoGuard()
            said = play(
                guard, speech_envelope(6.0, seed=delay), coupling=coupling, delay=delay, user=None
            )
            assert not any(said), (coupling, delay)


def test_a_user_clearly_louder_than_the_echo_is_heard_once_the_echo_is_learned() -> None:
    guard = EchoGuard()
    out = speech_envelope(4.0, seed=1)
    assert not any(play(guard, out, coupling=-20.0, delay=4, user=None))
    assert guard.coupling_db < -5.0  # learned: this echo is much quieter than the output
    said = play(guard, speech_envelope(0.5, seed=2), coupling=-20.0, delay=4, user=-12.0)
    assert said[-1]


def test_before_the_echo_is_learned_the_user_must_beat_the_output_itself() -> None:
    guard = EchoGuard()
    said = play(guard, np.full(10, -20.0), coupling=-20.0, delay=2, user=-18.0)
    assert not any(said)  # 2 dB over the output is not enough without knowing the echo
    said = play(EchoGuard(), np.full(10, -20.0), coupling=-20.0, delay=2, user=-8.0)
    assert said[-1]
