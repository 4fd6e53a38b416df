"""Identity: users, roles and permissions, logins and API keys: who may do what in which tenant."""
