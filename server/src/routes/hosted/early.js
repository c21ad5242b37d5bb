/*
 * The form for a citizen's first moments, as one module the loader imports
 * on the tap (GET /api/v1/regions/{slug}/early.js?lang=): the server puts
 * the widget's stylesheet (CSS) and the hosted form's fields for the
 * region and language (HTML) before this. `show` puts the form where the
 * widget will be, so the citizen can type before the wasm is in; it starts
 * from the draft this browser keeps, notes each field the citizen changes
 * and holds a sending back. When the wasm's form is in, slots.js calls the
 * form's `take`: every changed field, the focus and the caret move over.
 */
export function show(content, region) {
  if (content.querySelector(".aduan")) return;
  var shadow = content.getRootNode(), wait = content.querySelector(".loading"), k;
  if (wait) wait.hidden = true;
  // Parsed where it is shown: once, in the page's own document.
  content.insertAdjacentHTML("beforeend", HTML);
  var root = content.lastChild;
  var f = root.querySelector("form");
  try {
    var s = new CSSStyleSheet();
    s.replaceSync(CSS);
    shadow.adoptedStyleSheets = shadow.adoptedStyleSheets.concat([s]);
  } catch (e) { /* unstyled, still usable */ }
  try {
    var d = JSON.parse(localStorage.getItem("aduan.draft." + region)), i = d.input, r = i.reporter || {};
    for (k in i) if (typeof i[k] == "string" && f.elements[k]) f.elements[k].value = i[k];
    for (k in r) if (f.elements["reporter_" + k]) f.elements["reporter_" + k].value = r[k];
    f.elements.consent.checked = d.consent;
  } catch (e) { /* no draft */ }
  var dirty = {}, composing = 0, send = 0;
  var mark = function (e) { dirty[e.target.name] = 1; };
  f.addEventListener("input", mark);
  f.addEventListener("change", mark);
  // An input method's word in the making is never cut: the wasm's form
  // waits, hidden, until the word is done.
  f.addEventListener("compositionstart", function () { composing = 1; });
  f.addEventListener("compositionend", function () {
    composing = 0;
    setTimeout(root.take);
  });
  f.addEventListener("submit", function (e) {
    e.preventDefault();
    send = 1;
  });
  // True while this form stays (the wasm's form not in, or a word unfinished).
  root.take = function () {
    var now = content.querySelector(".aduan:not([data-aduan-early])");
    var g = now && now.querySelector("form");
    if (!root.isConnected) return false;
    if (now) now.hidden = true;
    if (!g || composing) return true;
    var a = shadow.activeElement, top = content.scrollTop;
    // The same field in the wasm's form (its contact fields are `reporter.*`).
    var to = function (el) {
      var n = el.name.replace(/^reporter_/, "reporter.");
      return el.type == "radio" ? g.querySelector("[name=" + n + "][value=" + el.value + "]") : g.elements[n];
    };
    Array.prototype.forEach.call(f.elements, function (el) {
      var into = dirty[el.name] && (el.type != "radio" || el.checked) && to(el);
      if (!into) return;
      into.value = el.value;
      into.checked = el.checked;
      into.dispatchEvent(new Event("input", { bubbles: true }));
    });
    var at = a && root.contains(a) && a.name && to(a);
    root.remove();
    now.hidden = false;
    content.scrollTop = top;
    if (at) {
      at.focus({ preventScroll: true });
      try { at.setSelectionRange(a.selectionStart, a.selectionEnd, a.selectionDirection); } catch (e) { /* not a text field */ }
    }
    if (send) g.requestSubmit();
    return false;
  };
}
