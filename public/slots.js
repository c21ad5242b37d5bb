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
 * Watches a mounted widget's `content`. `o` has `region`, `api`, `base` (the
 * loader's URL), `lang` (the language the widget was mounted in), `words(lang)`
 * (the file choosers' four words, once that language's are in) and `report`.
 * Returns the function that stops watching.
 */
export function watch(content, o) {
  // The widget's stylesheet, when the first moments' module (which
  // carries it) did not come.
  var shadow = content.getRootNode();
  if (!shadow.aduanStyled) fetch(new URL("/api/v1/widget.css", o.api)).then(function (r) { return r.ok && r.text(); }).then(function (css) {
    if (!css || shadow.aduanStyled) return;
    var s = new CSSStyleSheet();
    s.replaceSync(css);
    shadow.adoptedStyleSheets = shadow.adoptedStyleSheets.concat([s]);
    shadow.aduanStyled = 1;
  }).catch(o.report);
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
    // The first moments' form (the server's early.js) hands over first.
    var first = content.querySelector("[data-aduan-early]");
    if (first && first.take()) return;
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
