"""The turn flow: history window, model stream, cues and sentences; Qt-free, above the providers."""
