/* The console's service worker (scope /ui/): the checklist and plan pages and the console's
   scripts kept for use without a network — network first, the last copy when offline. Records
   are not sent from here: the page queues them in localStorage and sends them when online. */
"use strict";
const CACHE = "onething-console-v1";
const STATIC = ["/ui/static/console.js", "/ui/static/console.css", "/ui/static/checklist.js"];
const OFFLINE_PAGES = ["/ui/checklist", "/ui/plan"];

self.addEventListener("install", (event) => {
  self.skipWaiting();
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(STATIC)));
});

self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (!(STATIC.includes(url.pathname) || OFFLINE_PAGES.includes(url.pathname))) return;
  event.respondWith(
    fetch(request)
      .then((response) => {
        if (response.ok) {
          const copy = response.clone();
          caches.open(CACHE).then((cache) => cache.put(request, copy));
        }
        return response;
      })
      .catch(() => caches.match(request).then((hit) => hit || Response.error()))
  );
});
