"""``python tests/api/paused_pcf.py serve ...``: the ``pcf`` command with a pause before every
write commit, for the kill -9 crash test (test-only fault injection; production code has no
such hook).

``PCF_TEST_PAUSE_BEFORE_COMMIT`` seconds: after a write transaction (``pcf.store.db.
write_connection``, marked with the execution option ``pcf_write``) has written all its rows
and before it commits, the writer sleeps, so the test can ``kill -9`` the server inside the
transaction deterministically. The SQLAlchemy ``commit`` event is registered on the Engine
class before gunicorn forks its workers, so every worker has it.

``PCF_TEST_PAUSE_ON=order_lines`` (optional): pause only transactions that wrote order lines
(an order being stored), not the other writes (queueing a job, claiming it).

``PCF_TEST_PAUSE_MARKER`` (a file path, optional): created when the writer starts its pause,
i.e. once every row of the transaction has been written. A test cannot infer that from the
size of SQLite's WAL file any more: a 5,000-line order now writes under 1 MB, which stays in
SQLite's page cache until the commit.
"""

from __future__ import annotations

import os
import time

from sqlalchemy import event
from sqlalchemy.engine import Engine

PAUSE = max(0.0, float(os.environ.get("PCF_TEST_PAUSE_BEFORE_COMMIT", "0") or 0))
MARKER = os.environ.get("PCF_TEST_PAUSE_MARKER")
ONLY_LINES = os.environ.get("PCF_TEST_PAUSE_ON") == "order_lines"


@event.listens_for(Engine, "before_cursor_execute")
def _note_order_lines(conn, cursor, statement, parameters, context, executemany) -> None:
    if ONLY_LINES and statement.lstrip().upper().startswith("INSERT INTO ORDER_LINES"):
        conn.info["pcf_wrote_lines"] = True


@event.listens_for(Engine, "commit")
def _pause_before_commit(conn) -> None:
    wrote_lines = conn.info.pop("pcf_wrote_lines", False)
    if ONLY_LINES and not wrote_lines:  # PCF_TEST_PAUSE_ON=order_lines: only order writes
        return
    if PAUSE and conn.get_execution_options().get("pcf_write"):
        if MARKER:
            with open(MARKER, "a") as handle:
                handle.write(f"{os.getpid()}\n")
        time.sleep(PAUSE)


if __name__ == "__main__":
    from pcf.cli import main

    main()
