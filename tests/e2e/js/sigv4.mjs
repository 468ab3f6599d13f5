// Talks to riverbed with the AWS SDK for JavaScript v3 (SigV4 signed by the SDK itself).
// Usage: node sigv4.mjs ENDPOINT KEY SECRET TABLE -> prints one JSON line: {"ok": true, ...} or {"error": ...}
import { DynamoDBClient, ListTablesCommand, PutItemCommand, GetItemCommand } from "@aws-sdk/client-dynamodb";

const [endpoint, key, secret, table] = process.argv.slice(2);
const client = new DynamoDBClient({
  endpoint, region: "us-east-1", maxAttempts: 1,
  credentials: { accessKeyId: key, secretAccessKey: secret },
});
try {
  const tables = await client.send(new ListTablesCommand({}));
  await client.send(new PutItemCommand({ TableName: table, Item: { pk: { S: "js" }, note: { S: "é ünïcode" } } }));
  const got = await client.send(new GetItemCommand({ TableName: table, Key: { pk: { S: "js" } } }));
  console.log(JSON.stringify({ ok: true, tables: tables.TableNames, item: got.Item }));
} catch (err) {
  console.log(JSON.stringify({ error: err.name, message: err.message }));
}
