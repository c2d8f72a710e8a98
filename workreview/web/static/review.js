// Keyboard-first reviewing. Elements declare their key with data-key (clicked) or data-focus-key (focused);
// keys do nothing while the reviewer types in a field, and Esc leaves the field.
(function () {
  "use strict";

  // The statement's box over the page image; set here because the page's CSP allows no inline styles.
  document.querySelectorAll(".page-box").forEach(function (box) {
    ["left", "top", "width", "height"].forEach(function (side) {
      box.style[side] = box.dataset[side] + "%";
    });
  });

  var rows = Array.prototype.slice.call(document.querySelectorAll("tr[data-href]"));
  var selected = -1;
  function select(index) {
    if (!rows.length) return;
    selected = Math.max(0, Math.min(rows.length - 1, index));
    rows.forEach(function (row, i) { row.classList.toggle("selected", i === selected); });
    rows[selected].scrollIntoView({ block: "nearest" });
  }

  function withKey(attribute, key) {
    return Array.prototype.find.call(document.querySelectorAll("[" + attribute + "]"), function (element) {
      return element.getAttribute(attribute).split(" ").indexOf(key) !== -1;
    });
  }

  var busy = false;
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.target.closest("input, textarea, select")) {
      if (event.key === "Escape") event.target.blur();
      return;
    }
    if (rows.length && (event.key === "j" || event.key === "k")) {
      event.preventDefault();
      select(selected + (event.key === "j" ? 1 : -1));
      return;
    }
    // Enter opens the chosen row, or the first when none is chosen yet; on a link or button it keeps its own meaning.
    if (rows.length && event.key === "Enter" && !event.target.closest("a, button")) {
      event.preventDefault();
      window.location.href = rows[Math.max(selected, 0)].dataset.href;
      return;
    }
    var field = withKey("data-focus-key", event.key);
    if (field) {
      event.preventDefault();
      field.focus();
      return;
    }
    var target = withKey("data-key", event.key);
    if (!target || busy) return;
    event.preventDefault();
    busy = true; // one key press, one decision: a held or repeated key must not submit twice
    target.click();
  });
})();
