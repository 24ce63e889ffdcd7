/* Calls the Reliability API for the content scripts, with the reader key from the extension's storage. */
'use strict';

chrome.runtime.onMessage.addListener(function (message, sender, reply) {
  if (!message || message.type !== 'reliability-api' || typeof message.path !== 'string' || message.path.charAt(0) !== '/') {
    return false;
  }
  // Only the API's own read and register calls; a page cannot steer the key elsewhere.
  if (!/^\/v1\/(lookup|sources\/|articles$)/.test(message.path)) {
    reply({ ok: false, status: 400, body: null });
    return false;
  }
  chrome.storage.sync.get({ api: '', key: '' }, function (settings) {
    var headers = { Accept: 'application/json' };
    if (settings.key) {
      headers.Authorization = 'Bearer ' + settings.key;
    }
    if (message.body !== undefined) {
      headers['Content-Type'] = 'application/json';
    }
    fetch(settings.api.replace(/\/+$/, '') + message.path, {
      method: message.method === 'POST' ? 'POST' : 'GET',
      headers: headers,
      body: message.body === undefined ? undefined : JSON.stringify(message.body),
      credentials: 'omit',
      signal: AbortSignal.timeout(20000), // A call that never answers must not leave the page waiting for good.
    }).then(function (response) {
      return response.json().catch(function () { return null; }).then(function (json) {
        reply({ ok: response.ok, status: response.status, body: json, retryAfter: response.headers.get('Retry-After') });
      });
    }, function () {
      reply({ ok: false, status: 0, body: null });
    });
  });
  return true; // The reply comes asynchronously.
});
