/* Search: Pagefind finds the text; filters and date order come from small static files
   written with the site (entities.json, search/<type>/<slug>.json, search/dates.json).
   No request leaves the site. */
(function () {
  "use strict";
  const form = document.querySelector(".search-form");
  if (!form) return;
  const root = new URL(form.dataset.searchRoot, window.location.href);
  const status = document.querySelector(".search-status");
  const list = document.querySelector(".search-results");
  const query = form.querySelector("#search-query");
  const selects = Array.from(form.querySelectorAll("select[data-filter]"));
  const order = form.querySelector("select[data-sort]");
  const LIMIT = 50;
  const SCAN = 500; /* results read to filter or order a text search */
  let pagefind = null;
  let dates = null;
  let run = 0;
  const cache = new Map();

  const json = async (path) => {
    if (!cache.has(path)) cache.set(path, fetch(new URL(path, root)).then((r) => r.json()));
    return cache.get(path);
  };
  const slugOf = (url) => url.replace(/index\.html$/, "").replace(/\/$/, "").split("/").pop();

  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  async function start() {
    try {
      const entities = await json("entities.json");
      for (const select of selects) {
        const type = select.dataset.filter;
        const options = entities.filter((e) => e.url.startsWith(type + "/"))
          .sort((a, b) => a.name.localeCompare(b.name));
        for (const entity of options) {
          select.append(new Option(entity.name + " (" + entity.stories + ")", entity.url.split("/")[1]));
        }
      }
      const params = new URLSearchParams(window.location.search);
      if (params.has("q")) query.value = params.get("q");
      for (const select of [...selects, order]) if (params.has(select.name)) select.value = params.get(select.name);
      /* the index is split into shards (pagefind/0/, pagefind/1/, ...): load the first, merge the others */
      const [first, ...others] = (form.dataset.searchShards || "0").split(" ");
      pagefind = await import(new URL("pagefind/" + first + "/pagefind.js", root).href);
      await pagefind.options({ baseUrl: root.pathname });
      /* all at once: each is a few small files to fetch (mergeIndex keeps them in the order asked) */
      await Promise.all(others.map((shard) =>
        pagefind.mergeIndex(new URL("pagefind/" + shard + "/", root).pathname, { baseUrl: root.pathname })));
      form.dataset.ready = "true";
      await search();
    } catch (error) {
      status.textContent = "Search is not available on this copy of the site.";
      console.error(error);
    }
  }

  async function search() {
    if (!pagefind) return;
    const mine = ++run;
    const term = query.value.trim();
    const chosen = selects.filter((select) => select.value);
    if (!term && !chosen.length) {
      list.replaceChildren();
      status.textContent = "Type to search, or choose a filter.";
      remember(term);
      return;
    }
    let allowed = null;
    const titles = new Map();
    for (const select of chosen) {
      const rows = await json("search/" + select.dataset.filter + "/" + select.value + ".json");
      for (const [slug, title] of rows) titles.set(slug, title);
      const slugs = new Set(rows.map((row) => row[0]));
      allowed = allowed ? new Set([...allowed].filter((slug) => slugs.has(slug))) : slugs;
    }
    let found;
    let total = null; /* how many stories match, when more are found than are loaded */
    if (term) {
      const results = (await pagefind.search(term)).results;
      // a result's address comes with its data: load as many as filtering and ordering need
      const needAll = allowed || order.value;
      const loaded = await Promise.all(results.slice(0, needAll ? SCAN : LIMIT).map((r) => r.data()));
      found = loaded.map((data) => ({ slug: slugOf(data.url), data }))
        .filter((item) => !allowed || allowed.has(item.slug));
      if (!needAll) total = results.length;
    } else {
      found = [...allowed].map((slug) => ({ slug, data: null }));
    }
    if (order.value || !term) {
      dates = dates || await json("search/dates.json");
      const sign = order.value === "asc" ? 1 : -1;
      found.sort((a, b) => ((dates[a.slug] || "") < (dates[b.slug] || "") ? -1 : 1) * sign);
    }
    const shown = found.slice(0, LIMIT);
    if (mine !== run) return;
    remember(term);
    const count = total === null ? found.length : total;
    status.textContent = (count === 1 ? "1 story" : count + " stories")
      + (count > LIMIT ? ", the first " + LIMIT + " shown" : "");
    list.replaceChildren(...shown.map(({ slug, data }) => {
      const li = element("li", "story");
      const h = element("h2", "story-title");
      const a = element("a", "", data ? (data.meta.title || slug) : (titles.get(slug) || slug));
      a.href = new URL("stories/" + slug + "/", root).href;
      h.append(a);
      li.append(h);
      if (dates && dates[slug]) li.append(element("p", "meta", dates[slug]));
      if (data) {
        const excerpt = element("p", "summary");
        excerpt.innerHTML = data.excerpt; /* Pagefind's excerpt: escaped text with <mark> around the hits */
        li.append(excerpt);
      }
      return li;
    }));
  }

  function remember(term) {
    const params = new URLSearchParams();
    if (term) params.set("q", term);
    for (const select of [...selects, order]) if (select.value) params.set(select.name, select.value);
    history.replaceState(null, "", params.toString() ? "?" + params : window.location.pathname);
  }

  form.addEventListener("submit", (event) => { event.preventDefault(); search(); });
  let timer = 0;
  query.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(search, 150); });
  for (const select of [...selects, order]) select.addEventListener("change", search);
  start();
})();
