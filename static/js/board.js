/* Pipeline board: drag a card onto a column to make the move that leads there.
 *
 * The move is made by the same view (and service) as the "Move to…" menu: moves that ask
 * for input (a reason, a note) open their form; the others are posted with htmx and the
 * board comes back re-rendered, with the gate's reasons when the move is refused. A move
 * its gates block already (the card's data names the reasons) is not posted: the card snaps
 * back and the reasons are shown.
 */
(function () {
  "use strict";
  let dragged = null;

  function board() {
    return document.getElementById("board");
  }

  function notice(level, message, reasons) {
    const root = board();
    if (!root) return;
    const old = root.querySelector("[data-testid=board-notice]");
    if (old) old.remove();
    const box = document.createElement("div");
    box.className = "alert alert-" + level;
    box.setAttribute("role", "alert");
    box.dataset.testid = "board-notice";
    box.textContent = message;
    if (reasons && reasons.length) {
      const list = document.createElement("ul");
      list.className = "mb-0";
      list.dataset.testid = "board-reasons";
      reasons.forEach(function (reason) {
        const item = document.createElement("li");
        item.textContent = reason;
        list.appendChild(item);
      });
      box.appendChild(list);
    }
    root.prepend(box);
  }

  function columnOf(event) {
    return event.target instanceof Element ? event.target.closest(".kanban-column") : null;
  }

  document.addEventListener("dragstart", function (event) {
    const card = event.target instanceof Element ? event.target.closest(".kanban-card") : null;
    if (!card) return;
    dragged = card;
    card.classList.add("dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.dataset.opportunity);
  });

  document.addEventListener("dragend", function () {
    if (dragged) dragged.classList.remove("dragging");
    dragged = null;
    document.querySelectorAll(".kanban-column.drop-target").forEach(function (column) {
      column.classList.remove("drop-target");
    });
  });

  document.addEventListener("dragover", function (event) {
    const column = columnOf(event);
    if (!column || !dragged) return;
    event.preventDefault();
    column.classList.add("drop-target");
  });

  document.addEventListener("dragleave", function (event) {
    const column = columnOf(event);
    if (column && !column.contains(event.relatedTarget)) column.classList.remove("drop-target");
  });

  document.addEventListener("drop", function (event) {
    const column = columnOf(event);
    if (!column || !dragged) return;
    event.preventDefault();
    column.classList.remove("drop-target");
    const card = dragged;
    const target = column.dataset.stage;
    if (target === card.dataset.stage) return;
    const root = board();
    const data = document.getElementById("moves-" + card.dataset.opportunity);
    const moves = data ? JSON.parse(data.textContent) : [];
    const move = moves.find(function (m) {
      return m.target === target;
    });
    if (!move) {
      notice("warning", root.dataset.noMove, []);
      return;
    }
    if (move.reasons && move.reasons.length) {
      // A gate blocks the move now: the card stays where it was, with the gate's reasons
      // (the server would refuse it the same way, issue 10).
      notice("danger", root.dataset.refused, move.reasons);
      return;
    }
    if (move.needs_input) {
      const back = window.location.pathname + window.location.search;
      window.location.href = move.url + "?next=" + encodeURIComponent(back);
      return;
    }
    htmx.ajax("POST", move.url, {
      source: root,
      target: "#board",
      swap: "outerHTML",
      values: { board: "1", filters: root.dataset.boardQuery || "", note: "" },
    });
  });
})();
