"""Settings: which provider answers and hears, the keys (kept in the keyring), the models."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol, cast

from PySide6.QtWidgets import (
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
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from avatar_desktop.avatar.look import Look
from avatar_desktop.core.catalogue import (
    BrainChoice,
    EarsChoice,
    Responsiveness,
    Service,
    ServiceRole,
)
from avatar_desktop.ui.choices import ChoiceGroup
from avatar_desktop.ui.forms import row
from avatar_desktop.ui.keys_tab import KeyServices, KeysTab
from avatar_desktop.ui.look_tab import LookTab
from avatar_desktop.ui.presenter_tab import PresenterServices, PresenterTab, PresenterValues

RESPONSIVENESS_TITLES = {
    Responsiveness.QUICK: "Quickly (may answer while you are still thinking)",
    Responsiveness.BALANCED: "As soon as you have finished (balanced)",
    Responsiveness.PATIENT: "Patiently (waits out longer pauses)",
}


@dataclass(frozen=True, slots=True)
class SettingsValues:
    """What the dialog edits. A service missing from ``keys`` keeps its stored key."""

    chat_provider: BrainChoice
    model_path: str
    groq_model: str
    max_tokens: int
    temperature: float
    auto_fallback: bool
    stt_provider: EarsChoice = EarsChoice.LOCAL
    keys: Mapping[Service, str] = field(default_factory=dict)  # typed in the dialog
    remove_keys: frozenset[Service] = frozenset()
    look: Look = field(default_factory=Look)
    output_device: str | None = None
    input_device: str | None = None
    end_of_speech_ms: int = 600
    responsiveness: Responsiveness = Responsiveness.BALANCED
    turn_model_problem: str | None = None  # shown, not edited: why turns end on silence alone
    barge_in: bool = True
    presenter: PresenterValues = field(default_factory=PresenterValues)


class SettingsServices(PresenterServices, KeyServices, Protocol):
    """What the dialog may ask of the app; answers come back through the callbacks."""

    def list_groq_models(self, key: str, done: Callable[[Sequence[str], str], None]) -> None: ...

    def output_devices(self) -> Sequence[tuple[str, str]]: ...

    def input_devices(self) -> Sequence[tuple[str, str]]: ...


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
        self.keys_tab = KeysTab(services)
        tabs.addTab(self.keys_tab, "Keys")
        self.look_tab = LookTab(current.look, services.output_devices(), current.output_device)
        tabs.addTab(self.look_tab, "Avatar")
        self.presenter_tab = PresenterTab(current.presenter, services, self.keys_tab.typed)
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

    # --- brain ------------------------------------------------------------------------------

    def _brain_tab(self, current: SettingsValues) -> QWidget:
        page = QWidget()
        self.brain = ChoiceGroup(ServiceRole.BRAIN, current.chat_provider, page)
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
        form = QFormLayout(page)
        self.brain.add_to(
            form,
            {
                BrainChoice.LOCAL: [("   GGUF model file:", row(self.model_path, browse, bundled))],
                BrainChoice.GROQ: [
                    ("   Groq model:", row(self.groq_model, self.refresh_models)),
                    ("", self.models_note),
                ],
            },
        )
        form.addRow("Longest answer (tokens):", self.max_tokens)
        form.addRow("Creativity (temperature):", self.temperature)
        form.addRow(self.auto_fallback)
        return page

    def _on_browse_clicked(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Choose a GGUF chat model", "", "GGUF models (*.gguf);;All files (*)"
        )
        if path:
            self.model_path.setText(path)

    def _on_refresh_models_clicked(self) -> None:
        self.models_note.setText("Asking Groq for its models…")
        self.refresh_models.setEnabled(False)
        self._services.list_groq_models(self.keys_tab.typed(Service.GROQ), self.set_models)

    def set_models(self, models: Sequence[str], error: str) -> None:
        """Fill the picker from Groq's list, keeping the current choice when still offered."""
        self.refresh_models.setEnabled(True)
        if error:
            self.models_note.setText(error)
            return
        chosen = self.groq_model.currentText()
        self.groq_model.clear()
        self.groq_model.addItems(list(models))
        if chosen in models:
            self.groq_model.setCurrentText(chosen)
        self.models_note.setText(f"{len(models)} chat models available.")

    # --- ears -------------------------------------------------------------------------------

    def _ears_tab(self, current: SettingsValues, devices: Sequence[tuple[str, str]]) -> QWidget:
        page = QWidget()
        self.ears = ChoiceGroup(ServiceRole.EARS, current.stt_provider, page)
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
        layout = QVBoxLayout(page)
        self.end_of_speech = QSpinBox()
        self.end_of_speech.setObjectName("endOfSpeech")
        self.end_of_speech.setRange(200, 3000)
        self.end_of_speech.setSingleStep(100)
        self.end_of_speech.setSuffix(" ms of silence")
        self.end_of_speech.setValue(current.end_of_speech_ms)
        self.barge_in = QCheckBox("Talking over the avatar stops it (barge-in)")
        self.barge_in.setChecked(current.barge_in)
        self.responsiveness = QComboBox()
        self.responsiveness.setObjectName("responsiveness")
        for choice, title in RESPONSIVENESS_TITLES.items():
            self.responsiveness.addItem(title, choice)
        self.responsiveness.setCurrentIndex(
            max(0, self.responsiveness.findData(current.responsiveness))
        )
        problem = current.turn_model_problem
        self.turn_model_note = QLabel(
            f"The end-of-turn model cannot run ({problem}), so a turn ends after a fixed silence:"
            if problem
            else "Pauses are judged by an end-of-turn model on this computer; "
            "without it, a turn would end after:"
        )
        self.turn_model_note.setObjectName("turnModelNote")
        self.turn_model_note.setWordWrap(True)
        widgets = (
            *self.ears.radios.values(),
            QLabel("Microphone:"),
            self.input_device,
            QLabel("Hands-free: when you pause, the avatar answers"),
            self.responsiveness,
            self.turn_model_note,
            self.end_of_speech,
            self.barge_in,
        )
        for widget in widgets:
            layout.addWidget(widget)
        layout.addWidget(text)
        layout.addStretch(1)
        return page

    def values(self) -> SettingsValues:
        return SettingsValues(
            chat_provider=cast(BrainChoice, self.brain.choice()),
            model_path=self.model_path.text().strip(),
            groq_model=self.groq_model.currentText().strip() or self._current.groq_model,
            max_tokens=self.max_tokens.value(),
            temperature=self.temperature.value(),
            auto_fallback=self.auto_fallback.isChecked(),
            stt_provider=cast(EarsChoice, self.ears.choice()),
            keys=self.keys_tab.typed_keys(),
            remove_keys=self.keys_tab.removed(),
            look=self.look_tab.look(),
            output_device=self.look_tab.output_device(),
            input_device=self.input_device.currentData(),
            end_of_speech_ms=self.end_of_speech.value(),
            responsiveness=cast(Responsiveness, self.responsiveness.currentData()),
            barge_in=self.barge_in.isChecked(),
            presenter=self.presenter_tab.values(),
        )
