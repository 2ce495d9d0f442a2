"""JSON Schema of pcf's PACT data model extension (the ``data`` of ``extensions[0]``).

Served at :data:`pcf.certificates.settings.EXTENSION_SCHEMA_PATH`, the URL every certificate
names as the extension's ``dataSchema`` (PACT v3 ``DataModelExtension``: "the URL to the
publicly accessible Extension Schema File"). It describes the order line, the calculation
inputs (what ``pcf certificates verify`` recomputes from) and the data-quality notes.
"""

from __future__ import annotations

from typing import Any

from pcf.certificates.settings import EXTENSION_SCHEMA

_PARTS = {"type": "object", "required": ["total", "fossil", "biogenic", "landUse"],
          "properties": {k: {"type": "number"} for k in ("total", "fossil", "biogenic",
                                                         "landUse")},
          "description": "kg CO2e: total = fossil + biogenic + landUse"}


def schema(url: str) -> dict[str, Any]:
    """The extension's JSON Schema (draft 2020-12), ``$id`` = ``url``."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": url,
        "title": "pcf order-line certificate extension 1.0.0",
        "description": f"{EXTENSION_SCHEMA}: the order line a footprint certificate "
                       "certifies, the inputs of its calculation (recomputable with pcf), "
                       "data-quality notes and the product classifications with sources.",
        "type": "object",
        "required": ["certificateNumber", "orderLine", "calculation", "dataQuality"],
        "properties": {
            "certificateNumber": {"type": "string", "pattern": r"^PCF-\d{4}-\d{6,}$"},
            "orderLine": {
                "type": "object",
                "required": ["orderId", "lineId", "customer", "quantity", "unit",
                             "quantityInDeclaredUnit", "kgCO2e"],
                "properties": {
                    "orderId": {"type": "string"}, "lineId": {"type": "string"},
                    "customer": {"type": "string"},
                    "orderedAt": {"type": "string", "format": "date-time"},
                    "quantity": {"type": "number", "exclusiveMinimum": 0},
                    "unit": {"type": "string"},
                    "quantityInDeclaredUnit": {"type": "number", "exclusiveMinimum": 0},
                    "kgCO2e": _PARTS,
                    "asScored": {"type": "object"}}},
            "calculation": {
                "type": "object",
                "required": ["product", "parameters", "declaredUnit",
                             "kgCO2ePerDeclaredUnit", "stages", "databaseVersion"],
                "properties": {
                    "product": {"type": "string"},
                    "variant": {"type": ["string", "null"]},
                    "parameters": {"type": "object"},
                    "requestedParameters": {"type": "object"},
                    "declaredUnit": {"type": "string"},
                    "kgCO2ePerDeclaredUnit": _PARTS,
                    "stages": {"type": "array", "items": {
                        "type": "object", "required": ["stage", "kgCO2ePerDeclaredUnit"]}},
                    "boundary": {"type": "string"},
                    "recycledContentMethod": {"type": "string"},
                    "electricityAccounting": {"type": "string"},
                    "databaseVersion": {"type": "string"},
                    "modelVersion": {"type": "string"},
                    "productDefinitionSha256": {"type": "string"},
                    "supplyMix": {
                        "type": "array",
                        "description": "A company's purchased-material mix: the footprint is "
                                       "the share-weighted sum of one footprint per line, "
                                       "each computed with its own parameters",
                        "items": {"type": "object",
                                  "required": ["label", "share", "parameters",
                                               "kgCO2ePerDeclaredUnit"],
                                  "properties": {
                                      "label": {"type": "string"},
                                      "share": {"type": "number"},
                                      "origin": {"type": ["string", "null"]},
                                      "parameters": {"type": "object"},
                                      "kgCO2ePerDeclaredUnit": {"type": "number"}}}}}},
            "dataQuality": {"type": "object"},
            "productClassifications": {"type": "array", "items": {
                "type": "object", "required": ["urn", "system", "code", "source"]}},
            "carbonContent": {"type": "object"},
            "company": {"type": "object", "description": "A company's line: its id and the "
                        "reporting year whose settings and supplier figures were used",
                        "properties": {"id": {"type": "string"}, "year": {"type": "integer"}}},
            "supplierFootprints": {"type": "array", "description": "Stored supplier figures "
                                   "used: per input the covered share, the share-weighted "
                                   "figure (kg CO2e per kg) and the records", "items": {
                                       "type": "object",
                                       "required": ["input", "coveredShare", "kgCO2ePerKg",
                                                    "records"]}},
        },
    }
