"""Use case: what drives the variance of a footprint (``GET /v1/products/{id}/sensitivity``,
``pcf sensitivity PRODUCT``; issue 17).

Two views, both from Monte Carlo draws:

* inputs: the variance of the total split over the first-tier contributions (the same rows as
  ``contributions``), with the exchange uncertainties of ``databases/uncertainty.yaml``. The
  total is the sum of the rows, so ``Var(T) = sum_i Cov(X_i, T)`` and the shares
  ``Cov(X_i, T) / Var(T)`` add up to 1 exactly (covariance decomposition; a row's share is
  about its own variance when the rows are nearly independent);
* parameters: standardized regression coefficients (SRC) of the total on the product's own
  number parameters drawn from their default's distributions (clipped to their range), the
  others at the case's values: ``SRC_j = b_j * sd(x_j) / sd(y)`` from a least-squares fit of
  ``y`` on the ``x_j``; ``R^2`` says how much of the variance the linear fit explains (SRC^2
  sum to about R^2 for independent parameters).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from pcf.config import SENSITIVITY_MAX_DRAWS
from pcf.engine import get_engine
from pcf.engine.montecarlo import Factors, check_request, generator, product_stream, summary
from pcf.errors import InvalidInput

TOP_INPUTS = 15
PARAMETER_DRAWS = 1000
"""Parameter draws for the SRC (each is one engine evaluation, about a millisecond)."""


def sensitivity(product: str, variant: str | None = None, parameters: dict | None = None,
                draws: int = 5000, seed: int | None = 0) -> dict[str, Any]:
    """Compute the sensitivity document of one case of ``product``.

    Parameters
    ----------
    product : str
    variant : str, optional
    parameters : dict, optional
        Parameter values over the variant's; these are not drawn.
    draws : int
        Monte Carlo draws for the input view (1..20,000,
        :data:`pcf.config.SENSITIVITY_MAX_DRAWS`); the parameter view uses
        ``min(draws, 1000)``.
    seed : int, optional
        Seed (default 0).

    Returns
    -------
    dict
        ``{"product", "variant", "parameters", "declared_unit", "draws", "seed", "total":
        stats, "inputs": [{"input", "activity", "stage", "kind", "variance_share",
        "mean_kg_co2e_per_declared_unit"}], "inputs_other_share", "parameters_src":
        [{"parameter", "src", "default", "gsd"}], "r_squared", "parameter_draws", "method"}``.

    Raises
    ------
    UnknownResource
        Unknown product.
    InvalidInput
        Unknown variant or parameter, bad value; ``draws``/``seed`` out of range (fields
        ``draws``, ``seed``).
    """
    from pcf.service import uncertainty as mc
    from pcf.service.footprints import model

    try:
        draws, seed = check_request(draws, seed)
    except InvalidInput as exc:
        raise exc.relocated((exc.field or "").split(".")[-1]) from None
    if draws > SENSITIVITY_MAX_DRAWS:
        raise InvalidInput(f"a sensitivity analysis takes at most {SENSITIVITY_MAX_DRAWS} "
                           f"draws, not {draws}", field="draws",
                           allowed=f"1..{SENSITIVITY_MAX_DRAWS}")
    product_model = model(product)
    settings = product_model.resolve(variant, parameters)
    engine = get_engine()
    system = engine.system(product)
    d = mc.simulate(system, engine.background(), settings.encoded, draws, seed, rows=True)
    total = d.parts["total"]
    var = float(np.var(total))
    labels = system._out.labels
    stages = system.stages
    rows: list[dict[str, Any]] = []
    if var > 0 and d.rows is not None:
        centred = d.rows - d.rows.mean(axis=0)
        share = (centred * (total - total.mean())[:, None]).mean(axis=0) / var
        for i in np.argsort(-np.abs(share), kind="stable"):
            if len(rows) == TOP_INPUTS or share[i] == 0:
                break
            name, activity, kind, _ = labels[i]
            rows.append({"input": name, "activity": activity, "kind": kind,
                         "stage": stages[int(system._out.stage[i])],
                         "variance_share": float(share[i]),
                         "mean_kg_co2e_per_declared_unit": float(d.rows[:, i].mean())})
        other = float(1.0 - sum(r["variance_share"] for r in rows))
    else:
        other = 0.0
    src, r2, n_par = _parameter_src(product, system, engine.parameter_uncertainty(product),
                                    settings.encoded, set(parameters or {}), draws, seed)
    return {
        "product": product, "variant": settings.variant, "parameters": settings.values,
        "declared_unit": product_model.declared_unit, "draws": draws, "seed": seed,
        "total": summary(total), "inputs": rows, "inputs_other_share": other,
        "parameters_src": src, "r_squared": r2, "parameter_draws": n_par,
        "method": {
            "inputs": "share of Var(total) per first-tier contribution: Cov(X_i, T) / Var(T) "
                      "over Monte Carlo draws of every exchange (shares sum to 1)",
            "parameters": "standardized regression coefficients of the total on the "
                          "product's number parameters drawn from their defaults' "
                          "distributions (databases/uncertainty.yaml), clipped to their range",
        },
    }


def _parameter_src(product: str, system, uncertain: dict, encoded: dict, given: set,
                   draws: int, seed: int) -> tuple[list[dict], float | None, int]:
    names = [n for n in uncertain if n.rstrip("_") not in given and n not in given]
    n = min(draws, PARAMETER_DRAWS)
    if not names or n < len(names) + 2:
        return [], None, 0
    specs = [uncertain[name]["uncertainty"] for name in names]
    rng = generator(seed, product_stream(product) + 1, 0)
    factors = Factors.from_specs(specs).draw(rng, n)
    base = np.array([float(encoded.get(name, uncertain[name]["default"])) for name in names])
    lo = np.array([uncertain[x]["minimum"] if uncertain[x]["minimum"] is not None else -np.inf
                   for x in names])
    hi = np.array([uncertain[x]["maximum"] if uncertain[x]["maximum"] is not None else np.inf
                   for x in names])
    x = np.clip(base * factors, lo, hi)
    y = np.empty(n)
    values = dict(encoded)
    for k in range(n):
        values.update(zip(names, x[k].tolist(), strict=True))
        y[k] = system.evaluate(values, contributions=False).per_declared_unit["total"]
    sx, sy = x.std(axis=0), y.std()
    keep = sx > 0
    if sy == 0 or not keep.any():
        return [], None, n
    design = np.column_stack([np.ones(n), x[:, keep]])
    coef, *_ = np.linalg.lstsq(design, y, rcond=None)
    fitted = design @ coef
    r2 = float(1.0 - np.sum((y - fitted) ** 2) / np.sum((y - y.mean()) ** 2))
    src = coef[1:] * sx[keep] / sy
    kept = [nm for nm, k in zip(names, keep, strict=True) if k]
    out = [{"parameter": nm.rstrip("_") if nm.endswith("_") else nm, "src": float(s),
            "default": uncertain[nm]["default"],
            "gsd": uncertain[nm]["uncertainty"].get("gsd")}
           for nm, s in zip(kept, src, strict=True)]
    out.sort(key=lambda r: -abs(r["src"]))
    return out, r2, n
