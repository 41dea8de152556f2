/**
 * An inbox's business hours, evaluated with the platform's Intl in the inbox's IANA time zone
 * (daylight saving time included): pure functions of a schedule, a zone and an instant, so the
 * caller decides what "now" is.
 *
 * A day's hours are wall-clock times of that day, open from the opening minute up to, not
 * including, the closing minute; a day that closes at 23:59 (Chatwoot's "open all day") stays
 * open until midnight.
 */

/** One weekday of a schedule, as Chatwoot's `working_hours` entries (the shape `inboxes.working_hours` stores). */
export type WorkingHours = {
  day_of_week: number;
  closed_all_day: boolean;
  open_all_day: boolean;
  open_hour: number | null;
  open_minutes: number | null;
  close_hour: number | null;
  close_minutes: number | null;
};

const DAY_MINUTES = 24 * 60;
const DAY_MS = DAY_MINUTES * 60_000;

const closedDay = (day_of_week: number): WorkingHours => ({
  day_of_week,
  closed_all_day: true,
  open_all_day: false,
  open_hour: null,
  open_minutes: null,
  close_hour: null,
  close_minutes: null,
});

/** Chatwoot's schedule for a new inbox: Monday to Friday 9:00–17:00, closed on Saturday and Sunday. */
export const DEFAULT_WORKING_HOURS: readonly WorkingHours[] = [0, 1, 2, 3, 4, 5, 6].map((day) =>
  day === 0 || day === 6
    ? closedDay(day)
    : {
        day_of_week: day,
        closed_all_day: false,
        open_all_day: false,
        open_hour: 9,
        open_minutes: 0,
        close_hour: 17,
        close_minutes: 0,
      },
);

/** One day as stored: a closed day carries no times, an open-all-day one 0:00–23:59 (as Chatwoot). */
export function storedDay(d: WorkingHours): WorkingHours {
  if (d.closed_all_day) return closedDay(d.day_of_week);
  if (d.open_all_day)
    return { ...d, open_hour: 0, open_minutes: 0, close_hour: 23, close_minutes: 59, closed_all_day: false };
  return { ...d, open_minutes: d.open_minutes ?? 0, close_minutes: d.close_minutes ?? 0 };
}

/**
 * The week, Sunday to Saturday, with `changes` applied over `current` day by day (as Chatwoot's
 * update does: a day not in `changes` keeps its hours). A day missing from both has Chatwoot's
 * default hours for it, so a schedule never stored reads as a new inbox's.
 */
export function weekSchedule(current: readonly WorkingHours[], changes: readonly WorkingHours[] = []): WorkingHours[] {
  const week = DEFAULT_WORKING_HOURS.map((d) => ({ ...d }));
  for (const d of [...current, ...changes]) {
    if (Number.isInteger(d.day_of_week) && d.day_of_week >= 0 && d.day_of_week < 7) week[d.day_of_week] = storedDay(d);
  }
  return week;
}

/** The minutes of the day a day is open, [open, close); none when closed. */
function openMinutes(d: WorkingHours | undefined): [number, number] | null {
  if (!d || d.closed_all_day) return null;
  if (d.open_all_day) return [0, DAY_MINUTES];
  const open = (d.open_hour ?? 0) * 60 + (d.open_minutes ?? 0);
  const close = (d.close_hour ?? 0) * 60 + (d.close_minutes ?? 0);
  const end = close === DAY_MINUTES - 1 ? DAY_MINUTES : close;
  return end > open ? [open, end] : null;
}

/** Whether Intl knows `tz` as an IANA zone name (a bare UTC offset such as "+01:00" is not one). */
export function isTimeZone(tz: string): boolean {
  if (!/^[A-Za-z]/.test(tz)) return false;
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(tz: string) {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: tz,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    formatters.set(tz, f);
  }
  return f;
}

/** A calendar date (month 1–12). */
type LocalDate = { year: number; month: number; day: number };
type LocalTime = LocalDate & { weekday: number; minute: number; wall: number };

/** The wall clock in `tz` at `at`: the date, its weekday (0 is Sunday), minute of the day, and as UTC ms. */
export function localTime(at: number, tz: string): LocalTime {
  const p: Record<string, number> = {};
  for (const part of formatter(tz).formatToParts(new Date(at))) {
    if (part.type !== "literal") p[part.type] = Number(part.value);
  }
  const wall = Date.UTC(p.year, p.month - 1, p.day, p.hour % 24, p.minute, p.second);
  return {
    year: p.year,
    month: p.month,
    day: p.day,
    weekday: new Date(Date.UTC(p.year, p.month - 1, p.day)).getUTCDay(),
    minute: (p.hour % 24) * 60 + p.minute,
    wall,
  };
}

/** How far `tz`'s wall clock is ahead of UTC at `at`, in ms. */
const offsetAt = (at: number, tz: string) => localTime(at, tz).wall - (at - (((at % 1000) + 1000) % 1000));

/**
 * The instant a wall-clock time of a date has in `tz`. A time the clock shows twice (the hour
 * repeated when summer time ends) is its first; one it skips (when summer time begins) is
 * counted with the offset in force before the change.
 */
export function zonedInstant(date: LocalDate, minute: number, tz: string): number {
  const wall = Date.UTC(date.year, date.month - 1, date.day, 0, minute);
  // Zones change their offset at most once around a given day: the offsets a day either side.
  const before = wall - offsetAt(wall - DAY_MS, tz);
  const after = wall - offsetAt(wall + DAY_MS, tz);
  const valid = [before, after].filter((at) => localTime(at, tz).wall === wall);
  return valid.length ? Math.min(...valid) : before;
}

const daysBefore = (date: LocalDate, n: number): LocalDate => {
  const d = new Date(Date.UTC(date.year, date.month - 1, date.day) - n * DAY_MS);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
};

const dayOf = (schedule: readonly WorkingHours[], weekday: number) => schedule.find((d) => d.day_of_week === weekday);

/** Whether the schedule is open at `at` in `tz`. */
export function isOpen(schedule: readonly WorkingHours[], tz: string, at: number): boolean {
  const now = localTime(at, tz);
  const open = openMinutes(dayOf(schedule, now.weekday));
  return open !== null && now.minute >= open[0] && now.minute < open[1];
}

/**
 * When the closed period `at` falls in began (ms), or null when the schedule is open at `at`:
 * the end of the latest opening before `at`. A schedule that never opens has one closed period
 * per local day, from its midnight, so it still answers once a day.
 */
export function closedSince(schedule: readonly WorkingHours[], tz: string, at: number): number | null {
  if (isOpen(schedule, tz, at)) return null;
  const now = localTime(at, tz);
  for (let back = 0; back <= 7; back++) {
    const open = openMinutes(dayOf(schedule, (now.weekday - back + 7) % 7));
    // Today's opening still ahead (we are closed) is not the one that ended this period.
    if (!open || (back === 0 && open[1] > now.minute)) continue;
    const date = daysBefore(now, back);
    return open[1] === DAY_MINUTES ? zonedInstant(daysBefore(date, -1), 0, tz) : zonedInstant(date, open[1], tz);
  }
  return zonedInstant(now, 0, tz);
}
