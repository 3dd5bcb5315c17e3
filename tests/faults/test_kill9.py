"""A small kill -9 storm on the real app: nothing acknowledged is lost, nothing is left behind."""

from __future__ import annotations

from pathlib import Path

from tests.faults.harness import Harness


def test_kill9_storm_loses_no_acknowledged_message_and_leaves_no_temp_file(tmp_path: Path) -> None:
    counters = Harness(tmp_path / "storm", seed=13).run(14)
    report = counters.report()
    assert counters.kills == 14, report
    assert counters.acks > 0, report  # the script did send and the app did acknowledge
    assert counters.acked_lost == 0, report
    assert counters.corrupt == 0, report
    assert counters.restart_failures == 0, report
    assert counters.temp_files_left == 0, report
