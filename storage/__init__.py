"""The database: imported tables and their versions, publications, users and the audit log."""
