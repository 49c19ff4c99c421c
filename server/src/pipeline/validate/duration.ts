/**
 * GitLab's durations (`Gitlab::Ci::Build::DurationParser`, built on ChronicDuration with
 * `raise_exceptions`): numbers with units (`1h 30m`, `2 days and 3 hours`, `1.5 weeks`), a bare
 * number of seconds, or `hh:mm[:ss]`. Any word that is not a unit or a filler makes it invalid.
 */
const UNIT_SECONDS: Record<string, number> = {};
const unit = (seconds: number, ...names: string[]) => names.forEach((n) => (UNIT_SECONDS[n] = seconds));
unit(0.001, 'ms', 'msec', 'msecs', 'millisecond', 'milliseconds');
unit(1, 's', 'sec', 'secs', 'second', 'seconds');
unit(60, 'm', 'min', 'mins', 'minute', 'minutes');
unit(3600, 'h', 'hr', 'hrs', 'hour', 'hours');
unit(86400, 'd', 'day', 'days', 'dy');
unit(604800, 'w', 'wk', 'wks', 'week', 'weeks');
unit(2592000, 'mo', 'mos', 'mon', 'mons', 'month', 'months');
unit(31557600, 'y', 'yr', 'yrs', 'year', 'years');
const FILLERS = new Set(['and', 'with', 'plus']);

export const WEEK = 604800;
export const MONTH = 2592000;

/** Seconds, or undefined when GitLab cannot parse it (ChronicDuration also reads a zero duration as none). */
export function parseDuration(text: string): number | undefined {
  const s = text.trim().toLowerCase();
  if (s === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(s)) return Number(s) || undefined;
  const clock = /^(\d+):(\d{1,2})(?::(\d{1,2}(?:\.\d+)?))?$/.exec(s);
  if (clock) return (clock[3] !== undefined ? +clock[1] * 3600 + +clock[2] * 60 + +clock[3] : +clock[1] * 60 + +clock[2]) || undefined;
  // ChronicDuration first turns number words into digits (`two hours` → `2 hours`), then splits
  // numbers from letters (`1h30m` → `1 h 30 m`) and drops punctuation between words.
  const words = numerize(s).replace(/(\d)([a-z])/g, '$1 $2').replace(/([a-z])(\d)/g, '$1 $2').replace(/,/g, ' ').split(/\s+/).filter(Boolean);
  let total = 0;
  let pending: number | undefined;
  for (const w of words) {
    if (/^\d+(\.\d+)?$/.test(w)) {
      if (pending !== undefined) total += pending; // a number without unit counts as seconds
      pending = Number(w);
    } else if (w in UNIT_SECONDS) {
      total += (pending ?? 0) * UNIT_SECONDS[w]; // a unit without a number counts for nothing
      pending = undefined;
    } else if (!FILLERS.has(w)) return undefined;
  }
  if (pending !== undefined) total += pending;
  return total > 0 ? total : undefined;
}

const SMALL = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve',
  'thirteen', 'fourteen', 'fifteen', 'sixteen', 'seventeen', 'eighteen', 'nineteen'];
const TENS = ['', '', 'twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety'];

/** The cardinal number words the Numerizer gem reads (`twenty-one`, `twenty one` → `21`), up to 99. */
function numerize(text: string): string {
  if (!/[a-z]/.test(text)) return text;
  const words = text.replace(/([a-z])-([a-z])/g, '$1 $2').split(/(\s+)/);
  const out: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    const tens = TENS.indexOf(w);
    if (tens >= 2) {
      const unit = SMALL.indexOf(words[i + 2] ?? '');
      if (unit >= 1 && unit <= 9 && /^\s+$/.test(words[i + 1] ?? '')) {
        out.push(String(tens * 10 + unit));
        i += 2;
      } else out.push(String(tens * 10));
    } else out.push(SMALL.includes(w) ? String(SMALL.indexOf(w)) : w);
  }
  return out.join('');
}

/** GitLab's `duration` validator: parses, and (with a limit) is not longer than it. */
export function durationProblem(text: string, limitSeconds?: number): 'should be a duration' | 'should not exceed the limit' | undefined {
  const s = parseDuration(text);
  if (s === undefined) return 'should be a duration';
  if (limitSeconds !== undefined && s > limitSeconds) return 'should not exceed the limit';
  return undefined;
}
