"""The collections API under /api/v1: policies, cycle runs, tasks, holds, disputes, promises, payment plans,
exceptions (four eyes), escalation cases and evidence packs, credit checks, terms letters.  Each module holds
the routers of one topic; `app/http.py` includes them."""
