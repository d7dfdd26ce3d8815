/* What the host sees and hears: the result (green, amber, red, with the person's name), the status
 * line (connection, counter, queue, ticket list), the sync report and the search results. All visible
 * text comes from the page (#scanner-strings), translated on the server.
 */

const root = document.getElementById("scanner");
const STRINGS = JSON.parse(document.getElementById("scanner-strings").textContent);
const LOCALE = root.dataset.locale || "sv";
const PLURAL = new Intl.PluralRules(LOCALE);

export const $ = (id) => document.getElementById(id);

export function t(key, values = {}) {
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
export const WITH_SECONDS = timeFormat({hour: "2-digit", minute: "2-digit", second: "2-digit"});
export const clock = (iso, format = HOURS_MINUTES) => (iso ? format.format(new Date(iso)) : "");

// --- the result --------------------------------------------------------------------------------

const ICONS = {green: "✓", amber: "!", red: "✕", unverified: "?", undone: "↶", ready: ""};
const TONES = {
  green: {wave: "sine", notes: [[880, 0, 0.12], [1320, 0.13, 0.16]], vibrate: [90]},
  amber: {wave: "triangle", notes: [[600, 0, 0.14], [600, 0.22, 0.14]], vibrate: [80, 80, 80]},
  red: {wave: "square", notes: [[200, 0, 0.55]], vibrate: [300, 100, 300]},
};
TONES.unverified = TONES.amber;

export function detailFor(result) {
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

/* A scan's answer; ``actions`` are buttons to offer with it ({label, onClick}). */
export function show(result, actions = []) {
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
  const buttons = $("result-actions");
  buttons.replaceChildren();
  for (const action of actions) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "button";
    button.textContent = action.label;
    button.addEventListener("click", () => action.onClick(button));
    buttons.append(button);
  }
  signal(look);
}

export function showPlain(look, wordKey, detail) {
  $("result").className = `scan-result is-${look}`;
  $("result-icon").textContent = ICONS[look] || "";
  $("result-word").textContent = t(wordKey);
  for (const id of ["result-name", "result-organisation", "result-groups", "result-note"]) setLine(id, "");
  setLine("result-detail", detail);
  setLine("result-time", t("scanned_at", {time: clock(new Date().toISOString(), WITH_SECONDS)}));
  $("result-actions").replaceChildren();
}

export function showError(message) {
  showPlain("red", "word_red", message);
  signal("red");
}

// --- sound and vibration -----------------------------------------------------------------------

let audio = null;

export function wakeAudio() {
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

export function signal(look) {
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

// --- the status line ---------------------------------------------------------------------------

export function renderConnection(isOnline, signedOut) {
  const element = $("connection");
  element.classList.toggle("is-online", isOnline);
  element.classList.toggle("is-offline", !isOnline);
  $("connection-text").textContent = signedOut ? t("signed_out")
    : isOnline ? t("online") : `${t("offline")}. ${t("offline_hint")}`;
}

export function renderQueue(waiting) {
  const element = $("queue");
  element.hidden = waiting === 0;
  element.textContent = t("waiting", {num: waiting});
}

export function renderCounter(counters) {
  if (counters) $("counter").textContent = t("counter", {arrived: counters.checked_in, expected: counters.expected});
}

export function renderTicketsStatus(tickets) {
  $("tickets-status").textContent = tickets
    ? t("tickets_loaded", {num: tickets.list.length, time: clock(tickets.generated_at)}) : t("no_tickets");
}

export function reportSync(results) {
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
      item.textContent = t("sync_problem", {name: result.name || "?",
                                            detail: result.error?.message || detailFor(result)});
    }
    list.append(item);
  }
  report.replaceChildren(summary, ...(list.childElementCount ? [list] : []));
  $("sync-box").hidden = false;
  if (list.childElementCount) signal("amber");
}

// --- search results ----------------------------------------------------------------------------

export function statusWord(person) {
  if (person.checked_in) return t("status_checked_in");
  if (person.status === "waitlisted") return t("status_waitlisted");
  if (person.mode === "digital") return t("status_digital");
  return "";
}

/* The people found; ``onCheckIn(person, statusElement)`` when the host checks one in. */
export function renderSearch(people, offline, onCheckIn) {
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
    button.addEventListener("click", () => onCheckIn(person, status));
    item.append(about, button);
    list.append(item);
  }
  const count = people.length ? t("search_count", {num: people.length}) : t("search_none");
  $("search-status").textContent = offline ? `${t("search_offline")} ${count}` : count;
}

/* The door's recent check-ins, newest first, each with its own undo button. */
export function renderRecent(entries, onUndo) {
  const list = $("recent-list");
  if (!list) return;
  list.replaceChildren();
  $("recent-empty").hidden = entries.length > 0;
  for (const entry of entries) {
    const item = document.createElement("li");
    const text = document.createElement("span");
    text.textContent = `${clock(entry.at)} ${entry.name || ""}`;
    const button = document.createElement("button");
    button.type = "button";
    button.className = "button button-secondary";
    button.textContent = t("undo");
    button.setAttribute("aria-label", t("undo_person", {name: entry.name || ""}));
    button.addEventListener("click", () => onUndo(entry));
    item.append(text, button);
    list.append(item);
  }
}
