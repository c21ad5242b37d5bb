/*
 * The form's slots around the wasm, loaded with it: photos and documents
 * before the form's consent (attach.js does the work, loaded the first time
 * a file is chosen or when a draft has some), complaints like the one being
 * filed once its category and district are chosen (similar.js), and the
 * reporter's rating of the handling in the tracker (rate.js). Every text is
 * set as text.
 */
var ATTACH = "__ADUAN_ATTACH__";
var RATE = "__ADUAN_RATE__";
var SIMILAR = "__ADUAN_SIMILAR__";

var attaching = null;
function attach(base) {
  if (!attaching) {
    attaching = import(new URL(ATTACH, base).href);
    attaching.catch(function () { attaching = null; });
  }
  return attaching;
}

/*
 * The form for a citizen's first moments: `html` is what the server sends
 * for the region and language (GET /api/v1/regions/{slug}/early: the
 * widget's stylesheet and the hosted form's fields), shown in `content`
 * until the wasm's own form is in, so the citizen can type at once. It
 * starts from the draft this browser keeps, notes each field the citizen
 * changes, and holds a sending back for the wasm.
 */
export function early(content, html, region) {
  if (!html || content.querySelector(".aduan")) return;
  var t = document.createElement("template");
  t.innerHTML = html;
  var root = t.content.querySelector("[data-aduan-early]");
  var css = t.content.querySelector("style");
  var f = root && root.querySelector("form");
  if (!f) return;
  var shadow = content.getRootNode(), wait = content.querySelector(".loading"), k;
  try {
    var s = new CSSStyleSheet();
    s.replaceSync(css.textContent);
    shadow.adoptedStyleSheets = shadow.adoptedStyleSheets.concat([s]);
  } catch (e) { /* unstyled, still usable */ }
  try {
    var d = JSON.parse(window.localStorage.getItem("aduan.draft." + region)), i = d.input, r = i.reporter || {};
    for (k in i) if (typeof i[k] == "string" && f.elements[k]) f.elements[k].value = i[k];
    for (k in r) if (f.elements["reporter_" + k]) f.elements["reporter_" + k].value = r[k];
    f.elements.consent.checked = d.consent;
  } catch (e) { /* no draft */ }
  root.dirty = {};
  var mark = function (e) { root.dirty[e.target.name] = 1; };
  f.addEventListener("input", mark);
  f.addEventListener("change", mark);
  // An input method's word in the making is never cut: the wasm's form
  // waits, hidden, until the word is done.
  f.addEventListener("compositionstart", function () { root.composing = 1; });
  f.addEventListener("compositionend", function () {
    root.composing = 0;
    setTimeout(function () { takeOver(content); });
  });
  f.addEventListener("submit", function (e) {
    e.preventDefault();
    root.send = 1;
  });
  if (wait) wait.hidden = true;
  content.appendChild(root);
}

/*
 * Once the wasm's form is in beside the first moments' form: every field
 * the citizen changed, the focus and the caret move over (each value told
 * to the wasm as an input event), then the first form goes. True while
 * the first form is still shown.
 */
function takeOver(content) {
  var old = content.querySelector("[data-aduan-early]");
  var now = content.querySelector(".aduan:not([data-aduan-early])");
  if (!old || !now) return !!old;
  var f = now.querySelector("form");
  now.hidden = true;
  if (!f || old.composing) return true;
  var a = content.getRootNode().activeElement, top = content.scrollTop;
  // The same field in the wasm's form (its contact fields are `reporter.*`).
  var to = function (el) {
    var n = el.name.replace(/^reporter_/, "reporter.");
    return el.type == "radio" ? f.querySelector("[name=" + n + "][value=" + el.value + "]") : f.elements[n];
  };
  Array.prototype.forEach.call(old.querySelector("form").elements, function (el) {
    var into = old.dirty[el.name] && (el.type != "radio" || el.checked) && to(el);
    if (!into) return;
    into.value = el.value;
    into.checked = el.checked;
    into.dispatchEvent(new Event("input", { bubbles: true }));
  });
  var at = a && old.contains(a) && a.name && to(a);
  old.remove();
  now.hidden = false;
  content.scrollTop = top;
  if (at) {
    at.focus({ preventScroll: true });
    try { at.setSelectionRange(a.selectionStart, a.selectionEnd, a.selectionDirection); } catch (e) { /* not a text field */ }
  }
  if (old.send) f.requestSubmit();
  return false;
}

/*
 * Watches a mounted widget's `content`. `o` has `region`, `api`, `base` (the
 * loader's URL), `lang` (the language the widget was mounted in), `words(lang)`
 * (the file choosers' four words, once that language's are in) and `report`.
 * Returns the function that stops watching.
 */
export function watch(content, o) {
  // The language the widget shows (the citizen may switch on the form).
  var lang = function () {
    var shown = content.querySelector(".aduan");
    return (shown && shown.lang) || o.lang;
  };
  var opts = { region: o.region, api: o.api, lang: lang };
  var label = function (slot) {
    var t = o.words(lang());
    if (!t) return;
    slot.setAttribute("data-lang", lang());
    Array.prototype.forEach.call(slot.querySelectorAll("legend,span.help,label"), function (el, i) { el.textContent = t[i]; });
  };
  // "Saya juga": similar.js reads the category and the district at every
  // change (and, once it is in, when the form changes: a language, a draft).
  var looking = null;
  var similar = function () {
    looking = import(new URL(SIMILAR, o.base).href).then(function (m) { m.look(content, opts); }, o.report);
  };
  content.addEventListener("change", similar);
  // "Use my location", under the customary village: the phone is asked
  // only when it is tapped; the point waits on the button for the wasm
  // (data-aduan-position), and a second tap leaves it out.
  var locate = function () {
    var field = content.querySelector("#landmark");
    field = field && field.closest(".field");
    if (!field || field.querySelector(".locate") || !navigator.geolocation) return;
    var b = document.createElement("button");
    var say = function (i) { b.textContent = (o.words(lang()) || [])[i] || ""; };
    b.type = "button";
    b.className = "link locate";
    say(4);
    b.onclick = function () {
      if (b.hasAttribute("data-aduan-position")) {
        b.removeAttribute("data-aduan-position");
        return say(4);
      }
      say(5);
      navigator.geolocation.getCurrentPosition(function (p) {
        b.setAttribute("data-aduan-position", p.coords.latitude.toFixed(6) + "," + p.coords.longitude.toFixed(6));
        say(6);
      }, function () { say(7); }, { enableHighAccuracy: true, timeout: 20000, maximumAge: 60000 });
    };
    field.appendChild(b);
  };
  var observer = new MutationObserver(function () {
    if (takeOver(content)) return;
    if (looking) similar();
    locate();
    // The tracker's slot for the reporter's rating of the handling.
    var rating = content.querySelector("[data-aduan-rate]:not([data-aduan-rate='']):not([data-rating])");
    if (rating) {
      rating.setAttribute("data-rating", "");
      import(new URL(RATE, o.base).href).then(function (m) { m.rate(rating, opts); }, o.report);
    }
    var consent = content.querySelector("input[name=consent]");
    var before = consent && consent.closest(".field");
    var placed = before && before.previousElementSibling;
    if (placed && placed.id === "aduan-files") {
      if (placed.getAttribute("data-lang") !== lang()) label(placed);
      return;
    }
    if (!before) return;
    var slot = document.createElement("fieldset");
    slot.className = "field";
    slot.id = "aduan-files";
    slot.innerHTML = "<legend></legend><span class=help id=help-files></span>" +
      "<label for=files-camera></label><input id=files-camera type=file accept=image/* capture=environment aria-describedby=help-files>" +
      "<label for=files-pick></label><input id=files-pick type=file accept=image/*,application/pdf multiple aria-describedby=help-files>" +
      "<ul data-aduan-files aria-live=polite></ul>";
    label(slot);
    before.parentNode.insertBefore(slot, before);
    var list = slot.querySelector("ul");
    var take = function (files) {
      attach(o.base).then(function (m) { m.take(list, files, opts); }, o.report);
    };
    Array.prototype.forEach.call(slot.querySelectorAll("input"), function (input) {
      input.addEventListener("change", function () {
        var files = Array.prototype.slice.call(input.files || []);
        input.value = "";
        if (files.length) take(files);
      });
    });
    try { if (attaching || window.localStorage.getItem("aduan.files." + o.region)) take(null); } catch (e) { /* no storage */ }
  });
  observer.observe(content, { childList: true, subtree: true, attributes: true, attributeFilter: ["lang"] });
  return function () { observer.disconnect(); };
}

/* A complaint was filed: its uploaded files are no longer a draft's. */
export function submitted(region, report) {
  if (attaching) attaching.then(function (m) { m.done(region); }, report);
}
