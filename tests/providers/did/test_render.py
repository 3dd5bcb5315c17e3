"""One sentence through D-ID: poll cadence, prompt download, failures, cancel and clean-up."""

from __future__ import annotations

import itertools
import math
import threading
import time
from pathlib import Path

import pytest

from avatar_desktop.core.cancel import Cancelled, CancelToken
from avatar_desktop.providers.base import ProviderError
from avatar_desktop.providers.did.client import DidAccess, DidClient, RenderRef, RenderStatus
from avatar_desktop.providers.did.clips import TalkRequest
from avatar_desktop.providers.did.render import PollSchedule, RenderResult, render, sweep_idle
from tests.fakes.did_server import DidFake, did_fake  # noqa: F401

KEY = "user:secret"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


@pytest.fixture
def fake(did_fake: DidFake) -> DidFake:  # noqa: F811
    """The loopback D-ID, accepting only our key (so every test checks the auth header)."""
    did_fake.valid_key = KEY
    return did_fake


def _setup(fake: DidFake, chars: int) -> tuple[DidClient, TalkRequest]:
    """A client and a talk whose render takes ``chars`` × render_s_per_char seconds."""
    client = DidClient(DidAccess(key=KEY, base_url=fake.base_url))
    source = client.upload_image(PNG, "me.png")
    return client, TalkRequest(source_url=source, text="a" * chars)


def _status_polls(fake: DidFake, ref: RenderRef) -> int:
    return sum(1 for r in fake.requests if r.method == "GET" and r.path == f"/talks/{ref.id}")


def _status_polls_any(fake: DidFake) -> int:
    return sum(1 for r in fake.requests if r.method == "GET" and r.path.startswith("/talks/"))


def _deletes(fake: DidFake) -> int:
    return sum(1 for r in fake.requests if r.method == "DELETE")


def _eventually(check: object, limit: float = 5.0) -> bool:
    end = time.monotonic() + limit
    while time.monotonic() < end:
        if check():  # type: ignore[operator]
            return True
        time.sleep(0.05)
    return False


# -- the schedule ---------------------------------------------------------------------------------


def test_schedule_is_fast_first_then_backs_off_to_two_seconds() -> None:
    schedule = PollSchedule()
    intervals = list(itertools.islice(schedule.intervals(), 60))
    fast = math.ceil(schedule.fast_for / schedule.first - 1e-9)

    assert schedule.first <= 0.25 and schedule.fast_for >= 5.0 and schedule.longest == 2.0
    assert intervals[:fast] == [schedule.first] * fast  # the first seconds: several polls a second
    assert intervals[fast] == pytest.approx(schedule.first * 1.5)
    assert intervals[fast + 1] == pytest.approx(schedule.first * 1.5**2)
    assert max(intervals) == 2.0 and intervals[-1] == 2.0
    assert all(b >= a for a, b in itertools.pairwise(intervals))


def test_custom_schedule() -> None:
    schedule = PollSchedule(first=0.1, fast_for=0.3, factor=2.0, longest=0.5)

    assert list(itertools.islice(schedule.intervals(), 6)) == pytest.approx(
        [0.1, 0.1, 0.1, 0.2, 0.4, 0.5]
    )


# -- a render -------------------------------------------------------------------------------------


def test_one_second_render_polls_a_few_times_and_downloads_at_once(
    fake: DidFake, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    client, request = _setup(fake, chars=100)  # 0.05 s queue + 1.0 s render
    asked: list[float] = []
    download = client.download

    def stamped_download(url: str, dest: Path, *, cancel: CancelToken) -> Path:
        asked.append(time.monotonic())
        return download(url, dest, cancel=cancel)

    monkeypatch.setattr(client, "download", stamped_download)

    result = render(client, request, tmp_path / "s1.mp4", CancelToken())
    fetched_at = time.monotonic()

    assert isinstance(result, RenderResult)
    assert result.path == tmp_path / "s1.mp4" and result.path.read_bytes()[4:8] == b"ftyp"
    assert 4 <= _status_polls(fake, result.ref) <= 6
    done_at = fake.renders[result.ref.id].done_at
    assert asked[0] - done_at < 0.3  # noticed within one fast poll, fetched at once
    assert fetched_at - done_at < 0.4
    assert 1.0 <= result.render_s < 1.4 and 0 <= result.download_s < 0.2
    assert fake.renders[result.ref.id].downloads == 1


@pytest.mark.parametrize(
    ("ending", "kind", "words"),
    [
        ("error", "render_failed", "Face not detected"),
        ("rejected", "moderation", "rejected by content moderation"),
        ("vanish", "not_found", "does not know"),
        ("corrupt", "corrupt_video", "damaged"),
    ],
)
def test_failed_renders_name_the_reason(
    fake: DidFake, tmp_path: Path, ending: str, kind: str, words: str
) -> None:
    client, request = _setup(fake, chars=20)
    fake.fail_next(ending)

    with pytest.raises(ProviderError) as caught:
        render(client, request, tmp_path / "x.mp4", CancelToken())

    assert caught.value.kind == kind and words in caught.value.user_message
    assert not (tmp_path / "x.mp4").exists()
    if ending in ("error", "rejected"):  # failed renders are cleared from the account too
        assert set(fake.renders) == fake.deleted_ids()


def test_a_passing_status_hiccup_is_retried(
    fake: DidFake, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    client, request = _setup(fake, chars=20)
    real_status = client.status
    calls: list[RenderRef] = []

    def flaky(ref: RenderRef) -> RenderStatus:
        calls.append(ref)
        if len(calls) <= 2:
            raise ProviderError("D-ID had a problem", kind="server", retryable=True)
        return real_status(ref)

    monkeypatch.setattr(client, "status", flaky)

    result = render(client, request, tmp_path / "x.mp4", CancelToken())

    assert result.path.exists() and len(calls) >= 3


def test_status_keeps_failing_then_the_error_is_raised(
    fake: DidFake, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    client, request = _setup(fake, chars=20)

    def down(ref: RenderRef) -> RenderStatus:
        raise ProviderError("D-ID could not be reached", kind="network", offline=True)

    monkeypatch.setattr(client, "status", down)

    with pytest.raises(ProviderError) as caught:
        render(client, request, tmp_path / "x.mp4", CancelToken())

    assert caught.value.kind == "network"
    assert sum(1 for r in fake.requests if r.method == "GET") == 0  # every check was "lost"
    (render_id,) = fake.renders
    assert render_id in fake.deleted_ids()  # given up on, so not left on the account


def test_create_failure_is_raised_without_polling(fake: DidFake, tmp_path: Path) -> None:
    client, request = _setup(fake, chars=20)
    fake.fail_next("402")

    with pytest.raises(ProviderError) as caught:
        render(client, request, tmp_path / "x.mp4", CancelToken())

    assert caught.value.kind == "credits"
    assert [r.method for r in fake.requests] == ["POST", "POST"]  # upload, create


# -- cancel and time-outs -------------------------------------------------------------------------


def test_cancel_mid_render_is_prompt_and_deletes_the_render(fake: DidFake, tmp_path: Path) -> None:
    client, request = _setup(fake, chars=100)  # 1 s: still rendering when cancelled
    token = CancelToken()
    outcome: list[BaseException] = []

    def run() -> None:
        try:
            render(client, request, tmp_path / "c.mp4", token)
        except BaseException as exc:
            outcome.append(exc)

    worker = threading.Thread(target=run)
    worker.start()
    assert _eventually(lambda: _status_polls_any(fake) >= 1, 2.0)
    cancelled_at = time.monotonic()
    token.cancel()
    worker.join(2.0)
    took = time.monotonic() - cancelled_at

    assert not worker.is_alive() and isinstance(outcome[0], Cancelled)
    assert took < 0.3
    (render_id,) = fake.renders
    assert fake.status_of(render_id) == "started"  # so the first DELETE met a 409
    assert _eventually(lambda: render_id in fake.deleted_ids(), 4.0)
    assert sweep_idle(2.0)
    assert _deletes(fake) == 2  # refused while rendering, then done by the sweeper
    assert not (tmp_path / "c.mp4").exists()


def test_cancel_before_start_sends_nothing(fake: DidFake, tmp_path: Path) -> None:
    client, request = _setup(fake, chars=20)
    token = CancelToken()
    token.cancel()

    with pytest.raises(Cancelled):
        render(client, request, tmp_path / "x.mp4", token)
    assert fake.renders == {}


def test_timeout_gives_up_and_cleans_up(fake: DidFake, tmp_path: Path) -> None:
    client, request = _setup(fake, chars=50)

    began = time.monotonic()
    with pytest.raises(ProviderError) as caught:
        render(client, request, tmp_path / "x.mp4", CancelToken(), timeout_s=0.3)

    assert caught.value.kind == "timeout" and caught.value.retryable
    assert time.monotonic() - began < 0.6
    (render_id,) = fake.renders
    assert _eventually(lambda: render_id in fake.deleted_ids(), 4.0)
    assert sweep_idle(2.0)
