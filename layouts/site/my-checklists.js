/* My checklists: the progress of every checklist, export and import of the ticks as a small JSON
   file, and "print with my ticks" (one checklist, its boxes as ticked). The boxes are those of
   checklists.js, which keeps each tick in localStorage under its data-tick-key
   (book identifier | checklist id | item index); a tick set here is set in the chapter too.

   The file: {"format": "handbook-ticks", "version": 1, "book": identifier,
              "ticks": {checklist id: [item index, ...]}} */
(function () {
  "use strict";
  var page = document.querySelector("[data-my-checklists]");
  if (!page) return;
  var book = page.dataset.book;
  var status = page.querySelector("[data-ticks-status]");

  function boxes(id) {
    return page.querySelectorAll('[data-my-checklist="' + id + '"] input[data-tick-key]');
  }

  function progress() {
    page.querySelectorAll("[data-progress]").forEach(function (item) {
      var done = 0, all = boxes(item.dataset.progress);
      all.forEach(function (box) { if (box.checked) done += 1; });
      var text = item.querySelector("[data-progress-text]");
      var words = done === 0 ? text.dataset.none : done === all.length ? text.dataset.all : text.dataset.some;
      text.textContent = words.replace("{done}", done).replace("{total}", all.length);
      item.classList.toggle("is-done", done > 0 && done === all.length);
    });
  }

  function say(text) { status.textContent = text; }

  function exported() {
    var ticks = {}, count = 0;
    page.querySelectorAll("[data-my-checklist]").forEach(function (list) {
      var id = list.dataset.myChecklist, done = [];
      boxes(id).forEach(function (box) {
        if (box.checked) done.push(Number(box.dataset.tickKey.split("|").pop()));
      });
      if (done.length) { ticks[id] = done; count += done.length; }
    });
    return {file: {format: "handbook-ticks", version: 1, book: book, ticks: ticks}, count: count};
  }

  function download() {
    var made = exported();
    var button = page.querySelector("[data-ticks-export]");
    var url = URL.createObjectURL(new Blob([JSON.stringify(made.file, null, 1) + "\n"], {type: "application/json"}));
    var a = document.createElement("a");
    a.href = url;
    a.download = button.dataset.file;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(function () { URL.revokeObjectURL(url); }, 10000);
    say(made.count ? "Exported " + made.count + (made.count === 1 ? " tick" : " ticks") + " to " + button.dataset.file + "."
      : "Nothing is ticked yet: the file holds no ticks.");
  }

  function apply(text, name) {
    var file;
    try { file = JSON.parse(text); } catch (e) { file = null; }
    if (!file || file.format !== "handbook-ticks" || typeof file.ticks !== "object" || file.ticks === null) {
      say(name + " is not a file of ticks exported from this handbook; nothing was changed.");
      return;
    }
    if (file.book !== book) {
      say(name + " holds the ticks of another book; nothing was changed.");
      return;
    }
    var added = 0, unknown = 0;
    Object.keys(file.ticks).forEach(function (id) {
      var indexes = Array.isArray(file.ticks[id]) ? file.ticks[id] : [];
      indexes.forEach(function (index) {
        var box = page.querySelector('input[data-tick-key="' + CSS.escape(book + "|" + id + "|" + index) + '"]');
        if (!box) { unknown += 1; return; }
        if (!box.checked) {
          box.checked = true;
          box.dispatchEvent(new Event("change", {bubbles: true})); // checklists.js keeps it
          added += 1;
        }
      });
    });
    progress();
    say("Imported " + name + ": " + added + (added === 1 ? " tick" : " ticks") + " added" +
        (unknown ? "; " + unknown + " for items this edition no longer has were left out." : "."));
  }

  page.querySelector("[data-ticks-export]").addEventListener("click", download);
  var picker = page.querySelector("[data-ticks-import]");
  page.querySelector("[data-ticks-choose]").addEventListener("click", function () { picker.click(); });
  picker.addEventListener("change", function () {
    var chosen = picker.files && picker.files[0];
    if (!chosen) return;
    chosen.text().then(function (text) { apply(text, chosen.name); picker.value = ""; });
  });

  // Print one checklist: the others, and everything around it, are hidden for print only.
  page.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () {
      var list = page.querySelector('[data-my-checklist="' + button.dataset.print + '"]');
      document.body.classList.add("printing-one");
      list.classList.add("print-this");
      window.addEventListener("afterprint", function () {
        document.body.classList.remove("printing-one");
        list.classList.remove("print-this");
      }, {once: true});
      window.print();
    });
  });

  page.addEventListener("change", progress);
  page.addEventListener("click", function (event) {
    if (event.target.closest("[data-clear]")) setTimeout(progress, 0); // after checklists.js clears
  });
  progress();
})();
