"""Interface helpers: strings in both languages, number formatting, the URL state of the map."""
