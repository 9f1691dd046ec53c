// Keeps the lamp list live: every few seconds, while the page is visible,
// fetch the page again and swap in the fresh list.
(function () {
  "use strict";
  if (!window.fetch || !window.DOMParser) { return; }
  setInterval(function () {
    if (document.visibilityState !== "visible") { return; }
    fetch(window.location.pathname, { credentials: "same-origin", redirect: "manual" })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (!html) { return; }
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("lamps");
        var cur = document.getElementById("lamps");
        if (fresh && cur) { cur.replaceWith(document.importNode(fresh, true)); }
      })
      .catch(function () {});
  }, 5000);
})();
