"""The main window: the character owns the stage; conversations at the left, the chat at the right.

Both side panels fold away and can be resized; the composer (microphone, message, Send/Stop)
sits under the stage. The stage's avatar widget can be lent to the companion window.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QCloseEvent, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QFileDialog,
    QLabel,
    QMainWindow,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from avatar_desktop.core.latency import ReplyLatency
from avatar_desktop.core.session import Message, Session, SessionSummary
from avatar_desktop.ui import icons
from avatar_desktop.ui import window_menus as menus
from avatar_desktop.ui.avatar import surfaces
from avatar_desktop.ui.chat_panel import DEFAULT_WIDTH, ChatPanel
from avatar_desktop.ui.chat_view import ChatView, MessageBubble
from avatar_desktop.ui.composer import Composer
from avatar_desktop.ui.input_box import InputBox
from avatar_desktop.ui.notice_bar import Action, NoticeBar
from avatar_desktop.ui.session_sidebar import SessionSidebar
from avatar_desktop.ui.stage_area import StageArea
from avatar_desktop.ui.video_view import VideoView
from avatar_desktop.ui.voice_controls import VoiceControls

SIDEBAR_WIDTH = 240


class MainWindow(QMainWindow):
    """Widgets only: intents go out as signals, state comes in through methods.

    Signals:
        send_requested(str), stop_requested(), new_requested(), session_selected(str),
        rename_requested(str, str), delete_requested(str), persona_requested(), memory_requested(),
        settings_requested(), transcribe_requested(str), record_pressed(), record_released(),
        hands_free_toggled(bool), companion_toggled(bool), theme_chosen(str),
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
    companion_toggled = Signal(bool)
    theme_chosen = Signal(str)
    closing = Signal()

    def __init__(self, title: str, *, avatar_kind: str = surfaces.DRAWN) -> None:
        super().__init__()
        self.setWindowTitle(title)
        self.setObjectName("mainWindow")
        self.resize(1280, 800)
        self.sidebar = SessionSidebar()
        self.avatar = surfaces.build(avatar_kind)  # the turn's poses and captions go here
        self.avatar_widget: QWidget = self.avatar.widget()
        self.video = VideoView(self.avatar_widget)  # the presenter's clips, laid over the avatar
        self.voice_controls = VoiceControls()
        self.chat = ChatView()
        self.notice = NoticeBar()
        self.input = InputBox()
        self.composer = Composer(self.input)
        self.record_button = self.composer.record_button
        self.send_button = self.composer.send_button
        self.stop_button = self.composer.stop_button
        self._answer: MessageBubble | None = None
        self._chat_width = DEFAULT_WIDTH
        self._build_actions()
        self._build_layout()
        self._build_status()
        self._wire()
        self.set_busy(False)

    # --- construction ---------------------------------------------------------------------

    def _build_layout(self) -> None:
        self.stage_area = StageArea(self.avatar_widget, self.voice_controls)
        self.stage_area.add_toggle(
            self.sidebar_action, lambda ink: icons.panel(ink, right=False), right=False
        )
        self.stage_area.add_toggle(self.companion_action, icons.companion, right=True)
        self.stage_area.add_toggle(
            self.chat_action, lambda ink: icons.panel(ink, right=True), right=True
        )
        self.chat_panel = ChatPanel(self.chat, self.chat_action)
        self.stage_split = self._split("stageSplitter", [self.stage_area, self.chat_panel], (1, 0))
        self.stage_split.setSizes([660, DEFAULT_WIDTH])
        right = QWidget()
        right.setObjectName("centre")
        column = QVBoxLayout(right)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self.stage_split, 1)
        column.addWidget(self.notice)
        column.addWidget(self.composer)  # under the stage and the chat: room to write
        self.splitter = self._split("mainSplitter", [self.sidebar, right], (0, 1))
        self.splitter.setSizes([SIDEBAR_WIDTH, 1040])
        self.setCentralWidget(self.splitter)
        self.sidebar_action.setChecked(True)
        self.chat_action.setChecked(True)

    @staticmethod
    def _split(name: str, widgets: Sequence[QWidget], stretch: Sequence[int]) -> QSplitter:
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setObjectName(name)
        splitter.setChildrenCollapsible(False)  # panels fold through their toggles only
        for index, widget in enumerate(widgets):
            splitter.addWidget(widget)
            splitter.setStretchFactor(index, stretch[index])
        return splitter

    def _build_status(self) -> None:
        self.status_label = QLabel()
        self.status_label.setObjectName("statusLabel")
        self.statusBar().addWidget(self.status_label, 1)
        self.latency_label = QLabel()
        self.latency_label.setObjectName("latencyLabel")
        self.latency_label.hide()  # until the first spoken reply to a spoken turn
        self.statusBar().addPermanentWidget(self.latency_label)

    def _build_actions(self) -> None:
        act = menus.action
        self.new_action = act(
            self, "New conversation", [QKeySequence.StandardKey.New], self.new_requested
        )
        self.focus_action = act(self, "Focus the input", ["Ctrl+L"], self.focus_input)
        self.stop_action = act(self, "Stop the answer", ["Esc", "Ctrl+."], self.stop_requested)
        rename = act(self, "Rename conversation…", ["F2"], self._on_rename_triggered)
        delete = act(self, "Delete conversation…", [], self._on_delete_triggered)
        persona = act(self, "Edit persona…", [], self.persona_requested)
        self.memory_action = act(self, "Memory…", [], self.memory_requested)
        settings = act(self, "Settings…", ["Ctrl+,"], self.settings_requested)
        transcribe = act(self, "Transcribe audio file…", ["Ctrl+O"], self._on_transcribe_triggered)
        self.quit_action = act(self, "Quit", [QKeySequence.StandardKey.Quit], self.close)
        self.hands_free_action = menus.toggle(
            self, "Hands-free listening", ["Ctrl+Shift+H"], "Listen all the time; talk to answer"
        )
        self.hands_free_action.toggled.connect(self.hands_free_toggled)
        self.mute_action = menus.toggle(self, "Mute", ["Ctrl+Shift+U"], "Silence the voice")
        self.mute_action.toggled.connect(self.voice_controls.mute.setChecked)
        self.voice_controls.mute.toggled.connect(self.mute_action.setChecked)
        self.sidebar_action = menus.toggle(
            self, "Conversations", ["Ctrl+B"], "Show the conversations"
        )
        self.sidebar_action.toggled.connect(self.sidebar.setVisible)
        self.chat_action = menus.toggle(self, "Chat", ["Ctrl+J"], "Show the chat beside the stage")
        self.chat_action.toggled.connect(self._on_chat_action_toggled)
        self.companion_action = menus.toggle(
            self, "Companion", ["Ctrl+Shift+M"], "Put the character on the desktop"
        )
        self.companion_action.toggled.connect(self.companion_toggled)
        self.full_screen_action = act(self, "Full screen", ["F11"], self._on_full_screen_triggered)
        bar = self.menuBar()
        menus.fill(
            bar.addMenu("&File"), [self.new_action, transcribe, settings, None, self.quit_action]
        )
        menus.fill(
            bar.addMenu("&Conversation"),
            [
                self.focus_action,
                self.stop_action,
                self.hands_free_action,
                self.mute_action,
                None,
                rename,
                delete,
                None,
                persona,
                self.memory_action,
            ],
        )
        self.view_menu = bar.addMenu("&View")
        menus.fill(
            self.view_menu,
            [self.sidebar_action, self.chat_action, None, self.companion_action, None],
        )
        self.theme_group = menus.theme_menu(self, self.view_menu, self.theme_chosen.emit)
        self.view_menu.addAction(self.full_screen_action)

    def _wire(self) -> None:
        self.input.submitted.connect(self._on_input_submitted)
        self.input.paste_truncated.connect(self._on_input_paste_truncated)
        self.send_button.clicked.connect(lambda: self._on_input_submitted(self.input.toPlainText()))
        self.stop_button.clicked.connect(self.stop_requested)
        self.record_button.pressed.connect(self.record_pressed)
        self.record_button.released.connect(self.record_released)
        self.sidebar.new_requested.connect(self.new_requested)
        self.sidebar.selected.connect(self.session_selected)
        self.sidebar.rename_requested.connect(self.rename_requested)
        self.sidebar.delete_requested.connect(self.delete_requested)
        self.stage_area.recall_requested.connect(lambda: self.companion_action.setChecked(False))
        self._talk_key_held = False
        self.input.installEventFilter(self)
        self.avatar_widget.installEventFilter(self)

    # --- panels, mode and theme ------------------------------------------------------------

    def _on_chat_action_toggled(self, shown: bool) -> None:
        self.chat_panel.setVisible(shown)
        if not shown and self.chat_panel.isAncestorOf(self.focusWidget()):
            self.focus_input()

    def _on_full_screen_triggered(self) -> None:
        self.setWindowState(self.windowState() ^ Qt.WindowState.WindowFullScreen)

    def chat_shown(self) -> bool:
        return self.chat_action.isChecked()

    def sidebar_shown(self) -> bool:
        return self.sidebar_action.isChecked()

    def chat_width(self) -> int:
        """The chat panel's width as the user left it (its last width when folded)."""
        width = self.stage_split.sizes()[1]
        return width if width > 0 else self._chat_width

    def set_panels(self, *, sidebar: bool, chat: bool, chat_width: int) -> None:
        """Open or fold the side panels, the chat at ``chat_width`` pixels (kept across runs)."""
        self._chat_width = max(self.chat_panel.minimumWidth(), chat_width)
        total = sum(self.stage_split.sizes())
        self.stage_split.setSizes([max(1, total - self._chat_width), self._chat_width])
        self.sidebar_action.setChecked(sidebar)
        self.chat_action.setChecked(chat)

    def set_theme_choice(self, choice: str) -> None:
        """Check the View → Theme entry for ``choice`` (without emitting theme_chosen)."""
        for act in self.theme_group.actions():
            act.setChecked(act.data() == choice)

    def lend_stage(self) -> QWidget:
        """The avatar widget (with the video over it) goes to the companion window."""
        return self.stage_area.lend()

    def take_stage_back(self) -> None:
        self.stage_area.take_back()
        self.video.setGeometry(self.avatar_widget.rect())

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
        self.set_stage_caption(caption)

    def set_stage_caption(self, caption: str) -> None:
        """The spoken sentence under the character, while the character is on the stage."""
        shown = caption if self.stage_area.holds_avatar() else ""
        self.avatar.set_caption(shown)
        self.video.set_caption(shown)

    def set_recording(self, recording: bool) -> None:
        """The microphone is open (the button glows with the voice) or closed."""
        self.composer.set_recording(recording)

    def set_input_level(self, level_db: float | None) -> None:
        self.composer.set_input_level(level_db)

    def set_transcribing(self, busy: bool) -> None:
        self.composer.set_transcribing(busy)

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
