/*
 * Aduan's photos and documents: loaded by the widget only when a citizen
 * chooses a file (or comes back to a form that has some).
 *
 * Each photo is turned upright and scaled on the phone (at most 2048 px,
 * JPEG), so a 12-megapixel photo costs a few hundred KB on the wire and
 * its camera metadata never leaves the phone; the server cleans it again.
 * Files go up over tus 1.0 (`/api/v1/uploads`): a dropped connection
 * resumes from the last byte the server holds, and the finished uploads
 * are remembered with the draft, so a reload keeps them.
 *
 * The list it fills is the form's `ul[data-aduan-files]`: each file a row
 * with a preview, its name, its progress and a button to remove it. The
 * list's `data-ids` holds the finished upload ids (32 hex digits each, one
 * after another), which the form sends with the complaint; `data-busy` is
 * set while any file is still on its way, and the form is held back then.
 */

var MAX_SIDE = 2048;
var MAX_FILES = 5;
/* A request that moves no byte and hears nothing for this long has met a
 * silent network: it is given up and the upload resumes. */
var STALL = 10000;
var QUALITY = 0.8;
var WORDS = __ADUAN_WORDS__;
var CSS =
  "ul[data-aduan-files]{list-style:none;margin:8px 0;padding:0;display:grid;gap:8px}" +
  ".aduan-file{display:grid;grid-template-columns:56px 1fr auto;gap:8px;align-items:center;border:1px solid #c9d1d9;border-radius:6px;padding:6px}" +
  ".aduan-file canvas,.aduan-file .doc{width:56px;height:56px;object-fit:cover;border-radius:4px;background:#eef1f4;display:flex;align-items:center;justify-content:center;font-size:12px}" +
  ".aduan-file .name{overflow-wrap:anywhere;font-size:14px}" +
  ".aduan-file progress{width:100%;height:6px}" +
  ".aduan-file .state{font-size:13px;opacity:.8}" +
  ".aduan-file .state.bad{color:#b3261e;opacity:1}" +
  ".aduan-file button{min-width:44px;min-height:44px;border:1px solid #c9d1d9;border-radius:6px;background:transparent;color:inherit;cursor:pointer;font:inherit}";

var regions = {};

function words(opts) {
  return WORDS[opts.lang()] || WORDS.id;
}

function storageKey(region) {
  return "aduan.files." + region;
}

function save(state) {
  try {
    var kept = state.items.filter(function (i) { return i.url && i.status !== "error"; }).map(function (i) {
      return { name: i.name, kind: i.kind, size: i.size, url: i.url, print: i.print, id: i.id || null };
    });
    if (kept.length) localStorage.setItem(storageKey(state.region), JSON.stringify(kept));
    else localStorage.removeItem(storageKey(state.region));
  } catch (e) { /* private mode: the list lives as long as the page */ }
}

function restore(region) {
  try {
    return (JSON.parse(localStorage.getItem(storageKey(region)) || "[]") || []).map(function (i) {
      return {
        name: String(i.name || "file"), kind: i.kind, size: +i.size || 0, url: String(i.url || ""), print: i.print,
        id: i.id ? String(i.id) : null, status: i.id ? "done" : "again", offset: 0
      };
    }).filter(function (i) { return /\/api\/v1\/uploads\/[0-9a-f]{32}$/.test(i.url); });
  } catch (e) { return []; }
}

function stateOf(region) {
  if (!regions[region]) regions[region] = { region: region, items: restore(region), list: null, opts: null };
  return regions[region];
}

/* The file's identity across a reload: name, size and date. */
function fingerprint(file) {
  return [file.name, file.size, file.lastModified || 0].join("/");
}

function b64(text) {
  return btoa(unescape(encodeURIComponent(text)));
}

/* A photo turned upright and scaled, as a JPEG without metadata, and a
 * small preview on a canvas (a canvas obeys even a strict host page CSP). */
function prepare(item) {
  var file = item.file;
  if (!/^image\//.test(file.type) || typeof createImageBitmap !== "function") return Promise.resolve(file);
  return createImageBitmap(file, { imageOrientation: "from-image" }).then(function (bitmap) {
    var scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
    var canvas = document.createElement("canvas");
    canvas.width = Math.max(1, Math.round(bitmap.width * scale));
    canvas.height = Math.max(1, Math.round(bitmap.height * scale));
    canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    var thumb = document.createElement("canvas");
    var t = 112 / Math.max(bitmap.width, bitmap.height);
    thumb.width = Math.max(1, Math.round(bitmap.width * t));
    thumb.height = Math.max(1, Math.round(bitmap.height * t));
    thumb.getContext("2d").drawImage(bitmap, 0, 0, thumb.width, thumb.height);
    thumb.setAttribute("aria-hidden", "true");
    item.thumb = thumb;
    if (bitmap.close) bitmap.close();
    return new Promise(function (resolve) {
      canvas.toBlob(function (blob) { resolve(blob || file); }, "image/jpeg", QUALITY);
    });
  }, function () { return file; });
}

function request(method, url, headers, body, item) {
  return new Promise(function (resolve, reject) {
    var xhr = new XMLHttpRequest();
    xhr.open(method, url);
    xhr.setRequestHeader("Tus-Resumable", "1.0.0");
    for (var k in headers) xhr.setRequestHeader(k, headers[k]);
    var last = Date.now();
    var watch = setInterval(function () {
      if (Date.now() - last > STALL) xhr.abort();
    }, 1000);
    if (item && xhr.upload) {
      var start = item.offset;
      xhr.upload.onprogress = function (e) { last = Date.now(); item.sent = start + e.loaded; paint(item); };
    }
    xhr.onprogress = function () { last = Date.now(); };
    xhr.onloadend = function () { clearInterval(watch); };
    xhr.onload = function () { resolve(xhr); };
    xhr.onerror = xhr.ontimeout = xhr.onabort = function () { reject(new Error("network")); };
    if (item) item.xhr = xhr;
    xhr.send(body || null);
  });
}

function refusal(xhr) {
  try { return JSON.parse(xhr.responseText).error.message; } catch (e) { return null; }
}

/* Sends what the server does not hold yet; on a dropped connection asks
 * where it stopped and goes on from there, waiting longer each time. */
function send(state, item) {
  if (item.status === "done" || item.status === "error" || item.removed || item.running) return;
  item.running = true;
  item.status = "uploading";
  paint(item);
  var endpoint = state.opts.api.replace(/\/$/, "") + "/api/v1/uploads";
  var step = item.url
    ? request("HEAD", item.url, {}).then(function (xhr) {
        if (xhr.status !== 200 && xhr.status !== 404) throw new Error("offset");
        // Gone (expired), or another file by the same name: start afresh.
        if (xhr.status === 404 || +xhr.getResponseHeader("Upload-Length") !== item.blob.size) {
          item.url = "";
          item.offset = 0;
          return;
        }
        item.offset = +xhr.getResponseHeader("Upload-Offset") || 0;
      })
    : Promise.resolve();
  step.then(function () {
    if (item.url) return null;
    return request("POST", endpoint, {
      "Upload-Length": String(item.blob.size),
      "Upload-Metadata": "filename " + b64(item.name) + ",region " + b64(state.region)
    }).then(function (xhr) {
      if (xhr.status !== 201) return xhr;
      item.url = new URL(xhr.getResponseHeader("Location"), endpoint).href;
      item.offset = 0;
      save(state);
      return null;
    });
  }).then(function (refused) {
    if (refused) return refused;
    if (item.offset >= item.blob.size && item.blob.size > 0) return { status: 204 };
    return request("PATCH", item.url, {
      "Upload-Offset": String(item.offset),
      "Content-Type": "application/offset+octet-stream"
    }, item.blob.slice(item.offset), item);
  }).then(function (xhr) {
    item.running = false;
    if (item.removed) return;
    if (xhr.status === 204) {
      item.status = "done";
      item.id = item.url.split("/").pop();
      item.tries = 0;
    } else if (xhr.status === 409 || xhr.status >= 500 || xhr.status === 429 || xhr.status === 0) {
      throw new Error("again");
    } else {
      item.status = "error";
      item.error = refusal(xhr) || words(state.opts).failed + " (" + xhr.status + ")";
    }
    save(state);
    paint(item);
    sync(state);
  }).catch(function () {
    item.running = false;
    if (item.removed) return;
    item.status = "waiting";
    paint(item);
    var wait = Math.min(30000, 1000 * Math.pow(2, item.tries || 0));
    item.tries = (item.tries || 0) + 1;
    clearTimeout(item.timer);
    item.timer = setTimeout(function () { send(state, item); }, navigator.onLine === false ? Math.max(wait, 5000) : wait);
  });
}

function paint(item) {
  var row = item.row;
  if (!row) return;
  var w = words(item.state.opts);
  var status = row.querySelector(".state");
  var bar = row.querySelector("progress");
  var total = item.blob ? item.blob.size : item.size;
  var sent = item.status === "done" ? total : Math.min(item.sent || item.offset || 0, total);
  bar.max = total || 1;
  bar.value = sent;
  bar.hidden = item.status === "done" || item.status === "error" || item.status === "again";
  var pct = total ? Math.floor((sent * 100) / total) : 0;
  var text = {
    preparing: w.preparing,
    uploading: w.uploading + " " + pct + "%",
    waiting: w.waiting + " " + pct + "%",
    done: w.done,
    again: w.again,
    error: item.error || w.failed
  }[item.status] || "";
  status.textContent = text;
  status.className = "state" + (item.status === "error" ? " bad" : "");
  bar.setAttribute("aria-valuetext", text);
}

function row(state, item) {
  var w = words(state.opts);
  var li = document.createElement("li");
  li.className = "aduan-file";
  var preview = item.thumb;
  if (!preview) {
    preview = document.createElement("span");
    preview.className = "doc";
    preview.setAttribute("aria-hidden", "true");
    preview.textContent = item.kind === "pdf" || /\.pdf$/i.test(item.name) ? "PDF" : "\u25a3";
  }
  var middle = document.createElement("div");
  var name = document.createElement("div");
  name.className = "name";
  name.textContent = item.name;
  var bar = document.createElement("progress");
  bar.setAttribute("aria-label", item.name);
  var status = document.createElement("div");
  status.className = "state";
  middle.appendChild(name);
  middle.appendChild(bar);
  middle.appendChild(status);
  var remove = document.createElement("button");
  remove.type = "button";
  remove.textContent = "\u00d7";
  remove.setAttribute("aria-label", w.remove + " " + item.name);
  remove.addEventListener("click", function () { drop(state, item); });
  li.appendChild(preview);
  li.appendChild(middle);
  li.appendChild(remove);
  item.row = li;
  item.state = state;
  paint(item);
  return li;
}

/* The form's view of the list: finished ids, and whether any is on its way. */
function sync(state) {
  var list = state.list;
  if (!list) return;
  var live = state.items.filter(function (i) { return !i.removed; });
  // 32 hex digits each, one after another: the form reads them so.
  list.setAttribute("data-ids", live.filter(function (i) { return i.status === "done" && /^[0-9a-f]{32}$/.test(i.id); }).map(function (i) { return i.id; }).join(""));
  if (live.some(function (i) { return i.status === "preparing" || i.status === "uploading" || i.status === "waiting"; })) {
    list.setAttribute("data-busy", "1");
  } else {
    list.removeAttribute("data-busy");
  }
}

function drop(state, item) {
  item.removed = true;
  clearTimeout(item.timer);
  if (item.xhr) try { item.xhr.abort(); } catch (e) { /* gone already */ }
  if (item.url) request("DELETE", item.url, {}).catch(function () { /* it expires by itself */ });
  state.items = state.items.filter(function (i) { return i !== item; });
  var next = item.row && (item.row.nextElementSibling || item.row.previousElementSibling);
  if (item.row) item.row.remove();
  save(state);
  sync(state);
  var focus = next ? next.querySelector("button") : state.list && state.list.parentNode.querySelector("input");
  if (focus) focus.focus();
}

function draw(state) {
  var list = state.list;
  while (list.firstChild) list.removeChild(list.firstChild);
  state.items.forEach(function (item) { list.appendChild(row(state, item)); });
  sync(state);
}

/* A finished upload from an earlier visit may have expired (uploads wait
 * 24 hours to be attached): asked once, and said so if it has. */
function check(state) {
  state.items.forEach(function (item) {
    if (item.status !== "done" || item.checked) return;
    item.checked = true;
    request("HEAD", item.url, {}).then(function (xhr) {
      if (xhr.status !== 404) return;
      item.status = "error";
      item.error = words(state.opts).expired;
      paint(item);
      sync(state);
    }, function () { /* offline: the server says so when it is sent */ });
  });
}

function style(list) {
  var root = list.getRootNode();
  if (!root || root.__aduanFiles) return;
  root.__aduanFiles = 1;
  try {
    var s = new CSSStyleSheet();
    s.replaceSync(CSS);
    root.adoptedStyleSheets = root.adoptedStyleSheets.concat([s]);
  } catch (e) {
    var el = document.createElement("style");
    el.textContent = CSS;
    (root.host ? root : document.head).appendChild(el);
  }
}

/* Holds the form back while a file is on its way: the complaint would go
 * without it. Runs before the form's own handler (capture, at the form). */
function guard(state, list) {
  var form = list.closest("form");
  if (!form) return;
  var note = document.createElement("p");
  note.className = "state bad";
  note.setAttribute("role", "alert");
  list.parentNode.insertBefore(note, list.nextSibling);
  form.addEventListener("submit", function (e) {
    note.textContent = "";
    if (list.hasAttribute("data-busy")) {
      e.preventDefault();
      e.stopImmediatePropagation();
      note.textContent = words(state.opts).busy;
    }
  }, true);
}

/* Hands chosen files (or none, to show what a draft holds) to the list. */
export function take(list, files, opts) {
  var state = stateOf(opts.region);
  state.opts = opts;
  if (state.list !== list) {
    state.list = list;
    style(list);
    guard(state, list);
    draw(state);
    check(state);
  }
  Array.prototype.forEach.call(files || [], function (file) {
    var print = fingerprint(file);
    if (state.items.length >= MAX_FILES && !state.items.some(function (i) { return i.print === print && i.status === "again"; })) {
      list.setAttribute("data-full", "");
      var note = list.nextSibling;
      if (note && note.getAttribute("role") === "alert") note.textContent = words(opts).many;
      return;
    }
    var earlier = state.items.filter(function (i) { return i.print === print && i.status === "again"; })[0];
    var item = earlier || { name: file.name || "file", size: file.size, kind: /pdf/.test(file.type) ? "pdf" : "", print: print, offset: 0 };
    item.file = file;
    item.status = "preparing";
    if (!earlier) {
      state.items.push(item);
      list.appendChild(row(state, item));
    }
    paint(item);
    sync(state);
    prepare(item).then(function (blob) {
      item.blob = blob;
      item.size = blob.size;
      if (item.thumb && item.row && !item.row.querySelector("canvas")) {
        item.row.replaceChild(item.thumb, item.row.firstChild);
      }
      send(state, item);
    });
  });
  state.items.forEach(function (item) { if (item.status === "waiting" && item.blob) send(state, item); });
}

/* The complaint was sent: its files belong to it now. */
export function done(region) {
  var state = stateOf(region);
  state.items = [];
  save(state);
  if (state.list) draw(state);
}

window.addEventListener("online", function () {
  Object.keys(regions).forEach(function (r) {
    regions[r].items.forEach(function (item) {
      if (item.status === "waiting" && item.blob) { clearTimeout(item.timer); send(regions[r], item); }
    });
  });
});
