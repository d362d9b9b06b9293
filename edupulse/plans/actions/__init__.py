"""State changes of this app (one module per topic)."""
