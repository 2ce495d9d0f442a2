"""Shared fixtures.

The Brightway project is built once per test session into ``$PCF_TEST_HOME``, else
``$PCF_HOME/test-home`` when ``PCF_HOME`` is set, else ``var/test-home`` in the checkout; it is
reused across runs while the database version is unchanged and never touches the project a user
serves. ``PCF_HOME`` is then pointed at it before anything imports bw2data.
"""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
_DEFAULT_HOME = (Path(os.environ["PCF_HOME"]) / "test-home" if os.environ.get("PCF_HOME")
                 else REPO / "var" / "test-home")
TEST_HOME = Path(os.environ.get("PCF_TEST_HOME", _DEFAULT_HOME)).resolve()
TEST_HOME.mkdir(parents=True, exist_ok=True)
os.environ["PCF_HOME"] = str(TEST_HOME)
# PCF_DATABASES (another inventory folder) is honoured if set; make and CI never set it.


@pytest.fixture(scope="session")
def built_home() -> Path:
    """Build (or reuse) the Brightway project from databases/; return PCF_HOME."""
    from pcf.engine import reset_engine
    from pcf.inventory.build import ensure_built

    ensure_built()
    reset_engine()
    return TEST_HOME


@pytest.fixture(scope="session")
def engine(built_home):
    """The warm engine over the test project."""
    from pcf.engine import get_engine

    return get_engine()


@pytest.fixture(scope="session")
def product_ids(engine) -> list[str]:
    """Every product id in the project."""
    return sorted(engine.products)


def random_value(spec, rng: random.Random):
    """A random valid value for a :class:`pcf.paramspec.ParameterSpec`."""
    if spec.type == "choice":
        return rng.choice(list(spec.choices))
    if spec.type == "boolean":
        return rng.random() < 0.5
    if spec.optional and rng.random() < 0.3:
        return None
    return rng.uniform(spec.min, spec.max)


def random_parameters(model, rng: random.Random) -> dict:
    """A random full parameter set for a :class:`pcf.models.ProductModel`."""
    return {name: random_value(spec, rng) for name, spec in model.specs.items()}
