"""The public read-only view: its URL state."""
