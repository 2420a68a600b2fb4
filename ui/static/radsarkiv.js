// Rådsarkiv web UI: citation chips → source panel, and keeping the newest answer in view.
// Each answer carries its source cards in hidden .src-data elements (rendered by the server, all
// archive text escaped); a chip names its card in data-src. Event delegation on the document
// keeps this working for every answer Gradio renders later.
(function () {
  "use strict";

  function openSource(chip) {
    var id = chip.getAttribute("data-src");
    var card = id && document.getElementById(id);
    var body = document.querySelector("#source-panel .source-body");
    var panel = document.querySelector("#source-panel .source-panel");
    if (!card || !body || !panel) return;
    if (!panel.hasAttribute("data-empty")) panel.setAttribute("data-empty", body.innerHTML);
    body.innerHTML = card.innerHTML;
    panel.classList.add("open");
    document.querySelectorAll(".cite-chip.active").forEach(function (c) { c.classList.remove("active"); });
    document.querySelectorAll('.cite-chip[data-src="' + id + '"]').forEach(function (c) { c.classList.add("active"); });
    var passage = body.querySelector(".src-passage");
    var mark = body.querySelector("mark");
    if (passage && mark) passage.scrollTop = Math.max(0, mark.offsetTop - passage.offsetTop - 40);
    var rect = panel.getBoundingClientRect();
    if (rect.top < 0 || rect.top > window.innerHeight - 80) panel.scrollIntoView({ behavior: "smooth", block: "start" });
  }

  // "Ny samtale": the panel's server-side value never changed, so Gradio would not redraw it.
  function closeSource() {
    var panel = document.querySelector("#source-panel .source-panel");
    var body = document.querySelector("#source-panel .source-body");
    if (!panel || !body || !panel.hasAttribute("data-empty")) return;
    body.innerHTML = panel.getAttribute("data-empty");
    panel.classList.remove("open");
  }

  // "Tilbake til svaret": on a phone the panel sits below the conversation; go back to the chip.
  var lastChip = null;
  function backToAnswer() {
    var chip = lastChip && document.body.contains(lastChip) ? lastChip : document.querySelector("#conversation .cite-chip.active");
    if (!chip) return;
    chip.scrollIntoView({ block: "center" });
    chip.focus({ preventScroll: true });
  }

  // A case card's "Åpne saken": hand the number to Gradio through the hidden picker.
  function openCase(button) {
    var field = document.querySelector("#case-pick textarea, #case-pick input");
    var go = document.querySelector("#case-pick-go");
    if (!field || !go) return;
    field.value = button.getAttribute("data-case");
    field.dispatchEvent(new Event("input", { bubbles: true }));
    setTimeout(function () { go.click(); }, 50);
  }

  document.addEventListener("click", function (event) {
    var target = event.target && event.target.closest ? event.target : null;
    if (!target) return;
    var chip = target.closest(".cite-chip");
    if (chip) {
      event.preventDefault();
      if (chip.closest("#conversation") && !chip.closest("#source-panel")) lastChip = chip;
      openSource(chip);
    } else if (target.closest(".src-back")) {
      event.preventDefault();
      backToAnswer();
    } else if (target.closest(".case-open")) {
      event.preventDefault();
      openCase(target.closest(".case-open"));
    } else if (target.closest("#new-chat")) {
      closeSource();
    }
  });

  // Scroll the conversation to its newest turn whenever it changes.
  function watch() {
    var box = document.getElementById("conversation");
    if (!box) return setTimeout(watch, 300);
    new MutationObserver(function () {
      var turns = box.querySelectorAll(".turn");
      var last = turns[turns.length - 1];
      if (last) last.scrollIntoView({ block: "nearest" });
    }).observe(box, { childList: true, subtree: true });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", watch);
  else watch();
})();
