// Type-ahead for the profile's skills box: suggests canonical skills for the term being typed.
// Progressive enhancement only: without this script the form still validates on the server.
(function () {
  "use strict";
  var box = document.getElementById("skills");
  if (!box || !box.dataset.suggest) { return; }
  var list = document.createElement("div");
  list.className = "actions";
  list.setAttribute("aria-live", "polite");
  list.id = "skill-typeahead";
  box.insertAdjacentElement("afterend", list);
  var pending = null;

  function currentTerm() {
    var before = box.value.slice(0, box.selectionStart);
    var parts = before.split(/[\n,;]/);
    return parts[parts.length - 1].replace(/:.*$/, "").trim();
  }

  function replaceTerm(name) {
    var start = box.selectionStart;
    var before = box.value.slice(0, start);
    var cut = Math.max(before.lastIndexOf("\n"), before.lastIndexOf(","), before.lastIndexOf(";")) + 1;
    var rest = box.value.slice(start).replace(/^[^\n,;]*/, "");
    box.value = box.value.slice(0, cut) + name + "\n" + rest.replace(/^[\n,;]/, "");
    list.textContent = "";
    box.focus();
  }

  function show(names) {
    list.textContent = "";
    names.forEach(function (name) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "tag";
      button.textContent = name;
      button.addEventListener("click", function () { replaceTerm(name); });
      list.appendChild(button);
    });
  }

  box.addEventListener("input", function () {
    var term = currentTerm();
    if (pending) { clearTimeout(pending); }
    if (term.length < 2) { list.textContent = ""; return; }
    pending = setTimeout(function () {
      fetch(box.dataset.suggest + "?q=" + encodeURIComponent(term), { credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : { suggestions: [] }; })
        .then(function (body) { show(body.suggestions || []); })
        .catch(function () { list.textContent = ""; });
    }, 150);
  });
}());
