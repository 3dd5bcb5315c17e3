"""``python -m avatar_desktop`` and the ``avatar-desktop`` GUI script.

``--self-test`` runs one full offline turn headless and exits 0 only if every step worked.
"""

from __future__ import annotations

import sys


def main() -> int:
    if "--self-test" in sys.argv[1:]:
        from avatar_desktop.app.startup.selftest import run as self_test

        return self_test()
    from avatar_desktop.app.startup.launch import main as run

    return run()


if __name__ == "__main__":
    sys.exit(main())
