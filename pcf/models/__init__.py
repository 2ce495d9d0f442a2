"""Product-system models: parameter specifications, variants, resolution of user settings."""

from pcf.models.product import ProductModel, Settings

__all__ = ["ProductModel", "Settings"]
