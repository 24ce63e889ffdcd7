/*
 * The extension's content script, after reliability.js: starts the annotator with the settings saved
 * on the options page. API calls go through the service worker (background.js), which holds the host
 * permission for the API, so the newsroom's API need not allow every site's origin, and the key never
 * enters the page.
 */
(function () {
  'use strict';
  // A CMS page that embeds the script annotates itself; a second set of badges would only confuse.
  if (document.querySelector('script[src*="/plugin/reliability.js"][data-api]')) {
    return;
  }
  chrome.storage.sync.get({ api: '' }, function (settings) {
    if (!settings.api) {
      return; // Not configured yet: the options page says how.
    }
    globalThis.ReliabilityAnnotator.start({
      api: settings.api,
      request: function (method, path, body) {
        return chrome.runtime.sendMessage({ type: 'reliability-api', method: method, path: path, body: body })
          .then(function (result) { return result || { ok: false, status: 0, body: null }; },
            function () { return { ok: false, status: 0, body: null }; });
      },
    });
  });
})();
