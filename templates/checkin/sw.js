/* The scanner's service worker: it keeps the scanner page and everything it loads, so that a reload
 * or a reopened tab without network still scans and queues (the ticket list and the queue of
 * check-ins are in the page's localStorage, see static/js/checkin/store.js). Rendered by
 * checkin.views.service_worker, so the addresses below are the app's own.
 *
 * Network first, with a short wait, then this cache: a working connection always gets the current
 * page and scripts; a dead Wi-Fi gets the last good copy within a few seconds. Only GET requests of
 * the scanner (pages under /checkin/ and our static files) are answered here; the API never is.
 */
const CACHE = {{ cache_name | tojson }};
const ASSETS = {{ assets | tojson }};
const WAIT_MS = 3500;

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(ASSETS)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith("eventhub-scanner-") && name !== CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

function ours(request) {
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return false;
  if (url.pathname.includes("/api/")) return false;
  return url.pathname.startsWith("/static/") || request.mode === "navigate";
}

async function networkFirst(request) {
  const cache = await caches.open(CACHE);
  const key = request.mode === "navigate" ? new URL(request.url).pathname : request;
  const network = fetch(request).then((response) => {
    if (response.ok && response.type === "basic" && !response.redirected) cache.put(key, response.clone());
    return response;
  });
  network.catch(() => null);  // a late failure is answered from the cache, not reported
  const late = new Promise((resolve) => setTimeout(resolve, WAIT_MS, null));
  try {
    const first = await Promise.race([network, late]);
    if (first) return first;
  } catch {
    // unreachable: answer from the cache below
  }
  const cached = await cache.match(key);
  if (cached) return cached;
  return network;  // nothing kept yet: the browser's own error page
}

self.addEventListener("fetch", (event) => {
  if (ours(event.request)) event.respondWith(networkFirst(event.request));
});

self.addEventListener("message", (event) => {
  // The page asks to keep its own address (the first visit is not yet served by this worker), or,
  // after the event, to forget it: nothing personal is kept longer than the event needs.
  const {keep, forget} = event.data || {};
  event.waitUntil(caches.open(CACHE).then((cache) => (keep ? cache.add(keep) : forget ? cache.delete(forget) : null)));
});
