"""The HTTP shell: request dependencies, RFC 9457 problems, health."""
