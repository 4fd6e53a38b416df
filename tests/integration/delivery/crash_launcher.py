"""Test-only: `cobro outbox deliver` with a crash hook, for tests/integration/delivery/test_crash.py.

    python crash_launcher.py K POINT

Settings come from the COBRO_ environment and the deliverer is wired by `make_deliverer`, as the CLI does; the
hook hard-exits the process (os._exit: no cleanup, no commit) at the K-th successful send, at POINT
`after_send` (the message left but its row is still "sending", the worst case) or `after_commit` (the row is
"sent").  Prints the delivery report as JSON if it gets that far.
"""

from __future__ import annotations

import json
import os
import sys

CRASH_EXIT = 86


def main(argv: list[str]) -> int:
    from cobro.delivery.service.deliver import make_deliverer
    from cobro.platform.container import build
    from cobro.platform.settings import load_settings

    after, point = int(argv[0]), argv[1]

    def crash(stage: str, sends: int) -> None:
        if stage == point and sends >= after:
            os._exit(CRASH_EXIT)

    container = build(load_settings())
    deliverer = make_deliverer(settings=container.settings, sessions=container.sessions, clock=container.clock,
                               crash_hook=crash)
    sys.stdout.write(json.dumps(deliverer.deliver().as_dict()) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
