"""Wiring: builds the store, settings, keys, providers and window, and connects their signals."""

from __future__ import annotations

import dataclasses
import gc
import json
import logging
import math
import time

from PySide6.QtCore import QByteArray, QTimer
from PySide6.QtWidgets import QApplication, QDialog

from avatar_desktop import APP_NAME
from avatar_desktop.app.controllers import settings_bridge
from avatar_desktop.app.controllers.brain import Brain
from avatar_desktop.app.controllers.conversation import Conversation, snapshot
from avatar_desktop.app.controllers.listener import Listener
from avatar_desktop.app.controllers.memory import MemoryKeeper
from avatar_desktop.app.controllers.memory_panel import MemoryPanel
from avatar_desktop.app.controllers.presence import Presence
from avatar_desktop.app.controllers.recovery import Recovery
from avatar_desktop.app.controllers.services import Providers
from avatar_desktop.app.controllers.spoken_turns import SpokenTurns
from avatar_desktop.app.notice_bridge import NoticeBridge
from avatar_desktop.app.stage.sound import Sound
from avatar_desktop.app.stage.speaker import Speaker
from avatar_desktop.app.stage.stage import Stage
from avatar_desktop.app.stage.video import Video
from avatar_desktop.app.startup.logs import install_redaction
from avatar_desktop.app.workers import Pools
from avatar_desktop.avatar.look import Look
from avatar_desktop.avatar.rig import Rig
from avatar_desktop.core import notices
from avatar_desktop.core.catalogue import service_of
from avatar_desktop.core.events import Sentence, TurnFailed
from avatar_desktop.core.notices import Action
from avatar_desktop.core.persona import default_persona
from avatar_desktop.providers.base import ChatModel, GenerationOptions
from avatar_desktop.storage import paths as app_paths
from avatar_desktop.storage.secrets import KeyStore
from avatar_desktop.storage.sessions import SessionStore
from avatar_desktop.storage.settings import load_settings, save_settings
from avatar_desktop.ui import theme
from avatar_desktop.ui.dialogs import PersonaDialog
from avatar_desktop.ui.main_window import MainWindow
from avatar_desktop.ui.memory_dialog import MemoryDialog
from avatar_desktop.ui.settings_dialog import SettingsDialog, SettingsValues
from avatar_desktop.ui.welcome import WelcomeDialog

log = logging.getLogger(__name__)

CLIP_SPEECH_DB = -14.0  # a D-ID clip's speech at full volume, roughly (its level is not measured)


class AvatarApp:
    """The running app: one window, one conversation controller, one set of pools."""

    def __init__(
        self,
        paths: app_paths.Paths,
        *,
        model: ChatModel | None = None,
        keys: KeyStore | None = None,
        speak: bool = True,
    ) -> None:
        self.paths = paths
        app_paths.remove_orphaned_temps(paths)  # before anything here writes a file
        self.pools = Pools()
        problems: list[str] = []
        self.settings = load_settings(paths.settings_file, problems)
        for problem in problems:
            notices.warning(problem)
        self.keys = keys or KeyStore()
        install_redaction(self.keys)
        self.providers = Providers(self.settings, self.keys, self.pools, paths.cache)
        self.store = SessionStore(paths.sessions)
        self._qt = QApplication.instance()
        if isinstance(self._qt, QApplication):  # the theme first: every widget starts in it
            theme.apply(self._qt, self.settings.theme)
            theme.follow_system(self._qt, lambda: self.settings.theme)
        self.window = MainWindow(APP_NAME, avatar_kind=self.settings.avatar_kind)
        self.sound = Sound(
            self.settings,
            cloud_voice=self.providers.cloud_voice(),
            cache_dir=paths.cache,
            speak=speak,
        )
        self.local_voice, self.voice, self.player = (
            self.sound.local_voice,
            self.sound.voice,
            self.sound.player,
        )
        self.speaker = Speaker(voice=self.voice, player=self.player, pools=self.pools, rig=Rig())
        self.speaker.rate = self.settings.speaking_rate
        self.stage = Stage(self.speaker)
        self.video = Video(
            providers=self.providers,
            pools=self.pools,
            stage=self.stage,
            view=self.window.video,
            cache_dir=paths.cache / "clips",
        )
        self._apply_look()
        self.conversation = Conversation(
            store=self.store,
            model=model or self.providers.chat_model(),
            pools=self.pools,
            options=self._options(),
        )
        self.memory = MemoryKeeper(
            paths.memory_file,
            self.pools,
            enabled=lambda: self.settings.remember,
            extractor=self.providers.memory_extractor,
        )
        self.memory.follow(self.conversation)
        self.brain = Brain(
            self.conversation,
            self.providers,
            self.pools,
            self._loading_step_done,
            interrupt=self.interrupt,
        )
        self.recovery = Recovery(
            self.conversation,
            interrupt=self.interrupt,
            fallback=self.brain.fallback,
            auto_fallback=lambda: self.settings.auto_fallback,
            offer_models=self._offer_models,
            open_settings=lambda: self._on_window_settings_requested(),
        )
        self.listener = Listener(
            pools=self.pools,
            transcriber=self.providers.transcriber,
            device=lambda: self.settings.input_device,
            playback_db=self._playback_db,
            avatar_speaking=lambda: self.stage.speaking,
            end_of_speech_ms=lambda: self.settings.end_of_speech_ms,
            responsiveness=lambda: self.settings.responsiveness,
        )
        self.spoken = SpokenTurns(
            self.listener.turns,
            self.conversation,
            self.stage,
            send=self.send,
            muted=lambda: self.settings.muted,
        )
        self.latency_measured = self.spoken.latency_measured
        self.listener.barge_in_enabled = self.settings.barge_in
        self._bridge = NoticeBridge(self.window)
        self._heap_frozen = False
        self.welcome_dialog: WelcomeDialog | None = None
        self.memory_dialog: MemoryDialog | None = None
        self._memory_panel: MemoryPanel | None = None
        self.presence = Presence(
            self.window,
            self.settings,
            self.speaker.rig,
            self.listener,
            send=self.send,
            stop=self.interrupt,
        )
        self.companion = self.presence.companion
        self._connect()
        self.video.on_change = self._update_status
        self.video.on_failed = self._on_presenter_failed
        self._restore_layout()
        self._update_status()

    def _restore_layout(self) -> None:
        """The window's size and place, its panels and theme, as the user left them."""
        s = self.settings
        if s.window_geometry:
            self.window.restoreGeometry(QByteArray.fromBase64(s.window_geometry.encode()))
        self.window.set_panels(sidebar=s.sidebar_shown, chat=s.chat_shown, chat_width=s.chat_width)
        self.window.set_theme_choice(s.theme)

    def _options(self) -> GenerationOptions:
        return GenerationOptions(self.settings.max_tokens, self.settings.temperature)

    def _connect(self) -> None:
        w, c = self.window, self.conversation
        w.send_requested.connect(self.send)
        w.stop_requested.connect(self.interrupt)
        w.new_requested.connect(self._on_window_new_requested)
        w.session_selected.connect(self._on_window_session_selected)
        w.rename_requested.connect(c.rename_session)
        w.delete_requested.connect(self._on_window_delete_requested)
        w.persona_requested.connect(self._on_window_persona_requested)
        w.memory_requested.connect(self.open_memory)
        c.memory_used.connect(lambda used: w.show_memory_used(used.notes))
        w.settings_requested.connect(self._on_window_settings_requested)
        w.transcribe_requested.connect(self.listener.transcribe_file)
        self._connect_listening()
        w.theme_chosen.connect(self._on_window_theme_chosen)
        w.closing.connect(self.shutdown)
        c.session_opened.connect(w.show_session)
        c.sessions_changed.connect(lambda items: w.set_sessions(items, c.session.id))
        c.user_message_added.connect(w.add_user_message)
        c.message_refused.connect(w.refuse_message)
        c.answer_started.connect(w.begin_answer)
        c.text_delta.connect(w.append_answer)
        c.answer_finished.connect(w.finish_answer)
        c.answer_truncated.connect(w.update_last_answer)
        c.busy_changed.connect(lambda _busy: self._update_busy())
        self._connect_speech()

    def _connect_listening(self) -> None:
        w, ears = self.window, self.listener
        w.record_pressed.connect(ears.press)
        w.record_released.connect(ears.release)
        ears.recording_changed.connect(w.set_recording)
        ears.level.connect(w.set_input_level)
        ears.transcribing.connect(w.set_transcribing)
        ears.heard.connect(w.add_heard_text)
        ears.problem.connect(notices.warning)
        ears.said.connect(self.send)
        ears.barge_in.connect(self._on_listener_barge_in)
        w.hands_free_toggled.connect(self._on_window_hands_free_toggled)

    def _on_window_theme_chosen(self, choice: str) -> None:
        self.apply_theme(choice)

    def apply_theme(self, choice: str) -> None:
        """View → Theme: kept first (the OS may echo the change back), then painted."""
        self.settings.theme = choice
        self.save_settings()
        if isinstance(self._qt, QApplication):
            theme.apply(self._qt, choice)
        self.window.set_theme_choice(choice)

    def _playback_db(self) -> float:
        """How loud the avatar plays now, for the echo guard. QtMultimedia does not report the
        level of a D-ID clip, so a playing clip counts as loud speech at the current volume."""
        if self.video.player.playing:
            volume = 0.0 if self.settings.muted else self.settings.volume
            return CLIP_SPEECH_DB + 20.0 * math.log10(max(volume, 1e-3))
        return float(getattr(self.player, "output_level_db", -120.0))

    def _on_listener_barge_in(self) -> None:
        log.info("barge-in: the user spoke over the avatar")
        self.interrupt()

    def _on_window_hands_free_toggled(self, on: bool) -> None:
        self.listener.set_hands_free(on)
        if on and not self.listener.hands_free:  # no microphone: the menu tells the truth
            self.window.hands_free_action.setChecked(False)

    def _connect_speech(self) -> None:
        w, c, sp, stage = self.window, self.conversation, self.speaker, self.stage
        c.answer_started.connect(stage.begin)
        c.performance.connect(stage.add)
        c.answer_finished.connect(lambda message: stage.end_of_text(bool(message.error)))
        sp.pose_changed.connect(w.avatar.set_pose)
        sp.rig.listen(w.avatar.on_event)  # named states, emotions, gestures, for any kind
        stage.sentence_started.connect(self._on_stage_sentence_started)
        stage.speaking_changed.connect(self._on_speaker_speaking_changed)
        sp.voice_failed.connect(self._on_speaker_voice_failed)
        w.input.textChanged.connect(self._on_input_text_changed)
        controls = w.voice_controls
        controls.set_values(self.settings.volume, self.settings.muted, self.settings.speaking_rate)
        controls.volume_changed.connect(self._on_volume_changed)
        controls.muted_changed.connect(self._on_muted_changed)
        controls.rate_changed.connect(self._on_rate_changed)

    def _on_speaker_voice_failed(self, words: str) -> None:
        if self.speaker.voice is not self.local_voice and self.local_voice is not None:
            self.speaker.voice = self.local_voice  # a cloud voice failed: this computer's speaks
            notices.warning(f"{words} The voice on this computer speaks instead.")
            return
        notices.warning(f"The voice stopped: {words} Answers stay as text.")

    def _on_presenter_failed(self, words: str) -> None:
        notices.warning(f"{words} This answer goes on with the drawn avatar.")

    def _on_stage_sentence_started(self, sentence: Sentence) -> None:
        latency = self.spoken.heard(sentence)
        if latency is not None:
            self.window.show_latency(latency)
        self.conversation.hear(sentence)
        self._show_spoken(sentence.start, sentence.end, sentence.text)

    def start(self) -> None:
        """Show the window first; then load the model and the sessions off the GUI thread."""
        self.window.show()
        if self.settings.companion:  # it was on the desktop when the app last closed
            self.companion.set_on(True)
        QTimer.singleShot(0, self._after_shown)

    def _after_shown(self) -> None:
        self.brain.load()
        self.load_voice()
        self.video.configure()
        self.conversation.session_opened.emit(self.conversation.session)
        self.conversation.refresh_sessions(open_id=self.settings.last_session_id, open_newest=True)
        self.window.focus_input()
        if not self.settings.welcomed:
            self.welcome()

    def welcome(self) -> WelcomeDialog:
        """The first-run welcome, over the window; shown once."""
        dialog = WelcomeDialog(self.window)
        dialog.settings_requested.connect(self._on_window_settings_requested)
        dialog.finished.connect(self._on_welcome_finished)
        dialog.show()
        self.welcome_dialog = dialog
        return dialog

    def _on_welcome_finished(self, _result: int) -> None:
        self.welcome_dialog = None
        self.settings.welcomed = True
        self.save_settings()
        self.window.focus_input()

    # --- the chat model ---------------------------------------------------------------------

    def use_model(self, model: ChatModel) -> None:
        """Answer with ``model`` from now on (a running answer is stopped first)."""
        self.brain.use(model)

    @property
    def model(self) -> ChatModel:
        return self.brain.model

    def _offer_models(self, event: TurnFailed) -> None:
        """A retired or unknown model: list the current ones and offer to switch with a click."""

        def offer(ids: list[str]) -> None:
            settings = Action("Settings…", self._on_window_settings_requested)
            if not ids:
                notices.error(event.message, [Action("Retry", self.recovery.retry), settings])
                return
            use = Action(f"Use {ids[0]}", lambda: self.switch_groq_model(ids[0]))
            names = ", ".join(ids[:5])
            notices.error(f"{event.message} Current models: {names}.", [use, settings])

        # An empty key means the one kept in the keyring or the environment.
        self.providers.list_groq_models("", lambda ids, _why: offer(list(ids)))

    def switch_groq_model(self, model_id: str) -> None:
        self.settings.groq_chat_model = model_id
        self.save_settings()
        self.use_model(self.providers.chat_model())
        self.conversation.retry()

    def _loading_step_done(self) -> None:
        self._update_status()
        if self.ready and not self._heap_frozen:
            # What start-up built (Qt, langchain, the models) lives as long as the app; keeping
            # the collector from walking it again and again avoids ~80 ms pauses mid-answer.
            self._heap_frozen = True
            gc.freeze()

    @property
    def ready(self) -> bool:
        """The model and the voice have finished loading (or failed and said so)."""
        voice_done = self.sound.settled or self.speaker.voice is None
        return self.brain.state != "loading" and voice_done

    def _update_status(self) -> None:
        ears = self.providers.transcriber().name
        voice = self.speaker.voice.name if self.speaker.voice else "off (text only)"
        if self.speaker.voice and not self.sound.settled:
            voice += " — loading…"
        if self.speaker.voice and self.player.problem:
            voice += " — no sound device"
        presenter = self.video.status()
        self.window.set_status(
            f"Brain: {self.brain.describe()}   ·   Ears: {ears}   ·   Voice: {voice}"
            + (f"   ·   {presenter}" if presenter else "")
        )

    # --- speaking ------------------------------------------------------------------------------

    def load_voice(self) -> None:
        local = self.local_voice

        def lost() -> None:
            if self.speaker.voice is local:
                self.speaker.voice = None

        self.sound.load(self.pools, lost=lost, done=self._loading_step_done)

    def send(self, text: str) -> None:
        """A new message (typed, said hands-free, or transcribed) interrupts the avatar first."""
        if text.strip():
            self.interrupt()
        self.conversation.send(text)

    def interrupt(self) -> None:
        """The one way a turn ends early — Stop, a new message, barge-in, another conversation
        or brain: silence the stage, keep only what was heard, drop a pending retry."""
        self.recovery.cancel_countdown()
        speaking, voiced = self.stage.speaking, self.stage.voiced
        heard = self.stage.stop()
        self.conversation.interrupt(speaking=speaking, voiced=voiced, heard=heard)
        self._show_spoken(0, 0, "")

    def _show_spoken(self, start: int, end: int, caption: str) -> None:
        self.window.show_spoken(start, end, caption)
        self.presence.show_caption(caption)

    def _update_busy(self) -> None:
        self.window.set_busy(self.conversation.busy or self.stage.speaking)

    def _on_speaker_speaking_changed(self, speaking: bool) -> None:
        if not speaking:
            self._show_spoken(0, 0, "")
        self._update_busy()

    def _on_input_text_changed(self) -> None:
        typing = bool(self.window.input.toPlainText().strip())
        self.presence.user_typed(typing)
        if not (self.conversation.busy or self.stage.speaking):
            self.speaker.rig.set_state("listening" if typing else "idle", time.monotonic())

    def _on_volume_changed(self, volume: float) -> None:
        self.player.volume = self.settings.volume = volume
        self.video.player.set_volume(volume, self.settings.muted)

    def _on_muted_changed(self, muted: bool) -> None:
        self.player.muted = self.settings.muted = muted
        self.video.player.set_volume(self.settings.volume, muted)

    def _on_rate_changed(self, rate: float) -> None:
        self.speaker.rate = self.settings.speaking_rate = rate

    def _apply_look(self) -> None:
        try:
            data = json.loads(self.settings.avatar_look) if self.settings.avatar_look else {}
        except (ValueError, RecursionError):  # RecursionError: deeply nested JSON
            data = {}
        self.window.avatar.set_look(Look.from_dict(data))

    # --- dialogs ----------------------------------------------------------------------------

    def _on_window_new_requested(self) -> None:
        self.interrupt()
        self.conversation.new_session()

    def _on_window_session_selected(self, session_id: str) -> None:
        if session_id != self.conversation.session.id:
            self.interrupt()
        self.conversation.open_session(session_id)

    def _on_window_delete_requested(self, session_id: str) -> None:
        if session_id == self.conversation.session.id:
            self.interrupt()
        self.conversation.delete_session(session_id)

    def _on_window_persona_requested(self) -> None:
        dialog = PersonaDialog(self.conversation.persona(), default_persona(), self.window)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.conversation.set_persona(dialog.text())

    def open_memory(self) -> MemoryDialog:
        """Conversation → Memory…: one panel, kept in step with the store while open."""
        if self.memory_dialog is None or not self.memory_dialog.isVisible():
            dialog = MemoryDialog(self.window)
            self._memory_panel = MemoryPanel(
                dialog,
                self.memory,
                titles=lambda: {s.id: s.title for s in self.conversation.summaries()},
                paused=lambda: not self.settings.remember,
                set_paused=self._on_memory_paused,
            )
            self.memory_dialog = dialog
        self.memory_dialog.show()
        return self.memory_dialog

    def _on_memory_paused(self, paused: bool) -> None:
        self.settings.remember = not paused
        self.save_settings()

    def settings_values(self) -> SettingsValues:
        """What the settings dialog starts from: the current choices."""
        values = settings_bridge.values_from(self.settings, self.window.avatar.look())
        return dataclasses.replace(values, turn_model_problem=self.listener.turn_model_problem)

    def _on_window_settings_requested(self) -> None:
        dialog = SettingsDialog(self.settings_values(), self.providers, self.window)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.apply_settings(dialog.values())

    def apply_settings(self, values: SettingsValues) -> None:
        """Take new settings; a changed model is built (and loaded) in the background."""
        settings_bridge.store_keys(self.keys, values)
        s = self.settings
        before = (s.chat_provider, s.groq_chat_model, s.chat_model_path)
        presenter = self.video.kind
        s.chat_provider = values.chat_provider
        s.groq_chat_model = values.groq_model
        s.chat_model_path = values.model_path or None
        settings_bridge.store(s, values)
        self.listener.barge_in_enabled = s.barge_in
        listening = (values.input_device, values.end_of_speech_ms, values.responsiveness)
        if listening != (s.input_device, s.end_of_speech_ms, s.responsiveness):
            s.input_device, s.end_of_speech_ms, s.responsiveness = listening
            if self.listener.hands_free:  # reopen with the new microphone and timing
                self.listener.set_hands_free(False)
                self.listener.set_hands_free(True)
        self._apply_look()
        if values.output_device != s.output_device:
            s.output_device = values.output_device
            self.sound.set_output(values.output_device)
        if self.video.kind != presenter:
            self.interrupt()  # another presenter: the answer it was giving ends here
        if self.local_voice is not None:
            self.speaker.voice = self.providers.cloud_voice() or self.local_voice
        self.video.configure()
        self.conversation.options = self._options()
        local_changed = self.providers.reload_local()
        changed = before != (s.chat_provider, s.groq_chat_model, s.chat_model_path)
        if changed or local_changed or service_of(s.chat_provider) in values.keys:
            self.use_model(self.providers.chat_model())
        self._update_status()
        self.save_settings()

    def save_settings(self) -> None:
        self.settings.last_session_id = self.conversation.session.id
        geometry = bytes(self.window.saveGeometry().toBase64().data()).decode()
        self.settings.window_geometry = geometry
        self.settings.sidebar_shown = self.window.sidebar_shown()
        self.settings.chat_shown = self.window.chat_shown()
        self.settings.chat_width = self.window.chat_width()
        try:
            save_settings(self.paths.settings_file, self.settings)
        except Exception as exc:  # settings are a convenience; never lose the window over them
            notices.error(str(exc))

    def shutdown(self) -> None:
        self.listener.cancel()
        self.interrupt()
        self.presence.close()
        self.speaker.close()
        self.save_settings()
        self.memory.keep_episode(snapshot(self.conversation.session))
        self.pools.wait(5000)
        self.memory.close()
        if self.video.presenter is not None:  # renders stopped mid-way: deleted once done
            from avatar_desktop.providers.did.render import sweep_idle

            sweep_idle(3.0)
        self.player.close()
        self.brain.close()
        self._bridge.close()
