import { describe, expect, it } from "vitest";
import {
  closedSince,
  DEFAULT_WORKING_HOURS,
  isOpen,
  isTimeZone,
  localTime,
  weekSchedule,
  zonedInstant,
} from "../src/lib/business-hours";
import type { WorkingHours } from "../src/db/schema";

const at = (iso: string) => Date.parse(iso);
const closed = (day: number): WorkingHours => ({
  day_of_week: day,
  closed_all_day: true,
  open_all_day: false,
  open_hour: null,
  open_minutes: null,
  close_hour: null,
  close_minutes: null,
});
const hours = (day: number, open: [number, number], close: [number, number]): WorkingHours => ({
  day_of_week: day,
  closed_all_day: false,
  open_all_day: false,
  open_hour: open[0],
  open_minutes: open[1],
  close_hour: close[0],
  close_minutes: close[1],
});
const allDay = (day: number): WorkingHours => ({ ...closed(day), closed_all_day: false, open_all_day: true });
/** Closed every day but those given. */
const week = (...days: WorkingHours[]) => weekSchedule([0, 1, 2, 3, 4, 5, 6].map(closed), days);
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

describe("the wall clock in a zone", () => {
  it("reads the local date, weekday and minute, summer time included", () => {
    expect(localTime(at("2024-03-10T06:30:00Z"), "America/New_York")).toMatchObject({
      year: 2024,
      month: 3,
      day: 10,
      weekday: 0,
      minute: 90,
    });
    // 07:30Z is after the 02:00 → 03:00 jump: 03:30 EDT, not 02:30.
    expect(localTime(at("2024-03-10T07:30:00Z"), "America/New_York").minute).toBe(3 * 60 + 30);
    expect(localTime(at("2024-03-31T23:30:00Z"), "Europe/Berlin")).toMatchObject({ month: 4, day: 1, weekday: 1 });
  });

  it("turns a wall-clock time back into its instant, across both changes of the clock", () => {
    const sunday = { year: 2024, month: 3, day: 10 };
    expect(iso(zonedInstant(sunday, 9 * 60, "America/New_York"))).toBe("2024-03-10T13:00:00.000Z");
    expect(iso(zonedInstant(sunday, 60, "America/New_York"))).toBe("2024-03-10T06:00:00.000Z");
    // 02:30 does not exist that night: counted with the standard-time offset.
    expect(iso(zonedInstant(sunday, 150, "America/New_York"))).toBe("2024-03-10T07:30:00.000Z");
    // 02:30 happens twice in Berlin on 27 October 2024: the first, still in summer time.
    expect(iso(zonedInstant({ year: 2024, month: 10, day: 27 }, 150, "Europe/Berlin"))).toBe(
      "2024-10-27T00:30:00.000Z",
    );
    expect(iso(zonedInstant({ year: 2024, month: 11, day: 3 }, 90, "America/New_York"))).toBe(
      "2024-11-03T05:30:00.000Z",
    );
    expect(iso(zonedInstant({ year: 2024, month: 7, day: 1 }, 0, "UTC"))).toBe("2024-07-01T00:00:00.000Z");
  });
});

describe("open now", () => {
  const standard = weekSchedule([]);

  it("follows Chatwoot's default week: Monday to Friday 9–17", () => {
    expect(standard).toEqual(DEFAULT_WORKING_HOURS);
    expect(isOpen(standard, "UTC", at("2024-03-11T10:00:00Z"))).toBe(true); // Monday
    expect(isOpen(standard, "UTC", at("2024-03-11T08:59:59Z"))).toBe(false);
    expect(isOpen(standard, "UTC", at("2024-03-11T09:00:00Z"))).toBe(true);
    expect(isOpen(standard, "UTC", at("2024-03-11T16:59:59Z"))).toBe(true);
    expect(isOpen(standard, "UTC", at("2024-03-11T17:00:00Z"))).toBe(false);
    expect(isOpen(standard, "UTC", at("2024-03-16T12:00:00Z"))).toBe(false); // Saturday
  });

  it("reads the hours in the inbox's zone, with its summer time", () => {
    // Monday 1 April 2024, 07:30Z: 09:30 in Berlin (summer time began the day before).
    expect(isOpen(standard, "Europe/Berlin", at("2024-04-01T07:30:00Z"))).toBe(true);
    // A week earlier the same instant of the day was 08:30 CET: closed.
    expect(isOpen(standard, "Europe/Berlin", at("2024-03-25T07:30:00Z"))).toBe(false);
    // New York's DST Sunday, open 9–17: 13:30Z is 09:30 EDT (08:30 in standard time).
    const sundays = week(hours(0, [9, 0], [17, 0]));
    expect(isOpen(sundays, "America/New_York", at("2024-03-10T13:30:00Z"))).toBe(true);
    expect(isOpen(sundays, "America/New_York", at("2024-03-10T21:00:00Z"))).toBe(false);
    expect(isOpen(sundays, "America/New_York", at("2024-03-10T20:59:00Z"))).toBe(true);
  });

  it("keeps a night shift through the hour the clock skips", () => {
    const nights = week(hours(0, [1, 0], [4, 0]));
    expect(isOpen(nights, "America/New_York", at("2024-03-10T06:30:00Z"))).toBe(true); // 01:30 EST
    expect(isOpen(nights, "America/New_York", at("2024-03-10T07:30:00Z"))).toBe(true); // 03:30 EDT
    expect(isOpen(nights, "America/New_York", at("2024-03-10T08:00:00Z"))).toBe(false); // 04:00 EDT
  });

  it("is open around the clock on an open-all-day day, to its last second", () => {
    const s = week(allDay(3));
    expect(isOpen(s, "UTC", at("2024-03-13T00:00:00Z"))).toBe(true);
    expect(isOpen(s, "UTC", at("2024-03-13T23:59:59Z"))).toBe(true);
    expect(isOpen(s, "UTC", at("2024-03-14T00:00:00Z"))).toBe(false);
    expect(isOpen(week(hours(3, [20, 0], [23, 59])), "UTC", at("2024-03-13T23:59:30Z"))).toBe(true);
  });
});

describe("the closed period an instant falls in", () => {
  const standard = weekSchedule([]);

  it("began when the last opening ended: one period for a whole weekend", () => {
    const friday = "2024-03-15T17:00:00.000Z";
    expect(iso(closedSince(standard, "UTC", at("2024-03-15T17:00:00Z")))).toBe(friday);
    expect(iso(closedSince(standard, "UTC", at("2024-03-16T12:00:00Z")))).toBe(friday);
    expect(iso(closedSince(standard, "UTC", at("2024-03-18T08:59:00Z")))).toBe(friday);
    expect(closedSince(standard, "UTC", at("2024-03-18T09:00:00Z"))).toBeNull();
    // Tuesday before opening: since Monday's close.
    expect(iso(closedSince(standard, "UTC", at("2024-03-12T07:00:00Z")))).toBe("2024-03-11T17:00:00.000Z");
  });

  it("is dated in the inbox's zone across a change of the clock", () => {
    // Berlin, Monday 1 April 08:00 CEST: closed since Friday 17:00 CET (16:00Z).
    expect(iso(closedSince(standard, "Europe/Berlin", at("2024-04-01T06:00:00Z")))).toBe("2024-03-29T16:00:00.000Z");
    // New York's DST Sunday, open 9–17: closed since 17:00 EDT (21:00Z), not 22:00Z.
    const sundays = week(hours(0, [9, 0], [17, 0]));
    expect(iso(closedSince(sundays, "America/New_York", at("2024-03-10T23:00:00Z")))).toBe("2024-03-10T21:00:00.000Z");
    // A close in the repeated hour (Berlin, 27 October, 02:30) dates from its first occurrence.
    const early = week(hours(0, [0, 0], [2, 30]));
    expect(iso(closedSince(early, "Europe/Berlin", at("2024-10-27T03:00:00Z")))).toBe("2024-10-27T00:30:00.000Z");
  });

  it("starts at midnight after an open-all-day day, and every local day when never open", () => {
    expect(iso(closedSince(week(allDay(3)), "UTC", at("2024-03-14T03:00:00Z")))).toBe("2024-03-14T00:00:00.000Z");
    const never = week();
    expect(iso(closedSince(never, "America/New_York", at("2024-03-10T12:00:00Z")))).toBe("2024-03-10T05:00:00.000Z");
    expect(iso(closedSince(never, "America/New_York", at("2024-03-11T12:00:00Z")))).toBe("2024-03-11T04:00:00.000Z");
  });

  it("is the same instant for every moment of one period, and another for the next", () => {
    const s = week(hours(2, [9, 0], [17, 0]), hours(4, [9, 0], [17, 0]));
    const a = closedSince(s, "Asia/Kolkata", at("2024-03-13T00:00:00Z"));
    const b = closedSince(s, "Asia/Kolkata", at("2024-03-14T02:00:00Z"));
    const c = closedSince(s, "Asia/Kolkata", at("2024-03-14T12:00:00Z"));
    expect(a).toBe(b);
    expect(iso(a)).toBe("2024-03-12T11:30:00.000Z"); // Tuesday 17:00 IST
    expect(iso(c)).toBe("2024-03-14T11:30:00.000Z"); // Thursday 17:00 IST
  });
});

describe("schedules and zones", () => {
  it("merges changes day by day over the stored week, Chatwoot's defaults filling the rest", () => {
    const s = weekSchedule([closed(1)], [allDay(6), { ...hours(2, [8, 30], [12, 0]), close_minutes: null }]);
    expect(s.map((d) => d.day_of_week)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(s[1]).toEqual(closed(1));
    expect(s[2]).toMatchObject({ open_hour: 8, open_minutes: 30, close_hour: 12, close_minutes: 0 });
    expect(s[3]).toEqual(DEFAULT_WORKING_HOURS[3]);
    expect(s[6]).toMatchObject({
      open_all_day: true,
      open_hour: 0,
      open_minutes: 0,
      close_hour: 23,
      close_minutes: 59,
    });
    expect(s[0]).toEqual(closed(0));
  });

  it("knows IANA zone names and refuses the rest", () => {
    for (const tz of ["UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata"]) expect(isTimeZone(tz)).toBe(true);
    for (const tz of ["Mars/Olympus", "", "+01:00", "Europe/"]) expect(isTimeZone(tz)).toBe(false);
  });
});
