"""Charts of ``pcf compare`` and ``pcf sweep`` (``--plot FILE.png|svg``), drawn with matplotlib.

matplotlib is imported inside the functions (``pcf --help`` stays fast) with the
non-interactive Agg backend; the figures match the workbench's: stacked bars by stage per
case with the reference total as a dashed line, and the footprint over the swept values.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pcf.errors import InvalidInput

PLOT_FORMATS = (".png", ".svg")
"""File extensions ``--plot`` accepts; anything else is an error."""

COLORS = ("#1b6ca8", "#f2a541", "#5aa469", "#c8553d", "#8e7dbe", "#3d9970", "#b56576",
          "#6c757d")


def check_plot_path(path: str | None) -> None:
    """Refuse a ``--plot`` path whose extension is not .png or .svg (before any work).

    Raises
    ------
    InvalidInput
        field ``--plot``, allowed ``[".png", ".svg"]``.
    """
    if path is not None and Path(path).suffix.lower() not in PLOT_FORMATS:
        raise InvalidInput(f"{path!r}: unknown extension {Path(path).suffix or '(none)'!r}",
                           field="--plot", allowed=list(PLOT_FORMATS))


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _save(fig: Any, path: str) -> None:
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(target, format=target.suffix.lower()[1:], dpi=150, bbox_inches="tight",
                metadata={"Date": None} if target.suffix.lower() == ".svg" else None)


def plot_comparison(doc: dict[str, Any], path: str) -> None:
    """Stacked bars by stage for each case of a comparison document
    (:func:`pcf.service.comparisons.compare`), kg CO2e per declared unit; the reference
    case's total is a dashed line, each bar is labelled with its total."""
    plt = _pyplot()
    unit = doc["declared_unit"]
    labels = [c["label"] for c in doc["cases"]]
    stages = [s["stage"] for s in doc["cases"][0]["footprint"]["stages"]]
    fig, ax = plt.subplots(figsize=(max(5.0, 1.3 * len(labels) + 2), 4.5))
    bottoms_pos = [0.0] * len(labels)
    bottoms_neg = [0.0] * len(labels)
    for i, stage in enumerate(stages):
        values = [next(s["kg_co2e_per_declared_unit"] for s in c["footprint"]["stages"]
                       if s["stage"] == stage) for c in doc["cases"]]
        bottom = [bp if v >= 0 else bn for v, bp, bn in zip(values, bottoms_pos, bottoms_neg,
                                                          strict=True)]
        ax.bar(labels, values, bottom=bottom, label=stage, color=COLORS[i % len(COLORS)])
        for j, v in enumerate(values):
            if v >= 0:
                bottoms_pos[j] += v
            else:
                bottoms_neg[j] += v
    for j, case in enumerate(doc["cases"]):
        total = case["footprint"]["per_declared_unit"]["total"]
        rel = case["difference"]["relative"]
        text = f"{total:.4g}" + ("" if case["is_reference"] or rel is None
                                 else f"\n({rel * 100:+.1f} %)")
        ax.annotate(text, (j, bottoms_pos[j]), ha="center", va="bottom", fontsize=8,
                    xytext=(0, 2), textcoords="offset points")
    ref = next(c for c in doc["cases"] if c["is_reference"])
    ax.axhline(ref["footprint"]["per_declared_unit"]["total"], color="#444", linestyle="--",
               linewidth=0.8, label=f"reference ({ref['label']})")
    ax.set_ylabel(f"kg CO2e per {unit}")
    ax.set_title(f"{doc['product']}: footprint by stage")
    ax.legend(fontsize=8, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    ax.margins(y=0.15)
    ax.tick_params(axis="x", labelrotation=20 if len(labels) > 4 else 0)
    _save(fig, path)
    plt.close(fig)


def plot_sweep(doc: dict[str, Any], path: str) -> None:
    """The footprint per declared unit over the swept values of a comparison document with a
    sweep, with the stages as a stacked area under the line."""
    plt = _pyplot()
    sweep = doc["sweep"]
    unit = doc["declared_unit"]
    points = sweep["points"]
    numeric = all(isinstance(p["value"], (int, float)) and not isinstance(p["value"], bool)
                  for p in points)
    xs: list[Any] = [float(p["value"]) if numeric else str(p["value"]) for p in points]
    totals = [p["per_declared_unit"]["total"] for p in points]
    stages = [s["stage"] for s in points[0]["stages"]]
    fig, ax = plt.subplots(figsize=(6.5, 4.2))
    if numeric:
        stacks = [[next(s["kg_co2e_per_declared_unit"] for s in p["stages"] if s["stage"] == st)
                   for p in points] for st in stages]
        if all(v >= 0 for row in stacks for v in row):
            ax.stackplot(xs, stacks, labels=stages, alpha=0.35,
                         colors=[COLORS[i % len(COLORS)] for i in range(len(stages))])
    ax.plot(xs, totals, marker="o", color="#222", label="total")
    ax.set_xlabel(sweep["parameter"])
    ax.set_ylabel(f"kg CO2e per {unit}")
    ax.set_title(f"{doc['product']}: sweep of {sweep['parameter']} (case {sweep['case']})")
    ax.set_ylim(bottom=min(0.0, min(totals)))
    ax.legend(fontsize=8, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    _save(fig, path)
    plt.close(fig)
