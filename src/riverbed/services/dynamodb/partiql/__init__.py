"""PartiQL for DynamoDB: tokenizer, parser to a small AST, translation onto the expression AST, executor.

Pipeline: ``tokens.py`` -> ``parser.py`` (``ast.py`` nodes) -> ``translate.py`` (AttributeValues, condition
nodes, update plans) -> ``executor.py`` (Query/Scan reads, single-item writes through ``items.commit``).
The operations ExecuteStatement, BatchExecuteStatement and ExecuteTransaction live in ``operations/``.
https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ql-reference.html
"""
