"""Use cases. Views, tasks and CLI commands are thin and call these; services flush,
never commit: the caller owns the transaction."""
