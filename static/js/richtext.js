// Rich text for solution sections (R-SOL-1): a Quill editor over each
// <textarea data-richtext>. The textarea stays the form field: it is hidden, filled with
// the editor's semantic HTML on every change (and an "input" event fires, so the htmx
// preview keeps working). The server sanitises what it receives (nh3), whatever sent it.
// Without JavaScript the textarea is a plain HTML field.
(function () {
  "use strict";
  if (typeof Quill === "undefined") return;

  const TOOLBAR = [
    [{ header: [2, 3, 4, false] }],
    ["bold", "italic", "underline", "strike"],
    [{ list: "ordered" }, { list: "bullet" }],
    ["link", "image", "blockquote", "code-block"],
    ["table"],
    ["clean"],
  ];

  function imageByAddress() {
    // Images by address (https or a path on this site): the sanitiser drops data: URLs.
    const url = window.prompt(this.quill.root.dataset.imagePrompt || "Image address (https://…)");
    if (!url) return;
    const range = this.quill.getSelection(true);
    this.quill.insertEmbed(range.index, "image", url, "user");
  }

  function insertTable() {
    this.quill.getModule("table").insertTable(3, 3);
  }

  function mount(textarea) {
    if (textarea.dataset.richtextMounted) return;
    textarea.dataset.richtextMounted = "1";
    const holder = document.createElement("div");
    holder.className = "richtext-editor bg-white";
    textarea.insertAdjacentElement("beforebegin", holder);
    const quill = new Quill(holder, {
      theme: "snow",
      modules: {
        table: true,
        toolbar: { container: TOOLBAR, handlers: { image: imageByAddress, table: insertTable } },
      },
    });
    quill.root.dataset.imagePrompt = textarea.dataset.imagePrompt || "";
    const tableButton = holder.previousElementSibling && holder.previousElementSibling.querySelector(".ql-table");
    if (tableButton) {
      tableButton.textContent = "⊞";
      tableButton.title = textarea.dataset.tableLabel || "Table";
    }
    if (textarea.value.trim()) {
      quill.clipboard.dangerouslyPasteHTML(textarea.value, "silent");
    }
    textarea.hidden = true;
    quill.on("text-change", function () {
      textarea.value = quill.getLength() > 1 ? quill.getSemanticHTML() : "";
      textarea.dispatchEvent(new Event("input", { bubbles: true }));
    });
  }

  function mountAll(root) {
    root.querySelectorAll("textarea[data-richtext]").forEach(mount);
  }

  document.addEventListener("DOMContentLoaded", function () {
    mountAll(document);
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    mountAll(event.target);
  });
})();
