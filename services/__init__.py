"""Editor actions: import, publish, rollback, scenario save/delete and account changes. Each action
is one transaction that also writes its own audit row; pages and ``manage.py`` call these and never
open a write transaction themselves."""
