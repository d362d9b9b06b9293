"""Models of this app (one module per model family)."""
