"""Start-up: launching the window, the self-test, logs and crash reports."""
