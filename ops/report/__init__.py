"""`make report`: what patients asked, what went unanswered and what helped.

One self-contained HTML page (and CSVs beside it) under `reports/report/`, read from
the tracker store `endpoints.yml` names (SQLite or PostgreSQL; read-only), for the
last REPORT_DAYS days (default 30), staff-shell conversations left out.
"""
