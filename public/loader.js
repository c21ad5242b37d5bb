/*
 * The Aduan loader: what a webmaster's one script tag runs.
 *
 *   <a href="https://HOST/r/badung" data-aduan-open>Sampaikan pengaduan</a>
 *   <script src="https://HOST/widget.js" data-region="badung" async></script>
 *
 * It is small and loads nothing else until a citizen shows intent (hover,
 * focus, touch or click on a launcher) or, for inline mounts, until the page
 * is idle. It adds one global, `window.Aduan`, throws nothing into the host
 * page, runs safely twice, and `Aduan.destroy()` leaves no node or listener.
 * Where script, wasm or the host's CSP stand in the way, the launcher stays
 * a plain link to the hosted form.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !script.src) return;
  var win = window;
  var doc = document;
  var GLUE = "__ADUAN_GLUE__";
  var WASM = "__ADUAN_WASM__";
  var SLOTS = "__ADUAN_SLOTS__";
  var STATS = "__ADUAN_STATS__";
  // The widget's words, one file a language: WORD_FILES + lang + ".txt"
  // holds the widget's WIDGET_WORDS lines, then the slots' (the file
  // choosers' four). WORDS are the loader's own, in every language.
  var WORD_FILES = "__ADUAN_WORD_FILES__";
  var WIDGET_WORDS = __ADUAN_WIDGET_WORDS__;
  var WORDS = __ADUAN_WORDS__;
  // The bundle's version (the wasm file's hash), told to the server with
  // the site's settings request: its heartbeat.
  var VERSION = WASM.split(".")[1];

  function report(error) {
    if (win.console && win.console.error) win.console.error("Aduan:", error);
  }

  function sheet(shadow, css) {
    try {
      var s = new CSSStyleSheet();
      s.replaceSync(css);
      shadow.adoptedStyleSheets = shadow.adoptedStyleSheets.concat([s]);
    } catch (e) {
      var style = doc.createElement("style");
      style.textContent = css;
      shadow.appendChild(style);
    }
  }

  var LAUNCHER_CSS =
    ":host{all:initial !important;position:fixed !important;z-index:2147483000 !important;bottom:16px !important}" +
    ":host([data-position=left]){left:16px !important}:host(:not([data-position=left])){right:16px !important}" +
    "button{font:600 16px/1.2 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;min-height:48px;min-width:48px;padding:12px 20px;" +
    "border:0;border-radius:24px;box-shadow:0 2px 8px rgba(0,0,0,.3);cursor:pointer;background:var(--aduan-accent,#0b5cad);color:var(--aduan-on-accent,#fff)}" +
    "button:focus-visible{outline:3px solid #1b1f24;outline-offset:3px}";

  // The same rule as the widget's own stylesheet, in place before it loads.
  var HOST_CSS =
    ":host{all:initial !important;display:block !important;height:var(--aduan-host-height,auto) !important;" +
    "overflow:var(--aduan-host-overflow,visible) !important}";

  var PANEL_CSS =
    ":host{all:initial !important;position:fixed !important;inset:0 !important;z-index:2147483001 !important;display:block !important}" +
    ":host([hidden]){display:none !important}" +
    ".backdrop{position:absolute;inset:0;background:rgba(0,0,0,.45)}" +
    ".dialog{position:absolute;right:0;bottom:0;top:0;width:100%;max-width:440px;background:var(--aduan-bg,#fff);color:var(--aduan-fg,#1b1f24);" +
    "display:flex;flex-direction:column;box-shadow:-2px 0 12px rgba(0,0,0,.3);font:16px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif}" +
    ".bar{display:flex;justify-content:flex-end;padding:4px}" +
    ".close{font:inherit;font-size:24px;min-width:44px;min-height:44px;border:0;background:transparent;color:inherit;cursor:pointer}" +
    ".close:focus-visible{outline:3px solid var(--aduan-accent,#0b5cad)}" +
    ".content{flex:1;overflow:auto;padding:0 16px 16px}" +
    ".loading{padding:16px}" +
    "@media (prefers-color-scheme:dark){:host(:not([data-theme=light])) .dialog{background:#161b22;color:#e6edf3}}" +
    ":host([data-theme=dark]) .dialog{background:#161b22;color:#e6edf3}";

  function relativeLuminance(hex) {
    var n = parseInt(hex.slice(1), 16);
    var rgb = [(n >> 16) & 255, (n >> 8) & 255, n & 255].map(function (c) {
      c = c / 255;
      return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2];
  }

  // Only #rgb or #rrggbb reach CSS; anything else keeps the default colour.
  function accentOf(value) {
    if (!/^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/.test(value || "")) return null;
    if (value.length === 4) value = "#" + value[1] + value[1] + value[2] + value[2] + value[3] + value[3];
    var l = relativeLuminance(value);
    // Pick the text colour with the higher contrast ratio on the accent.
    var onAccent = (l + 0.05) / 0.05 > 1.05 / (l + 0.05) ? "#000000" : "#ffffff";
    return { accent: value, onAccent: onAccent };
  }

  // One of the widget's languages: Indonesian unless another is asked for.
  function langOf(value) {
    var key = String(value || "").toLowerCase().split("-")[0];
    return WORDS.hasOwnProperty(key) ? key : "id";
  }

  // A site's settings (from the server, or remembered from the last visit)
  // under the tag's attribute names: the tag's own attributes win.
  function configOf(el, base, site) {
    var d = Object.assign({}, site, el.dataset);
    var inline = d.mode === "inline" || (!!d.target && d.mode !== "floating");
    return {
      tag: el,
      site: /^[0-9a-f]{16}$/.test(d.site) ? d.site : "",
      radius: /^\d{1,2}px$/.test(d.radius) ? d.radius : "",
      region: d.region || "",
      lang: langOf(d.lang),
      accent: accentOf(d.accent),
      theme: d.theme === "dark" || d.theme === "light" ? d.theme : "auto",
      mode: inline ? "inline" : "floating",
      target: d.target || "",
      position: d.position === "left" ? "left" : "right",
      launcher: d.launcher || "",
      view: d.view === "track" || d.view === "stats" ? d.view : "file",
      height: /^\d{2,4}px$/.test(d.height || "") || d.height === "auto" ? d.height : "720px",
      api: d.api || new URL(base).origin,
      base: base
    };
  }

  function colours(host, cfg) {
    if (cfg.radius) host.style.setProperty("--aduan-radius", cfg.radius);
    if (cfg.accent) {
      host.style.setProperty("--aduan-accent", cfg.accent.accent);
      host.style.setProperty("--aduan-on-accent", cfg.accent.onAccent);
    }
    host.setAttribute("data-theme", cfg.theme);
  }

  function create() {
    var listeners = {};
    var undo = [];
    var mounts = [];
    var panel = null;
    var floating = null;
    var loading = null;
    var base = null;
    var locale = null;
    var sites = {};
    var siteKey = "";
    var reported = {};

    function remembered(key) {
      try { return JSON.parse(win.localStorage.getItem("aduan.site." + key)); } catch (e) { return null; }
    }

    // The site's settings, fetched once with the bundle on intent.
    function siteOf(cfg) {
      var key = cfg.site;
      if (!key) return Promise.resolve(null);
      if (!sites[key]) {
        sites[key] = fetch(new URL("/api/v1/sites/" + key + "?v=" + VERSION, cfg.api).href).then(function (r) {
          if (!r.ok) throw new Error("site " + key + ": HTTP " + r.status);
          return r.json();
        }).then(function (s) {
          try { win.localStorage.setItem("aduan.site." + key, JSON.stringify(s)); } catch (e) { /* no storage */ }
          return s;
        });
        sites[key].catch(function () { delete sites[key]; });
      }
      return sites[key];
    }

    // The floating launcher in the site's look, once its settings are in.
    function restyle(cfg) {
      if (floating) {
        colours(floating, cfg);
        floating.setAttribute("data-position", cfg.position);
        floating.shadowRoot.querySelector("button").textContent = words(cfg);
      }
    }

    function words(cfg) {
      return cfg.launcher || WORDS[cfg.lang].launcher;
    }

    // The page's policy blocked part of the widget: told to the site's page
    // in the console, by beacon and by image (whichever the policy lets
    // through), once per directive and origin.
    function violated(e) {
      var site = siteKey;
      var origin = base && new URL(base).origin;
      var b = e.blockedURI || "";
      var ours = b.indexOf(origin) === 0 || (e.sourceFile || "").indexOf(origin) === 0;
      if (!site || !ours) return;
      b = /^https?:/.test(b) ? new URL(b).origin : b;
      var d = e.effectiveDirective || e.violatedDirective;
      if (reported[d + b]) return;
      reported[d + b] = 1;
      var url = origin + "/api/v1/sites/" + site + "/csp?d=" + encodeURIComponent(d) + "&b=" + encodeURIComponent(b);
      try { navigator.sendBeacon(url); } catch (x) { /* blocked */ }
      new Image().src = url;
    }

    function emit(name, detail) {
      (listeners[name] || []).slice().forEach(function (fn) {
        try { fn(detail); } catch (e) { report(e); }
      });
      try { win.dispatchEvent(new CustomEvent("aduan:" + name, { detail: detail })); } catch (e) { report(e); }
    }

    function listen(target, type, fn, options) {
      target.addEventListener(type, fn, options);
      undo.push(function () { target.removeEventListener(type, fn, options); });
    }

    // The widget's words in one language, fetched once: a promise of its
    // lines; the slots' words are kept aside in `slotWords`.
    var wordsOf = {};
    var slotWords = {};
    function fetchWords(lang) {
      lang = langOf(lang);
      if (!wordsOf[lang]) {
        wordsOf[lang] = fetch(new URL(WORD_FILES + lang + ".txt", base).href).then(function (r) {
          if (!r.ok) throw new Error("words " + lang + ": HTTP " + r.status);
          return r.text();
        }).then(function (text) {
          var lines = text.split("\n");
          slotWords[lang] = lines.slice(WIDGET_WORDS);
          return lines.slice(0, WIDGET_WORDS).join("\n");
        });
        wordsOf[lang].catch(function () { delete wordsOf[lang]; });
      }
      return wordsOf[lang];
    }

    function load() {
      if (!loading) {
        if (typeof WebAssembly !== "object" || !base) return Promise.reject(new Error("WebAssembly is not available"));
        // The wasm is asked for with the glue, not after it: one round
        // trip less (the glue's init takes the response on its way).
        var wasm = fetch(new URL(WASM, base));
        loading = import(new URL(GLUE, base).href).then(function (glue) {
          return glue.default({ module_or_path: wasm }).then(function () { return glue; });
        });
        loading.catch(function (e) {
          loading = null;
          emit("error", { message: String(e && e.message || e) });
        });
      }
      return loading;
    }

    // The form's slots around the wasm (photos and documents, the rating),
    // loaded with it.
    var slotting = null;
    function slots() {
      if (!slotting) {
        slotting = import(new URL(SLOTS, base).href);
        slotting.catch(function () { slotting = null; });
      }
      return slotting;
    }

    function mountInto(content, shadow, cfg, host) {
      // The public record needs no wasm: a small module with the glue's shape.
      var stats = cfg.view === "stats";
      // The words of the language known now come with the wasm; when the
      // site's settings name another, those are fetched once they are in.
      var guess = locale || cfg.lang, region = cfg.region;
      // The region's form comes with the bundle, not after it: one round
      // trip less (the widget fetches it itself when this fails).
      var at = "/api/v1/regions/" + encodeURIComponent(region);
      // The widget's stylesheet and, to file, the form for the first
      // moments, typed into before the wasm is in: one small module, asked first; the bundle is asked once it is in,
      // or 30 ms later at the most, so its few KB are not shared out with
      // the wasm's ninety on a slow link.
      var first = region && !stats && import(new URL(at + "/early.js?v=" + VERSION + "&lang=" + guess, cfg.api).href).then(function (m) { m.show(content, region, cfg.view); }).catch(report);
      return Promise.race([first, new Promise(function (go) { setTimeout(go, 30); })]).then(function () {
        var form = stats || !region ? "" : fetch(new URL(at + "/form", cfg.api).href, {
          headers: { "Accept-Language": guess }
        }).then(function (r) { return r.ok ? r.text() : ""; }, function () { return ""; });
        return Promise.all([
          stats ? import(new URL(STATS, base).href) : load(),
          siteOf(cfg),
          stats ? "" : fetchWords(guess),
          stats ? null : slots(),
          form
        ]);
      }).then(function (got) {
        if (got[1]) {
          cfg = Object.assign(configOf(cfg.tag, base, got[1]), { view: cfg.view });
          colours(host, cfg);
          restyle(cfg);
        }
        var lang = locale || cfg.lang;
        // Another region or language from the site's settings: the widget
        // fetches its own form.
        var ready = cfg.region === region && lang === guess ? got[4] : "";
        if (stats || lang === guess) return [got[0], lang, got[2], got[3], ready];
        return fetchWords(lang).then(function (lines) { return [got[0], lang, lines, got[3], ready]; });
      }).then(function (got) {
        var glue = got[0];
        var slot = got[3];
        if (slot) {
          undo.push(slot.watch(content, {
            region: cfg.region, api: cfg.api, base: base, lang: got[1], report: report,
            words: function (lang) { return slotWords[lang]; }
          }));
        }
        var handle = glue.mount(content, shadow, {
          region: cfg.region, lang: got[1], words: got[2], form: got[4], api: cfg.api, view: cfg.view,
          emit: function (name, detail) {
            if (name === "submitted" && slot) slot.submitted(cfg.region, report);
            // A language chosen on the form whose words are not in yet.
            if (name === "language") {
              fetchWords(detail.lang).then(function (lines) { glue.set_locale(handle, detail.lang, lines); }, report);
            }
            emit(name, detail);
          }
        });
        mounts.push({ glue: glue, handle: handle, words: !stats });
        emit("ready", { mode: cfg.mode });
        return handle;
      });
    }

    function buildPanel(cfg) {
      var host = doc.createElement("aduan-panel");
      host.hidden = true;
      colours(host, cfg);
      var shadow = host.attachShadow({ mode: "open" });
      sheet(shadow, PANEL_CSS);
      var backdrop = doc.createElement("div");
      backdrop.className = "backdrop";
      var dialog = doc.createElement("div");
      dialog.className = "dialog";
      dialog.setAttribute("role", "dialog");
      dialog.setAttribute("aria-modal", "true");
      var w = WORDS[cfg.lang];
      dialog.setAttribute("aria-label", w.dialog);
      var bar = doc.createElement("div");
      bar.className = "bar";
      var close = doc.createElement("button");
      close.className = "close";
      close.type = "button";
      close.setAttribute("aria-label", w.close);
      close.textContent = "\u00d7";
      var content = doc.createElement("div");
      content.className = "content";
      var wait = doc.createElement("p");
      wait.className = "loading";
      wait.setAttribute("role", "status");
      wait.textContent = w.loading;
      content.appendChild(wait);
      bar.appendChild(close);
      dialog.appendChild(bar);
      dialog.appendChild(content);
      shadow.appendChild(backdrop);
      shadow.appendChild(dialog);
      doc.body.appendChild(host);
      undo.push(function () { host.remove(); });
      backdrop.addEventListener("click", function () { api.close(); });
      close.addEventListener("click", function () { api.close(); });
      shadow.addEventListener("keydown", function (e) {
        if (e.key === "Escape") { e.stopPropagation(); api.close(); return; }
        if (e.key !== "Tab") return;
        // Keep keyboard focus inside the open dialog.
        var items = Array.prototype.filter.call(
          dialog.querySelectorAll("button, [href], input, select, textarea"),
          function (el) { return !el.disabled && el.getClientRects().length > 0; }
        );
        if (!items.length) return;
        var first = items[0], last = items[items.length - 1], now = shadow.activeElement;
        if (e.shiftKey && now === first) { e.preventDefault(); last.focus(); }
        else if (!e.shiftKey && now === last) { e.preventDefault(); first.focus(); }
      });
      panel = { host: host, shadow: shadow, content: content, wait: wait, close: close, cfg: cfg, opener: null, mounted: null };
      return panel;
    }

    var api = {
      version: 1,
      open: function (options) {
        if (!panel) return false;
        var p = panel;
        p.opener = (options && options.opener) || doc.activeElement;
        p.host.hidden = false;
        if (!p.mounted) {
          p.mounted = mountInto(p.content, p.shadow, options && options.view ? Object.assign({}, p.cfg, { view: options.view }) : p.cfg, p.host)
            .then(function (handle) {
              p.wait.remove();
              return handle;
            }, function (e) {
              p.mounted = null;
              p.wait.textContent = WORDS[p.cfg.lang].fallback;
              // A form typed into already posts itself to the hosted page.
              if (!p.content.querySelector("[data-aduan-early]")) win.location.href = new URL(p.cfg.region ? "/r/" + encodeURIComponent(p.cfg.region) : "/s/" + p.cfg.site, p.cfg.api).href;
              throw e;
            });
        }
        // After the first request is on its way: focusing lays the panel out.
        p.close.focus();
        emit("open", {});
        return true;
      },
      close: function () {
        if (!panel || panel.host.hidden) return;
        panel.host.hidden = true;
        var back = panel.opener;
        if (back && back.focus) back.focus();
        emit("close", {});
      },
      on: function (name, fn) {
        (listeners[name] = listeners[name] || []).push(fn);
        return function () {
          var list = listeners[name] || [];
          var i = list.indexOf(fn);
          if (i >= 0) list.splice(i, 1);
        };
      },
      setLocale: function (lang) {
        var wanted = locale = langOf(lang);
        mounts.forEach(function (m) {
          if (!m.words) { try { m.glue.set_locale(m.handle, wanted); } catch (e) { report(e); } return; }
          fetchWords(wanted).then(function (lines) {
            if (locale === wanted) m.glue.set_locale(m.handle, wanted, lines);
          }).catch(report);
        });
      },
      destroy: function () {
        mounts.forEach(function (m) { try { m.glue.unmount(m.handle); } catch (e) { report(e); } });
        mounts = [];
        undo.splice(0).reverse().forEach(function (fn) { try { fn(); } catch (e) { report(e); } });
        listeners = {};
        panel = null;
        floating = null;
        if (win.Aduan === api) delete win.Aduan;
      },
      _add: function (tag) {
        if (tag.hasAttribute("data-aduan-seen")) return;
        tag.setAttribute("data-aduan-seen", "");
        undo.push(function () { tag.removeAttribute("data-aduan-seen"); });
        if (!base) listen(doc, "securitypolicyviolation", violated);
        base = base || tag.src;
        var cfg = configOf(tag, tag.src, remembered(tag.dataset.site));
        siteKey = siteKey || cfg.site;
        if (cfg.mode === "inline") {
          var target = cfg.target ? doc.querySelector(cfg.target) : null;
          if (cfg.target && !target) return;
          if (target && target.querySelector("aduan-widget")) return;
          var host = doc.createElement("aduan-widget");
          colours(host, cfg);
          if (target) target.appendChild(host); else tag.parentNode.insertBefore(host, tag.nextSibling);
          undo.push(function () { host.remove(); });
          var shadow = host.attachShadow({ mode: "open" });
          // The box is sized before anything loads, so the page around it
          // does not move when the form arrives; data-height="auto" lets it grow.
          if (cfg.height !== "auto") {
            host.style.setProperty("--aduan-host-height", cfg.height);
            host.style.setProperty("--aduan-host-overflow", "auto");
          }
          sheet(shadow, HOST_CSS);
          var content = doc.createElement("div");
          shadow.appendChild(content);
          var start = function () { mountInto(content, shadow, cfg, host).catch(report); };
          if (win.requestIdleCallback) win.requestIdleCallback(start, { timeout: 2000 }); else setTimeout(start, 200);
          return;
        }
        if (panel) return;
        buildPanel(cfg);
        var intent = function () {
          load().catch(function () {});
          slots().catch(function () {});
          siteOf(cfg).then(function (s) { if (s) restyle(configOf(tag, base, s)); }, function () {});
        };
        var openers = Array.prototype.slice.call(doc.querySelectorAll("[data-aduan-open]"));
        if (!openers.length || cfg.launcher) {
          var button = doc.createElement("aduan-launcher");
          button.setAttribute("data-position", cfg.position);
          colours(button, cfg);
          var bshadow = button.attachShadow({ mode: "open" });
          sheet(bshadow, LAUNCHER_CSS);
          var b = doc.createElement("button");
          b.type = "button";
          b.textContent = words(cfg);
          bshadow.appendChild(b);
          doc.body.appendChild(button);
          undo.push(function () { button.remove(); });
          openers.push(button);
          floating = button;
        }
        openers.forEach(function (el) {
          listen(el, "pointerenter", intent, { passive: true });
          listen(el, "focus", intent);
          listen(el, "touchstart", intent, { passive: true });
          listen(el, "click", function (e) {
            if (typeof WebAssembly !== "object") return;
            e.preventDefault();
            api.open({ opener: el });
          });
        });
      }
    };
    return api;
  }

  try {
    var A = win.Aduan;
    if (!A || !A._add) A = win.Aduan = create();
    A._add(script);
  } catch (e) {
    report(e);
  }
})();
