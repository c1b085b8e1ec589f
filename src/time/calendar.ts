/** Broken-down wall-clock time of an epoch second in a zone offset, computed without a Date per call. */
export interface WallTime {
  year: number;
  month: number; // 1-12
  day: number;
  hour: number;
  minute: number;
  second: number;
  weekday: number; // 0 = Sunday
  yday: number; // 1-366
}

export const MONTH_NAMES = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
export const DAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

export function wallTime(sec: number, offset: number): WallTime {
  const local = sec + offset;
  const days = Math.floor(local / 86400);
  const rem = local - days * 86400;
  // Howard Hinnant's civil_from_days.
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  return {
    year, month, day,
    hour: Math.floor(rem / 3600),
    minute: Math.floor((rem % 3600) / 60),
    second: rem % 60,
    weekday: ((days % 7) + 11) % 7, // 1970-01-01 was a Thursday
    yday: days - daysFromCivil(year, 1, 1) + 1,
  };
}

/** Days since 1970-01-01 of a proleptic Gregorian date. */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** ISO 8601 week-numbering year and week (strftime %G, %V): weeks start on Monday, week 1 holds the first Thursday. */
export function isoWeek(w: WallTime): { year: number; week: number } {
  const thursdayYday = w.yday - (w.weekday || 7) + 4;
  if (thursdayYday < 1) {
    const prev = w.year - 1;
    return { year: prev, week: Math.floor((thursdayYday + (isLeapYear(prev) ? 366 : 365) - 1) / 7) + 1 };
  }
  if (thursdayYday > (isLeapYear(w.year) ? 366 : 365)) return { year: w.year + 1, week: 1 };
  return { year: w.year, week: Math.floor((thursdayYday - 1) / 7) + 1 };
}
