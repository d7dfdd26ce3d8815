// Reads calendar files one after the other in one process, as Thunderbird or Nextcloud would, and prints
// per VEVENT its UID, its start and end in UTC, SEQUENCE and STATUS, as JSON lines: the Python test
// compares them with what it wrote. Usage: node icaljs_read.mjs FILE...
import {readFileSync} from "node:fs";
import ICAL from "../vendor/ical.js/ical.js";

for (const file of process.argv.slice(2)) {
  const calendar = new ICAL.Component(ICAL.parse(readFileSync(file, "utf8")));
  for (const zone of calendar.getAllSubcomponents("vtimezone")) {
    ICAL.TimezoneService.register(zone);  // a long-running client keeps the zones it has seen
  }
  for (const component of calendar.getAllSubcomponents("vevent")) {
    const event = new ICAL.Event(component);
    console.log(JSON.stringify({
      file, uid: event.uid, summary: event.summary,
      start: event.startDate.toJSDate().toISOString(), end: event.endDate.toJSDate().toISOString(),
      sequence: event.sequence, status: component.getFirstPropertyValue("status"),
      method: calendar.getFirstPropertyValue("method"),
    }));
  }
}
