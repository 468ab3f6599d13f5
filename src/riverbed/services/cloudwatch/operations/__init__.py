"""CloudWatch's operations, one module per action or tight group."""
