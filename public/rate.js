/*
 * The reporter's rating of the handling, in the widget's tracker: the wasm
 * marks the result section (data-aduan-rate holds the tracking code) when
 * the complaint was resolved and not yet rated, and the loader imports this
 * module to add the form there. A score from 1 to 5 and an optional comment the
 * officers read, sent once to POST /api/v1/complaints/{code}/rating.
 * Every text is set as text, never markup.
 */
var WORDS = __ADUAN_WORDS__;

function el(parent, tag, attrs, text) {
  var node = document.createElement(tag);
  Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
  if (text) node.textContent = text;
  parent.appendChild(node);
  return node;
}

export function rate(section, opts) {
  var lang = WORDS[opts.lang()] ? opts.lang() : "id";
  var w = WORDS[lang];
  var code = section.getAttribute("data-aduan-rate") || "";
  // Before the erase button, the last thing the section shows.
  var slot = document.createElement("div");
  slot.className = "rate";
  section.insertBefore(slot, section.querySelector("button.erase"));
  var form = el(slot, "form");
  var scores = el(form, "fieldset", { "class": "field" });
  el(scores, "legend", null, w.title);
  for (var n = 1; n <= 5; n++) {
    var label = el(scores, "label", { "class": "choice" });
    var radio = el(label, "input", { type: "radio", name: "score", value: String(n) });
    if (n === 1) radio.required = true;
    label.appendChild(document.createTextNode(String(n)));
  }
  var field = el(form, "div", { "class": "field" });
  el(field, "label", { "for": "aduan-rate" }, w.comment);
  el(field, "textarea", { id: "aduan-rate", name: "comment", maxlength: "4000" });
  var send = el(form, "button", { type: "submit", "class": "primary" }, w.send);
  var status = el(form, "p", { role: "status" });
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var data = new FormData(form);
    var score = Number(data.get("score"));
    if (!(score >= 1 && score <= 5)) return;
    send.disabled = true;
    status.textContent = w.sending;
    var url = new URL("/api/v1/complaints/" + encodeURIComponent(code) + "/rating", opts.api).href;
    fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", "Accept-Language": lang },
      body: JSON.stringify({ score: score, comment: String(data.get("comment") || ""), locale: lang })
    }).then(function (r) {
      return r.json().then(function (body) { return { ok: r.ok, body: body }; });
    }).then(function (answer) {
      if (answer.ok || (answer.body && answer.body.error && answer.body.error.code === "already_rated")) {
        slot.textContent = "";
        el(slot, "p", { role: "status" }, w.done.replace("{n}", answer.ok ? score : "\u2713"));
        return;
      }
      send.disabled = false;
      status.textContent = (answer.body && answer.body.error && answer.body.error.message) || w.failed;
    }).catch(function () {
      send.disabled = false;
      status.textContent = w.failed;
    });
  });
}
