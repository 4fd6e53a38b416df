"""The platform: one Settings, the container (composition root), the database, and the HTTP, web and CLI shells.

Imports the kernel only; features build on it."""
