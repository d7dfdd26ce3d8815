/* The phone's camera as a QR reader: the browser's BarcodeDetector where it has one, else the vendored
 * jsQR in a worker. The same code held up for a while is one scan, not one per frame.
 */
import {$, t} from "./screen.js";

const CAMERA_REPEAT_MS = 3000; // the same code seen again by the camera within this is ignored

async function makeDecoder(root) {
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

/* ``onCode(text)`` for each code seen; ``remember(on)`` keeps the host's choice for the next visit. */
export function createCamera(root, onCode, remember) {
  const camera = {stream: null, decode: null, timer: null, lastText: "", lastSeen: 0, busy: false};
  const status = (key) => { $("camera-status").textContent = t(key); };

  function seen(text) {
    const now = Date.now();
    const repeat = text === camera.lastText && now - camera.lastSeen < CAMERA_REPEAT_MS;
    camera.lastText = text;
    camera.lastSeen = now; // a ticket held up for long is still one scan
    if (!repeat) onCode(text);
  }

  async function scanFrames() {
    if (!camera.stream) return;
    const video = $("camera-video");
    if (!document.hidden && video.readyState >= 2 && !camera.busy) {
      camera.busy = true;
      try {
        const text = await camera.decode(video);
        if (text) seen(text);
      } catch {
        // one unreadable frame is nothing; try the next
      } finally {
        camera.busy = false;
      }
    }
    camera.timer = setTimeout(scanFrames, 150);
  }

  function stop() {
    clearTimeout(camera.timer);
    camera.stream?.getTracks().forEach((track) => track.stop());
    camera.stream = null;
    const video = $("camera-video");
    video.srcObject = null;
    video.hidden = true;
    const button = $("camera-toggle");
    button.textContent = t("camera_start");
    button.setAttribute("aria-pressed", "false");
    status("camera_off");
  }

  async function start() {
    const button = $("camera-toggle");
    if (!navigator.mediaDevices?.getUserMedia) return status("camera_unsupported");
    status("camera_starting");
    try {
      camera.stream = await navigator.mediaDevices.getUserMedia({
        audio: false, video: {facingMode: {ideal: "environment"}, width: {ideal: 1280}, height: {ideal: 720}},
      });
    } catch (error) {
      camera.stream = null;
      return status(error?.name === "NotAllowedError" ? "camera_denied" : "camera_failed");
    }
    camera.decode = camera.decode || await makeDecoder(root);
    if (!camera.decode) {
      stop();
      return status("no_decoder");
    }
    const video = $("camera-video");
    video.srcObject = camera.stream;
    video.hidden = false;
    try {
      await video.play();
    } catch {
      // muted inline video may play without it; frames are read either way
    }
    for (const track of camera.stream.getVideoTracks()) track.addEventListener("ended", stop);
    button.textContent = t("camera_stop");
    button.setAttribute("aria-pressed", "true");
    remember(true);
    status("camera_on");
    scanFrames();
  }

  return {start, stop, isOn: () => camera.stream !== null};
}
