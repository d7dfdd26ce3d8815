/* Talking to the check-in API: JSON with the page's CSRF token, a timeout, and a clear line between
 * "the server answered" (even with an error) and "the server could not be reached" (Unreachable).
 */

const REQUEST_TIMEOUT_MS = 8000;

export class Unreachable extends Error {}

/* ``onAnswer(reachable, signedOut, removed)`` hears after every request whether the server answered,
 * and whether it said this host is no longer on the event's staff (404 no_event). */
export function createApi(base, onAnswer) {
  let csrf = document.querySelector('meta[name="csrf-token"]').content;

  /* A fresh CSRF token from the page itself, for when the session changed (signed in again elsewhere). */
  async function refreshCsrf() {
    try {
      const response = await fetch(location.pathname, {credentials: "same-origin", cache: "no-store"});
      if (!response.ok) return false;
      const page = new DOMParser().parseFromString(await response.text(), "text/html");
      const token = page.querySelector('meta[name="csrf-token"]')?.content;
      if (!token || token === csrf) return false;
      csrf = token;
      return true;
    } catch {
      return false;
    }
  }

  async function api(path, body = null, retried = false) {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), REQUEST_TIMEOUT_MS);
    const headers = {Accept: "application/json"};
    if (body) Object.assign(headers, {"Content-Type": "application/json", "X-CSRFToken": csrf});
    let response;
    try {
      response = await fetch(base + path, {
        method: body ? "POST" : "GET", headers, body: body ? JSON.stringify(body) : undefined,
        credentials: "same-origin", cache: "no-store", signal: controller.signal,
      });
    } catch {
      onAnswer(false);
      throw new Unreachable();
    } finally {
      clearTimeout(timer);
    }
    let data = null;
    try {
      data = await response.json();
    } catch {
      data = null;
    }
    if (response.status >= 500) {
      onAnswer(false);
      throw new Unreachable();
    }
    onAnswer(true, response.status === 401, response.status === 404 && data?.error?.code === "no_event");
    // A 400 without our JSON error is Flask-WTF refusing the CSRF token: fetch a new one, try once more.
    if (body && response.status === 400 && !data?.error && !retried) {
      if (await refreshCsrf()) return api(path, body, true);
      await api("/counters").catch(() => {}); // tells whether the host was signed out meanwhile
    }
    return {ok: response.ok, status: response.status, data: data || {}};
  }

  return api;
}
