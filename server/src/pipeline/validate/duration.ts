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
  // ChronicDuration first turns number words into digits (`two hours` → `2 hours`), sets numbers
  // apart (`1h30m` → `1 h 30 m`), and reads each other word, one comma at its ends dropped, as a
  // unit or a filler; a lone comma (`1,5`) is neither.
  const words: (number | string)[] = [];
  for (const w of numerize(s).replace(/\d*\.?\d+/g, ' $& ').split(/\s+/).filter(Boolean)) {
    if (/^\d*\.?\d+$/.test(w)) words.push(Number(w));
    else {
      const bare = w.replace(/^,/, '').replace(/,$/, '');
      if (bare in UNIT_SECONDS) words.push(bare);
      else if (!FILLERS.has(bare)) return undefined;
    }
  }
  // A leading unit counts once (`day` → `1 day`); each number counts in the unit after it, seconds
  // at the end, nothing when another number follows.
  if (typeof words[0] === 'string') words.unshift(1);
  let total = 0;
  words.forEach((w, i) => {
    if (typeof w !== 'number') return;
    const next = words[i + 1];
    total += next === undefined ? w : typeof next === 'string' ? w * UNIT_SECONDS[next] : 0;
  });
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
