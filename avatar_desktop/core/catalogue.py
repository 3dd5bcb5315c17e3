"""The services the app can use and the choices that pick them: one row per vendor.

Whatever needs to know a service reads it here: the key store (environment variable, keyring
entry), the service wiring (which factory builds a role's provider), the settings (which choices
are valid) and the settings dialog (labels, where to get a key). Adding a vendor is its folder
under ``providers/``, one row below and a choice per role it fills (steps:
``docs/adding-a-service.md``).

Factories are "module:attr" strings, resolved only when a service is first used, so the cloud
SDKs stay off the start-up path and this module imports nothing of the app.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType


class Service(StrEnum):
    """A cloud vendor; the value is also how its key is named in the keyring and the settings."""

    GROQ = "groq"
    DID = "did"
    ELEVENLABS = "elevenlabs"


class ServiceRole(StrEnum):
    """What a provider does for a turn (the interfaces in ``providers/base.py``)."""

    BRAIN = "brain"  # ChatModel: messages in, a token stream out
    EARS = "ears"  # Transcriber: speech in, text out
    VOICE = "voice"  # Voice: text in, speech with phoneme timings out
    PRESENTER = "presenter"  # what the user sees speak: the drawn avatar or a video


# The user's choice for each role, as settings.json stores it (the values never change).
class BrainChoice(StrEnum):
    LOCAL = "local"
    GROQ = "groq"


class EarsChoice(StrEnum):
    LOCAL = "local"
    GROQ = "groq"


class VoiceChoice(StrEnum):
    LOCAL = "local"
    ELEVENLABS = "elevenlabs"


class Responsiveness(StrEnum):
    """Hands-free: how soon a pause ends the user's turn (speed against patience)."""

    QUICK = "quick"
    BALANCED = "balanced"
    PATIENT = "patient"


class PresenterKind(StrEnum):
    DRAWN = "drawn"
    DID_TALK = "did_talk"  # D-ID animates the user's portrait
    DID_CLIP = "did_clip"  # one of D-ID's stock presenters


Choice = BrainChoice | EarsChoice | VoiceChoice | PresenterKind
CHOICE_TYPES: Mapping[ServiceRole, type[Choice]] = MappingProxyType(
    {
        ServiceRole.BRAIN: BrainChoice,
        ServiceRole.EARS: EarsChoice,
        ServiceRole.VOICE: VoiceChoice,
        ServiceRole.PRESENTER: PresenterKind,
    }
)


@dataclass(frozen=True, slots=True)
class Offer:
    """One way to fill a role: the choice stored, the dialog's words, the factory that builds it.

    ``factory`` names a ``(key, settings) -> provider`` callable; empty for what runs on this
    computer, which the app builds itself.
    """

    role: ServiceRole
    choice: Choice
    text: str
    factory: str = ""


@dataclass(frozen=True, slots=True)
class ServiceInfo:
    """Everything the app outside the vendor's folder needs to know about one service.

    ``key_check`` names a ``(key) -> sentence`` callable that asks the service whether the key
    works (raising ProviderError when not), for the settings dialog's Test button.
    """

    id: Service
    label: str
    key_env: str
    keyring_entry: str
    key_site: str
    key_hint: str
    base_url_env: str
    key_check: str
    offers: tuple[Offer, ...]

    @property
    def roles(self) -> frozenset[ServiceRole]:
        return frozenset(offer.role for offer in self.offers)

    def factory(self, role: ServiceRole) -> str:
        """The "module:attr" that builds this service's provider for ``role``."""
        for offer in self.offers:
            if offer.role == role and offer.factory:
                return offer.factory
        raise ValueError(f"{self.label} offers no {role}")


_ROWS = (
    ServiceInfo(
        id=Service.GROQ,
        label="Groq",
        key_env="GROQ_API_KEY",
        keyring_entry="groq",
        key_site="console.groq.com",
        key_hint="gsk_…",
        base_url_env="GROQ_BASE_URL",
        key_check="avatar_desktop.providers.groq.models:check_key",
        offers=(
            Offer(
                ServiceRole.BRAIN,
                BrainChoice.GROQ,
                "Groq — much faster and smarter, needs a key and internet",
                "avatar_desktop.providers.groq.chat:from_settings",
            ),
            Offer(
                ServiceRole.EARS,
                EarsChoice.GROQ,
                "Groq (whisper-large-v3-turbo) — more accurate, needs a key",
                "avatar_desktop.providers.groq.stt:from_settings",
            ),
        ),
    ),
    ServiceInfo(
        id=Service.DID,
        label="D-ID",
        key_env="DID_API_KEY",
        keyring_entry="did",
        key_site="studio.d-id.com",
        key_hint="user:password from D-ID Studio",
        base_url_env="DID_BASE_URL",
        key_check="avatar_desktop.providers.did.client:check_key",
        offers=(
            Offer(
                ServiceRole.PRESENTER,
                PresenterKind.DID_TALK,
                "D-ID video of your portrait — photoreal, needs a D-ID key",
                "avatar_desktop.providers.did.client:from_settings",
            ),
            Offer(
                ServiceRole.PRESENTER,
                PresenterKind.DID_CLIP,
                "D-ID stock presenter — with gestures, needs a D-ID key",
                "avatar_desktop.providers.did.client:from_settings",
            ),
        ),
    ),
    ServiceInfo(
        id=Service.ELEVENLABS,
        label="ElevenLabs",
        key_env="ELEVENLABS_API_KEY",
        keyring_entry="elevenlabs",
        key_site="elevenlabs.io",
        key_hint="sk_…",
        base_url_env="ELEVENLABS_BASE_URL",
        key_check="avatar_desktop.providers.elevenlabs.voice:check_key",
        offers=(
            Offer(
                ServiceRole.VOICE,
                VoiceChoice.ELEVENLABS,
                "ElevenLabs — natural cloud voices, needs a key",
                "avatar_desktop.providers.elevenlabs.voice:from_settings",
            ),
        ),
    ),
)
CATALOGUE: Mapping[Service, ServiceInfo] = MappingProxyType({row.id: row for row in _ROWS})

# What runs on this computer: no key, no network, built by the app itself.
LOCAL_OFFERS: tuple[Offer, ...] = (
    Offer(ServiceRole.BRAIN, BrainChoice.LOCAL, "On this computer — private, works offline"),
    Offer(
        ServiceRole.EARS,
        EarsChoice.LOCAL,
        "On this computer (Whisper tiny.en) — private, works offline",
    ),
    Offer(ServiceRole.VOICE, VoiceChoice.LOCAL, "Piper on this computer — private, works offline"),
    Offer(
        ServiceRole.PRESENTER, PresenterKind.DRAWN, "The drawn avatar — instant, on this computer"
    ),
)
_OFFERS = (*LOCAL_OFFERS, *(offer for row in _ROWS for offer in row.offers))
# Keyed by the choice's type too: BrainChoice.GROQ and EarsChoice.GROQ are equal strings.
_OFFER_OF: Mapping[tuple[type[Choice], str], Offer] = MappingProxyType(
    {(type(offer.choice), offer.choice.value): offer for offer in _OFFERS}
)
_SERVICE_OF: Mapping[tuple[type[Choice], str], Service] = MappingProxyType(
    {(type(offer.choice), offer.choice.value): row.id for row in _ROWS for offer in row.offers}
)


def row(service: str) -> ServiceInfo:
    """The catalogue row for a service id; ValueError names the known ones."""
    try:
        return CATALOGUE[Service(service)]
    except ValueError:
        known = ", ".join(CATALOGUE)
        raise ValueError(f"Unknown service {service!r}; known: {known}") from None


def offers(role: ServiceRole) -> tuple[Offer, ...]:
    """Every way to fill ``role``, this computer's first, then the services in catalogue order."""
    return tuple(offer for offer in _OFFERS if offer.role == role)


def offer_of(choice: Choice) -> Offer:
    return _OFFER_OF[type(choice), choice.value]


def service_of(choice: Choice) -> Service | None:
    """The service a choice needs (and so whose key), or None for this computer's own."""
    return _SERVICE_OF.get((type(choice), choice.value))
