"""What `bench v2v` prints: a line per utterance, and the metrics of every configuration."""

from __future__ import annotations

from typing import Any

import numpy as np

from avatar_desktop.core.latency import STAGES
from bench.v2v_turn import TurnResult
from tests.audio.utterances import Utterance

GAP_MS = 20.0
SUFFIX = {"offline": "", "groq": "_groq_fake"}


def progress(label: str, n: int, total: int, utterance: Utterance, result: TurnResult) -> str:
    """One line per utterance: the measured time, the app's own stages, what went wrong."""
    head = f"{label:7s} {n:2d}/{total}"
    if result.failed:
        notes = "; ".join(result.notes) or "nothing happened"
        seconds = result.v2v_ms / 1000
        return f"{head}  FAILED: no reply within {seconds:.0f} s ({notes})  {utterance.describe()}"
    parts = [f"{head}  v2v {result.v2v_ms:6.0f} ms"]
    if result.app_total_ms is not None:
        parts.append(f"(app says {result.app_total_ms:.0f})")
    stages = [f"{k} {v:.0f}" for k, v in result.stages.items() if v is not None]
    if stages:
        parts.append("[" + ", ".join(stages) + "]")
    parts.append(utterance.describe())
    if _gapped(result):
        parts.append(f"(playback gap {result.gap_ms:.0f} ms: the stop was found by its sound)")
    if result.early is not None:
        parts.append(f"FALSE ENDPOINT: {result.early} before the user finished")
    return "  ".join(parts)


def _gapped(result: TurnResult) -> bool:
    """A busy machine slipped silence into the user's voice (more than a few ms)."""
    return not abs(result.gap_ms) <= GAP_MS


def _percentile(values: list[float], q: float) -> float | None:
    return round(float(np.percentile(values, q)), 1) if values else None


def _stage_p50s(results: list[TurnResult]) -> dict[str, float | None]:
    """Each stage's median over the replies the app reported it for (None: never reported)."""
    out = {}
    for stage in STAGES:
        values = [r.stages[stage] for r in results if r.stages.get(stage) is not None]
        out[f"{stage}_ms_p50"] = _percentile([float(v) for v in values if v is not None], 50)
    return out


def report(results: dict[str, list[TurnResult]], material: list[Utterance]) -> dict[str, Any]:
    """The issue's metrics: offline percentiles, Groq-fake median, false endpoints over every
    paused utterance said, and the stage medians (offline; with a suffix for the Groq fake)."""
    offline = [r.v2v_ms for r in results.get("offline", [])]
    groq = [r.v2v_ms for r in results.get("groq", [])]
    metrics: dict[str, Any] = {
        "v2v_ms_p50": _percentile(offline, 50),
        "v2v_ms_p95": _percentile(offline, 95),
        "v2v_ms_p50_groq_fake": _percentile(groq, 50),
        "v2v_ms_p95_groq_fake": _percentile(groq, 95),
        "utterances": len(material),
        "paused_utterances": sum(u.pause is not None for u in material),
        "failures": sum(r.failed for runs in results.values() for r in runs),
        "playback_gaps": sum(_gapped(r) for runs in results.values() for r in runs),
    }
    paused = [
        r for runs in results.values() for u, r in zip(material, runs, strict=True) if u.pause
    ]
    early = sum(r.early is not None for r in paused)
    metrics["false_endpoint_rate"] = round(early / len(paused), 3) if paused else None
    for name in ("offline", "groq"):
        for key, value in _stage_p50s(results.get(name, [])).items():
            metrics[key + SUFFIX[name]] = value
    return metrics
