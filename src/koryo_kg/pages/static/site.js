// Suggestions under the search box as you type, from GET /search (JSON). Without JavaScript the box is a
// plain form that opens the search page. Keyboard: arrows move through the suggestions, Enter opens one,
// Escape closes them.
(function () {
  const input = document.getElementById("site-search");
  const list = document.getElementById("site-search-suggestions");
  if (!input || !list) return;
  let active = -1, pending = null;

  function links() { return Array.from(list.querySelectorAll("a")); }
  function close() { list.replaceChildren(); active = -1; input.setAttribute("aria-expanded", "false"); input.removeAttribute("aria-activedescendant"); }
  function mark(index) {
    const items = links();
    items.forEach((a, i) => a.setAttribute("aria-selected", String(i === index)));
    active = index;
    if (items[index]) input.setAttribute("aria-activedescendant", items[index].id);
  }

  async function suggest() {
    const text = input.value.trim();
    if (!text) { close(); return; }
    if (pending) pending.abort();
    pending = new AbortController();
    try {
      const response = await fetch("/search?limit=8&q=" + encodeURIComponent(text),
                                   {headers: {Accept: "application/json"}, signal: pending.signal});
      const {results} = await response.json();
      if (input.value.trim() !== text) return;
      list.replaceChildren(...results.map((r, i) => {
        const li = document.createElement("li");
        const a = document.createElement("a");
        a.href = r.url; a.id = "suggestion-" + i; a.setAttribute("role", "option"); a.tabIndex = -1;
        a.textContent = r.label + (r.matched !== r.label ? " — " + r.matched : "");
        const kind = document.createElement("span");
        kind.className = "note"; kind.textContent = " " + r.types.join(", ");
        a.append(kind); li.append(a); li.setAttribute("role", "presentation");
        return li;
      }));
      active = -1;
      input.setAttribute("aria-expanded", String(results.length > 0));
    } catch (error) {
      if (error.name !== "AbortError") close();
    }
  }

  input.addEventListener("input", suggest);
  input.addEventListener("keydown", (event) => {
    const items = links();
    if (event.key === "ArrowDown" && items.length) { mark((active + 1) % items.length); event.preventDefault(); }
    else if (event.key === "ArrowUp" && items.length) { mark((active - 1 + items.length) % items.length); event.preventDefault(); }
    else if (event.key === "Enter" && active >= 0 && items[active]) { location.href = items[active].href; event.preventDefault(); }
    else if (event.key === "Escape") close();
  });
  document.addEventListener("click", (event) => { if (!input.form.contains(event.target)) close(); });
})();
