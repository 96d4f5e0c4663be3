"""Everything that runs the model from outside: scenarios, executors, results, the command,
sensitivity experiments and the benchmark. The model package (``simulation``) knows none of it."""
