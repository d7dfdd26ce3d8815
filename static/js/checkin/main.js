/* Check-in at the door: the host's scanner (templates/checkin/scanner.html), wired from small modules.
 *
 * Codes arrive from the camera (camera.js), from a USB/Bluetooth scanner or typing (the code field),
 * or from the name search. Online, the server decides (api/scan, api/checkin). Offline, or when the
 * server cannot be reached, the ticket list kept on this device decides by the same rule (decide.js,
 * tickets.js), and the check-in is queued in localStorage (store.js) under its nonce; the queue is sent
 * to api/sync in order when the connection returns, so nothing counts twice and nothing is lost on reload.
 */
import {Unreachable, createApi} from "./api.js";
import {createCamera} from "./camera.js";
import {GREEN, decide} from "./decide.js";
import {forgetAfterEvent, keepOffline} from "./offline.js";
import * as screen from "./screen.js";
import {createStore} from "./store.js";
import {findTicket, uuid} from "./tickets.js";

const {$, t} = screen;
const root = document.getElementById("scanner");
const LOCALE = root.dataset.locale || "sv";
const HOST = root.dataset.host || "";
const COUNTERS_EVERY_MS = 15000;
// A scan's counters are read in its own transaction, so they miss other phones' scans committed
// at the same instant: read them again once the door has been quiet this long.
const COUNTERS_SETTLE_MS = 3000;
const TICKETS_EVERY_MS = 60000;
const SYNC_EVERY_MS = 5000; // retry while check-ins wait
const SYNC_AT_MOST_EVERY_MS = 3000; // a sync that fails while other requests work must not loop
const SYNC_BATCH = 200;

const store = createStore(root.dataset.slug);
const state = {
  tickets: store.load("tickets", null), // {generated_at, list: [{id, ticket, code, name, ..., checked_in}]}
  reachable: true, // the server answered the last request (navigator.onLine alone misses a dead Wi-Fi)
  signedOut: false,
  counters: null,
  syncing: false,
  lastSyncTry: 0,
  lastCounters: Date.now(),
  lastTickets: 0,
};

const online = () => navigator.onLine && state.reachable && !state.signedOut && !state.removed;
const api = createApi(root.dataset.api, (reachable, signedOut = state.signedOut, removed = false) => (
  removed ? stopForGood() : setReachable(reachable, signedOut)));

// --- what this device keeps --------------------------------------------------------------------

const queue = () => {
  const items = store.load("queue", []);
  return Array.isArray(items) ? items : [];
};
/* A queued check-in is known by its nonce; one without (never made by this page) by what it holds. */
const queueKey = (item) => (typeof item?.nonce === "string" ? item.nonce : JSON.stringify(item));

function setQueue(items) {
  if (!store.save("queue", items)) screen.showError(t("error"));
  screen.renderQueue(items.length);
}

function addToQueue(item) {
  const items = queue();
  items.push(item);
  if (!store.save("queue", items)) {
    screen.showError(t("error"));
    return false;
  }
  screen.renderQueue(items.length);
  return true;
}

function saveTickets() {
  // After the event the list (names) stays in this page's memory for the last late arrivals, never on the device.
  if (state.tickets && !state.forgotten) store.save("tickets", state.tickets);
}

const ticketById = (id) => (state.tickets?.list || []).find((ticket) => ticket.id === id) || null;

function markTicket(id, checkedIn, at = null, by = null) {
  const ticket = ticketById(id);
  if (!ticket) return;
  Object.assign(ticket, {checked_in: checkedIn, local_at: checkedIn ? at : null, local_by: checkedIn ? by : null});
  saveTickets();
}

// --- connection and counters -------------------------------------------------------------------

function setReachable(value, signedOut = state.signedOut) {
  const before = online();
  state.reachable = value;
  state.signedOut = value ? signedOut : state.signedOut;
  renderConnection();
  if (!before && online()) whenBackOnline();
}

function renderConnection() {
  if (state.removed) return;
  screen.renderConnection(online(), state.signedOut);
  if (!online()) renderCounters();
}

function whenBackOnline() {
  sync().then(refreshTickets);
}

function localCounters() {
  const list = state.tickets?.list;
  if (!list) return null;
  const expected = list.filter((p) => p.mode === "on_site" && p.status === "confirmed");
  return {checked_in: expected.filter((p) => p.checked_in).length, expected: expected.length};
}

function renderCounters(counters = null) {
  if (counters) state.counters = counters;
  screen.renderCounter(online() ? state.counters : localCounters() || state.counters);
}

// --- checking people in ------------------------------------------------------------------------

let work = Promise.resolve();

/* One scan at a time, in the order they came; a failure never stops the next one. */
function enqueueWork(task) {
  work = work.then(task).catch(() => screen.showError(t("error")));
  return work;
}

function show(result) {
  const actions = result.reason === "digital" && result.can_switch_to_on_site && result.registration_id
    ? [{label: t("switch"), onClick: (button) => switchToOnSite(result.registration_id, button)}] : [];
  screen.show(result, actions);
  if (result.colour === GREEN && (result.check_in_id || result.nonce)) {
    remember({nonce: result.nonce || uuid(), check_in_id: result.offline ? null : result.check_in_id,
              id: result.registration_id, name: result.name, at: result.checked_in_at || new Date().toISOString()});
  }
}

// --- the door's recent check-ins, kept over reloads, each of which can be undone ---------------

const RECENT_MAX = 12;
const recent = () => store.load("recent", []);

function saveRecent(list) {
  store.save("recent", list.slice(0, RECENT_MAX));
  screen.renderRecent(recent(), (entry) => enqueueWork(() => undo(entry)));
  $("undo").disabled = !recent().length;
}

function remember(entry) {
  saveRecent([entry, ...recent().filter((other) => other.nonce !== entry.nonce)]);
}

function forget(entry) {
  saveRecent(recent().filter((other) => other.nonce !== entry.nonce));
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
      if (error && response.status !== 401 && response.status !== 429) {
        return screen.showError(error.message || t("error"));
      }
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
  const ticket = await findTicket(state.tickets.list, code);
  admitLocally(ticket, {code, nonce, scanned_at: scannedAt});
}

async function checkRegistration(registrationId) {
  const nonce = uuid(), scannedAt = new Date().toISOString();
  if (online()) {
    try {
      const response = await api("/checkin", {registration_id: registrationId, nonce, scanned_at: scannedAt});
      if (response.ok) return afterServerResult(response.data.result, response.data.counters);
      const error = response.data.error;
      if (error && response.status !== 401 && response.status !== 429) {
        return screen.showError(error.message || t("error"));
      }
    } catch (error) {
      if (!(error instanceof Unreachable)) throw error;
    }
  }
  admitLocally(ticketById(registrationId), {registration_id: registrationId, nonce, scanned_at: scannedAt});
}

/* The door's rule (decide.js) on what the ticket list says; a green check-in waits in the queue. */
function admitLocally(ticket, item) {
  const answer = decide(ticket);
  if (!ticket) return show({...answer, offline: true});
  const person = {registration_id: ticket.id, name: ticket.name, organisation: ticket.organisation,
                  groups: ticket.groups || [], offline: true};
  if (answer.reason === "already") {
    return show({...person, ...answer, checked_in_at: ticket.local_at, checked_in_by: ticket.local_by});
  }
  if (answer.colour !== GREEN) return show({...person, ...answer});
  if (!addToQueue({...item, id: ticket.id, name: ticket.name})) return;
  markTicket(ticket.id, true, item.scanned_at, HOST);
  renderCounters();
  show({...person, ...answer, checked_in_at: item.scanned_at, nonce: item.nonce});
}

async function switchToOnSite(registrationId, button) {
  button.disabled = true;
  try {
    const response = await api("/switch", {registration_id: registrationId});
    if (!response.ok) {
      button.disabled = false;
      return screen.showPlain("red", "word_red",
                              t("switch_failed", {message: response.data.error?.message || t("error")}));
    }
    markTicket(registrationId, false);
    const ticket = ticketById(registrationId);
    if (ticket) ticket.mode = "on_site";
    await checkRegistration(registrationId);
  } catch {
    button.disabled = false;
    screen.showPlain("red", "word_red", t("switch_failed", {message: t("offline")}));
  }
}

async function undo(entry) {
  if (!entry) return;
  const items = queue();
  if (items.some((item) => item?.nonce === entry.nonce)) {
    // Still on this device: it never reached the server, so taking it off the queue undoes it.
    setQueue(items.filter((item) => item?.nonce !== entry.nonce));
    markTicket(entry.id, false);
    renderCounters();
    return finishUndo(entry, entry.name);
  }
  if (!entry.check_in_id) {
    // Synced, but the answer that named it on the server was lost: it cannot be found from here.
    screen.showPlain("undone", "word_not_undone", t("undo_failed"));
    return finishUndo(entry, null);
  }
  if (!online()) return screen.showPlain("undone", "word_not_undone", t("undo_offline"));
  try {
    const response = await api("/undo", {check_in_id: entry.check_in_id});
    if (!response.ok) {
      screen.showPlain("undone", "word_not_undone", response.data.error?.message || t("undo_failed"));
      return finishUndo(entry, null);
    }
    markTicket(entry.id, false);
    renderCounters(response.data.counters);
    finishUndo(entry, response.data.name || entry.name);
  } catch {
    screen.showPlain("undone", "word_not_undone", t("undo_offline"));
  }
}

function finishUndo(entry, name) {
  forget(entry);
  if (name) screen.showPlain("undone", "word_undone", t("undo_done", {name}));
  $("code-input").focus();
}

// --- taken off the event's staff ---------------------------------------------------------------

let ticking = 0, camera = null;

/* The server says this host no longer works this event's door: the phone stops at once. It keeps
 * nothing of the event (the ticket list and the unsent check-ins hold names), says how many
 * check-ins were not sent, and never tries to sync them: they would be refused anyway. */
function stopForGood() {
  if (state.removed) return;
  const unsent = queue().length;
  Object.assign(state, {removed: true, tickets: null, forgotten: true});
  clearInterval(ticking);
  camera?.stop();
  store.clear();
  navigator.serviceWorker?.controller?.postMessage({forget: location.pathname});
  for (const control of root.querySelectorAll("input, button, select, textarea")) control.disabled = true;
  screen.renderQueue(0);
  screen.renderRecent([], () => {});
  screen.renderTicketsStatus(null);
  const element = $("connection");
  element.classList.remove("is-online");
  element.classList.add("is-offline");
  $("connection-text").textContent = t("removed");
  screen.showPlain("red", "word_stopped", unsent ? t("removed_unsent", {num: unsent}) : t("removed"));
  root.dataset.removed = "true"; // tests wait on it
}

// --- sync and refresh --------------------------------------------------------------------------

async function sync() {
  const waiting = queue();
  if (state.syncing || !waiting.length || !navigator.onLine) return;
  if (Date.now() - state.lastSyncTry < SYNC_AT_MOST_EVERY_MS) return;
  state.syncing = true;
  state.lastSyncTry = Date.now();
  try {
    const batch = waiting.slice(0, SYNC_BATCH);
    const items = batch.map((item) => (item === null || typeof item !== "object" ? item
      : item.code ? {code: item.code, nonce: item.nonce, scanned_at: item.scanned_at}
        : {registration_id: item.registration_id, nonce: item.nonce, scanned_at: item.scanned_at}));
    const response = await api("/sync", {items});
    if (!response.ok) return;
    const results = response.data.results || [];
    // Every item is answered at its place in the batch, an item the server could not read with an error
    // of its own: all of them leave the queue (what came in meanwhile stays), the problems are reported.
    const sent = (result) => (Number.isInteger(result.index) && result.index < batch.length ? batch[result.index]
      : {nonce: result.nonce});
    const answered = new Set(results.map((result) => queueKey(sent(result))));
    setQueue(queue().filter((item) => !answered.has(queueKey(item))));
    for (const result of results) result.name ||= sent(result)?.name;
    const kept = recent();
    for (const result of results) {
      const entry = kept.find((other) => other.nonce === result.nonce);
      if (entry && result.colour === "green") entry.check_in_id = result.check_in_id; // undoable on the server now
      else if (entry) kept.splice(kept.indexOf(entry), 1); // a duplicate: nothing of ours to undo
      if (result.registration_id && result.colour !== "red") {
        markTicket(result.registration_id, true, result.checked_in_at, result.checked_in_by);
      }
    }
    saveRecent(kept);
    screen.reportSync(results);
    renderCounters(response.data.counters);
  } catch (error) {
    if (!(error instanceof Unreachable)) throw error;
  } finally {
    state.syncing = false;
  }
  if (queue().length && online()) setTimeout(sync, SYNC_AT_MOST_EVERY_MS); // more than one batch
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
      const ticket = list.find((candidate) => candidate.id === item?.id || candidate.id === item?.registration_id);
      if (ticket && !ticket.checked_in) Object.assign(ticket, {checked_in: true, local_at: item.scanned_at, local_by: HOST});
    }
    state.tickets = {generated_at: response.data.generated_at, list};
    saveTickets();
    root.dataset.tickets = response.data.generated_at; // when the list was last loaded (tests wait on it)
    renderCounters(response.data.counters);
    screen.renderTicketsStatus(state.tickets);
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
  // A scanner left open past the event forgets its copy on the device too (the list stays in memory).
  if (!state.forgotten && forgetAfterEvent(root, store, queue().length)) state.forgotten = true;
  if (!navigator.onLine) return;
  // While the server is unreachable (or the host signed out) the counter request notices the change.
  if (now - state.lastCounters >= (online() ? COUNTERS_EVERY_MS : SYNC_EVERY_MS)) refreshCounters();
  if (online() && now - state.lastTickets >= TICKETS_EVERY_MS) refreshTickets();
  if (online() && queue().length && now - state.lastSyncTry >= SYNC_EVERY_MS) sync();
}

// --- search and walk-ins -----------------------------------------------------------------------

function checkInFound(person, status) {
  screen.wakeAudio();
  enqueueWork(async () => {
    await checkRegistration(person.id);
    const ticket = ticketById(person.id);
    status.textContent = screen.statusWord(ticket ? {...person, ...ticket} : person);
  });
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
      if (response.ok) return screen.renderSearch(response.data.people || [], false, checkInFound);
    } catch (error) {
      if (!(error instanceof Unreachable)) throw error;
    }
  }
  screen.renderSearch(searchLocally(query), true, checkInFound);
}

let pendingWalkIn = {key: "", nonce: ""}; // a walk-in sent again after a lost answer keeps its nonce: one person

const sameName = (a, b) => a.trim().toLocaleLowerCase(LOCALE).replace(/\s+/g, " ")
  === b.trim().toLocaleLowerCase(LOCALE).replace(/\s+/g, " ");

function walkInError(error, message) {
  error.textContent = message;
  error.hidden = false;
  screen.showPlain("ready", "word_ready", ""); // the previous person's result must not look like this one's
}

async function walkIn(form) {
  const error = $("walk-in-error");
  const name = form.elements.name.value.trim(), email = form.elements.email.value.trim();
  if (pendingWalkIn.key !== `${name}\n${email}`) pendingWalkIn = {key: `${name}\n${email}`, nonce: uuid()};
  error.hidden = true;
  const namesake = name && (state.tickets?.list || []).find((person) => sameName(person.name, name));
  if (namesake && pendingWalkIn.confirmed !== pendingWalkIn.key) {
    // Probably someone already registered: ask before creating a second person.
    pendingWalkIn.confirmed = pendingWalkIn.key;
    walkInError(error, t("walk_in_namesake", {name: namesake.name}));
    $("search-input").value = namesake.name;
    enqueueWork(() => search(namesake.name));
    form.querySelector("button[type=submit]").textContent = t("walk_in_anyway");
    return;
  }
  if (!online()) return walkInError(error, t("walk_in_offline"));
  try {
    const response = await api("/walk-in", {name, email, nonce: pendingWalkIn.nonce});
    if (!response.ok) return walkInError(error, response.data.error?.message || t("error"));
    form.reset();
    form.querySelector("button[type=submit]").textContent = t("walk_in_submit");
    pendingWalkIn = {key: "", nonce: ""};
    afterServerResult(response.data.result, response.data.counters);
    refreshTickets();
  } catch {
    walkInError(error, t("walk_in_offline"));
  }
}

// --- wiring ------------------------------------------------------------------------------------

function start() {
  if (forgetAfterEvent(root, store, queue().length)) Object.assign(state, {tickets: null, forgotten: true});
  else store.save("forget_after", root.dataset.forgetAfter); // any page of the site can forget it then (forms.js)
  const codeInput = $("code-input");
  camera = createCamera(root, (text) => enqueueWork(() => checkCode(text)),
                        (on) => store.save("camera", on));
  $("code-form").addEventListener("submit", (event) => {
    event.preventDefault();
    screen.wakeAudio();
    const code = codeInput.value;
    codeInput.value = "";
    codeInput.focus();
    enqueueWork(() => checkCode(code));
  });
  // Type-ahead: search once the host pauses, from the second letter. Enter searches at once, and a
  // pause never searches again for what is already on screen (it would redraw the list under the host's finger).
  let typing = 0, shown = "";
  const searchFor = (query) => {
    clearTimeout(typing);
    if (query.trim() === shown) return;
    shown = query.trim();
    enqueueWork(() => search(query));
  };
  $("search-form").addEventListener("submit", (event) => {
    event.preventDefault();
    shown = "";  // Enter always asks again (someone may have been checked in meanwhile)
    searchFor($("search-input").value);
  });
  $("search-input").addEventListener("input", (event) => {
    clearTimeout(typing);
    const query = event.target.value;
    if (query.trim().length >= 2) typing = setTimeout(() => searchFor(query), 250);
  });
  $("walk-in-form")?.addEventListener("submit", (event) => {
    event.preventDefault();
    screen.wakeAudio();
    enqueueWork(() => walkIn(event.target));
  });
  $("undo").addEventListener("click", () => enqueueWork(() => undo(recent()[0])));
  $("camera-toggle").addEventListener("click", () => {
    screen.wakeAudio();
    if (camera.isOn()) {
      camera.stop();
      store.save("camera", false);
    } else {
      camera.start();
    }
  });
  const sound = $("sound");
  sound.checked = store.load("sound", true);
  sound.addEventListener("change", () => store.save("sound", sound.checked));
  document.addEventListener("pointerdown", screen.wakeAudio, {passive: true});
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
  // Signing out deletes this device's copy (Clear-Site-Data): check-ins not sent yet would go with it.
  document.querySelector("form[data-sign-out]")?.addEventListener("submit", (event) => {
    const unsent = queue().length;
    if (unsent && !window.confirm(t("sign_out_unsent", {num: unsent}))) event.preventDefault();
  });

  renderConnection();
  saveRecent(recent());
  screen.renderQueue(queue().length);
  screen.renderTicketsStatus(state.tickets);
  if (!navigator.onLine) renderCounters();
  if (matchMedia("(pointer: fine)").matches) codeInput.focus();
  whenBackOnline(); // sends what an earlier visit left in the queue, then loads the ticket list
  keepOffline(root);
  ticking = setInterval(tick, 2500);
  if (store.load("camera", false)) {
    navigator.permissions?.query({name: "camera"})
      .then((status) => { if (status.state === "granted") camera.start(); })
      .catch(() => {});
  }
}

start();
