"""Collections commands."""
