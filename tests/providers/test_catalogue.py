"""The catalogue of services is whole: every row's references name real callables in the vendor's
folder, every choice has exactly one offer, and nothing is named twice."""

from __future__ import annotations

import importlib
from collections import Counter

import pytest

from avatar_desktop.core import catalogue
from avatar_desktop.core.catalogue import (
    CATALOGUE,
    CHOICE_TYPES,
    LOCAL_OFFERS,
    BrainChoice,
    EarsChoice,
    PresenterKind,
    Service,
    ServiceInfo,
    ServiceRole,
    VoiceChoice,
    offer_of,
    offers,
    row,
    service_of,
)


def resolved(reference: str) -> object:
    module, _, attr = reference.partition(":")
    return getattr(importlib.import_module(module), attr)


@pytest.mark.parametrize("info", CATALOGUE.values(), ids=str)
def test_every_reference_names_a_callable_in_the_vendors_folder(info: ServiceInfo) -> None:
    folder = f"avatar_desktop.providers.{info.id}."
    for reference in (info.key_check, *(offer.factory for offer in info.offers)):
        assert reference.startswith(folder), reference
        assert callable(resolved(reference)), reference
    for role in info.roles:
        assert info.factory(role) in {offer.factory for offer in info.offers}


def test_every_service_has_one_row_and_nothing_is_named_twice() -> None:
    assert list(CATALOGUE) == list(Service)
    for field in ("label", "key_env", "keyring_entry", "base_url_env"):
        names = Counter(getattr(info, field) for info in CATALOGUE.values())
        assert max(names.values()) == 1, field
    assert all(info.keyring_entry == info.id.value for info in CATALOGUE.values())


@pytest.mark.parametrize("role", ServiceRole)
def test_every_choice_has_exactly_one_offer_this_computers_first(role: ServiceRole) -> None:
    listed = offers(role)
    assert [offer.choice for offer in listed] == list(CHOICE_TYPES[role])
    assert listed[0] in LOCAL_OFFERS and service_of(listed[0].choice) is None
    assert all(offer_of(offer.choice) is offer for offer in listed)
    assert all(offer.factory for offer in listed[1:])


def test_equal_strings_of_different_roles_stay_apart() -> None:
    """BrainChoice.GROQ == EarsChoice.GROQ as strings; each still finds its own offer."""
    assert len({BrainChoice.GROQ, EarsChoice.GROQ}) == 1  # one set member: equal and same hash
    assert offer_of(BrainChoice.GROQ).role is ServiceRole.BRAIN
    assert offer_of(EarsChoice.GROQ).role is ServiceRole.EARS
    assert offer_of(VoiceChoice.LOCAL).role is ServiceRole.VOICE


def test_choices_name_the_service_whose_key_they_need() -> None:
    assert service_of(BrainChoice.GROQ) is Service.GROQ
    assert service_of(PresenterKind.DID_TALK) is service_of(PresenterKind.DID_CLIP) is Service.DID
    assert service_of(VoiceChoice.ELEVENLABS) is Service.ELEVENLABS
    assert service_of(PresenterKind.DRAWN) is None


def test_an_unknown_service_is_named_in_the_error() -> None:
    with pytest.raises(ValueError, match="Unknown service 'openai'; known: groq, did"):
        row("openai")
    with pytest.raises(ValueError, match="offers no voice"):
        row(Service.GROQ).factory(ServiceRole.VOICE)


def test_the_catalogue_imports_nothing_of_the_app() -> None:
    """Storage reads it, so it must not pull in providers (or their SDKs) by importing them."""
    source = importlib.util.find_spec(catalogue.__name__)
    assert source is not None and source.origin is not None
    with open(source.origin, encoding="utf-8") as handle:
        imports = [line for line in handle if line.startswith(("import ", "from "))]
    assert not [line for line in imports if "avatar_desktop" in line]


@pytest.mark.parametrize("info", CATALOGUE.values(), ids=str)
def test_the_bundle_carries_every_module_the_catalogue_names(info: ServiceInfo) -> None:
    """Named only as strings, they are invisible to PyInstaller's import scan."""
    from avatar_desktop import bundle

    for reference in (info.key_check, *(offer.factory for offer in info.offers)):
        assert reference.partition(":")[0] in bundle.HIDDEN_IMPORTS
