// The report-text page: a selection in the text fills the "Add as statement" form with its characters. Every
// piece of the text carries data-start, where it begins in the document, so a selection's offsets are that plus
// the offset inside the piece.
(function () {
  "use strict";
  var text = document.getElementById("document-text");
  var start = document.getElementById("add-start");
  var end = document.getElementById("add-end");
  var shown = document.getElementById("selection-text");
  if (!text || !start || !end) return;

  function position(node, offset) {
    var piece = (node.nodeType === Node.TEXT_NODE ? node.parentElement : node);
    piece = piece && piece.closest("[data-start]");
    if (!piece || !text.contains(piece)) return null;
    if (node.nodeType !== Node.TEXT_NODE) offset = offset ? piece.textContent.length : 0;
    return Number(piece.dataset.start) + offset;
  }

  document.addEventListener("selectionchange", function () {
    var selection = window.getSelection();
    if (!selection || selection.rangeCount === 0 || selection.isCollapsed) return;
    var range = selection.getRangeAt(0);
    var from = position(range.startContainer, range.startOffset);
    var to = position(range.endContainer, range.endOffset);
    if (from === null || to === null || to <= from) return;
    start.value = from;
    end.value = to;
    shown.textContent = selection.toString();
  });
})();
