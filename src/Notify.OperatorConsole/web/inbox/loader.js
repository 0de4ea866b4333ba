// The stable loader of <notify-inbox> (served at /api/v1/inbox/element.js, revalidated on every load): it adds the
// element's bundle, whose name carries its content hash (cached for a year), from beside itself. A classic script,
// so one <script src> tag loads it from any origin; build.mjs writes the bundle's name into it.
(function () {
  if (window.customElements && window.customElements.get('notify-inbox')) return;
  var current = document.currentScript;
  var found = current && current.src ? current : document.querySelector('script[src*="/api/v1/inbox/element.js"]');
  var script = document.createElement('script');
  script.src = new URL('element/__BUNDLE__', found ? found.src : location.href).href;
  if (current && current.nonce) script.nonce = current.nonce;
  (document.head || document.documentElement).appendChild(script);
})();
