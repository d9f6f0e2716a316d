/* The commune choropleth layer, drawn inside the streamlit-folium iframe.
 *
 * Served once as a static file; each rerun only calls camauChoropleth with a small payload
 * (colours, style flags and value texts per GSO code). The layers are built once per iframe and
 * put directly on the map, so a rerun only restyles the existing polygons: no new SVG, no blank
 * frame. (streamlit-folium removes the previous rerun's feature group, not layers on the map.)
 * Every text in the payload and in the geometry file is HTML-escaped on the server.
 */
(function () {
  // Leaflet's keyboard handler focuses the map on mouse-down and then restores only the window's
  // scroll position. Streamlit scrolls its page in an inner element, so focusing a map partly
  // below the fold scrolled the page under the pointer and the first click was lost.
  if (window.L && L.Map && L.Map.Keyboard) {
    L.Map.Keyboard.prototype._onMouseDown = function () {
      if (!this._focused) { this._map._container.focus({preventScroll: true}); }
    };
  }
  var geometry = {};
  var current = {payload: null, communes: null, outlines: null, marker: null, url: null,
                 fitKey: null, labels: null, labelsKey: null, lineScale: 1, projector: false};
  var NORMAL = 0, NO_DATA = 1, FILTERED_OUT = 2;
  var HATCH = 'camau-filtered-hatch';

  function addHatch(map) {
    // The SVG pattern the filtered-out communes are filled with, once per map (in the overlay
    // pane's SVG, which Leaflet creates with the first polygon).
    var svg = map.getPanes().overlayPane.querySelector('svg');
    if (!svg || svg.querySelector('#' + HATCH)) { return; }
    var ns = 'http://www.w3.org/2000/svg';
    var defs = document.createElementNS(ns, 'defs');
    var pattern = document.createElementNS(ns, 'pattern');
    pattern.setAttribute('id', HATCH);
    pattern.setAttribute('patternUnits', 'userSpaceOnUse');
    pattern.setAttribute('width', '6');
    pattern.setAttribute('height', '6');
    pattern.setAttribute('patternTransform', 'rotate(45)');
    var ground = document.createElementNS(ns, 'rect');
    ground.setAttribute('width', '6');
    ground.setAttribute('height', '6');
    ground.setAttribute('fill', '#ffffff');
    var line = document.createElementNS(ns, 'line');
    line.setAttribute('x1', '0');
    line.setAttribute('y1', '0');
    line.setAttribute('x2', '0');
    line.setAttribute('y2', '6');
    line.setAttribute('stroke', '#b0b0b0');
    line.setAttribute('stroke-width', '1.5');
    pattern.appendChild(ground);
    pattern.appendChild(line);
    defs.appendChild(pattern);
    svg.insertBefore(defs, svg.firstChild);
  }

  function load(url) {
    // Synchronous on purpose, once per iframe: streamlit-folium binds its click handlers to the
    // map's layers right after the per-rerun script runs, so the layer must exist by then.
    if (!geometry[url]) {
      var request = new XMLHttpRequest();
      request.open('GET', url, false);
      request.send();
      geometry[url] = JSON.parse(request.responseText);
    }
    return geometry[url];
  }

  var pending = {};
  function loadLater(url) {
    // A promise of the parsed file, asked for once (again only after a failure).
    if (!pending[url]) {
      pending[url] = geometry[url] ? Promise.resolve(geometry[url]) : fetch(url)
        .then(function (response) { if (!response.ok) { throw new Error(url); } return response.json(); })
        .then(function (data) { geometry[url] = data; return data; })
        .catch(function (error) { delete pending[url]; throw error; });
    }
    return pending[url];
  }

  function style(feature) {
    var d = current.payload;
    var s = d.styles[feature.id] || [d.colours.length - 1, NO_DATA];
    var scale = d.line_scale || 1;
    var st = {fillColor: d.colours[s[0]], fillOpacity: 0.85, color: '#4d4d4d', weight: 0.6 * scale, opacity: 0.9,
              dashArray: null};
    if (s[1] === NO_DATA) { st.dashArray = '3 3'; st.color = '#707070'; }
    // Outside the filters: a light grey hatch on white with a thin grey edge, which no class colour
    // can be mistaken for (a faded class colour looked like the palette's lightest class, and some
    // palettes start near white). The legend shows the same hatch.
    if (s[1] === FILTERED_OUT) {
      st.fillColor = 'url(#' + HATCH + ')'; st.fillOpacity = 1; st.color = '#9e9e9e'; st.weight = 0.5 * scale;
    }
    if (feature.id === d.selected) { st.color = '#000000'; st.weight = 3.2 * scale; st.opacity = 1; }
    return st;
  }

  function outlineStyle(feature) {
    var scale = current.payload.line_scale || 1;
    return feature.properties.level === 'province' ? {color: '#1a1a1a', weight: 2.4 * scale, fill: false}
                                                    : {color: '#262626', weight: 1.6 * scale, fill: false};
  }

  function valueText(id) {
    var d = current.payload;
    var v = d.values[id];
    if (v === undefined) { return '\u2014'; }
    return typeof v === 'number' ? d.missing[v] : v + d.unit;
  }

  function tooltip(layer) {
    var d = current.payload;
    return '<div style="white-space:normal;width:280px">' + layer.feature.properties.tip +
      '<hr style="margin:3px 0">' + d.header + ':<br><b style="font-size:1.15em">' +
      valueText(layer.feature.id) + '</b>' +
      (d.notes && d.notes[layer.feature.id] ? '<br><i>' + d.notes[layer.feature.id] + '</i>' : '') +
      d.footer + '</div>';
  }

  function addFocusStyle() {
    // A click focuses the commune's path (as any element with a tabindex), and Chromium outlined it
    // in black after a click. Only a keyboard focus is outlined.
    if (document.getElementById('camau-focus-style')) { return; }
    var css = document.createElement('style');
    css.id = 'camau-focus-style';
    css.textContent = '.leaflet-interactive:focus:not(:focus-visible){outline:none}' +
      '.leaflet-container:focus-visible{outline:3px solid #111;outline-offset:-3px}';
    document.head.appendChild(css);
  }

  function build(map, d) {
    addFocusStyle();
    // The outlines take no clicks, so they need not be there at once: fetched alongside the
    // communes (one round trip instead of two before the first paint), drawn when they arrive,
    // over the communes.
    var communesUrl = d.communes_url, outlines = loadLater(d.outlines_url);
    current.communes = L.geoJson(load(d.communes_url), {style: style}).bindTooltip(tooltip, {sticky: true});
    current.communes.addTo(map);
    addHatch(map);
    // Chromium makes every clickable SVG path a tab stop: 101 stops before the page's table and
    // panel. The map itself stays one stop (arrows pan, +/- zoom); communes are chosen by keyboard
    // through the page's commune picker and table.
    current.communes.eachLayer(function (layer) {
      var element = layer.getElement && layer.getElement();
      if (element) { element.setAttribute('tabindex', '-1'); }
    });
    current.url = communesUrl;
    outlines.then(function (data) {
      if (current.url !== communesUrl || current.outlines) { return; }
      current.outlines = L.geoJson(data, {interactive: false, style: outlineStyle}).addTo(map);
    }).catch(function () {});
  }

  function raiseSelected() {
    var selected = current.payload.selected;
    current.communes.eachLayer(function (layer) { if (layer.feature.id === selected) { layer.bringToFront(); } });
  }

  function placeMarker(map, d) {
    if (current.marker) { map.removeLayer(current.marker); current.marker = null; }
    if (!d.marker) { return; }
    current.marker = L.marker(d.marker.latlng, {keyboard: false, icon: L.divIcon({
      className: 'camau-model', iconSize: [22, 22], iconAnchor: [11, 11],
      html: '<span style="font-size:20px;line-height:22px;color:#d7301f;text-shadow:0 0 2px #fff">&#9733;</span>'
    })}).bindTooltip(d.marker.label).addTo(map);
  }

  // Fly to new bounds (the presentation's slide, the map page's chosen districts), only when they
  // change, so a viewer's own pan and zoom are kept between reruns. A shared link's view is taken
  // once, when the map opens, instead of the bounds.
  function fitTo(map, d) {
    var key = JSON.stringify(d.fit || null);
    if (current.fitKey === null && d.view) {
      var open = function () { map.setView([d.view[0], d.view[1]], d.view[2], {animate: false}); };
      open();
      // The base map's own fit may have an animated zoom under way (it starts on the next frame);
      // its end would put that zoom back, so the view is set again after it.
      var opened = Date.now();
      map.once('zoomend', function () { if (!sharing.moving && Date.now() - opened < 1000) { open(); } });
      sharing.user = viewText(d.view[0], d.view[1], d.view[2]);
      current.fitKey = key;
      return;
    }
    if (!d.fit || key === current.fitKey) { return; }
    sharing.moving = false;
    if (current.fitKey === null) { map.fitBounds(d.fit, {padding: [12, 12]}); }
    else { map.flyToBounds(d.fit, {padding: [12, 12], duration: 0.7}); }
    if (current.fitKey !== null) { sharing.user = null; writeView(); }
    current.fitKey = key;
  }

  // The map page keeps the view a user moved to in the page's URL (view=lat,lon,zoom) without a
  // rerun, so a copied link opens there; a default view keeps a short link. Streamlit rewrites the
  // URL from the server's state on a rerun, so the view is put back after each rewrite.
  var sharing = {param: null, user: null, path: null, moving: false, win: null, replace: null};

  // As the server writes it (views/map/state.Viewport.param), so the two never disagree on a link.
  function viewText(lat, lng, zoom) {
    return [Number(lat).toFixed(4), Number(lng).toFixed(4), String(Math.round(zoom * 100) / 100)].join(',');
  }

  function writeView() {
    var win = sharing.win;
    if (!win || !sharing.param || win.location.pathname !== sharing.path) { return; }
    var url = new URL(win.location.href);
    if (sharing.user) { url.searchParams.set(sharing.param, sharing.user); } else { url.searchParams.delete(sharing.param); }
    if (url.href !== win.location.href) { sharing.replace.call(win.history, win.history.state, '', url.href); }
  }

  function shareView(map, d) {
    if (!d.view_param || sharing.param) { return; }
    var win;
    try { win = window.parent !== window ? window.parent : null; win = win && win.document && win; } catch (e) { win = null; }
    if (!win) { return; }
    sharing.param = d.view_param;
    sharing.win = win;
    sharing.path = win.location.pathname;
    // Only a move the user started is kept: a pointer, the wheel or the keyboard on the map.
    ['pointerdown', 'wheel', 'keydown', 'touchstart'].forEach(function (name) {
      map.getContainer().addEventListener(name, function () { sharing.moving = true; }, {capture: true, passive: true});
    });
    // Every move after the user's touch is the user's (pans glide on, a wheel zoom animates) until
    // the page itself moves the map (fitTo).
    map.on('moveend', function () {
      if (!sharing.moving) { return; }
      var centre = map.getCenter();
      sharing.user = viewText(centre.lat, centre.lng, map.getZoom());
      writeView();
    });
    // One hook per page on its history, calling the live map's writer after Streamlit's own change.
    if (!win.__camauHistoryHook) {
      win.__camauHistoryHook = {replace: win.history.replaceState};
      ['pushState', 'replaceState'].forEach(function (name) {
        var native = win.history[name];
        win.history[name] = function () {
          var result = native.apply(this, arguments);
          var writer = win.__camauHistoryHook.writer;
          if (writer) { try { writer(); } catch (e) { win.__camauHistoryHook.writer = null; } }
          return result;
        };
      });
    }
    sharing.replace = win.__camauHistoryHook.replace;
    win.__camauHistoryHook.writer = function () {
      if (!window.frameElement || !window.frameElement.isConnected) { win.__camauHistoryHook.writer = null; return; }
      writeView();
    };
  }

  // Optional (presentation mode): permanent name labels, the names escaped on the server and listed
  // most important first. A label that would cover one already shown, or reach past the map's edge,
  // is moved a little or hidden (the unit keeps its tooltip): no two labels overlap on a projector.
  function placeLabels(map, d) {
    var key = JSON.stringify(d.labels || null);
    if (key === current.labelsKey) { return; }
    if (current.labels) { map.removeLayer(current.labels); current.labels = null; }
    current.labelsKey = key;
    if (!d.labels) { return; }
    current.labels = L.layerGroup(d.labels.map(function (item) {
      return L.marker([item[0], item[1]], {interactive: false, keyboard: false, icon: L.divIcon({
        className: 'camau-label', iconSize: null,
        html: '<span class="camau-label-text" style="position:absolute;transform:translate(-50%,-50%);' +
              'white-space:nowrap;font:700 ' + (item[3] || 18) + 'px/1.15 sans-serif;color:#111;' +
              'text-shadow:0 0 3px #fff,0 0 3px #fff,0 0 4px #fff,0 0 6px #fff">' + item[2] + '</span>'
      })});
    })).addTo(map);
    declutter(map);
  }

  // Each label where it is meant to be, else a little above, below or aside (in name heights and
  // widths), else hidden.
  var NUDGES = [[0, 0], [0, -1], [0, 1], [0.3, 0], [-0.3, 0], [0.3, -1], [-0.3, -1], [0.3, 1], [-0.3, 1]];
  function declutter(map) {
    if (!current.labels) { return; }
    var edge = map.getContainer().getBoundingClientRect(), taken = [];
    var fits = function (box) {
      return box.left >= edge.left && box.right <= edge.right && box.top >= edge.top && box.bottom <= edge.bottom &&
        !taken.some(function (other) {
          return box.left < other.right && other.left < box.right && box.top < other.bottom && other.top < box.bottom;
        });
    };
    current.labels.eachLayer(function (marker) {
      var text = marker.getElement() && marker.getElement().firstChild;
      if (!text) { return; }
      text.style.visibility = 'visible';
      text.style.transform = 'translate(-50%,-50%)';
      var box = text.getBoundingClientRect();
      for (var i = 0; i < NUDGES.length; i++) {
        var dx = NUDGES[i][0] * box.width, dy = NUDGES[i][1] * box.height;
        var moved = {left: box.left + dx, right: box.right + dx, top: box.top + dy, bottom: box.bottom + dy};
        if (fits(moved)) {
          text.style.transform = 'translate(calc(-50% + ' + dx + 'px),calc(-50% + ' + dy + 'px))';
          taken.push(moved);
          return;
        }
      }
      text.style.visibility = 'hidden';
    });
  }

  // Presentation mode: the map fills its frame (the page sizes the frame to the screen) and fits at
  // a fractional zoom, so the province uses the height. A click or a fly hides the tooltips until
  // the pointer really moves: the map moving under a still pointer would otherwise open the
  // tooltip of whatever commune lands under it, over the labels.
  function useProjector(map, d) {
    if (!d.projector || current.projector) { return; }
    current.projector = true;
    map.options.zoomSnap = 0.1;
    map.options.zoomDelta = 0.5;
    document.documentElement.style.overflow = 'hidden';
    var box = document.getElementById('map_div');
    if (box) { box.style.height = '100vh'; }
    map.invalidateSize({pan: false});
    var tips = map.getPane('tooltipPane'), still = null;
    var hideTips = function (event) {
      if (current.communes) { current.communes.closeTooltip(); }
      tips.style.visibility = 'hidden';
      var at = event && event.originalEvent;
      if (at && at.clientX !== undefined) { still = [at.clientX, at.clientY]; }
    };
    map.on('click movestart zoomstart', hideTips);
    map.getContainer().addEventListener('mousemove', function (event) {
      if (tips.style.visibility !== 'hidden') { return; }
      if (still && Math.abs(event.clientX - still[0]) + Math.abs(event.clientY - still[1]) < 6) { return; }
      still = null;
      tips.style.visibility = '';
    });
    map.on('zoomend moveend resize', function () { declutter(map); });
  }

  function update(map, d) {
    current.payload = d;
    if (!current.communes || current.url !== d.communes_url) {
      if (current.communes) { map.removeLayer(current.communes); }
      if (current.outlines) { map.removeLayer(current.outlines); current.outlines = null; }
      build(map, d);
    } else {
      current.communes.setStyle(style);
      if ((d.line_scale || 1) !== current.lineScale && current.outlines) { current.outlines.setStyle(outlineStyle); }
      // The tooltip is bound to the group, not to each polygon (whose isTooltipOpen() would throw
      // and abort the rest of this update); the content function is called again with the hovered layer.
      var tip = current.communes.getTooltip();
      if (tip && tip.isOpen()) { tip.setContent(tooltip); }
    }
    if (d.selected) { raiseSelected(); }
    current.lineScale = d.line_scale || 1;
    useProjector(map, d);
    shareView(map, d);
    placeMarker(map, d);
    fitTo(map, d);
    placeLabels(map, d);
  }

  // Switching before the server answers. With a payload the server may name a file of the payloads
  // the page can switch to next (every indicator on the map page; the next and previous slide in
  // presentation mode) and the widget that switches. When that widget changes in the page around
  // this iframe, the map is restyled at once from the file; the server's own payload follows a
  // rerun later and is the same. Without the file (not written yet, or not reachable) nothing
  // changes: the server's payload restyles the map as before.
  var switcher = {url: null, sets: null, watching: false};

  function loadSwitch(d) {
    var wanted = d['switch'];
    if (!wanted || wanted === switcher.url) { return; }
    switcher.url = wanted;
    switcher.sets = null;
    // The server writes the file beside the run that names it: a few tries while it is written.
    (function attempt(delay) {
      fetch(wanted).then(function (response) {
        if (response.ok) { return response.json(); }
        if (response.status === 404 && delay < 4000) { setTimeout(function () { attempt(delay * 2); }, delay); }
        return null;
      }).then(function (sets) {
        if (sets && switcher.url === wanted) { switcher.sets = sets; }
      }).catch(function () {});
    })(250);
    watchParent();
  }

  function fingerprint(d) {
    return JSON.stringify([d.styles, d.values, d.colours, d.header, d.footer, d.fit || null, d.labels || null]);
  }

  function switchTo(next) {
    var d = Object.assign({}, next);
    if (switcher.sets.keep_selection) { d.selected = current.payload.selected; }
    // An indicator's payload leaves the place to the page (its districts' bounds, its view).
    ['fit', 'view', 'view_param'].forEach(function (name) { if (!(name in next)) { d[name] = current.payload[name]; } });
    d['switch'] = current.payload['switch'];
    if (fingerprint(d) === fingerprint(current.payload)) { return; }
    update(window.map, d);
  }

  function watchParent() {
    var doc;
    try { doc = window.parent !== window ? window.parent.document : null; } catch (e) { doc = null; }
    if (switcher.watching || !doc || !doc.body) { return; }
    switcher.watching = true;
    var alive = function () { return window.frameElement && window.frameElement.isConnected && window.map; };
    // A select box: its input shows the chosen option's label once the list closes.
    var observer = new MutationObserver(function (records) {
      if (!alive()) { observer.disconnect(); return; }
      var sets = switcher.sets;
      if (!sets || !sets.options) { return; }
      for (var i = 0; i < records.length; i++) {
        var input = records[i].target;
        if (input.tagName !== 'INPUT' || !input.closest('.st-key-' + sets.widget)) { continue; }
        if (input.getAttribute('aria-expanded') === 'true') { continue; }
        var next = sets.options[input.value];
        if (next) { switchTo(next); return; }
      }
    });
    observer.observe(doc.body, {subtree: true, attributes: true, attributeFilter: ['value', 'aria-expanded']});
    // Buttons (previous / next slide).
    var onClick = function (event) {
      if (!alive()) { doc.removeEventListener('click', onClick, true); return; }
      var sets = switcher.sets;
      if (!sets || !sets.buttons || !event.target.closest) { return; }
      for (var key in sets.buttons) {
        var button = event.target.closest('.st-key-' + key + ' button');
        if (button && !button.disabled) { switchTo(sets.buttons[key]); return; }
      }
    };
    doc.addEventListener('click', onClick, true);
    // Their keyboard shortcuts (PageDown / PageUp), which Streamlit runs without a click. Heard
    // after Streamlit's own handler (on the window, bubbling), and only when it ran a shortcut:
    // Streamlit calls preventDefault() exactly then, so the map never moves without the page.
    var view = doc.defaultView;
    var onKey = function (event) {
      if (!alive()) { view.removeEventListener('keydown', onKey); return; }
      var sets = switcher.sets;
      if (!event.defaultPrevented || !sets || !sets.keys) { return; }
      if (event.ctrlKey || event.metaKey || event.altKey || event.shiftKey) { return; }
      var key = sets.keys[event.key];
      var button = key && sets.buttons[key] && doc.querySelector('.st-key-' + key + ' button');
      if (button && !button.disabled) { switchTo(sets.buttons[key]); }
    };
    view.addEventListener('keydown', onKey);
  }

  window.camauChoropleth = function (group, d) {
    update(group._map || window.map, d);
    loadSwitch(d);
  };

  // The public static site fetches the geometry itself (in parallel with the rest) and hands it over.
  window.camauChoropleth.preload = function (url, data) { geometry[url] = data; };
})();
