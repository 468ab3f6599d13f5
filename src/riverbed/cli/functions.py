"""``riverbed invoke`` and ``riverbed deploy``: a function called, or a directory made a triggered function.

Owns: ``invoke FUNCTION [--payload JSON|@file]`` (Lambda Invoke, RequestResponse, with the log tail)
and ``deploy DIR --handler H [--name N] [--table T ...]``: the three AWS CLI steps of a stream
pipeline in one command -- zip the directory, create the execution role when none is given (trusting
lambda.amazonaws.com, with the managed AWSLambdaDynamoDBExecutionRole attached), create or update the
function and wait until it is Active, then create (or update) one event source mapping per table on
its latest stream.

Must not: do anything the public APIs do not: every step is a boto3 call any user could make.
"""

from __future__ import annotations

import base64
import io
import json
import os
import zipfile
from pathlib import Path
from typing import Any

from riverbed.cli.common import CommandError, Output, client
from riverbed.clock import SystemClock

DYNAMODB_EXECUTION_POLICY = "arn:aws:iam::aws:policy/service-role/AWSLambdaDynamoDBExecutionRole"
TRUST_POLICY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                         "Principal": {"Service": "lambda.amazonaws.com"}}]}
SKIPPED_DIRS = {"__pycache__", ".git", ".venv", ".riverbed", "node_modules"}


def _payload(value: str | None) -> bytes:
    if value is None:
        return b"{}"
    if value.startswith("@"):
        try:
            return Path(value[1:]).read_bytes()
        except OSError as exc:
            raise CommandError(f"cannot read {value[1:]}: {exc.strerror}") from exc
    try:
        json.loads(value)
    except ValueError as exc:
        raise CommandError(f"--payload is not JSON: {exc}") from exc
    return value.encode()


def _aws(call: Any, **params: Any) -> Any:
    from botocore.exceptions import ClientError

    try:
        return call(**params)
    except ClientError as exc:
        error = exc.response["Error"]
        raise CommandError(f"{error.get('Code')}: {error.get('Message')}") from exc


def run_invoke(endpoint_url: str, function: str, payload: str | None, region: str | None, out: Output) -> int:
    lam = client("lambda", endpoint_url, region)
    answer = _aws(lam.invoke, FunctionName=function, Payload=_payload(payload), LogType="Tail")
    body = answer["Payload"].read().decode()
    log = base64.b64decode(answer.get("LogResult") or b"").decode(errors="replace")
    error = answer.get("FunctionError")
    if out.json:
        try:
            parsed: Any = json.loads(body) if body else None
        except ValueError:
            parsed = body
        out.document({"StatusCode": answer["StatusCode"], "FunctionError": error, "Payload": parsed,
                      "ExecutedVersion": answer.get("ExecutedVersion"), "LogTail": log})
    else:
        if log:
            for line in log.rstrip("\n").splitlines():
                out.line(line, "dim")
        out.line(body, "red" if error else "green")
        if error:
            out.line(f"function error: {error}", "bold red")
    return 1 if error else 0


def zip_directory(directory: Path) -> bytes:
    """The directory's files at the zip's root (as ``zip -r`` run inside it), deterministic order."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for root, dirs, files in os.walk(directory):
            dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS)
            for name in sorted(files):
                if name.endswith(".pyc"):
                    continue
                path = Path(root) / name
                archive.write(path, path.relative_to(directory).as_posix())
    return buffer.getvalue()


def _role(iam: Any, function: str) -> str:
    from botocore.exceptions import ClientError

    name = f"riverbed-{function}-role"[:64]
    try:
        arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(TRUST_POLICY))["Role"]["Arn"]
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "EntityAlreadyExists":
            raise CommandError(f"creating role {name}: {exc.response['Error'].get('Message')}") from exc
        arn = iam.get_role(RoleName=name)["Role"]["Arn"]
    _aws(iam.attach_role_policy, RoleName=name, PolicyArn=DYNAMODB_EXECUTION_POLICY)
    return str(arn)


def _wait_active(lam: Any, name: str, timeout: float = 60.0) -> dict[str, Any]:
    clock = SystemClock()
    waited = 0.0
    while True:
        config = _aws(lam.get_function_configuration, FunctionName=name)
        if config.get("State") == "Failed" or config.get("LastUpdateStatus") == "Failed":
            reason = config.get("StateReason") or config.get("LastUpdateStatusReason")
            raise CommandError(f"function {name} failed: {reason}")
        if config.get("State", "Active") == "Active" and config.get("LastUpdateStatus", "Successful") == "Successful":
            return dict(config)
        if waited >= timeout:
            raise CommandError(f"function {name} is not Active after {timeout:.0f} s (State {config.get('State')})")
        clock.sleep_blocking_real(0.25)
        waited += 0.25


def run_deploy(endpoint_url: str, directory: str, handler: str, out: Output, *, name: str | None = None,
               runtime: str = "python3.12", role: str | None = None, tables: list[str] | None = None,
               starting_position: str = "LATEST", batch_size: int | None = None, timeout: int | None = None,
               memory: int | None = None, region: str | None = None) -> int:
    root = Path(directory)
    if not root.is_dir():
        raise CommandError(f"{directory} is not a directory")
    name = name or root.resolve().name
    lam = client("lambda", endpoint_url, region)
    result: dict[str, Any] = {"FunctionName": name, "Mappings": []}
    with out.status(f"zipping {root}"):
        code = zip_directory(root)
    out.step(f"zipped {root} ({len(code):,} bytes)")
    if role is None:
        with out.status("creating the execution role"):
            role = _role(client("iam", endpoint_url, region), name)
        out.step(f"role {role} (AWSLambdaDynamoDBExecutionRole attached)")
    result["Role"] = role
    settings: dict[str, Any] = {"Handler": handler, "Runtime": runtime, "Role": role}
    if timeout is not None:
        settings["Timeout"] = timeout
    if memory is not None:
        settings["MemorySize"] = memory
    from botocore.exceptions import ClientError

    with out.status(f"creating or updating function {name}"):
        try:
            lam.get_function(FunctionName=name)
            exists = True
        except ClientError:
            exists = False
        if exists:
            _aws(lam.update_function_code, FunctionName=name, ZipFile=code)
            _wait_active(lam, name)
            _aws(lam.update_function_configuration, FunctionName=name, **settings)
        else:
            _aws(lam.create_function, FunctionName=name, Code={"ZipFile": code}, **settings)
    with out.status(f"waiting for {name} to become Active"):
        config = _wait_active(lam, name)
    result["FunctionArn"] = config["FunctionArn"]
    result["Updated"] = exists
    out.step(f"function {config['FunctionArn']} {'updated' if exists else 'created'}, Active")
    ddb = client("dynamodb", endpoint_url, region)
    for table in tables or []:
        stream_arn = _aws(ddb.describe_table, TableName=table)["Table"].get("LatestStreamArn")
        if not stream_arn:
            raise CommandError(f"table {table} has no stream (enable one with UpdateTable StreamSpecification)")
        found = _aws(lam.list_event_source_mappings, FunctionName=name, EventSourceArn=stream_arn)
        existing = found.get("EventSourceMappings", [])
        if existing:
            params: dict[str, Any] = {"UUID": existing[0]["UUID"]}
            if batch_size is not None:
                params["BatchSize"] = batch_size
            mapping = _aws(lam.update_event_source_mapping, **params)
        else:
            params = {"FunctionName": name, "EventSourceArn": stream_arn, "StartingPosition": starting_position}
            if batch_size is not None:
                params["BatchSize"] = batch_size
            mapping = _aws(lam.create_event_source_mapping, **params)
        result["Mappings"].append({"UUID": mapping["UUID"], "Table": table, "EventSourceArn": stream_arn,
                                   "State": mapping.get("State"), "BatchSize": mapping.get("BatchSize")})
        out.step(f"mapping {mapping['UUID']} {table} → {name} ({mapping.get('State')})")
    if out.json:
        out.document(result)
    return 0
