"""Collections: the credit & collection policy, exceptions, holds, disputes, promises, the daily cycle, tasks, escalation, credit limits."""
