/* rollbook's page script: step ticks that survive a reload, copy buttons, offline notice,
   dark mode that follows the system, and the service worker that keeps the site usable
   when the network drops. Everything here is an extra: the page works without it. */
(function () {
  "use strict";
  var doc = document;
  var store = null;
  try { store = window.localStorage; } catch (e) { /* private mode: ticks are not kept */ }
  var page = location.pathname;

  function tickKey(box) { return "rollbook:tick:" + page + ":" + box.getAttribute("data-rb-key"); }

  var boxes = doc.querySelectorAll("input.rb-tick[data-rb-key]");
  Array.prototype.forEach.call(boxes, function (box) {
    if (store && store.getItem(tickKey(box)) === "1") { box.checked = true; }
    box.addEventListener("change", function () {
      if (!store) { return; }
      try {
        if (box.checked) { store.setItem(tickKey(box), "1"); } else { store.removeItem(tickKey(box)); }
      } catch (e) { /* storage full: the tick still shows until reload */ }
    });
  });
  Array.prototype.forEach.call(doc.querySelectorAll("[data-rb-reset]"), function (button) {
    button.addEventListener("click", function () {
      Array.prototype.forEach.call(boxes, function (box) {
        box.checked = false;
        if (store) { store.removeItem(tickKey(box)); }
      });
    });
  });

  Array.prototype.forEach.call(doc.querySelectorAll("[data-rb-copy]"), function (button) {
    button.addEventListener("click", function () {
      var code = button.parentNode.querySelector("code");
      var text = code ? code.textContent : "";
      var done = function () {
        button.textContent = "Copied";
        setTimeout(function () { button.textContent = "Copy"; }, 2000);
      };
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(text).then(done, function () { select(code); });
      } else { select(code); }
    });
  });
  function select(node) {
    // No clipboard API (plain http on a LAN): select the text so a long-press copies it.
    if (!node) { return; }
    var range = doc.createRange();
    range.selectNodeContents(node);
    var sel = window.getSelection();
    sel.removeAllRanges();
    sel.addRange(range);
  }

  // A command too wide for the screen scrolls sideways: keyboard users reach it with Tab
  // (what Material's page script does, which now loads only for search). Checked once the
  // page is laid out, and again when the screen turns.
  function focusableCode() {
    Array.prototype.forEach.call(doc.querySelectorAll("pre > code"), function (code) {
      if (code.scrollWidth > code.clientWidth) { code.setAttribute("tabindex", "0"); }
      else { code.removeAttribute("tabindex"); }
    });
  }
  if (doc.readyState === "complete") { focusableCode(); }
  else { window.addEventListener("load", focusableCode); }
  window.addEventListener("resize", focusableCode);

  var dark = window.matchMedia && matchMedia("(prefers-color-scheme: dark)");
  if (dark && dark.addEventListener) {
    dark.addEventListener("change", function (e) {
      doc.body.setAttribute("data-md-color-scheme", e.matches ? "slate" : "default");
    });
  }

  var notice = doc.querySelector(".rb-offline");
  function onlineState() { if (notice) { notice.hidden = navigator.onLine; } }
  window.addEventListener("online", onlineState);
  window.addEventListener("offline", onlineState);
  onlineState();

  watchSearchWorker();

  var me = doc.currentScript && doc.currentScript.src;
  var wanted = doc.currentScript && doc.currentScript.getAttribute("data-rb-sw") !== "0";
  var material = doc.currentScript && doc.currentScript.getAttribute("data-rb-material");
  if (material) { materialWhenNeeded(material); }
  if (!wanted && "serviceWorker" in navigator) {
    // A preview (`rollbook serve`): drop any worker an earlier visit installed on this
    // address, or it would keep showing its saved copy instead of your edits.
    navigator.serviceWorker.getRegistrations().then(function (regs) {
      regs.forEach(function (reg) { reg.unregister(); });
    }).catch(function () {});
  } else if (me && "serviceWorker" in navigator && location.protocol !== "file:") {
    // The worker sits at the site root (two folders up from this script) so that its scope
    // covers every page. It is registered once the page has loaded, in a task of its own,
    // so that starting it never holds up the reader's first tap.
    var sw = new URL("../../sw.js", me);
    var register = function () {
      setTimeout(function () {
        navigator.serviceWorker.register(sw.href, { scope: new URL("./", sw).pathname })
          .catch(function () { /* no worker: the site still works online */ });
      }, 0);
    };
    if (doc.readyState === "complete") { register(); }
    else { window.addEventListener("load", register); }
  }

  // Material's page script runs search and its keyboard shortcuts; nothing else on these
  // pages needs it. It is over 100 KB that a phone would download and run while the reader
  // is trying to tap the first step, so it is fetched when the reader first reaches for
  // search: a touch, click, hover or focus on a search control, any key, or a search link
  // (?q=). Material starts on DOMContentLoaded; arriving later, it is sent that event again.
  function materialWhenNeeded(src) {
    var parsed = doc.readyState === "complete";
    var started = false;
    var events = ["pointerdown", "touchstart", "mouseover", "focusin", "keydown"];
    doc.addEventListener("DOMContentLoaded", function () { parsed = true; });
    function start() {
      if (started) { return; }
      started = true;
      events.forEach(function (type) { doc.removeEventListener(type, wake, true); });
      var script = doc.createElement("script");
      script.src = src;
      script.onload = function () {
        if (parsed) { doc.dispatchEvent(new Event("DOMContentLoaded", { bubbles: true })); }
      };
      doc.body.appendChild(script);
    }
    function wake(e) {
      if (e.type === "keydown") {
        openSearchOnShortcut(e);
        start();
      } else if (e.target && e.target.closest && e.target.closest('[for="__search"], .md-search')) {
        start();
      }
    }
    events.forEach(function (type) { doc.addEventListener(type, wake, true); });
    if (/[?&]q=/.test(location.search)) { start(); }
  }

  // Material writes "20 matching documents" above the results: the number of results the
  // search worker returned. rollbook's worker returns the best 20 and, beside them, how many
  // pages match (`total`), or why it has none to show (`note`). Material starts the worker
  // itself, so the page catches it as it starts (the one Worker whose script is rollbook's
  // search.js; any other passes through untouched) and listens to it first. Material then
  // writes its line, in the same task; this rewrites it before the screen is drawn.
  function watchSearchWorker() {
    var Native = window.Worker;
    var meta = doc.querySelector("[data-md-component=search-result] > :first-child");
    if (!Native || !meta || !window.MutationObserver) { return; }
    var pending = null;
    function Catcher(url, options) {
      var worker = options === undefined ? new Native(url) : new Native(url, options);
      if (/(^|\/)assets\/rollbook\/search\.js([?#]|$)/.test(String(url))) {
        window.Worker = Native;
        worker.addEventListener("message", function (e) {
          var message = e.data;
          if (!message || message.type !== 3 || !message.data) { return; }
          pending = message.data;
          // Only Material's line for this message is rewritten, not a later one of its own
          // (the prompt once the box is cleared).
          setTimeout(function () { pending = null; }, 0);
        });
        new MutationObserver(function () {
          var text = pending && searchSummary(pending);
          if (text && meta.textContent !== text) { meta.textContent = text; }
        }).observe(meta, { childList: true, characterData: true, subtree: true });
      }
      return worker;
    }
    Catcher.prototype = Native.prototype;
    window.Worker = Catcher;
  }

  function searchSummary(data) {
    var shown = data.items ? data.items.length : 0;
    if (data.note === "short") { return "Type two or more letters to search"; }
    if (data.note === "unavailable") {
      return "Search could not load its index: check the connection and try again";
    }
    if (typeof data.total === "number" && data.total > shown) {
      return "Showing the best " + shown + " of " + data.total.toLocaleString("en") + " matches";
    }
    return null;
  }

  // The first key press reaches the page before Material does: honour its search shortcuts.
  function openSearchOnShortcut(e) {
    var target = e.target || {};
    if (e.ctrlKey || e.metaKey || e.altKey || ["/", "s", "f"].indexOf(e.key) < 0) { return; }
    if (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName || "")) { return; }
    var toggle = doc.getElementById("__search");
    var input = doc.querySelector("[data-md-component=search-query]");
    if (!toggle || !input) { return; }
    e.preventDefault();
    toggle.checked = true;
    input.focus();
  }
})();
