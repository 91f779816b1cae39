// Service worker of the offline café desk (served as /cafe/hors-ligne.js, scope /cafe/).
// It keeps the desk page (which holds no resident's data) and the site's static files, so that
// the desk opens and reloads without a network. The names for the check-in search live in
// IndexedDB (desk-offline.js); no JSON answer and no other page is ever kept here.
"use strict";
var CACHE = "coopere-desk-v1";

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) {
        return name.indexOf("coopere-desk-") === 0 && name !== CACHE;
      }).map(function (name) { return caches.delete(name); }));
    }).then(function () { return self.clients.claim(); })
  );
});

function isDeskPage(url) { return /\/cafe\/\d+\/accueil\/hors-ligne$/.test(url.pathname); }
// The site's static files, under the perimeter's prefix in a network: this worker is served from
// <site>/cafe/hors-ligne.js, so they are at <site>/static/.
var STATIC_ROOT = new URL("../static/", self.location).pathname;
function isStatic(url) { return url.pathname.indexOf(STATIC_ROOT) === 0; }
function keepable(response) {
  return response && response.ok && !response.redirected && response.type === "basic";
}

// The desk page: from the cache at once (fast on a weak signal, and offline), refreshed from
// the network behind; the network when the tablet has no copy yet.
function deskPage(request) {
  return caches.open(CACHE).then(function (cache) {
    return cache.match(request, { ignoreSearch: true }).then(function (kept) {
      var fresh = fetch(request).then(function (response) {
        if (keepable(response)) { cache.put(request.url.split("?")[0], response.clone()); }
        return response;
      });
      if (kept) {
        fresh.catch(function () { return null; });
        return kept;
      }
      return fresh;
    });
  });
}

function staticFile(request) {
  return caches.open(CACHE).then(function (cache) {
    return cache.match(request).then(function (kept) {
      return kept || fetch(request).then(function (response) {
        if (keepable(response)) { cache.put(request, response.clone()); }
        return response;
      });
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") { return; }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (isDeskPage(url)) {
    event.respondWith(deskPage(request));
  } else if (isStatic(url)) {
    event.respondWith(staticFile(request));
  }
});
