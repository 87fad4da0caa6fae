/* The search page: runs Pagefind (pagefind/pagefind.js, made by the build) in this page and lists
   each matching chapter with its matching sections and a snippet; a result jumps to its heading.
   The query is the page's ?q=, so the search box of every page and the back button work. Browsers
   do not let a page opened from a folder (file://) load the index: the page then says so. */
(function () {
  "use strict";
  var form = document.querySelector("[data-search-form]");
  if (!form) return;
  var input = form.querySelector("input[type=search]");
  var status = document.querySelector("[data-search-status]");
  var list = document.querySelector("[data-search-results]");
  var MAX_PAGES = 20, MAX_SECTIONS = 3; // a book has a few dozen chapters at most: show them all
  var pagefind = null, latest = 0, timer = null;

  if (location.protocol === "file:") {
    var why = document.querySelector("[data-search-file]");
    why.hidden = false;
    input.setAttribute("aria-describedby", why.id);
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    return;
  }

  function load() {
    if (!pagefind) {
      // import() resolves against this script (assets/); the index sits beside the pages.
      pagefind = import(new URL("pagefind/pagefind.js", document.baseURI).href).then(function (module) {
        // No web worker: one file less to fetch and keep; a book's index searches fast in the page.
        return module.options({noWorker: true, excerptLength: 24}).then(function () { return module; });
      });
    }
    return pagefind;
  }

  function say(text) { status.textContent = text; }

  // A snippet's text with its <mark>s, built as nodes: nothing in it runs as markup.
  function snippet(html) {
    var p = document.createElement("p");
    p.className = "search-snippet";
    var parsed = new DOMParser().parseFromString("<body>" + html + "</body>", "text/html").body;
    parsed.childNodes.forEach(function (node) {
      if (node.nodeName === "MARK") {
        var mark = document.createElement("mark");
        mark.textContent = node.textContent;
        p.appendChild(mark);
      } else {
        p.appendChild(document.createTextNode(node.textContent));
      }
    });
    return p;
  }

  // Pagefind names pages from the site's root ("/07-compliance.html#hipaa"); every page of this
  // site sits beside this one.
  function local(url) { return url.replace(/^\/+/, ""); }

  function link(href, text) {
    var a = document.createElement("a");
    a.href = local(href);
    a.textContent = text;
    return a;
  }

  function show(query, results, data) {
    list.textContent = "";
    data.forEach(function (page) {
      var item = document.createElement("li");
      item.className = "search-result";
      if (page.meta.label) {
        var label = document.createElement("p");
        label.className = "search-label";
        label.textContent = page.meta.label;
        item.appendChild(label);
      }
      var title = document.createElement("h2");
      title.className = "search-title";
      title.appendChild(link(page.url, page.meta.title));
      item.appendChild(title);
      var sections = (page.sub_results || []).filter(function (s) { return s.url !== page.url; }).slice(0, MAX_SECTIONS);
      if (!sections.length) item.appendChild(snippet(page.excerpt));
      if (sections.length) {
        var ul = document.createElement("ul");
        ul.className = "search-sections";
        sections.forEach(function (section) {
          var li = document.createElement("li");
          li.appendChild(link(section.url, section.title));
          li.appendChild(snippet(section.excerpt));
          ul.appendChild(li);
        });
        item.appendChild(ul);
      }
      list.appendChild(item);
    });
    var count = results.length;
    say(count ? (count === 1 ? "1 chapter matches" : count + " chapters match") + " \u201c" + query + "\u201d" +
        (count > data.length ? "; the first " + data.length + " are shown." : ".")
      : "Nothing matches \u201c" + query + "\u201d. Try fewer words, or other ones.");
  }

  function search(query, remember) {
    var ticket = ++latest;
    query = query.trim();
    if (remember) {
      var url = new URL(location.href);
      if (query) url.searchParams.set("q", query); else url.searchParams.delete("q");
      history.replaceState(null, "", url);
    }
    if (!query) { list.textContent = ""; say(""); return; }
    say("Searching\u2026");
    load().then(function (module) {
      return module.search(query);
    }).then(function (found) {
      if (ticket !== latest) return null;
      return Promise.all(found.results.slice(0, MAX_PAGES).map(function (r) { return r.data(); })).then(function (data) {
        if (ticket === latest) show(query, found.results, data);
      });
    }).catch(function () {
      if (ticket === latest) say("Search could not start. Reload the page, or search the PDF in your PDF reader.");
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    search(input.value, true);
  });
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () { search(input.value, true); }, 250);
  });
  var query = new URL(location.href).searchParams.get("q");
  if (query) {
    input.value = query;
    search(query, false);
  }
})();
