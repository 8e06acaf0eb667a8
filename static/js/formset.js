/* "Add a row" for a Django formset, wired by data attributes (the Content-Security-Policy
 * allows no inline script):
 *
 *   <div data-formset="team">                  the formset's prefix
 *     {{ formset.management_form }}
 *     <tbody data-formset-rows>…</tbody>         where new rows go
 *     <template data-formset-empty>…</template>  formset.empty_form, names with __prefix__
 *     <button type="button" data-formset-add>    adds one row
 *     <span data-formset-full hidden>…</span>    shown once MAX_NUM_FORMS rows are there
 *   </div>
 *
 * A new row takes the index TOTAL_FORMS and TOTAL_FORMS grows by one: the names are the ones
 * the view's formset reads (team-2-user, team-2-role, …).
 */
(function () {
  "use strict";
  if (window.formsetAddRowInstalled) return; // htmx may run this file again after a swap
  window.formsetAddRowInstalled = true;

  const ATTRIBUTES = ["name", "id", "for", "aria-describedby"];

  function managementInput(container, field) {
    return container.querySelector('input[name="' + container.dataset.formset + "-" + field + '"]');
  }

  function refresh(container) {
    const total = Number(managementInput(container, "TOTAL_FORMS").value);
    const max = Number(managementInput(container, "MAX_NUM_FORMS").value);
    const full = total >= max;
    container.querySelectorAll("[data-formset-add]").forEach(function (button) {
      button.disabled = full;
    });
    container.querySelectorAll("[data-formset-full]").forEach(function (note) {
      note.hidden = !full;
    });
  }

  function addRow(container) {
    const totalInput = managementInput(container, "TOTAL_FORMS");
    const index = Number(totalInput.value);
    if (index >= Number(managementInput(container, "MAX_NUM_FORMS").value)) return;
    const row = container.querySelector("template[data-formset-empty]").content.cloneNode(true);
    row.querySelectorAll("*").forEach(function (element) {
      ATTRIBUTES.forEach(function (attribute) {
        const value = element.getAttribute(attribute);
        if (value && value.includes("__prefix__")) {
          element.setAttribute(attribute, value.split("__prefix__").join(String(index)));
        }
      });
    });
    const first = row.querySelector("select, input, textarea");
    container.querySelector("[data-formset-rows]").appendChild(row);
    totalInput.value = String(index + 1);
    // Pickers in the new row (static/js/autocomplete.js) are wired on this event.
    container.dispatchEvent(new CustomEvent("formset:added", { bubbles: true }));
    if (first) (first.tomselect || first).focus();
    refresh(container);
  }

  document.addEventListener("click", function (event) {
    const button = event.target instanceof Element ? event.target.closest("[data-formset-add]") : null;
    const container = button ? button.closest("[data-formset]") : null;
    if (container) addRow(container);
  });
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-formset]").forEach(refresh);
  });
})();
