"""DynamoDB Streams request errors as DynamoDB answers them: malformed ARNs, limits, shard filters, paging.

Sources: ScyllaDB Alternator's test/alternator/test_streams.py (run against DynamoDB) and the Streams API
reference; each test names what it follows.
"""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from tests.conftest import create_table

NOT_AN_ARN = "sdfadfsdfnlfkajakfgjalksfgklasjklasdjfklasdfasdfgasf"


def _err(excinfo: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    return excinfo.value.response["Error"]["Code"], excinfo.value.response["Error"]["Message"]


@pytest.fixture
def stream_arn(ddb, table_name: str) -> str:
    return create_table(ddb, table_name, stream="KEYS_ONLY")["LatestStreamArn"]


def test_malformed_stream_arn_is_a_validation_error_everywhere(streams, stream_arn: str) -> None:
    # Alternator test_describe_nonexistent_stream / test_get_shard_iterator_for_nonexistent_stream /
    # test_list_streams_with_nonexistent_last_stream.
    shard = streams.describe_stream(StreamArn=stream_arn)["StreamDescription"]["Shards"][0]["ShardId"]
    calls = [lambda: streams.describe_stream(StreamArn=NOT_AN_ARN),
             lambda: streams.get_shard_iterator(StreamArn=NOT_AN_ARN, ShardId=shard, ShardIteratorType="LATEST"),
             lambda: streams.list_streams(ExclusiveStartStreamArn=NOT_AN_ARN)]
    for call in calls:
        with pytest.raises(ClientError) as exc:
            call()
        assert _err(exc) == ("ValidationException", "Invalid StreamArn")


def test_well_formed_unknown_stream_arn_is_not_found(streams, stream_arn: str) -> None:
    unknown = stream_arn.rsplit("/", 1)[0] + "/2000-01-01T00:00:00.000"
    with pytest.raises(ClientError) as exc:
        streams.describe_stream(StreamArn=unknown)
    assert _err(exc) == ("ResourceNotFoundException", f"Requested resource not found: Stream: {unknown} not found")


def test_unknown_exclusive_start_shard_id_gives_no_further_shards(streams, stream_arn: str) -> None:
    # Alternator test_describe_stream_with_nonexistent_last_shard: DynamoDB does not raise.
    desc = streams.describe_stream(StreamArn=stream_arn,
                                   ExclusiveStartShardId="zzzzzzzzzzzzzzzzzzzzzzzzsfasdgagadfadfgagkjsdfsfsdjfjks")
    assert desc["StreamDescription"]["Shards"] == []
    last = streams.describe_stream(StreamArn=stream_arn)["StreamDescription"]["Shards"][-1]["ShardId"]
    assert streams.describe_stream(StreamArn=stream_arn,
                                   ExclusiveStartShardId=last)["StreamDescription"]["Shards"] == []


def test_shard_filter_needs_type_and_shard_id(streams, stream_arn: str) -> None:
    shard = streams.describe_stream(StreamArn=stream_arn)["StreamDescription"]["Shards"][0]["ShardId"]
    with pytest.raises(ClientError) as exc:
        streams.describe_stream(StreamArn=stream_arn, ShardFilter={"ShardId": shard})
    assert _err(exc) == ("ValidationException", ("1 validation error detected: Value null at 'shardFilter.type' "
                                                 "failed to satisfy constraint: Member must not be null"))
    with pytest.raises(ClientError) as exc:
        streams.describe_stream(StreamArn=stream_arn, ShardFilter={"Type": "CHILD_SHARDS"})
    assert _err(exc)[0] == "ValidationException" and "'shardFilter.shardId'" in _err(exc)[1]
    children = streams.describe_stream(StreamArn=stream_arn, ShardFilter={"Type": "CHILD_SHARDS", "ShardId": shard})
    assert children["StreamDescription"]["Shards"] == []


def test_limits_above_the_documented_maximum(streams, stream_arn: str) -> None:
    for call, limit in ((lambda: streams.list_streams(Limit=101), 100),
                        (lambda: streams.describe_stream(StreamArn=stream_arn, Limit=101), 100)):
        with pytest.raises(ClientError) as exc:
            call()
        assert _err(exc) == ("ValidationException", (f"1 validation error detected: Value '{limit + 1}' at 'limit' "
                             f"failed to satisfy constraint: Member must have value less than or equal to {limit}"))


def test_disabling_a_stream_that_is_not_enabled(ddb, table_name: str) -> None:
    # Alternator test_streams_disable_on_disabled: ValidationException matching "stream.*disable".
    create_table(ddb, table_name)
    with pytest.raises(ClientError) as exc:
        ddb.update_table(TableName=table_name, StreamSpecification={"StreamEnabled": False})
    code, message = _err(exc)
    assert code == "ValidationException"
    assert "stream" in message and "disable" in message.split("stream", 1)[1]
