"""The engineers' workbench at ``/app``: server-rendered pages over the JSON API.

Pages (Jinja templates in ``pcf/api/templates/workbench/``), each rendered with the public
product catalogue so that the parameter inputs (unit, range, default, description, source)
and the variants come from the server:

========================  ============================================================
``/app``                  sign in (the API key is kept in the tab's ``sessionStorage``
                          only: never in a cookie, never stored by the server)
``/app/compare``          cases side by side: stacked bars by stage, sorted contributions,
                          differences to the reference; optionally Monte Carlo intervals
                          (error bars), GSD and the probability of being below the
                          reference; data quality (PACT dqi, primary data share); the
                          sensitivity of a case; stored supplier footprints and a
                          company's footprint with its supplier-specific contributions
``/app/sweep``            footprint over one parameter, several cases overlaid
``/app/orders``           upload CSV/xlsx, scored lines and total, download CSV/xlsx,
                          past orders, certificates for lines
``/app/certificates``     list, PDF, verification status
``/app/reductions``       a company's pathway: base year, reporting years, target line
========================  ============================================================

The browser script ``pcf/api/static/workbench/workbench.js`` (plain JavaScript, no build
step) calls ``/v1`` with ``Authorization: Bearer <key>`` and draws the charts with Plotly
(``pcf/api/static/vendor/``, from the npm package ``plotly.js-basic-dist-min``; see its
README). Every chart can be saved as PNG or SVG and every table as CSV. Nothing is fetched
from another host.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

from flask import Blueprint, Flask, Response, abort, redirect, render_template, request, send_file

import pcf

PLOTLY_FILE = "plotly-basic-4.1.1.min.js"
"""The vendored Plotly bundle (``static/vendor/``)."""

STATIC_FILES = {
    "workbench.js": "workbench/workbench.js",
    "workbench.css": "workbench/workbench.css",
    PLOTLY_FILE: f"vendor/{PLOTLY_FILE}",
    "plotly-LICENSE.txt": "vendor/plotly-LICENSE.txt",
}
"""Names served under ``/app/static/`` -> path under ``pcf/api/static/``; others are 404."""

PAGES = (
    ("compare", "Compare"),
    ("sweep", "Sweep"),
    ("orders", "Orders"),
    ("certificates", "Certificates"),
    ("reductions", "Reductions"),
)
"""Navigation: page name and title, in order."""

blp = Blueprint("workbench", __name__, url_prefix="/app",
                template_folder=str(Path(__file__).parent / "templates"))


def _static_dir() -> Path:
    return Path(str(resources.files("pcf.api").joinpath("static")))


def _catalogue() -> list[dict[str, Any]]:
    from pcf.service.footprints import list_products

    return list_products()


def _render(page: str, **context: Any) -> str:
    from pcf.service.footprints import database_info

    products = _catalogue()
    ids = [p["id"] for p in products]
    chosen = request.args.get("product")
    product = next((p for p in products if p["id"] == chosen), products[0] if products else None)
    try:
        version = database_info().get("version")
    except Exception:  # noqa: BLE001 - the page still works; the footer says "unknown"
        version = None
    return render_template(f"workbench/{page}.html", page=page, pages=PAGES,
                           products=products, product=product, product_ids=ids,
                           pcf_version=pcf.__version__, database_version=version,
                           plotly=PLOTLY_FILE, **context)


@blp.route("", methods=["GET"])
def home() -> str:
    """Sign-in page and overview."""
    return _render("home")


@blp.route("/<page>", methods=["GET"])
def view(page: str) -> Any:
    """One of the workbench pages (:data:`PAGES`)."""
    if page not in dict(PAGES):
        abort(404)
    context: dict[str, Any] = {}
    if page in ("reductions", "compare"):
        from pcf.service.targets import companies

        context["companies"] = companies()
    return _render(page, **context)


@blp.route("/static/<name>", methods=["GET"])
def static_file(name: str) -> Response:
    """A file of :data:`STATIC_FILES` (scripts, styles, the vendored chart library)."""
    path = STATIC_FILES.get(name)
    if path is None:
        abort(404)
    mimetype = {".js": "text/javascript", ".css": "text/css"}.get(Path(name).suffix,
                                                                  "text/plain")
    response = send_file(_static_dir() / path, mimetype=mimetype, max_age=3600)
    return response


def register_workbench(app: Flask) -> None:
    """Serve the workbench at ``/app`` (and ``/app/`` -> ``/app``)."""
    app.register_blueprint(blp)
    app.add_url_rule("/app/", "workbench_slash", lambda: redirect("/app"), methods=["GET"])
