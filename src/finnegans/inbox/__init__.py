"""The shared inbox: messages and per-contact conversation state."""
