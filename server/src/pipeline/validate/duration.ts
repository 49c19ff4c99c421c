/**
 * GitLab's durations (`Gitlab::Ci::Build::DurationParser`, built on the ChronicDuration GitLab
 * vendors, with `raise_exceptions`): numbers with units (`1h 30m`, `2 days and 3 hours`,
 * `1.5 weeks`), a bare number of seconds, or a clock (`1:30`, `4:01:01`). Any word that is not a
 * unit or a filler makes it invalid, and so does a zero total.
 */
/** ChronicDuration's units, smallest first (a number without unit takes the next smaller one). */
const UNITS = ['seconds', 'minutes', 'hours', 'days', 'weeks', 'months', 'years'] as const;
type Unit = (typeof UNITS)[number];
const SECONDS: Record<Unit, number> = { seconds: 1, minutes: 60, hours: 3600, days: 86400, weeks: 604800, months: 2592000, years: 31557600 };
const MAPPINGS: Record<string, Unit> = {};
const unit = (u: Unit, ...names: string[]) => names.forEach((n) => (MAPPINGS[n] = u));
unit('seconds', 's', 'sec', 'secs', 'second', 'seconds');
unit('minutes', 'm', 'min', 'mins', 'minute', 'minutes');
unit('hours', 'h', 'hr', 'hrs', 'hour', 'hours');
unit('days', 'd', 'dy', 'day', 'days');
unit('weeks', 'w', 'wk', 'wks', 'week', 'weeks');
unit('months', 'mo', 'mos', 'month', 'months');
unit('years', 'y', 'yr', 'yrs', 'year', 'years');
const FILLERS = new Set(['and', 'with', 'plus']);
/** A clock's fields from the right: weeks are skipped. */
const CLOCK_UNITS: Unit[] = ['seconds', 'minutes', 'hours', 'days', 'months', 'years'];
const NUMBER = /[0-9]*\.?[0-9]+/g;

export const WEEK = 604800;
export const MONTH = 2592000;

/** Seconds, or undefined when GitLab cannot parse it (ChronicDuration reads a zero total as none). */
export function parseDuration(text: string): number | undefined {
  let s = text.toLowerCase();
  const compact = s.replace(/ /g, '');
  if (/^[0-9]+:[0-9]+(:[0-9]+){0,4}(\.[0-9]*)?$/.test(compact)) {
    s = compact.split(':').reverse().map((v, k) => `${v} ${CLOCK_UNITS[k]}`).reverse().join(' ');
  }
  // Numbers are set apart (`1h30m` → `1 h 30 m`); every other word, one comma at its ends dropped,
  // is a unit or a filler.
  const words: (number | Unit)[] = [];
  for (const w of s.replace(NUMBER, ' $& ').trim().split(/\s+/).filter(Boolean)) {
    if (/^[0-9]*\.?[0-9]+$/.test(w)) words.push(Number(w));
    else {
      const bare = w.replace(/^,/, '').replace(/,$/, '');
      if (bare in MAPPINGS) words.push(MAPPINGS[bare]);
      else if (!FILLERS.has(bare)) return undefined;
    }
  }
  if (typeof words[0] === 'string') words.unshift(1); // `day` is `1 day`
  // Each number counts in the unit after it; without one, in the unit below the last one written
  // (`1 hour 30` is 90 minutes), or in seconds.
  let total = 0;
  let last: Unit | undefined;
  words.forEach((w, i) => {
    if (typeof w !== 'number') return;
    const next = words[i + 1];
    let u: Unit;
    if (typeof next === 'string') u = next;
    else if (last) u = UNITS[Math.max(0, UNITS.indexOf(last) - 1)];
    else u = 'seconds';
    if (typeof next === 'string' || last) last = u;
    total += w * SECONDS[u];
  });
  return total > 0 ? total : undefined;
}

/** GitLab's `duration` validator: parses, and (with a limit) is not longer than it. */
export function durationProblem(text: string, limitSeconds?: number): 'should be a duration' | 'should not exceed the limit' | undefined {
  const s = parseDuration(text);
  if (s === undefined) return 'should be a duration';
  if (limitSeconds !== undefined && s > limitSeconds) return 'should not exceed the limit';
  return undefined;
}
