/* The door's rule, for a ticket from the list kept on this device (the server decides online by the
 * same table: checkin.services.refusal; tests/checkin/door_rules.json holds the cases both answer alike).
 * No ticket: red. Cancelled, waitlisted or digital: red, and why. Checked in already: amber. Else green.
 */

export const GREEN = "green", AMBER = "amber", RED = "red";

export function decide(ticket) {
  if (!ticket) return {colour: RED, reason: "not_found"};
  if (ticket.status === "cancelled") return {colour: RED, reason: "cancelled"};
  if (ticket.status === "waitlisted") return {colour: RED, reason: "waitlisted"};
  if (ticket.mode === "digital") return {colour: RED, reason: "digital"};
  if (ticket.checked_in) return {colour: AMBER, reason: "already"};
  return {colour: GREEN, reason: "checked_in"};
}
