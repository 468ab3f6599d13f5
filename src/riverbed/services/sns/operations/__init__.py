"""SNS operations, one module per group of actions (see ``riverbed.services.sns``)."""
