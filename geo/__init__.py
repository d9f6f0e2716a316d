"""Places: Cà Mau's units and boundaries, joins, classification, map rendering."""
