/*
 * Options page: the API base URL, the reader key and the sites to annotate, kept in chrome.storage;
 * asks for the API's host permission on save.
 */
(function () {
  'use strict';
  var form = document.getElementById('options');
  var status = document.getElementById('status');
  var storage = globalThis.chrome && chrome.storage ? chrome.storage.sync : null;

  if (!storage) {
    status.textContent = 'Open this page from the extension to save settings.';
    return;
  }

  storage.get({ api: '', key: '', sites: [] }, function (settings) {
    form.api.value = settings.api;
    form.key.value = settings.key;
    form.sites.value = settings.sites.join('\n');
  });

  // A host as the address bar shows it (no scheme, path or port), "*.host" for it and its subdomains, or "*".
  var SITE = /^(\*|(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*)$/;

  function sites(text) {
    var lines = text.split(/\s+/).map(function (line) { return line.trim().toLowerCase(); }).filter(Boolean);
    var wrong = lines.filter(function (line) { return !SITE.test(line); });
    return wrong.length ? { wrong: wrong } : { sites: lines.filter(function (line, i) { return lines.indexOf(line) === i; }) };
  }

  form.addEventListener('submit', function (event) {
    event.preventDefault();
    var api;
    try {
      api = new URL(form.api.value.trim());
    } catch (e) {
      status.textContent = 'Not a URL.';
      return;
    }
    var listed = sites(form.sites.value);
    if (listed.wrong) {
      status.textContent = 'Not a site: ' + listed.wrong.join(', ') + ' (a host such as cms.example.org, *.example.org or *).';
      return;
    }
    var origin = api.origin + '/*';
    // The permission request needs this click; without it the service worker cannot reach the API.
    chrome.permissions.request({ origins: [origin] }, function (granted) {
      if (!granted) {
        status.textContent = 'The extension needs permission to reach ' + api.origin + '.';
        return;
      }
      storage.set({ api: api.href.replace(/\/+$/, ''), key: form.key.value.trim(), sites: listed.sites }, function () {
        status.textContent = 'Saved.';
      });
    });
  });
})();
