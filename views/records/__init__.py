"""The editors' records as tables: versions, publications, a version's match report and the audit log, in words."""
