"""Settings: which provider answers and hears, the Groq key (kept in the keyring), the models."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from avatar_desktop.avatar.look import Look
from avatar_desktop.ui.forms import row
from avatar_desktop.ui.look_tab import LookTab
from avatar_desktop.ui.presenter_tab import PresenterServices, PresenterTab, PresenterValues


@dataclass(frozen=True, slots=True)
class SettingsValues:
    """What the dialog edits. ``groq_key`` None means 'leave the stored key alone'."""

    chat_provider: str
    model_path: str
    groq_model: str
    max_tokens: int
    temperature: float
    auto_fallback: bool
    stt_provider: str = "local"
    groq_key: str | None = None
    remove_groq_key: bool = False
    look: Look = field(default_factory=Look)
    output_device: str | None = None
    input_device: str | None = None
    end_of_speech_ms: int = 600
    barge_in: bool = True
    presenter: PresenterValues = field(default_factory=PresenterValues)
    did_key: str | None = None
    remove_did_key: bool = False
    elevenlabs_key: str | None = None
    remove_elevenlabs_key: bool = False


class SettingsServices(PresenterServices, Protocol):
    """What the dialog may ask of the app; answers come back through the callbacks."""

    def test_groq_key(self, key: str, done: Callable[[bool, str], None]) -> None: ...

    def list_groq_models(self, key: str, done: Callable[[Sequence[str], str], None]) -> None: ...

    def groq_key_status(self) -> str: ...

    def output_devices(self) -> Sequence[tuple[str, str]]: ...

    def input_devices(self) -> Sequence[tuple[str, str]]: ...

    def key_status(self, service: str) -> str: ...


class SettingsDialog(QDialog):
    """Tabs: the brain (chat model), the ears (speech to text), the keys, the avatar's look and
    sound, and the presenter (drawn or D-ID video) with the drawn avatar's voice."""

    def __init__(
        self, current: SettingsValues, services: SettingsServices, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.setObjectName("settingsDialog")
        self._services = services
        self._current = current
        tabs = QTabWidget()
        tabs.addTab(self._brain_tab(current), "Brain")
        tabs.addTab(self._ears_tab(current, services.input_devices()), "Ears")
        tabs.addTab(self._keys_tab(), "Keys")
        self.look_tab = LookTab(current.look, services.output_devices(), current.output_device)
        tabs.addTab(self.look_tab, "Avatar")
        self.presenter_tab = PresenterTab(current.presenter, services, self._cloud_keys)
        tabs.addTab(self.presenter_tab, "Presenter")
        self.tabs = tabs
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(tabs)
        layout.addWidget(buttons)
        self.resize(720, 560)
        self._on_provider_toggled()

    # --- brain ------------------------------------------------------------------------------

    def _brain_tab(self, current: SettingsValues) -> QWidget:
        self.local_radio = QRadioButton("On this computer — private, works offline")
        self.groq_radio = QRadioButton("Groq — much faster and smarter, needs a key and internet")
        group = QButtonGroup(self)
        group.addButton(self.local_radio)
        group.addButton(self.groq_radio)
        (self.groq_radio if current.chat_provider == "groq" else self.local_radio).setChecked(True)
        self.local_radio.toggled.connect(self._on_provider_toggled)
        self.model_path = QLineEdit(current.model_path)
        self.model_path.setObjectName("modelPath")
        self.model_path.setPlaceholderText("Bundled: SmolLM2-135M-Instruct")
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._on_browse_clicked)
        bundled = QPushButton("Use bundled")
        bundled.clicked.connect(self.model_path.clear)
        self.groq_model = QComboBox()
        self.groq_model.setObjectName("groqModel")
        self.groq_model.addItem(current.groq_model)
        self.refresh_models = QPushButton("Refresh list")
        self.refresh_models.clicked.connect(self._on_refresh_models_clicked)
        self.models_note = QLabel("")
        self.models_note.setWordWrap(True)
        self.max_tokens = QSpinBox()
        self.max_tokens.setRange(16, 4096)
        self.max_tokens.setValue(current.max_tokens)
        self.temperature = QDoubleSpinBox()
        self.temperature.setRange(0.0, 2.0)
        self.temperature.setSingleStep(0.1)
        self.temperature.setValue(current.temperature)
        self.auto_fallback = QCheckBox(
            "When Groq cannot be reached, answer on this computer automatically"
        )
        self.auto_fallback.setChecked(current.auto_fallback)
        form = QFormLayout()
        form.addRow(self.local_radio)
        form.addRow("   GGUF model file:", row(self.model_path, browse, bundled))
        form.addRow(self.groq_radio)
        form.addRow("   Groq model:", row(self.groq_model, self.refresh_models))
        form.addRow("", self.models_note)
        form.addRow("Longest answer (tokens):", self.max_tokens)
        form.addRow("Creativity (temperature):", self.temperature)
        form.addRow(self.auto_fallback)
        page = QWidget()
        page.setLayout(form)
        return page

    def _on_provider_toggled(self) -> None:
        local = self.local_radio.isChecked()
        self.model_path.setEnabled(local)
        self.groq_model.setEnabled(not local)
        self.refresh_models.setEnabled(not local)

    def _on_browse_clicked(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Choose a GGUF chat model", "", "GGUF models (*.gguf);;All files (*)"
        )
        if path:
            self.model_path.setText(path)

    def _on_refresh_models_clicked(self) -> None:
        self.models_note.setText("Asking Groq for its models…")
        self.refresh_models.setEnabled(False)
        self._services.list_groq_models(self.key.text().strip(), self.set_models)

    def set_models(self, models: Sequence[str], error: str) -> None:
        """Fill the picker from Groq's list, keeping the current choice when still offered."""
        self.refresh_models.setEnabled(self.groq_radio.isChecked())
        if error:
            self.models_note.setText(error)
            return
        chosen = self.groq_model.currentText()
        self.groq_model.clear()
        self.groq_model.addItems(list(models))
        if chosen in models:
            self.groq_model.setCurrentText(chosen)
        self.models_note.setText(f"{len(models)} chat models available.")

    # --- ears and keys ----------------------------------------------------------------------

    def _ears_tab(self, current: SettingsValues, devices: Sequence[tuple[str, str]]) -> QWidget:
        self.ears_local = QRadioButton(
            "On this computer (Whisper tiny.en) — private, works offline"
        )
        self.ears_groq = QRadioButton("Groq (whisper-large-v3-turbo) — more accurate, needs a key")
        group = QButtonGroup(self)
        group.addButton(self.ears_local)
        group.addButton(self.ears_groq)
        (self.ears_groq if current.stt_provider == "groq" else self.ears_local).setChecked(True)
        text = QLabel(
            "Click the microphone to talk and click again when done, or hold it (or Ctrl+Space) "
            "while you speak: what you said appears in the message box to check before sending.\n"
            "Hands-free (Conversation menu, Ctrl+Shift+H): just talk; it is sent when you stop."
        )
        text.setWordWrap(True)
        self.input_device = QComboBox()
        self.input_device.setObjectName("inputDevice")
        self.input_device.addItem("The system's default microphone", None)
        for key, title in devices:
            self.input_device.addItem(title, key)
        self.input_device.setCurrentIndex(max(0, self.input_device.findData(current.input_device)))
        page = QWidget()
        layout = QVBoxLayout(page)
        self.end_of_speech = QSpinBox()
        self.end_of_speech.setObjectName("endOfSpeech")
        self.end_of_speech.setRange(200, 3000)
        self.end_of_speech.setSingleStep(100)
        self.end_of_speech.setSuffix(" ms of silence")
        self.end_of_speech.setValue(current.end_of_speech_ms)
        self.barge_in = QCheckBox("Talking over the avatar stops it (barge-in)")
        self.barge_in.setChecked(current.barge_in)
        widgets = (
            self.ears_local,
            self.ears_groq,
            QLabel("Microphone:"),
            self.input_device,
            QLabel("Hands-free: what you say ends after"),
            self.end_of_speech,
            self.barge_in,
        )
        for widget in widgets:
            layout.addWidget(widget)
        layout.addWidget(text)
        layout.addStretch(1)
        return page

    def _keys_tab(self) -> QWidget:
        self.key = QLineEdit()
        self.key.setObjectName("groqKey")
        self.key.setEchoMode(QLineEdit.EchoMode.Password)
        self.key.setPlaceholderText("gsk_…  (leave empty to keep the saved key)")
        self.key_status = QLabel(self._services.groq_key_status())
        self.key_status.setObjectName("groqKeyStatus")
        self.key_status.setWordWrap(True)
        self.test_button = QPushButton("Test")
        self.test_button.setObjectName("testKeyButton")
        self.test_button.clicked.connect(self._on_test_clicked)
        self.remove_key = QCheckBox("Remove the saved Groq key")
        self.test_result = QLabel("")
        self.test_result.setObjectName("keyTestResult")
        self.test_result.setWordWrap(True)
        form = QFormLayout()
        form.addRow("Groq API key:", row(self.key, self.test_button))
        form.addRow("", self.key_status)
        form.addRow("", self.test_result)
        form.addRow("", self.remove_key)
        self.did_key, self.remove_did_key = self._key_rows(
            form, "did", "D-ID API key:", "user:password from D-ID Studio"
        )
        self.eleven_key, self.remove_eleven_key = self._key_rows(
            form, "elevenlabs", "ElevenLabs API key:", "sk_…"
        )
        note = QLabel(
            "Keys are kept in your system's keyring, never in a file or a log. The "
            "GROQ_API_KEY, DID_API_KEY and ELEVENLABS_API_KEY environment variables also work."
        )
        note.setWordWrap(True)
        note.setEnabled(False)
        form.addRow(note)
        page = QWidget()
        page.setLayout(form)
        return page

    def _key_rows(
        self, form: QFormLayout, service: str, label: str, hint: str
    ) -> tuple[QLineEdit, QCheckBox]:
        field_ = QLineEdit()
        field_.setObjectName(f"{service}Key")
        field_.setEchoMode(QLineEdit.EchoMode.Password)
        field_.setPlaceholderText(f"{hint}  (leave empty to keep the saved key)")
        status = QLabel(self._services.key_status(service))
        status.setWordWrap(True)
        remove = QCheckBox(f"Remove the saved {label.split(' API')[0]} key")
        form.addRow(label, field_)
        form.addRow("", status)
        form.addRow("", remove)
        return field_, remove

    def _cloud_keys(self) -> tuple[str, str]:
        return self.did_key.text().strip(), self.eleven_key.text().strip()

    def _on_test_clicked(self) -> None:
        self.test_result.setText("Testing…")
        self.test_button.setEnabled(False)
        self._services.test_groq_key(self.key.text().strip(), self.show_test_result)

    def show_test_result(self, ok: bool, text: str) -> None:
        self.test_button.setEnabled(True)
        self.test_result.setText(("✓ " if ok else "✗ ") + text)

    def values(self) -> SettingsValues:
        key = self.key.text().strip()
        return SettingsValues(
            chat_provider="groq" if self.groq_radio.isChecked() else "local",
            model_path=self.model_path.text().strip(),
            groq_model=self.groq_model.currentText().strip() or self._current.groq_model,
            max_tokens=self.max_tokens.value(),
            temperature=self.temperature.value(),
            auto_fallback=self.auto_fallback.isChecked(),
            stt_provider="groq" if self.ears_groq.isChecked() else "local",
            groq_key=key or None,
            remove_groq_key=self.remove_key.isChecked(),
            look=self.look_tab.look(),
            output_device=self.look_tab.output_device(),
            input_device=self.input_device.currentData(),
            end_of_speech_ms=self.end_of_speech.value(),
            barge_in=self.barge_in.isChecked(),
            presenter=self.presenter_tab.values(),
            did_key=self.did_key.text().strip() or None,
            remove_did_key=self.remove_did_key.isChecked(),
            elevenlabs_key=self.eleven_key.text().strip() or None,
            remove_elevenlabs_key=self.remove_eleven_key.isChecked(),
        )
