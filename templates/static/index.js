/* Entity index pages: filter the table as you type, sort by a column. The table works
   without this script; the script only adds the tools. */
(function () {
  "use strict";
  const table = document.querySelector("table[data-sortable]");
  if (!table) return;
  const tools = document.querySelector(".index-tools");
  const input = tools.querySelector("input");
  const count = tools.querySelector(".filter-count");
  const body = table.tBodies[0];
  const rows = Array.from(body.rows);
  tools.hidden = false;

  function filter() {
    const words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
    let shown = 0;
    for (const row of rows) {
      const match = words.every((word) => row.dataset.name.includes(word));
      row.hidden = !match;
      shown += match;
    }
    count.textContent = words.length ? shown + " of " + rows.length : "";
  }

  function sort(key, header) {
    const current = header.getAttribute("aria-sort");
    const direction = current === "ascending" ? "descending" : current === "descending" ? "ascending"
      : key === "name" ? "ascending" : "descending";
    for (const th of table.tHead.rows[0].cells) th.removeAttribute("aria-sort");
    header.setAttribute("aria-sort", direction);
    const sign = direction === "ascending" ? 1 : -1;
    const value = (row) => key === "count" ? Number(row.dataset.count) : row.dataset[key];
    rows.sort((a, b) => {
      const x = value(a), y = value(b);
      return (x < y ? -1 : x > y ? 1 : a.dataset.name.localeCompare(b.dataset.name)) * sign;
    });
    body.append(...rows);
  }

  input.addEventListener("input", filter);
  for (const button of table.querySelectorAll("button[data-sort-key]")) {
    button.addEventListener("click", () => sort(button.dataset.sortKey, button.closest("th")));
  }
})();
