/*
 * Reliability newsroom annotator: track records and correction warnings beside every cited source.
 *
 * One file, no build step, no dependencies. Two ways in:
 *  - a page embeds it: <script src=".../plugin/reliability.js" data-api="<API base URL>" data-key="<reader key>"></script>
 *  - the browser extension loads it as a content script, then extension-start.js calls
 *    ReliabilityAnnotator.start({ api, key, request }) with the settings kept in chrome.storage.
 *
 * Everything it draws lives in shadow roots attached to <span> hosts it inserts, so the page's CSS and
 * scripts neither break it nor are broken by it. API data only ever reaches the DOM as textContent.
 */
(function () {
  'use strict';

  if (globalThis.ReliabilityAnnotator) {
    return; // Loaded twice (a CMS preview inside its editor): the first copy already runs.
  }

  var HOST_ATTR = 'data-reliability-host';
  var MAX_ITEMS = 200;
  var DEBOUNCE_MS = 600;
  var RETRY_FIRST_MS = 2000;
  var RETRY_MAX_MS = 5 * 60 * 1000;
  // The API refuses a lookup naming a longer URL, and with it every other URL of the request.
  var MAX_URL_LENGTH = 2000;
  // A call that never answers would otherwise leave the page waiting on it for good.
  var REQUEST_TIMEOUT_MS = 20000;

  var BAND_COLOURS = {
    reliable: { bg: '#1b7f3b', fg: '#ffffff' },
    mixed: { bg: '#b7791f', fg: '#ffffff' },
    unreliable: { bg: '#b42318', fg: '#ffffff' },
    'insufficient-record': { bg: '#5f6b7a', fg: '#ffffff' },
  };

  var STATUS_WORDS = {
    deleted: 'deleted',
    reversed: 'reversed',
    retracted: 'retracted',
    superseded: 'later said otherwise',
    refuted: 'refuted',
    confirmed: 'confirmed',
    open: 'unresolved',
  };

  // Hosts whose path holds the poster's handle and a post id. Other links are outlets (or nothing).
  var POST_PATTERNS = [
    { hosts: ['x.com', 'twitter.com', 'mobile.twitter.com', 'mobile.x.com'], path: /^\/[A-Za-z0-9_]{1,15}\/status(es)?\/\d+/ },
    { hosts: ['t.me'], path: /^\/(s\/)?[A-Za-z0-9_]{4,}\/\d+/ },
    { hosts: ['facebook.com', 'm.facebook.com'], path: /^\/[^/]+\/(posts|videos)\/|^\/permalink\.php|^\/watch/ },
    { hosts: ['instagram.com'], path: /^\/(p|reel)\/[^/]+/ },
    { hosts: ['youtube.com', 'm.youtube.com'], path: /^\/(watch|shorts\/)/ },
    { hosts: ['youtu.be'], path: /^\/[^/]+/ },
    { hosts: ['tiktok.com'], path: /^\/@[^/]+\/video\/\d+/ },
  ];

  // Embeds as the platforms publish them, before (or without) their widget scripts running.
  var EMBED_SELECTOR = [
    'blockquote.twitter-tweet',
    'blockquote.twitter-video',
    'blockquote.instagram-media',
    'blockquote.tiktok-embed',
    'div.fb-post',
    'iframe[src*="youtube.com/embed/"]',
    'script[data-telegram-post]',
  ].join(',');

  function hostOf(url) {
    return url.hostname.toLowerCase().replace(/^www\./, '');
  }

  function parseUrl(href) {
    try {
      var url = new URL(href, document.baseURI);
      return url.protocol === 'http:' || url.protocol === 'https:' ? url : null;
    } catch (e) {
      return null;
    }
  }

  function isPostUrl(url) {
    var host = hostOf(url);
    return POST_PATTERNS.some(function (p) { return p.hosts.indexOf(host) >= 0 && p.path.test(url.pathname); });
  }

  function isPlatformHost(url) {
    var host = hostOf(url);
    return host === 't.co' || host === 'pic.twitter.com' || POST_PATTERNS.some(function (p) { return p.hosts.indexOf(host) >= 0; });
  }

  /** The post URL an embed stands for: its permalink attribute, or its last link to a post. */
  function embedUrl(embed) {
    var direct = embed.getAttribute('data-instgrm-permalink') || embed.getAttribute('cite') || embed.getAttribute('data-href');
    if (embed.hasAttribute('data-telegram-post')) {
      direct = 'https://t.me/' + embed.getAttribute('data-telegram-post');
    }
    if (embed.tagName === 'IFRAME') {
      var match = /\/embed\/([A-Za-z0-9_-]+)/.exec(embed.getAttribute('src') || '');
      direct = match ? 'https://www.youtube.com/watch?v=' + match[1] : null;
    }
    var parsed = direct && parseUrl(direct);
    if (parsed) {
      return parsed.href;
    }
    var links = embed.querySelectorAll('a[href]');
    for (var i = links.length - 1; i >= 0; i--) {
      var url = parseUrl(links[i].getAttribute('href'));
      if (url && isPostUrl(url)) {
        return url.href;
      }
    }
    return null;
  }

  function insideOwnUi(node) {
    for (var n = node; n; n = n.parentNode) {
      if (n.nodeType === 1 && n.hasAttribute(HOST_ATTR)) {
        return true;
      }
    }
    return false;
  }

  /** A mutation that only adds or removes this script's own hosts: the page did not change. */
  function onlyOwnHosts(mutation) {
    if (mutation.type !== 'childList') {
      return false;
    }
    var nodes = Array.prototype.slice.call(mutation.addedNodes).concat(Array.prototype.slice.call(mutation.removedNodes));
    return nodes.length > 0 && nodes.every(function (n) { return n.nodeType === 1 && n.hasAttribute(HOST_ATTR); });
  }

  /** Every citation on the page: {element, url, anchor} where the badge goes after anchor. */
  function findCitations(root) {
    var citations = [];
    var pageHost = hostOf(new URL(document.baseURI));
    var embeds = Array.prototype.slice.call(root.querySelectorAll(EMBED_SELECTOR));
    embeds.forEach(function (embed) {
      var url = embedUrl(embed);
      if (url && url.length <= MAX_URL_LENGTH) {
        citations.push({ element: embed, url: url });
      }
    });
    root.querySelectorAll('a[href]').forEach(function (link) {
      if (insideOwnUi(link) || embeds.some(function (e) { return e.contains(link); })) {
        return;
      }
      var url = parseUrl(link.getAttribute('href'));
      if (!url || hostOf(url) === pageHost) {
        return;
      }
      if (url.href.length <= MAX_URL_LENGTH && (isPostUrl(url) || !isPlatformHost(url))) {
        citations.push({ element: link, url: url.href });
      }
    });
    return citations.slice(0, MAX_ITEMS);
  }

  /**
   * The article's publication time as the page declares it: {at, day}, `at` for the API (UTC),
   * `day` as the page wrote it (a story published at 00:30+02:00 is of that day, not the one before);
   * or null.
   */
  function publicationTime() {
    var meta = document.querySelector('meta[property="article:published_time"], meta[name="article:published_time"]');
    var text = meta ? meta.getAttribute('content') : null;
    if (!text) {
      var time = document.querySelector('article time[datetime], time[datetime]');
      text = time ? time.getAttribute('datetime') : null;
    }
    if (!text) {
      return null;
    }
    var date = new Date(text);
    if (isNaN(date.getTime())) {
      return null;
    }
    var at = date.toISOString();
    var declaredDay = /^\s*(\d{4}-\d{2}-\d{2})/.exec(text);
    return { at: at, day: declaredDay ? declaredDay[1] : at.slice(0, 10) };
  }

  function percent(x) {
    return Math.round(x * 100);
  }

  function scoreText(score) {
    if (!score || score.band === 'insufficient-record') {
      return 'insufficient record';
    }
    return percent(score.score) + '% (' + percent(score.lower) + '\u2013' + percent(score.upper) + ') ' + score.grade;
  }

  function statusText(item) {
    var status = item.claimStatus;
    if (!status || !STATUS_WORDS[status]) {
      return null;
    }
    if (status === 'open') {
      // Contested: other sources say otherwise; otherwise the estimate rests on the record of this
      // side's sources. With no other source on it at all, that record is this source's own, which
      // the badge shows already: a percentage would read like corroboration that nobody gave.
      var estimate = (item.claims || []).filter(function (c) { return c.status === 'open' && c.provisionalProbability != null; })[0];
      if (estimate && estimate.uncorroborated) {
        return STATUS_WORDS.open + ', only this source says so';
      }
      var word = estimate && estimate.contested ? 'contested' : STATUS_WORDS.open;
      return estimate ? word + ', ' + percent(estimate.provisionalProbability) + '% likely' : word;
    }
    return STATUS_WORDS[status];
  }

  /**
   * What the source says now, where it says it: the correction of a reversal, else the later claim of
   * another option that superseded this one without a word about it.
   */
  function replacementOf(item) {
    var claims = item.claims || [];
    function first(field, text, label) {
      for (var i = 0; i < claims.length; i++) {
        var later = claims[i][field];
        var url = later && parseUrl(later.url);
        if (url) {
          return { url: url.href, option: later.option, text: text, label: label };
        }
      }
      return null;
    }
    return first('replacement', 'see the correction', 'The source\u2019s correction: ')
      || first('supersededBy', 'see what it said later', 'What the source said later: ');
  }

  /** Bands from the gravest down: the topic or region a badge names is the one the journalist most needs to hear of. */
  var BAND_GRAVITY = ['unreliable', 'mixed', 'reliable'];

  /**
   * Where a post's topic or region is one the source's record there says otherwise than its overall
   * band (an army right overall and wrong on casualty figures, or in Kidal), the gravest such tag, a
   * topic before a region, to name beside the badge; null where every topic and region of the post
   * agrees with the overall band or has too little record.
   */
  function tagWord(item, score) {
    if (!score.band || score.band === 'insufficient-record') {
      return null;
    }
    var differing = [];
    (item.claims || []).forEach(function (c) {
      [[c.topics, 'on '], [c.regions, 'in ']].forEach(function (kind) {
        (kind[0] || []).forEach(function (t) {
          if (!t.insufficient && t.band !== score.band && BAND_GRAVITY.indexOf(t.band) >= 0) {
            differing.push({ tag: t, where: kind[1] });
          }
        });
      });
    });
    differing.sort(function (a, b) {
      return BAND_GRAVITY.indexOf(a.tag.band) - BAND_GRAVITY.indexOf(b.tag.band) || (a.where === b.where ? 0 : a.where === 'on ' ? -1 : 1);
    });
    var d = differing[0];
    return d ? {
      band: d.tag.band,
      text: d.tag.band + ' ' + d.where + d.tag.tag,
      label: (d.where === 'on ' ? 'On ' : 'In ') + d.tag.tag + ' the source\u2019s record reads ' + scoreText(d.tag) + ', ' + d.tag.band +
        ', where overall it is ' + score.band,
    } : null;
  }

  /** The topics and regions of the questions a cited post speaks to, each once, as its lookup gives them. */
  function postTags(item) {
    var tags = { topics: [], regions: [] };
    (item.kind === 'post' ? item.claims || [] : []).forEach(function (c) {
      [[c.topics, tags.topics], [c.regions, tags.regions]].forEach(function (kind) {
        (kind[0] || []).forEach(function (t) {
          if (kind[1].indexOf(t.tag) < 0) {
            kind[1].push(t.tag);
          }
        });
      });
    });
    return tags;
  }

  /**
   * What outside raters say, where it belongs beside the badge: where the record cannot speak yet, the
   * gravest warning among them is the only word the journalist gets; where the record speaks otherwise
   * than one of them, that it differs (the panel says who and how).
   */
  function outsideWord(source, score) {
    var ratings = source.externalRatings || [];
    if (score.band === 'insufficient-record') {
      var gravity = { unreliable: 0, mixed: 1 };
      var warning = ratings.filter(function (r) { return r.expectedBand in gravity; })
        .sort(function (a, b) { return gravity[a.expectedBand] - gravity[b.expectedBand]; })[0];
      return warning ? { text: warning.rating + ' (' + warning.rater + ')', label: 'Rated \u201c' + warning.rating + '\u201d by ' + warning.rater } : null;
    }
    var differs = ratings.filter(function (r) { return r.disagrees; });
    return differs.length
      ? { text: 'outside rating differs', label: differs.map(function (r) { return r.rater + ' rates it \u201c' + r.rating + '\u201d'; }).join('; ') }
      : null;
  }

  function el(doc, tag, attrs, text) {
    var node = doc.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text != null) {
      node.textContent = String(text);
    }
    return node;
  }

  /**
   * Keeps a host element out of the page's layout rules as far as inline styles can. A floating host
   * (the page-wide mark) is taken out of the flow entirely, so even a flex or grid body gains no item.
   */
  function guardHost(host, floating) {
    host.setAttribute(HOST_ATTR, '');
    var s = host.style;
    s.setProperty('all', 'initial', 'important');
    s.setProperty('display', 'inline-block', 'important');
    s.setProperty('unicode-bidi', 'isolate', 'important');
    if (floating) {
      s.setProperty('position', 'fixed', 'important');
      s.setProperty('bottom', '0', 'important');
      s.setProperty('left', '0', 'important');
      s.setProperty('width', '0', 'important');
      s.setProperty('height', '0', 'important');
    }
  }

  var STYLES = [
    // The host is reset with `all: initial`, so nothing inherits from it: every box names its own font.
    '.badge, .status, .outside, .topic, .panel, .unavailable { font: 12px/1.4 system-ui, sans-serif; }',
    '.badge { display: inline-flex; gap: 4px; align-items: center; margin-inline-start: 4px; border: 0; border-radius: 9px;',
    '  padding: 1px 7px; font-weight: 600; cursor: pointer; direction: ltr; white-space: nowrap; }',
    '.badge:focus-visible { outline: 2px solid #1d4ed8; outline-offset: 2px; }',
    '.status { display: inline-block; margin-inline-start: 4px; padding: 1px 6px; border-radius: 9px; background: #fff4e5;',
    '  color: #7a2e0e; border: 1px solid #f79009; font-weight: 600; direction: ltr; white-space: nowrap; }',
    '.status a { color: #1d4ed8; margin-inline-start: 4px; }',
    '.outside { display: inline-block; margin-inline-start: 4px; padding: 1px 6px; border-radius: 9px; background: #eef2f6;',
    '  color: #243b53; border: 1px solid #9fb3c8; font-weight: 600; direction: ltr; white-space: nowrap; }',
    '.topic { display: inline-block; margin-inline-start: 4px; padding: 1px 6px; border-radius: 9px; background: #eef2f6;',
    '  color: #243b53; border: 1px solid #9fb3c8; font-weight: 600; direction: ltr; white-space: nowrap; }',
    '.topic[data-band=unreliable], .topic[data-band=mixed] { background: #fff4e5; color: #7a2e0e; border-color: #f79009; }',
    '.panel { position: fixed; top: 16px; inset-inline-end: 16px; z-index: 2147483647; width: min(380px, calc(100vw - 32px));',
    '  max-height: calc(100vh - 32px); overflow: auto; background: #fff; color: #1f2933; border: 1px solid #cbd2d9;',
    '  border-radius: 8px; box-shadow: 0 8px 24px rgba(0,0,0,.2); padding: 12px 14px; direction: ltr; text-align: left; }',
    '.panel.page-rtl { inset-inline-end: auto; left: 16px; }',
    '.panel[hidden] { display: none; }',
    '.panel h2 { font-size: 15px; margin: 0 0 6px; } .panel h3 { font-size: 13px; margin: 12px 0 4px; }',
    '.panel dl { display: grid; grid-template-columns: auto 1fr; gap: 2px 10px; margin: 0; } .panel dt { color: #52606d; }',
    '.panel dd { margin: 0; } .panel ol { padding-inline-start: 18px; margin: 0; } .panel li { margin: 2px 0; }',
    '.panel .close { position: absolute; top: 8px; inset-inline-end: 8px; border: 0; background: none; font-size: 16px; cursor: pointer; }',
    '.panel .note { color: #52606d; } .panel svg { display: block; margin-top: 4px; }',
    '.panel .differs { color: #7a2e0e; font-weight: 600; }',
    '.unavailable { position: fixed; bottom: 8px; inset-inline-end: 8px; z-index: 2147483647; padding: 2px 8px;',
    '  border-radius: 9px; background: #eef2f6; color: #52606d; font: 11px system-ui, sans-serif; }',
  ].join('\n');

  function Annotator(config) {
    this.api = String(config.api || '').replace(/\/+$/, '');
    this.key = config.key || '';
    this.request = config.request || null;
    this.badges = new Map(); // citation element -> badge host
    this.drawn = new WeakMap(); // badge host -> the lookup item it shows, as JSON
    this.panelFills = new WeakMap(); // panel -> its latest filling, so an older one's answers are dropped
    var published = publicationTime();
    this.publishedAt = published ? published.at : null;
    this.publishedDay = published ? published.day : null;
    this.lastItems = [];
    this.retryMs = RETRY_FIRST_MS;
    this.retryTimer = null;
    this.debounceTimer = null;
    this.unavailableHost = null;
    this.running = false;
    this.pending = false;
    this.keyRefused = false;
  }

  /** One call to the API: {ok, status, body}. Network failures come back as status 0. */
  Annotator.prototype.call = function (method, path, body) {
    if (this.request) {
      return this.request(method, path, body);
    }
    var headers = { Accept: 'application/json' };
    if (this.key) {
      headers.Authorization = 'Bearer ' + this.key;
    }
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
    }
    var abort = new AbortController();
    var timer = setTimeout(function () { abort.abort(); }, REQUEST_TIMEOUT_MS);
    return fetch(this.api + path, {
      method: method,
      headers: headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'omit',
      mode: 'cors',
      signal: abort.signal,
    }).then(function (response) {
      return response.json().catch(function () { return null; }).then(function (json) {
        return { ok: response.ok, status: response.status, body: json, retryAfter: response.headers.get('Retry-After') };
      });
    }, function () {
      return { ok: false, status: 0, body: null };
    }).finally(function () {
      clearTimeout(timer);
    });
  };

  Annotator.prototype.start = function () {
    var self = this;
    this.observer = new MutationObserver(function (mutations) {
      var relevant = mutations.some(function (m) { return !insideOwnUi(m.target) && !onlyOwnHosts(m); });
      if (relevant) {
        self.schedule(DEBOUNCE_MS);
      }
    });
    this.observer.observe(document.documentElement, { childList: true, subtree: true, characterData: true, attributes: true, attributeFilter: ['href', 'src', 'cite'] });
    this.refresh();
  };

  Annotator.prototype.schedule = function (delay) {
    var self = this;
    clearTimeout(this.debounceTimer);
    this.debounceTimer = setTimeout(function () { self.refresh(); }, delay);
  };

  Annotator.prototype.refresh = function () {
    var self = this;
    if (this.running || this.retryTimer !== null) {
      // The page changed mid-call, or while a failed call's wait runs: look again after either.
      this.pending = true;
      return Promise.resolve();
    }
    if (this.keyRefused) {
      return Promise.resolve(); // Until the key is changed, every call would be refused.
    }
    var citations = findCitations(document.body || document.documentElement);
    this.removeStaleBadges(citations);
    if (citations.length === 0) {
      return Promise.resolve();
    }
    var urls = citations.map(function (c) { return c.url; }).filter(function (u, i, all) { return all.indexOf(u) === i; });
    this.running = true;
    this.pending = false;
    return this.call('POST', '/v1/lookup', { urls: urls }).then(function (result) {
      self.running = false;
      if (!result.ok || !result.body || !Array.isArray(result.body.items)) {
        self.unavailable(result.status, result.retryAfter);
        return;
      }
      self.available();
      var byInput = new Map();
      result.body.items.forEach(function (item) { byInput.set(item.input, item); });
      self.lastItems = result.body.items;
      citations.forEach(function (citation) {
        var item = byInput.get(citation.url);
        if (item && item.source && citation.element.isConnected) {
          self.badgeFor(citation.element, item);
        } else {
          self.removeBadge(citation.element);
        }
      });
      if (self.pending) {
        self.pending = false;
        self.schedule(DEBOUNCE_MS);
      }
    });
  };

  Annotator.prototype.removeStaleBadges = function (citations) {
    var self = this;
    var current = new Set(citations.map(function (c) { return c.element; }));
    Array.from(this.badges.keys()).forEach(function (element) {
      if (!current.has(element) || !element.isConnected) {
        self.removeBadge(element);
      }
    });
  };

  Annotator.prototype.removeBadge = function (element) {
    var host = this.badges.get(element);
    if (host) {
      host.remove();
      this.badges.delete(element);
    }
  };

  /** Why a lookup failed, as the quiet mark says it: [kind, text, title]. */
  function failureOf(status) {
    if (status === 401 || status === 403) {
      return ['key', 'reliability: key refused', 'The reliability service refused the key; check the key in the settings.'];
    }
    if (status === 429) {
      return ['busy', 'reliability busy', 'The reliability service asked to be called later; retrying then.'];
    }
    if (status >= 400 && status < 500 && status !== 408) {
      return ['request', 'reliability: lookup refused', 'The reliability service refused this page\'s lookup (HTTP ' + status + ').'];
    }
    return ['service', 'reliability unavailable', 'The reliability service cannot be reached; retrying.'];
  }

  /** A Retry-After header (seconds or an HTTP date) in milliseconds, or 0. */
  function retryAfterMs(header) {
    if (!header) {
      return 0;
    }
    var ms = /^\d+$/.test(header.trim()) ? Number(header) * 1000 : Date.parse(header) - Date.now();
    return isNaN(ms) || ms < 0 ? 0 : ms;
  }

  /**
   * Shows one quiet mark for the whole page. A service that is down or busy is tried again later,
   * waiting longer each time and no sooner than it asked; a refused key or a refused request is not
   * (the same call would be refused again): a refused request is made again only when the page changes.
   */
  Annotator.prototype.unavailable = function (status, retryAfter) {
    var self = this;
    var failure = failureOf(status);
    if (!this.unavailableHost) {
      var host = document.createElement('span');
      guardHost(host, true);
      host.attachShadow({ mode: 'open' });
      (document.body || document.documentElement).appendChild(host);
      this.unavailableHost = host;
    }
    this.unavailableHost.setAttribute('data-reliability-unavailable', failure[0]);
    var root = this.unavailableHost.shadowRoot;
    while (root.firstChild) {
      root.removeChild(root.firstChild);
    }
    root.appendChild(el(document, 'style', {}, STYLES));
    root.appendChild(el(document, 'span', { class: 'unavailable', role: 'status', title: failure[2] }, failure[1]));
    if (failure[0] === 'key') {
      this.keyRefused = true;
      return;
    }
    if (failure[0] === 'request') {
      return;
    }
    var wait = Math.min(Math.max(this.retryMs, retryAfterMs(retryAfter)), RETRY_MAX_MS);
    this.retryMs = Math.min(this.retryMs * 2, RETRY_MAX_MS);
    this.retryTimer = setTimeout(function () {
      self.retryTimer = null;
      self.refresh();
    }, wait);
  };

  Annotator.prototype.available = function () {
    this.retryMs = RETRY_FIRST_MS;
    if (this.unavailableHost) {
      this.unavailableHost.remove();
      this.unavailableHost = null;
    }
  };

  Annotator.prototype.badgeFor = function (element, item) {
    var host = this.badges.get(element);
    if (host && !host.isConnected) {
      // The editor dropped the badge (a Backspace beside the link, say) and kept the link: put it back.
      element.insertAdjacentElement('afterend', host);
    }
    if (!host) {
      host = document.createElement('span');
      guardHost(host, false);
      host.attachShadow({ mode: 'open' });
      element.insertAdjacentElement('afterend', host);
      this.badges.set(element, host);
    }
    // An editor's every pause re-asks the API; redraw only what changed, so an open panel stays open.
    var drawn = JSON.stringify(item);
    if (this.drawn.get(host) === drawn) {
      return;
    }
    this.drawn.set(host, drawn);
    host.setAttribute('data-reliability-source', item.source.id);
    if (item.kind === 'post' && item.claimStatus) {
      host.setAttribute('data-reliability-claim-status', item.claimStatus);
    } else {
      host.removeAttribute('data-reliability-claim-status');
    }
    this.render(host, item);
  };

  Annotator.prototype.render = function (host, item) {
    var self = this;
    var root = host.shadowRoot;
    while (root.firstChild) {
      root.removeChild(root.firstChild);
    }
    root.appendChild(el(document, 'style', {}, STYLES));
    var source = item.source;
    var score = source.score || {};
    var colours = BAND_COLOURS[score.band] || BAND_COLOURS['insufficient-record'];
    var label = 'Reliability of ' + source.name + ': ' + (score.band === 'insufficient-record'
      ? 'insufficient record'
      : percent(score.score) + ' percent, interval ' + percent(score.lower) + ' to ' + percent(score.upper) + ', grade ' + score.grade + ', ' + score.band)
      + (score.provisional ? ' (provisional)' : '');
    var status = item.kind === 'post' ? statusText(item) : null;
    // A deleted post that the source reversed, or has since contradicted, still links to what it says now.
    var replacement = item.kind === 'post' ? replacementOf(item) : null;

    var badge = el(document, 'button', { type: 'button', class: 'badge', 'aria-haspopup': 'dialog', 'aria-expanded': 'false',
      'aria-label': label + (status ? '. Claim ' + status : '') + '. Open details', title: label }, scoreText(score));
    badge.style.background = colours.bg;
    badge.style.color = colours.fg;
    root.appendChild(badge);

    if (status) {
      var mark = el(document, 'span', { class: 'status', 'data-status': item.claimStatus, role: 'note', 'aria-label': 'Claim status: ' + status }, status);
      if (replacement) {
        var link = el(document, 'a', { class: 'replacement', href: replacement.url, target: '_blank', rel: 'noopener noreferrer' }, replacement.text);
        link.setAttribute('aria-label', replacement.label + replacement.option);
        mark.appendChild(link);
      }
      root.appendChild(mark);
    }

    var outside = outsideWord(source, score);
    if (outside) {
      root.appendChild(el(document, 'span', { class: 'outside', role: 'note', 'aria-label': outside.label, title: outside.label }, outside.text));
    }

    var onTag = item.kind === 'post' ? tagWord(item, score) : null;
    if (onTag) {
      root.appendChild(el(document, 'span', { class: 'topic', 'data-band': onTag.band, role: 'note', 'aria-label': onTag.label, title: onTag.label }, onTag.text));
    }

    // The panel opens on the page's end side, away from the text the journalist is reading.
    var rtl = getComputedStyle(host.parentElement || document.documentElement).direction === 'rtl';
    var panel = el(document, 'div', { class: rtl ? 'panel page-rtl' : 'panel', role: 'dialog', 'aria-label': 'Track record of ' + source.name, tabindex: '-1', hidden: '' });
    root.appendChild(panel);
    var close = function () {
      panel.hidden = true;
      badge.setAttribute('aria-expanded', 'false');
      badge.focus();
    };
    badge.addEventListener('click', function (event) {
      event.stopPropagation();
      if (!panel.hidden) {
        close();
        return;
      }
      panel.hidden = false;
      badge.setAttribute('aria-expanded', 'true');
      panel.focus();
      self.fillPanel(panel, item, close);
    });
    panel.addEventListener('keydown', function (event) {
      if (event.key === 'Escape') {
        event.preventDefault();
        event.stopPropagation();
        close();
      }
    });
  };

  Annotator.prototype.fillPanel = function (panel, item, close) {
    var self = this;
    var source = item.source;
    // Opened again before the last opening's calls answered: only the latest fills the panel.
    var filling = {};
    this.panelFills.set(panel, filling);
    var id = encodeURIComponent(source.id);
    while (panel.firstChild) {
      panel.removeChild(panel.firstChild);
    }
    var closeButton = el(document, 'button', { type: 'button', class: 'close', 'aria-label': 'Close' }, '\u00d7');
    closeButton.addEventListener('click', close);
    panel.appendChild(closeButton);
    panel.appendChild(el(document, 'h2', {}, source.name));
    var facts = el(document, 'dl');
    function fact(term, value) {
      facts.appendChild(el(document, 'dt', {}, term));
      facts.appendChild(el(document, 'dd', {}, value));
    }
    fact('Kind', source.kind + (source.interestedParty ? ' (party to the conflict)' : ''));
    fact('Score now', scoreText(source.score) + (source.score && source.score.provisional ? ' (provisional)' : ''));
    fact('Evidence', source.score ? source.score.effectiveEvidence.toFixed(1) + ' effective claims' : '\u2014');
    // Outside raters in their own words, beside the record's score; where the two differ, the desk should know.
    (source.externalRatings || []).forEach(function (rating) {
      var said = el(document, 'dd', { class: rating.disagrees ? 'rating disagrees' : 'rating' });
      said.appendChild(/^https?:\/\//i.test(rating.url || '')
        ? el(document, 'a', { href: rating.url, target: '_blank', rel: 'noopener noreferrer' }, rating.rating)
        : document.createTextNode(rating.rating));
      if (rating.disagrees) {
        said.appendChild(el(document, 'span', { class: 'differs' }, ' \u2014 differs from this record (' + source.score.band + ')'));
      }
      facts.appendChild(el(document, 'dt', {}, 'Rated by ' + rating.rater));
      facts.appendChild(said);
    });
    panel.appendChild(facts);
    var loading = el(document, 'p', { class: 'note' }, 'Loading the record\u2026');
    panel.appendChild(loading);

    var asOf = this.publishedAt;
    // Who had turned out right by the time the article went out is what the journalist weighed then,
    // as the score at publication is; a time the service refuses (a clock well behind the page's) gets
    // the record as it stands now instead of no section.
    var disputesPath = '/v1/sources/' + id + '/disputes?limit=' + DISPUTED_SOURCES + '&perOpponent=1';
    var disputesRead = asOf
      ? this.call('GET', disputesPath + '&asOf=' + encodeURIComponent(asOf)).then(function (answer) {
        return answer.ok ? answer : self.call('GET', disputesPath);
      })
      : this.call('GET', disputesPath);
    // What the desk could have seen when the article went out: the tracker's record as it had been
    // recorded by then, not hindsight about that time. One lookup of the cited item gives the score
    // and the post's status as known then; the disputes known then are read beside the record as of then.
    var knownAt = asOf ? '&knownAt=' + encodeURIComponent(asOf) : '';
    var knownLookup = asOf ? this.call('POST', '/v1/lookup', { urls: [item.input], knownAt: asOf }) : Promise.resolve(null);
    var knownDisputes = asOf ? this.call('GET', disputesPath + knownAt) : Promise.resolve(null);
    Promise.all([
      this.call('GET', '/v1/sources/' + id + '/score'),
      this.call('GET', '/v1/sources/' + id + '/history?points=' + HISTORY_POINTS),
      this.call('GET', '/v1/sources/' + id + '/claims?limit=20'),
      asOf ? this.call('GET', '/v1/sources/' + id + '/score?asOf=' + encodeURIComponent(asOf)) : Promise.resolve(null),
      this.call('GET', '/v1/sources/' + id + '/explanation?top=' + EXPLAINED_CLAIMS),
      disputesRead,
      this.call('GET', '/v1/sources/' + id + '/articles?limit=' + CITING_ARTICLES),
      knownLookup,
      knownDisputes,
    ]).then(function (results) {
      if (self.panelFills.get(panel) !== filling) {
        return;
      }
      loading.remove();
      var score = results[0], history = results[1], claims = results[2], then = results[3], explanation = results[4], disputes = results[5], citing = results[6];
      var known = knownItem(results[7], source.id), disputesKnown = results[8];
      if (!score.ok) {
        panel.appendChild(el(document, 'p', { class: 'note' }, 'reliability unavailable'));
        return;
      }
      if (then && then.ok) {
        fact('At publication', scoreText(then.body.summary) + ' (' + self.publishedDay + ')');
      }
      // What the tracker had recorded when the article went out, beside what it says of that time now:
      // a source or post it had not recorded yet is said to be so.
      if (known) {
        fact('What we knew when we published', known.source ? scoreText(known.source.score) : 'not on record yet');
        if (item.kind === 'post') {
          var statusThen = known.source && known.kind === 'post' ? statusText(known) : null;
          fact('The post when we published', statusThen || 'not on record yet');
        }
      }
      // The topics and regions of the questions a cited post speaks to: the source's record there is the one this post draws on.
      var post = postTags(item);
      var tags = self.tagsSection(score.body, post);
      if (tags) {
        panel.appendChild(tags);
      }
      panel.appendChild(self.correctionsSection(score.body.corrections || {}));
      if (explanation.ok) {
        panel.appendChild(self.explanationSection(explanation.body));
      }
      if (disputes.ok) {
        panel.appendChild(self.disputesSection(disputes.body, disputesKnown));
      }
      // A service without the list answers 404: the section is left out, not shown empty.
      if (citing.ok) {
        panel.appendChild(self.citingSection(citing.body, score.body.policyVersion));
      }
      if (history.ok) {
        panel.appendChild(el(document, 'h3', {}, 'Score history'));
        panel.appendChild(historyChart(history.body.points || [], history.body.totalPoints));
        var charted = postTag(score.body, post);
        if (charted) {
          // Its place is kept while the series is read, so the panel's order does not depend on which answer came first.
          var tagHistory = el(document, 'div', { class: 'topic-history' });
          panel.appendChild(tagHistory);
          var where = (charted.region ? 'in ' : 'on ') + charted.tag;
          self.call('GET', '/v1/sources/' + id + '/history?' + (charted.region ? 'region=' : 'topic=') + encodeURIComponent(charted.tag) +
            '&points=' + HISTORY_POINTS).then(function (series) {
            if (self.panelFills.get(panel) !== filling || !series.ok || !(series.body.points || []).length) {
              tagHistory.remove();
              return;
            }
            tagHistory.appendChild(el(document, 'h3', {}, 'Score history ' + where + ' (this post)'));
            tagHistory.appendChild(historyChart(series.body.points, series.body.totalPoints, where));
          });
        }
      }
      if (claims.ok) {
        panel.appendChild(self.timeline(claims.body.claims || []));
      }
      panel.appendChild(self.registerButton());
    });
  };

  /**
   * The topic or region of a cited post whose own series the panel draws beside the overall one: of
   * the post's topics and regions the source has a record on, one whose band differs from the overall
   * band (a topic before a region), else the first topic, else the first region. Null when the post has none.
   */
  function postTag(score, post) {
    var overall = score.summary && score.summary.band;
    function recorded(tags, ofPost, region) {
      return (tags || []).filter(function (t) { return !t.insufficient && ofPost.indexOf(t.tag) >= 0; })
        .map(function (t) { return { tag: t.tag, band: t.band, region: region }; });
    }
    var all = recorded(score.topics, post.topics, false).concat(recorded(score.regions, post.regions, true));
    var differs = all.filter(function (t) { return t.band !== overall; });
    return differs[0] || all[0] || null;
  }

  /** How many topics and regions the panel lists; the rest are named in one line. */
  var LISTED_TAGS = 6;

  /**
   * The source's record topic by topic and region by region: an army can be right on logistics and
   * wrong on casualty figures, and the overall score hides which. The topics and regions of the cited
   * post come first, whatever their record, named so; then those with a record of their own, the most
   * evidence first. A band unlike the overall one is marked. Null without tags.
   */
  Annotator.prototype.tagsSection = function (score, post) {
    function entry(tag, region) {
      var ofPost = (region ? post.regions : post.topics).indexOf(tag.tag) >= 0;
      var kind = [region ? 'region' : null, ofPost ? 'this post' : null].filter(Boolean).join(', ');
      return { tag: tag, ofPost: ofPost, name: tag.tag + (kind ? ' (' + kind + ')' : '') };
    }
    var all = (score.topics || []).map(function (t) { return entry(t, false); })
      .concat((score.regions || []).map(function (r) { return entry(r, true); }));
    if (all.length === 0) {
      return null;
    }
    var section = el(document, 'section', { class: 'tags' });
    section.appendChild(el(document, 'h3', {}, 'By topic and region'));
    var ofPost = all.filter(function (t) { return t.ofPost; });
    var scored = all.filter(function (t) { return !t.ofPost && !t.tag.insufficient; })
      .sort(function (a, b) { return b.tag.effectiveEvidence - a.tag.effectiveEvidence; });
    var thin = all.filter(function (t) { return !t.ofPost && t.tag.insufficient; });
    var shown = scored.slice(0, Math.max(0, LISTED_TAGS - ofPost.length));
    var overall = score.summary && score.summary.band;
    var list = el(document, 'dl');
    ofPost.concat(shown).forEach(function (t) {
      list.appendChild(el(document, 'dt', {}, t.name));
      var differs = !t.tag.insufficient && overall && overall !== 'insufficient-record' && t.tag.band !== overall;
      list.appendChild(el(document, 'dd', differs ? { class: 'differs' } : {}, t.tag.insufficient ? scoreText(t.tag)
        : scoreText(t.tag) + ', ' + t.tag.band + (t.tag.provisional ? ' (provisional)' : '') + (differs ? ' \u2014 overall ' + overall : '')));
    });
    if (list.firstChild) {
      section.appendChild(list);
    }
    function names(tags) {
      return tags.map(function (t) { return t.name; }).join(', ');
    }
    if (scored.length > shown.length) {
      section.appendChild(el(document, 'p', { class: 'note' }, 'Also on record: ' + names(scored.slice(shown.length))));
    }
    if (thin.length > 0) {
      section.appendChild(el(document, 'p', { class: 'note' }, 'Too little record to say: ' + names(thin)));
    }
    return section;
  };

  Annotator.prototype.correctionsSection = function (c) {
    var section = el(document, 'section');
    section.appendChild(el(document, 'h3', {}, 'Correction behaviour'));
    var list = el(document, 'dl');
    function row(term, value) {
      list.appendChild(el(document, 'dt', {}, term));
      list.appendChild(el(document, 'dd', {}, value == null ? '\u2014' : value));
    }
    row('Refuted claims', c.refutedClaims);
    row('Corrected by the source', c.correctedBySource);
    row('Self-corrected share', c.selfCorrectedShare == null ? null : percent(c.selfCorrectedShare) + '%');
    row('Silent deletions', c.silentDeletions);
    row('Median time to correct', c.medianHoursToCorrect == null ? null : Math.round(c.medianHoursToCorrect) + ' h');
    row('Reversals toward / away from truth', c.reversalsTowardTruth + ' / ' + c.reversalsAwayFromTruth);
    // A change of mind never announced: the first post still reads as the source's word.
    row('Later said otherwise, left uncorrected', c.contradictedWithoutCorrection);
    section.appendChild(list);
    return section;
  };

  /** The claims that weigh most in the score, with the service's reason for each, heaviest first. */
  var EXPLAINED_CLAIMS = 5;

  function evidenceText(confirmed, refuted) {
    var parts = [];
    if (confirmed > 0.005) { parts.push('+' + confirmed.toFixed(2)); }
    if (refuted > 0.005) { parts.push('\u2212' + refuted.toFixed(2)); }
    return parts.length === 0 ? '0' : parts.join(' / ');
  }

  Annotator.prototype.explanationSection = function (explanation) {
    var section = el(document, 'section', { class: 'explanation' });
    section.appendChild(el(document, 'h3', {}, 'Why this score'));
    var contributions = explanation.contributions || [];
    if (contributions.length === 0) {
      section.appendChild(el(document, 'p', { class: 'note' }, 'No claim counts yet.'));
      return section;
    }
    var list = el(document, 'ol');
    contributions.forEach(function (c) {
      var li = el(document, 'li');
      li.appendChild(el(document, 'strong', {}, evidenceText(c.confirmed, c.refuted)));
      // The reason already says when the weight is a provisional estimate.
      li.appendChild(document.createTextNode(' ' + c.reason + ' '));
      li.appendChild(el(document, 'code', {}, c.claimId));
      list.appendChild(li);
    });
    section.appendChild(list);
    var rest = explanation.omitted;
    if (rest && rest.claims > 0) {
      section.appendChild(el(document, 'p', { class: 'note' }, 'and ' + rest.claims + (rest.claims === 1 ? ' more claim' : ' more claims') +
        ' (' + evidenceText(rest.confirmed, rest.refuted) + ')'));
    }
    return section;
  };

  /** The newsroom's latest articles citing the source: where the desk leaned on it before. */
  var CITING_ARTICLES = 3;

  Annotator.prototype.citingSection = function (citing, policyNow) {
    var section = el(document, 'section', { class: 'citing' });
    section.appendChild(el(document, 'h3', {}, 'In our articles'));
    var articles = citing.articles || [];
    if (citing.total === 0 || articles.length === 0) {
      section.appendChild(el(document, 'p', { class: 'note' }, 'No registered article cites this source yet.'));
      return section;
    }
    section.appendChild(el(document, 'p', {}, 'Cited in ' + citing.total + (citing.total === 1 ? ' registered article' : ' registered articles') +
      (citing.total > articles.length ? ', the latest ' + articles.length + ':' : ':')));
    var list = el(document, 'ul');
    var here = location.href.split('#')[0];
    articles.forEach(function (a) {
      var li = el(document, 'li');
      var name = a.title || a.url;
      // Only web links are made links; anything else the record holds stays text.
      li.appendChild(/^https?:\/\//i.test(a.url || '') ? el(document, 'a', { href: a.url, target: '_blank', rel: 'noopener noreferrer' }, name) : document.createTextNode(name));
      // A band worked out under another scoring policy than today's score says so: a new policy can move a band with no new evidence.
      var policyThen = a.bandWhenCited && a.policyWhenCited && policyNow && a.policyWhenCited !== policyNow ? ' (scored under ' + a.policyWhenCited + ')' : '';
      var when = ' \u2014 ' + String(a.publishedAt || '').slice(0, 10) + (a.bandWhenCited ? ', source then ' + a.bandWhenCited + policyThen : '');
      li.appendChild(document.createTextNode(when + (a.url === here ? ' (this article)' : '')));
      list.appendChild(li);
    });
    section.appendChild(list);
    return section;
  };

  /** The sources this one most often contradicted on propositions since confirmed. */
  var DISPUTED_SOURCES = 3;

  /**
   * The cited item as the tracker knew it at publication, from a lookup with knownAt: null when that
   * could not be asked (no publication time, or the service refused it), an item without a source
   * when the tracker had not recorded this source by then.
   */
  function knownItem(answer, sourceId) {
    if (!answer || !answer.ok || !answer.body || !Array.isArray(answer.body.items) || answer.body.items.length === 0) {
      return null;
    }
    var item = answer.body.items[0];
    return item.source && item.source.id === sourceId ? item : { kind: 'unknown', source: null, claims: [] };
  }

  /** The settled disagreements the tracker knew of at publication, in a few words; null when not asked or refused. */
  function disputesKnownText(answer) {
    if (!answer) {
      return null;
    }
    if (answer.status === 404) {
      return 'this source was not on record yet';
    }
    if (!answer.ok || !answer.body) {
      return null;
    }
    var count = answer.body.disputes || 0;
    return count === 0 ? 'no settled disagreement' : count + (count === 1 ? ' settled disagreement' : ' settled disagreements');
  }

  Annotator.prototype.disputesSection = function (record, knownAnswer) {
    var section = this.disputesRecord(record);
    // The record as of then counts verdicts and claims recorded since about earlier times; what the
    // tracker had recorded by then is what the desk could have weighed.
    var knownText = disputesKnownText(knownAnswer);
    if (knownText) {
      section.appendChild(el(document, 'p', { class: 'note known-at' }, 'What we knew when we published: ' + knownText));
    }
    return section;
  };

  Annotator.prototype.disputesRecord = function (record) {
    var section = el(document, 'section', { class: 'disputes' });
    section.appendChild(el(document, 'h3', {}, 'When others said otherwise'));
    // Only an answer as of the publication time carries one.
    if (record.asOf) {
      section.appendChild(el(document, 'p', { class: 'note as-of' }, 'As the record stood at publication (' + this.publishedDay + ')'));
    }
    var opponents = record.opponents || [];
    if (opponents.length === 0) {
      section.appendChild(el(document, 'p', { class: 'note' }, record.asOf
        ? 'No disagreement with another source had been settled by then.'
        : 'No disagreement with another source has been settled yet.'));
      return section;
    }
    var list = el(document, 'ul');
    opponents.forEach(function (o) {
      var li = el(document, 'li');
      li.appendChild(el(document, 'strong', {}, o.name));
      var outcome = ': ' + o.disputes + (o.disputes === 1 ? ' settled disagreement' : ' settled disagreements') +
        ' \u2014 this source right in ' + o.won + ', ' + o.name + ' in ' + o.lost +
        (o.neitherRight > 0 ? ', neither in ' + o.neitherRight : '');
      li.appendChild(document.createTextNode(outcome));
      var latest = (o.propositions || [])[0];
      if (latest) {
        li.setAttribute('title', 'Latest: ' + latest.question + ' \u2014 confirmed: ' + latest.confirmedOption);
      }
      list.appendChild(li);
    });
    section.appendChild(list);
    var more = record.opponentCount - opponents.length;
    if (more > 0) {
      section.appendChild(el(document, 'p', { class: 'note' }, 'and ' + more + (more === 1 ? ' more source' : ' more sources')));
    }
    return section;
  };

  Annotator.prototype.timeline = function (claims) {
    var section = el(document, 'section');
    section.appendChild(el(document, 'h3', {}, 'Claim timeline'));
    var list = el(document, 'ol');
    claims.forEach(function (claim) {
      var li = el(document, 'li');
      li.appendChild(el(document, 'time', { datetime: claim.publishedAt }, String(claim.publishedAt).slice(0, 10)));
      li.appendChild(document.createTextNode(' \u2014 ' + claim.option + ' '));
      li.appendChild(el(document, 'strong', {}, STATUS_WORDS[claim.status] || claim.status));
      (claim.corrections || []).forEach(function (correction) {
        li.appendChild(document.createTextNode('; ' + correction.kind + ' ' + String(correction.at).slice(0, 10)));
      });
      list.appendChild(li);
    });
    if (claims.length === 0) {
      section.appendChild(el(document, 'p', { class: 'note' }, 'No claims recorded.'));
    }
    section.appendChild(list);
    return section;
  };

  Annotator.prototype.registerButton = function () {
    var self = this;
    var wrap = el(document, 'p');
    var button = el(document, 'button', { type: 'button', class: 'register' }, 'Register citations');
    var outcome = el(document, 'span', { class: 'note', role: 'status' });
    button.addEventListener('click', function () {
      outcome.textContent = 'Registering\u2026';
      self.registerCitations().then(function (text) { outcome.textContent = ' ' + text; });
    });
    wrap.appendChild(button);
    wrap.appendChild(outcome);
    return wrap;
  };

  /** Tells the service which claims this article cites, so a later correction can reach the article. */
  Annotator.prototype.registerCitations = function () {
    var canonical = document.querySelector('link[rel="canonical"]');
    var url = parseUrl(canonical ? canonical.getAttribute('href') : location.href);
    var claimIds = [];
    var urls = [];
    this.lastItems.forEach(function (item) {
      if (item.kind === 'post' || item.kind === 'source') {
        urls.push(item.input);
      }
      (item.claims || []).forEach(function (c) { claimIds.push(c.claimId); });
    });
    return this.call('POST', '/v1/articles', {
      url: url ? url.href : location.href,
      publishedAt: this.publishedAt,
      title: document.title || undefined,
      claimIds: claimIds,
      urls: urls,
    }).then(function (result) {
      if (result.ok) {
        return 'registered';
      }
      if (result.status === 404) {
        return 'registering is not available yet';
      }
      if (result.status === 401 || result.status === 403) {
        return 'this key may not register articles';
      }
      return 'reliability unavailable';
    });
  };

  /**
   * Points asked of a source's history for its chart: the service keeps each stretch's lowest and
   * highest point, so a prolific source's thousands of events still draw the same line.
   */
  var HISTORY_POINTS = 170;

  /** What a screen reader hears for the chart: where the series starts, its extremes and where it stands. */
  function historyLabel(points, totalPoints, where) {
    if (points.length === 0) {
      return 'No history yet.';
    }
    var at = function (p) { return percent(p.score) + '% on ' + String(p.at).slice(0, 10); };
    var lowest = points[0], highest = points[0];
    points.forEach(function (p) {
      if (p.score < lowest.score) { lowest = p; }
      if (p.score > highest.score) { highest = p; }
    });
    var count = totalPoints || points.length;
    return 'Score history' + (where ? ' ' + where : '') + ', ' + count + (count === 1 ? ' point' : ' points') + ': first ' + at(points[0]) +
      ', lowest ' + at(lowest) + ', highest ' + at(highest) + ', latest ' + at(points[points.length - 1]) + '.';
  }

  /** A line of the score over time (overall, or on one topic or in one region: `where`), with the 50% line for reference. */
  function historyChart(points, totalPoints, where) {
    var ns = 'http://www.w3.org/2000/svg';
    var width = 340, height = 90, pad = 4;
    var svg = document.createElementNS(ns, 'svg');
    svg.setAttribute('viewBox', '0 0 ' + width + ' ' + height);
    svg.setAttribute('width', String(width));
    svg.setAttribute('height', String(height));
    svg.setAttribute('role', 'img');
    var times = points.map(function (p) { return new Date(p.at).getTime(); });
    var first = Math.min.apply(null, times), last = Math.max.apply(null, times);
    var x = function (t) { return last === first ? width / 2 : pad + (t - first) / (last - first) * (width - 2 * pad); };
    var y = function (s) { return pad + (1 - s) * (height - 2 * pad); };
    var label = historyLabel(points, totalPoints, where);
    var title = document.createElementNS(ns, 'title');
    title.textContent = label;
    svg.appendChild(title);
    svg.setAttribute('aria-label', label);
    var mid = document.createElementNS(ns, 'line');
    [['x1', pad], ['x2', width - pad], ['y1', y(0.5)], ['y2', y(0.5)], ['stroke', '#cbd2d9'], ['stroke-dasharray', '3 3']]
      .forEach(function (a) { mid.setAttribute(a[0], String(a[1])); });
    svg.appendChild(mid);
    if (points.length > 0) {
      var line = document.createElementNS(ns, 'polyline');
      line.setAttribute('points', points.map(function (p, i) { return x(times[i]).toFixed(1) + ',' + y(p.score).toFixed(1); }).join(' '));
      line.setAttribute('fill', 'none');
      line.setAttribute('stroke', '#1d4ed8');
      line.setAttribute('stroke-width', '2');
      svg.appendChild(line);
      points.forEach(function (p, i) {
        var dot = document.createElementNS(ns, 'circle');
        dot.setAttribute('cx', x(times[i]).toFixed(1));
        dot.setAttribute('cy', y(p.score).toFixed(1));
        dot.setAttribute('r', '2.5');
        dot.setAttribute('fill', (BAND_COLOURS[p.band] || BAND_COLOURS['insufficient-record']).bg);
        svg.appendChild(dot);
      });
    }
    return svg;
  }

  var instance = null;

  globalThis.ReliabilityAnnotator = {
    /** Starts annotating this page; config: {api, key} or {request: (method, path, body) => Promise<{ok, status, body}>}. */
    start: function (config) {
      if (instance || !config || (!config.api && !config.request)) {
        return instance;
      }
      instance = new Annotator(config);
      var go = function () { instance.start(); };
      if (document.readyState === 'loading') {
        document.addEventListener('DOMContentLoaded', go, { once: true });
      } else {
        go();
      }
      return instance;
    },
    registerCitations: function () {
      return instance ? instance.registerCitations() : Promise.resolve('not started');
    },
  };

  var script = document.currentScript;
  if (script && script.getAttribute('data-api')) {
    globalThis.ReliabilityAnnotator.start({ api: script.getAttribute('data-api'), key: script.getAttribute('data-key') || '' });
  }
})();
