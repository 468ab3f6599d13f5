"""ClientRequestToken idempotency: one store-backed mechanism for TransactWriteItems and ExecuteTransaction."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from riverbed.errors import IdempotentParameterMismatchException
from riverbed.services.dynamodb import idempotency
from riverbed.services.dynamodb.idempotency import ClientToken
from riverbed.storage import open_store

ACTIONS = [{"Put": {"TableName": "t", "Item": {"pk": {"S": "a"}}}}]


@pytest.fixture
def store(tmp_path):
    s = open_store("sqlite", str(tmp_path))
    yield s
    s.close()


def token(name: str = "tok", parameters: object = ACTIONS, *, account: str = "1", region: str = "r",
          operation: str = "TransactWriteItems") -> ClientToken:
    found = ClientToken.of(account, region, operation, name, parameters)
    assert found is not None
    return found


def test_no_token_no_memory(store):
    assert ClientToken.of("1", "r", "TransactWriteItems", None, ACTIONS) is None
    assert ClientToken.of("1", "r", "TransactWriteItems", "", ACTIONS) is None
    assert idempotency.replay(store, None, 0.0) is None
    with store.transaction() as txn:
        idempotency.remember(txn, None, {"x": 1}, 0.0)


def test_replay_within_ten_minutes_of_finishing_then_lapse(store):
    assert idempotency.replay(store, token(), 100.0) is None
    with store.transaction() as txn:
        idempotency.remember(txn, token(), {"ConsumedCapacity": [{"TableName": "t", "CapacityUnits": 2.0}]},
                             100.0)
    # parameter order inside a request does not matter; the digest is over sorted keys
    same = token(parameters=[{"Put": {"Item": {"pk": {"S": "a"}}, "TableName": "t"}}])
    assert idempotency.replay(store, same, 699.9) == {"ConsumedCapacity": [{"TableName": "t",
                                                                             "CapacityUnits": 2.0}]}
    assert idempotency.replay(store, same, 700.0) is None


def test_same_token_different_parameters_is_a_mismatch(store):
    with store.transaction() as txn:
        idempotency.remember(txn, token(), {}, 0.0)
    with pytest.raises(IdempotentParameterMismatchException) as exc:
        idempotency.replay(store, token(parameters=[*ACTIONS, {"Delete": {}}]), 10.0)
    assert exc.value.message == "Request with the same client token was received with different parameters"


def test_tokens_are_scoped_to_account_region_and_operation(store):
    with store.transaction() as txn:
        idempotency.remember(txn, token(), {"first": True}, 0.0)
    for other in (token(account="2"), token(region="q"), token(operation="ExecuteTransaction")):
        assert idempotency.replay(store, other, 1.0) is None


def test_a_rolled_back_request_leaves_no_token(store):
    with pytest.raises(RuntimeError), store.transaction() as txn:
        idempotency.remember(txn, token(), {}, 0.0)
        raise RuntimeError("cancelled")
    assert idempotency.replay(store, token(), 1.0) is None


def test_recording_a_token_prunes_lapsed_ones(store):
    with store.transaction() as txn:
        idempotency.remember(txn, token("old"), {}, 0.0)
        idempotency.remember(txn, token("new"), {}, 1000.0)
        assert txn.drop_keys(idempotency.NAMESPACE) == 1      # only "new" was left


def test_tokens_survive_a_restart(tmp_path):
    s = open_store("sqlite", str(tmp_path))
    with s.transaction() as txn:
        idempotency.remember(txn, token(), {"Responses": []}, 0.0)
    s.close()
    s = open_store("sqlite", str(tmp_path))
    try:
        assert idempotency.replay(s, token(), 599.0) == {"Responses": []}
    finally:
        s.close()


def _counter(ddb, table: str) -> str:
    return ddb.get_item(TableName=table, Key={"pk": {"S": "ctr"}})["Item"]["n"]["N"]


def test_both_operations_through_a_server_on_a_manual_clock_and_a_restart(tmp_path):
    import riverbed

    update = [{"Update": {"TableName": "tbl", "Key": {"pk": {"S": "ctr"}}, "UpdateExpression": "ADD n :one",
                          "ExpressionAttributeValues": {":one": {"N": "1"}}}}]
    statements = [{"Statement": "UPDATE \"tbl\" SET m = 1 WHERE pk = 'ctr'"}]
    with riverbed.Riverbed(clock="manual", data_dir=str(tmp_path)) as rb:
        ddb = rb.client("dynamodb")
        ddb.create_table(TableName="tbl", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                         AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                         BillingMode="PAY_PER_REQUEST")
        ddb.transact_write_items(TransactItems=update, ClientRequestToken="tok")
        ddb.execute_transaction(TransactStatements=statements, ClientRequestToken="tok")   # its own scope
        ddb.transact_write_items(TransactItems=update, ClientRequestToken="tok")
        assert _counter(ddb, "tbl") == "1"
        rb.clock.advance(601)
        ddb.transact_write_items(TransactItems=update, ClientRequestToken="tok")            # lapsed: runs again
        assert _counter(ddb, "tbl") == "2"
    with riverbed.Riverbed(clock="manual", data_dir=str(tmp_path), start=rb.clock.now()) as rb:
        ddb = rb.client("dynamodb")
        ddb.transact_write_items(TransactItems=update, ClientRequestToken="tok")            # remembered on disk
        assert _counter(ddb, "tbl") == "2"
        with pytest.raises(ClientError) as exc:
            ddb.transact_write_items(TransactItems=[*update, {"Put": {"TableName": "tbl", "Item": {"pk": {"S": "o"}}}}],
                                     ClientRequestToken="tok")
        assert exc.value.response["Error"]["Code"] == "IdempotentParameterMismatchException"
