/**
 * The report's optional inline script. It only enhances what is already on the page: column
 * headers of `table.sortable` become sort buttons, and a filter box narrows the flow index.
 * With scripts disabled (or blocked by a ticket viewer) nothing is lost but those two.
 *
 * It is allowed by its hash in the Content-Security-Policy (document.ts), and, as the document is
 * XML too, it must stay free of `<` and `&` (a test holds it so). It reads text from the page
 * only through textContent and never writes markup (no innerHTML), so captured text stays text.
 */
export const SCRIPT = `
(function () {
  "use strict";
  function key(cell) {
    var v = cell.getAttribute("data-v");
    if (v !== null) return Number(v);
    var t = cell.textContent.trim();
    var n = Number(t.replace(/[,%]/g, ""));
    return t === "" || isNaN(n) ? t.toLowerCase() : n;
  }
  function compare(a, b) {
    if (typeof a === typeof b) return a === b ? 0 : a > b ? 1 : -1;
    return typeof a === "number" ? -1 : 1;
  }
  Array.prototype.forEach.call(document.querySelectorAll("table.sortable"), function (table) {
    var heads = table.querySelectorAll("thead th");
    Array.prototype.forEach.call(heads, function (th, col) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort-button";
      while (th.firstChild) button.appendChild(th.firstChild);
      th.appendChild(button);
      button.addEventListener("click", function () {
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        var dir = th.getAttribute("aria-sort") === "ascending" ? -1 : 1;
        Array.prototype.forEach.call(heads, function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", dir === 1 ? "ascending" : "descending");
        rows.sort(function (a, b) { return dir * compare(key(a.cells[col]), key(b.cells[col])); });
        var fragment = document.createDocumentFragment();
        rows.forEach(function (r) { fragment.appendChild(r); });
        body.appendChild(fragment);
      });
    });
  });
  var index = document.getElementById("flow-index-table");
  if (index) {
    var input = document.createElement("input");
    input.type = "search";
    input.id = "flow-filter";
    input.placeholder = "Filter flows: address, close, finding";
    input.setAttribute("aria-label", "Filter the flow index");
    var wrap = index.parentNode;
    wrap.parentNode.insertBefore(input, wrap);
    input.addEventListener("input", function () {
      var q = input.value.trim().toLowerCase();
      Array.prototype.forEach.call(index.tBodies[0].rows, function (r) {
        r.hidden = q !== "" ? r.textContent.toLowerCase().indexOf(q) === -1 : false;
      });
    });
  }
})();
`;
