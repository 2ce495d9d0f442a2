"""Read and validate ``databases/``, and write the Brightway project from it.

Only this package writes to Brightway (DESIGN.md, "Data flows one way").
"""
