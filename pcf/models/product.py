"""A product model: its definition (parameters, variants, stages) over a compiled system.

The definition is read from the Brightway project (the reference activity's
``pcf_product_definition``), never from ``databases/``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pcf.errors import InvalidParameter
from pcf.paramspec import ParameterSpec


@dataclass(frozen=True)
class Settings:
    """Resolved settings of one calculation.

    Attributes
    ----------
    variant : str or None
    values : dict[str, Any]
        Every user parameter, canonical (floats, bools, choice names, None).
    encoded : dict[str, float]
        The numeric Brightway parameters (see :mod:`pcf.paramspec`).
    """

    variant: str | None
    values: dict
    encoded: dict


class ProductModel:
    """Definition of one product and the resolution of variants and parameters.

    Parameters
    ----------
    definition : dict
        ``pcf_product_definition`` from the Brightway project (see
        :meth:`pcf.inventory.loader.Product.to_dict`).
    """

    def __init__(self, definition: dict):
        self.definition = definition
        self.id: str = definition["id"]
        self.declared_unit: str = definition["declared_unit"]
        self.stages: list[str] = list(definition["stages"])
        self.recycled_content_method: str = definition.get("recycled_content_method", "cut-off")
        self.specs: dict[str, ParameterSpec] = {
            p["name"]: ParameterSpec.from_dict(p) for p in definition["parameters"]}
        self.variants: dict[str, dict] = dict(definition.get("variants") or {})

    def resolve(self, variant: str | None = None, parameters: dict | None = None) -> Settings:
        """Apply defaults, then the variant's values, then ``parameters``.

        Parameters
        ----------
        variant : str, optional
            One of :attr:`variants`.
        parameters : dict, optional
            Parameter name -> value; strings are accepted for every type.

        Returns
        -------
        Settings

        Raises
        ------
        InvalidInput
            Unknown variant (field ``variant``), unknown parameter (field
            ``parameters.<name>``) or invalid value, each with the allowed values.
        """
        if parameters is not None and not isinstance(parameters, dict):
            raise InvalidParameter("parameters must be an object of name -> value",
                             field="parameters", allowed=sorted(self.specs))
        if variant is not None and not isinstance(variant, str):
            raise InvalidParameter("variant must be a string", field="variant",
                             allowed=sorted(self.variants))
        if variant is not None and variant not in self.variants:
            raise InvalidParameter(f"product {self.id!r} has no variant {variant!r}",
                             field="variant", allowed=sorted(self.variants))
        base_values, base_encoded = self._variant_base(variant)
        values = dict(base_values)
        for name, value in (parameters or {}).items():
            spec = self.specs.get(name)
            if spec is None:
                raise InvalidParameter(f"product {self.id!r} has no parameter {name!r}",
                                 field=f"parameters.{name}", allowed=sorted(self.specs))
            values[name] = spec.coerce(value)
        # every parameter encodes to the same names whatever its value, so the variant's
        # encoding with the given parameters re-encoded is the encoding of ``values``, keys
        # in the same order
        encoded = dict(base_encoded)
        for name in parameters or {}:
            encoded.update(self.specs[name].encode(values[name]))
        return Settings(variant=variant, values=values, encoded=encoded)

    def _variant_base(self, variant: str | None) -> tuple[dict, dict]:
        """``(values, encoded)`` of the defaults with ``variant``'s values applied, built once
        per variant (issue 21: they do not depend on the request's parameters). Callers
        copy them before changing anything.

        Raises
        ------
        InvalidInput
            A variant value its parameter refuses (then nothing is kept).
        """
        bases = self.__dict__.setdefault("_variant_bases", {})
        cached = bases.get(variant)
        if cached is None:
            values = {name: spec.default for name, spec in self.specs.items()}
            if variant is not None:
                for name, value in self.variants[variant].items():
                    values[name] = self.specs[name].coerce(value)
            encoded: dict[str, float] = {}
            for name, spec in self.specs.items():
                encoded.update(spec.encode(values[name]))
            cached = bases[variant] = (values, encoded)
        return cached

    def _parameter_entries(self) -> list[dict[str, Any]]:
        params = []
        for spec in self.specs.values():
            entry = spec.to_dict()
            entry.pop("choice_activities", None)
            entry.pop("meta", None)
            params.append(entry)
        return params

    def parameter_descriptions(self) -> tuple[dict[str, Any], ...]:
        """The ``parameters`` of :meth:`describe`, built once per model and shared: read
        them, do not change them (the footprint's primary-data rating reads them on every
        request; issue 21)."""
        cached = self.__dict__.get("_described_parameters")
        if cached is None:
            cached = self.__dict__["_described_parameters"] = tuple(self._parameter_entries())
        return cached

    def describe(self) -> dict[str, Any]:
        """Public description: id, name, declared_unit, description, stages, parameters
        (name, type, unit, default, min, max, choices, optional, description, source) and
        variants."""
        params = self._parameter_entries()
        return {
            "id": self.id, "name": self.definition["name"],
            "declared_unit": self.declared_unit,
            "description": self.definition.get("description", ""),
            "stages": list(self.stages),
            "recycled_content_method": self.recycled_content_method,
            "parameters": params, "variants": dict(self.variants),
        }
