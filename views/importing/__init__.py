"""The import page: the match report and problems as tables."""
