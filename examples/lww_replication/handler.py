"""Scenario 3: two-way replication with last-writer-wins on a timestamp attribute.

Both tables (one per region in ``REPLICA_REGIONS``) have a ``NEW_AND_OLD_IMAGES`` stream and this
handler on it.  Each item carries ``updated_at`` (epoch milliseconds, set by the application) and
``origin`` (the region that wrote it).  A change is copied to the other region only if it is later than
what is there (ties go to the higher region name), so both regions converge on the same item.  The copy
echoes back through the other region's stream and stops there: it is not later than itself.
"""

from __future__ import annotations

import os
from typing import Any

import boto3
from botocore.exceptions import ClientError

LATER = ("attribute_not_exists(updated_at) OR updated_at < :ts OR (updated_at = :ts AND origin < :origin)")


def handler(event: dict[str, Any], context: Any) -> None:
    regions = os.environ.get("REPLICA_REGIONS", "us-east-1,eu-west-1").split(",")
    for record in event["Records"]:
        here = record["awsRegion"]
        table = record["eventSourceARN"].split(":table/")[1].split("/")[0]
        change = record["dynamodb"]
        for region in regions:
            if region == here:
                continue
            target = boto3.client("dynamodb", region_name=region)
            try:
                if record["eventName"] == "REMOVE":
                    old = change["OldImage"]
                    target.delete_item(TableName=table, Key=change["Keys"],
                                       ConditionExpression="attribute_not_exists(updated_at) OR updated_at <= :ts",
                                       ExpressionAttributeValues={":ts": old["updated_at"]})
                else:
                    new = change["NewImage"]
                    target.put_item(TableName=table, Item=new, ConditionExpression=LATER,
                                    ExpressionAttributeValues={":ts": new["updated_at"], ":origin": new["origin"]})
            except ClientError as exc:
                if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
                    raise
                # The other region already holds this write or a later one: last writer wins.
