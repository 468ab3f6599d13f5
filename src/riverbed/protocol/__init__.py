"""The wire: bytes <-> (service, operation, dict), driven by botocore's service models.

Owns: loading the service models (``models``), validating requests against them (``validate``),
and the generic protocols -- AWS query with its XML answers (``query``, ``xml``) and REST-JSON
(``restjson``) -- plus the gateway that routes a request to a service (``gateway``, ``asgi``).

Must not: know what any operation does.  Services take and return plain dicts in AWS's shape;
headers, status codes, JSON/XML text and error wire forms live only here.
"""
