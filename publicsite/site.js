/* The public static map (publicsite/build.py writes the files it reads).
 *
 * It picks the files the URL names and draws them with Leaflet and the project's layer script
 * (geo/choropleth_layer.js, the one the editors' app uses). It computes no figure: the legend, the
 * table, the tooltip texts and the CSV were rendered by the Python view code at build time. Every
 * HTML fragment it inserts was escaped there; anything taken from the URL is shown as text only.
 */
(function () {
  'use strict';
  var LANGUAGES = ['vi', 'en'];
  var EDGE = 4;   // px kept between a tooltip and the edge of the frame

  function byId(id) { return document.getElementById(id); }

  function fetchJSON(url) {
    return fetch(url, {credentials: 'same-origin'}).then(function (response) {
      if (!response.ok) { throw new Error(url + ': HTTP ' + response.status); }
      return response.json();
    });
  }

  // A link's parameters, each checked against what the site holds; a bad one falls back to the
  // default and is named in the notice. Old parameters that no longer matter (h, embed, period)
  // are accepted silently.
  function readState(manifest, params) {
    var rejected = [];
    function pick(name, allowed, fallback) {
      var value = params.get(name);
      if (value === null) { return fallback; }
      if (allowed.indexOf(value) >= 0) { return value; }
      rejected.push(name + "='" + value.slice(0, 40) + (value.length > 40 ? '\u2026' : '') + "'");
      return fallback;
    }
    var lang = pick('lang', LANGUAGES, 'vi');
    var units = pick('units', Object.keys(manifest.units), manifest.default_units);
    var set = manifest.units[units];
    var state = {lang: lang, units: units, set: set, rejected: rejected, indicator: null, commune: null,
                 district: null};
    if (!set.refused) {
      state.indicator = pick('ind', set.indicators, set.indicators[0]);
      state.commune = pick('c', set.communes, null);
      state.district = pick('d', Object.keys(set.districts), null);
    }
    return state;
  }

  function linkTo(state, units) {
    var query = new URLSearchParams();
    var target = state.manifest.units[units];
    if (state.indicator && !target.refused && target.indicators.indexOf(state.indicator) >= 0) {
      query.set('ind', state.indicator);
    }
    query.set('lang', state.lang);
    query.set('units', units);
    return '?' + query.toString();
  }

  function unitSwitch(state, text) {
    var nav = byId('units-switch');
    var sets = Object.keys(state.manifest.units);
    if (sets.length < 2) { return; }
    nav.setAttribute('aria-label', text.units_label);
    sets.forEach(function (units) {
      var link = document.createElement('a');
      link.className = 'button';
      link.href = linkTo(state, units);
      link.textContent = text['units_' + units];
      if (units === state.units) { link.setAttribute('aria-current', 'page'); }
      nav.appendChild(link);
    });
    nav.hidden = false;
  }

  // Leaflet places a sticky tooltip beside the pointer; near an edge of a small frame (an embed, a
  // phone) part of it would fall outside. Shift it back inside after Leaflet has placed it.
  function keepTooltipsInside(map) {
    var pending = false;
    function clamp() {
      pending = false;
      var tip = document.querySelector('.leaflet-tooltip');
      if (!tip) { return; }
      tip.style.translate = '';
      var box = tip.getBoundingClientRect();
      var width = document.documentElement.clientWidth, height = document.documentElement.clientHeight;
      var dx = 0, dy = 0;
      if (box.right > width - EDGE) { dx = width - EDGE - box.right; }
      if (box.left + dx < EDGE) { dx = EDGE - box.left; }
      if (box.bottom > height - EDGE) { dy = height - EDGE - box.bottom; }
      if (box.top + dy < EDGE) { dy = EDGE - box.top; }
      if (dx || dy) { tip.style.translate = dx + 'px ' + dy + 'px'; }
    }
    function schedule() {
      if (!pending) { pending = true; window.requestAnimationFrame(clamp); }
    }
    map.on('tooltipopen mousemove click zoomend moveend', schedule);
  }

  function tableButton(view, text) {
    var button = byId('table-button'), panel = byId('table-panel'), close = byId('table-close');
    var loaded = false;
    button.textContent = text.table;
    close.textContent = text.close;
    function show(open) {
      panel.hidden = !open;
      button.setAttribute('aria-expanded', open ? 'true' : 'false');
      (open ? close : button).focus();
    }
    button.addEventListener('click', function () {
      if (!loaded) {
        loaded = true;
        fetch(view.table, {credentials: 'same-origin'}).then(function (response) {
          if (!response.ok) { throw new Error(view.table + ': HTTP ' + response.status); }
          return response.text();
        }).then(function (fragment) {
          byId('table').innerHTML = fragment;     // html_table: every cell escaped at build time
        }).catch(function () { loaded = false; });
      }
      show(true);
    });
    close.addEventListener('click', function () { show(false); });
    document.addEventListener('keydown', function (event) {
      if (event.key === 'Escape' && !panel.hidden) { show(false); }
    });
    button.hidden = false;
  }

  function drawMap(state, view, communes, outlines) {
    var map = L.map('map', {zoomSnap: 0.25, zoomDelta: 0.5, minZoom: 7, maxZoom: 15, attributionControl: false});
    map.fitBounds(state.district ? state.set.districts[state.district] : state.set.bounds, {padding: [8, 8]});
    L.control.scale({imperial: false}).addTo(map);
    window.camauChoropleth.preload(view.layer.communes_url, communes);
    window.camauChoropleth.preload(view.layer.outlines_url, outlines);
    if (state.commune) { view.layer.selected = state.commune; }
    window.camauChoropleth({_map: map}, view.layer);
    keepTooltipsInside(map);
    return map;
  }

  function show(manifest) {
    var state = readState(manifest, new URLSearchParams(window.location.search));
    state.manifest = manifest;
    var text = manifest.text[state.lang];
    document.documentElement.lang = state.lang;
    document.title = text.site_title;
    byId('map').setAttribute('aria-label', text.map_label);
    if (state.rejected.length) {
      byId('notice').textContent = text.notice.replace('{params}', state.rejected.join(', '));
      byId('notice').hidden = false;
    }
    unitSwitch(state, text);
    if (state.set.refused) {      // 2025 figures cannot be shown on the 2022–2024 units
      byId('title').textContent = text.site_title;
      byId('caption').textContent = text.cannot_2023;
      byId('map').hidden = true;
      return Promise.resolve();
    }
    var viewUrl = state.set.views[state.lang][state.indicator];
    return Promise.all([fetchJSON(viewUrl), fetchJSON(state.set.geometry[0]), fetchJSON(state.set.geometry[1])])
      .then(function (loaded) {
        var view = loaded[0];
        byId('title').textContent = view.title;
        byId('legend').innerHTML = view.legend;      // legend_html: escaped at build time
        byId('caption').textContent = view.caption;
        var csv = byId('csv');
        csv.href = view.csv;
        csv.setAttribute('download', view.csv_name);
        csv.textContent = text.get_data;
        csv.hidden = false;
        tableButton(view, text);
        drawMap(state, view, loaded[1], loaded[2]);
        document.body.setAttribute('data-ready', 'true');
      });
  }

  function fail(error) {
    byId('failure').hidden = false;
    document.body.setAttribute('data-ready', 'failed');
    if (window.console) { window.console.error(error); }
  }

  function start() {
    fetchJSON(document.body.getAttribute('data-manifest')).then(show).catch(fail);
  }

  if (document.readyState === 'loading') { document.addEventListener('DOMContentLoaded', start); }
  else { start(); }
})();
