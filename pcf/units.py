"""Units: one pint registry for pcf.

Declared units and exchange units are pint expressions: ``kg``, ``t`` (tonne), ``g``, ``kWh``,
``MWh``, ``Wh``, ``MJ``, ``GJ``, ``tkm`` (tonne-kilometre), ``m3``. ``tkm`` is defined here as
``tonne * kilometer``.
"""

from __future__ import annotations

import math
from functools import lru_cache

import pint

from pcf.errors import InputError

ureg = pint.UnitRegistry()
ureg.define("tkm = tonne * kilometer")
ureg.define("CO2e = [co2e]")


@lru_cache(maxsize=512)
def _factor(from_unit: str, to_unit: str) -> float:
    return float(ureg.Quantity(1.0, from_unit).to(to_unit).magnitude)


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
    InputError
        If either unit is unknown or they have different dimensions.
    """
    try:
        return _factor(str(from_unit), str(to_unit))
    except (pint.errors.UndefinedUnitError, pint.errors.DimensionalityError, AttributeError,
            TypeError, ValueError, AssertionError, SyntaxError) as exc:
        raise InputError(
            f"unit {from_unit!r} cannot be converted to {to_unit!r}",
            field=field,
            allowed=f"units of the same dimension as {to_unit}",
        ) from exc


def convert(value: float, from_unit: str, to_unit: str, field: str = "unit") -> float:
    """Convert ``value`` from ``from_unit`` to ``to_unit`` (see :func:`conversion_factor`)."""
    return float(value) * conversion_factor(from_unit, to_unit, field)


def check_quantity(value, field: str = "quantity") -> float:
    """Return ``value`` as a positive finite float.

    Raises
    ------
    InputError
        If ``value`` is not a number, not finite, or not > 0.
    """
    if isinstance(value, bool):
        raise InputError("quantity must be a number", field=field, allowed="finite number > 0")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InputError(f"quantity {value!r} is not a number", field=field,
                         allowed="finite number > 0") from None
    if not math.isfinite(number) or number <= 0:
        raise InputError(f"quantity {value!r} must be finite and > 0", field=field,
                         allowed="finite number > 0")
    return number
