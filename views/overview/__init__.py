"""The overview page: the province scorecard of the report."""
