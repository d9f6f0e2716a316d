"""Presentation mode: decks, slides and their URL state."""
