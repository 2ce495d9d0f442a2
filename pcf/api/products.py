"""``GET /v1/products`` and ``GET /v1/products/{id}`` (public): the product catalogue."""

from __future__ import annotations

from pcf.api.auth import public
from pcf.api.blueprint import Blueprint, json_response
from pcf.api.schemas import ProductListSchema, ProductSchema
from pcf.errors import InvalidInput, UnknownProduct

blp = Blueprint("products", __name__, url_prefix="/v1/products",
                description="Product systems with their parameters and variants (public).")


def _service():
    from pcf import service

    return service


@blp.route("", methods=["GET"])
@public
@blp.response(200, ProductListSchema)
def list_products():
    """List the products.

    Each product has its declared unit, stages, parameters (name, type, unit, default, range or
    choices, source) and variants (named parameter sets).
    """
    return json_response({"products": _service().list_products()})


@blp.route("/<string:product_id>", methods=["GET"])
@public
@blp.response(200, ProductSchema)
@blp.alt_response(404, response="NOT_FOUND")
def get_product(product_id: str):
    """Get one product with its parameters and variants (404 for an unknown id)."""
    try:
        product = _service().get_product(product_id)
    except InvalidInput as exc:
        if exc.field in (None, "product", "product_id", "id"):
            raise UnknownProduct(f"no product {product_id!r}", field="product",
                                allowed=exc.allowed) from None
        raise
    return json_response(product)
