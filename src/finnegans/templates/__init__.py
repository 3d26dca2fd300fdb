"""Message templates: the WABA's templates kept in sync, created, previewed and checked."""
