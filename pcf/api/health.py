"""``GET /health``: liveness and store connectivity (public)."""

from __future__ import annotations

from flask import current_app

import pcf
from pcf.api.auth import public
from pcf.api.blueprint import Blueprint, json_response
from pcf.api.schemas import HealthSchema

blp = Blueprint("health", __name__, description="Service health")


@blp.route("/health", methods=["GET"])
@public
@blp.response(200, HealthSchema)
@blp.alt_response(503, response="SERVICE_UNAVAILABLE")
def health():
    """Service health.

    Answers 200 ``{"status": "ok", "version", "store": "ok"}`` when the application database
    answers, else 503.
    """
    current_app.extensions["pcf"].store.check_health()  # StoreUnavailable -> 503
    return json_response({"status": "ok", "version": pcf.__version__, "store": "ok"})
