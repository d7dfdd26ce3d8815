/* Tickets and short codes as the device checks them offline: the list holds SHA-256 hashes of each
 * ticket's QR payload and of its normalised short code, never the codes themselves.
 */

export const TICKET_PREFIX = "EH1:";

export async function sha256(text) {
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

export function uuid() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/* As checkin.services.normalise_short_code: forgive case, spaces, dashes and the look-alikes O/0, I/L/1.
 * Only ASCII letters and digits count, on both sides (tests/checkin/door_rules.json, "codes"). */
export function normaliseShortCode(text) {
  const cleaned = (text || "").replace(/[^0-9A-Za-z]/g, "").toUpperCase()
    .replace(/O/g, "0").replace(/[IL]/g, "1").replace(/U/g, "V");
  return cleaned.length === 8 ? `${cleaned.slice(0, 4)}-${cleaned.slice(4)}` : "";
}

/* The ticket a scanned or typed code names in the list, or null. */
export async function findTicket(list, code) {
  if (code.startsWith(TICKET_PREFIX)) {
    const hash = await sha256(code);
    return list.find((ticket) => ticket.ticket === hash) || null;
  }
  const short = normaliseShortCode(code);
  if (!short) return null;
  const hash = await sha256(short);
  return list.find((ticket) => ticket.code === hash) || null;
}
