"""The CLI shell: the container built from --db/--tenant, JSON output, error exits."""
