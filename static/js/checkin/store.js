/* What this device keeps over reloads (localStorage), per event: the ticket list, the queue of
 * check-ins waiting to sync, the host's settings. Every write is checked: a full or blocked storage
 * is reported, never silently lost.
 */

export function createStore(slug) {
  const prefix = `eventhub.checkin.${slug}.`;
  return {
    load(name, fallback) {
      try {
        const value = localStorage.getItem(prefix + name);
        return value === null ? fallback : JSON.parse(value);
      } catch {
        return fallback;
      }
    },
    clear() {
      for (const key of Object.keys(localStorage)) {
        if (key.startsWith(prefix)) localStorage.removeItem(key);
      }
    },
    save(name, value) {
      try {
        localStorage.setItem(prefix + name, JSON.stringify(value));
        return true;
      } catch {
        return false;
      }
    },
  };
}
