"""Leaflet map rendering through folium, built for streamlit-folium's in-place updates.

The base map is data-free and byte-identical on every rerun, so streamlit-folium keeps the same
Leaflet map. Everything that changes (colours, values, selection) travels in a small layer added
with ``feature_group_to_add``; the geometry itself is a static file that the map's iframe loads
once. Only local assets are used: no CDN, no ``folium.Choropleth``, no branca colormap.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

import folium
from branca.element import MacroElement
from jinja2 import Template

MAP_HEIGHT = 620
STYLE_NORMAL, STYLE_NO_DATA, STYLE_FILTERED_OUT = 0, 1, 2
TILE_LAYERS = {"none": None, "osm": "OpenStreetMap"}


def use_local_leaflet(js_url: str, css_url: str) -> None:
    """Point folium at the self-hosted Leaflet and drop its other CDN assets (jQuery, Bootstrap,
    awesome-markers), which polygons and tooltips do not need."""
    folium.Map.default_js = [("leaflet", js_url)]
    folium.Map.default_css = [("leaflet_css", css_url)]


def base_map(bounds: tuple[float, float, float, float], tiles: str = "none") -> folium.Map:
    """A fresh data-free map. Never cache it: st_folium mutates the map it is given."""
    minx, miny, maxx, maxy = bounds
    # Fractional zoom lets the province fill the frame instead of the nearest whole zoom level.
    fmap = folium.Map(location=[(miny + maxy) / 2, (minx + maxx) / 2], zoom_start=9,
                      tiles=TILE_LAYERS.get(tiles), control_scale=True, min_zoom=7, max_zoom=15,
                      zoom_snap=0.25, zoom_delta=0.5)
    fmap.fit_bounds([[miny, minx], [maxy, maxx]], padding=(8, 8))
    return fmap


@dataclass(frozen=True)
class LayerData:
    """What the map shows for one view. Every string is already HTML-escaped."""
    communes_url: str
    outlines_url: str
    styles: dict[str, tuple[str, int]]     # gso_code -> (fill colour, STYLE_*)
    values: dict[str, str]                 # gso_code -> value text for the tooltip
    header: str                            # indicator name
    footer: str                            # denominator, date, source, illustrative mark
    selected: str | None
    marker: dict | None                    # {"latlng": [lat, lon], "label": html}

    def to_json(self) -> str:
        payload = {
            "communes_url": self.communes_url, "outlines_url": self.outlines_url,
            "styles": self.styles, "values": self.values, "header": self.header,
            "footer": self.footer, "selected": self.selected, "marker": self.marker,
        }
        text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
        # The string is evaluated as script: never let it close a <script> element.
        return text.replace("</", "<\\/")


class ChoroplethLayer(MacroElement):
    _template = Template("""
{% macro script(this, kwargs) %}
(function () {
  var d = {{ this.payload }};
  function load(url) {
    // Synchronous on purpose, once per iframe: streamlit-folium binds its click handlers to
    // the map's layers right after this script runs.
    window.__camauGeo = window.__camauGeo || {};
    if (!window.__camauGeo[url]) {
      var x = new XMLHttpRequest(); x.open('GET', url, false); x.send();
      window.__camauGeo[url] = JSON.parse(x.responseText);
    }
    return window.__camauGeo[url];
  }
  var group = {{ this._parent.get_name() }};
  var communes = L.geoJson(load(d.communes_url), {style: function (f) {
    var s = d.styles[f.id] || ['#bdbdbd', 1];
    var st = {fillColor: s[0], fillOpacity: 0.85, color: '#4d4d4d', weight: 0.6, opacity: 0.9};
    if (s[1] === 1) { st.dashArray = '3 3'; st.color = '#707070'; }
    if (s[1] === 2) { st.fillOpacity = 0.12; st.color = '#a0a0a0'; }
    if (f.id === d.selected) { st.color = '#000000'; st.weight = 3.2; st.opacity = 1; }
    return st;
  }});
  communes.bindTooltip(function (l) {
    var id = l.feature.id;
    return '<div style="white-space:normal;width:280px">' + l.feature.properties.tip +
      '<hr style="margin:3px 0">' + d.header + ':<br><b style="font-size:1.15em">' +
      (d.values[id] || '—') + '</b>' + d.footer + '</div>';
  }, {sticky: true});
  communes.addTo(group);
  L.geoJson(load(d.outlines_url), {interactive: false, style: function (f) {
    return f.properties.level === 'province' ? {color: '#1a1a1a', weight: 2.4, fill: false}
                                             : {color: '#262626', weight: 1.6, fill: false};
  }}).addTo(group);
  if (d.selected) {
    communes.eachLayer(function (l) { if (l.feature.id === d.selected) { l.bringToFront(); } });
  }
  if (d.marker) {
    L.marker(d.marker.latlng, {keyboard: false, icon: L.divIcon({className: 'camau-model',
      iconSize: [22, 22], iconAnchor: [11, 11],
      html: '<span style="font-size:20px;line-height:22px;color:#d7301f;text-shadow:0 0 2px #fff">&#9733;</span>'})})
      .bindTooltip(d.marker.label).addTo(group);
  }
})();
{% endmacro %}""")

    def __init__(self, data: LayerData):
        super().__init__()
        self._name = "ChoroplethLayer"
        self.payload = data.to_json()


def commune_layer(data: LayerData) -> folium.FeatureGroup:
    group = folium.FeatureGroup(name="communes")
    ChoroplethLayer(data).add_to(group)
    return group
