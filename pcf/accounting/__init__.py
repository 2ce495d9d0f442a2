"""Methodology labels and rules: recycled-content rule, electricity accounting, boundary."""
