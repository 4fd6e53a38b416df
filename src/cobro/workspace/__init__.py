"""The collector's and credit manager's workspace: dashboard pages."""
