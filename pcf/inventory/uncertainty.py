"""Uncertainty of every figure in ``databases/`` (``databases/uncertainty.yaml``, issue 17).

Each exchange and each number-parameter default resolves to one :class:`Uncertainty`:

1. a distribution its source gives (``exchanges:`` / ``parameters:`` in the file), else
2. its source's entry: ``distribution: none`` (exact by construction), or pedigree scores
   (reliability, completeness, further technological correlation) completed by a temporal
   score from the figure's ``year`` against ``reference_year`` and a geographical score from
   the figure's ``geography`` against the location of the activity that uses it. The lognormal
   then has ``sigma**2 = basic variance + sum of the pedigree variances`` (variances of ln x),
   the ecoinvent v3 data-quality guideline's rule (Weidema et al. 2013; the tables are in the
   file, source ``ecoinvent-dq-guideline-2013`` in ``sources.yaml``).

A setting parameter (``settings:``, choice and boolean parameters) has no uncertainty: it is
what the user chooses. Distributions are kept *relative to the figure* (a lognormal's sigma, a
normal's relative standard deviation, bounds as ratios) so that a formula exchange keeps its
uncertainty at any parameter values; :func:`brightway_fields` turns one into the absolute
Brightway/stats_arrays fields for the amount written at the default parameters.
"""

from __future__ import annotations

import fnmatch
import functools
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pcf.inventory.yamlio import YAMLError, describe, load_yaml, plain

FILE = "uncertainty.yaml"
PEDIGREE = ("reliability", "completeness", "temporal", "geographical", "technological")
"""The five pedigree indicators, in the order of the ecoinvent v3 pedigree matrix."""
DISTRIBUTIONS = ("lognormal", "normal", "uniform", "triangular", "none")
BW_TYPES = {"none": 1, "lognormal": 2, "normal": 3, "uniform": 4, "triangular": 5}
"""stats_arrays uncertainty type ids (0 undefined, 1 no uncertainty, 2 lognormal, ...)."""
GLOBAL = ("GLO", "RoW", "World")


@dataclass(frozen=True)
class Uncertainty:
    """The uncertainty of one figure, relative to the figure's value.

    Attributes
    ----------
    distribution : {"lognormal", "normal", "uniform", "triangular", "none"}
    sigma : float
        lognormal: standard deviation of ln(x) (GSD = exp(sigma)); normal: standard deviation
        divided by the figure (relative); 0 otherwise.
    low, mode, high : float
        uniform / triangular: bounds and mode divided by the figure (1 = the figure).
    pedigree : dict[str, int]
        The five scores (1..5) when the distribution comes from the pedigree, else empty.
    basic_variance : float
        The basic variance of ln(x) used (pedigree only).
    origin : str
        Where it comes from: ``pedigree of <source>``, ``<source> gives <distribution>``,
        ``setting``, ``<source>: exact (...)``.
    """

    distribution: str
    sigma: float = 0.0
    low: float = 1.0
    mode: float = 1.0
    high: float = 1.0
    pedigree: dict = field(default_factory=dict)
    basic_variance: float = 0.0
    origin: str = ""

    @property
    def gsd(self) -> float | None:
        """Geometric standard deviation exp(sigma) of a lognormal, else None."""
        return math.exp(self.sigma) if self.distribution == "lognormal" else None

    def to_dict(self) -> dict[str, Any]:
        """JSON form stored on the Brightway exchange as ``pcf_uncertainty``."""
        out: dict[str, Any] = {"distribution": self.distribution, "origin": self.origin}
        if self.distribution in ("lognormal", "normal"):
            out["sigma"] = self.sigma
        if self.distribution == "lognormal":
            out["gsd"] = math.exp(self.sigma)
        if self.distribution in ("uniform", "triangular"):
            out.update(low=self.low, high=self.high)
        if self.distribution == "triangular":
            out["mode"] = self.mode
        if self.pedigree:
            out["pedigree"] = dict(self.pedigree)
            out["basic_variance"] = self.basic_variance
        return out


def brightway_fields(u: Uncertainty, amount: float, minimum: float | None = None,
                     maximum: float | None = None) -> dict[str, Any]:
    """The Brightway uncertainty fields of a figure ``amount`` (stats_arrays conventions).

    For a lognormal ``loc = ln|amount|``, ``scale = sigma``, ``negative = amount < 0`` (the
    conversion of ecoinvent processing, shared/reference/methods.md section 6.2). A figure of
    0 cannot carry a lognormal in Brightway (ln 0): it is written as type 0 (undefined), pcf
    keeps the relative description in ``pcf_uncertainty``. ``minimum``/``maximum`` (a
    parameter's range) are written for bounded parameters. A lognormal's ``loc`` is for the
    amount at the default parameters: bw2data does not move it when a Brightway user changes
    parameters (pcf's own Monte Carlo scales with the amount).

    Returns
    -------
    dict
        ``{"uncertainty type", "loc", "scale", "negative", "minimum", "maximum"}`` (as apply).
    """
    kind = u.distribution
    # no loc for types 0 and 1: bw2data then takes the amount, which stays right when a
    # Brightway user changes the parameters (a stale loc would make bw2data warn)
    if kind == "none":
        return {"uncertainty type": 1}
    if amount == 0.0:
        return {"uncertainty type": 0}
    out: dict[str, Any] = {"uncertainty type": BW_TYPES[kind]}
    if kind == "lognormal":
        out.update(loc=math.log(abs(amount)), scale=u.sigma, negative=amount < 0)
    elif kind == "normal":
        out.update(loc=amount, scale=abs(amount) * u.sigma, negative=amount < 0)
    else:
        lo, hi = sorted((amount * u.low, amount * u.high))
        out.update(minimum=lo, maximum=hi, loc=amount * (u.mode if kind == "triangular" else 1),
                   negative=amount < 0)
    if minimum is not None and maximum is not None and kind == "lognormal":
        out.update(minimum=minimum, maximum=maximum)
    return out


def pedigree_sigma(scores: dict[str, int], basic_variance: float,
                   variances: dict[str, list[float]]) -> float:
    """sigma of ln(x) = sqrt(basic variance + sum of the pedigree variances of ``scores``).

    Parameters
    ----------
    scores : dict[str, int]
        Indicator (:data:`PEDIGREE`) -> score 1..5.
    basic_variance : float
        Basic uncertainty, variance of ln(x).
    variances : dict[str, list of 5 float]
        The added variance per score of each indicator (ecoinvent v3 guideline table).
    """
    return math.sqrt(basic_variance + sum(variances[k][s - 1] for k, s in scores.items()))


def temporal_score(year: int, reference_year: int, below: list[int]) -> int:
    """Temporal correlation score: 1 + the number of thresholds ``|year - reference_year|`` is
    not below (``below = [3, 6, 10, 15]``: under 3 years -> 1, ..., 15 or more -> 5)."""
    age = abs(reference_year - year)
    return 1 + sum(age >= limit for limit in below)


@functools.lru_cache(maxsize=4)
def temporal_thresholds(root: Path | None = None) -> tuple[int, ...]:
    """``temporal.below`` of ``databases/uncertainty.yaml`` (years; ``(3, 6, 10, 15)`` today):
    the one table of the pedigree temporal score, for :func:`temporal_score` here and for
    :func:`pcf.accounting.data_quality.temporal_score` (PACT ``temporalDQR``). Read once per
    process and folder.

    Raises
    ------
    InventoryInvalid
        The file cannot be read or does not list 4 thresholds (``pcf setup`` refuses such a
        file with its line first).
    """
    from pcf.config import databases_dir
    from pcf.errors import InventoryInvalid

    rules = UncertaintyRules.read(root or databases_dir())
    if len(rules.temporal_below) != 4:
        raise InventoryInvalid("; ".join(rules.problems()) or
                               f"databases/{FILE}: temporal.below must list 4 year thresholds")
    return tuple(int(limit) for limit in rules.temporal_below)


def geographical_score(figure: str, location: str, rules: dict[str, int]) -> int:
    """Geographical correlation score of a figure for ``figure`` used at ``location``.

    Equal -> ``same``; the figure's area includes the location (``CN`` for ``CN-EAST``, a
    global figure anywhere) -> ``larger_area``; the figure is for a part of the location's
    area (``CN-JX`` for ``CN``), or a global activity -> ``part_of_area``; a compound of
    countries such as ``AU-CN`` (mined in AU, refined in CN) covers each of them; else
    ``other``.
    """
    if figure == location:
        return rules["same"]
    if figure in GLOBAL:
        return rules["larger_area"]
    if location.startswith(figure + "-"):
        return rules["larger_area"]
    if figure.startswith(location + "-") or location in GLOBAL:
        return rules["part_of_area"]
    if location in figure.split("-"):  # a compound of countries (AU-CN) covers each
        return rules["larger_area"]
    return rules["other"]


class UncertaintyRules:
    """``databases/uncertainty.yaml``, read and checked.

    Raises nothing itself: :meth:`problems` lists what is wrong as ``file:line: message``.
    """

    def __init__(self, data: dict, name: str = f"databases/{FILE}"):
        self.name = name
        self.data = data
        self._problems: list[str] = []
        self.reference_year = data.get("reference_year")
        self.variances = data.get("pedigree_variances") or {}
        self.temporal_below = (data.get("temporal") or {}).get("below") or []
        self.geographical = data.get("geographical") or {}
        self.basic = data.get("basic_variances") or {}
        self.flow_classes = data.get("flow_classes") or {}
        self.parameter_variance = data.get("parameter_variance")
        self.settings = list(data.get("settings") or [])
        self.sources = data.get("sources") or {}
        self.exchange_overrides = list(data.get("exchanges") or [])
        self.parameter_overrides = data.get("parameters") or {}
        self._check_tables()

    @classmethod
    def read(cls, root: Path) -> UncertaintyRules:
        """Read ``root/uncertainty.yaml`` (a missing or unreadable file gives a problem)."""
        path = Path(root) / FILE
        try:
            data = plain(load_yaml(path))
        except (OSError, YAMLError) as exc:
            rules = cls({})
            text = describe(exc) if isinstance(exc, YAMLError) else str(exc)
            rules._problems = [f"databases/{FILE}: cannot read: {text} (every figure needs an "
                               "uncertainty: see databases/README.md, 'Uncertainty')"]
            return rules
        return cls(data if isinstance(data, dict) else {})

    def problems(self) -> list[str]:
        """Problems found so far (tables, then every :meth:`exchange`/:meth:`parameter`)."""
        return list(self._problems)

    def _add(self, message: str) -> None:
        self._problems.append(f"{self.name}: {message}")

    def _check_tables(self) -> None:
        if self._problems:
            return
        if not isinstance(self.reference_year, int):
            self._add("reference_year must be an integer year")
        for key in PEDIGREE:
            row = self.variances.get(key)
            if not (isinstance(row, list) and len(row) == 5
                    and all(isinstance(v, (int, float)) and v >= 0 for v in row)):
                self._add(f"pedigree_variances.{key} must be 5 variances >= 0 (scores 1..5)")
        if len(self.temporal_below) != 4:
            self._add("temporal.below must list 4 year thresholds")
        for key in ("same", "larger_area", "part_of_area", "other"):
            if self.geographical.get(key) not in (1, 2, 3, 4, 5):
                self._add(f"geographical.{key} must be a score 1..5")
        for key in ("technosphere", "transport"):
            if not isinstance(self.basic.get(key), (int, float)):
                self._add(f"basic_variances.{key} is missing")
        for alias, cls in self.flow_classes.items():
            if cls not in self.basic:
                self._add(f"flow_classes.{alias}: {cls!r} is not in basic_variances "
                          f"(allowed: {', '.join(self.basic)})")
        if not isinstance(self.parameter_variance, (int, float)):
            self._add("parameter_variance must be a number")
        for sid, entry in self.sources.items():
            self._check_source(sid, entry)

    def _check_source(self, sid: str, entry: Any) -> None:
        if not isinstance(entry, dict) or not entry.get("why"):
            self._add(f"sources.{sid} needs 'why'")
            return
        if entry.get("distribution") == "none":
            return
        for key in ("reliability", "completeness", "technological"):
            if entry.get(key) not in (1, 2, 3, 4, 5):
                self._add(f"sources.{sid}.{key} must be a score 1..5 (or the source "
                          "'distribution: none')")
        for key in ("temporal", "geographical"):
            if key in entry and entry[key] not in (1, 2, 3, 4, 5):
                self._add(f"sources.{sid}.{key} must be a score 1..5")
        extra = set(entry) - {"reliability", "completeness", "technological", "temporal",
                              "geographical", "why", "distribution"}
        if extra:
            self._add(f"sources.{sid}: unknown key(s) {sorted(extra)} (allowed: reliability, "
                      "completeness, technological, temporal, geographical, why, distribution)")

    def check_sources(self, bibliography: dict) -> None:
        """Every source entry must be an id of ``sources.yaml``."""
        for sid in self.sources:
            if sid not in bibliography:
                self._add(f"sources.{sid} is not an id in databases/sources.yaml")

    # -- resolving ----------------------------------------------------------------------------

    def _given(self, spec: dict, where: str) -> Uncertainty | None:
        kind = spec.get("distribution")
        origin = f"{spec.get('source', 'source')} gives {kind}: {spec.get('why', '')}".strip()
        if kind not in DISTRIBUTIONS:
            self._problems.append(f"{where}: distribution {kind!r} is not allowed "
                                  f"(allowed: {', '.join(DISTRIBUTIONS)})")
            return None
        try:
            if kind == "none":
                return Uncertainty("none", origin=origin)
            if kind == "lognormal":
                gsd = float(spec["gsd"])
                if gsd < 1:
                    raise ValueError("gsd must be >= 1")
                return Uncertainty("lognormal", sigma=math.log(gsd), origin=origin)
            value = float(spec["value"])
            if value == 0:
                raise ValueError("value (the figure the distribution is about) must not be 0")
            if kind == "normal":
                return Uncertainty("normal", sigma=abs(float(spec["sd"]) / value), origin=origin)
            low, high = float(spec["low"]) / value, float(spec["high"]) / value
            mode = float(spec.get("mode", value)) / value
            if not min(low, high) <= mode <= max(low, high):
                raise ValueError("low <= value (or mode) <= high must hold")
            return Uncertainty(kind, low=low, mode=mode, high=high, origin=origin)
        except (KeyError, TypeError, ValueError) as exc:
            self._problems.append(f"{where}: {kind} distribution: {exc} (lognormal: gsd; "
                                  "normal: value, sd; uniform: value, low, high; triangular: "
                                  "value, low, mode, high)")
            return None

    def _pedigree(self, source: str, year: int, geography: str, location: str,
                  basic: float, where: str) -> Uncertainty | None:
        entry = self.sources.get(source)
        if entry is None:
            self._problems.append(f"{where}: source {source!r} has no pedigree in "
                                  f"databases/{FILE} (add it under sources:)")
            return None
        if entry.get("distribution") == "none":
            return Uncertainty("none", origin=f"{source}: exact ({entry.get('why')})")
        scores = {
            "reliability": entry["reliability"],
            "completeness": entry["completeness"],
            "temporal": entry.get("temporal")
            or temporal_score(int(year), int(self.reference_year or 0), self.temporal_below),
            "geographical": entry.get("geographical")
            or geographical_score(str(geography), str(location), self.geographical),
            "technological": entry["technological"],
        }
        return Uncertainty("lognormal", sigma=pedigree_sigma(scores, basic, self.variances),
                           pedigree=scores, basic_variance=float(basic),
                           origin=f"pedigree of {source}")

    def exchange(self, activity, ex, target_unit: str) -> Uncertainty | None:
        """The uncertainty of one exchange of ``activity`` (loader objects).

        Parameters
        ----------
        activity : pcf.inventory.loader.Activity
        ex : pcf.inventory.loader.Exchange
        target_unit : str
            Unit of the input activity (``tkm`` makes it a transport service); ignored for
            biosphere exchanges.

        Returns
        -------
        Uncertainty or None
            None after recording a problem.
        """
        target = ex.target if ex.select is None else f"select:{ex.select}"
        for i, spec in enumerate(self.exchange_overrides):
            named = spec.get("input") or spec.get("flow") or (
                f"select:{spec['select']}" if spec.get("select") else None)
            if spec.get("activity") == activity.code and named == target:
                return self._given(spec, f"{self.name}: exchanges[{i}]")
        if ex.kind == "biosphere":
            cls = self.flow_classes.get(ex.target)
            if cls is None:
                self._problems.append(f"{ex.where}: flow {ex.target!r} has no class in "
                                      f"databases/{FILE} flow_classes")
                return None
            basic = self.basic[cls]
        else:
            basic = self.basic["transport" if target_unit == "tkm" else "technosphere"]
        return self._pedigree(ex.meta["source"], ex.meta["year"], ex.meta["geography"],
                              activity.location, basic, ex.where)

    def is_setting(self, name: str) -> bool:
        """True if the number parameter ``name`` is a user's setting (``settings:``)."""
        return any(fnmatch.fnmatchcase(name, pattern) for pattern in self.settings)

    def parameter(self, product, spec, where: str) -> Uncertainty | None:
        """The uncertainty of a parameter default (settings, choices, booleans: none).

        Parameters
        ----------
        product : pcf.inventory.loader.Product
        spec : pcf.paramspec.ParameterSpec
        where : str
            ``file:line`` of the parameter, for problems.
        """
        given = (self.parameter_overrides.get(product.id) or {}).get(spec.name)
        if given is not None:
            return self._given(given, f"{self.name}: parameters.{product.id}.{spec.name}")
        if spec.type != "number" or self.is_setting(spec.name) or spec.optional:
            return Uncertainty("none", origin="setting (chosen by the user)")
        location = spec.meta.get("geography") or "GLO"
        return self._pedigree(spec.meta["source"], spec.meta["year"], spec.meta["geography"],
                              location, float(self.parameter_variance or 0.0), where)


def resolve(root: Path, inventory) -> tuple[dict, dict, list[str]]:
    """Resolve every exchange and parameter default of ``inventory``.

    Returns
    -------
    (exchanges, parameters, problems)
        ``exchanges``: (activity code, index of the exchange in the activity) -> Uncertainty;
        ``parameters``: (product id, parameter name) -> Uncertainty; ``problems``: every figure
        without an uncertainty and every fault of the file, as ``file:line: message``.
    """
    rules = UncertaintyRules.read(root)
    if rules.problems():
        return {}, {}, rules.problems()
    rules.check_sources(inventory.sources)
    exchanges = {}
    for act in inventory.activities.values():
        for i, ex in enumerate(act.exchanges):
            unit = ""
            if ex.kind == "technosphere" and ex.select is None and ex.target in \
                    inventory.activities:
                unit = inventory.activities[ex.target].unit
            u = rules.exchange(act, ex, unit)
            if u is not None:
                exchanges[(act.code, i)] = u
    parameters = {}
    for product in inventory.products.values():
        for name, spec in product.parameters.items():
            u = rules.parameter(product, spec, product.parameter_where.get(name, rules.name))
            if u is not None:
                parameters[(product.id, name)] = u
    for i, spec in enumerate(rules.exchange_overrides):
        act = inventory.activities.get(spec.get("activity"))
        named = spec.get("input") or spec.get("flow") or spec.get("select")
        if act is None or not any(named in (ex.target, ex.select) for ex in act.exchanges):
            rules._problems.append(f"{rules.name}: exchanges[{i}] names no exchange "
                                   f"(activity {spec.get('activity')!r}, {named!r})")
    return exchanges, parameters, rules.problems()
