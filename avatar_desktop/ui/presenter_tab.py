"""Settings → Presenter: the drawn avatar or a D-ID video presenter, and the drawn one's voice."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol, cast

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QIcon, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from avatar_desktop.core.catalogue import (
    PresenterKind,
    Service,
    ServiceRole,
    VoiceChoice,
    service_of,
)
from avatar_desktop.providers.did.stock import StockPresenter
from avatar_desktop.ui.choices import ChoiceGroup
from avatar_desktop.ui.forms import row

MICROSOFT_VOICES = (
    "en-US-JennyNeural",
    "en-US-GuyNeural",
    "en-US-AriaNeural",
    "en-US-DavisNeural",
    "en-GB-SoniaNeural",
    "en-GB-RyanNeural",
)
THUMB = QSize(40, 40)


@dataclass(frozen=True, slots=True)
class PresenterValues:
    """What this tab edits."""

    presenter: PresenterKind = PresenterKind.DRAWN
    portrait_path: str = ""
    presenter_id: str = "amy-Aq6OmGZnMt"
    driver_id: str | None = None
    did_voice: str = "en-US-JennyNeural"
    voice_provider: VoiceChoice = VoiceChoice.LOCAL
    elevenlabs_voice_id: str = "21m00Tcm4TlvDq8ikWAM"
    elevenlabs_voice_name: str = "Rachel"


class PresenterServices(Protocol):
    """What the tab may ask of the app; the key is the one typed in the dialog, if any."""

    def list_did_presenters(
        self, key: str, done: Callable[[Sequence[StockPresenter], str], None]
    ) -> None: ...

    def did_credits(self, key: str, done: Callable[[str], None]) -> None: ...

    def list_elevenlabs_voices(
        self, key: str, done: Callable[[Sequence[tuple[str, str]], str], None]
    ) -> None: ...


class PresenterTab(QWidget):
    """Three ways to be seen, and two voices for the drawn avatar."""

    def __init__(
        self,
        current: PresenterValues,
        services: PresenterServices,
        typed_key: Callable[[Service], str],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._services = services
        self._typed_key = typed_key  # a key as typed in the dialog's Keys tab, if any
        self._current = current
        form = QFormLayout(self)
        self._build_presenter(form, current)
        self._build_voice(form, current)
        self._on_presenter_changed()

    # --- how the answer is shown --------------------------------------------------------------

    def _build_presenter(self, form: QFormLayout, current: PresenterValues) -> None:
        self.who = ChoiceGroup(ServiceRole.PRESENTER, current.presenter, self)
        self.who.changed.connect(self._on_presenter_changed)
        self.portrait = QLineEdit(current.portrait_path)
        self.portrait.setObjectName("portraitPath")
        self.portrait.setPlaceholderText("A JPG or PNG photo, face to the camera")
        self.portrait.textChanged.connect(self._show_preview)
        browse = QPushButton("Choose…")
        browse.clicked.connect(self._on_browse_clicked)
        self.preview = QLabel()
        self.preview.setFixedSize(64, 64)
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.presenters = QComboBox()
        self.presenters.setObjectName("presenterPicker")
        self.presenters.setIconSize(THUMB)
        self.presenters.addItem(current.presenter_id, (current.presenter_id, current.driver_id))
        self.refresh_presenters = QPushButton("Load presenters")
        self.refresh_presenters.clicked.connect(self._on_refresh_presenters_clicked)
        self.did_voice = QComboBox()
        self.did_voice.setEditable(True)
        self.did_voice.addItems(MICROSOFT_VOICES)
        self.did_voice.setCurrentText(current.did_voice)
        self.credits = QLabel("")
        self.credits.setObjectName("didCredits")
        check = QPushButton("Check credits")
        check.clicked.connect(self._on_check_credits_clicked)
        self.note = QLabel("")
        self.note.setWordWrap(True)
        form.addRow(QLabel("<b>Who answers</b>"))
        self.who.add_to(
            form,
            {
                PresenterKind.DID_TALK: [
                    ("   Portrait:", row(self.portrait, browse, self.preview))
                ],
                PresenterKind.DID_CLIP: [
                    ("   Presenter:", row(self.presenters, self.refresh_presenters))
                ],
            },
        )
        form.addRow("   D-ID voice:", self.did_voice)
        form.addRow("   Credits:", row(self.credits, check))
        form.addRow("", self.note)
        self._show_preview()

    def _on_presenter_changed(self) -> None:
        self.did_voice.setEnabled(service_of(self.who.choice()) is Service.DID)

    def _on_browse_clicked(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Choose a portrait", "", "Pictures (*.jpg *.jpeg *.png);;All files (*)"
        )
        if path:
            self.portrait.setText(path)

    def _show_preview(self) -> None:
        pixmap = QPixmap(self.portrait.text().strip())
        if pixmap.isNull():
            self.preview.clear()
            return
        self.preview.setPixmap(
            pixmap.scaled(
                self.preview.size(),
                Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
        )

    def _on_refresh_presenters_clicked(self) -> None:
        self.note.setText("Asking D-ID for its presenters…")
        self.refresh_presenters.setEnabled(False)
        self._services.list_did_presenters(self._typed_key(Service.DID), self.set_presenters)

    def set_presenters(self, presenters: Sequence[StockPresenter], error: str) -> None:
        """Fill the picker (with thumbnails), keeping the current choice when still offered."""
        self.refresh_presenters.setEnabled(True)
        if error:
            self.note.setText(error)
            return
        chosen = self.presenters.currentData()
        self.presenters.clear()
        for item in presenters:
            icon = QIcon(item.thumbnail) if item.thumbnail else QIcon()
            self.presenters.addItem(icon, item.name, (item.presenter_id, item.driver_id))
        ids = [item.presenter_id for item in presenters]
        if chosen and chosen[0] in ids:
            self.presenters.setCurrentIndex(ids.index(chosen[0]))
        self.note.setText(f"{len(presenters)} presenters available.")

    def _on_check_credits_clicked(self) -> None:
        self.credits.setText("Asking D-ID…")
        self._services.did_credits(self._typed_key(Service.DID), self.credits.setText)

    # --- the drawn avatar's voice -------------------------------------------------------------

    def _build_voice(self, form: QFormLayout, current: PresenterValues) -> None:
        self.voice = ChoiceGroup(ServiceRole.VOICE, current.voice_provider, self)
        self.eleven_voices = QComboBox()
        self.eleven_voices.setObjectName("elevenVoices")
        self.eleven_voices.addItem(current.elevenlabs_voice_name, current.elevenlabs_voice_id)
        load = QPushButton("Load voices")
        load.clicked.connect(self._on_load_voices_clicked)
        self.voices_note = QLabel("")
        self.voices_note.setWordWrap(True)
        form.addRow(QLabel("<b>The drawn avatar's voice</b>"))
        self.voice.add_to(
            form, {VoiceChoice.ELEVENLABS: [("   Voice:", row(self.eleven_voices, load))]}
        )
        form.addRow("", self.voices_note)

    def _on_load_voices_clicked(self) -> None:
        self.voices_note.setText("Asking ElevenLabs for its voices…")
        self._services.list_elevenlabs_voices(self._typed_key(Service.ELEVENLABS), self.set_voices)

    def set_voices(self, voices: Sequence[tuple[str, str]], error: str) -> None:
        if error:
            self.voices_note.setText(error)
            return
        chosen = self.eleven_voices.currentData()
        self.eleven_voices.clear()
        for voice_id, name in voices:
            self.eleven_voices.addItem(name, voice_id)
        found = self.eleven_voices.findData(chosen)
        self.eleven_voices.setCurrentIndex(max(found, 0))
        self.voices_note.setText(f"{len(voices)} voices available.")

    def values(self) -> PresenterValues:
        chosen = self.presenters.currentData() or (self._current.presenter_id, None)
        return PresenterValues(
            presenter=cast(PresenterKind, self.who.choice()),
            portrait_path=self.portrait.text().strip(),
            presenter_id=chosen[0],
            driver_id=chosen[1],
            did_voice=self.did_voice.currentText().strip() or self._current.did_voice,
            voice_provider=cast(VoiceChoice, self.voice.choice()),
            elevenlabs_voice_id=self.eleven_voices.currentData()
            or self._current.elevenlabs_voice_id,
            elevenlabs_voice_name=self.eleven_voices.currentText()
            or self._current.elevenlabs_voice_name,
        )
