"""Run one benchmark by name."""

from __future__ import annotations

import argparse
import importlib
import json
import sys

BENCHES = {
    "avatar": "bench.avatar",
    "bargein": "bench.bargein",
    "did": "bench.did",
    "faults": "bench.faults",
    "memory": "bench.memory",
    "startup": "bench.startup",
    "stt": "bench.stt",
    "turn": "bench.turn",
    "v2v": "bench.v2v",
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("name", choices=sorted(BENCHES))
    parser.add_argument("rest", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    module = importlib.import_module(BENCHES[args.name])
    metrics = module.run(args.rest)
    print(json.dumps(metrics, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
