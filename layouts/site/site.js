/* Every page: marks each table wider than its box (the layout then says it scrolls sideways), and
   registers the service worker (sw.js) that keeps the whole site for reading offline, where
   browsers allow one: a site served over http(s), not a folder opened from disk. */
(function () {
  "use strict";
  function wide() {
    document.querySelectorAll(".table-scroll").forEach(function (box) {
      box.toggleAttribute("data-wide", box.scrollWidth > box.clientWidth + 1);
    });
  }
  wide();
  window.addEventListener("resize", wide);
  if (document.fonts) document.fonts.ready.then(wide);

  if (!("serviceWorker" in navigator) || !/^https?:$/.test(location.protocol)) return;
  // After the page has loaded: its own files come first, the copy for offline use after.
  window.addEventListener("load", function () {
    navigator.serviceWorker.register("sw.js").catch(function () { /* the site still works online */ });
  });
})();
