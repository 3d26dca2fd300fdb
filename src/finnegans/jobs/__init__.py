"""Background work: durable rows in our tables, executed by in-process workers."""
