import { describe, expect, it } from "vitest";
import { contactBody } from "../src/events/bodies";
import { contactFrame } from "../src/events/frames";
import { EVENT_NAMES, EVENTS, type EventDefinition, heardBy, INBOX_EVENTS } from "../src/events/registry";

describe("events registry", () => {
  it("derives the inbox webhook's events and each audience's events from the declarations", () => {
    // Chatwoot's API inbox webhook_url: conversation, message and typing events, never contact or inbox ones.
    expect([...INBOX_EVENTS].sort()).toEqual([
      "conversation_created",
      "conversation_status_changed",
      "conversation_typing_off",
      "conversation_typing_on",
      "conversation_updated",
      "message_created",
      "message_updated",
    ]);
    expect(heardBy("contact").sort()).toEqual([
      "conversation_status_changed",
      "conversation_typing_off",
      "conversation_typing_on",
      "message_created",
      "message_updated",
    ]);
    expect(heardBy("contact", { replayed: true }).sort()).toEqual([
      "conversation_status_changed",
      "message_created",
      "message_updated",
    ]);
    expect(heardBy("agent", { replayed: true })).toEqual(
      EVENT_NAMES.filter((n) => !n.startsWith("inbox_") && !n.startsWith("conversation_typing")),
    );
    expect(EVENT_NAMES).toContain("contact_deleted");
  });

  it("gives every event heard on a socket a frame renderer, and every event a body renderer", () => {
    for (const name of EVENT_NAMES) {
      const d: EventDefinition = EVENTS[name];
      expect(typeof d.body, name).toBe("function");
      expect(d.frame === null, name).toBe(d.audiences.length === 0);
    }
  });

  it("refuses, at compile time, an event heard on sockets without a frame renderer", () => {
    const halfDeclared = {
      subject: "contact",
      inboxWebhook: false,
      botWebhook: false,
      replays: true,
      body: contactBody({ changed: false }),
      audiences: ["agent"],
      frame: null,
    } as const;
    // @ts-expect-error an event with audiences must say how its frame renders
    const refused: EventDefinition = halfDeclared;
    const declared: EventDefinition = { ...halfDeclared, frame: contactFrame };
    expect(refused.audiences).toEqual(declared.audiences);
  });
});
