"""Indicator catalogue, commune indicator tables and the illustrative sample dataset."""
