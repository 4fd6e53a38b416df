"""Cash-application use cases."""
