"""The Lambda service: functions (code + configuration in the store), the Lambda API, and invocation.

``wiring.wire(app)`` builds the :class:`~riverbed.services.lambda_.service.LambdaService` as
``app.lambda_`` with its :class:`~riverbed.runtime.Runtime`; ``operations/`` holds one module per API
action; the domain modules beside it are ``names`` (FunctionName forms), ``functions`` (documents and
how AWS renders them), ``code`` (zip checks and storage), ``parameters``/``config_fields``
(configuration rules), ``versions``, ``aliases``, ``policy``, ``asynchronous`` (Event invocations) and ``control``
(``/_riverbed/code`` and ``/_riverbed/logs``).

Must not: hold logic here.
"""
