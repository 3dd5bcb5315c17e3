"""Bodies and request checks of the loopback D-ID fake, per api-contracts.md §2 (no I/O here)."""

from __future__ import annotations

import re
import secrets
from typing import Any, TypeGuard

JsonDict = dict[str, Any]
Problem = tuple[int, JsonDict]
USER = "auth0|fake"
MAX_IMAGE_BYTES = 10 * 1024 * 1024

SOURCE_URL = re.compile(r"(?i)^(https|s3):.*\.(jpg|jpeg|png)$")
AUDIO_URL = re.compile(r"(?i)^(https|s3):.*\.(m4a|flac|mp3|mp4|wav)$")
PROVIDERS = frozenset({"microsoft", "elevenlabs", "amazon", "afflorithmics", "google"})
EXPRESSIONS = frozenset({"neutral", "happy", "serious", "surprise"})
CLIP_CONFIG_KEYS = frozenset({"logo", "result_format"})
RESULT_FORMATS = {"talks": {"mp4", "gif", "mov"}, "clips": {"mp4", "gif", "mov", "webm"}}
DONE_ENDINGS = frozenset({"expired", "unreachable", "corrupt"})
ENDING_MODES = DONE_ENDINGS | {"error", "rejected", "vanish"}


def did_error(kind: str, description: str) -> JsonDict:
    """The D-ID error envelope of §2.2."""
    return {"kind": kind, "description": description}


GATEWAY_403 = {
    "message": "Invalid key=value pair (missing equal-sign) in Authorization header (hashed with"
    " SHA-256 and encoded with Base64): 'fake='."
}
# Bodies marked unconfirmed in §2.2 are the contract's suggestions; do not assert their wording.
HTTP_FAILURES: dict[str, Problem] = {
    "401": (401, did_error("AuthorizationError", "Unauthorized")),
    "402": (402, did_error("InsufficientCreditsError", "not enough credits")),
    "403": (403, did_error("PermissionError", "user has no permission for this action")),
    "403_gateway": (403, GATEWAY_403),
    "403_deny": (
        403,
        {"Message": "User is not authorized to access this resource with an explicit deny"},
    ),
    "404": (404, did_error("NotFoundError", "not found")),
    "409": (409, did_error("NotReadyError", "not ready")),
    "429": (429, {"message": "Too Many Requests"}),
    "451": (451, did_error("TextModerationError", "the text was rejected by moderation")),
    "500": (500, did_error("InternalServerError", "Internal Server Error")),
}
FAIL_MODES = frozenset(HTTP_FAILURES) | ENDING_MODES

# Presenter ids from §2.6; the drivers other than amy's and the third presenter are made up.
PRESENTERS: tuple[tuple[str, str, str, str, tuple[int, int, int]], ...] = (
    ("amy-Aq6OmGZnMt", "Vcq0R4a8F0", "female", "Amy", (200, 120, 140)),
    ("rian-lZC6MmWfC1", "mXra4jY38i", "male", "Rian", (90, 130, 200)),
    ("lily-ldwXGZyvSG", "wbQUqAFrKu", "female", "Lily", (120, 190, 110)),
)


# -- echoes of a render's request ------------------------------------------------------------------


def script_text(script: object) -> tuple[str, float | None]:
    """The text that drives timing, or ('', assumed seconds) for an audio script."""
    if isinstance(script, dict) and script.get("type") == "audio":
        return "", 3.0
    if isinstance(script, dict) and isinstance(script.get("input"), str):
        return str(script["input"]), None
    return "", None


def echo_config(kind: str, config: object) -> JsonDict:
    """The config a real render echoes: its defaults with the request's values on top."""
    given = {k: v for k, v in (config if isinstance(config, dict) else {}).items() if v is not None}
    if kind == "clips":
        return {"result_format": "mp4", **given}
    defaults: JsonDict = {
        "stitch": False,
        "fluent": False,
        "pad_audio": 0.0,
        "result_format": "mp4",
        "align_driver": True,
        "auto_match": True,
        "normalization_factor": 1,
        "sharpen": True,
        "motion_factor": 1,
        "align_expand_factor": 0.3,
    }
    return {**defaults, **given}


def echo_inputs(kind: str, body: JsonDict, base_url: str) -> JsonDict:
    """Input echo: source and driver for talks, presenter fields for clips."""
    script = body.get("script")
    audio: JsonDict = {}
    if isinstance(script, dict) and script.get("type") == "audio":
        audio["audio_url"] = script["audio_url"]
    if kind == "talks":
        driver = body.get("driver_url") or "bank://natural/"
        return {"source_url": body["source_url"], "driver_url": driver, **audio}
    presenter = presenter_entry(str(body["presenter_id"]), base_url)
    driver_id = body.get("driver_id") or presenter["driver_id"]
    return {
        "presenter_id": presenter["presenter_id"],
        "driver_id": driver_id,
        "owner_id": USER,
        **audio,
    }


def ending_error(status: str) -> JsonDict:
    """The error object of a failed render; the shape is unconfirmed (§2.4)."""
    if status == "rejected":
        return did_error("ImageModerationError", "the image was rejected by content moderation")
    return did_error("FaceError", "Face not detected")


def presenter_entry(presenter_id: str, base_url: str) -> JsonDict:
    """One GET /clips/presenters entry whose media the fake itself serves."""
    for pid, driver, gender, name, _ in PRESENTERS:
        if pid == presenter_id:
            files = f"{base_url}/files/presenters/{pid}"
            return {
                "presenter_id": pid,
                "driver_id": driver,
                "gender": gender,
                "owner_id": "DID",
                "name": name,
                "thumbnail_url": f"{files}.png",
                "image_url": f"{files}.png",
                "preview_url": f"{files}.mp4",
                "created_at": "2023-05-01T00:00:00.000Z",
                "modified_at": "2023-05-01T00:00:00.000Z",
            }
    raise KeyError(presenter_id)


# -- validation (pure functions: body in, problem out) --------------------------------------------


def invalid(description: str) -> Problem:
    """D-ID's 400 for a body its schema refuses."""
    return 400, did_error("ValidationError", description)


def create_problem(kind: str, body: object, images: set[str]) -> Problem | None:
    """The 400 a real POST /talks or /clips would answer, or None; unknown fields pass."""
    if not isinstance(body, dict):
        return invalid("request body must be a JSON object")
    if kind == "talks":
        problem = _source_problem(body.get("source_url"), images)
    else:
        problem = _presenter_problem(body)
    return problem or _script_problem(body.get("script")) or _config_problem(kind, body)


def _source_problem(source: object, images: set[str]) -> Problem | None:
    if not isinstance(source, str) or not SOURCE_URL.match(source):
        return invalid('"source_url" must match (https|s3):.*\\.(jpg|jpeg|png)')
    if source.lower().startswith("s3:") and source not in images:
        return 400, did_error("BadRequestError", "invalid actor url")
    return None


def _presenter_problem(body: JsonDict) -> Problem | None:
    known = {pid for pid, *_ in PRESENTERS}
    if body.get("presenter_id") not in known:
        return invalid('"presenter_id" is required and must name an existing presenter')
    driver = body.get("driver_id")
    if driver is not None and not isinstance(driver, str):
        return invalid('"driver_id" must be a string')
    return None


def _script_problem(script: object) -> Problem | None:
    if not isinstance(script, dict):
        return invalid('"script" is required')
    if script.get("type") == "audio":
        audio = script.get("audio_url")
        if not isinstance(audio, str) or not AUDIO_URL.match(audio):
            return invalid('"script.audio_url" must match (https|s3):.*\\.(m4a|flac|mp3|mp4|wav)')
        return None
    if script.get("type") != "text":
        return invalid("Failed to validate script")
    text = script.get("input")
    if not isinstance(text, str) or not 3 <= len(text) <= 40000:
        return invalid('"script.input" must be 3 to 40000 characters')
    provider = script.get("provider")
    if provider is not None and (
        not isinstance(provider, dict) or provider.get("type") not in PROVIDERS
    ):
        return invalid(f'"script.provider.type" must be one of {sorted(PROVIDERS)}')
    return None


def _config_problem(kind: str, body: JsonDict) -> Problem | None:
    config = body.get("config")
    if config is None:
        return None
    if not isinstance(config, dict):
        return invalid('"config" must be an object')
    fmt = config.get("result_format")
    if fmt is not None and fmt not in RESULT_FORMATS[kind]:
        return invalid(f'"config.result_format" must be one of {sorted(RESULT_FORMATS[kind])}')
    if kind == "clips":
        extra = sorted(k for k, v in config.items() if v is not None and k not in CLIP_CONFIG_KEYS)
        return invalid(f'"config" of a clip does not allow {extra}') if extra else None
    return _expressions_problem(config.get("driver_expressions"))


def _expressions_problem(driver_expressions: object) -> Problem | None:
    if driver_expressions is None:
        return None
    expressions = (
        driver_expressions.get("expressions") if isinstance(driver_expressions, dict) else None
    )
    if not isinstance(expressions, list):
        return invalid('"config.driver_expressions.expressions" must be a list')
    for index, entry in enumerate(expressions):
        where = f'"config.driver_expressions.expressions[{index}]"'
        if not isinstance(entry, dict):
            return invalid(f"{where} must be an object")
        frame, expression, intensity = (entry.get(k) for k in _EXPRESSION_KEYS)
        if not _is_int(frame) or frame < 0:
            return invalid(f"{where}.start_frame must be an integer >= 0")
        if expression not in EXPRESSIONS:
            return invalid(f"{where}.expression must be one of {sorted(EXPRESSIONS)}")
        if not _is_number(intensity) or not 0 <= intensity <= 1:
            return invalid(f"{where}.intensity must be a number from 0 to 1")
    return None


_EXPRESSION_KEYS = ("start_frame", "expression", "intensity")


def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: object) -> TypeGuard[float]:
    return isinstance(value, int | float) and not isinstance(value, bool)


def auth_problem(header: str, valid_key: str | None) -> Problem | None:
    """Gateway 403 for a foreign scheme, 401 for a missing or wrong credential (§2.1)."""
    scheme, _, token = header.strip().partition(" ")
    if not scheme:
        return 401, did_error("AuthorizationError", "Unauthorized")
    if scheme.lower() not in ("basic", "bearer"):
        return 403, GATEWAY_403
    token = token.strip()
    if not token or (valid_key is not None and token != valid_key):
        return 401, did_error("AuthorizationError", "Unauthorized")
    return None


def image_problem(files: dict[str, tuple[str, bytes]]) -> Problem | None:
    """POST /images takes one JPEG or PNG (by magic bytes) of at most 10 MB in field ``image``."""
    upload = files.get("image")
    if upload is None:
        return invalid('multipart field "image" is required')
    data = upload[1]
    if len(data) > MAX_IMAGE_BYTES:
        return invalid("image must be at most 10MB")
    if not (data.startswith(b"\xff\xd8\xff") or data.startswith(b"\x89PNG\r\n\x1a\n")):
        return invalid("image must be a jpg or png file")
    return None


def s3_error(code: str, message: str, **extra: str) -> bytes:
    """An S3-style XML error document."""
    fields = "".join(f"<{key}>{value}</{key}>" for key, value in extra.items())
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<Error><Code>{code}</Code><Message>{message}</Message>{fields}"
        f"<RequestId>{secrets.token_hex(8).upper()}</RequestId><HostId>fake</HostId></Error>"
    ).encode()


ONE_AUTH = (
    "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query"
    " string parameter or the Authorization header should be specified"
)
CORRUPT = b"<html><body>this is not a video</body></html>\n" * 20
