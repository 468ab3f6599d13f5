"""PartiQL through boto3: ExecuteStatement (SELECT as Query/Scan, INSERT, UPDATE, DELETE, RETURNING, paging),
BatchExecuteStatement, ExecuteTransaction, errors, and PartiQL writes on the table's stream."""

from __future__ import annotations

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from tests.conftest import create_table

NOT_WELL_FORMED = "Statement wasn't well formed, can't be processed: "


def _err(excinfo):
    return excinfo.value.response["Error"]["Code"], excinfo.value.response["Error"]["Message"]


@pytest.fixture
def table(ddb, table_name):
    create_table(ddb, table_name, range_key="sk", range_type="N", stream="NEW_AND_OLD_IMAGES")
    return table_name


def run(ddb, statement, *params, **kw):
    if params:
        kw["Parameters"] = list(params)
    out = ddb.execute_statement(Statement=statement, **kw)
    out.pop("ResponseMetadata", None)
    return out


def test_insert_and_select(ddb, table):
    run(ddb, f"""INSERT INTO "{table}" VALUE {{'pk': 'a', 'sk': 1, 'name': 'Alice', 'ok': true, 'none': null,
                 'tags': <<'x', 'y'>>, 'nums': <<1, 2>>, 'doc': {{'list': [1, 'two'], 'deep': {{'k': 'v'}}}}}}""")
    item = ddb.get_item(TableName=table, Key={"pk": {"S": "a"}, "sk": {"N": "1"}})["Item"]
    assert item["name"] == {"S": "Alice"} and item["ok"] == {"BOOL": True} and item["none"] == {"NULL": True}
    assert sorted(item["tags"]["SS"]) == ["x", "y"] and sorted(item["nums"]["NS"]) == ["1", "2"]
    assert item["doc"] == {"M": {"list": {"L": [{"N": "1"}, {"S": "two"}]}, "deep": {"M": {"k": {"S": "v"}}}}}
    run(ddb, f'INSERT INTO "{table}" VALUE {{\'pk\': ?, \'sk\': ?, \'b\': ?}}', {"S": "a"}, {"N": "2"}, {"B": b"\x01"})
    assert run(ddb, f'SELECT * FROM "{table}" WHERE pk = ?', {"S": "a"})["Items"][1]["b"] == {"B": b"\x01"}
    got = run(ddb, f'SELECT name, doc.deep.k, doc.list[1] FROM "{table}" WHERE pk = \'a\' AND sk = 1')["Items"]
    assert got == [{"name": {"S": "Alice"}, "doc": {"M": {"deep": {"M": {"k": {"S": "v"}}},
                                                          "list": {"L": [{"S": "two"}]}}}}]


def test_insert_duplicate_and_key_errors(ddb, table):
    run(ddb, f"INSERT INTO \"{table}\" VALUE {{'pk': 'a', 'sk': 1}}")
    with pytest.raises(ClientError) as exc:
        run(ddb, f"INSERT INTO \"{table}\" VALUE {{'pk': 'a', 'sk': 1, 'x': 1}}")
    assert _err(exc) == ("DuplicateItemException", "Duplicate primary key exists in table")
    assert "x" not in ddb.get_item(TableName=table, Key={"pk": {"S": "a"}, "sk": {"N": "1"}})["Item"]
    with pytest.raises(ClientError) as exc:
        run(ddb, f"INSERT INTO \"{table}\" VALUE {{'pk': 'b'}}")
    assert _err(exc)[0] == "ValidationException"


def test_select_query_scan_filters(ddb, table):
    for pk in ("a", "b"):
        for sk in range(5):
            run(ddb, f"INSERT INTO \"{table}\" VALUE {{'pk': '{pk}', 'sk': {sk}, 'v': {sk * 10}, "
                     f"'s': 'item-{pk}{sk}'}}")
    def keys(out):
        return [(i["pk"]["S"], int(i["sk"]["N"])) for i in out["Items"]]
    assert keys(run(ddb, f'SELECT * FROM "{table}" WHERE pk = \'a\' AND sk >= 3')) == [("a", 3), ("a", 4)]
    assert keys(run(ddb, f'SELECT * FROM "{table}" WHERE pk = \'a\' AND sk BETWEEN 1 AND 2')) == [("a", 1), ("a", 2)]
    assert keys(run(ddb, f'SELECT * FROM "{table}" WHERE pk = \'b\' AND sk <> 0 AND v < 30')) == [("b", 1), ("b", 2)]
    assert sorted(keys(run(ddb, f'SELECT * FROM "{table}" WHERE v IN [10, 40]'))) == [
        ("a", 1), ("a", 4), ("b", 1), ("b", 4)]
    assert sorted(keys(run(ddb, f'SELECT * FROM "{table}" WHERE begins_with(s, \'item-b\') AND NOT sk > 1'))) == [
        ("b", 0), ("b", 1)]
    assert sorted(keys(run(ddb, f'SELECT * FROM "{table}" WHERE sk = 0 OR v = 40'))) == [
        ("a", 0), ("a", 4), ("b", 0), ("b", 4)]
    run(ddb, f'UPDATE "{table}" SET extra = 1 WHERE pk = \'a\' AND sk = 2')
    assert keys(run(ddb, f'SELECT * FROM "{table}" WHERE extra IS NOT MISSING')) == [("a", 2)]
    assert len(run(ddb, f'SELECT * FROM "{table}" WHERE extra IS MISSING')["Items"]) == 9
    assert keys(run(ddb, f'SELECT * FROM "{table}" WHERE pk = \'a\' AND contains(s, \'a3\')')) == [("a", 3)]


def test_select_paging_with_limit_and_next_token(ddb, table):
    for sk in range(7):
        run(ddb, f"INSERT INTO \"{table}\" VALUE {{'pk': 'p', 'sk': {sk}}}")
    statement = f'SELECT sk FROM "{table}" WHERE pk = ?'
    seen, token = [], None
    while True:
        kw = {"NextToken": token} if token else {}
        out = run(ddb, statement, {"S": "p"}, Limit=3, **kw)
        seen.extend(int(i["sk"]["N"]) for i in out["Items"])
        token = out.get("NextToken")
        if not token:
            break
    assert seen == list(range(7))
    out = run(ddb, statement, {"S": "p"}, Limit=3)
    with pytest.raises(ClientError) as exc:
        run(ddb, statement, {"S": "other"}, NextToken=out["NextToken"])
    assert _err(exc)[0] == "ValidationException"


def test_update_forms_and_returning(ddb, table):
    run(ddb, f"INSERT INTO \"{table}\" VALUE {{'pk': 'a', 'sk': 1, 'n': 5, 'gone': 'x', 'l': [1], 'tags': <<'a'>>}}")
    out = run(ddb, f"""UPDATE "{table}" SET n = n + 2 SET msg = 'hi', l = list_append(l, [2])
                       SET tags = set_add(tags, <<'b'>>) REMOVE gone
                       WHERE pk = 'a' AND sk = 1 RETURNING ALL NEW *""")
    item = out["Items"][0]
    assert item["n"] == {"N": "7"} and item["msg"] == {"S": "hi"} and "gone" not in item
    assert item["l"] == {"L": [{"N": "1"}, {"N": "2"}]} and sorted(item["tags"]["SS"]) == ["a", "b"]
    out = run(ddb, f"UPDATE \"{table}\" SET n = 1 WHERE pk = 'a' AND sk = 1 RETURNING MODIFIED OLD *")
    assert out["Items"] == [{"n": {"N": "7"}}]
    out = run(ddb, f"UPDATE \"{table}\" SET n = 2 WHERE pk = 'a' AND sk = 1 RETURNING MODIFIED NEW *")
    assert out["Items"] == [{"n": {"N": "2"}}]
    assert run(ddb, f"UPDATE \"{table}\" SET n = 3 WHERE pk = 'a' AND sk = 1") == {"Items": []}
    # the rest of the WHERE clause is a condition
    with pytest.raises(ClientError) as exc:
        run(ddb, f"UPDATE \"{table}\" SET n = 9 WHERE pk = 'a' AND sk = 1 AND n = 100")
    assert _err(exc) == ("ConditionalCheckFailedException", "The conditional request failed")
    run(ddb, f"UPDATE \"{table}\" SET n = 9 WHERE pk = 'a' AND sk = 1 AND n = 3")
    # UPDATE is not an upsert
    with pytest.raises(ClientError) as exc:
        run(ddb, f"UPDATE \"{table}\" SET n = 1 WHERE pk = 'missing' AND sk = 1")
    assert _err(exc)[0] == "ConditionalCheckFailedException"
    assert "Item" not in ddb.get_item(TableName=table, Key={"pk": {"S": "missing"}, "sk": {"N": "1"}})
    with pytest.raises(ClientError) as exc:
        run(ddb, f"UPDATE \"{table}\" SET n = 1 WHERE pk = 'a' AND n = 9")
    assert _err(exc) == ("ValidationException",
                         "Where clause does not contain a mandatory equality on all key attributes")


def test_delete(ddb, table):
    run(ddb, f"INSERT INTO \"{table}\" VALUE {{'pk': 'a', 'sk': 1, 'v': 1}}")
    with pytest.raises(ClientError) as exc:
        run(ddb, f"DELETE FROM \"{table}\" WHERE pk = 'a' AND sk = 1 AND v = 2",
            ReturnValuesOnConditionCheckFailure="ALL_OLD")
    assert _err(exc)[0] == "ConditionalCheckFailedException"
    assert exc.value.response["Item"]["v"] == {"N": "1"}
    with pytest.raises(ClientError) as exc:
        run(ddb, f"DELETE FROM \"{table}\" WHERE pk = 'a' AND sk = 1 RETURNING ALL NEW *")
    assert _err(exc)[0] == "ValidationException"
    out = run(ddb, f"DELETE FROM \"{table}\" WHERE pk = 'a' AND sk = 1 RETURNING ALL OLD *")
    assert out["Items"][0]["v"] == {"N": "1"}
    assert run(ddb, f"DELETE FROM \"{table}\" WHERE pk = 'a' AND sk = 1") == {"Items": []}   # already gone


def test_statement_errors(ddb, endpoint, table):
    cases = [
        ("SELEC * FROM x", NOT_WELL_FORMED + "Expected data manipulation"),
        (f'SELECT * FROM "{table}" WHERE pk = ?', "Number of parameters in request and statement don't match."),
        (f"SELECT *, pk FROM \"{table}\"",
         "Other attributes should not be present in the projection when '*' is used."),
        (f"INSERT INTO \"{table}\" VALUE {{'pk': 'a', 'sk': 1}} RETURNING ALL OLD *",
         "RETURNING is not supported in INSERT"),
        (f"SELECT * FROM \"{table}\" WHERE v = MISSING", "MISSING must be compared using IS operator"),
        (f"SELECT * FROM \"{table}\" WHERE pk = 'a' extra", NOT_WELL_FORMED + "Unexpected token after expression"),
    ]
    for statement, message in cases:
        with pytest.raises(ClientError) as exc:
            run(ddb, statement)
        assert _err(exc) == ("ValidationException", message), statement
    with pytest.raises(ClientError) as exc:
        run(ddb, 'SELECT * FROM "no-such-table"')
    assert _err(exc)[0] == "ResourceNotFoundException"
    unchecked = boto3.client("dynamodb", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="test",
                             aws_secret_access_key="test", config=Config(parameter_validation=False))
    with pytest.raises(ClientError) as exc:
        unchecked.execute_statement(Statement=f'SELECT * FROM "{table}"', Parameters=[])
    assert _err(exc) == ("ValidationException", (
        "1 validation error detected: Value '[]' at 'parameters' failed to "
        "satisfy constraint: Member must have length greater than or equal to 1"))


def test_select_on_index(ddb, table_name):
    ddb.create_table(
        TableName=table_name, BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "g",
                                                                              "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        GlobalSecondaryIndexes=[{"IndexName": "by-g", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                 "Projection": {"ProjectionType": "ALL"}}])
    for i in range(4):
        run(ddb, f"INSERT INTO \"{table_name}\" VALUE {{'pk': 'p{i}', 'g': '{'even' if i % 2 == 0 else 'odd'}'}}")
    got = run(ddb, f'SELECT pk FROM "{table_name}"."by-g" WHERE g = \'even\'')["Items"]
    assert sorted(i["pk"]["S"] for i in got) == ["p0", "p2"]
    with pytest.raises(ClientError) as exc:
        run(ddb, f'SELECT pk FROM "{table_name}"."by-g" WHERE g = \'even\'', ConsistentRead=True)
    assert _err(exc)[0] == "ValidationException"


def test_partiql_writes_are_on_the_stream(ddb, streams, table):
    run(ddb, f"INSERT INTO \"{table}\" VALUE {{'pk': 's', 'sk': 1, 'v': 1}}")
    run(ddb, f"UPDATE \"{table}\" SET v = 2 WHERE pk = 's' AND sk = 1")
    ddb.batch_execute_statement(Statements=[
        {"Statement": f"INSERT INTO \"{table}\" VALUE {{'pk': 's', 'sk': 2}}"},
        {"Statement": f"UPDATE \"{table}\" SET w = 1 WHERE pk = 's' AND sk = 2"}])
    ddb.execute_transaction(TransactStatements=[
        {"Statement": f"DELETE FROM \"{table}\" WHERE pk = 's' AND sk = 1"},
        {"Statement": f"INSERT INTO \"{table}\" VALUE {{'pk': 's', 'sk': 3}}"}])
    arn = ddb.describe_table(TableName=table)["Table"]["LatestStreamArn"]
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard,
                                          ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    records = streams.get_records(ShardIterator=iterator)["Records"]
    assert [r["eventName"] for r in records] == ["INSERT", "MODIFY", "INSERT", "MODIFY", "REMOVE", "INSERT"]
    modify = records[1]["dynamodb"]
    assert modify["OldImage"]["v"] == {"N": "1"} and modify["NewImage"]["v"] == {"N": "2"}
    assert records[4]["dynamodb"]["Keys"] == {"pk": {"S": "s"}, "sk": {"N": "1"}}


def test_batch_execute_statement(ddb, table):
    run(ddb, f"INSERT INTO \"{table}\" VALUE {{'pk': 'a', 'sk': 1, 'v': 1}}")
    out = ddb.batch_execute_statement(Statements=[
        {"Statement": f"INSERT INTO \"{table}\" VALUE {{'pk': 'a', 'sk': 1}}"},
        {"Statement": f"INSERT INTO \"{table}\" VALUE {{'pk': 'a', 'sk': 2}}"},
        {"Statement": f"UPDATE \"{table}\" SET v = 5 WHERE pk = 'a' AND sk = 1 AND v = 99",
         "ReturnValuesOnConditionCheckFailure": "ALL_OLD"},
        {"Statement": "INSERT INTO nonsense"},
    ])["Responses"]
    assert out[0]["Error"] == {"Code": "DuplicateItem", "Message": "Duplicate primary key exists in table"}
    assert out[1] == {"TableName": table}
    assert out[2]["Error"]["Code"] == "ConditionalCheckFailed" and out[2]["Error"]["Item"]["v"] == {"N": "1"}
    assert out[3]["Error"]["Code"] == "ValidationError"
    reads = ddb.batch_execute_statement(Statements=[
        {"Statement": f"SELECT * FROM \"{table}\" WHERE pk = ? AND sk = ?", "Parameters": [{"S": "a"}, {"N": "1"}]},
        {"Statement": f"SELECT v FROM \"{table}\" WHERE pk = 'a' AND sk = 404"},
        {"Statement": f"SELECT * FROM \"{table}\" WHERE pk = 'a'"},
    ])["Responses"]
    assert reads[0]["Item"]["v"] == {"N": "1"} and reads[0]["TableName"] == table
    assert reads[1] == {"TableName": table}
    assert reads[2]["Error"] == {"Code": "ValidationError", "Message": "Where clause does not contain a mandatory "
                                                                       "equality on all key attributes"}
    with pytest.raises(ClientError) as exc:
        ddb.batch_execute_statement(Statements=[
            {"Statement": f"SELECT * FROM \"{table}\" WHERE pk = 'a' AND sk = 1"},
            {"Statement": f"DELETE FROM \"{table}\" WHERE pk = 'a' AND sk = 1"}])
    assert _err(exc)[0] == "ValidationException"


def test_execute_transaction(ddb, table):
    run(ddb, f"INSERT INTO \"{table}\" VALUE {{'pk': 'a', 'sk': 1, 'v': 1}}")
    with pytest.raises(ClientError) as exc:
        ddb.execute_transaction(TransactStatements=[
            {"Statement": f"INSERT INTO \"{table}\" VALUE {{'pk': 'b', 'sk': 1}}"},
            {"Statement": f"INSERT INTO \"{table}\" VALUE {{'pk': 'a', 'sk': 1}}"},
            {"Statement": f"UPDATE \"{table}\" SET v = 2 WHERE pk = 'c' AND sk = 1"}])
    assert _err(exc) == ("TransactionCanceledException", ("Transaction cancelled, please refer cancellation reasons "
                                                         "for specific reasons [None, DuplicateItem, "
                                                         "ConditionalCheckFailed]"))
    assert [r["Code"] for r in exc.value.response["CancellationReasons"]] == [
        "None", "DuplicateItem", "ConditionalCheckFailed"]
    assert "Item" not in ddb.get_item(TableName=table, Key={"pk": {"S": "b"}, "sk": {"N": "1"}})   # nothing applied
    with pytest.raises(ClientError) as exc:
        ddb.execute_transaction(TransactStatements=[
            {"Statement": f"EXISTS(SELECT * FROM \"{table}\" WHERE pk = 'a' AND sk = 1 AND v = 2)"},
            {"Statement": f"INSERT INTO \"{table}\" VALUE {{'pk': 'b', 'sk': 1}}"}])
    assert [r["Code"] for r in exc.value.response["CancellationReasons"]] == ["ConditionalCheckFailed", "None"]
    token = f"token-{table}"  # tokens are account-wide for 10 minutes: unique per run
    run(ddb, f"INSERT INTO \"{table}\" VALUE {{'pk': 'c', 'sk': 1, 'v': 1}}")
    statements = [{"Statement": f"EXISTS(SELECT * FROM \"{table}\" WHERE pk = 'c' AND sk = 1 AND v = 1)"},
                  {"Statement": f"UPDATE \"{table}\" SET v = v + 1 WHERE pk = 'a' AND sk = 1"},
                  {"Statement": f"INSERT INTO \"{table}\" VALUE {{'pk': 'b', 'sk': 1}}"}]
    assert ddb.execute_transaction(TransactStatements=statements, ClientRequestToken=token)["Responses"] == []
    ddb.execute_transaction(TransactStatements=statements, ClientRequestToken=token)     # idempotent replay
    assert ddb.get_item(TableName=table, Key={"pk": {"S": "a"}, "sk": {"N": "1"}})["Item"]["v"] == {"N": "2"}
    reads = ddb.execute_transaction(TransactStatements=[
        {"Statement": f"SELECT v FROM \"{table}\" WHERE pk = 'a' AND sk = 1"},
        {"Statement": f"SELECT * FROM \"{table}\" WHERE pk = 'zz' AND sk = 1"}])["Responses"]
    assert reads == [{"Item": {"v": {"N": "2"}}}, {}]
    with pytest.raises(ClientError) as exc:
        ddb.execute_transaction(TransactStatements=[{"Statement": f"SELECT * FROM \"{table}\" WHERE pk = 'a'"}])
    assert _err(exc) == ("ValidationException", ("Select statements within ExecuteTransaction must specify the "
                                                "primary key in the where clause."))
    with pytest.raises(ClientError) as exc:
        ddb.execute_transaction(TransactStatements=[
            {"Statement": f"UPDATE \"{table}\" SET v = 1 WHERE pk = 'a' AND sk = 1"},
            {"Statement": f"DELETE FROM \"{table}\" WHERE pk = 'a' AND sk = 1"}])
    assert _err(exc) == ("ValidationException", "Transaction request cannot include multiple operations on one item")
