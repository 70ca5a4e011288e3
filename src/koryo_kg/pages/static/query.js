// The query page: the editor, running a query (button or Ctrl+Enter), the results as a sortable table with
// IRIs shown by their labels and linked to their pages, row count and time, errors with the parser's
// message, downloads, permalinks, and the examples. Without this script the form still runs queries.
(function () {
  const BASE = "https://w3id.org/koryo-kg/";
  const RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label";
  const SKOS_PREF_LABEL = "http://www.w3.org/2004/02/skos/core#prefLabel";
  const form = document.getElementById("query-form");
  const textarea = document.getElementById("query");
  const status = document.getElementById("status");
  const errorBox = document.getElementById("error");
  const results = document.getElementById("results");
  const downloads = document.getElementById("downloads");
  const permalink = document.getElementById("permalink");
  const completions = JSON.parse(document.getElementById("completions").textContent);
  const editor = window.KoryoEditor ? KoryoEditor.attach(textarea, {completions, onRun: run}) : null;
  document.getElementById("format").hidden = true;
  document.getElementById("format-label").hidden = true;

  const text = () => (editor ? editor.get() : textarea.value);
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

  function setPermalink(query) {
    permalink.href = "/?query=" + encodeURIComponent(query);
    history.replaceState(null, "", permalink.href);
  }

  function showDownloads(query, graph) {
    const formats = JSON.parse(downloads.dataset[graph ? "graph" : "results"]);  // [label, name, extension]
    downloads.replaceChildren("Download: ", ...formats.flatMap(([name, format, extension], i) => {
      const a = document.createElement("a");
      a.href = queryUrl(query, format); a.textContent = name; a.download = "results." + extension;
      return i ? [", ", a] : [a];
    }));
    downloads.hidden = false;
  }

  async function labels(iris) {
    if (!iris.length) return {};
    const values = iris.slice(0, 300).map((i) => "<" + i + ">").join(" ");
    const query = `SELECT ?s ?l WHERE { VALUES ?s { ${values} } ?s <${RDFS_LABEL}>|<${SKOS_PREF_LABEL}> ?l
                   FILTER (langMatches(lang(?l), "en")) }`;
    const response = await fetch("/sparql", {method: "POST", body: new URLSearchParams({query}),
                                             headers: {Accept: "application/sparql-results+json"}});
    if (!response.ok) return {};
    const found = {};
    for (const b of (await response.json()).results.bindings) found[b.s.value] = b.l.value;
    return found;
  }

  function cell(term, names) {
    const td = document.createElement("td");
    if (!term) return td;
    if (term.type === "uri") {
      const href = followable(term.value);
      const shown = href ? document.createElement("a") : document.createElement("span");
      if (href) shown.href = href;
      shown.textContent = names[term.value] || term.value; shown.title = term.value;
      td.append(shown);
      td.dataset.sort = (names[term.value] || term.value).toLowerCase();
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

  async function table(data) {
    const vars = data.head.vars, bindings = data.results.bindings;
    const iris = [...new Set(bindings.flatMap((b) => Object.values(b).filter((t) => t.type === "uri").map((t) => t.value)))];
    const names = await labels(iris);
    const t = document.createElement("table");
    t.className = "results";
    const caption = document.createElement("caption");
    caption.className = "note"; caption.textContent = "Results; select a column heading to sort";
    const head = t.createTHead().insertRow();
    vars.forEach((v, i) => {
      const th = document.createElement("th");
      th.scope = "col";
      const button = document.createElement("button");
      button.type = "button"; button.textContent = v;
      button.addEventListener("click", () => sortBy(t, i, th));
      th.append(button); head.append(th);
    });
    const body = t.createTBody();
    for (const b of bindings) {
      const row = body.insertRow();
      vars.forEach((v) => row.append(cell(b[v], names)));
    }
    t.prepend(caption);
    results.replaceChildren(t);
  }

  async function run() {
    const query = text();
    setPermalink(query);
    errorBox.hidden = true; downloads.hidden = true;
    status.textContent = "Running…";
    const started = performance.now();
    let response;
    try {
      response = await fetch("/sparql", {method: "POST", body: new URLSearchParams({query}),
                                         headers: {Accept: "application/sparql-results+json, text/turtle;q=0.9"}});
    } catch (failure) {
      status.textContent = ""; errorBox.textContent = "The server could not be reached: " + failure; errorBox.hidden = false;
      return;
    }
    const seconds = ((performance.now() - started) / 1000).toFixed(2);
    if (!response.ok) {
      status.textContent = "";
      errorBox.textContent = await response.text();
      errorBox.hidden = false;
      results.replaceChildren();
      return;
    }
    const type = response.headers.get("Content-Type") || "";
    if (type.startsWith("text/turtle")) {
      const pre = document.createElement("pre");
      pre.textContent = await response.text();
      results.replaceChildren(pre);
      status.textContent = `A graph, in ${seconds} s.`;
      showDownloads(query, true);
      return;
    }
    const data = await response.json();
    if ("boolean" in data) {
      results.replaceChildren(Object.assign(document.createElement("p"), {textContent: data.boolean ? "Yes (true)" : "No (false)"}));
      status.textContent = `Answered in ${seconds} s.`;
      return;
    }
    await table(data);
    const cut = response.headers.get("X-Result-Truncated");
    const count = data.results.bindings.length;
    status.textContent = `${count} row${count === 1 ? "" : "s"} in ${seconds} s.` + (cut ? " " + cut + "." : "");
    showDownloads(query, false);
  }

  form.addEventListener("submit", (event) => { event.preventDefault(); run(); });

  const filter = document.getElementById("example-filter");
  filter.addEventListener("input", () => {
    const words = filter.value.toLowerCase().split(/\s+/).filter(Boolean);
    document.querySelectorAll("#examples li").forEach((li) => {
      li.hidden = !words.every((w) => li.dataset.text.includes(w));
    });
  });
  if (document.currentScript.dataset.run === "yes") run();
})();
