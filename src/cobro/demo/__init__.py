"""The demo ledger: a deterministic, realistic B2B receivables ledger for demos, tests and benchmarks.

`parties` invents customers and contacts, `generator` simulates invoices and how each customer pays them;
both are pure (numpy and `cobro.domain` only) and produce plain row tuples that
`cobro.demo.repository` bulk-writes.  `story` is the scripted `cobro demo` walk-through.
"""
