/*
 * The widget's public record view (data-view="stats"): a region's complaint
 * handling over the last 12 months, from /api/v1/regions/{slug}/stats.
 * The loader imports it only for a page that asks for this view, in place
 * of the form's wasm; it has the same three functions as the wasm glue
 * (mount, set_locale, unmount). Every value is set as text, never markup.
 */
var CSS = ".aduan-stats{font:inherit;color:inherit;line-height:1.45}" +
  ".aduan-stats h2{font-size:1.15em;margin:0 0 4px}" +
  ".aduan-stats .muted{opacity:.75;margin:0 0 12px}" +
  ".aduan-stats dl{display:grid;grid-template-columns:1fr auto;gap:4px 16px;margin:0 0 16px}" +
  ".aduan-stats dt{margin:0}.aduan-stats dd{margin:0;font-weight:700;text-align:right;font-variant-numeric:tabular-nums}" +
  ".aduan-stats table{border-collapse:collapse;width:100%;margin:0 0 16px}" +
  ".aduan-stats caption{text-align:left;font-weight:700;padding:4px 0}" +
  ".aduan-stats th,.aduan-stats td{text-align:left;padding:4px 6px;border-bottom:1px solid rgba(127,127,127,.35)}" +
  ".aduan-stats td{text-align:right;font-variant-numeric:tabular-nums}";

var WORDS = __ADUAN_WORDS__;

function el(parent, tag, text) {
  var node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  parent.appendChild(node);
  return node;
}

function figure(value, suffix) {
  return value === null || value === undefined ? "\u2013" : value + (suffix || "");
}

function table(parent, caption, heads, rows) {
  var t = el(parent, "table");
  el(t, "caption", caption);
  var tr = el(el(t, "thead"), "tr");
  heads.forEach(function (h) { el(tr, "th", h).setAttribute("scope", "col"); });
  var body = el(t, "tbody");
  rows.forEach(function (r) {
    var row = el(body, "tr");
    el(row, "th", r[0]).setAttribute("scope", "row");
    r.slice(1).forEach(function (v) { el(row, "td", v); });
  });
}

function draw(h) {
  var w = WORDS[h.lang] || WORDS.id;
  var root = h.root;
  while (root.firstChild) root.removeChild(root.firstChild);
  var d = h.data;
  el(root, "h2", w.title);
  if (!d) {
    el(root, "p", h.failed ? w.failed : w.loading).setAttribute("role", "status");
    return;
  }
  el(root, "p", d.region.name + " \u00b7 " + w.last + ": " + d.from + " \u2013 " + d.to).className = "muted";
  var dl = el(root, "dl");
  [
    [w.received, figure(d.received)],
    [w.resolved, figure(d.resolved)],
    [w.verified, figure(d.verified_on_time_pct, "%")],
    [w.planned, figure(d.follow_up_on_time_pct, "%")],
    [w.reply, figure(d.median_days_to_first_reply)],
    [w.resolution, figure(d.median_days_to_resolution)]
  ].forEach(function (pair) { el(dl, "dt", pair[0]); el(dl, "dd", pair[1]); });
  var rows = d.categories.map(function (c) {
    return [h.lang === "en" ? c.name_en : c.name_id, c.received, c.resolved];
  });
  if (d.other_categories) {
    var o = d.other_categories;
    rows.push([w.other, o.received === null ? w.few : o.received, o.resolved === null ? w.few : o.resolved]);
  }
  table(root, w.byCategory, [w.category, w.received_short, w.resolved_short], rows);
  table(root, w.byMonth, [w.month, w.received_short, w.resolved_short], d.months.map(function (m) {
    return [m.month, m.received, m.resolved];
  }));
}

export function mount(content, shadow, opts) {
  var h = { lang: WORDS[opts.lang] ? opts.lang : "id", data: null, failed: false, root: document.createElement("section") };
  h.root.className = "aduan-stats";
  h.root.setAttribute("aria-live", "polite");
  try {
    var sheet = new CSSStyleSheet();
    sheet.replaceSync(CSS);
    shadow.adoptedStyleSheets = shadow.adoptedStyleSheets.concat([sheet]);
  } catch (e) { /* an old browser: plain text still reads */ }
  content.appendChild(h.root);
  draw(h);
  var url = new URL("/api/v1/regions/" + encodeURIComponent(opts.region) + "/stats", opts.api).href;
  fetch(url, { headers: { "Accept-Language": h.lang } })
    .then(function (r) { return r.ok ? r.json() : Promise.reject(new Error("HTTP " + r.status)); })
    .then(function (d) { h.data = d; draw(h); }, function () { h.failed = true; draw(h); });
  return h;
}

export function set_locale(h, lang) {
  h.lang = WORDS[lang] ? lang : "id";
  draw(h);
}

export function unmount(h) {
  h.root.remove();
}
