"""Units: one pint registry for pcf.

Declared units and exchange units are pint expressions: ``kg``, ``t`` (tonne), ``g``, ``kWh``,
``MWh``, ``Wh``, ``MJ``, ``GJ``, ``tkm`` (tonne-kilometre), ``m3``. ``tkm`` is defined here as
``tonne * kilometer``; ``m2``/``m3`` (and ``cm3``, ``km2``, ...) are read as ``m**2``/``m**3``,
which pint does not do by itself.

The registry is built on first use (:func:`registry`, also reachable as ``pcf.units.ureg``):
importing pint and building its registry costs ~0.2 s, which a command or request that
converts nothing (a quantity in the declared unit) does not pay (issue 21).
"""

from __future__ import annotations

import math
import re
import threading
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from pcf.errors import InvalidQuantity

if TYPE_CHECKING:
    import pint

MAX_QUANTITY = 1e15
"""Largest accepted quantity, in the unit given (keeps every total finite)."""

AMBIGUOUS_UNITS = {"ton", "tons", "short_ton", "long_ton", "tonne_short", "US_ton", "UK_ton"}
"""pint reads ``ton`` as the US short ton (907 kg); buyers who write "ton" usually mean the
metric tonne. Refused: write ``t`` (tonne) or ``kg``."""

_AREA_VOLUME = re.compile(r"(?<![A-Za-z0-9_])([kcdmµu]?m)([23])(?![A-Za-z0-9_])")
"""A length unit with a trailing power, ``m3`` or ``cm2``: rewritten to ``m**3``, ``cm**2``.
(Defining ``m3`` as a unit instead would let pint prefix it: ``cm3`` = 0.01 m3.)"""

_REGISTRY: pint.UnitRegistry | None = None
_LOCK = threading.Lock()

IDENTITY_UNITS = frozenset({"kg", "g", "t", "kWh", "Wh", "MWh", "MJ", "GJ"})
"""Units pint knows for certain: one of them converted to itself is 1 without pint."""


def registry() -> pint.UnitRegistry:
    """pcf's one pint registry (``tkm`` and ``CO2e`` defined, ``m3`` read as ``m**3``), built
    on first use."""
    global _REGISTRY
    if _REGISTRY is None:
        with _LOCK:
            if _REGISTRY is None:
                import pint

                ureg: pint.UnitRegistry = pint.UnitRegistry(
                    preprocessors=[lambda text: _AREA_VOLUME.sub(r"\1**\2", text)])
                ureg.define("tkm = tonne * kilometer")
                ureg.define("CO2e = [co2e]")
                _REGISTRY = ureg
    return _REGISTRY


def __getattr__(name: str) -> Any:
    if name == "ureg":  # the registry, built on first use
        return registry()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@lru_cache(maxsize=512)
def _factor(from_unit: str, to_unit: str) -> float:
    if from_unit == to_unit and from_unit in IDENTITY_UNITS:
        return 1.0
    return float(registry().Quantity(1.0, from_unit).to(to_unit).magnitude)


def conversion_factor(from_unit: str, to_unit: str, field: str = "unit") -> float:
    """Return the factor f with ``x [from_unit] = f * x [to_unit]``.

    Parameters
    ----------
    from_unit, to_unit : str
        pint unit expressions, e.g. ``"t"`` and ``"kg"`` (gives 1000.0).
    field : str
        Name of the input field, used in the error.

    Raises
    ------
    InvalidInput
        If either unit is unknown or they have different dimensions.
    """
    if str(from_unit).strip() in AMBIGUOUS_UNITS:
        raise InvalidQuantity(
            f"unit {from_unit!r} is ambiguous (pint reads it as the US short ton)",
            field=field, allowed="t (metric tonne), kg, g")
    try:
        return _factor(str(from_unit), str(to_unit))
    except Exception as exc:  # noqa: BLE001 - pint's parser raises many kinds (ZeroDivision,
        # tokenize errors, ...) for bad unit text; every one of them is a bad input here
        raise InvalidQuantity(
            f"unit {from_unit!r} cannot be converted to {to_unit!r}",
            field=field,
            allowed=f"units of the same dimension as {to_unit}",
        ) from exc


def check_quantity(value, field: str = "quantity") -> float:
    """Return ``value`` as a positive finite float, at most :data:`MAX_QUANTITY`.

    Raises
    ------
    InvalidInput
        If ``value`` is not a number, not finite, not > 0 or above :data:`MAX_QUANTITY`.
    """
    if isinstance(value, bool):
        raise InvalidQuantity("quantity must be a number", field=field, allowed="finite number > 0")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InvalidQuantity(f"quantity {value!r} is not a number", field=field,
                         allowed="finite number > 0") from None
    except OverflowError:  # an int (or Fraction) beyond float range; its repr may not even fit
        raise InvalidQuantity("quantity is beyond the range of a float", field=field,
                              allowed=f"0 < quantity <= {MAX_QUANTITY:g}") from None
    if not math.isfinite(number) or number <= 0:
        raise InvalidQuantity(f"quantity {value!r} must be finite and > 0", field=field,
                         allowed="finite number > 0")
    if number > MAX_QUANTITY:
        raise InvalidQuantity(f"quantity {value!r} is larger than {MAX_QUANTITY:g}", field=field,
                         allowed=f"0 < quantity <= {MAX_QUANTITY:g}")
    return number
