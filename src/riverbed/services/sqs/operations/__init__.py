"""SQS operations, one module per action or small group of actions (see ``riverbed.services.sqs``)."""
