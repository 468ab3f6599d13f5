"""The DynamoDB Streams API (``DynamoDBStreams_20120810.*``) over ``riverbed.streams``."""
