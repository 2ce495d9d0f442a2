"""The engine cached on disk per database version (issue 21): the same numbers to the bit,
no Brightway (nor pint, nor scipy) in a cold footprint, and never used when it could be
wrong."""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import random_parameters

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def cached(built_home):
    from pcf.engine import write_engine_cache
    from pcf.engine.cache import load_engine

    entry = write_engine_cache()
    assert entry is not None
    engine = load_engine()
    assert engine is not None
    return entry, engine


def test_cached_engine_gives_the_same_numbers_to_the_bit(cached):
    from pcf.engine.engine import Engine
    from pcf.models import ProductModel

    _, loaded = cached
    built = Engine()
    assert loaded.version == built.version and sorted(loaded.products) == sorted(built.products)
    rng = random.Random(21)
    for pid, system in sorted(built.products.items()):
        model = ProductModel(system.definition)
        for _ in range(20):
            encoded = model.resolve(None, random_parameters(model, rng)).encoded
            a = system.evaluate(encoded)
            b = loaded.system(pid).evaluate(encoded)
            assert a.per_declared_unit == b.per_declared_unit
            assert a.stages == b.stages
            assert a.contributions == b.contributions
            assert a.linked == b.linked and a.supplier_specific == b.supplier_specific
        assert loaded.system(pid).published_ranges == system.published_ranges
        assert loaded.provenance(pid) == built.provenance(pid)


def test_a_cache_that_could_be_wrong_is_not_used(cached, monkeypatch, tmp_path):
    import pcf.engine.cache as cache
    import pcf.inventory.stamp as stamp

    assert cache.load_engine() is not None
    real_read = stamp.read_stamp
    # code that can change a number changed since the file was written
    with monkeypatch.context() as m:
        m.setattr(stamp, "code_hash", lambda root=None: "other code")
        assert cache.load_engine() is None
    # the project was written to since the build (Activity Browser): +modified needs the
    # full engine
    with monkeypatch.context() as m:
        m.setattr(stamp, "file_signature", lambda: "edited")
        assert cache.load_engine() is None
    # a rebuild wrote a stamp of another version (its entry is for the old one)
    with monkeypatch.context() as m:
        m.setattr(stamp, "read_stamp", lambda: {**real_read(), "version": "0" * 16})
        assert cache.load_engine() is None
    # a torn or replaced file: hash mismatch
    with monkeypatch.context() as m:
        bad = tmp_path / "bad.pickle"
        bad.write_bytes(cache.cache_file(real_read()["version"]).read_bytes()[:-10])
        m.setattr(cache, "cache_file", lambda version: bad)
        assert cache.load_engine() is None
    # no file at all
    with monkeypatch.context() as m:
        m.setattr(cache, "cache_file", lambda version: tmp_path / "missing.pickle")
        assert cache.load_engine() is None


def test_cold_footprint_loads_no_brightway_and_prints_the_same(cached, built_home, tmp_path):
    """A fresh process on a copy of the project: `pcf footprint` answers from the cache with
    the very bytes of a process that built the engine from Brightway."""
    home = tmp_path / "home"
    shutil.copytree(built_home / "brightway", home / "brightway", symlinks=True)
    env = {**os.environ, "PCF_HOME": str(home)}
    code = ("import json, sys\n"
            "from pcf.service.footprints import compute_footprint\n"
            "fp = compute_footprint('aluminium-coil', variant='recycled', "
            "parameters={'renewable_electricity_share': 0.3})\n"
            "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('bw2data', 'bw2calc', "
            "'bw2io', 'bw2parameters', 'bw_processing', 'pint', 'scipy', 'peewee'))\n"
            "print(json.dumps({'fp': fp, 'heavy': heavy}, sort_keys=True))\n")
    warm = json.loads(subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env,
                                     capture_output=True, text=True, check=True).stdout)
    assert warm["heavy"] == []
    (home / "brightway" / cached[0]["file"]).unlink()   # without the cache: built from bw
    cold = json.loads(subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env,
                                     capture_output=True, text=True, check=True).stdout)
    assert "bw2calc" in cold["heavy"]
    assert json.dumps(cold["fp"], sort_keys=True) == json.dumps(warm["fp"], sort_keys=True)


def test_monte_carlo_and_sensitivity_work_on_an_engine_from_the_cache(cached, built_home,
                                                                      tmp_path):
    """A fresh process whose engine comes from the cache never ran ``Engine.__init__``: the
    Monte Carlo still reads the background and the parameters' distributions from pcf's
    project, not Brightway's empty ``default`` one (``pcf serve`` answered 500 to every
    ``uncertainty`` request and to the sensitivity endpoint)."""
    home = tmp_path / "home"
    shutil.copytree(built_home / "brightway", home / "brightway", symlinks=True)
    env = {**os.environ, "PCF_HOME": str(home)}
    code = ("import json\n"
            "from pcf.engine import load_cached_engine\n"
            "assert load_cached_engine()\n"
            "from pcf.service.footprints import compute_footprint\n"
            "from pcf.service.sensitivity import sensitivity\n"
            "fp = compute_footprint('aluminium-coil', variant='recycled', "
            "uncertainty={'draws': 50, 'seed': 3})\n"
            "s = sensitivity('aluminium-coil', variant='recycled', draws=50, seed=3)\n"
            "print(json.dumps({'u': fp['uncertainty']['per_declared_unit']['total'], "
            "'src': [p['parameter'] for p in s['parameters_src']]}))\n")
    out = json.loads(subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env,
                                    capture_output=True, text=True, check=True).stdout)
    assert out["u"]["p2_5"] < out["u"]["median"] < out["u"]["p97_5"]
    assert out["src"]  # the parameters' distributions were found
