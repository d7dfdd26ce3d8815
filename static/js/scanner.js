/* Check-in at the door: the host's scanner (templates/checkin/scanner.html).
 *
 * Codes arrive from the camera (native BarcodeDetector, else the vendored jsQR in a worker), from a
 * USB/Bluetooth scanner or typing (the code field), or from the name search. Online, the server
 * decides (api/scan, api/checkin). Offline, or when the server cannot be reached, the ticket list
 * kept on this device decides (SHA-256 of the payload or of the normalised short code), and the
 * check-in is queued in localStorage under its nonce; the queue is sent to api/sync in order when
 * the connection returns, so nothing counts twice and nothing is lost on reload.
 *
 * All visible text comes from the page (#scanner-strings), translated on the server.
 */

const root = document.getElementById("scanner");
const STRINGS = JSON.parse(document.getElementById("scanner-strings").textContent);
const API = root.dataset.api;
const LOCALE = root.dataset.locale || "sv";
const HOST = root.dataset.host || "";
let csrf = document.querySelector('meta[name="csrf-token"]').content;
const STORE = `eventhub.checkin.${root.dataset.slug}.`;
const PLURAL = new Intl.PluralRules(LOCALE);
const TICKET_PREFIX = "EH1:";
const CAMERA_REPEAT_MS = 3000; // the same code seen again by the camera within this is ignored
const REQUEST_TIMEOUT_MS = 8000;
const COUNTERS_EVERY_MS = 15000;
// A scan's counters are read in its own transaction, so they miss other phones' scans committed
// at the same instant: read them again once the door has been quiet this long.
const COUNTERS_SETTLE_MS = 3000;
const TICKETS_EVERY_MS = 60000;
const SYNC_EVERY_MS = 5000; // retry while check-ins wait
const SYNC_AT_MOST_EVERY_MS = 3000; // a sync that fails while other requests work must not loop
const SYNC_BATCH = 200;

const $ = (id) => document.getElementById(id);

// --- text ------------------------------------------------------------------------------------

function t(key, values = {}) {
  let text = STRINGS[key] ?? key;
  if (typeof text === "object") text = text[PLURAL.select(Number(values.num ?? 0))] ?? text.other;
  return String(text).replace(/\{(\w+)\}/g, (whole, name) => (name in values ? String(values[name]) : whole));
}

function timeFormat(options) {
  const locale = LOCALE === "sv" ? "sv-SE" : "en-GB";
  try {
    return new Intl.DateTimeFormat(locale, {...options, timeZone: root.dataset.timezone});
  } catch {
    return new Intl.DateTimeFormat(locale, options); // an unknown zone: the device's own
  }
}
const HOURS_MINUTES = timeFormat({hour: "2-digit", minute: "2-digit"});
const WITH_SECONDS = timeFormat({hour: "2-digit", minute: "2-digit", second: "2-digit"});
const clock = (iso, format = HOURS_MINUTES) => (iso ? format.format(new Date(iso)) : "");

// --- storage (localStorage survives reloads; every write is checked) --------------------------

function load(name, fallback) {
  try {
    const value = localStorage.getItem(STORE + name);
    return value === null ? fallback : JSON.parse(value);
  } catch {
    return fallback;
  }
}

function save(name, value) {
  try {
    localStorage.setItem(STORE + name, JSON.stringify(value));
    return true;
  } catch {
    return false;
  }
}

const state = {
  tickets: load("tickets", null), // {generated_at, list: [{id, ticket, code, name, ..., checked_in}]}
  reachable: true, // the server answered the last request (navigator.onLine alone misses a dead Wi-Fi)
  signedOut: false,
  counters: null,
  lastUndo: null, // {check_in_id, name} from the server, or {nonce, id, name} still in the queue
  syncing: false,
  lastSyncTry: 0,
  lastCounters: Date.now(),
  lastTickets: 0,
};

const queue = () => load("queue", []);

function setQueue(items) {
  if (!save("queue", items)) showError(t("error"));
  renderQueue();
}

function saveTickets() {
  if (state.tickets) save("tickets", state.tickets);
}

// --- hashing and codes -----------------------------------------------------------------------

async function sha256(text) {
  const bytes = new TextEncoder().encode(text);
  const digest = crypto.subtle ? new Uint8Array(await crypto.subtle.digest("SHA-256", bytes)) : sha256Fallback(bytes);
  return [...digest].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/* SHA-256 for a page served without HTTPS on a local network, where crypto.subtle is missing. */
function sha256Fallback(bytes) {
  const K = [], H = [];
  const frac = (x) => ((x - Math.floor(x)) * 2 ** 32) >>> 0;
  for (let n = 2, found = 0; found < 64; n++) {
    let prime = true;
    for (let d = 2; d * d <= n; d++) if (n % d === 0) { prime = false; break; }
    if (!prime) continue;
    if (found < 8) H.push(frac(Math.sqrt(n)));
    K.push(frac(Math.cbrt(n)));
    found++;
  }
  const length = ((bytes.length + 9 + 63) >> 6) << 6;
  const data = new Uint8Array(length);
  data.set(bytes);
  data[bytes.length] = 0x80;
  new DataView(data.buffer).setUint32(length - 4, bytes.length * 8);
  const w = new Uint32Array(64), rotr = (x, n) => (x >>> n) | (x << (32 - n));
  for (let offset = 0; offset < length; offset += 64) {
    const view = new DataView(data.buffer, offset, 64);
    for (let i = 0; i < 16; i++) w[i] = view.getUint32(i * 4);
    for (let i = 16; i < 64; i++) {
      const s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >>> 3);
      const s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >>> 10);
      w[i] = (w[i - 16] + s0 + w[i - 7] + s1) >>> 0;
    }
    let [a, b, c, d, e, f, g, h] = H;
    for (let i = 0; i < 64; i++) {
      const t1 = (h + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i]) >>> 0;
      const t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) >>> 0;
      [h, g, f, e, d, c, b, a] = [g, f, e, (d + t1) >>> 0, c, b, a, (t1 + t2) >>> 0];
    }
    [a, b, c, d, e, f, g, h].forEach((value, i) => { H[i] = (H[i] + value) >>> 0; });
  }
  const out = new Uint8Array(32);
  H.forEach((value, i) => new DataView(out.buffer).setUint32(i * 4, value));
  return out;
}

function uuid() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/* As services.normalise_short_code: forgive case, spaces, dashes and the look-alikes O/0, I/L/1. */
function normaliseShortCode(text) {
  const cleaned = [...(text || "").toUpperCase()].filter((ch) => /[\p{L}\p{N}]/u.test(ch)).join("")
    .replace(/O/g, "0").replace(/[IL]/g, "1").replace(/U/g, "V");
  return cleaned.length === 8 ? `${cleaned.slice(0, 4)}-${cleaned.slice(4)}` : "";
}

async function findTicket(code) {
  const list = state.tickets?.list || [];
  if (code.startsWith(TICKET_PREFIX)) {
    const hash = await sha256(code);
    return list.find((ticket) => ticket.ticket === hash) || null;
  }
  const short = normaliseShortCode(code);
  if (!short) return null;
  const hash = await sha256(short);
  return list.find((ticket) => ticket.code === hash) || null;
}

const ticketById = (id) => (state.tickets?.list || []).find((ticket) => ticket.id === id) || null;

function markTicket(id, checkedIn, at = null, by = null) {
  const ticket = ticketById(id);
  if (!ticket) return;
  Object.assign(ticket, {checked_in: checkedIn, local_at: checkedIn ? at : null, local_by: checkedIn ? by : null});
  saveTickets();
}

// --- talking to the server -------------------------------------------------------------------

class Unreachable extends Error {}

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
    response = await fetch(API + path, {
      method: body ? "POST" : "GET", headers, body: body ? JSON.stringify(body) : undefined,
      credentials: "same-origin", cache: "no-store", signal: controller.signal,
    });
  } catch {
    setReachable(false);
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
    setReachable(false);
    throw new Unreachable();
  }
  setReachable(true, response.status === 401);
  // A 400 without our JSON error is Flask-WTF refusing the CSRF token: fetch a new one, try once more.
  if (body && response.status === 400 && !data?.error && !retried) {
    if (await refreshCsrf()) return api(path, body, true);
    await api("/counters").catch(() => {}); // tells whether the host was signed out meanwhile
  }
  return {ok: response.ok, status: response.status, data: data || {}};
}

const online = () => navigator.onLine && state.reachable && !state.signedOut;

function setReachable(value, signedOut = state.signedOut) {
  const before = online();
  state.reachable = value;
  state.signedOut = value ? signedOut : state.signedOut;
  renderConnection();
  if (!before && online()) whenBackOnline();
}

function whenBackOnline() {
  sync().then(refreshTickets);
}

// --- the result screen -----------------------------------------------------------------------

const ICONS = {green: "✓", amber: "!", red: "✕", unverified: "?", undone: "↶", ready: ""};
const TONES = {
  green: {wave: "sine", notes: [[880, 0, 0.12], [1320, 0.13, 0.16]], vibrate: [90]},
  amber: {wave: "triangle", notes: [[600, 0, 0.14], [600, 0.22, 0.14]], vibrate: [80, 80, 80]},
  red: {wave: "square", notes: [[200, 0, 0.55]], vibrate: [300, 100, 300]},
};
TONES.unverified = TONES.amber;

function detailFor(result) {
  switch (result.reason) {
    case "checked_in":
      return t("detail_green", {time: clock(result.checked_in_at)});
    case "already":
      if (result.checked_in_at && result.checked_in_by) {
        return t("detail_already", {time: clock(result.checked_in_at), host: result.checked_in_by});
      }
      return result.checked_in_at ? t("detail_already_time", {time: clock(result.checked_in_at)})
        : t("detail_already_plain");
    case "digital":
      return result.can_switch_to_on_site || result.offline ? t("detail_digital") : t("detail_digital_full");
    case "unverified":
      return t("detail_unverified");
    default:
      return t(`detail_${result.reason}`);
  }
}

function setLine(id, text) {
  const element = $(id);
  element.textContent = text || "";
  element.hidden = !text;
}

function show(result) {
  const look = result.reason === "unverified" ? "unverified" : result.colour;
  const word = {green: "word_green", amber: "word_amber", red: "word_red", unverified: "word_unverified"}[look];
  $("result").className = `scan-result is-${look}`;
  $("result-icon").textContent = ICONS[look];
  $("result-word").textContent = t(word);
  setLine("result-name", result.name);
  setLine("result-organisation", result.organisation);
  setLine("result-groups", result.groups?.length ? t("groups", {groups: result.groups.join(", ")}) : "");
  setLine("result-detail", detailFor(result));
  setLine("result-note", result.offline && result.colour === "green" ? t("offline_note") : "");
  setLine("result-time", t("scanned_at", {time: clock(new Date().toISOString(), WITH_SECONDS)}));
  const actions = $("result-actions");
  actions.replaceChildren();
  if (result.reason === "digital" && result.can_switch_to_on_site && result.registration_id) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "button";
    button.textContent = t("switch");
    button.addEventListener("click", () => switchToOnSite(result.registration_id, button));
    actions.append(button);
  }
  if (result.colour === "green") {
    state.lastUndo = result.offline ? {nonce: result.nonce, id: result.registration_id, name: result.name}
      : {check_in_id: result.check_in_id, id: result.registration_id, name: result.name};
    $("undo").disabled = !(state.lastUndo.check_in_id || state.lastUndo.nonce);
  }
  signal(look);
}

function showPlain(look, wordKey, detail) {
  $("result").className = `scan-result is-${look}`;
  $("result-icon").textContent = ICONS[look] || "";
  $("result-word").textContent = t(wordKey);
  for (const id of ["result-name", "result-organisation", "result-groups", "result-note"]) setLine(id, "");
  setLine("result-detail", detail);
  setLine("result-time", t("scanned_at", {time: clock(new Date().toISOString(), WITH_SECONDS)}));
  $("result-actions").replaceChildren();
}

function showError(message) {
  showPlain("red", "word_red", message);
  signal("red");
}

let audio = null;

function wakeAudio() {
  const Context = window.AudioContext || window.webkitAudioContext;
  if (!audio && Context) {
    try {
      audio = new Context();
    } catch {
      audio = null;
    }
  }
  if (audio?.state === "suspended") audio.resume().catch(() => {});
}

function signal(look) {
  const tone = TONES[look];
  if (!tone || !$("sound").checked) return;
  if (navigator.vibrate) navigator.vibrate(tone.vibrate);
  if (!audio || audio.state !== "running") return;
  const start = audio.currentTime + 0.01;
  for (const [frequency, offset, length] of tone.notes) {
    const oscillator = audio.createOscillator(), gain = audio.createGain();
    oscillator.type = tone.wave;
    oscillator.frequency.value = frequency;
    gain.gain.setValueAtTime(0.0001, start + offset);
    gain.gain.exponentialRampToValueAtTime(0.25, start + offset + 0.015);
    gain.gain.exponentialRampToValueAtTime(0.0001, start + offset + length);
    oscillator.connect(gain).connect(audio.destination);
    oscillator.start(start + offset);
    oscillator.stop(start + offset + length + 0.05);
  }
}

// --- status line: connection, counter, queue, ticket list ------------------------------------

function renderConnection() {
  const isOnline = online();
  const element = $("connection");
  element.classList.toggle("is-online", isOnline);
  element.classList.toggle("is-offline", !isOnline);
  $("connection-text").textContent = state.signedOut ? t("signed_out")
    : isOnline ? t("online") : `${t("offline")}. ${t("offline_hint")}`;
  if (!isOnline) renderCounters();
}

function renderQueue() {
  const waiting = queue().length;
  const element = $("queue");
  element.hidden = waiting === 0;
  element.textContent = t("waiting", {num: waiting});
}

function localCounters() {
  const list = state.tickets?.list;
  if (!list) return null;
  const expected = list.filter((p) => p.mode === "on_site" && p.status === "confirmed");
  return {checked_in: expected.filter((p) => p.checked_in).length, expected: expected.length};
}

function renderCounters(counters = null) {
  if (counters) state.counters = counters;
  const shown = online() ? state.counters : localCounters() || state.counters;
  if (shown) $("counter").textContent = t("counter", {arrived: shown.checked_in, expected: shown.expected});
}

function renderTicketsStatus() {
  const tickets = state.tickets;
  $("tickets-status").textContent = tickets
    ? t("tickets_loaded", {num: tickets.list.length, time: clock(tickets.generated_at)}) : t("no_tickets");
}

// --- checking people in ----------------------------------------------------------------------

let work = Promise.resolve();

/* One scan at a time, in the order they came; a failure never stops the next one. */
function enqueueWork(task) {
  work = work.then(task).catch(() => showError(t("error")));
  return work;
}

function afterServerResult(result, counters) {
  if (result.registration_id && (result.colour === "green" || result.colour === "amber")) {
    markTicket(result.registration_id, true, result.checked_in_at, result.checked_in_by);
  }
  renderCounters(counters);
  state.lastCounters = Date.now() - COUNTERS_EVERY_MS + COUNTERS_SETTLE_MS; // the next tick after a pause re-reads
  show(result);
}

async function checkCode(code) {
  code = code.trim();
  if (!code) return;
  if (code.length > 200) {
    show({colour: "red", reason: "not_found"});
    return;
  }
  const nonce = uuid(), scannedAt = new Date().toISOString();
  if (online()) {
    try {
      const response = await api("/scan", {code, nonce, scanned_at: scannedAt});
      if (response.ok) return afterServerResult(response.data.result, response.data.counters);
      const error = response.data.error;
      if (error?.code === "bad_code") return show({colour: "red", reason: "not_found"});
      if (error && response.status !== 401 && response.status !== 429) return showError(error.message || t("error"));
      // Signed out, too many at once, or refused before our API answered: keep it on this device.
    } catch (error) {
      if (!(error instanceof Unreachable)) throw error;
    }
  }
  // Offline (or the server did not answer): decide here; the same nonce makes a resend count once.
  if (!state.tickets) {
    addToQueue({code, nonce, scanned_at: scannedAt});
    return show({colour: "amber", reason: "unverified", offline: true});
  }
  const ticket = await findTicket(code);
  decideLocally(ticket, {code, nonce, scanned_at: scannedAt});
}

async function checkRegistration(registrationId) {
  const nonce = uuid(), scannedAt = new Date().toISOString();
  if (online()) {
    try {
      const response = await api("/checkin", {registration_id: registrationId, nonce, scanned_at: scannedAt});
      if (response.ok) return afterServerResult(response.data.result, response.data.counters);
      const error = response.data.error;
      if (error && response.status !== 401 && response.status !== 429) return showError(error.message || t("error"));
    } catch (error) {
      if (!(error instanceof Unreachable)) throw error;
    }
  }
  decideLocally(ticketById(registrationId), {registration_id: registrationId, nonce, scanned_at: scannedAt});
}

/* The same rule as services._admit, on what the ticket list says. */
function decideLocally(ticket, item) {
  if (!ticket) return show({colour: "red", reason: "not_found", offline: true});
  const person = {registration_id: ticket.id, name: ticket.name, organisation: ticket.organisation,
                  groups: ticket.groups || [], offline: true};
  if (ticket.status === "cancelled") return show({...person, colour: "red", reason: "cancelled"});
  if (ticket.status === "waitlisted") return show({...person, colour: "red", reason: "waitlisted"});
  if (ticket.mode === "digital") return show({...person, colour: "red", reason: "digital"});
  if (ticket.checked_in) {
    return show({...person, colour: "amber", reason: "already", checked_in_at: ticket.local_at,
                 checked_in_by: ticket.local_by});
  }
  if (!addToQueue({...item, id: ticket.id, name: ticket.name})) return;
  markTicket(ticket.id, true, item.scanned_at, HOST);
  renderCounters();
  show({...person, colour: "green", reason: "checked_in", checked_in_at: item.scanned_at, nonce: item.nonce});
}

function addToQueue(item) {
  const items = queue();
  items.push(item);
  if (!save("queue", items)) {
    showError(t("error"));
    return false;
  }
  renderQueue();
  return true;
}

async function switchToOnSite(registrationId, button) {
  button.disabled = true;
  try {
    const response = await api("/switch", {registration_id: registrationId});
    if (!response.ok) {
      button.disabled = false;
      return showPlain("red", "word_red",
                       t("switch_failed", {message: response.data.error?.message || t("error")}));
    }
    markTicket(registrationId, false);
    const ticket = ticketById(registrationId);
    if (ticket) ticket.mode = "on_site";
    await checkRegistration(registrationId);
  } catch {
    button.disabled = false;
    showPlain("red", "word_red", t("switch_failed", {message: t("offline")}));
  }
}

async function undoLast() {
  const last = state.lastUndo;
  if (!last) return;
  if (last.nonce) {
    const items = queue();
    if (items.some((item) => item.nonce === last.nonce)) {
      setQueue(items.filter((item) => item.nonce !== last.nonce));
      markTicket(last.id, false);
      renderCounters();
      finishUndo(last.name);
      return;
    }
    // Already synced: the server knows it under a check-in id we do not have here.
    showPlain("undone", "word_not_undone", t("undo_failed"));
    return finishUndo(null);
  }
  if (!online()) return showPlain("undone", "word_not_undone", t("undo_offline"));
  try {
    const response = await api("/undo", {check_in_id: last.check_in_id});
    if (!response.ok) {
      showPlain("undone", "word_not_undone", response.data.error?.message || t("undo_failed"));
      return finishUndo(null);
    }
    markTicket(last.id, false);
    renderCounters(response.data.counters);
    finishUndo(response.data.name || last.name);
  } catch {
    showPlain("undone", "word_not_undone", t("undo_offline"));
  }
}

function finishUndo(name) {
  state.lastUndo = null;
  $("undo").disabled = true;
  if (name) showPlain("undone", "word_undone", t("undo_done", {name}));
  $("code-input").focus();
}

// --- sync and refresh ------------------------------------------------------------------------

async function sync() {
  const waiting = queue();
  if (state.syncing || !waiting.length || !navigator.onLine) return;
  if (Date.now() - state.lastSyncTry < SYNC_AT_MOST_EVERY_MS) return;
  state.syncing = true;
  state.lastSyncTry = Date.now();
  try {
    const batch = waiting.slice(0, SYNC_BATCH);
    const items = batch.map(({code, registration_id: id, nonce, scanned_at: at}) => (
      code ? {code, nonce, scanned_at: at} : {registration_id: id, nonce, scanned_at: at}));
    const response = await api("/sync", {items});
    if (!response.ok) return;
    const results = response.data.results || [];
    const answered = new Set(results.map((result) => result.nonce));
    setQueue(queue().filter((item) => !answered.has(item.nonce))); // what came in meanwhile stays
    for (const result of results) {
      if (result.colour === "green" && state.lastUndo?.nonce === result.nonce) {
        state.lastUndo = {check_in_id: result.check_in_id, id: result.registration_id, name: result.name};
      }
      if (result.registration_id && result.colour !== "red") {
        markTicket(result.registration_id, true, result.checked_in_at, result.checked_in_by);
      }
    }
    reportSync(results);
    renderCounters(response.data.counters);
  } catch (error) {
    if (!(error instanceof Unreachable)) throw error;
  } finally {
    state.syncing = false;
  }
  if (queue().length && online()) setTimeout(sync, SYNC_AT_MOST_EVERY_MS); // more than one batch
}

function reportSync(results) {
  if (!results.length) return;
  const report = $("sync-report");
  const list = document.createElement("ul");
  const saved = results.filter((result) => result.colour === "green").length;
  const summary = document.createElement("p");
  summary.textContent = `${clock(new Date().toISOString(), WITH_SECONDS)}: ${t("synced", {num: saved})}`;
  for (const result of results) {
    if (result.colour === "green") continue;
    const item = document.createElement("li");
    item.className = `sync-${result.colour}`;
    if (result.colour === "amber") {
      item.textContent = t("sync_duplicate", {name: result.name, time: clock(result.checked_in_at),
                                              host: result.checked_in_by || "?"});
    } else {
      item.textContent = t("sync_problem", {name: result.name || "?", detail: detailFor(result)});
    }
    list.append(item);
  }
  report.replaceChildren(summary, ...(list.childElementCount ? [list] : []));
  $("sync-box").hidden = false;
  if (list.childElementCount) signal("amber");
}

async function refreshTickets() {
  if (!navigator.onLine) return;
  state.lastTickets = Date.now();
  try {
    const response = await api("/tickets");
    if (!response.ok) return;
    const list = response.data.tickets || [];
    // Check-ins still waiting to sync stay checked in here.
    const pending = queue();
    for (const item of pending) {
      const ticket = list.find((candidate) => candidate.id === item.id || candidate.id === item.registration_id);
      if (ticket && !ticket.checked_in) Object.assign(ticket, {checked_in: true, local_at: item.scanned_at, local_by: HOST});
    }
    state.tickets = {generated_at: response.data.generated_at, list};
    saveTickets();
    root.dataset.tickets = response.data.generated_at; // when the list was last loaded (tests wait on it)
    renderCounters(response.data.counters);
    renderTicketsStatus();
  } catch (error) {
    if (!(error instanceof Unreachable)) throw error;
  }
}

async function refreshCounters() {
  state.lastCounters = Date.now();
  try {
    const response = await api("/counters");
    if (response.ok) renderCounters(response.data);
  } catch (error) {
    if (!(error instanceof Unreachable)) throw error;
  }
}

function tick() {
  const now = Date.now();
  if (!navigator.onLine) return;
  // While the server is unreachable (or the host signed out) the counter request notices the change.
  if (now - state.lastCounters >= (online() ? COUNTERS_EVERY_MS : SYNC_EVERY_MS)) refreshCounters();
  if (online() && now - state.lastTickets >= TICKETS_EVERY_MS) refreshTickets();
  if (online() && queue().length && now - state.lastSyncTry >= SYNC_EVERY_MS) sync();
}

// --- search and walk-ins ---------------------------------------------------------------------

function statusWord(person) {
  if (person.checked_in) return t("status_checked_in");
  if (person.status === "waitlisted") return t("status_waitlisted");
  if (person.mode === "digital") return t("status_digital");
  return "";
}

function renderSearch(people, offline) {
  const list = $("search-results");
  list.replaceChildren();
  for (const person of people) {
    const item = document.createElement("li");
    const about = document.createElement("div");
    const name = document.createElement("strong");
    name.textContent = person.name;
    about.append(name);
    for (const extra of [person.organisation, (person.groups || []).join(", ")]) {
      if (!extra) continue;
      const line = document.createElement("span");
      line.className = "search-extra";
      line.textContent = extra;
      about.append(line);
    }
    const status = document.createElement("span");
    status.className = "search-status";
    status.textContent = statusWord(person);
    about.append(status);
    const button = document.createElement("button");
    button.type = "button";
    button.className = "button";
    button.textContent = t("check_in");
    const hidden = document.createElement("span");
    hidden.className = "visually-hidden";
    hidden.textContent = ` ${person.name}`;
    button.append(hidden);
    button.addEventListener("click", () => {
      wakeAudio();
      enqueueWork(async () => {
        await checkRegistration(person.id);
        const ticket = ticketById(person.id);
        status.textContent = statusWord(ticket ? {...person, ...ticket} : person);
      });
    });
    item.append(about, button);
    list.append(item);
  }
  const count = people.length ? t("search_count", {num: people.length}) : t("search_none");
  $("search-status").textContent = offline ? `${t("search_offline")} ${count}` : count;
}

function searchLocally(query) {
  const words = query.toLocaleLowerCase(LOCALE).split(/\s+/).filter(Boolean).slice(0, 4);
  const list = state.tickets?.list || [];
  return list.filter((person) => {
    const text = `${person.name} ${person.organisation || ""}`.toLocaleLowerCase(LOCALE);
    return words.every((word) => text.includes(word));
  }).sort((a, b) => a.name.localeCompare(b.name, LOCALE)).slice(0, 20);
}

async function search(query) {
  query = query.trim();
  if (!query) return;
  if (online()) {
    try {
      const response = await api("/search", {q: query}); // POST: typed names stay out of URLs and logs
      if (response.ok) return renderSearch(response.data.people || [], false);
    } catch (error) {
      if (!(error instanceof Unreachable)) throw error;
    }
  }
  renderSearch(searchLocally(query), true);
}

let pendingWalkIn = {key: "", nonce: ""}; // a walk-in sent again after a lost answer keeps its nonce: one person

async function walkIn(form) {
  const error = $("walk-in-error");
  const name = form.elements.name.value.trim(), email = form.elements.email.value.trim();
  if (pendingWalkIn.key !== `${name}\n${email}`) pendingWalkIn = {key: `${name}\n${email}`, nonce: uuid()};
  error.hidden = true;
  if (!online()) {
    error.textContent = t("walk_in_offline");
    error.hidden = false;
    return;
  }
  try {
    const response = await api("/walk-in", {name, email, nonce: pendingWalkIn.nonce});
    if (!response.ok) {
      error.textContent = response.data.error?.message || t("error");
      error.hidden = false;
      return;
    }
    form.reset();
    pendingWalkIn = {key: "", nonce: ""};
    afterServerResult(response.data.result, response.data.counters);
    refreshTickets();
  } catch {
    error.textContent = t("walk_in_offline");
    error.hidden = false;
  }
}

// --- camera ----------------------------------------------------------------------------------

const camera = {stream: null, decode: null, timer: null, lastText: "", lastSeen: 0, busy: false};

async function makeDecoder() {
  if ("BarcodeDetector" in window) {
    try {
      const formats = await window.BarcodeDetector.getSupportedFormats();
      if (formats.includes("qr_code")) {
        const detector = new window.BarcodeDetector({formats: ["qr_code"]});
        root.dataset.decoder = "native";
        return async (video) => (await detector.detect(video))[0]?.rawValue || null;
      }
    } catch {
      // fall through to the vendored decoder
    }
  }
  let worker;
  try {
    worker = new Worker(root.dataset.worker);
  } catch {
    return null;
  }
  const canvas = document.createElement("canvas");
  const context = canvas.getContext("2d", {willReadFrequently: true});
  const pending = new Map();
  let next = 0;
  worker.onmessage = (event) => {
    pending.get(event.data.id)?.(event.data.text);
    pending.delete(event.data.id);
  };
  worker.onerror = () => {
    for (const resolve of pending.values()) resolve(null);
    pending.clear();
  };
  root.dataset.decoder = "jsqr";
  return (video) => new Promise((resolve) => {
    const width = video.videoWidth, height = video.videoHeight;
    if (!width || !height) return resolve(null);
    const scale = Math.min(1, 800 / Math.max(width, height)); // enough for a ticket held up close
    canvas.width = Math.round(width * scale);
    canvas.height = Math.round(height * scale);
    context.drawImage(video, 0, 0, canvas.width, canvas.height);
    const pixels = context.getImageData(0, 0, canvas.width, canvas.height);
    const id = ++next;
    pending.set(id, resolve);
    worker.postMessage({id, width: canvas.width, height: canvas.height, buffer: pixels.data.buffer},
                       [pixels.data.buffer]);
  });
}

function cameraStatus(key) {
  $("camera-status").textContent = t(key);
}

async function startCamera() {
  const button = $("camera-toggle");
  if (!navigator.mediaDevices?.getUserMedia) return cameraStatus("camera_unsupported");
  cameraStatus("camera_starting");
  try {
    camera.stream = await navigator.mediaDevices.getUserMedia({
      audio: false, video: {facingMode: {ideal: "environment"}, width: {ideal: 1280}, height: {ideal: 720}},
    });
  } catch (error) {
    camera.stream = null;
    return cameraStatus(error?.name === "NotAllowedError" ? "camera_denied" : "camera_failed");
  }
  camera.decode = camera.decode || await makeDecoder();
  if (!camera.decode) {
    stopCamera();
    return cameraStatus("no_decoder");
  }
  const video = $("camera-video");
  video.srcObject = camera.stream;
  video.hidden = false;
  try {
    await video.play();
  } catch {
    // muted inline video may play without it; frames are read either way
  }
  for (const track of camera.stream.getVideoTracks()) track.addEventListener("ended", stopCamera);
  button.textContent = t("camera_stop");
  button.setAttribute("aria-pressed", "true");
  save("camera", true);
  cameraStatus("camera_on");
  scanFrames();
}

function stopCamera() {
  clearTimeout(camera.timer);
  camera.stream?.getTracks().forEach((track) => track.stop());
  camera.stream = null;
  const video = $("camera-video");
  video.srcObject = null;
  video.hidden = true;
  const button = $("camera-toggle");
  button.textContent = t("camera_start");
  button.setAttribute("aria-pressed", "false");
  cameraStatus("camera_off");
}

async function scanFrames() {
  if (!camera.stream) return;
  const video = $("camera-video");
  if (!document.hidden && video.readyState >= 2 && !camera.busy) {
    camera.busy = true;
    try {
      const text = await camera.decode(video);
      if (text) seenByCamera(text);
    } catch {
      // one unreadable frame is nothing; try the next
    } finally {
      camera.busy = false;
    }
  }
  camera.timer = setTimeout(scanFrames, 150);
}

function seenByCamera(text) {
  const now = Date.now();
  const repeat = text === camera.lastText && now - camera.lastSeen < CAMERA_REPEAT_MS;
  camera.lastText = text;
  camera.lastSeen = now; // a ticket held up for long is still one scan
  if (!repeat) enqueueWork(() => checkCode(text));
}

// --- wiring ----------------------------------------------------------------------------------

function start() {
  const codeInput = $("code-input");
  $("code-form").addEventListener("submit", (event) => {
    event.preventDefault();
    wakeAudio();
    const code = codeInput.value;
    codeInput.value = "";
    codeInput.focus();
    enqueueWork(() => checkCode(code));
  });
  $("search-form").addEventListener("submit", (event) => {
    event.preventDefault();
    enqueueWork(() => search($("search-input").value));
  });
  $("walk-in-form")?.addEventListener("submit", (event) => {
    event.preventDefault();
    wakeAudio();
    enqueueWork(() => walkIn(event.target));
  });
  $("undo").addEventListener("click", () => enqueueWork(undoLast));
  $("camera-toggle").addEventListener("click", () => {
    wakeAudio();
    if (camera.stream) {
      stopCamera();
      save("camera", false);
    } else {
      startCamera();
    }
  });
  const sound = $("sound");
  sound.checked = load("sound", true);
  sound.addEventListener("change", () => save("sound", sound.checked));
  document.addEventListener("pointerdown", wakeAudio, {passive: true});
  // A USB scanner types wherever focus is: when nothing that takes text has it, the code field does.
  document.addEventListener("keydown", (event) => {
    const active = document.activeElement;
    if (event.key.length === 1 && !event.ctrlKey && !event.metaKey && !event.altKey
        && (!active || active === document.body || active.id === "main")) {
      codeInput.focus();
    }
  });
  window.addEventListener("online", () => {
    state.reachable = true;
    renderConnection();
    whenBackOnline();
  });
  window.addEventListener("offline", renderConnection);

  renderConnection();
  renderQueue();
  renderTicketsStatus();
  if (!navigator.onLine) renderCounters();
  if (matchMedia("(pointer: fine)").matches) codeInput.focus();
  whenBackOnline(); // sends what an earlier visit left in the queue, then loads the ticket list
  setInterval(tick, 2500);
  if (load("camera", false)) {
    navigator.permissions?.query({name: "camera"})
      .then((status) => { if (status.state === "granted") startCamera(); })
      .catch(() => {});
  }
}

start();
