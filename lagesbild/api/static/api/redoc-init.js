// Starts Redoc without an inline script (CSP): the schema's address and the page's style nonce
// come from data attributes; Redoc gives the nonce to the <style> elements it writes. Search is off:
// it runs in a worker made from a blob: address, which the policy does not allow.
(function () {
  // Redoc's one address outside the app is its "API docs by Redocly" logo: never ask for it.
  function outside(value) {
    return new URL(String(value), location.href).origin !== location.origin;
  }
  var src = Object.getOwnPropertyDescriptor(HTMLImageElement.prototype, "src");
  Object.defineProperty(HTMLImageElement.prototype, "src", {
    get: src.get,
    set: function (value) { if (!outside(value)) src.set.call(this, value); },
    configurable: true,
  });
  var setAttribute = Element.prototype.setAttribute;
  Element.prototype.setAttribute = function (name, value) {
    if (this instanceof HTMLImageElement && String(name).toLowerCase() === "src" && outside(value)) return undefined;
    return setAttribute.call(this, name, value);
  };
  var el = document.getElementById("redoc");
  Redoc.init(el.dataset.specUrl, { nonce: el.dataset.nonce, disableSearch: true }, el);
})();
