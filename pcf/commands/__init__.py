"""Click commands of the ``pcf`` CLI added by the API/persistence part: ``tenants``,
``orders`` and ``serve`` (registered in :mod:`pcf.cli`)."""
