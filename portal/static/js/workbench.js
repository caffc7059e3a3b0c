/* The copy workbench (back office): select words in an entry's text with the mouse or
   the keyboard, and they are put in that entry's "Wat moet weg?" field, which opens and
   gets focus. Nothing is sent: the caseworker still chooses a ground, writes why, and
   presses the button. Without this script the field is filled by hand. */
(function () {
  'use strict';

  function entryOf(node) {
    while (node && node.nodeType !== 1) { node = node.parentNode; }
    return node ? node.closest('article.bo-entry') : null;
  }

  function takeSelection() {
    var sel = window.getSelection();
    if (!sel || sel.isCollapsed || sel.rangeCount === 0) { return; }
    var text = sel.toString().replace(/\s+/g, ' ').trim();
    if (!text || text.length > 300) { return; }
    var range = sel.getRangeAt(0);
    var start = entryOf(range.startContainer);
    var end = entryOf(range.endContainer);
    if (!start || start !== end) { return; }
    var holder = range.commonAncestorContainer;
    while (holder && holder.nodeType !== 1) { holder = holder.parentNode; }
    if (!holder || !holder.closest('[data-entry-text], h3')) { return; }
    var field = start.querySelector('input[name="phrase"]');
    if (!field) { return; }
    var details = field.closest('details');
    if (details) { details.open = true; }
    field.value = text;
    var radio = start.querySelector('input[name="field"][value="' + (holder.closest('h3') ? 'title' : 'text') + '"]');
    if (radio) { radio.checked = true; }
    field.focus();
  }

  document.addEventListener('mouseup', function () { window.setTimeout(takeSelection, 0); });
  document.addEventListener('keyup', function (event) {
    if (event.shiftKey) { takeSelection(); }
  });
}());
