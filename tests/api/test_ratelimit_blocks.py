"""Rate-limit counts leased in blocks (issue 21): one write per block, never more hits let
through than the limit across processes, small limits exact."""

from __future__ import annotations

import random

from limits import parse
from limits.strategies import FixedWindowRateLimiter
from sqlalchemy import event

from pcf.store.ratelimit import MAX_BLOCK, SqlStorage, block_size


def _writes(storage: SqlStorage) -> list[str]:
    seen: list[str] = []
    event.listen(storage.engine, "before_cursor_execute",
                 lambda conn, cursor, statement, *a: seen.append(statement))
    return seen


def test_block_size_is_one_percent_of_the_limit_within_bounds():
    assert block_size(parse("6000/minute").key_for("pcf", "tenant:1")) == 60
    assert block_size(parse("4/minute").key_for("pcf", "tenant:1")) == 1
    assert block_size(parse("150/minute").key_for("pcf", "tenant:1")) == 1
    assert block_size(parse("1000000/second").key_for("pcf", "tenant:1")) == MAX_BLOCK
    assert block_size("not/a limits key") == 1
    assert block_size("x") == 1


def test_processes_together_never_pass_more_than_the_limit(tmp_path):
    url = f"sqlite:///{tmp_path / 'limits.sqlite3'}"
    workers = [FixedWindowRateLimiter(SqlStorage("pcf-sql://", url=url)) for _ in range(3)]
    limit = parse("1000/minute")
    rng = random.Random(7)
    passed = sum(rng.choice(workers).hit(limit, "tenant:1") for _ in range(2000))
    # refused early by at most (processes - 1) * (block - 1) = 2 * 9
    assert 1000 - 18 <= passed <= 1000
    # another tenant has its own count
    assert workers[0].hit(limit, "tenant:2")


def test_one_write_per_block(tmp_path):
    storage = SqlStorage("pcf-sql://", url=f"sqlite:///{tmp_path / 'l.sqlite3'}")
    limiter = FixedWindowRateLimiter(storage)
    seen = _writes(storage)
    limit = parse("6000/minute")
    assert all(limiter.hit(limit, "tenant:1") for _ in range(600))
    assert len([s for s in seen if s.lstrip().upper().startswith("INSERT")]) == 10


def test_small_limit_stays_exact_across_processes(tmp_path):
    url = f"sqlite:///{tmp_path / 'limits.sqlite3'}"
    a, b = (FixedWindowRateLimiter(SqlStorage("pcf-sql://", url=url)) for _ in range(2))
    limit = parse("4/minute")
    assert [(a, b)[i % 2].hit(limit, "t") for i in range(6)] == [True] * 4 + [False] * 2
