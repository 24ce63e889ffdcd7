/*
 * The extension's content script, after reliability.js: starts the annotator with the settings saved
 * on the options page. API calls go through the service worker (background.js), which holds the host
 * permission for the API, so the newsroom's API need not allow every site's origin, and the key never
 * enters the page.
 *
 * Only on the sites the options list. A page can read what the badges show and plant links of its
 * choosing, so on any site the extension annotates, that site can ask the newsroom's record about any
 * post or account. The newsroom decides which sites may (its CMS, the outlets its journalists read);
 * "*" annotates every site.
 */
(function () {
  'use strict';
  // A CMS page that embeds the script annotates itself; a second set of badges would only confuse.
  if (document.querySelector('script[src*="/plugin/reliability.js"][data-api]')) {
    return;
  }

  function listed(host, sites) {
    host = host.toLowerCase();
    return sites.some(function (site) {
      if (site === '*') {
        return true;
      }
      if (site.indexOf('*.') === 0) {
        var domain = site.slice(2);
        return host === domain || host.slice(-domain.length - 1) === '.' + domain;
      }
      return host === site;
    });
  }

  chrome.storage.sync.get({ api: '', sites: [] }, function (settings) {
    if (!settings.api || !Array.isArray(settings.sites) || !listed(location.hostname, settings.sites)) {
      return; // Not configured yet, or not a site the newsroom chose: the options page says how.
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
