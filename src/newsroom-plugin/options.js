/* Options page: the API base URL and reader key, kept in chrome.storage; asks for the API's host permission on save. */
(function () {
  'use strict';
  var form = document.getElementById('options');
  var status = document.getElementById('status');
  var storage = globalThis.chrome && chrome.storage ? chrome.storage.sync : null;

  if (!storage) {
    status.textContent = 'Open this page from the extension to save settings.';
    return;
  }

  storage.get({ api: '', key: '' }, function (settings) {
    form.api.value = settings.api;
    form.key.value = settings.key;
  });

  form.addEventListener('submit', function (event) {
    event.preventDefault();
    var api;
    try {
      api = new URL(form.api.value.trim());
    } catch (e) {
      status.textContent = 'Not a URL.';
      return;
    }
    var origin = api.origin + '/*';
    // The permission request needs this click; without it the service worker cannot reach the API.
    chrome.permissions.request({ origins: [origin] }, function (granted) {
      if (!granted) {
        status.textContent = 'The extension needs permission to reach ' + api.origin + '.';
        return;
      }
      storage.set({ api: api.href.replace(/\/+$/, ''), key: form.key.value.trim() }, function () {
        status.textContent = 'Saved.';
      });
    });
  });
})();
