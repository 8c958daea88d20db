"""Review and takedown: users, cases, decisions, takedowns, appeals, outbox, audit log.

The library works on a DuckDB connection (a :class:`~infoops.store.Store`'s
``con`` or a cursor of it); the web app (:mod:`infoops.review.web`) and the
CLI commands ``infoops serve``, ``infoops users`` and ``infoops audit`` are
thin layers over it. Every write runs in one transaction and appends to the
hash-chained ``audit_log`` in the same transaction, so an action and its audit
entry land together or not at all.
"""
