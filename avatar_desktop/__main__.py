"""``python -m avatar_desktop`` and the ``avatar-desktop`` GUI script."""

from __future__ import annotations

import sys


def main() -> int:
    from avatar_desktop.app.launch import main as run

    return run()


if __name__ == "__main__":
    sys.exit(main())
