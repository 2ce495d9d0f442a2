"""Product parameters: their specification, validation of user values, and numeric encoding.

A product parameter is what a user sets (``recycled_content=0.35``, ``smelter_grid=cn-yunnan``,
``grain_boundary_diffusion=true``). Brightway parameters are numbers, so each user parameter is
encoded as one or more numeric Brightway parameters:

=========================  ==========================================================
type                       Brightway parameters
=========================  ==========================================================
``number``                 ``p`` (the value, in the parameter's ``unit``)
``number``, optional       ``p`` (0 when not given) and ``p__given`` (0 or 1)
``boolean``                ``p`` (0 or 1)
``choice``                 ``p__<choice>`` for every choice (1 for the chosen, else 0;
                           ``-`` in a choice becomes ``_``)
=========================  ==========================================================

A parameter whose name is a Python keyword (``yield``) is ``yield_`` in formulas.

This module is pure (no Brightway, no Flask): the inventory builder, the models layer and the
API all use it, so a value is validated and encoded the same way everywhere.
"""

from __future__ import annotations

import keyword
import math
import re
from dataclasses import dataclass, field
from typing import Any

from pcf.errors import InvalidParameter

TYPES = ("number", "choice", "boolean")
NAME_RE = re.compile(r"^[a-z][a-z0-9_]*$")
CHOICE_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off"}


def indicator(name: str, choice: str) -> str:
    """Return the Brightway name of the 0/1 indicator of ``choice`` of parameter ``name``."""
    return f"{name}__{choice.replace('-', '_')}"


def formula_name(name: str) -> str:
    """Return the name a parameter has in formulas: ``name``, or ``name_`` when ``name`` is a
    Python keyword (the issue's ``yield`` parameter is ``yield_`` in formulas)."""
    return f"{name}_" if keyword.iskeyword(name) else name


@dataclass(frozen=True)
class ParameterSpec:
    """Specification of one product parameter.

    Attributes
    ----------
    name : str
        Lower-case identifier, e.g. ``recycled_content``.
    type : {"number", "choice", "boolean"}
    default : float, str, bool or None
        Default value (None only for optional numbers: "not given").
    unit : str
        pint unit of a number (``kg/kg``, ``kWh/kWh``, ``dimensionless``, ``kg CO2e/kg``);
        empty for choices and booleans.
    min, max : float or None
        Inclusive range of a number.
    choices : dict[str, str or None]
        For a choice: choice name -> activity code it selects (or None).
    optional : bool
        A number that may be left unset (``None``).
    description, source : str
        Meaning, and the source id of the default.
    """

    name: str
    type: str
    default: Any
    unit: str = ""
    min: float | None = None
    max: float | None = None
    choices: dict = field(default_factory=dict)
    optional: bool = False
    description: str = ""
    source: str = ""
    meta: dict = field(default_factory=dict)

    def allowed(self) -> Any:
        """Return the allowed values, for error messages: a list or a range string."""
        if self.type == "choice":
            return list(self.choices)
        if self.type == "boolean":
            return [True, False]
        text = f"{self.min} <= {self.name} <= {self.max}"
        return text + (" or null" if self.optional else "")

    def coerce(self, value: Any, field_name: str | None = None) -> Any:
        """Validate a user value and return it in canonical form.

        Accepts strings for every type (``"0.3"``, ``"true"``, ``"cn-yunnan"``) so CSV and CLI
        values work.

        Returns
        -------
        float, bool, str or None

        Raises
        ------
        InvalidInput
            Naming ``field_name`` (default ``parameters.<name>``) and the allowed values.
        """
        where = field_name or f"parameters.{self.name}"
        if self.type == "choice":
            if isinstance(value, str) and value in self.choices:
                return value
            raise InvalidParameter(f"{self.name}={value!r} is not one of the choices", field=where,
                             allowed=self.allowed())
        if self.type == "boolean":
            if isinstance(value, bool):
                return value
            if isinstance(value, (int, float)) and value in (0, 1):
                return bool(value)
            if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
                return value.strip().lower() in _TRUE
            raise InvalidParameter(f"{self.name}={value!r} is not a boolean", field=where,
                             allowed=self.allowed())
        # number
        if value is None or (isinstance(value, str) and value.strip().lower() in ("", "null",
                                                                                "none")):
            if self.optional:
                return None
            raise InvalidParameter(f"{self.name} needs a number", field=where,
                                   allowed=self.allowed())
        if isinstance(value, bool):
            raise InvalidParameter(f"{self.name}={value!r} is not a number", field=where,
                             allowed=self.allowed())
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise InvalidParameter(f"{self.name}={value!r} is not a number", field=where,
                             allowed=self.allowed()) from None
        except OverflowError:  # an int beyond float range; its repr may not even fit
            raise InvalidParameter(f"{self.name} is not finite (too large for a float)",
                                   field=where, allowed=self.allowed()) from None
        if not math.isfinite(number):
            raise InvalidParameter(f"{self.name}={value!r} is not finite", field=where,
                             allowed=self.allowed())
        if (self.min is not None and number < self.min) or \
                (self.max is not None and number > self.max):
            raise InvalidParameter(f"{self.name}={number!r} is out of range", field=where,
                             allowed=self.allowed())
        return number

    def encode(self, value: Any) -> dict[str, float]:
        """Return the numeric Brightway parameters for a canonical value (see module doc)."""
        if self.type == "choice":
            return {indicator(self.name, c): float(c == value) for c in self.choices}
        name = formula_name(self.name)
        if self.type == "boolean":
            return {name: float(bool(value))}
        if self.optional:
            return {name: 0.0 if value is None else float(value),
                    f"{name}__given": 0.0 if value is None else 1.0}
        return {name: float(value)}

    def brightway_names(self) -> list[str]:
        """Return the names of the numeric Brightway parameters this parameter encodes to."""
        if self.type == "choice":
            return [indicator(self.name, c) for c in self.choices]
        name = formula_name(self.name)
        if self.optional and self.type == "number":
            return [name, f"{name}__given"]
        return [name]

    def brightway_data(self) -> dict[str, dict[str, Any]]:
        """What the Brightway parameters of this parameter say about themselves, so that a user
        of Activity Browser sees meaning, unit and bounds and not only encoded names.

        Returns
        -------
        dict
            Encoded name (:meth:`brightway_names`) -> ``{"comment", "description", "unit",
            "minimum", "maximum", "pcf_parameter", "pcf_source"}``. ``comment`` is the text
            Activity Browser shows in its parameter tables; ``minimum`` and ``maximum`` are the
            allowed range (0 and 1 for indicators); no uncertainty distribution is implied.
        """
        source = f" Source: {self.source}." if self.source else ""
        base = {"pcf_parameter": self.name, "pcf_source": self.source}
        if self.type == "choice":
            choices = ", ".join(self.choices)
            return {indicator(self.name, c): {
                **base, "unit": "", "minimum": 0.0, "maximum": 1.0,
                "description": f"1 when {self.name} is {c!r}, else 0. {self.description}",
                "comment": (f"1 when {self.name} = {c}, else 0 (exactly one of {self.name}'s "
                            f"indicators is 1; choices: {choices}; default {self.default}). "
                            f"{self.description}.{source}")}
                for c in self.choices}
        name = formula_name(self.name)
        if self.type == "boolean":
            return {name: {**base, "unit": "", "minimum": 0.0, "maximum": 1.0,
                           "description": self.description,
                           "comment": f"1 = true, 0 = false (default {self.default}). "
                                      f"{self.description}.{source}"}}
        unit = self.unit or ""
        bounds = f"{self.min} to {self.max}" + (" or not given" if self.optional else "")
        default = "not given" if self.default is None else self.default
        out = {name: {**base, "unit": unit, "minimum": self.min, "maximum": self.max,
                      "description": self.description,
                      "comment": f"{self.description} [{unit or '-'}; {bounds}; default "
                                 f"{default}].{source}"}}
        if self.optional:
            out[f"{name}__given"] = {
                **base, "unit": "", "minimum": 0.0, "maximum": 1.0,
                "description": f"1 when {self.name} is given, else 0",
                "comment": f"1 when {self.name} is given, else 0 ({self.name} is then "
                           f"ignored).{source}"}
        return out

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form used in the Brightway project and by ``pcf products``."""
        return {
            "name": self.name, "type": self.type, "unit": self.unit, "default": self.default,
            "min": self.min, "max": self.max,
            "choices": list(self.choices) if self.type == "choice" else None,
            "choice_activities": dict(self.choices) if self.type == "choice" else None,
            "optional": self.optional, "description": self.description,
            "source": self.source, **({"meta": self.meta} if self.meta else {}),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ParameterSpec:
        """Inverse of :meth:`to_dict`."""
        choices = data.get("choice_activities") or {c: None for c in (data.get("choices") or [])}
        return cls(name=data["name"], type=data["type"], default=data.get("default"),
                   unit=data.get("unit") or "", min=data.get("min"), max=data.get("max"),
                   choices=dict(choices), optional=bool(data.get("optional")),
                   description=data.get("description") or "", source=data.get("source") or "",
                   meta=data.get("meta") or {})
