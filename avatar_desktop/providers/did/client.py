"""D-ID as the photoreal presenter: one talk (your portrait) or clip (a presenter) per sentence."""

from __future__ import annotations

import contextlib
import logging
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import requests

from avatar_desktop.core.atomic import TEMP_SUFFIX
from avatar_desktop.core.cancel import Cancelled, CancelToken
from avatar_desktop.providers.base import ProviderError
from avatar_desktop.providers.did import errors as did_errors
from avatar_desktop.providers.did.clips import ClipRequest, TalkRequest

log = logging.getLogger(__name__)

BASE_URL = "https://api.d-id.com"
_CHUNK = 64 * 1024
_PRESENTER_PAGES = 5
_LARGEST_THUMBNAIL = 5 * 1024 * 1024
_KEY_CHARS = re.compile(r"[!-~]+")  # printable ASCII without spaces

RenderKind = Literal["talks", "clips"]


@dataclass(frozen=True, slots=True)
class DidAccess:
    """Where and as whom to talk to D-ID; the key goes out exactly as D-ID issued it."""

    key: str | None
    base_url: str = BASE_URL
    timeout_s: float = 20.0
    connect_timeout_s: float = 5.0

    @classmethod
    def from_env(cls, key: str | None) -> DidAccess:
        return cls(key=key, base_url=os.environ.get(did_errors.DID.base_url_env) or BASE_URL)


def from_settings(key: str | None, _settings: object) -> DidClient:
    """The catalogue's factory for D-ID as the presenter: the client the clips go through."""
    return DidClient(DidAccess.from_env(key))


def check_key(key: str) -> str:
    """The settings dialog's Test: asking for the credits proves the key works."""
    client = DidClient(DidAccess.from_env(key))
    try:
        credits = client.credits()
    finally:
        client.close()
    return f"D-ID accepted the key; {credits.remaining} of {credits.total} credits are left."


@dataclass(frozen=True, slots=True)
class Credits:
    remaining: int
    total: int


@dataclass(frozen=True, slots=True)
class Presenter:
    presenter_id: str
    driver_id: str
    gender: str
    thumbnail_url: str
    name: str


@dataclass(frozen=True, slots=True)
class RenderRef:
    kind: RenderKind
    id: str


@dataclass(frozen=True, slots=True)
class RenderStatus:
    """created → started → done, or error / rejected with D-ID's reason in ``error``."""

    status: str
    result_url: str | None = None
    duration: float | None = None
    error: str | None = None


def presenter_name(presenter_id: str) -> str:
    """A readable name from an id such as ``amy-Aq6OmGZnMt`` ("Amy"), for the picker."""
    stem = presenter_id.split("-", 1)[0]
    words = re.sub(r"[_\s]+", " ", stem).strip()
    return words.title() if words else presenter_id


class DidClient:
    """The D-ID REST API over one ``requests`` session (talks, clips, uploads, credits)."""

    def __init__(self, access: DidAccess) -> None:
        self.access = access
        self._key = (access.key or "").strip()
        self._base = access.base_url.rstrip("/")
        self._timeout = (access.connect_timeout_s, access.timeout_s)
        self._session = requests.Session()
        self._session.headers.update({"Accept": "application/json"})
        # The result URL is pre-signed S3, which refuses any second credential: a separate
        # session that never carries the key.
        self._plain = requests.Session()
        self._plain.auth = _no_auth

    def close(self) -> None:
        self._session.close()
        self._plain.close()

    def credits(self) -> Credits:
        body = self._call("GET", "/credits")
        try:
            return Credits(int(body["remaining"]), int(body["total"]))
        except (KeyError, TypeError, ValueError) as exc:
            raise did_errors.malformed("a credits reply") from exc

    def presenters(self) -> list[Presenter]:
        """The stock presenters for clips, following D-ID's page tokens a few pages deep."""
        found: list[Presenter] = []
        token: str | None = None
        for _ in range(_PRESENTER_PAGES):
            params = {"limit": "100", **({"token": token} if token else {})}
            body = self._call("GET", "/clips/presenters", params=params)
            listed = body.get("presenters")
            if not isinstance(listed, list):
                raise did_errors.malformed("a presenter list")
            found.extend(_presenter(item) for item in listed if isinstance(item, dict))
            token = body.get("token") or None
            if not isinstance(token, str):
                break
        return [p for p in found if p.presenter_id]

    def upload_image(self, data: bytes, filename: str) -> str:
        """Upload a portrait; the returned ``s3://`` URL serves as a talk's ``source_url``."""
        mime = "image/png" if filename.lower().endswith(".png") else "image/jpeg"
        body = self._call("POST", "/images", files={"image": (filename, data, mime)})
        return _required_str(body, "url", "an upload reply")

    def create(self, request: TalkRequest | ClipRequest) -> RenderRef:
        kind: RenderKind = "talks" if isinstance(request, TalkRequest) else "clips"
        body = self._call("POST", f"/{kind}", json=request.body())
        return RenderRef(kind, _required_str(body, "id", "a create reply"))

    def status(self, ref: RenderRef) -> RenderStatus:
        body = self._call("GET", f"/{ref.kind}/{ref.id}")
        status = _required_str(body, "status", "a status reply")
        url = body.get("result_url")
        duration = body.get("duration")
        return RenderStatus(
            status=status,
            result_url=url if isinstance(url, str) and url else None,
            duration=float(duration) if isinstance(duration, int | float) else None,
            error=_reason(body.get("error")) if status in ("error", "rejected") else None,
        )

    def delete(self, ref: RenderRef) -> bool:
        """Remove a render from the account; False while D-ID is still making it (409)."""
        try:
            self._call("DELETE", f"/{ref.kind}/{ref.id}")
        except ProviderError as exc:
            if exc.kind == "not_ready":
                return False
            if exc.kind == "not_found":  # already gone: that is what we wanted
                return True
            raise
        return True

    def thumbnail(self, url: str) -> bytes:
        """A presenter's picture for the picker (a public URL: fetched without the key)."""
        try:
            response = self._plain.get(url, timeout=self._timeout)
        except requests.RequestException as exc:
            raise did_errors.explain_exception(exc) from exc
        if response.status_code != 200 or len(response.content) > _LARGEST_THUMBNAIL:
            raise did_errors.download_refused(response.status_code, what="presenter picture")
        return response.content

    def download(self, url: str, dest: Path, *, cancel: CancelToken) -> Path:
        """Fetch a finished video to ``dest`` (streamed to a temp file, then moved in place)."""
        dest.parent.mkdir(parents=True, exist_ok=True)
        try:
            response = self._plain.get(url, stream=True, timeout=self._timeout)
        except requests.RequestException as exc:
            raise did_errors.unreachable() from exc
        with response:
            if response.status_code != 200:
                raise did_errors.download_refused(response.status_code)
            fd, temp = tempfile.mkstemp(
                prefix=f".{dest.name}.", suffix=TEMP_SUFFIX, dir=dest.parent
            )
            try:
                with os.fdopen(fd, "wb") as out:
                    _copy(response, out, cancel)
                _check_video(Path(temp))
                os.replace(temp, dest)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(temp)
                raise
        return dest

    def _call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        """One API request with the key sent verbatim; any failure becomes a ProviderError."""
        if not self._key:
            raise ProviderError(did_errors.NO_KEY, kind="auth")
        if not _KEY_CHARS.fullmatch(self._key):  # a header cannot carry it; D-ID never issues it
            raise ProviderError(did_errors.BAD_KEY, kind="auth")
        headers = {"Authorization": f"Basic {self._key}"}
        try:
            response = self._session.request(
                method, self._base + path, headers=headers, timeout=self._timeout, **kwargs
            )
        except requests.RequestException as exc:
            raise did_errors.explain_exception(exc) from exc
        if not response.ok:
            raise did_errors.explain_response(response, key=self._key)
        if not response.content:
            return {}
        try:
            body = response.json()
        except ValueError as exc:
            raise did_errors.malformed() from exc
        if not isinstance(body, dict):
            raise did_errors.malformed()
        return body


def _no_auth(request: requests.PreparedRequest) -> requests.PreparedRequest:
    """Send no credential at all: keeps ``~/.netrc`` from adding one to a pre-signed URL."""
    request.headers.pop("Authorization", None)
    return request


def _presenter(item: dict[str, Any]) -> Presenter:
    presenter_id = str(item.get("presenter_id") or "")
    name = item.get("name")
    return Presenter(
        presenter_id=presenter_id,
        driver_id=str(item.get("driver_id") or ""),
        gender=str(item.get("gender") or ""),
        thumbnail_url=str(item.get("thumbnail_url") or ""),
        name=name.strip()
        if isinstance(name, str) and name.strip()
        else presenter_name(presenter_id),
    )


def _required_str(body: dict[str, Any], field: str, what: str) -> str:
    value = body.get(field)
    if not isinstance(value, str) or not value:
        raise did_errors.malformed(what)
    return value


def _reason(error: object) -> str:
    """D-ID's words for why a render failed (its error object's description, else its kind)."""
    if isinstance(error, dict):
        text = error.get("description") or error.get("kind")
        return str(text) if text else "no reason given"
    return str(error) if error else "no reason given"


def _copy(response: requests.Response, out: Any, cancel: CancelToken) -> None:
    try:
        for chunk in response.iter_content(_CHUNK):
            if cancel.cancelled:
                raise Cancelled()
            out.write(chunk)
    except requests.RequestException as exc:
        raise did_errors.unreachable() from exc


def _check_video(path: Path) -> None:
    """An MP4 or MOV starts with an ISO-BMFF ``ftyp`` box; anything else is not our video."""
    with path.open("rb") as handle:
        head = handle.read(12)
    if len(head) < 12 or head[4:8] != b"ftyp":
        raise did_errors.corrupt_video()
