/**
 * Component version resolution as GitLab's catalog does it: an exact tag, `~latest` (the
 * newest release that is not a pre-release), or a partial version `1` / `1.2` (the newest
 * release matching it). Anything else (branch, SHA) is used as written.
 */
interface SemVer { major: number; minor: number; patch: number; pre: string; raw: string }

function parse(v: string): SemVer | undefined {
  const m = /^v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?$/.exec(v);
  if (!m) return undefined;
  return { major: +m[1], minor: +m[2], patch: +m[3], pre: m[4] ?? '', raw: v };
}

export function compareVersions(a: string, b: string): number {
  const x = parse(a);
  const y = parse(b);
  if (!x || !y) return a.localeCompare(b, undefined, { numeric: true });
  return x.major - y.major || x.minor - y.minor || x.patch - y.patch || (x.pre === y.pre ? 0 : x.pre === '' ? 1 : y.pre === '' ? -1 : x.pre.localeCompare(y.pre, undefined, { numeric: true }));
}

/** Pick the tag a component version designates among `tags`; undefined when none matches. */
export function pickVersion(version: string, tags: readonly string[]): string | undefined {
  if (tags.includes(version)) return version;
  const releases = tags.map(parse).filter((v): v is SemVer => !!v && v.pre === '');
  releases.sort((a, b) => compareVersions(b.raw, a.raw));
  if (version === '~latest') return releases[0]?.raw;
  const partial = /^(\d+)(?:\.(\d+))?$/.exec(version);
  if (partial) {
    const major = +partial[1];
    const minor = partial[2] === undefined ? undefined : +partial[2];
    return releases.find((r) => r.major === major && (minor === undefined || r.minor === minor))?.raw;
  }
  return undefined;
}
