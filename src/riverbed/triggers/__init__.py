"""Lambda event source mapping runtime: pollers, batching, filtering and invocation."""
