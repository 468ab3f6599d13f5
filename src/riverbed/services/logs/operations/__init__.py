"""CloudWatch Logs' operations, one module per action group."""
