/* Check-in scanner: decodes camera frames off the main thread with the vendored jsQR, for browsers
 * without a native BarcodeDetector. Receives {id, width, height, buffer} (RGBA pixels) and answers
 * {id, text} (text is null when no QR code was found in the frame).
 */
/* global jsQR */
"use strict";
importScripts("../../vendor/jsqr/jsQR.js");

self.onmessage = function (event) {
  var frame = event.data, text = null;
  try {
    var found = jsQR(new Uint8ClampedArray(frame.buffer), frame.width, frame.height,
                     {inversionAttempts: "attemptBoth"});
    text = found && found.data ? found.data : null;
  } catch (error) {
    text = null; // a frame jsQR cannot make sense of is just a frame without a code
  }
  self.postMessage({id: frame.id, text: text});
};
