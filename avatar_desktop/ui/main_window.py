"""The main window: sessions on the left; avatar, chat and input on the right; status below."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QEvent, QObject, QSize, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeyEvent, QKeySequence, QPalette
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QPushButton,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from avatar_desktop.core.latency import ReplyLatency
from avatar_desktop.core.session import Message, Session, SessionSummary
from avatar_desktop.ui import icons
from avatar_desktop.ui.avatar import surfaces
from avatar_desktop.ui.chat_view import ChatView, MessageBubble
from avatar_desktop.ui.input_box import PLACEHOLDER, InputBox
from avatar_desktop.ui.notice_bar import Action, NoticeBar
from avatar_desktop.ui.session_sidebar import SessionSidebar
from avatar_desktop.ui.video_view import VideoView
from avatar_desktop.ui.voice_controls import VoiceControls

RECORD_TIP = "Talk: click, speak, click again — or hold it (or Ctrl+Space) while you speak"


class MainWindow(QMainWindow):
    """Widgets only: intents go out as signals, state comes in through methods.

    Signals:
        send_requested(str), stop_requested(), new_requested(), session_selected(str),
        rename_requested(str, str), delete_requested(str), persona_requested(), memory_requested(),
        settings_requested(), transcribe_requested(str), record_pressed(), record_released(),
        hands_free_toggled(bool),
        closing().
    """

    send_requested = Signal(str)
    stop_requested = Signal()
    new_requested = Signal()
    session_selected = Signal(str)
    rename_requested = Signal(str, str)
    delete_requested = Signal(str)
    persona_requested = Signal()
    memory_requested = Signal()
    settings_requested = Signal()
    transcribe_requested = Signal(str)
    record_pressed = Signal()
    record_released = Signal()
    hands_free_toggled = Signal(bool)
    closing = Signal()

    def __init__(self, title: str, *, avatar_kind: str = surfaces.DRAWN) -> None:
        super().__init__()
        self.setWindowTitle(title)
        self.setObjectName("mainWindow")
        self.resize(1080, 760)
        self.sidebar = SessionSidebar()
        self.avatar = surfaces.build(avatar_kind)  # the turn's poses and captions go here
        self.avatar_widget: QWidget = self.avatar.widget()
        self.video = VideoView(self.avatar_widget)  # the presenter's clips, laid over the avatar
        self.voice_controls = VoiceControls()
        self.chat = ChatView()
        self.notice = NoticeBar()
        self.input = InputBox()
        self._answer: MessageBubble | None = None
        self._build_input_row()
        self._build_layout()
        self._build_status()
        self._build_actions()
        self._wire()
        self.set_busy(False)

    # --- construction ---------------------------------------------------------------------

    def _build_input_row(self) -> None:
        self.record_button = QToolButton()
        self.record_button.setObjectName("recordButton")
        self.record_button.setIcon(icons.microphone(self.palette().color(QPalette.ColorRole.Text)))
        self.record_button.setIconSize(QSize(24, 24))
        self.record_button.setToolTip(RECORD_TIP)
        self.record_button.setFixedSize(44, 44)
        self.record_button.pressed.connect(self.record_pressed)
        self.record_button.released.connect(self.record_released)
        self.send_button = QPushButton("Send")
        self.send_button.setObjectName("sendButton")
        self.send_button.setDefault(True)
        self.stop_button = QPushButton("Stop")
        self.stop_button.setObjectName("stopButton")
        self.stop_button.setToolTip("Stop the answer (Esc)")

    def _build_layout(self) -> None:
        buttons = QVBoxLayout()
        buttons.addWidget(self.send_button)
        buttons.addWidget(self.stop_button)
        row = QHBoxLayout()
        row.addWidget(self.record_button, 0, Qt.AlignmentFlag.AlignTop)
        row.addWidget(self.input, 1)
        row.addLayout(buttons)
        right = QWidget()
        column = QVBoxLayout(right)
        column.setContentsMargins(12, 8, 12, 8)
        self.avatar_widget.setMinimumHeight(240)
        column.addWidget(self.avatar_widget, 2)
        column.addWidget(self.voice_controls)
        column.addWidget(self.chat, 3)
        column.addWidget(self.notice)
        column.addLayout(row)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.sidebar)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([250, 830])
        self.setCentralWidget(splitter)

    def _build_status(self) -> None:
        self.status_label = QLabel()
        self.status_label.setObjectName("statusLabel")
        self.statusBar().addWidget(self.status_label, 1)
        self.latency_label = QLabel()
        self.latency_label.setObjectName("latencyLabel")
        self.latency_label.hide()  # until the first spoken reply to a spoken turn
        self.statusBar().addPermanentWidget(self.latency_label)

    def _build_actions(self) -> None:
        def action(text: str, keys: Sequence[Any], slot: object) -> QAction:
            act = QAction(text, self)
            act.setShortcuts([QKeySequence(k) for k in keys])
            act.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            act.triggered.connect(slot)
            self.addAction(act)
            return act

        self.new_action = action(
            "New conversation", [QKeySequence.StandardKey.New], self.new_requested
        )
        self.focus_action = action("Focus the input", ["Ctrl+L"], self.focus_input)
        self.stop_action = action("Stop the answer", ["Esc", "Ctrl+."], self.stop_requested)
        rename = action("Rename conversation…", ["F2"], self._on_rename_triggered)
        delete = action("Delete conversation…", [], self._on_delete_triggered)
        persona = action("Edit persona…", [], self.persona_requested)
        self.memory_action = action("Memory…", [], self.memory_requested)
        settings = action("Settings…", ["Ctrl+,"], self.settings_requested)
        transcribe = action("Transcribe audio file…", ["Ctrl+O"], self._on_transcribe_triggered)
        quit_ = action("Quit", [QKeySequence.StandardKey.Quit], self.close)
        self.hands_free_action = action("Hands-free listening", ["Ctrl+Shift+H"], lambda: None)
        self.hands_free_action.setCheckable(True)
        self.hands_free_action.toggled.connect(self.hands_free_toggled)
        menu = self.menuBar().addMenu("&File")
        for act in (self.new_action, transcribe, settings, quit_):
            menu.addAction(act)
        menu = self.menuBar().addMenu("&Conversation")
        for act in (
            self.focus_action,
            self.stop_action,
            self.hands_free_action,
            rename,
            delete,
            persona,
            self.memory_action,
        ):
            menu.addAction(act)

    def _wire(self) -> None:
        self.input.submitted.connect(self._on_input_submitted)
        self.input.paste_truncated.connect(self._on_input_paste_truncated)
        self.send_button.clicked.connect(lambda: self._on_input_submitted(self.input.toPlainText()))
        self.stop_button.clicked.connect(self.stop_requested)
        self.sidebar.new_requested.connect(self.new_requested)
        self.sidebar.selected.connect(self.session_selected)
        self.sidebar.rename_requested.connect(self.rename_requested)
        self.sidebar.delete_requested.connect(self.delete_requested)
        self._talk_key_held = False
        self.input.installEventFilter(self)
        self.avatar_widget.installEventFilter(self)

    # --- push-to-talk key: hold Ctrl+Space while speaking ---------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.avatar_widget and event.type() == QEvent.Type.Resize:
            self.video.setGeometry(self.avatar_widget.rect())
        if isinstance(event, QKeyEvent) and self._talk_key(event):
            return True
        return super().eventFilter(watched, event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if not self._talk_key(event):
            super().keyPressEvent(event)

    def keyReleaseEvent(self, event: QKeyEvent) -> None:
        if not self._talk_key(event):
            super().keyReleaseEvent(event)

    def _talk_key(self, event: QKeyEvent) -> bool:
        """Ctrl+Space down starts listening, Space up ends it; key repeats are swallowed."""
        if event.key() != Qt.Key.Key_Space:
            return False
        if event.type() == QEvent.Type.KeyPress:
            if not event.modifiers() & Qt.KeyboardModifier.ControlModifier:
                return False
            if not event.isAutoRepeat() and not self._talk_key_held:
                self._talk_key_held = True
                self.record_pressed.emit()
            return True
        if event.type() == QEvent.Type.KeyRelease and self._talk_key_held:
            if not event.isAutoRepeat():
                self._talk_key_held = False
                self.record_released.emit()
            return True
        return False

    # --- intents ----------------------------------------------------------------------------

    def focus_input(self) -> None:
        self.input.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def _on_input_submitted(self, text: str) -> None:
        if text.strip():
            self.send_requested.emit(text)

    def _on_input_paste_truncated(self, pasted: int, kept: int) -> None:
        self.show_notice(
            "warning",
            f"The pasted text was {pasted:,} characters; only the first {kept:,} were kept.",
        )

    def _on_transcribe_triggered(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Transcribe a recording", "", "WAV recordings (*.wav);;All files (*)"
        )
        if path:
            self.transcribe_requested.emit(path)

    def _on_rename_triggered(self) -> None:
        self.sidebar.ask_rename(self.sidebar.current_id())

    def _on_delete_triggered(self) -> None:
        self.sidebar.ask_delete(self.sidebar.current_id())

    def closeEvent(self, event: QCloseEvent) -> None:
        self.closing.emit()
        super().closeEvent(event)

    # --- state in ---------------------------------------------------------------------------

    def show_session(self, session: Session) -> None:
        self._answer = None
        self.chat.set_messages(
            [(m.role, m.content, m.interrupted, m.error) for m in session.messages]
        )

    def set_sessions(self, sessions: Sequence[SessionSummary], current: str) -> None:
        self.sidebar.set_sessions(sessions, current)

    def add_user_message(self, message: Message) -> None:
        self.input.take_text(message.content)
        self.chat.add_message("user", message.content)

    def begin_answer(self) -> None:
        self._answer = self.chat.add_message("assistant", "")
        self.avatar.set_error(False)
        self.avatar.set_state_label("Thinking…")

    def append_answer(self, delta: str) -> None:
        if self._answer is not None:
            self._answer.append_text(delta)
            self.avatar.set_state_label("")

    def finish_answer(self, message: Message) -> None:
        bubble = self._answer or self.chat.add_message("assistant", "")
        self._answer = None
        bubble.set_text(message.content)
        bubble.finish()
        if message.interrupted:
            bubble.mark_interrupted()
        if message.error:
            bubble.set_error(message.error)
        self.avatar.set_state_label("")
        self.avatar.set_error(bool(message.error))

    def show_memory_used(self, notes: Sequence[str]) -> None:
        """The answer being written was given these remembered notes."""
        if self._answer is not None and notes:
            self._answer.mark_memory(notes)

    def update_last_answer(self, message: Message) -> None:
        """The last answer was cut to what was spoken: show it so, marked interrupted."""
        bubbles = [b for b in self.chat.bubbles() if b.role == "assistant"]
        if bubbles:
            bubbles[-1].set_highlight(None)
            bubbles[-1].set_text(message.content)
            bubbles[-1].mark_interrupted()

    def show_spoken(self, start: int, end: int, caption: str) -> None:
        """Highlight the sentence being spoken in the last answer and show it as a caption."""
        bubbles = [b for b in self.chat.bubbles() if b.role == "assistant"]
        if bubbles:
            bubbles[-1].set_highlight((start, end) if caption else None)
        self.avatar.set_caption(caption)
        self.video.set_caption(caption)

    def set_recording(self, recording: bool) -> None:
        """The microphone is open (the button glows with the voice) or closed."""
        self.record_button.setProperty("recording", recording)
        self.record_button.setToolTip(
            "Listening… click (or let go) when you are done." if recording else RECORD_TIP
        )
        self.set_input_level(-90.0 if recording else None)

    def set_input_level(self, level_db: float | None) -> None:
        """Show how loud the microphone hears the user: a red glow that grows with the voice."""
        if level_db is None:
            self.record_button.setStyleSheet("")
            return
        strength = min(1.0, max(0.0, (level_db + 60.0) / 50.0))
        alpha = int(70 + 185 * strength)
        self.record_button.setStyleSheet(
            f"QToolButton#recordButton {{ background: rgba(220, 60, 60, {alpha});"
            " border-radius: 22px; border: 2px solid rgb(200, 40, 40); }"
        )

    def set_transcribing(self, busy: bool) -> None:
        self.record_button.setEnabled(not busy)
        if busy:
            self.input.setPlaceholderText("Turning what you said into text…")
        else:
            self.input.setPlaceholderText(PLACEHOLDER)

    def add_heard_text(self, text: str) -> None:
        """What the user said goes into the input box, to check and send."""
        before = self.input.toPlainText().rstrip()
        self.input.setPlainText(f"{before} {text}".strip())
        self.input.setFocus()
        cursor = self.input.textCursor()
        cursor.movePosition(cursor.MoveOperation.End)
        self.input.setTextCursor(cursor)

    def set_busy(self, busy: bool) -> None:
        self.stop_button.setEnabled(busy)
        self.stop_action.setEnabled(busy)

    def refuse_message(self, text: str, reason: str) -> None:
        """The message was not taken: keep it in the input and say why."""
        if not self.input.toPlainText():
            self.input.setPlainText(text)
        self.show_notice("error", reason)

    def show_notice(
        self, level: str, text: str, actions: Sequence[Action] = (), key: int = 0
    ) -> None:
        self.notice.show_notice(level, text, actions, key)

    def set_status(self, text: str) -> None:
        self.status_label.setText(text)

    def show_latency(self, latency: ReplyLatency) -> None:
        """The last reply's "you stopped → you heard it" time, its stages in the tooltip."""
        total = latency.total_ms
        if total is None:
            return
        self.latency_label.setText(f"Answered in {total / 1000:.2f} s")
        rows = [
            f"{name.replace('_', ' ')}: {value:.0f} ms"
            for name, value in latency.stages_ms().items()
            if value is not None
        ]
        if latency.speculative:
            rows.append("(the answer was started during the pause, kept once it was over)")
        tip = "\n".join(["From when you stopped talking to when you heard the answer:", *rows])
        self.latency_label.setToolTip(tip)
        self.latency_label.show()
