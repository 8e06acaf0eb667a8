/* Behaviour every page may use, wired by data attributes: the Content-Security-Policy allows
 * no inline script or style attribute (presales/settings/base.py).
 *
 * - data-print: a button that prints the page.
 * - data-percent="42": a Bootstrap progress bar's width (also in content htmx swaps in).
 */
(function () {
  "use strict";

  function setWidths(root) {
    root.querySelectorAll("[data-percent]").forEach(function (bar) {
      const percent = Math.max(0, Math.min(100, Number(bar.dataset.percent) || 0));
      bar.style.width = percent + "%";
    });
  }

  document.addEventListener("click", function (event) {
    const button = event.target instanceof Element ? event.target.closest("[data-print]") : null;
    if (button) window.print();
  });
  document.addEventListener("DOMContentLoaded", function () {
    setWidths(document);
  });
  // htmx fires htmx:load on every element it swaps in.
  document.addEventListener("htmx:load", function (event) {
    if (event.target instanceof Element) setWidths(event.target);
  });
})();
