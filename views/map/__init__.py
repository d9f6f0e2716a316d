"""The map page: its URL state, the map view model (styles, legend, tooltips, tables), the ranking bars and the embed codes."""
