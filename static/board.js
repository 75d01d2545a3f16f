// Drag a card to another column: the server fires the matching transition, or says why not.
(function () {
  "use strict";
  var board = document.querySelector(".board");
  if (!board) { return; }
  var message = document.getElementById("board-message");
  var dragged = null;

  function show(text, ok) {
    message.textContent = text;
    message.className = "alert " + (ok ? "alert-success" : "alert-danger");
  }

  function recount() {
    board.querySelectorAll(".board-col").forEach(function (col) {
      col.querySelector(".count").textContent = col.querySelectorAll(".board-card").length;
    });
  }

  function move(card, column) {
    var target = column.dataset.state;
    var moves = JSON.parse(card.dataset.moves || "[]");
    var candidates = moves.filter(function (m) { return m.target === target; });
    var plain = candidates.filter(function (m) { return !m.needs_reason; });
    var chosen = plain[0] || candidates[0];
    if (!chosen) {
      show("Déplacement impossible vers « " + column.querySelector("h2").firstChild.textContent.trim() + " » depuis cette étape.", false);
      return;
    }
    var form = card.querySelector("form.move-form");
    var body = new URLSearchParams();
    body.set("csrf_token", board.dataset.csrf);
    body.set("campaign", card.dataset.campaign);
    body.set("version", card.dataset.version);
    body.set("event", chosen.event);
    if (form) { body.set("skip_reason", form.elements.skip_reason.value); }
    fetch(board.dataset.moveUrl, {
      method: "POST",
      headers: {"X-Requested-With": "fetch", "Content-Type": "application/x-www-form-urlencoded"},
      body: body.toString(),
      credentials: "same-origin"
    }).then(function (response) {
      return response.json().then(function (data) { return {ok: response.ok, data: data}; });
    }).then(function (result) {
      if (result.ok) {
        column.querySelector(".cards").appendChild(card);
        card.dataset.version = result.data.version;
        if (form) { form.elements.version.value = result.data.version; }
        recount();
        show(result.data.message + " Rechargez la page pour voir les nouveaux déplacements possibles.", true);
      } else {
        show(result.data.message, false);  // the card stays where it was
      }
    }).catch(function () {
      show("Le serveur n'a pas répondu : rien n'a été modifié.", false);
    });
  }

  board.addEventListener("dragstart", function (event) {
    dragged = event.target.closest(".board-card");
    if (dragged) { event.dataTransfer.setData("text/plain", dragged.id); }
  });
  board.querySelectorAll(".board-col").forEach(function (column) {
    column.addEventListener("dragover", function (event) {
      if (dragged) { event.preventDefault(); column.classList.add("drop-target"); }
    });
    column.addEventListener("dragleave", function () { column.classList.remove("drop-target"); });
    column.addEventListener("drop", function (event) {
      event.preventDefault();
      column.classList.remove("drop-target");
      if (dragged && dragged.closest(".board-col") !== column) { move(dragged, column); }
      dragged = null;
    });
  });
})();
