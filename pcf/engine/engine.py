"""The :class:`Engine`: one warm, read-only view of the Brightway project per process.

On construction the engine asks bw2calc for the technosphere and biosphere matrices of the
project and the characterization factors of the four GWP100 methods, computes the cumulative
background impacts once (:func:`pcf.engine.linalg.cumulative_impacts`), and compiles each
product's foreground (its exchanges, formulas and derived parameters, read back from
Brightway) into a few arrays and one compiled formula function.

A footprint for new parameter values then evaluates the formulas in memory, assembles the
small foreground matrix, solves it and multiplies: nothing is written to the Brightway
database (DESIGN.md: "evaluating a new parameter set must not write to the Brightway SQLite
database"). The result equals a plain ``bw2calc.LCA`` on a project whose parameters hold the
same values (tests/test_engine_vs_bw2calc.py checks this on random parameter sets).
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass

import numpy as np

from pcf.config import BACKGROUND_DB, PRODUCTS_DB
from pcf.engine.linalg import cumulative_impacts, supply
from pcf.engine.montecarlo import Background, Factors
from pcf.engine.result import Contribution, Result
from pcf.errors import ProjectNotReady
from pcf.formulas import compile_formulas, rename
from pcf.inventory.methods import METHODS, SPLIT
from pcf.supplier_inputs import replacements_of


@dataclass
class _Rows:
    """Exchanges leaving the foreground (to background activities or to the biosphere)."""

    consumer: np.ndarray      # local foreground index of the consuming activity
    slot: np.ndarray          # index into the amount vector
    unit_impact: np.ndarray   # (n, 4) kg CO2e per unit of the input, by GWP part
    stage: np.ndarray         # index into the product's stages
    labels: list              # (input name, consumer name, kind, unit)


@dataclass
class SupplierLink:
    """A supplier product used by another product as a linked sub-system.

    Attributes
    ----------
    supplier : str
        Supplier product id.
    prefix : str
        Namespace of the supplier's parameter names inside the consumer
        (``graphite-anode`` -> ``graphite_anode__``).
    stage : str
        The consumer's stage at which every row of the supplier is reported.
    activities : list of (database, code)
    exchanges : dict[(database, code), list of dict]
    inputs : dict[str, float]
        The supplier's independent encoded parameters and their project values.
    derived : dict[str, str]
        The supplier's derived parameters.
    bindings : dict[str, str]
        Supplier encoded parameter -> formula over the consumer's names.
    footprint_parameters : tuple of str
        The supplier's parameters that are supplier-specific footprints (unit kg CO2e/...).
    """

    supplier: str
    prefix: str
    stage: str
    activities: list
    exchanges: dict
    inputs: dict
    derived: dict
    bindings: dict
    footprint_parameters: tuple = ()

    def rename(self, formula: str) -> str:
        """The supplier formula with its parameter names namespaced."""
        names = {n: self.prefix + n for n in (*self.inputs, *self.derived)}
        return rename(formula, names)


def link_prefix(supplier_id: str) -> str:
    """Namespace prefix of a supplier's parameters inside a consumer."""
    return supplier_id.replace("-", "_") + "__"


def footprint_parameters(definition: dict) -> tuple[str, ...]:
    """Names of a product's supplier-specific footprint parameters: numbers whose unit is a
    footprint (contains ``CO2e``, e.g. ``primary_ingot_footprint`` in kg CO2e/kg)."""
    return tuple(p["name"] for p in definition.get("parameters") or []
                 if p.get("type") == "number" and "CO2e" in (p.get("unit") or ""))


def _names_in(formula: str, names: tuple[str, ...]) -> str | None:
    """The first of ``names`` that ``formula`` uses as a whole word (None if none)."""
    for name in names:
        if re.search(rf"(?<![A-Za-z0-9_]){re.escape(name)}(?![A-Za-z0-9_])", formula):
            return name
    return None


class ProductSystem:
    """A product's foreground, compiled for fast evaluation.

    Parameters are given as *encoded* numeric Brightway parameters (see
    :mod:`pcf.paramspec`); :meth:`evaluate` returns a :class:`Result` per declared unit.

    Parameters
    ----------
    product_id : str
    definition : dict
        ``pcf_product_definition`` of the reference activity.
    inputs : dict[str, float]
        Independent encoded parameters and their default values.
    derived : dict[str, str]
        Derived parameter name -> formula.
    activities : list of (database, code)
        The product's foreground activities.
    exchanges : dict[(database, code), list of dict]
        Each foreground activity's exchanges as stored in Brightway (``input`` as a key,
        ``amount``, ``type``, optional ``formula``, ``pcf_stage``, ``unit``).
    lam : ndarray (n_activities, 4)
        Cumulative kg CO2e per unit of every activity of the matrices, by GWP part
        (:func:`pcf.engine.linalg.cumulative_impacts`); only background rows are used.
    cf : ndarray (n_flows, 4)
        Characterization factors, kg CO2e per kg of each elementary flow, by GWP part.
    bio_index, act_index : dict
        Flow key -> row of ``cf``; background activity key -> row of ``lam``.
    names : dict
        Key -> display name of activities and flows.
    version : str
        Database version reported with results.
    combustion_only : frozenset of keys
        Background datasets without upstream chains (reported in ``Result.notes``).
    project_notes : sequence of str
        Notes about the project itself, added to every result.
    links : sequence of SupplierLink
        Supplier products this product uses (``uses`` in its definition): their activities are
        part of this foreground, their formulas are namespaced with the link's prefix, their
        bound parameters are derived from this product's values and the others keep the
        supplier's project values; every row inside a supplier is reported at the link's stage.
    """

    def __init__(self, product_id, definition, inputs, derived, activities, exchanges,
                 lam, cf, bio_index, act_index, names, version, combustion_only=frozenset(),
                 project_notes=(), links=()):
        self.product_id = product_id
        self.definition = definition
        self.links = tuple(links)
        member_of = {key: link for link in self.links for key in link.activities}
        inputs = dict(inputs)
        derived = dict(derived)
        for link in self.links:
            activities = list(activities) + [k for k in link.activities if k not in activities]
            exchanges = {**exchanges, **link.exchanges}
            for name, value in link.inputs.items():
                if name not in link.bindings:
                    inputs[link.prefix + name] = value
            for name, formula in link.derived.items():
                derived[link.prefix + name] = link.rename(formula)
            for name, formula in link.bindings.items():
                derived[link.prefix + name] = f"({formula})"
        self.published_ranges: list[dict] = []
        """Published results the product is held against (``databases/rules/``), written
        onto the reference activity by ``pcf setup`` (``pcf_published_ranges``)."""
        self.inputs = list(inputs)          # independent Brightway parameter names
        self.defaults = dict(inputs)
        self.stages = list(definition["stages"])
        self.version = version
        self._project_notes = tuple(project_notes)
        local = {key: i for i, key in enumerate(activities)}
        self.size = len(activities)
        self.reference = local[(PRODUCTS_DB, product_id)]
        self._link_rows = {link.supplier: local[(PRODUCTS_DB, link.supplier)]
                           for link in self.links}
        # replaceable inputs (pcf.supplier_inputs): the level of each supplier-specific
        # activity is the kg of the input its figure covers per declared unit
        self._replacement_rows = {r.input: local[(PRODUCTS_DB, r.activity)]
                                  for r in replacements_of(product_id)
                                  if (PRODUCTS_DB, r.activity) in local}
        footprint_names = footprint_parameters(definition) + tuple(
            link.prefix + name for link in self.links for name in link.footprint_parameters)
        static: list[float] = []
        formulas: list[tuple[int, str]] = []
        slot_formula: dict[int, str] = {}
        cells: list[int] = []
        ff, out_bg, out_bio = [], [], []
        slot_uncertainty: list = []   # pcf_uncertainty of each slot (Monte Carlo)
        bg_lam_rows: list[int] = []   # row of lam of each background row (Monte Carlo)
        cell_ids: dict = {}
        tech: list[tuple[str, str, int, int]] = []
        background_unit: dict[str, np.ndarray] = {}
        for consumer_key, rows in exchanges.items():
            j = local[consumer_key]
            for ex in rows:
                slot = len(static)
                static.append(float(ex["amount"]))
                slot_uncertainty.append(ex.get("pcf_uncertainty"))
                cells.append(cell_ids.setdefault((ex["input"], consumer_key, ex["type"]),
                                                 len(cell_ids)))
                link = member_of.get(consumer_key)
                if ex.get("formula"):
                    formulas.append((slot, link.rename(ex["formula"]) if link else ex["formula"]))
                    slot_formula[slot] = formulas[-1][1]
                if link is not None:
                    ex = {**ex, "pcf_stage": link.stage}
                key = ex["input"]
                if ex["type"] == "technosphere":
                    tech.append((key[1], consumer_key[1], j, slot))
                if ex["type"] == "production":
                    ff.append((local[key], j, +1.0, slot))
                elif ex["type"] == "technosphere" and key in local:
                    ff.append((local[key], j, -1.0, slot))
                elif ex["type"] == "technosphere":
                    out_bg.append((j, slot, lam[act_index[key]], ex, names[key]))
                    background_unit[key[1]] = lam[act_index[key]]
                    bg_lam_rows.append(act_index[key])
                elif ex["type"] == "biosphere":
                    out_bio.append((j, slot, cf[bio_index[key]], ex, names[key]))
        self._tech = tech
        self._local = local
        self._background_unit = background_unit
        self._static = np.array(static, dtype=float)
        self._cell = np.array(cells, dtype=int)
        self._cells = len(cell_ids)
        self._shared_cells = len(cell_ids) < len(cells)
        self._formula_slots = np.array([s for s, _ in formulas], dtype=int)
        self._formula_sources = [f for _, f in formulas]
        self._evaluate = compile_formulas(derived, self._formula_sources, self.inputs)
        self._derived = derived
        prefixes = tuple(x.prefix for x in self.links)
        self._own_inputs = [n for n in self.inputs if not prefixes or not n.startswith(prefixes)]
        self._binding_functions: dict = {}
        self._ff_rows = np.array([r for r, _, _, _ in ff], dtype=int)
        self._ff_cols = np.array([c for _, c, _, _ in ff], dtype=int)
        self._ff_sign = np.array([s for _, _, s, _ in ff], dtype=float)
        self._ff_slot = np.array([s for _, _, _, s in ff], dtype=int)
        stage_of = {s: i for i, s in enumerate(self.stages)}
        act_names = {local[k]: names[k] for k in activities}
        rows = out_bg + out_bio
        # rows whose input is a combustion-only dataset (no upstream chains): reported in notes
        self._combustion_only = np.array([r[3]["input"] in combustion_only for r in rows],
                                         dtype=bool)
        self._out = _Rows(
            consumer=np.array([r[0] for r in rows], dtype=int),
            slot=np.array([r[1] for r in rows], dtype=int),
            unit_impact=np.array([r[2] for r in rows], dtype=float).reshape(len(rows), len(SPLIT)),
            stage=np.array([stage_of[r[3]["pcf_stage"]] for r in rows], dtype=int),
            labels=[(r[4], act_names[r[0]], r[3]["type"], r[3].get("unit", "")) for r in rows],
        )
        # Monte Carlo (pcf.engine.montecarlo): each slot's distribution relative to its amount,
        # and the row of the background's lambda behind each row (-1: a direct emission)
        self.mc_factors = Factors.from_specs(slot_uncertainty)
        self.mc_lam_rows = np.array(bg_lam_rows + [-1] * len(out_bio), dtype=int)
        # rows whose amount is a supplier-specific footprint parameter (primary data)
        self._row_supplier = [_names_in(slot_formula.get(r[1], ""), footprint_names)
                              if footprint_names else None for r in rows]

    def __getstate__(self) -> dict:
        """Picklable state (:mod:`pcf.engine.cache`): compiled functions are left out."""
        state = dict(self.__dict__)
        state.pop("_evaluate", None)
        state["_binding_functions"] = {}
        return state

    def __setstate__(self, state: dict) -> None:
        """Restore from :meth:`__getstate__`, compiling the formulas again (checked by
        :func:`pcf.formulas.compile_formulas` as on construction)."""
        self.__dict__.update(state)
        self._evaluate = compile_formulas(self._derived, self._formula_sources, self.inputs)

    def supplier_values(self, values: dict) -> dict[str, dict[str, float]]:
        """Values of every supplier's encoded parameters in a calculation of this product.

        Parameters
        ----------
        values : dict[str, float]
            This product's encoded parameters (missing names take their defaults).

        Returns
        -------
        dict
            Supplier id -> {encoded parameter name -> value}: bound parameters evaluated from
            ``values``, the others at the supplier's project values. A Brightway project whose
            supplier groups hold these values (and this product's group ``values``) gives this
            product's result with a plain bw2calc LCA.
        """
        if not self.links:
            return {}
        full = {**self.defaults, **values}
        out = {}
        for link in self.links:
            bound = list(link.bindings)
            evaluated = self._bindings(link)(full) if bound else []
            out[link.supplier] = {name: float(full.get(link.prefix + name, value))
                                  for name, value in link.inputs.items()}
            out[link.supplier].update({n: float(v)
                                       for n, v in zip(bound, evaluated, strict=True)})
        return out

    def _bindings(self, link):
        cached = self._binding_functions.get(link.supplier)
        if cached is None:
            derived = {k: v for k, v in self._derived.items()
                       if not k.startswith(tuple(x.prefix for x in self.links))}
            cached = compile_formulas(derived, list(link.bindings.values()), self._own_inputs)
            self._binding_functions[link.supplier] = cached
        return cached

    def amounts(self, values: dict) -> np.ndarray:
        """Exchange amounts (per unit of each consuming activity) for encoded ``values``.

        Amounts are rounded to float32 and back, as bw2data stores matrix data in its
        processed datapackages (bw_processing, float32), and several exchanges that fall in the
        same matrix cell (same input, same consumer) are summed in float32 as bw2calc does;
        each keeps its share of that sum, so rows with different stages stay apart. This is
        what makes the engine agree with a plain ``bw2calc.LCA`` to 1e-9 instead of ~1e-8
        (float32 carries ~7 digits, far finer than any inventory figure).
        """
        amounts = self._static.copy()
        if len(self._formula_slots):
            amounts[self._formula_slots] = self._evaluate(values)
        single = amounts.astype(np.float32)
        if not self._shared_cells:
            return single.astype(np.float64)
        cell32 = np.zeros(self._cells, dtype=np.float32)
        np.add.at(cell32, self._cell, single)
        cell64 = np.zeros(self._cells)
        np.add.at(cell64, self._cell, single.astype(np.float64))
        scale = np.divide(cell32.astype(np.float64), cell64, out=np.ones(self._cells),
                          where=cell64 != 0.0)
        return single.astype(np.float64) * scale[self._cell]

    def flows(self, values: dict) -> dict[tuple[str, str], float]:
        """Technosphere flows of the foreground per declared unit (issue 20: declarations).

        Formula: ``flow(input, consumer) = s[consumer] * a(input, consumer)``, with ``s`` the
        supply (activity levels) for one declared unit and ``a`` the exchange amount per unit
        of the consumer; exchanges of the same input and consumer are summed.

        Parameters
        ----------
        values : dict[str, float]
            Encoded parameters (missing names take their defaults).

        Returns
        -------
        dict
            ``{(input code, consumer code): amount per declared unit}`` in the exchange's
            unit (kg, MJ, kWh...), for every technosphere exchange of the foreground (inputs
            from the background included); the reference activity's level is 1.
        """
        values = {**self.defaults, **values}
        amounts = self.amounts(values)
        a_ff = np.zeros((self.size, self.size))
        np.add.at(a_ff, (self._ff_rows, self._ff_cols), self._ff_sign * amounts[self._ff_slot])
        s = supply(a_ff, self.reference)
        out: dict[tuple[str, str], float] = {}
        for input_code, consumer_code, j, slot in self._tech:
            key = (input_code, consumer_code)
            out[key] = out.get(key, 0.0) + float(s[j] * amounts[slot])
        return out

    def cumulative(self, values: dict, code: str) -> dict[str, float]:
        """Cumulative kg CO2e per unit of one foreground activity (issue 20: the CFF's Ev and
        Erecycled), by GWP part.

        Formula: ``s = A^-1 e_code`` (the supply for one unit of the activity), then
        ``sum_rows s[consumer] * amount * unit_impact``, as :meth:`evaluate` does for the
        reference activity.

        A background activity that the foreground consumes answers its cumulative impact
        per unit from the background solve (its row of ``lam``).

        Parameters
        ----------
        values : dict[str, float]
            Encoded parameters (missing names take their defaults).
        code : str
            Code of a foreground activity of this product (``pcf-products``), or of a
            background activity its foreground consumes.

        Returns
        -------
        dict
            ``{"total", "fossil", "biogenic", "land_use"}`` in kg CO2e per unit of the
            activity.

        Raises
        ------
        KeyError
            ``code`` is neither in this product's foreground nor consumed by it.
        """
        if (PRODUCTS_DB, code) not in self._local:
            row = self._background_unit[code]
            return {k: float(v) for k, v in zip(SPLIT, row, strict=True)}
        values = {**self.defaults, **values}
        amounts = self.amounts(values)
        a_ff = np.zeros((self.size, self.size))
        np.add.at(a_ff, (self._ff_rows, self._ff_cols), self._ff_sign * amounts[self._ff_slot])
        s = supply(a_ff, self._local[(PRODUCTS_DB, code)])
        out = self._out
        totals = ((s[out.consumer] * amounts[out.slot])[:, None] * out.unit_impact).sum(axis=0)
        return {k: float(v) for k, v in zip(SPLIT, totals, strict=True)}

    def evaluate(self, values: dict, contributions: bool = True) -> Result:
        """Compute the footprint per declared unit.

        Parameters
        ----------
        values : dict[str, float]
            Every independent encoded Brightway parameter of the product (missing names take
            the project's default value).
        contributions : bool
            Build the contribution list (skip for bulk scoring).

        Returns
        -------
        Result
            kg CO2e per declared unit by GWP part, stages, contributions.
        """
        if len(values) != len(self.defaults) or values.keys() != self.defaults.keys():
            values = {**self.defaults, **values}
        amounts = self.amounts(values)
        a_ff = np.zeros((self.size, self.size))
        np.add.at(a_ff, (self._ff_rows, self._ff_cols), self._ff_sign * amounts[self._ff_slot])
        s = supply(a_ff, self.reference)
        out = self._out
        per_du_amount = s[out.consumer] * amounts[out.slot]
        impacts = per_du_amount[:, None] * out.unit_impact
        totals = impacts.sum(axis=0)
        by_stage = np.bincount(out.stage, weights=impacts[:, 0], minlength=len(self.stages))
        result_contributions = []
        if contributions:
            # rows with a zero amount (unchosen choices, unused routes) are left out; the rest
            # in order of |total|, ties in row order (stable), converted to Python in one go
            nonzero = np.flatnonzero(per_du_amount)
            order = nonzero[np.argsort(-np.abs(impacts[nonzero, 0]), kind="stable")]
            labels, stages = out.labels, self.stages
            for i, amount, parts, stage in zip(order.tolist(), per_du_amount[order].tolist(),
                                               impacts[order].tolist(),
                                               out.stage[order].tolist(), strict=True):
                name, consumer, kind, unit = labels[i]
                result_contributions.append(Contribution(
                    input=name, activity=consumer, kind=kind, stage=stages[stage],
                    amount=amount, unit=unit, kg_co2e=dict(zip(SPLIT, parts, strict=True)),
                    supplier_parameter=self._row_supplier[i]))
        notes = list(self._project_notes)
        if self._combustion_only.any():
            for i in np.flatnonzero(self._combustion_only & (per_du_amount != 0.0)):
                notes.append(f"{out.labels[i][0]} has a combustion-only emission factor "
                             "(upstream chains not included): the result is low by that upstream")
        return Result(
            linked={sid: float(s[row]) for sid, row in self._link_rows.items()},
            supplier_specific={input_id: float(s[row])
                               for input_id, row in self._replacement_rows.items()},
            product=self.product_id,
            per_declared_unit={k: float(v) for k, v in zip(SPLIT, totals, strict=True)},
            stages={stage: float(v) for stage, v in zip(self.stages, by_stage, strict=True)},
            contributions=result_contributions,
            database_version=self.version,
            notes=notes,
        )


class Engine:
    """All products of the Brightway project, compiled and warm.

    Construction costs about a second (Brightway imports, matrices, one sparse solve); build
    one per process with :func:`get_engine`.

    Raises
    ------
    ProjectNotReady
        If the project was never built (run ``pcf setup``).
    """

    def __init__(self):
        from pcf.bw import bw2calc, bw2data
        from pcf.config import PROJECT_NAME
        from pcf.inventory.build import read_stamp

        stamp = read_stamp()
        bd = bw2data()
        if stamp is None or PROJECT_NAME not in bd.projects:
            raise ProjectNotReady("the Brightway project is not built; run `pcf setup`")
        bd.projects.set_current(PROJECT_NAME)
        bc = bw2calc()
        from pcf.inventory.build import project_fingerprint

        self.version = stamp["version"]
        self.stamp = stamp
        self.notes: list[str] = []
        if project_fingerprint() != stamp.get("project_fingerprint"):
            # edited outside `pcf setup` (e.g. Activity Browser): not the certified data any more
            self.version = f"{stamp['version']}+modified"
            self.notes.append("the Brightway project was changed after `pcf setup`; results "
                              "do not come from databases/ as built (run `pcf setup`)")
        # bw2data iterates a database in random order (ORDER BY RANDOM()); sorting by code makes
        # every array, sum and result the same to the last bit in every process
        foreground = sorted(bd.Database(PRODUCTS_DB), key=lambda n: n["code"])
        references = [a for a in foreground if a.get("pcf_product_definition")]
        demand = {a.id: 1.0 for a in references}
        cf_columns, lca = [], None
        for part in SPLIT:
            one = bc.LCA(demand, data_objs=bd.prepare_lca_inputs(
                {a: 1.0 for a in references}, method=METHODS[part], remapping=False)[1])
            one.lci()
            one.lcia()
            if lca is None:
                lca = one
            diag = one.characterization_matrix.diagonal()
            column = np.zeros(len(lca.dicts.biosphere))
            for flow_id, row in one.dicts.biosphere.items():
                column[lca.dicts.biosphere[flow_id]] = diag[row]
            cf_columns.append(column)
        assert lca is not None  # SPLIT is not empty
        cf = np.column_stack(cf_columns)
        lam = cumulative_impacts(lca.technosphere_matrix, lca.biosphere_matrix, cf)
        self._lam, self._cf = lam, cf
        self._background: Background | None = None
        act_index = {}
        names = {}
        combustion_only = set()
        for node in sorted(bd.Database(BACKGROUND_DB), key=lambda n: n["code"]):
            act_index[node.key] = lca.dicts.activity[node.id]
            names[node.key] = node["name"]
            if node.get("pcf_basis_kind") == "combustion-only":
                combustion_only.add(node.key)
        self._act_index = act_index
        bio_index: dict = {}
        self._bio_index = bio_index
        for flow_id, row in lca.dicts.biosphere.items():
            flow = bd.get_node(id=flow_id)
            bio_index[flow.key] = row
            names[flow.key] = flow["name"]
        self._lam = lam
        self._act_index = act_index
        self.products: dict[str, ProductSystem] = {}
        params = self._parameters(bd)
        by_product: dict[str, list] = {}
        for node in foreground:
            names[node.key] = node["name"]
            by_product.setdefault(node.get("pcf_product"), []).append(node)
        exchanges_of = {pid: {n.key: [self._exchange(ex) for ex in n.exchanges()]
                              for n in nodes}
                        for pid, nodes in by_product.items() if pid}
        for ref in references:
            pid = ref["code"]
            definition = ref["pcf_product_definition"]
            activities = [n.key for n in by_product[pid]]
            exchanges = exchanges_of[pid]
            inputs, derived = params[pid]
            links = []
            for sid in definition.get("uses") or {}:
                stage = str(next(ex.get("pcf_stage") for rows in exchanges.values()
                                 for ex in rows if ex["type"] == "technosphere"
                                 and ex["input"] == (PRODUCTS_DB, sid)))
                s_inputs, s_derived = params[sid]
                supplier_definition = next(r["pcf_product_definition"] for r in references
                                           if r["code"] == sid)
                links.append(SupplierLink(
                    supplier=sid, prefix=link_prefix(sid), stage=stage,
                    activities=[n.key for n in by_product[sid]], exchanges=exchanges_of[sid],
                    inputs=dict(s_inputs), derived=dict(s_derived),
                    bindings=dict(definition.get("bindings", {}).get(sid, {})),
                    footprint_parameters=footprint_parameters(supplier_definition)))
            self.products[pid] = ProductSystem(
                pid, definition, inputs, derived, activities, exchanges,
                lam, cf, bio_index, act_index, names, self.version, frozenset(combustion_only),
                self.notes, links)
            self.products[pid].published_ranges = list(ref.get("pcf_published_ranges") or [])

    def background_impact(self, code: str) -> dict[str, float]:
        """Cumulative kg CO2e per unit of a ``pcf-background`` activity, by GWP part (issue
        20: processes a declaration adds around a product, e.g. distribution, recycling).

        Returns
        -------
        dict
            ``{"total", "fossil", "biogenic", "land_use"}`` per unit of the activity.

        Raises
        ------
        KeyError
            No such activity in ``pcf-background``.
        """
        row = self._lam[self._act_index[(BACKGROUND_DB, code)]]
        return {k: float(v) for k, v in zip(SPLIT, row, strict=True)}

    @staticmethod
    def _exchange(ex) -> dict:
        data = dict(ex)
        data["input"] = ex.input.key
        return data

    @staticmethod
    def _parameters(bd) -> dict:
        from bw2data.parameters import ActivityParameter

        out: dict[str, tuple[dict, dict]] = {}
        for row in ActivityParameter.select().where(ActivityParameter.database == PRODUCTS_DB):
            inputs, derived = out.setdefault(row.group, ({}, {}))
            if row.name.startswith("__dummy_"):  # bw2data placeholder rows, not parameters
                continue
            if row.formula:
                derived[row.name] = row.formula
            else:
                inputs[row.name] = float(row.amount)
        return out

    def provenance(self, product_id: str):
        """Return the :class:`pcf.engine.provenance.ProductProvenance` of a product: the
        source, year, geography and formula of each exchange leaving its foreground (read
        from the project once per database version).

        Raises
        ------
        KeyError
            Unknown product.
        """
        from pcf.engine.provenance import product_provenance

        system = self.products[product_id]  # KeyError for an unknown id
        return product_provenance(product_id, self.version,
                                  {link.supplier: link.stage for link in system.links})

    def background(self) -> Background:
        """The background's exchanges and their distributions, for Monte Carlo draws of the
        cumulative background impacts (:class:`pcf.engine.montecarlo.Background`); read from
        the project once per engine."""
        if self._background is None:
            with _LOCK:
                if self._background is None:
                    self._background = self._read_background()
        return self._background

    def _read_background(self) -> Background:
        bd = _pcf_project()
        rows = self._lam.shape[0]
        production = np.ones(rows)
        tech, bio = [], []
        for node in sorted(bd.Database(BACKGROUND_DB), key=lambda n: n["code"]):
            j = self._act_index[node.key]
            for ex in node.exchanges():
                key, kind = ex.input.key, ex["type"]
                if kind == "production":
                    production[j] = float(ex["amount"])
                elif kind == "technosphere":
                    tech.append((j, self._act_index[key], float(ex["amount"]),
                                 ex.get("pcf_uncertainty")))
                elif kind == "biosphere":
                    bio.append((j, self._cf[self._bio_index[key]], float(ex["amount"]),
                                ex.get("pcf_uncertainty")))
        return Background(rows, tech, bio, production)

    def parameter_uncertainty(self, product_id: str) -> dict[str, dict]:
        """Distributions of a product's own number-parameter defaults (issue 17).

        Returns
        -------
        dict
            Encoded Brightway parameter name -> ``{"default", "minimum", "maximum",
            "uncertainty"}`` (``uncertainty``: the ``pcf_uncertainty`` written by ``pcf
            setup``), for the parameters whose uncertainty is not ``none``.
        """
        _pcf_project()  # before bw2data.parameters: it opens the current project's files
        from bw2data.parameters import ActivityParameter

        out = {}
        rows = ActivityParameter.select().where((ActivityParameter.database == PRODUCTS_DB)
                                                & (ActivityParameter.group == product_id))
        for row in rows:
            spec = (row.data or {}).get("pcf_uncertainty") or {}
            if row.formula or spec.get("distribution") in (None, "none"):
                continue
            out[row.name] = {"default": float(row.amount), "uncertainty": spec,
                             "minimum": row.data.get("minimum"),
                             "maximum": row.data.get("maximum")}
        return dict(sorted(out.items()))

    def system(self, product_id: str) -> ProductSystem:
        """Return the compiled :class:`ProductSystem` (KeyError if unknown)."""
        return self.products[product_id]


def _pcf_project():
    """Return ``bw2data`` with pcf's project current.

    An engine loaded from the on-disk cache (:func:`load_cached_engine`) never ran
    :meth:`Engine.__init__`, so Brightway is still on its ``default`` project (empty) when the
    Monte Carlo reads the background or the parameters' distributions.
    """
    from pcf.bw import bw2data
    from pcf.config import PROJECT_NAME

    bd = bw2data()
    if bd.projects.current != PROJECT_NAME:
        bd.projects.set_current(PROJECT_NAME)
    return bd


_ENGINE: Engine | None = None
_LOCK = threading.Lock()


def get_engine() -> Engine:
    """Return this process's engine (thread-safe): on first use, loaded from the on-disk
    cache that ``pcf setup`` writes (:func:`pcf.engine.cache.load_engine`, no Brightway
    import) when it is valid, else built from the Brightway project."""
    global _ENGINE
    if _ENGINE is None:
        with _LOCK:
            if _ENGINE is None:
                from pcf.engine.cache import load_engine

                _ENGINE = load_engine() or Engine()
    return _ENGINE


def load_cached_engine() -> bool:
    """Make this process's engine the one in the on-disk cache, if it is valid
    (:func:`pcf.engine.cache.load_engine`); never builds from Brightway.

    Returns
    -------
    bool
        True if this process now has an engine (loaded now or before).
    """
    global _ENGINE
    with _LOCK:
        if _ENGINE is None:
            from pcf.engine.cache import load_engine

            _ENGINE = load_engine()
        return _ENGINE is not None


def reset_engine() -> None:
    """Forget the engine (after ``pcf setup`` rebuilt the project in this process)."""
    global _ENGINE
    _ENGINE = None
