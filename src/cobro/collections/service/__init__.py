"""Collections use cases: policy, exceptions, pauses (holds, disputes, promises, plans), the daily cycle, tasks,
escalation.  Every function flushes and never commits; the entrypoint owns the transaction."""
