// The Aduan loader. It runs inside the same function as the wasm-bindgen
// glue, so `wasm_bindgen` is private to this script and nothing but
// `window.Aduan` is added to the host page.
var script = document.currentScript;
var Aduan = window.Aduan || (window.Aduan = {});
if (script && script.parentNode) {
  var data = script.dataset;
  var origin = new URL(script.src, location.href).origin;
  if (!Aduan._ready) {
    // One wasm instance per page, however many tags load this script.
    Aduan._ready = wasm_bindgen({ module_or_path: new URL("__ADUAN_WASM__", script.src) })
      .then(function () { return wasm_bindgen; });
  }
  var host = document.createElement("aduan-widget");
  var target = data.target && document.querySelector(data.target);
  if (target) {
    target.appendChild(host);
  } else {
    script.parentNode.insertBefore(host, script.nextSibling);
  }
  Aduan._ready
    .then(function (widget) { widget.mount(host, data.api || origin, data.lang || "id"); })
    .catch(function (error) {
      if (window.console) window.console.error("Aduan widget could not start:", error);
    });
}
