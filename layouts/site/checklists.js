/* Checklists a reader can tick: each box's state is kept in this browser's localStorage under its
   data-tick-key (book identifier | checklist id | item index), so it survives a reload, also when
   the site is opened as a plain folder. Without storage (or without script) the boxes still tick. */
(function () {
  "use strict";

  var store = null;
  try {
    store = window.localStorage;
    store.getItem("probe");
  } catch (e) {
    store = null; // storage blocked (private modes, strict settings): ticks last for this visit only
  }

  function save(box) {
    if (!store) return;
    try {
      if (box.checked) store.setItem(box.dataset.tickKey, "1");
      else store.removeItem(box.dataset.tickKey);
    } catch (e) { /* quota or blocked: the tick still shows on the page */ }
  }

  function update(list) {
    var boxes = list.querySelectorAll("input[data-tick-key]");
    var done = 0;
    boxes.forEach(function (box) { if (box.checked) done += 1; });
    var status = list.querySelector("[data-status]");
    if (status) {
      status.textContent = done ? status.dataset.status.replace("{done}", done).replace("{total}", boxes.length) : "";
    }
    var clear = list.querySelector("[data-clear]");
    if (clear) clear.hidden = done === 0;
  }

  document.querySelectorAll("[data-checklist]").forEach(function (list) {
    list.querySelectorAll("input[data-tick-key]").forEach(function (box) {
      if (store && store.getItem(box.dataset.tickKey) === "1") box.checked = true;
      box.addEventListener("change", function () { save(box); update(list); });
    });
    var clear = list.querySelector("[data-clear]");
    if (clear) {
      clear.addEventListener("click", function () {
        list.querySelectorAll("input[data-tick-key]").forEach(function (box) { box.checked = false; save(box); });
        update(list);
      });
    }
    update(list);
  });
})();
