"""DynamoDB Streams: the change log of tables (see ``log.py``)."""
