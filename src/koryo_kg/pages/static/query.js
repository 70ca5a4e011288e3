// The query page: the editor in several tabs, running a query (button or Ctrl+Enter), the results in the view
// that suits them (a sortable table always; a bar chart of numbers, a timeline of dates, a map of lat/long
// points, a graph of a CONSTRUCT or DESCRIBE with its Turtle), IRIs shown by their labels or prefixed names
// and linked to their pages, row count and time, errors with the parser's message, downloads, permalinks and
// a short share link, the history of queries run, code to run the query elsewhere, and the examples.
// Tabs and history live in this browser's localStorage only; a share link carries its query in the fragment,
// so it needs no state on the server. Without this script the form still runs queries.
(function () {
  const BASE = "https://w3id.org/koryo-kg/";
  const RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label";
  const SKOS_PREF_LABEL = "http://www.w3.org/2004/02/skos/core#prefLabel";
  const RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type";
  const XSD = "http://www.w3.org/2001/XMLSchema#";
  const NUMBERS = new Set(["integer", "decimal", "double", "float", "int", "long", "short", "byte", "nonNegativeInteger",
    "positiveInteger", "negativeInteger", "nonPositiveInteger", "unsignedInt", "unsignedLong", "unsignedShort",
    "unsignedByte"].map((t) => XSD + t));
  const DATES = new Set(["date", "dateTime", "dateTimeStamp", "gYear", "gYearMonth"].map((t) => XSD + t));
  const SVG = "http://www.w3.org/2000/svg";
  const HISTORY_SIZE = 50;
  const SHARED_LIMIT = 200000;  // characters a share link may unpack to: a planted link cannot fill memory
  const runOnLoad = document.currentScript.dataset.run === "yes";

  const $ = (id) => document.getElementById(id);
  const form = $("query-form"), textarea = $("query"), status = $("status"), errorBox = $("error");
  const results = $("results"), downloads = $("downloads"), permalink = $("permalink"), viewTabs = $("views");
  const completions = JSON.parse($("completions").textContent);
  const editor = window.KoryoEditor ? KoryoEditor.attach(textarea, {completions, onRun: run}) : null;
  $("format").hidden = true;
  $("format-label").hidden = true;

  const text = () => (editor ? editor.get() : textarea.value);
  const setText = (query) => (editor ? editor.set(query) : (textarea.value = query));

  function element(name, properties = {}, ...children) {
    const e = document.createElement(name);
    Object.assign(e, properties);
    e.append(...children);
    return e;
  }
  function svg(name, attributes = {}, ...children) {
    const e = document.createElementNS(SVG, name);
    for (const [key, value] of Object.entries(attributes)) e.setAttribute(key, value);
    e.append(...children);
    return e;
  }
  // localStorage may be missing (a privacy setting) or full: the page then works without memory
  const saved = {
    get(key) { try { return JSON.parse(localStorage.getItem("koryo-kg." + key)); } catch { return null; } },
    set(key, value) { try { localStorage.setItem("koryo-kg." + key, JSON.stringify(value)); } catch { /* kept in the page only */ } },
  };

  // ---- names: prefixes from our completions, the common vocabularies (static/vocabularies.json), the query
  const prefixes = {};
  for (const c of completions) {
    const m = /^PREFIX (\S*): <(.*)>$/.exec(c.label);
    if (m) prefixes[m[1]] = m[2];
  }
  const vocabularies = fetch("/static/vocabularies.json").then((r) => r.json()).then((v) => {
    const known = new Set(completions.map((c) => c.label));
    for (const [p, ns] of Object.entries(v.prefixes)) if (!Object.values(prefixes).includes(ns)) prefixes[p] ??= ns;
    completions.push(...v.completions.filter((c) => !known.has(c.label)));  // the editor reads this same array
  }).catch(() => {});

  function prefixed(iri, own = {}) {
    let best = null;
    for (const [p, ns] of [...Object.entries(prefixes), ...Object.entries(own)]) {
      if (iri.startsWith(ns) && (!best || ns.length > best[1].length)) best = [p, ns];
    }
    if (!best) return null;
    const local = iri.slice(best[1].length);
    return /^([\p{L}\p{N}_]([\p{L}\p{N}_.-]*[\p{L}\p{N}_-])?)?$/u.test(local) ? best[0] + ":" + local : null;
  }
  const declared = (query) => Object.fromEntries([...query.matchAll(/PREFIX\s+([\w-]*):\s*<([^>\s]*)>/gi)].map((m) => [m[1], m[2]]));

  // Where a result may link: our IRIs on this server, other http(s) IRIs as they are, nothing else. A result
  // holds whatever a query makes (IRI("javascript:...")) or an update planted, and an href of javascript:,
  // data: or vbscript: runs when clicked; the scheme is the one the browser's own URL parser finds.
  function followable(iri) {
    if (iri.startsWith(BASE)) return location.origin + "/" + iri.slice(BASE.length);
    let url;
    try { url = new URL(iri); } catch { return null; }
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
  }
  const queryUrl = (query, format) => "/sparql?query=" + encodeURIComponent(query) + "&format=" + format;

  async function labels(iris) {
    // an IRI that cannot be written between < > (a result may hold one) would spoil the query for all
    const writable = iris.filter((i) => /^[^<>"{}|^`\\\s]+$/.test(i)).slice(0, 300);
    if (!writable.length) return {};
    const query = `SELECT ?s ?l WHERE { VALUES ?s { ${writable.map((i) => "<" + i + ">").join(" ")} }
                   ?s <${RDFS_LABEL}>|<${SKOS_PREF_LABEL}> ?l FILTER (langMatches(lang(?l), "en")) }`;
    try {
      const response = await fetch("/sparql", {method: "POST", body: new URLSearchParams({query}),
                                               headers: {Accept: "application/sparql-results+json"}});
      if (!response.ok) return {};
      const found = {};
      for (const b of (await response.json()).results.bindings) found[b.s.value] ??= b.l.value;
      return found;
    } catch { return {}; }
  }

  // How each IRI of a result reads: its label, else its prefixed name, else itself; the prefixed name goes
  // beside a label that two IRIs of the result share (three classes all labelled "Person").
  async function namer(iris, query) {
    const found = await labels(iris);
    const own = declared(query);
    const users = {};
    for (const iri of iris) if (found[iri]) (users[found[iri]] ??= new Set()).add(iri);
    return (iri) => {
      const short = prefixed(iri, own);
      const label = found[iri];
      return {text: label || short || iri, qname: label && short && users[label].size > 1 ? short : null};
    };
  }

  function iriLink(iri, name, asSvg = false) {
    const href = followable(iri);
    const {text: shown, qname} = name(iri);
    if (asSvg) {
      const label = svg("text", {}, shown);
      const node = href ? svg("a", {href}, label) : svg("g", {}, label);
      node.prepend(svg("title", {}, iri));
      return node;
    }
    const link = href ? element("a", {href}) : element("span");
    link.textContent = shown; link.title = iri;
    return qname ? element("span", {}, link, " ", element("code", {className: "qname"}, qname)) : link;
  }
  const termText = (term, name) => !term ? "" : term.type === "uri" ? name(term.value).text
                                 : term.type === "bnode" ? "_:" + term.value : term.value;

  // ---- tab lists: one tab stop, arrows move through the tabs (the ARIA tabs pattern)
  function tablist(list, labels, selected, onSelect) {
    list.replaceChildren(...labels.map((label, i) => {
      const tab = element("button", {type: "button", id: list.id + "-" + i, textContent: label, tabIndex: i === selected ? 0 : -1});
      tab.setAttribute("role", "tab");
      tab.setAttribute("aria-selected", String(i === selected));
      tab.addEventListener("click", () => {
        const focused = list.contains(document.activeElement);
        onSelect(i);
        if (focused) list.querySelector("[aria-selected=true]").focus();  // the list was drawn anew
      });
      return tab;
    }));
  }
  function arrows(list) {
    list.addEventListener("keydown", (event) => {
      const tabs = [...list.querySelectorAll("[role=tab]")];
      const i = tabs.indexOf(document.activeElement);
      const next = {ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: tabs.length - 1}[event.key];
      if (i < 0 || next === undefined) return;
      event.preventDefault();
      tabs[(next + tabs.length) % tabs.length].click();
    });
  }

  // ---- result views
  const numeric = (term) => term && term.type === "literal" && NUMBERS.has(term.datatype) && Number.isFinite(Number(term.value));
  const dated = (term) => term && term.type === "literal" && DATES.has(term.datatype) && !Number.isNaN(toTime(term.value));
  function toTime(value) {
    const m = /^(-?\d{4,})(?:-(\d\d))?(?:-(\d\d))?/.exec(value);
    return m ? Date.UTC(Number(m[1]), Number(m[2] || 1) - 1, Number(m[3] || 1)) : NaN;
  }
  // a column suits a view when every value it has is of the kind, and it has some
  const every = (result, v, test) => result.bindings.some((b) => b[v]) && result.bindings.every((b) => !b[v] || test(b[v]));
  const labelColumn = (result, skip) => result.vars.find((v) => !skip.includes(v) && every(result, v, (t) => !numeric(t) && !dated(t)));

  function chartColumns(result) {
    const value = result.vars.find((v) => every(result, v, numeric) && !/^(lat|latitude|long|lon|lng|longitude)$/i.test(v));
    return value ? {value, label: labelColumn(result, [value])} : null;
  }
  function timelineColumns(result) {
    const [begin, end] = result.vars.filter((v) => every(result, v, dated));
    return begin ? {begin, end} : null;
  }
  function mapColumns(result) {
    const degrees = (limit) => (t) => t.type === "literal" && t.value.trim() !== "" && Math.abs(Number(t.value)) <= limit;
    // ?lat, ?latitude, ?placeLat, ?lat_1 (not ?population, whose numbers may be small)
    const lat = result.vars.find((v) => /^lat|lat(itude)?$/i.test(v) && every(result, v, degrees(90)));
    const long = result.vars.find((v) => /^(lon|lng)|(lon|lng|long|longitude)$/i.test(v) && v !== lat && every(result, v, degrees(180)));
    return lat && long ? {lat, long, label: labelColumn(result, [lat, long])} : null;
  }

  function drawTable(result) {
    const t = element("table", {className: "results"});
    const head = t.createTHead().insertRow();
    result.vars.forEach((v, i) => {
      const th = element("th", {scope: "col"});
      const button = element("button", {type: "button", textContent: v});
      button.addEventListener("click", () => sortBy(t, i, th));
      th.append(button); head.append(th);
    });
    const body = t.createTBody();
    for (const b of result.bindings) {
      const row = body.insertRow();
      for (const v of result.vars) row.append(cell(b[v], result.name));
    }
    t.prepend(element("caption", {className: "note", textContent: "Results; select a column heading to sort"}));
    return t;
  }

  function cell(term, name) {
    const td = element("td");
    if (!term) return td;
    if (term.type === "uri") {
      td.append(iriLink(term.value, name));
      td.dataset.sort = name(term.value).text.toLowerCase();
    } else {
      td.textContent = term.type === "bnode" ? "_:" + term.value : term.value;
      if (term["xml:lang"]) td.lang = term["xml:lang"];
      const number = Number(term.value);
      td.dataset.sort = term.datatype && !Number.isNaN(number) ? number : term.value.toLowerCase();
    }
    return td;
  }

  function sortBy(table, column, th) {
    const ascending = th.getAttribute("aria-sort") !== "ascending";
    table.querySelectorAll("th").forEach((h) => h.removeAttribute("aria-sort"));
    th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    const rows = Array.from(table.tBodies[0].rows);
    const key = (row) => row.cells[column].dataset.sort ?? "";
    rows.sort((a, b) => {
      const x = key(a), y = key(b);
      const order = !Number.isNaN(Number(x)) && !Number.isNaN(Number(y)) && x !== "" && y !== "" ? Number(x) - Number(y)
                  : String(x).localeCompare(String(y));
      return ascending ? order : -order;
    });
    table.tBodies[0].append(...rows);
  }

  // A labelled row per value: a table (readable by screen readers, and at 360 px) whose value cells hold a bar
  // under the value.
  function bar(from, to) {
    return svg("svg", {class: "bar", viewBox: "0 0 1000 10", preserveAspectRatio: "none", "aria-hidden": "true"},
      svg("rect", {class: "track", width: 1000, height: 10}),
      svg("rect", {class: "value", x: from.toFixed(1), width: Math.max(to - from, 4).toFixed(1), height: 10}));
  }
  function labelCell(term, name) {
    const td = element("td");
    if (term && term.type === "uri") td.append(iriLink(term.value, name));
    else td.textContent = termText(term, name);
    return td;
  }
  function viewTable(caption, headings, rows) {
    const t = element("table", {className: "view"});
    t.append(element("caption", {className: "note", textContent: caption}));
    const head = t.createTHead().insertRow();
    for (const h of headings) head.append(element("th", {scope: "col", textContent: h}));
    t.createTBody().append(...rows);
    return t;
  }

  // the columns a view does not draw are shown beside it, as they are
  const rest = (result, used) => result.vars.filter((v) => !used.includes(v));

  function drawChart(result) {
    const {value, label} = chartColumns(result);
    const others = rest(result, [value]);
    const rows = result.bindings.filter((b) => b[value]).map((b) => [b, Number(b[value].value)]);
    const low = Math.min(0, ...rows.map(([, n]) => n)), high = Math.max(0, ...rows.map(([, n]) => n));
    const x = (n) => (high === low ? 0 : ((n - low) / (high - low)) * 1000);
    return element("div", {className: "chart-view"}, viewTable(`${value} by ${label || "row"}: a bar per row`,
      [...others, value], rows.map(([b, n]) => {
        const tr = element("tr");
        tr.append(...others.map((v) => labelCell(b[v], result.name)),
                  element("td", {className: "bar-cell number"}, n.toLocaleString("en"), bar(Math.min(x(0), x(n)), Math.max(x(0), x(n)))));
        return tr;
      })));
  }

  function drawTimeline(result) {
    const {begin, end} = timelineColumns(result);
    const others = rest(result, [begin, end]);
    const rows = result.bindings.filter((b) => b[begin]).map((b) => {
      const from = toTime(b[begin].value);
      const to = end && b[end] ? Math.max(from, toTime(b[end].value)) : from;
      return {b, from, to};
    }).sort((p, q) => p.from - q.from);
    const first = Math.min(...rows.map((r) => r.from)), last = Math.max(...rows.map((r) => r.to));
    const x = (t) => (last === first ? 500 : ((t - first) / (last - first)) * 990);
    const year = (t) => new Date(t).getUTCFullYear();
    const day = (value) => value.replace(/T00:00:00(\.0+)?(Z)?$/, "");
    // the whole span at a glance: a dot per date on an axis of years
    const strip = svg("svg", {class: "timeline-strip", viewBox: "-20 0 1040 64", role: "img",
                              "aria-label": `${rows.length} dates from ${year(first)} to ${year(last)}`});
    strip.append(svg("line", {x1: 0, x2: 1000, y1: 24, y2: 24, class: "axis"}));
    const span = year(last) - year(first);
    const step = [1, 2, 5, 10, 20, 25, 50, 100, 200, 500, 1000].find((s) => span / s <= 8) || 1000;
    for (let y = Math.ceil(year(first) / step) * step; y <= year(last); y += step) {
      const at = x(Date.UTC(y, 0, 1)).toFixed(1);
      strip.append(svg("line", {x1: at, x2: at, y1: 18, y2: 30, class: "tick"}),
                   svg("text", {x: at, y: 54, "text-anchor": "middle"}, String(y)));
    }
    for (const r of rows) strip.append(svg("circle", {cx: x(r.from).toFixed(1), cy: 24, r: 7, class: "dot"}));
    const table = viewTable(`${begin}${end ? " to " + end : ""}, in order`, [end ? `${begin} – ${end}` : begin, ...others],
      rows.map(({b, from, to}) => {
        const tr = element("tr");
        tr.append(element("td", {className: "bar-cell date"}, day(b[begin].value) + (end && b[end] ? " – " + day(b[end].value) : ""),
                          bar(x(from), x(to) + 10)),
                  ...others.map((v) => labelCell(b[v], result.name)));
        return tr;
      }));
    return element("div", {className: "timeline-view"}, strip, table);
  }

  // Points on a grid of latitude and longitude, equirectangular and true to scale at the middle latitude (as
  // the entity pages' maps): no tiles, nothing fetched, readable offline.
  function drawMap(result) {
    const {lat, long, label} = mapColumns(result);
    const points = result.bindings.filter((b) => b[lat] && b[long])
                                  .map((b) => ({b, lat: Number(b[lat].value), long: Number(b[long].value)}));
    const south = Math.min(...points.map((p) => p.lat)), north = Math.max(...points.map((p) => p.lat));
    const west = Math.min(...points.map((p) => p.long)), east = Math.max(...points.map((p) => p.long));
    const stretch = Math.max(Math.cos(((south + north) / 2) * Math.PI / 180), 0.2);
    const latSpan = Math.max(north - south + 6, 12), longSpan = Math.max(east - west + 6, 12 / stretch);
    const top = (north + south) / 2 + latSpan / 2, left = (west + east) / 2 - longSpan / 2;
    const scale = Math.min(640 / (longSpan * stretch), 420 / latSpan);
    const width = Math.round(longSpan * stretch * scale), height = Math.round(latSpan * scale);
    const px = (lo) => ((lo - left) * stretch * scale), py = (la) => ((top - la) * scale);
    const map = svg("svg", {class: "map map-view", viewBox: `0 0 ${width} ${height}`, role: "group",
                            "aria-label": `${points.length} points by latitude and longitude`});
    map.append(svg("rect", {class: "sea", width, height}));
    const step = [1, 2, 5, 10, 20, 30].find((s) => Math.max(latSpan, longSpan) / s <= 8) || 30;
    for (let la = Math.ceil((top - latSpan) / step) * step; la <= top; la += step) {
      map.append(svg("line", {class: "grid", x1: 0, x2: width, y1: py(la).toFixed(1), y2: py(la).toFixed(1)}),
                 svg("text", {class: "grid", x: 3, y: (py(la) - 3).toFixed(1)}, `${Math.abs(la)}°${la < 0 ? "S" : "N"}`));
    }
    for (let lo = Math.ceil(left / step) * step; lo <= left + longSpan; lo += step) {
      map.append(svg("line", {class: "grid", y1: 0, y2: height, x1: px(lo).toFixed(1), x2: px(lo).toFixed(1)}),
                 svg("text", {class: "grid", y: height - 4, x: (px(lo) + 3).toFixed(1)}, `${Math.abs(lo)}°${lo < 0 ? "W" : "E"}`));
    }
    // a label goes right or left of its point, or is shown only on focus and hover where both would cover
    // one already placed (places close together)
    const placed = [];
    const free = (box) => placed.every((o) => box.x2 < o.x1 || box.x1 > o.x2 || box.y2 < o.y1 || box.y1 > o.y2);
    for (const p of points) {
      const x = px(p.long), y = py(p.lat), term = label && p.b[label];
      const name = term && term.type === "uri" ? iriLink(term.value, result.name, true)
                 : svg("g", {}, svg("title", {}, termText(term, result.name) || `${p.lat}, ${p.long}`),
                       svg("text", {}, termText(term, result.name)));
      const text = name.querySelector("text"), long = text.textContent.length * 7.5;
      const sides = [{x1: x + 8, x2: x + 8 + long, anchor: "start"}, {x1: x - 8 - long, x2: x - 8, anchor: "end"}]
        .map((b) => ({...b, y1: y - 9, y2: y + 6})).filter((b) => b.x1 >= 0 && b.x2 <= width);
      const side = sides.find(free);
      if (side) placed.push(side); else text.setAttribute("class", "crowded");
      const at = side || sides[0] || {x1: x + 8, anchor: "start"};
      text.setAttribute("x", (at.anchor === "start" ? at.x1 : at.x2).toFixed(1));
      text.setAttribute("y", (y + 4).toFixed(1));
      text.setAttribute("text-anchor", at.anchor);
      name.prepend(svg("circle", {class: "point", cx: x.toFixed(1), cy: y.toFixed(1), r: 5}));
      map.append(name);
    }
    // what is shown on focus comes last, so that it is drawn above the rest
    map.append(...[...map.querySelectorAll("text.crowded")].map((t) => t.parentElement));
    return element("figure", {className: "map-view"}, map,
                   element("figcaption", {className: "note", textContent: `${lat} and ${long} of ${label || "each row"}; ` +
                           "a grid of degrees, true to scale at the middle latitude"}));
  }

  // ---- graphs (CONSTRUCT, DESCRIBE): read as N-Triples, drawn as nodes and labelled edges, written as Turtle
  const TERM = String.raw`<([^>]*)>|_:(\S+)|"((?:[^"\\]|\\.)*)"(?:\^\^<([^>]*)>|@([A-Za-z0-9-]+))?`;
  const TRIPLE = new RegExp(String.raw`^\s*(?:${TERM})\s+(?:${TERM})\s+(?:${TERM})\s*\.\s*$`);
  const unescape = (s) => s.replace(/\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))/g, (_, u, U, c) =>
    u || U ? String.fromCodePoint(parseInt(u || U, 16)) : ({t: "\t", b: "\b", n: "\n", r: "\r", f: "\f"}[c] ?? c));
  function parseTerm(m, i) {
    if (m[i] !== undefined) return {type: "uri", value: unescape(m[i])};
    if (m[i + 1] !== undefined) return {type: "bnode", value: m[i + 1]};
    const term = {type: "literal", value: unescape(m[i + 2])};
    if (m[i + 3]) term.datatype = unescape(m[i + 3]);
    if (m[i + 4]) term["xml:lang"] = m[i + 4];
    return term;
  }
  function nTriples(body) {
    return body.split("\n").map((line) => TRIPLE.exec(line)).filter(Boolean)
               .map((m) => ({subject: parseTerm(m, 1), predicate: parseTerm(m, 6), object: parseTerm(m, 11)}));
  }

  function turtle(result) {
    const own = declared(result.query), used = new Set();
    const write = (term) => {
      if (term.type === "bnode") return "_:" + term.value;
      if (term.type === "uri") {
        const short = prefixed(term.value, own);
        if (short) used.add(short.split(":")[0]);
        return short || "<" + term.value.replace(/[\\>]/g, (c) => "\\u00" + c.charCodeAt(0).toString(16)) + ">";
      }
      const quoted = JSON.stringify(term.value).replace(/[\u2028\u2029]/g, (c) => "\\u" + c.charCodeAt(0).toString(16));
      if (term["xml:lang"]) return quoted + "@" + term["xml:lang"];
      if (term.datatype === XSD + "integer" && /^[+-]?\d+$/.test(term.value)) return term.value;
      if (!term.datatype || term.datatype === XSD + "string") return quoted;
      return quoted + "^^" + write({type: "uri", value: term.datatype});
    };
    const subjects = new Map();
    for (const t of result.bindings) {
      const s = write(t.subject), p = t.predicate.value === RDF_TYPE ? "a" : write(t.predicate);
      const predicates = subjects.get(s) ?? subjects.set(s, new Map()).get(s);
      (predicates.get(p) ?? predicates.set(p, []).get(p)).push(write(t.object));
    }
    const body = [...subjects].map(([s, predicates]) => s + "\n" + [...predicates].map(([p, objects]) =>
      "    " + p + " " + objects.join(" ,\n        ")).join(" ;\n") + " .").join("\n\n");
    const all = {...prefixes, ...own};
    return [...used].sort().map((p) => `@prefix ${p}: <${all[p]}> .`).join("\n") + "\n\n" + body + "\n";
  }
  const drawTurtle = (result) => element("pre", {className: "turtle", textContent: turtle(result)});

  const GRAPH_NODES = 120;
  // A force-directed layout (Fruchterman and Reingold), started from a circle so that a result always draws
  // the same; each literal is a node of its own, a resource one node however often it occurs.
  function drawGraph(result) {
    const nodes = new Map(), edges = [];
    const node = (term, key) => nodes.get(key) ?? nodes.set(key, {term, x: 0, y: 0, dx: 0, dy: 0}).get(key);
    result.bindings.forEach((t, i) => {
      if (nodes.size >= GRAPH_NODES) return;
      const key = (term) => term.type === "literal" ? "literal " + i : term.type + " " + term.value;
      edges.push({from: node(t.subject, key(t.subject)), to: node(t.object, key(t.object)), predicate: t.predicate});
    });
    const list = [...nodes.values()], width = 900, height = Math.max(420, Math.min(1400, list.length * 14));
    list.forEach((n, i) => {
      n.x = width / 2 + (width / 3) * Math.cos((2 * Math.PI * i) / list.length);
      n.y = height / 2 + (height / 3) * Math.sin((2 * Math.PI * i) / list.length);
    });
    const k = Math.sqrt((width * height) / Math.max(list.length, 1));
    for (let step = 0, heat = width / 8; step < 300; step++, heat *= 0.985) {
      for (const a of list) {
        a.dx = 0; a.dy = 0;
        for (const b of list) {
          if (a === b) continue;
          const dx = a.x - b.x, dy = a.y - b.y, d = Math.max(Math.hypot(dx, dy), 0.01);
          a.dx += (dx / d) * (k * k) / d; a.dy += (dy / d) * (k * k) / d;
        }
      }
      for (const e of edges) {
        const dx = e.from.x - e.to.x, dy = e.from.y - e.to.y, d = Math.max(Math.hypot(dx, dy), 0.01), f = (d * d) / k;
        e.from.dx -= (dx / d) * f; e.from.dy -= (dy / d) * f; e.to.dx += (dx / d) * f; e.to.dy += (dy / d) * f;
      }
      for (const n of list) {
        n.dx -= (n.x - width / 2) * 0.05; n.dy -= (n.y - height / 2) * 0.05;  // parts not linked stay near
        const d = Math.max(Math.hypot(n.dx, n.dy), 0.01);
        n.x += (n.dx / d) * Math.min(d, heat); n.y += (n.dy / d) * Math.min(d, heat);
      }
    }
    // the picture is cut to what the layout filled, with room on the right for the last labels
    const left = Math.min(...list.map((n) => n.x)) - 20, top = Math.min(...list.map((n) => n.y)) - 20;
    const right = Math.max(...list.map((n) => n.x)) + 200, bottom = Math.max(...list.map((n) => n.y)) + 20;
    const picture = svg("svg", {class: "graph-view", viewBox: `${left.toFixed(0)} ${top.toFixed(0)} ${(right - left).toFixed(0)} ${(bottom - top).toFixed(0)}`, role: "group",
                                "aria-label": `A graph of ${list.length} nodes and ${edges.length} edges`},
      svg("defs", {}, svg("marker", {id: "graph-arrow", viewBox: "0 0 10 10", refX: 16, refY: 5, markerWidth: 7,
                                     markerHeight: 7, orient: "auto-start-reverse"}, svg("path", {d: "M0,0L10,5L0,10z"}))));
    const short = (s) => (s.length > 32 ? s.slice(0, 31) + "…" : s);
    for (const e of edges) {
      const name = result.name(e.predicate.value);
      picture.append(svg("g", {class: "edge"}, svg("title", {}, e.predicate.value),
        svg("line", {x1: e.from.x.toFixed(1), y1: e.from.y.toFixed(1), x2: e.to.x.toFixed(1), y2: e.to.y.toFixed(1),
                     "marker-end": "url(#graph-arrow)"}),
        // nearer the object than the subject: the edges leaving one node part before their labels
        svg("text", {x: (0.35 * e.from.x + 0.65 * e.to.x).toFixed(1), y: (0.35 * e.from.y + 0.65 * e.to.y - 3).toFixed(1),
                     "text-anchor": "middle"}, short(prefixed(e.predicate.value, declared(result.query)) || name.text))));
    }
    for (const n of list) {
      const literal = n.term.type === "literal";
      const shape = literal ? svg("rect", {x: (n.x - 5).toFixed(1), y: (n.y - 5).toFixed(1), width: 10, height: 10})
                            : svg("circle", {cx: n.x.toFixed(1), cy: n.y.toFixed(1), r: 7});
      const shown = n.term.type === "uri" ? iriLink(n.term.value, result.name, true)
                  : svg("g", {}, svg("title", {}, termText(n.term, result.name)), svg("text", {}, short(termText(n.term, result.name))));
      const label = shown.querySelector("text");
      label.textContent = short(label.textContent);
      label.setAttribute("x", (n.x + 10).toFixed(1)); label.setAttribute("y", (n.y + 4).toFixed(1));
      shown.prepend(shape);
      shown.setAttribute("class", literal ? "node literal" : "node");
      picture.append(shown);
    }
    const cut = result.bindings.length > edges.length
      ? ` The first ${edges.length} of ${result.bindings.length} triples are drawn; the Turtle and the table have them all.` : "";
    return element("figure", {className: "graph-figure"}, picture, element("figcaption", {className: "note",
      textContent: "Circles are resources (linked to their pages), squares are values; an arrow is a triple." + cut}));
  }

  const VIEWS = {
    table: {name: "Table", draw: drawTable, fits: () => true},
    chart: {name: "Bar chart", draw: drawChart, fits: (r) => !r.graph && chartColumns(r)},
    timeline: {name: "Timeline", draw: drawTimeline, fits: (r) => !r.graph && timelineColumns(r)},
    map: {name: "Map", draw: drawMap, fits: (r) => !r.graph && mapColumns(r)},
    graph: {name: "Graph", draw: drawGraph, fits: (r) => r.graph},
    turtle: {name: "Turtle", draw: drawTurtle, fits: (r) => r.graph},
  };
  // Numbers are charted by themselves only when each names a quantity of a thing of its own: a footnote's
  // number, or a figure repeated for the same label, reads better in the table.
  function chartWorthy(result) {
    const {value, label} = chartColumns(result) || {};
    if (!value || !label || /^(footnote|note|id|number|no|year|rank|order|position)s?$/i.test(value)) return false;
    const labels = result.bindings.map((b) => b[label] && b[label].value);
    return new Set(labels).size === labels.length && varied(result, value);
  }
  // one value in every row (one date, bars all alike) is no picture
  const varied = (result, v) => new Set(result.bindings.map((b) => b[v] && b[v].value)).size > 1;
  // the view a result is shown in first: the most particular that suits it
  function chosen(result) {
    if (result.graph) return "graph";
    if (mapColumns(result)) return "map";
    if (timelineColumns(result) && varied(result, timelineColumns(result).begin)) return "timeline";
    return result.bindings.length > 1 && chartWorthy(result) ? "chart" : "table";
  }

  function show(result, view) {
    const keys = Object.keys(VIEWS).filter((v) => VIEWS[v].fits(result));
    tablist(viewTabs, keys.map((v) => VIEWS[v].name), keys.indexOf(view), (i) => show(result, keys[i]));
    viewTabs.querySelectorAll("[role=tab]").forEach((tab) => tab.setAttribute("aria-controls", results.id));
    viewTabs.hidden = !result.bindings.length;
    results.setAttribute("role", "tabpanel");
    results.setAttribute("aria-labelledby", viewTabs.id + "-" + keys.indexOf(view));
    results.dataset.view = view;
    results.replaceChildren(result.bindings.length ? VIEWS[view].draw(result) : element("p", {textContent: "No results."}));
  }
  function showNothing(...content) {
    viewTabs.hidden = true;
    results.removeAttribute("role"); results.removeAttribute("aria-labelledby");
    results.replaceChildren(...content);
  }
  arrows(viewTabs);

  function showDownloads(query, graph) {
    const formats = JSON.parse(downloads.dataset[graph ? "graph" : "results"]);  // [label, name, extension]: formats.py
    downloads.replaceChildren("Download: ", ...formats.flatMap(([name, format, extension], i) => {
      const a = element("a", {href: queryUrl(query, format), textContent: name, download: "results." + extension});
      return i ? [", ", a] : [a];
    }));
    downloads.hidden = false;
  }

  function setPermalink(query) {
    permalink.href = "/?query=" + encodeURIComponent(query);
    history.replaceState(null, "", permalink.href);
  }

  async function run() {
    const query = text(), mine = ++turn;
    saveTabs();
    setPermalink(query);
    errorBox.hidden = true; downloads.hidden = true;
    status.textContent = "Running…";
    const started = performance.now();
    let response;
    try {
      response = await fetch("/sparql", {method: "POST", body: new URLSearchParams({query}),
                                         headers: {Accept: "application/sparql-results+json, application/n-triples;q=0.9"}});
    } catch (failure) {
      status.textContent = ""; errorBox.textContent = "The server could not be reached: " + failure; errorBox.hidden = false;
      return;
    }
    if (mine !== turn) return;
    const seconds = ((performance.now() - started) / 1000).toFixed(2);
    if (!response.ok) {
      const reason = await response.text();
      if (mine !== turn) return;
      status.textContent = "";
      errorBox.textContent = reason;
      errorBox.hidden = false;
      showNothing();
      remember(query, "error");
      return;
    }
    const type = response.headers.get("Content-Type") || "";
    const cut = response.headers.get("X-Result-Truncated");
    await vocabularies;  // their prefixes name the result's IRIs
    if (type.startsWith("application/n-triples")) {
      const triples = nTriples(await response.text());
      const iris = [...new Set(triples.flatMap((t) => [t.subject, t.predicate, t.object]).filter((t) => t.type === "uri").map((t) => t.value))];
      const result = {graph: true, query, vars: ["subject", "predicate", "object"], bindings: triples, name: await namer(iris, query)};
      if (mine !== turn) return;
      show(result, chosen(result));
      status.textContent = `A graph of ${triples.length} triple${triples.length === 1 ? "" : "s"}, in ${seconds} s.` + (cut ? " " + cut + "." : "");
      showDownloads(query, true);
      remember(query, `${triples.length} triples`);
      return;
    }
    const data = await response.json();
    if (mine !== turn) return;
    if ("boolean" in data) {
      showNothing(element("p", {textContent: data.boolean ? "Yes (true)" : "No (false)"}));
      status.textContent = `Answered in ${seconds} s.`;
      remember(query, String(data.boolean));
      return;
    }
    const bindings = data.results.bindings;
    const iris = [...new Set(bindings.flatMap((b) => Object.values(b).filter((t) => t.type === "uri").map((t) => t.value)))];
    const result = {graph: false, query, vars: data.head.vars, bindings, name: await namer(iris, query)};
    if (mine !== turn) return;
    show(result, chosen(result));
    const count = bindings.length;
    status.textContent = `${count} row${count === 1 ? "" : "s"} in ${seconds} s.` + (cut ? " " + cut + "." : "");
    showDownloads(query, false);
    remember(query, `${count} row${count === 1 ? "" : "s"}`);
  }
  form.addEventListener("submit", (event) => { event.preventDefault(); run(); });

  // ---- editor tabs, each its own query, kept in this browser, and its last run's output, kept in this page;
  // a run whose tab is left before it answers shows nothing
  const tabList = $("editor-tabs"), PANES = [status, errorBox, downloads, viewTabs, results], outputs = [];
  let tabs = [], active = 0, ready = false, turn = 0;
  function leave() {
    turn++;
    outputs[active] = [PANES.map((e) => [e.hidden, [...e.childNodes]]), results.getAttribute("aria-labelledby")];
  }
  function enter() {
    const [panes, by] = outputs[active] ?? [PANES.map((e) => [e !== status, []])];
    PANES.forEach((e, i) => { e.hidden = panes[i][0]; e.replaceChildren(...panes[i][1]); });
    if (by) { results.setAttribute("role", "tabpanel"); results.setAttribute("aria-labelledby", by); }
    else showNothing(...panes[4][1]);
  }
  function saveTabs() {
    if (!ready) return;  // the editor holds what the server sent until start() has put the kept tab in it
    tabs[active] = text();
    saved.set("tabs", {tabs, active});
  }
  function drawTabs() {
    tablist(tabList, tabs.map((_, i) => "Query " + (i + 1)), active, selectTab);
    $("close-tab").disabled = tabs.length < 2;
    $("editor-tabs-bar").hidden = false;
  }
  function selectTab(i) {
    if (i !== active) { saveTabs(); leave(); active = i; setText(tabs[i]); enter(); }
    saved.set("tabs", {tabs, active});
    drawTabs(); snippets();
  }
  // a query that arrives (permalink, example, share link) opens in its own tab, or the tab that has it
  function open(query) {
    saveTabs();
    const at = tabs.indexOf(query);
    leave();
    if (at < 0) { tabs.push(query); active = tabs.length - 1; } else active = at;
    setText(query); enter();
    saved.set("tabs", {tabs, active});
    drawTabs();
  }
  arrows(tabList);
  $("new-tab").addEventListener("click", () => { open("SELECT * WHERE {\n  ?s ?p ?o\n} LIMIT 10"); tabList.querySelector("[aria-selected=true]").focus(); });
  $("close-tab").addEventListener("click", () => {
    tabs.splice(active, 1); outputs.splice(active, 1); turn++;
    active = Math.min(active, tabs.length - 1);
    setText(tabs[active]); enter();
    saved.set("tabs", {tabs, active});
    drawTabs(); snippets();
    tabList.querySelector("[aria-selected=true]").focus();
  });

  // ---- history of the queries run, newest first, kept in this browser
  const historyList = $("history-list");
  function remember(query, outcome) {
    const past = (saved.get("history") || []).filter((h) => h && h.query !== query);
    past.unshift({query, outcome, at: new Date().toISOString()});
    saved.set("history", past.slice(0, HISTORY_SIZE));
    drawHistory();
  }
  function gist(query) {
    const line = query.split("\n").map((l) => l.trim()).find((l) => l && !/^(PREFIX|BASE)\b/i.test(l)) || query;
    return line.length > 90 ? line.slice(0, 89) + "…" : line;
  }
  function drawHistory() {
    const past = (saved.get("history") || []).filter((h) => h && typeof h.query === "string");
    $("history-count").textContent = `(${past.length})`;
    historyList.replaceChildren(...past.map((h) => {
      const load = element("button", {type: "button", className: "link", textContent: gist(h.query)});
      load.addEventListener("click", () => { open(h.query); editor && editor.focus(); });
      return element("li", {}, load, " ", element("span", {className: "note",
        textContent: `${String(h.at).slice(0, 16).replace("T", " ")} UTC, ${h.outcome}`}));
    }));
    $("clear-history").hidden = !past.length;
  }
  $("clear-history").addEventListener("click", () => { saved.set("history", []); drawHistory(); });

  // ---- a short share link: the query deflated into the fragment (never sent to the server, so no state there)
  const base64url = (bytes) => btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  async function pack(query) {
    const stream = new Blob([query]).stream().pipeThrough(new CompressionStream("deflate-raw"));
    return base64url(new Uint8Array(await new Response(stream).arrayBuffer()));
  }
  async function unpack(packed) {
    const binary = atob(packed.replace(/-/g, "+").replace(/_/g, "/"));
    const stream = new Blob([Uint8Array.from(binary, (c) => c.charCodeAt(0))]).stream()
                     .pipeThrough(new DecompressionStream("deflate-raw")).pipeThrough(new TextDecoderStream());
    let query = "";
    for (const reader = stream.getReader(); ;) {
      const {value, done} = await reader.read();
      if (done) return query;
      query += value;
      if (query.length > SHARED_LIMIT) { reader.cancel(); throw new Error("too long"); }
    }
  }
  $("share").addEventListener("click", async () => {
    const link = window.CompressionStream ? location.origin + "/#q=" + await pack(text())
                                          : location.origin + "/?query=" + encodeURIComponent(text());
    const box = $("share-link");
    box.value = link; box.hidden = false;
    if (!await copy(link, $("share"))) { box.focus(); box.select(); }
  });

  async function copy(value, button) {
    const was = button.textContent;
    let copied = true;
    try { await navigator.clipboard.writeText(value); button.textContent = "Copied"; }
    catch { button.textContent = "Select and copy it (Ctrl+C)"; copied = false; }
    setTimeout(() => { button.textContent = was; }, 2000);
    return copied;
  }

  // ---- code to run the current query elsewhere
  const graphForm = (query) => /^\s*((PREFIX|BASE)\s[^>]*>\s*|#[^\n]*\n\s*)*(CONSTRUCT|DESCRIBE)\b/i.test(query);
  const shell = (s) => "'" + s.replace(/'/g, "'\\''") + "'";
  const pythonString = (s) => '"""\n' + s.replace(/\\/g, "\\\\").replace(/"""/g, '""\\"') + '\n"""';
  const jsString = (s) => "`" + s.replace(/\\/g, "\\\\").replace(/`/g, "\\`").replace(/\$\{/g, "\\${") + "`";
  function rString(s) {
    let dashes = "";
    while (s.includes(")" + dashes + '"')) dashes += "-";
    return `r"${dashes}(${s})${dashes}"`;
  }
  const SNIPPETS = {
    curl: (q, url, graph) => `curl -sS ${url} -H ${shell("Accept: " + (graph ? "text/turtle" : "text/csv"))} \\\n  --data-urlencode ${shell("query=" + q)}`,
    python: (q, url, graph) => `# pip install SPARQLWrapper
from SPARQLWrapper import ${graph ? "TURTLE" : "JSON"}, POST, SPARQLWrapper

sparql = SPARQLWrapper("${url}")
sparql.setMethod(POST)
sparql.setQuery(${pythonString(q)})
sparql.setReturnFormat(${graph ? "TURTLE" : "JSON"})
` + (graph ? `print(sparql.query().response.read().decode("utf-8"))\n`
            : `for row in sparql.queryAndConvert()["results"]["bindings"]:
    print({name: term["value"] for name, term in row.items()})\n`),
    r: (q, url, graph) => `# install.packages("httr")
library(httr)

query <- ${rString(q)}
response <- POST("${url}", body = list(query = query), encode = "form",
                 accept("${graph ? "text/turtle" : "text/csv"}"))
stop_for_status(response)
` + (graph ? `cat(content(response, as = "text", encoding = "UTF-8"))\n`
            : `results <- read.csv(text = content(response, as = "text", encoding = "UTF-8"))\nprint(results)\n`),
    javascript: (q, url, graph) => `const query = ${jsString(q)};
const response = await fetch("${url}", {
  method: "POST",
  headers: {Accept: "${graph ? "text/turtle" : "application/sparql-results+json"}"},
  body: new URLSearchParams({query}),
});
if (!response.ok) throw new Error(await response.text());
` + (graph ? `console.log(await response.text());\n`
            : `const {results} = await response.json();
console.table(results.bindings.map((row) => Object.fromEntries(Object.entries(row).map(([name, term]) => [name, term.value]))));\n`),
  };
  function snippets() {
    if (!$("snippets").open) return;
    const query = text(), url = location.origin + "/sparql", graph = graphForm(query);
    for (const [language, write] of Object.entries(SNIPPETS)) $("snippet-" + language).textContent = write(query, url, graph);
  }
  $("snippets").addEventListener("toggle", snippets);
  document.querySelectorAll("[data-copy]").forEach((button) => button.addEventListener("click", () => {
    snippets();
    copy($(button.dataset.copy).textContent, button);
  }));

  // the editor has no change event of its own: what is typed is kept as it is typed, and when the page goes
  let typing = null;
  (editor ? textarea.parentElement : textarea).addEventListener("input", () => {
    clearTimeout(typing);
    typing = setTimeout(() => { saveTabs(); snippets(); }, 300);
  });
  addEventListener("pagehide", saveTabs);

  const filter = $("example-filter");
  filter.addEventListener("input", () => {
    const words = filter.value.toLowerCase().split(/\s+/).filter(Boolean);
    document.querySelectorAll("#examples li").forEach((li) => {
      li.hidden = !words.every((w) => li.dataset.text.includes(w));
    });
  });

  async function start() {
    const kept = saved.get("tabs");
    if (kept && Array.isArray(kept.tabs) && kept.tabs.length && kept.tabs.every((t) => typeof t === "string")) {
      tabs = kept.tabs; active = Math.max(0, Math.min(Number(kept.active) || 0, tabs.length - 1));
    }
    const arrived = textarea.value;
    let shared = null;
    if (location.hash.startsWith("#q=")) {
      try { shared = await unpack(location.hash.slice(3)); }
      catch { errorBox.textContent = "This share link is damaged: its query could not be read."; errorBox.hidden = false; }
    }
    const asked = shared !== null || runOnLoad;
    if (!tabs.length) tabs = [arrived];
    if (asked) {
      const query = shared ?? arrived, at = tabs.indexOf(query);
      if (at < 0) tabs.push(query);
      active = at < 0 ? tabs.length - 1 : at;
    }
    setText(tabs[active]);
    ready = true;
    saved.set("tabs", {tabs, active});
    drawTabs();
    $("history").hidden = false; $("snippets").hidden = false; $("share").hidden = false;
    drawHistory();
    if (asked) run();
  }
  start();
})();
