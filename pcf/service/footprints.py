"""Use case: the product catalogue and one product's Footprint (DESIGN.md, "Footprint").

The functions return plain JSON-ready dicts in the shapes of ``DESIGN.md`` and raise
:class:`pcf.errors.PcfError` subclasses for bad input. The CLI (``pcf products``,
``pcf footprint``) and the API (``GET /v1/products``, ``POST /v1/footprints``) both call them.
"""

from __future__ import annotations

import math
import threading
from typing import Any

from pcf.accounting.data_quality import contribution_scores, pedigree_dqi, primary_data
from pcf.accounting.electricity import electricity_accounting
from pcf.accounting.gwp_basis import basis_shares, gwp_basis_mix, gwp_basis_mix_of
from pcf.engine import get_engine
from pcf.errors import InvalidInput, UnknownProduct
from pcf.inventory.methods import METHODS
from pcf.models import ProductModel
from pcf.supplier_inputs import INPUTS, replacement

BOUNDARY = "cradle-to-gate"
METHOD = {
    "name": "IPCC 2021 GWP100 (AR6)",
    "ids": {part: list(ident) for part, ident in METHODS.items()},
    "characterization_factors": "bw2io 0.9.17 bundled lcia_39_ecoinvent.zip (IPCC AR6 WGI "
                                "Table 7.SM.7)",
    "unit": "kg CO2e",
}

_MODELS: dict[str, ProductModel] = {}
_MODELS_VERSION: str | None = None
_LOCK = threading.Lock()


def _models() -> dict[str, ProductModel]:
    global _MODELS_VERSION, _MODELS
    engine = get_engine()
    if _MODELS_VERSION != engine.version:
        with _LOCK:
            _MODELS = {pid: ProductModel(system.definition)
                       for pid, system in sorted(engine.products.items())}
            _MODELS_VERSION = engine.version
    return _MODELS


def model(product_id: str) -> ProductModel:
    """Return the :class:`ProductModel` of ``product_id``.

    Raises
    ------
    UnknownResource
        Naming field ``product`` and the product ids available.
    """
    models = _models()
    if not isinstance(product_id, str) or product_id not in models:
        raise UnknownProduct(f"unknown product {product_id!r}", field="product",
                            allowed=sorted(models))
    return models[product_id]


def database_info() -> dict[str, Any]:
    """Return ``{"version", "built_at"}`` of the Brightway project in use."""
    engine = get_engine()
    return {"version": engine.version, "built_at": engine.stamp.get("built_at")}


def list_products() -> list[dict]:
    """Return every product's description (see :meth:`ProductModel.describe`)."""
    return [m.describe() for m in _models().values()]


def catalogue() -> list[dict]:
    """Every product's description, like :func:`list_products`, without starting the engine
    when the built project is up to date: the product definitions written into the build
    stamp by ``pcf setup`` are described directly (``pcf products`` answers in well under a
    second). Builds the project first when it is missing or stale.

    Raises
    ------
    InventoryInvalid
        ``databases/`` does not validate (only when a build is needed).
    """
    from pcf.inventory.stamp import quick_freshness, read_stamp

    stamp = read_stamp()
    if _MODELS_VERSION is None and stamp and stamp.get("definitions"):
        fresh = quick_freshness()
        if fresh is None:
            from pcf.inventory.build import is_fresh

            fresh = is_fresh()
        if fresh:
            return [ProductModel(d).describe() for _, d in sorted(stamp["definitions"].items())]
    from pcf.inventory.build import ensure_built

    ensure_built()
    return list_products()


def get_product(product_id: str) -> dict:
    """Return one product's description. Raises UnknownResource for an unknown id."""
    return model(product_id).describe()


def compute_footprint(product: str, variant: str | None = None,
                      parameters: dict | None = None, quantity: Any = None,
                      unit: str | None = None, contributions: bool = True,
                      provenance: bool = False,
                      recycled_content_method: str = "cut-off",
                      uncertainty: dict | None = None) -> dict:
    """Compute a Footprint (DESIGN.md, "Footprint").

    Parameters
    ----------
    product : str
        Product id, e.g. ``"aluminium-coil"``.
    variant : str, optional
        Named parameter set, e.g. ``"recycled"``; ``parameters`` override it.
    parameters : dict, optional
        Parameter name -> value.
    quantity : float, optional
        Quantity of product (default 1 declared unit); finite and > 0.
    unit : str, optional
        Unit of ``quantity`` (default the declared unit); must convert to it (t -> kg,
        MWh -> kWh).
    contributions : bool
        Include the contribution list (bulk scoring may skip it).
    provenance : bool
        Attach to each contribution ``"provenance"``: the metadata of its exchanges (source,
        year, geography, formula, the input's own years and sources, its upstream chain's
        sources, carbon content; :class:`pcf.engine.provenance.ExchangeMeta`), and to the
        footprint ``"site"``: ``{"location", "reference_years", "carbon_content"}`` of the
        product's reference activity, and ``"linked_products"``: ``[{"product", "amount",
        "unit", "carbon_content"}]``, the products it uses as linked sub-systems (amount in
        their declared unit per declared unit of this one), and the ``carbon_content`` of each
        ``supplier_specific_inputs`` item. Certificates and data-quality ratings work from
        these.
    recycled_content_method : {"cut-off", "cff"}
        The recycled-content rule (issue 20): ``cut-off`` (the model's own, default) or the EU
        PEF Circular Footprint Formula (:func:`pcf.service.cff.apply_cff`: the result carries
        ``recycled_content_method: "cff"`` and a ``cff`` block).

        With contributions (with or without ``provenance``) the footprint also has
        ``"gwp_basis"``: the share of its total characterized with IPCC AR6 and the share
        resting on CO2e figures on other GWP sets (:func:`pcf.accounting.gwp_basis.
        gwp_basis_mix`), and ``method["label"]`` says so.
    uncertainty : dict, optional
        ``{"draws": N, "seed": S}``: add ``"uncertainty"``, the Monte Carlo statistics of the
        total, GWP parts and stages (:func:`pcf.service.uncertainty.describe`); N from 1 to
        100,000, S >= 0 (default 0).

    Returns
    -------
    dict
        The Footprint: ``per_declared_unit`` and ``total`` in kg CO2e (total, fossil,
        biogenic, land_use), ``stages``, ``contributions`` (kg CO2e per declared unit),
        resolved ``parameters``, ``database.version`` and the method labels. A contribution
        whose amount is a supplier-specific footprint parameter is marked
        ``"supplier_specific": true`` with ``"supplier_parameter"``; ``primary_data`` (with
        contributions) is :func:`pcf.accounting.data_quality.primary_data`;
        ``supplier_specific_inputs`` (when a replaceable input of :mod:`pcf.supplier_inputs`
        is covered) lists ``{"input", "kg_per_declared_unit", "unit", "parameter",
        "share_parameter"}``: the kilograms per declared unit that take a supplier's figure.

    Raises
    ------
    UnknownResource
        Unknown product.
    InvalidInput
        Unknown variant or parameter, invalid value, bad quantity or unit, bad
        ``uncertainty`` (field ``uncertainty.draws`` / ``uncertainty.seed``), or
        ``uncertainty`` with ``recycled_content_method`` cff (field ``uncertainty``).
    """
    from pcf.units import MAX_QUANTITY, check_quantity, conversion_factor  # pint: load on use

    mc = None
    if uncertainty is not None:
        from pcf.service import uncertainty as mc_service

        mc = mc_service.parse_request(uncertainty)

    product_model = model(product)
    if recycled_content_method != "cut-off":
        from pcf.service.cff import check_method

        check_method(recycled_content_method)
        if mc is not None:
            # The Monte Carlo draws the cut-off model; the CFF's adjustment is not drawn.
            raise InvalidInput("uncertainty is available with recycled_content_method "
                               "cut-off only", field="uncertainty", allowed=["cut-off"])
    settings = product_model.resolve(variant, parameters)
    declared = product_model.declared_unit
    if quantity is None:
        quantity_value, quantity_unit = 1.0, unit or declared
    else:
        quantity_value, quantity_unit = check_quantity(quantity), unit or declared
    if not isinstance(quantity_unit, str):
        raise InvalidInput("unit must be a string", field="unit", allowed=f"units of {declared}")
    factor = conversion_factor(quantity_unit, declared, field="unit")
    declared_units = quantity_value * factor
    if not math.isfinite(declared_units) or declared_units > MAX_QUANTITY * 1e3:
        raise InvalidInput(f"{quantity_value:g} {quantity_unit} is too large", field="quantity",
                         allowed=f"at most {MAX_QUANTITY:g} {declared} (after conversion)")
    system = get_engine().system(product)
    result = system.evaluate(settings.encoded, contributions=contributions)
    per_unit = result.per_declared_unit
    footprint: dict[str, Any] = {
        "product": product,
        "variant": settings.variant,
        "parameters": settings.values,
        "declared_unit": declared,
        "quantity": quantity_value,
        "quantity_unit": quantity_unit,
        "quantity_in_declared_unit": declared_units,
        "per_declared_unit": dict(per_unit),
        "total": {k: v * declared_units for k, v in per_unit.items()},
        "stages": [{"stage": s, "kg_co2e_per_declared_unit": v}
                   for s, v in result.stages.items()],
        "contributions": [_contribution(c) for c in result.contributions],
        "method": METHOD,
        "database": database_info(),
        "boundary": BOUNDARY,
        "recycled_content_method": product_model.recycled_content_method,
        "electricity_accounting": electricity_accounting(settings.values),
        "warnings": list(result.notes),
    }
    covered = []
    for input_id, kg in result.supplier_specific.items():
        place = replacement(product, input_id)
        if kg > 0.0 and place is not None:
            covered.append({"input": input_id, "kg_per_declared_unit": kg, "unit": "kg",
                            "parameter": place.footprint, "share_parameter": place.share})
    if covered:
        footprint["supplier_specific_inputs"] = covered
    if contributions:
        footprint["primary_data"] = primary_data(footprint,
                                                 product_model.parameter_descriptions())
        if provenance:
            prov = get_engine().provenance(product)
            for item in footprint["contributions"]:
                item["provenance"] = [m.to_dict() for m in prov.lookup(item)]
            footprint["site"] = {"location": prov.location,
                                 "reference_years": list(prov.reference_years),
                                 "carbon_content": prov.carbon_content}
            engine = get_engine()
            footprint["linked_products"] = [
                {"product": sid, "amount": amount,
                 "unit": engine.system(sid).definition["declared_unit"],
                 "carbon_content": engine.provenance(sid).carbon_content}
                for sid, amount in sorted(result.linked.items())]
            for item in covered:
                model_product = INPUTS[item["input"]].model_product
                item["carbon_content"] = (engine.provenance(model_product).carbon_content
                                          if model_product in engine.products else None)
            footprint["gwp_basis"] = gwp_basis_mix(footprint)
            footprint["dqi"] = pedigree_dqi(footprint)
        else:
            # the same ratings from per-row rules computed once per product (issue 21)
            table = _rating_rows(product)
            rows = [table.get((c["input"], c["activity"], c["kind"], c["stage"]), _UNRATED)
                    for c in footprint["contributions"]]
            footprint["gwp_basis"] = gwp_basis_mix_of(footprint["contributions"],
                                                      [shares for shares, _ in rows])
            footprint["dqi"] = pedigree_dqi(footprint, [scores for _, scores in rows])
        footprint["method"] = {**METHOD, "label": footprint["gwp_basis"]["label"]}
    if recycled_content_method == "cff":
        from pcf.service.cff import apply_cff

        footprint = apply_cff(footprint, settings.encoded)
    if mc is not None:
        footprint["uncertainty"] = mc_service.describe(
            mc_service.draws_of(product, settings.encoded, *mc), declared_units)
    return footprint


def traced_contributions(product: str, contributions: list[dict[str, Any]]) -> list[dict]:
    """Copies of ``contributions`` with the light provenance the ratings need.

    Each row gets ``"provenance": [{"gwp", "gwp_split", "pedigree", "ef_pedigree"}]`` of its
    exchanges (:meth:`pcf.engine.provenance.ProductProvenance.lookup`, by input, activity, kind
    and stage), enough for :func:`pcf.accounting.gwp_basis.gwp_basis_mix` and
    :func:`pcf.accounting.data_quality.pedigree_dqi`.
    """
    prov = get_engine().provenance(product)
    return [{**item, "provenance": [_light_meta(m) for m in prov.lookup(item)]}
            for item in contributions]


def _light_meta(meta) -> dict[str, Any]:
    """What the ratings read of an :class:`~pcf.engine.provenance.ExchangeMeta`."""
    return {"gwp": meta.gwp, "gwp_split": dict(meta.gwp_split), "pedigree": dict(meta.pedigree),
            "ef_pedigree": dict(meta.ef_pedigree)}


_UNRATED: tuple = (basis_shares({}), None)
"""Ratings of a contribution row without provenance: all ``unstated``, no pedigree."""
_RATINGS: dict[str, tuple[Any, dict[tuple, tuple]]] = {}
_RATINGS_LOCK = threading.Lock()


def _rating_rows(product: str) -> dict[tuple, tuple]:
    """``(input, activity, kind, stage) -> (basis_shares, contribution_scores)`` of every
    contribution row of ``product`` (:func:`pcf.accounting.gwp_basis.basis_shares`,
    :func:`pcf.accounting.data_quality.contribution_scores` of the row as
    :func:`traced_contributions` traces it).

    Both depend only on the row's provenance, not on the parameter set, so they are computed
    once per product and provenance (rebuilt with the engine) instead of per footprint; the
    ratings are the same floats, summed in the same order.
    """
    prov = get_engine().provenance(product)
    cached = _RATINGS.get(product)
    if cached is not None and cached[0] is prov:
        return cached[1]
    with _RATINGS_LOCK:
        table = {}
        for key, found in prov.rows.items():
            row = {"kind": key[2], "provenance": [_light_meta(m) for m in found]}
            table[key] = (basis_shares(row), contribution_scores(row))
        _RATINGS[product] = (prov, table)
    return table


def _contribution(c) -> dict[str, Any]:
    item = {"input": c.input, "activity": c.activity, "kind": c.kind, "stage": c.stage,
            "amount": c.amount, "unit": c.unit, "kg_co2e_per_declared_unit": c.kg_co2e["total"]}
    if c.supplier_parameter:
        item["supplier_specific"] = True
        item["supplier_parameter"] = c.supplier_parameter
    return item
