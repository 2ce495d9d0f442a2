"""The PACT Technical Specifications v3 data exchange: pcf as a PACT host, and a PACT client.

No Flask, no store, no use case here: these modules work on data they are handed, and
:mod:`pcf.service.pact` wires them to the store and the certificates; the thin views are in
:mod:`pcf.api.pact`.

==============  =================================================================
module          what
==============  =================================================================
``tokens``      short-lived signed access tokens (JWT, HS256) for ``/auth/token``
``keyfile``     secrets under ``$PCF_HOME/keys``, made once, atomically
``secrets``     encryption of the callback client secrets stored in the database
``filters``     the ListFootprints / RequestCreatedEvent criteria and their matching
``host``        pages of footprints, ``Link`` headers, the served document
``events``      CloudEvents: validation of received events, the response events,
                callback targets and allowed origins
``client``      a PACT client: token, list (with pagination), get, post an event
``delivery``    retry schedule of outbound events (exponential backoff, 72 h)
``worker``      the background thread that fulfils requests and delivers responses
==============  =================================================================

Sources: PACT Technical Specifications v3.0.3 (``wbcsd/data-exchange-protocol``
``spec/v3/rest-api.md`` and ``openapi.yaml``), the conformance suite
``wbcsd/pact-conformance-service`` (``src/test-cases/v3-test-cases.ts``).
"""
