"""Profile of ``POST /v1/footprints`` inside one process (the WSGI app, no sockets): CPU per
request and the top functions under cProfile (issue 21).

Runs the same requests twice in one process: first as before issue 21 (the baseline: every
request's key verified against the database, one rate-limit write per request, the request
schema instantiated per request), then as served.
Prints CPU ms per request of each and the top functions of the served run.

Usage::

    python benchmarks/profile_request.py [--requests 2000] [--top 25] [--sort tottime]
                                          [--rate none|LIMIT]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import random
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


class _Bypass:
    """A key-cache signal that is never live: every lookup goes to the database."""

    def token(self):
        return None

    def fire(self):
        pass


def _bodies(n: int) -> list[bytes]:
    rng = random.Random(42)
    products = [("aluminium-coil", "kg"), ("ndfeb-magnet", "kg"),
                ("battery-cell-nmc811", "kWh")]
    out = []
    for _ in range(n):
        pid, unit = rng.choice(products)
        out.append(json.dumps({
            "product": pid, "variant": rng.choice(["virgin", "recycled"]),
            # full precision: a parameter set of its own per request (no memo can serve one)
            "parameters": {"renewable_electricity_share": rng.random()},
            "quantity": rng.choice([1, 20, 500]), "unit": unit}).encode())
    return out


def _run(client, bodies, headers) -> float:
    t0 = time.process_time()
    for body in bodies:
        resp = client.post("/v1/footprints", data=body, headers=headers)
        assert resp.status_code == 200, resp.data[:300]
    return (time.process_time() - t0) / len(bodies) * 1e3


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--sort", default="tottime")
    parser.add_argument("--rate", default="none",
                        help="rate limit of the profiling tenant (default none: unlimited, "
                             "as the throughput bench's tenant; e.g. 1000000/minute to "
                             "profile the cost of counting)")
    args = parser.parse_args(argv)
    bw_home = Path(os.environ.get("PCF_HOME", REPO / "var")).resolve()
    with tempfile.TemporaryDirectory(prefix="pcf-prof-") as tmp:
        home = Path(tmp)
        (home / "brightway").symlink_to(bw_home / "brightway")
        for name in ("build-stamp.json",):
            if (bw_home / name).exists():
                (home / name).symlink_to(bw_home / name)
        os.environ["PCF_HOME"] = str(home)
        os.environ.pop("PCF_DATABASE_URL", None)
        from pcf.api import create_app
        from pcf.store.keycache import KeyCache

        app = create_app({"PCF_DATABASE_URL": f"sqlite:///{home / 'pcf.sqlite3'}"})
        store = app.extensions["pcf"].store
        _, key = store.create_tenant("prof", "admin")
        # no rate limit for the profiling tenant (as bench_throughput.py's `pcf tenants limits
        # bench --rate none`): the default 6,000/minute would answer 429 before 3 x 2,000 + 50
        store.set_limits("prof", rate_limit=args.rate)
        headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
        client = app.test_client()
        # each run its own bodies: no parameter set is computed twice in the process
        n = args.requests
        bodies = _bodies(3 * n + 50)
        _run(client, bodies[-50:], headers)  # warm: engine, models, schemas
        from webargs.flaskparser import FlaskParser

        import pcf.store.ratelimit as ratelimit
        from pcf.api.blueprint import PcfParser

        cached = store.key_cache
        bypass = KeyCache(store.engine)
        bypass.signal = _Bypass()  # type: ignore[assignment]
        store.key_cache = bypass
        block_size = ratelimit.block_size
        ratelimit.block_size = lambda key: 1
        own_get_schema = PcfParser._get_schema
        PcfParser._get_schema = FlaskParser._get_schema  # type: ignore[method-assign]
        before = _run(client, bodies[:n], headers)
        store.key_cache = cached
        ratelimit.block_size = block_size
        PcfParser._get_schema = own_get_schema  # type: ignore[method-assign]
        after = _run(client, bodies[n:2 * n], headers)
        profile = cProfile.Profile()
        profile.enable()
        _run(client, bodies[2 * n:3 * n], headers)
        profile.disable()
        print(f"POST /v1/footprints in-process, {args.requests} requests (each its own "
              f"parameter set), tenant rate limit {args.rate}, load {os.getloadavg()[0]:.2f}")
        print(f"  CPU per request, as before issue 21 (baseline): {before:.3f} ms")
        print(f"  CPU per request, as served:                     {after:.3f} ms"
              f"  ({after / before:.2f}x)")
        buf = io.StringIO()
        pstats.Stats(profile, stream=buf).sort_stats(args.sort).print_stats(args.top)
        print(buf.getvalue())
        if os.environ.get("PCF_PROFILE_CALLERS"):
            pstats.Stats(profile).print_callers(os.environ["PCF_PROFILE_CALLERS"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
