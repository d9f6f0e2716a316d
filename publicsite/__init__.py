"""The public map as a static site: rendered once per published version, served as files.

``build.build_site`` reads the published version through a read-only connection and writes
index.html, Leaflet from the pinned package, the project's layer script (geo/choropleth_layer.js),
the browser geometry and, per unit set, language and indicator, the layer payload, legend, table
and CSV that the Python view code (views.map.mapview) makes. The page script (site.js) only picks
the files the URL names; it computes no figure.
"""
