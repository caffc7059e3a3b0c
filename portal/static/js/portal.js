/*
 * Public portal: progressive enhancement only. Every page and form works without this
 * file; it only makes leaving the site faster and leaves fewer traces behind.
 *
 * People using this site may be in danger at home. So:
 *  1. "Snel weg" (quick exit) and pressing Escape three times replace this page with a
 *     neutral website at once, without adding a history entry.
 *  2. Links and forms inside the portal replace the current history entry instead of
 *     adding new ones. The whole visit then takes one entry, and quick exit replaces
 *     exactly that one: the back button shows nothing of this site afterwards.
 *  3. On a page with errors the error summary takes focus (the template also sets
 *     autofocus), so screen reader users hear what went wrong.
 *
 * Loaded with <script src defer> (CSP script-src 'self': no inline script anywhere).
 * Plain ES2017, no dependencies. If anything here throws, the browser's own behaviour
 * is left to happen.
 */
(function () {
  'use strict';

  // Shared state on window. A page shown from a form post is written into this same
  // document with document.open()/write(); that erases every event listener and runs
  // this file again in the same window. `bound` tells whether this document's listeners
  // are in place, so they are attached exactly once per document.
  var state = window.__vtPortal || (window.__vtPortal = { bound: false, escapes: [], exiting: false });

  var ESCAPE_PRESSES = 3;
  var ESCAPE_WINDOW_MS = 2000;
  // Only used if the page somehow lacks both data-quick-exit and the link.
  var FALLBACK_EXIT_URL = 'https://www.weeronline.nl/';
  // Templates can put data-vt-native on a link or form to keep the browser's own behaviour.
  var OPT_OUT = 'data-vt-native';

  /* ---------------------------------------------------------------- quick exit ---- */

  function exitUrl() {
    var url = document.body && document.body.getAttribute('data-quick-exit');
    if (!url) {
      var link = document.getElementById('quick-exit');
      url = link && link.getAttribute('href');
    }
    return url || FALLBACK_EXIT_URL;
  }

  // Safety: leave now. location.replace() swaps this history entry for the neutral site
  // (no pop-up, so no pop-up blocker). The page is hidden at once in case the neutral
  // site is slow to load.
  function quickExit() {
    var url = exitUrl();
    state.exiting = true;
    try { window.sessionStorage.clear(); } catch (e) { /* storage may be disabled */ }
    try { document.documentElement.classList.add('vt-exiting'); } catch (e) { /* ignore */ }
    try {
      window.location.replace(url);
    } catch (e) {
      window.location.href = url;
    }
  }

  function onKeydown(event) {
    if (event.key !== 'Escape' && event.key !== 'Esc') { return; }
    var now = Date.now();
    state.escapes = state.escapes.filter(function (t) { return now - t < ESCAPE_WINDOW_MS; });
    state.escapes.push(now);
    if (state.escapes.length >= ESCAPE_PRESSES) {
      state.escapes = [];
      quickExit();
    }
  }

  /* ------------------------------------------------------ same-page fragments ---- */

  // Move to an element on this page without a new history entry (skip link, links in
  // the error summary). For a form control, focus it and show its label or legend, as
  // the GOV.UK error summary does.
  function goToFragment(id) {
    var el = document.getElementById(id);
    if (!el) { return false; }
    var isControl = /^(INPUT|SELECT|TEXTAREA|BUTTON)$/.test(el.tagName);
    var show = el;
    if (isControl) {
      var fieldset = el.closest('fieldset');
      var legend = fieldset && fieldset.querySelector('legend');
      if ((el.type === 'radio' || el.type === 'checkbox') && legend) {
        show = legend;
      } else if (el.labels && el.labels.length) {
        show = el.labels[0];
      }
    } else if (!el.hasAttribute('tabindex') && !el.matches('a[href], [contenteditable]')) {
      el.setAttribute('tabindex', '-1');
    }
    if (show.scrollIntoView) { show.scrollIntoView(); }
    el.focus({ preventScroll: true });
    return true;
  }

  /* ---------------------------------------------------------------- links -------- */

  function isSameDocument(url) {
    return url.origin === window.location.origin &&
      url.pathname === window.location.pathname &&
      url.search === window.location.search;
  }

  function onClick(event) {
    try {
      if (event.defaultPrevented || event.button !== 0) { return; }
      var target = event.target;
      if (!(target instanceof Element)) { return; }
      var link = target.closest('a[href]');
      if (!link || !(link instanceof HTMLAnchorElement)) { return; }

      // Quick exit wins over everything, modifier keys included: never open the
      // neutral site in a new tab and leave this page standing.
      if (link.id === 'quick-exit') {
        event.preventDefault();
        quickExit();
        return;
      }

      // Leave new tabs, downloads and anything unusual to the browser.
      if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) { return; }
      if (link.hasAttribute(OPT_OUT) || link.hasAttribute('download')) { return; }
      var linkTarget = link.getAttribute('target');
      if (linkTarget && linkTarget.toLowerCase() !== '_self') { return; }

      var url = new URL(link.href, document.baseURI);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') { return; }
      if (url.origin !== window.location.origin) { return; }

      if (isSameDocument(url) && (url.hash || /#$/.test(link.getAttribute('href')))) {
        // A #fragment on this page: a normal jump would add a history entry.
        var id = decodeURIComponent(url.hash.slice(1));
        if (id && goToFragment(id)) {
          event.preventDefault();
        }
        return;
      }

      // History: replace this entry instead of adding one.
      event.preventDefault();
      navigateReplacing(url.href);
    } catch (e) {
      // Let the browser follow the link normally (unless we already stopped it).
    }
  }

  function navigateReplacing(href) {
    try {
      window.location.replace(href);
    } catch (e) {
      window.location.href = href;
    }
  }

  /* ---------------------------------------------------------------- forms -------- */

  function submitterAttr(submitter, name) {
    return submitter && submitter.hasAttribute(name) ? submitter.getAttribute(name) : null;
  }

  // Without JS, or when the request cannot be sent: let the browser post the form the
  // ordinary way. The prototype method is used because a field named "submit" would
  // hide form.submit.
  function nativeSubmit(form, submitter) {
    form.removeAttribute('aria-busy');
    form.__vtSending = false;
    if (submitter && submitter.name && !submitter.disabled) {
      var hidden = document.createElement('input');
      hidden.type = 'hidden';
      hidden.name = submitter.name;
      hidden.value = submitter.value;
      form.appendChild(hidden);
    }
    HTMLFormElement.prototype.submit.call(form);
  }

  function isHtml(response) {
    var type = (response.headers.get('Content-Type') || '').toLowerCase();
    return type.indexOf('text/html') === 0 || type.indexOf('application/xhtml+xml') === 0;
  }

  // Show a page that came back from a form post, in place of this one, without a new
  // history entry. The address is brought in line with the page shown (as the browser
  // itself would do), with replaceState so no entry is added.
  //
  // Why not location.replace(response.url) after a redirect: that would load the page a
  // second time, and a message flashed by the server ("Uw bericht is verstuurd.") was
  // already used up by the first load. Pages rendered straight from a POST (errors, the
  // confirmation with the passphrase shown once) cannot be loaded again at all.
  function showResponse(html, responseUrl) {
    if (responseUrl && responseUrl !== window.location.href) {
      try {
        if (new URL(responseUrl).origin === window.location.origin) {
          window.history.replaceState(null, '', responseUrl);
        }
      } catch (e) { /* keep the current address */ }
    }
    var opened = false;
    try {
      document.open();
      opened = true;
      // document.open() has removed this document's listeners: init() attaches them
      // again, here below or when the page's own <script> runs this file again.
      state.bound = false;
      document.write(html);
      document.close();
    } catch (e) {
      if (opened) {
        try { document.close(); } catch (e2) { /* ignore */ }
      }
      replaceWithParsed(html);
    }
    init();
  }

  // Fallback if document.write is refused: put the parsed page in place by DOM.
  function replaceWithParsed(html) {
    var doc = new DOMParser().parseFromString(html, 'text/html');
    var root = document.adoptNode(doc.documentElement);
    if (document.documentElement) {
      document.replaceChild(root, document.documentElement);
    } else {
      document.appendChild(root);
    }
  }

  function onSubmit(event) {
    var form = event.target;
    var submitter = event.submitter || null;
    try {
      if (event.defaultPrevented || !(form instanceof HTMLFormElement)) { return; }
      if (form.hasAttribute(OPT_OUT) || (submitter && submitter.hasAttribute(OPT_OUT))) { return; }

      var method = (submitterAttr(submitter, 'formmethod') || form.getAttribute('method') || 'get').toLowerCase();
      if (method !== 'get' && method !== 'post') { return; }  // e.g. method="dialog"
      var formTarget = submitterAttr(submitter, 'formtarget') || form.getAttribute('target');
      if (formTarget && formTarget.toLowerCase() !== '_self') { return; }
      var enctype = (submitterAttr(submitter, 'formenctype') || form.getAttribute('enctype') ||
        'application/x-www-form-urlencoded').toLowerCase();
      if (method === 'post' && enctype === 'text/plain') { return; }

      // getAttribute, not form.action: a field named "action" would hide that property.
      var action = new URL(submitterAttr(submitter, 'formaction') || form.getAttribute('action') ||
        window.location.href, document.baseURI);
      action.hash = '';
      if (action.origin !== window.location.origin) { return; }

      // Already sending this form (double click): ignore the second submit.
      if (form.__vtSending) {
        event.preventDefault();
        return;
      }

      var data = new FormData(form);
      if (submitter && submitter.name && !submitter.disabled) {
        data.append(submitter.name, submitter.value);
      }

      if (method === 'get') {
        // A GET form is just a link with a query: replace this entry with it.
        var params = new URLSearchParams();
        data.forEach(function (value, key) {
          params.append(key, typeof value === 'string' ? value : value.name);
        });
        action.search = params.toString();
        event.preventDefault();
        navigateReplacing(action.href);
        return;
      }

      var body = data;
      if (enctype !== 'multipart/form-data') {
        body = new URLSearchParams();
        data.forEach(function (value, key) {
          body.append(key, typeof value === 'string' ? value : value.name);
        });
      }

      event.preventDefault();
      form.__vtSending = true;
      form.setAttribute('aria-busy', 'true');
      sendForm(form, submitter, action.href, body);
    } catch (e) {
      // Nothing has been sent yet (fetch reports its errors through its promise, never
      // by throwing): if we stopped the browser, submit the ordinary way.
      if (event.defaultPrevented && form instanceof HTMLFormElement && !state.exiting) {
        try { nativeSubmit(form, submitter); } catch (e2) { /* nothing more to try */ }
      }
    }
  }

  function sendForm(form, submitter, url, body) {
    fetch(url, {
      method: 'POST',
      body: body,
      credentials: 'same-origin',
      redirect: 'follow',
      cache: 'no-store'
    }).then(function (response) {
      if (state.exiting) { return; }
      if (!isHtml(response)) {
        // Not a page (say, a file to download): let the browser handle it. After a
        // redirect that is a plain GET; otherwise the browser posts the form itself
        // (no form in the portal answers a POST with anything but a page).
        if (response.redirected) {
          navigateReplacing(response.url);
        } else {
          nativeSubmit(form, submitter);
        }
        return;
      }
      return response.text().then(function (html) {
        if (state.exiting) { return; }
        var finalUrl = response.url || url;
        try {
          showResponse(html, finalUrl);
        } catch (e) {
          // The request has been handled by the server: do not post it again.
          navigateReplacing(finalUrl);
        }
      });
    }, function () {
      // Network error before any answer: the ordinary submit may still get through.
      if (!state.exiting) { nativeSubmit(form, submitter); }
    }).catch(function () { /* nothing more to try */ });
  }

  /* ---------------------------------------------------------------- set-up ------- */

  // Accessibility: after a failed submit, put focus on the list of errors.
  function focusErrorSummary() {
    var summary = document.getElementById('error-summary');
    if (!summary) { return; }
    if (!summary.hasAttribute('tabindex')) { summary.setAttribute('tabindex', '-1'); }
    if (document.activeElement !== summary) {
      summary.focus();
    }
  }

  function bind() {
    if (state.bound) { return; }
    state.bound = true;
    // Delegated on document: one set of listeners per document, whatever is inside it.
    document.addEventListener('click', onClick);
    document.addEventListener('submit', onSubmit);
    // Capture, so a widget that stops Escape cannot block quick exit.
    document.addEventListener('keydown', onKeydown, true);
    // Safety: if this page is ever shown again from the back/forward cache after quick
    // exit started, leave again at once.
    window.addEventListener('pageshow', onPageshow);
  }

  function onPageshow(event) {
    if (event.persisted && state.exiting) { quickExit(); }
  }

  function init() {
    try { bind(); } catch (e) { /* the site works without it */ }
    if (document.readyState === 'loading') {
      document.addEventListener('DOMContentLoaded', focusErrorSummary);
    } else {
      try { focusErrorSummary(); } catch (e) { /* ignore */ }
    }
  }

  init();
}());
