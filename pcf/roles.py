"""The roles of API tenants: the one list (a light module, so the CLI can offer them as
choices without loading the database layer).

- ``customer``: footprints and its own orders;
- ``engineer``: also comparisons, reductions and certificates;
- ``admin``: everything, and may act for another tenant (:func:`pcf.service.tenants.acting_for`).
"""

ROLES = ("customer", "engineer", "admin")
"""Allowed values of a tenant's role."""
