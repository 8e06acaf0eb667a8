/* The opportunity desk (issue 10): the sections become tabs.
 *
 * Without JavaScript the tab links are a table of contents and the sections stack. Here one
 * section shows at a time; the #anchor in the address opens its tab (a link to an element
 * inside a section, e.g. #initiation, opens that section's tab and scrolls to it), and
 * choosing a tab updates the address so that it can be shared and reloaded.
 */
(function () {
  "use strict";

  function init() {
    const nav = document.querySelector("[data-desk-tabs]");
    if (!nav) return;
    const links = Array.from(nav.querySelectorAll("a[data-desk-tab]"));
    const panes = Array.from(document.querySelectorAll("[data-desk-pane]"));
    if (!links.length || !panes.length) return;
    document.documentElement.classList.add("desk-js");

    function paneFor(hash) {
      if (!hash) return null;
      const element = document.getElementById(hash);
      return element ? element.closest("[data-desk-pane]") : null;
    }

    function show(hash, updateAddress) {
      const pane = paneFor(hash) || panes[0];
      links.forEach(function (link) {
        const on = link.dataset.deskTab === pane.id;
        link.classList.toggle("active", on);
        link.setAttribute("aria-selected", on ? "true" : "false");
      });
      panes.forEach(function (other) {
        other.hidden = other !== pane;
      });
      if (updateAddress) history.replaceState(null, "", "#" + pane.id);
      const inner = hash && hash !== pane.id ? document.getElementById(hash) : null;
      if (inner) inner.scrollIntoView();
    }

    links.forEach(function (link) {
      link.addEventListener("click", function (event) {
        event.preventDefault();
        show(link.dataset.deskTab, true);
      });
    });
    window.addEventListener("hashchange", function () {
      show(window.location.hash.slice(1), false);
    });
    show(window.location.hash.slice(1), false);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
