"""Scenario 1: replicate a table to another region through its stream, with conditional writes.

Every item carries a numeric ``version`` that the application increments on each write.  The handler
copies each change to the same table in ``TARGET_REGION`` only if the copy there is older, so a
redelivered batch (Lambda retries a whole batch after a failure) or an out-of-date record changes nothing.
"""

from __future__ import annotations

import os
from typing import Any

import boto3
from botocore.exceptions import ClientError


def handler(event: dict[str, Any], context: Any) -> None:
    target = boto3.client("dynamodb", region_name=os.environ.get("TARGET_REGION", "eu-west-1"))
    for record in event["Records"]:
        table = record["eventSourceARN"].split(":table/")[1].split("/")[0]
        change = record["dynamodb"]
        try:
            if record["eventName"] == "REMOVE":
                target.delete_item(TableName=table, Key=change["Keys"],
                                   ConditionExpression="attribute_not_exists(version) OR version <= :v",
                                   ExpressionAttributeValues={":v": change["OldImage"]["version"]})
            else:
                target.put_item(TableName=table, Item=change["NewImage"],
                                ConditionExpression="attribute_not_exists(version) OR version < :v",
                                ExpressionAttributeValues={":v": change["NewImage"]["version"]})
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise   # a real failure: Lambda retries the batch, which is safe
            # Already applied, or the target holds a newer version: nothing to do.
