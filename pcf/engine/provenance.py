"""Where the numbers of a footprint come from: source, year and geography per contribution.

The one reader of exchange metadata in the Brightway project (beside the engine's matrices);
:func:`pcf.service.footprints.compute_footprint` with ``provenance=True`` attaches it to every
contribution, so that methodology (:mod:`pcf.accounting.data_quality`) and certificates
(:mod:`pcf.certificates`) work on the footprint alone.

Every first-tier contribution of a Footprint (``footprint["contributions"]``: one per exchange
leaving a product's foreground, to a background activity or to the biosphere) is matched to its
exchange in the Brightway project, which carries the metadata ``databases/`` requires for every
figure (``pcf_source``, ``pcf_year``, ``pcf_geography``, ``pcf_basis``, formula). For a
background input the metadata of the input activity's own exchanges (its emission figures)
and the sources of its whole upstream chain are attached as well.

Read-only: this module only reads the project ``pcf`` (after :func:`pcf.engine.get_engine`
has opened it); results are cached per database version. A background activity's carbon
content (``pcf_carbon_content``, written by ``pcf setup`` from ``databases/rules/``) travels
with its metadata.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from pcf.config import BACKGROUND_DB, PRODUCTS_DB

_CACHE: dict[tuple[str, str], ProductProvenance] = {}
_LOCK = threading.Lock()


@dataclass(frozen=True)
class ExchangeMeta:
    """Metadata of one foreground exchange leaving the product system.

    Attributes
    ----------
    kind : {"technosphere", "biosphere"}
    input_code : str
        Code of the background activity supplied, or of the elementary flow emitted.
    input_database : str
    source : str
        Source id (``databases/sources.yaml``) of the exchange amount.
    year : int or None
        Reference year of the exchange amount.
    geography : str or None
        Geography of the exchange amount.
    formula : str or None
        Brightway formula of the amount (parameterised exchanges).
    ef_years : tuple of int
        For a background input: years of the input activity's own exchanges (its emission
        figures); empty for a biosphere exchange.
    ef_geography : str or None
        For a background input: the input activity's geography (location).
    ef_sources : tuple of str
        For a background input: sources of the input activity's own exchanges.
    chain_sources : frozenset of (str, int or None)
        ``(source, year)`` of every exchange in the input's upstream chain (background inputs)
        or of the exchange itself (biosphere).
    carbon_content : dict or None
        For a background material that ends up in the product: ``{"kg_c_per_kg", "origin",
        "basis", "source"}`` (``databases/rules/carbon-content.yaml``); None otherwise.
    gwp : str or None
        For a biosphere exchange: its GWP basis (``gas`` or the GWP set of a figure given as
        CO2e, :data:`pcf.inventory.schema.GWP_BASES`); None for a technosphere input.
    gwp_split : tuple of (str, float)
        For a background input: its cumulative kg CO2e (IPCC 2021 GWP100, total) per unit of
        the input, split by the GWP basis of the figures it rests on (its own emissions and
        those of its whole upstream chain); empty for a biosphere exchange.
    """

    kind: str
    input_code: str
    input_database: str
    source: str
    year: int | None
    geography: str | None
    formula: str | None
    ef_years: tuple = ()
    ef_geography: str | None = None
    ef_sources: tuple = ()
    chain_sources: frozenset = field(default_factory=frozenset)
    carbon_content: dict | None = None
    gwp: str | None = None
    gwp_split: tuple = ()
    pedigree: tuple = ()
    """``(indicator, score)`` pairs of the exchange amount's pedigree (issue 17; empty when its
    uncertainty is not a pedigree one)."""
    ef_pedigree: tuple = ()
    """Technosphere inputs: ``(indicator, score)`` pairs of the background activity's own
    figures, each the mean of its exchanges' scores weighted by their share of its cumulative
    kg CO2e (:func:`_weighted_pedigree`); empty for a biosphere exchange."""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (lists for tuples and sets), as carried on a contribution."""
        return {
            "kind": self.kind, "input_code": self.input_code,
            "input_database": self.input_database, "source": self.source, "year": self.year,
            "geography": self.geography, "formula": self.formula,
            "ef_years": list(self.ef_years), "ef_geography": self.ef_geography,
            "ef_sources": list(self.ef_sources),
            "chain_sources": sorted([list(s) for s in self.chain_sources], key=str),
            "carbon_content": self.carbon_content, "gwp": self.gwp,
            "gwp_split": {basis: value for basis, value in self.gwp_split},
            "pedigree": dict(self.pedigree), "ef_pedigree": dict(self.ef_pedigree),
        }


@dataclass
class ProductProvenance:
    """Provenance of one product's first-tier contributions.

    Attributes
    ----------
    product_id : str
    location : str or None
        Location of the product's reference activity (its plant), e.g. ``"CN-HN"``.
    reference_years : tuple of int
        Years of the reference activity's own exchanges (the plant's activity data).
    rows : dict
        ``(input name, consumer activity name, kind, stage) -> [ExchangeMeta, ...]``.
    database_version : str
    carbon_content : dict or None
        Carbon content of the product itself (``pcf_carbon_content`` of its reference
        activity, from ``databases/rules/carbon-content.yaml``), when it is a carbon-bearing
        material such as graphite.
    """

    product_id: str
    location: str | None
    reference_years: tuple
    rows: dict
    database_version: str
    carbon_content: dict | None = None

    def lookup(self, contribution: dict[str, Any]) -> list[ExchangeMeta]:
        """Return the exchange metadata of a Footprint contribution (empty if unknown)."""
        key = (contribution.get("input"), contribution.get("activity"),
               contribution.get("kind"), contribution.get("stage"))
        return self.rows.get(key, [])


def _flow_id(key) -> Any:
    """A characterization row's flow as bw2data stores it (an id; older keys as tuples)."""
    return key[0] if isinstance(key, (list, tuple)) and len(key) == 1 else key


def _int_or_none(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _weighted_pedigree(weighted: list[tuple[float, dict | None]]) -> tuple:
    """Mean pedigree score per indicator, weighted by ``|kg CO2e|``, of the figures that have
    one; ``()`` when none has (e.g. only exact stoichiometric figures)."""
    rated = [(w, p) for w, p in weighted if p]
    total = sum(w for w, _ in rated)
    if not rated or total <= 0:
        return ()
    keys = sorted(rated[0][1])
    return tuple((k, sum(w * p[k] for w, p in rated) / total) for k in keys)


def product_provenance(product_id: str, version: str,
                       suppliers: dict[str, str] | None = None) -> ProductProvenance:
    """Return the (cached) provenance of ``product_id`` in the current project.

    Parameters
    ----------
    product_id : str
        A product of the project (the caller checks it exists).
    version : str
        Database version of the open project (cache key).
    suppliers : dict[str, str], optional
        Supplier products the product uses -> the stage their rows are reported at (the
        supplier's activities are part of the product's foreground).
    """
    key = (version, product_id)
    cached = _CACHE.get(key)
    if cached is not None:
        return cached
    with _LOCK:
        if key not in _CACHE:
            _CACHE[key] = _build(product_id, version, dict(suppliers or {}))
        return _CACHE[key]


def _build(product_id: str, version: str, suppliers: dict[str, str]) -> ProductProvenance:
    from pcf.bw import bw2data
    from pcf.config import PROJECT_NAME
    from pcf.inventory.methods import METHODS

    bd = bw2data()
    if bd.projects.current != PROJECT_NAME:
        bd.projects.set_current(PROJECT_NAME)
    chain_cache: dict[tuple, frozenset] = {}
    direct_cache: dict[tuple, tuple] = {}
    split_cache: dict[tuple, dict[str, float]] = {}
    factors = {_flow_id(k): float(v) for k, v in bd.Method(METHODS["total"]).load()}

    def split(node, seen=None) -> dict[str, float]:
        """kg CO2e per unit of a background activity by GWP basis (recursive, cached)."""
        k = node.key
        if k in split_cache:
            return split_cache[k]
        seen = set() if seen is None else seen
        if k in seen:               # the background has no cycles; guard anyway
            return {}
        seen.add(k)
        out: dict[str, float] = {}
        for ex in node.exchanges():
            if ex["type"] == "biosphere":
                value = float(ex["amount"]) * factors.get(ex.input.id, 0.0)
                basis = ex.get("pcf_gwp") or "unstated"
            elif ex["type"] == "technosphere" and ex.input["database"] == BACKGROUND_DB:
                for basis, value in split(ex.input, seen).items():
                    out[basis] = out.get(basis, 0.0) + float(ex["amount"]) * value
                continue
            else:
                continue
            if value:
                out[basis] = out.get(basis, 0.0) + value
        split_cache[k] = out
        return out

    def direct(node) -> tuple:
        k = node.key
        if k not in direct_cache:
            own = [ex for ex in node.exchanges() if ex["type"] != "production"]
            years = tuple(sorted({y for ex in own
                                  if (y := _int_or_none(ex.get("pcf_year"))) is not None}))
            sources = tuple(sorted({ex.get("pcf_source") for ex in own if ex.get("pcf_source")}))
            direct_cache[k] = (years, node.get("location"), sources)
        return direct_cache[k]

    pedigree_cache: dict[tuple, tuple] = {}

    def ef_pedigree(node) -> tuple:
        k = node.key
        if k not in pedigree_cache:
            weighted = []
            for ex in node.exchanges():
                if ex["type"] == "biosphere":
                    weight = float(ex["amount"]) * factors.get(ex.input.id, 0.0)
                elif ex["type"] == "technosphere" and ex.input["database"] == BACKGROUND_DB:
                    weight = float(ex["amount"]) * sum(split(ex.input).values())
                else:
                    continue
                weighted.append((abs(weight), (ex.get("pcf_uncertainty") or {}).get("pedigree")))
            pedigree_cache[k] = _weighted_pedigree(weighted)
        return pedigree_cache[k]

    def chain(node, seen=None) -> frozenset:
        k = node.key
        if k in chain_cache:
            return chain_cache[k]
        seen = set() if seen is None else seen
        if k in seen:
            return frozenset()
        seen.add(k)
        out = set()
        for ex in node.exchanges():
            if ex["type"] == "production":
                continue
            out.add((ex.get("pcf_source"), _int_or_none(ex.get("pcf_year"))))
            if ex["type"] == "technosphere" and ex.input["database"] == BACKGROUND_DB:
                out |= chain(ex.input, seen)
        result = frozenset(s for s in out if s[0])
        chain_cache[k] = result
        return result

    rows: dict[tuple, list[ExchangeMeta]] = {}
    location = None
    reference_years: tuple = ()
    own_carbon = None
    for node in sorted(bd.Database(PRODUCTS_DB), key=lambda n: n["code"]):  # stable order
        member = node.get("pcf_product")
        if member != product_id and member not in suppliers:
            continue
        if node["code"] == product_id:
            location = node.get("location")
            own_carbon = node.get("pcf_carbon_content")
            reference_years = tuple(sorted({
                y for ex in node.exchanges() if ex["type"] != "production"
                if (y := _int_or_none(ex.get("pcf_year"))) is not None}))
        for ex in node.exchanges():
            kind = ex["type"]
            if kind == "production":
                continue
            inp = ex.input
            if kind == "technosphere" and inp["database"] == PRODUCTS_DB:
                continue  # inside the foreground (own activities or a supplier's)
            source = ex.get("pcf_source") or ""
            year = _int_or_none(ex.get("pcf_year"))
            if kind == "technosphere":
                ef_years, ef_geo, ef_sources = direct(inp)
                chain_sources = chain(inp)
                gwp, gwp_split = None, tuple(sorted(split(inp).items()))
                input_pedigree = ef_pedigree(inp)
            else:
                ef_years, ef_geo, ef_sources = (), None, ()
                chain_sources = frozenset({(source, year)}) if source else frozenset()
                gwp, gwp_split = ex.get("pcf_gwp") or "unstated", ()
                input_pedigree = ()
            meta = ExchangeMeta(
                kind=kind, input_code=inp["code"], input_database=inp["database"],
                source=source, year=year, geography=ex.get("pcf_geography"),
                formula=ex.get("formula"), ef_years=ef_years, ef_geography=ef_geo,
                ef_sources=ef_sources, chain_sources=chain_sources,
                carbon_content=inp.get("pcf_carbon_content") if kind == "technosphere"
                else None, gwp=gwp, gwp_split=gwp_split,
                pedigree=tuple(sorted(((ex.get("pcf_uncertainty") or {}).get("pedigree")
                                       or {}).items())),
                ef_pedigree=input_pedigree)
            stage = suppliers[member] if member in suppliers else \
                ex.get("pcf_stage") or node.get("pcf_stage")
            label = (inp["name"], node["name"], kind, stage)
            rows.setdefault(label, []).append(meta)
    return ProductProvenance(product_id=product_id, location=location,
                             reference_years=reference_years, rows=rows,
                             database_version=version, carbon_content=own_carbon)


def preload(version: str, provenance: dict[str, ProductProvenance]) -> None:
    """Put provenance read earlier (:mod:`pcf.engine.cache`) into the cache of database
    ``version``, so :func:`product_provenance` does not read the project."""
    with _LOCK:
        for product_id, entry in provenance.items():
            _CACHE[(version, product_id)] = entry
