"""Stored settings to the dialog's values and back, and the keys the dialog hands over."""

from __future__ import annotations

import json

from avatar_desktop.avatar.look import Look
from avatar_desktop.core import notices
from avatar_desktop.core.catalogue import CATALOGUE
from avatar_desktop.storage.secrets import KeyStore
from avatar_desktop.storage.settings import Settings
from avatar_desktop.ui.presenter_tab import PresenterValues
from avatar_desktop.ui.settings_dialog import SettingsValues


def values_from(s: Settings, look: Look) -> SettingsValues:
    """What the settings dialog starts from: the current choices."""
    return SettingsValues(
        chat_provider=s.chat_provider,
        model_path=s.chat_model_path or "",
        groq_model=s.groq_chat_model,
        max_tokens=s.max_tokens,
        temperature=s.temperature,
        auto_fallback=s.auto_fallback,
        stt_provider=s.stt_provider,
        input_device=s.input_device,
        end_of_speech_ms=s.end_of_speech_ms,
        responsiveness=s.responsiveness,
        barge_in=s.barge_in,
        look=look,
        output_device=s.output_device,
        presenter=PresenterValues(
            presenter=s.presenter,
            portrait_path=s.did_portrait_path or "",
            presenter_id=s.did_presenter_id,
            driver_id=s.did_driver_id,
            did_voice=s.did_voice,
            voice_provider=s.voice_provider,
            elevenlabs_voice_id=s.elevenlabs_voice_id,
            elevenlabs_voice_name=s.elevenlabs_voice_name,
        ),
    )


def store(s: Settings, values: SettingsValues) -> None:
    """Copy the dialog's plain choices into the settings (devices and models are the app's)."""
    s.max_tokens, s.temperature = values.max_tokens, values.temperature
    s.auto_fallback = values.auto_fallback
    s.stt_provider = values.stt_provider
    s.barge_in = values.barge_in
    s.avatar_look = json.dumps(values.look.to_dict())
    p = values.presenter
    if (p.portrait_path or None) != s.did_portrait_path:
        s.did_portrait_url = None  # a new picture: uploaded before it is used
    s.presenter, s.did_portrait_path = p.presenter, p.portrait_path or None
    s.did_presenter_id, s.did_driver_id, s.did_voice = p.presenter_id, p.driver_id, p.did_voice
    s.voice_provider = p.voice_provider
    s.elevenlabs_voice_id = p.elevenlabs_voice_id
    s.elevenlabs_voice_name = p.elevenlabs_voice_name


def store_keys(keys: KeyStore, values: SettingsValues) -> None:
    """Keys typed or removed in the dialog go to the keyring (never to the settings file)."""
    for service in CATALOGUE:
        if service in values.remove_keys:
            keys.delete(service)
            notices.info(f"The {CATALOGUE[service].label} key was removed.")
        key = values.keys.get(service)
        if key:
            status = keys.set(service, key)
            level = notices.Level.INFO if status.stored == "keyring" else notices.Level.WARNING
            notices.notify(level, status.message)
