/* The scanner without a network from a cold start: the service worker (/checkin/sw.js) keeps this page
 * and its scripts, so a reload or a reopened tab still scans and queues. After the event the copy on
 * this device (page, ticket list with names, settings) is forgotten, once nothing waits to sync.
 */

export function keepOffline(root) {
  if (!("serviceWorker" in navigator)) return Promise.resolve(false);
  return navigator.serviceWorker.register(root.dataset.serviceWorker, {scope: "/checkin/"})
    .then(() => navigator.serviceWorker.ready)
    .then((registration) => {
      // This first visit was not served by the worker: ask it to keep this page now.
      registration.active?.postMessage({keep: location.pathname});
      root.dataset.offlineReady = "true";
      return true;
    })
    .catch(() => false);
}

/* True when the event is long over and this device's copy was wiped. */
export function forgetAfterEvent(root, store, waiting) {
  const after = Date.parse(root.dataset.forgetAfter || "");
  if (!after || Date.now() < after || waiting > 0) return false;
  store.clear();
  navigator.serviceWorker?.controller?.postMessage({forget: location.pathname});
  return true;
}
