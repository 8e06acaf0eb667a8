/* Search-as-you-type pickers (issue 9), wired by data attributes (the Content-Security-Policy
 * allows no inline script):
 *
 *   <select data-autocomplete-url="/leads/autocomplete/customers/">  (presales/web/autocomplete.py)
 *
 * The server renders only the selected option; Tom Select (static/vendor/tom-select) asks the
 * endpoint for at most ~20 matches as the user types and keeps the server's order. The
 * original <select> keeps the name and fires "change", so forms and htmx filters post as before.
 * New content is wired too: htmx swaps (htmx:load) and formset rows ("formset:added").
 */
(function () {
  "use strict";
  if (window.autocompleteInstalled) return;
  window.autocompleteInstalled = true;

  function endpoint(url, query) {
    return url + (url.indexOf("?") === -1 ? "?" : "&") + "q=" + encodeURIComponent(query);
  }

  function wire(select) {
    if (select.tomselect || select.closest("template")) return;
    const url = select.dataset.autocompleteUrl;
    const plugins = select.multiple ? ["remove_button"] : select.required ? [] : ["clear_button"];
    // Tom Select copies the select's classes to its wrapper: keep Bootstrap's look and size.
    new TomSelect(select, {
      valueField: "id",
      labelField: "text",
      searchField: [],
      plugins: plugins,
      maxOptions: null,
      allowEmptyOption: false,
      placeholder: select.dataset.placeholder || "",
      preload: "focus",
      loadThrottle: 250,
      openOnFocus: true,
      closeAfterSelect: true,
      // Every result the server sends matches (it searched); keep its order.
      score: function () {
        return function () {
          return 1;
        };
      },
      shouldLoad: function () {
        return true;
      },
      load: function (query, callback) {
        const self = this;
        fetch(endpoint(url, query), {
          credentials: "same-origin",
          headers: { Accept: "application/json" },
        })
          .then(function (response) {
            return response.ok ? response.json() : { results: [] };
          })
          .then(function (data) {
            self.clearOptions();
            callback(data.results);
            // The endpoint sends at most ~20 matches: say when there are more to narrow down.
            if (data.more && self.dropdown_content) {
              const hint = document.createElement("div");
              hint.className = "dropdown-header small text-muted";
              hint.dataset.testid = "autocomplete-more";
              hint.textContent = select.dataset.more || "…";
              self.dropdown_content.appendChild(hint);
            }
          })
          .catch(function () {
            callback();
          });
      },
      render: {
        no_results: function (data, escape) {
          return '<div class="no-results">' + escape(select.dataset.noResults || "—") + "</div>";
        },
      },
    });
  }

  function wireAll(root) {
    if (typeof TomSelect === "undefined") return;
    if (root.matches && root.matches("select[data-autocomplete-url]")) wire(root);
    root.querySelectorAll("select[data-autocomplete-url]").forEach(wire);
  }

  document.addEventListener("DOMContentLoaded", function () {
    wireAll(document);
  });
  document.addEventListener("htmx:load", function (event) {
    if (event.target instanceof Element) wireAll(event.target);
  });
  document.addEventListener("formset:added", function (event) {
    if (event.target instanceof Element) wireAll(event.target);
  });
})();
