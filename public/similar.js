/*
 * "Saya juga" (me too): when a citizen has chosen a category and a district,
 * slots.js imports this module, which asks the service for open complaints
 * like theirs (GET /api/v1/regions/{slug}/similar) and, when there are any,
 * shows them after the district: title, status, age and supporters. "Me
 * too" asks for an e-mail address and joins the complaint (POST
 * /api/v1/similar/{id}/supporters): the citizen counts once they follow the
 * link sent there. Without e-mail on the service, the list is shown without
 * "me too". The form stays below, so filing anyway is one tap away. Every
 * text is set as text, never markup.
 */
var WORDS = __ADUAN_WORDS__;

var CSS = ".similar{border:1px solid var(--muted);border-radius:var(--r);padding:12px;margin:0 0 14px}" +
  ".similar ul{list-style:none;margin:8px 0;padding:0}" +
  ".similar li{border-top:1px solid var(--muted);padding:8px 0}" +
  ".similar li>strong{display:block}" +
  ".similar .link{margin-top:4px}" +
  ".similar form{margin-top:8px}" +
  ".similar .primary{margin-top:8px}";

var showing = new WeakMap();

function el(parent, tag, attrs, text) {
  var node = document.createElement(tag);
  Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
  if (text) node.textContent = text;
  parent.appendChild(node);
  return node;
}

/* The widget's stylesheet is the wasm's; this panel brings its own rules. */
function style(content) {
  var root = content.getRootNode();
  if (!root.adoptedStyleSheets || root.__aduanSimilar) return;
  try {
    var sheet = new CSSStyleSheet();
    sheet.replaceSync(CSS);
    root.adoptedStyleSheets = root.adoptedStyleSheets.concat([sheet]);
    root.__aduanSimilar = true;
  } catch (e) { /* unstyled, still usable */ }
}

function age(days, w) {
  return days > 0 ? w.days.replace("{n}", days) : w.today;
}

/*
 * Shows the complaints like the one in the form in `content` (the widget's
 * mount), or nothing while its category or district is empty or none are
 * found. `opts` has `region`, `api` and `lang()` (the language the widget
 * shows). Called at every change: it asks again only when one of the three
 * changed.
 */
export function look(content, opts) {
  var value = function (id) {
    var field = content.querySelector(id);
    return (field && field.value) || "";
  };
  var category = value("#category"), district = value("#district");
  var lang = WORDS[opts.lang()] ? opts.lang() : "id";
  var w = WORDS[lang];
  var key = [category, district, lang].join("\u0000");
  var state = showing.get(content) || {};
  // The same question: asked already (or on its way, or none were found),
  // unless the panel was shown and the form has since been drawn again.
  if (state.key === key && (!state.panel || state.panel.isConnected)) return;
  if (state.panel) state.panel.remove();
  state = { key: key, panel: null };
  showing.set(content, state);
  if (!category || !district) return;
  var url = new URL("/api/v1/regions/" + encodeURIComponent(opts.region) + "/similar", opts.api);
  url.searchParams.set("category", category);
  url.searchParams.set("district", district);
  fetch(url.href, { headers: { "Accept-Language": lang } }).then(function (r) {
    return r.ok ? r.json() : null;
  }).then(function (body) {
    var list = body && body.complaints;
    var after = content.querySelector("#district");
    after = after && after.closest(".field");
    if (showing.get(content) !== state || !list || !list.length || !after) return;
    style(content);
    var panel = document.createElement("section");
    panel.className = "similar";
    panel.setAttribute("aria-labelledby", "aduan-similar");
    el(panel, "h3", { id: "aduan-similar" }, w.title);
    el(panel, "p", { "class": "help" }, w.intro);
    var ul = el(panel, "ul");
    list.forEach(function (c) {
      var li = el(ul, "li");
      el(li, "strong", null, c.title);
      var meta = [c.status_label, age(c.age_days, w)];
      if (c.supporters > 0) meta.push(w.supporters.replace("{n}", c.supporters));
      el(li, "span", { "class": "help" }, meta.join(" · "));
      if (!body.joinable) return;
      var button = el(li, "button", { type: "button", "class": "link", "aria-expanded": "false" }, w.join);
      button.addEventListener("click", function () {
        button.setAttribute("aria-expanded", "true");
        join(li, c, w, lang, opts);
      });
    });
    var dismiss = el(panel, "button", { type: "button", "class": "link" }, w.dismiss);
    dismiss.addEventListener("click", function () {
      panel.remove();
      var title = content.querySelector("#title");
      if (title) title.focus();
    });
    after.parentNode.insertBefore(panel, after.nextSibling);
    state.panel = panel;
  }).catch(function () { /* no listing: the form is all there is */ });
}

/* The contact a supporter leaves, and the request that counts them. */
function join(li, c, w, lang, opts) {
  if (li.querySelector("form")) return;
  var form = el(li, "form", { "class": "join", novalidate: "" });
  var id = "aduan-join-" + c.id;
  var group = el(form, "fieldset", { "class": "field" });
  el(group, "legend", null, w.contact);
  el(group, "span", { "class": "help", id: id + "-help" }, w.contactHelp);
  el(group, "label", { "for": id + "-email" }, w.email);
  var email = el(group, "input", { id: id + "-email", type: "email", name: "email", autocomplete: "email", maxlength: "254", "aria-describedby": id + "-help" });
  var send = el(form, "button", { type: "submit", "class": "primary" }, w.send);
  var status = el(form, "p", { role: "status", "aria-live": "polite" });
  email.focus();
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    send.disabled = true;
    status.className = "";
    status.textContent = w.sending;
    var url = new URL("/api/v1/similar/" + encodeURIComponent(c.id) + "/supporters", opts.api).href;
    fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", "Accept-Language": lang },
      body: JSON.stringify({ email: email.value, locale: lang })
    }).then(function (r) {
      return r.json().then(function (body) { return { status: r.status, body: body || {} }; });
    }).then(function (answer) {
      if (answer.status === 202) {
        var sent = email.value.trim();
        form.textContent = "";
        el(form, "p", { role: "status" }, w.check.replace("{email}", sent));
        return;
      }
      var error = answer.body.error || {};
      var fields = error.fields || {};
      send.disabled = false;
      status.className = "err";
      status.textContent = fields.email || error.message || w.failed;
      email.focus();
    }).catch(function () {
      send.disabled = false;
      status.className = "err";
      status.textContent = w.failed;
    });
  });
}
