"""pcf: product carbon footprint calculator."""
__version__ = "0.1.0"
