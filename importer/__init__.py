"""Reading, matching and validating official commune tables from Excel and CSV."""
