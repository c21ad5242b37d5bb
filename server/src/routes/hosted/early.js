/*
 * The form for a citizen's first moments, as one module the loader imports
 * on the tap (GET /api/v1/regions/{slug}/early.js?lang=): the server puts
 * the widget's stylesheet (CSS) and the hosted form's fields for the
 * region and language (HTML) before this. `show` gives the widget's shadow
 * root its stylesheet and, to file a complaint, puts the form where the
 * widget will be, so the citizen can type before the wasm is in; it starts
 * from the draft this browser keeps, notes each field the citizen changes
 * and holds a sending back. When the wasm's form is in, slots.js calls the
 * form's `take`: every changed field, the focus and the caret move over.
 * Should the widget fail to start, the form posts itself to the hosted
 * page instead (the page does not navigate away from what was typed).
 */
export function show(content, region, view) {
  var shadow = content.getRootNode(), wait = content.querySelector(".loading"), k;
  // The widget's one stylesheet (the wasm carries none; it asks the server
  // for it should this module never come).
  try {
    var s = new CSSStyleSheet();
    s.replaceSync(CSS);
    if (!shadow.aduanStyled) shadow.adoptedStyleSheets = shadow.adoptedStyleSheets.concat([s]);
    shadow.aduanStyled = 1;
  } catch (e) { /* unstyled, still usable */ }
  if (view != "file" || content.querySelector(".aduan")) return;
  if (wait) wait.hidden = true;
  // Parsed where it is shown: once, in the page's own document.
  content.insertAdjacentHTML("beforeend", HTML);
  var root = content.lastChild;
  var f = root.querySelector("form");
  // The wasm draws its own form from the same markup, as it was sent.
  root.form = HTML.slice(HTML.indexOf("<form"), HTML.lastIndexOf("</form>") + 7);
  try {
    var d = JSON.parse(localStorage.getItem("aduan.draft." + region)), i = d.input, r = i.reporter || {};
    for (k in i) if (typeof i[k] == "string" && f.elements[k]) f.elements[k].value = i[k];
    for (k in r) if (f.elements["reporter_" + k]) f.elements["reporter_" + k].value = r[k];
    f.elements.consent.checked = d.consent;
  } catch (e) { /* no draft */ }
  var dirty = {}, composing = 0, send = 0, native = 0, button = f.querySelector("[type=submit]");
  // What the citizen changed; typing again takes back a tap on "send"
  // (a change as a field loses the focus does not).
  f.addEventListener("input", function (e) {
    dirty[e.target.name] = 1;
    send = 0;
  });
  f.addEventListener("change", function (e) { dirty[e.target.name] = 1; });
  // Its own key, so that a post sent twice files once.
  f.elements.idempotency_key.value = Array.prototype.map.call(crypto.getRandomValues(new Uint8Array(16)), function (b) {
    return (b + 256).toString(16).slice(1);
  }).join("");
  // The widget could not start: what was typed goes by the hosted page,
  // at once if "send" was tapped.
  var fail = function () {
    if (native) return;
    native = 1;
    if (send) button.click();
  };
  addEventListener("aduan:error", fail);
  // An input method's word in the making is never cut: the wasm's form
  // waits, hidden, until the word is done.
  f.addEventListener("compositionstart", function () { composing = 1; });
  f.addEventListener("compositionend", function () {
    composing = 0;
    setTimeout(root.take);
  });
  // A tap on "send" (not Enter in a field, which would send a complaint
  // half written) is kept for the wasm, until the citizen types again.
  button.addEventListener("click", function (e) {
    send = e.detail > 0 || shadow.activeElement == button;
  });
  f.addEventListener("submit", function (e) {
    if (!native) e.preventDefault();
  });
  // True while this form stays (the wasm's form not in, or a word
  // unfinished). The move waits for the next task: the wasm sets its
  // fields' first values just after it draws them.
  var later = 0;
  root.take = function () {
    var now = content.querySelector(".aduan:not([data-aduan-early])");
    var g = now && now.querySelector("form");
    if (!root.isConnected) return false;
    if (now) now.hidden = true;
    // The wasm could not load the form (it says so instead): this one
    // stays, and posts itself to the hosted page.
    if (now && !g && !now.querySelector(".file > [role=status]")) fail();
    if (g && !composing && !native && !later) later = setTimeout(move);
    return true;
  };
  var move = function () {
    later = 0;
    var now = content.querySelector(".aduan:not([data-aduan-early])");
    var g = now && now.querySelector("form");
    if (!root.isConnected || !g || composing || native) return;
    var a = shadow.activeElement, top = content.scrollTop;
    // The same field in the wasm's form (drawn from the same markup).
    var to = function (el) {
      return el.type == "radio" ? g.querySelector("[name=" + el.name + "][value=" + el.value + "]") : g.elements[el.name];
    };
    Array.prototype.forEach.call(f.elements, function (el) {
      var into = dirty[el.name] && (el.type != "radio" || el.checked) && to(el);
      if (!into) return;
      into.value = el.value;
      into.checked = el.checked;
      // Told as the citizen's own input and change, so the draft, and the
      // complaints like it (slots.js listens for changes), see it.
      into.dispatchEvent(new Event("input", { bubbles: true }));
      into.dispatchEvent(new Event("change", { bubbles: true }));
    });
    var at = a && root.contains(a) && a.name && to(a), go = send;
    // Shown and focused before this form goes, so a phone keeps its keyboard.
    now.hidden = false;
    if (at) {
      at.focus({ preventScroll: true });
      try { at.setSelectionRange(a.selectionStart, a.selectionEnd, a.selectionDirection); } catch (e) { /* not a text field */ }
    }
    root.remove();
    removeEventListener("aduan:error", fail);
    content.scrollTop = top;
    if (go) g.requestSubmit ? g.requestSubmit() : g.querySelector("[type=submit]").click();
  };
}
