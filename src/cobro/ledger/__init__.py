"""Ledger: customers, contacts, invoices, instalments, payments and allocations; imports from ERP and Excel exports."""
