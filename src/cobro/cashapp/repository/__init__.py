"""All of cash application's SQL."""
