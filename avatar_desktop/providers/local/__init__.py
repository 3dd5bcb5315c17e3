"""providers/local layer."""
