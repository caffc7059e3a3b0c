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

/* In place (issue 12 item 3): a form marked data-in-place is sent in the background
   with its CSRF token, as the browser would send it, plus the header
   "X-Workbench: in-place". The answer holds the changed parts of the page (the entry,
   the state of the copy, the counts), each with an id: each replaces the element with
   that id, so the caseworker stays where they were. The status line says what
   happened (role="status"); focus goes back to the entry. Without this script, or if
   the request fails, the form is posted as usual and the page comes back at the entry. */
(function () {
  'use strict';
  if (!window.fetch || !window.FormData || !window.DOMParser) { return; }

  function replaceParts(html) {
    var doc = new DOMParser().parseFromString('<body>' + html + '</body>', 'text/html');
    var status = null;
    Array.prototype.forEach.call(doc.body.children, function (part) {
      if (!part.id) { return; }
      var here = document.getElementById(part.id);
      if (!here) { return; }
      if (part.id === 'workbench-status') {
        here.innerHTML = part.innerHTML;  // the live region stays; its words change
        status = part;
        return;
      }
      here.replaceWith(document.importNode(part, true));  // a form with an error comes back open
    });
    return status;
  }

  function focusAfter(anchor) {
    var target = document.getElementById(anchor + '-error') || document.getElementById(anchor);
    if (!target) { return; }
    var entry = target.closest('article') || target;
    var heading = entry.querySelector('h3') || entry;
    var goal = target.id.slice(-6) === '-error' ? target : heading;
    if (!goal.hasAttribute('tabindex')) { goal.setAttribute('tabindex', '-1'); }
    goal.focus({ preventScroll: false });
  }

  document.addEventListener('submit', function (event) {
    var form = event.target;
    if (!form.matches || !form.matches('form[data-in-place]') || form.dataset.sending === '1') { return; }
    event.preventDefault();
    form.dataset.sending = '1';
    var button = form.querySelector('button[type="submit"]');
    if (button) { button.setAttribute('aria-busy', 'true'); }
    fetch(form.action, {
      method: 'POST', body: new FormData(form), credentials: 'same-origin',
      headers: { 'X-Workbench': 'in-place' }, redirect: 'error'
    }).then(function (resp) {
      if (resp.status !== 200 && resp.status !== 422) { throw new Error('status ' + resp.status); }
      return resp.text();
    }).then(function (html) {
      var status = replaceParts(html);
      focusAfter(status ? status.getAttribute('data-anchor') : '');
    }).catch(function () {
      form.dataset.sending = '0';
      form.removeAttribute('data-in-place');
      form.submit();  // as without this script: the whole page, back at the entry
    });
  });

  /* An attachment can be decided on only after it was opened (the server checks it):
     opening it here enables its button at once. */
  document.addEventListener('click', function (event) {
    var link = event.target.closest && event.target.closest('a[data-opens-attachment]');
    if (!link) { return; }
    var id = link.getAttribute('data-opens-attachment');
    window.setTimeout(function () {
      var button = document.getElementById('button-attachment-' + id);
      var hint = document.getElementById('bijlage-' + id + '-open-first');
      if (button) { button.disabled = false; button.removeAttribute('aria-describedby'); }
      if (hint) { hint.remove(); }
    }, 500);
  });
}());
