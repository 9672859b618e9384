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

  var me = doc.currentScript && doc.currentScript.src;
  var wanted = doc.currentScript && doc.currentScript.getAttribute("data-rb-sw") !== "0";
  if (!wanted && "serviceWorker" in navigator) {
    // A preview (`rollbook serve`): drop any worker an earlier visit installed on this
    // address, or it would keep showing its saved copy instead of your edits.
    navigator.serviceWorker.getRegistrations().then(function (regs) {
      regs.forEach(function (reg) { reg.unregister(); });
    }).catch(function () {});
  } else if (me && "serviceWorker" in navigator && location.protocol !== "file:") {
    // The worker sits at the site root (two folders up from this script) so that its scope
    // covers every page.
    var sw = new URL("../../sw.js", me);
    navigator.serviceWorker.register(sw.href, { scope: new URL("./", sw).pathname })
      .catch(function () { /* no worker: the site still works online */ });
  }
})();
