/**
 * Business days are calendar dates (`YYYY-MM-DD`) in the cut-off's IANA time zone: a spend
 * belongs to the day its `at` falls on there, and the night after that day redeems it.
 */
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (f === undefined) {
    // en-CA formats dates as YYYY-MM-DD; the time zone is validated by the constructor.
    f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Whether `timeZone` is an IANA zone this runtime knows. */
export function isTimeZone(timeZone: string): boolean {
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** The business day of an instant in `timeZone`; `undefined` for a time that does not parse. */
export function businessDayOf(at: string | Date, timeZone: string): string | undefined {
  const ms = typeof at === 'string' ? Date.parse(at) : at.getTime();
  if (!Number.isFinite(ms)) return undefined;
  const parts = formatterFor(timeZone).formatToParts(ms);
  const get = (type: string): string => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')}`;
}

/**
 * Whether `day` has not begun yet at `now` (+ `slackMs`, for another party's clock a little ahead)
 * in `timeZone`: no spend can belong to it, so nothing of it can be sealed or claimed.
 */
export function isFutureBusinessDay(day: string, now: Date, timeZone: string, slackMs = 0): boolean {
  const today = businessDayOf(new Date(now.getTime() + slackMs), timeZone);
  return today !== undefined && day > today;
}

/** Whether `day` is a real calendar date written `YYYY-MM-DD`. */
export function isBusinessDay(day: string): boolean {
  const m = DAY.exec(day);
  if (!m) return false;
  const date = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return date.toISOString().slice(0, 10) === day;
}

/** The calendar day `days` after `day` (negative: before); pure date arithmetic, no time zone. */
export function addDays(day: string, days: number): string {
  if (!isBusinessDay(day)) throw new RangeError(`not a business day: ${day}`);
  const date = new Date(`${day}T00:00:00.000Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}

/** The day a cut-off at `now` closes: the business day before today in `timeZone`. */
export function previousBusinessDay(now: Date, timeZone: string): string {
  return addDays(businessDayOf(now, timeZone)!, -1);
}

/** `YYYYMMDD` as a number, for ordering days (e.g. Redis sorted-set scores). */
export function dayNumber(day: string): number {
  return Number(day.replaceAll('-', ''));
}
