/**
 * Component version resolution as GitLab's catalog does it: `~latest` (the newest release that is
 * not a pre-release), a partial version `1` / `1.2` (the newest release matching it), an exact
 * tag. Anything else (branch, SHA) is used as written. Releases are the tags here: whether
 * the project publishes them in the catalog is not known offline.
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

/** Whether a tag is a semantic version a catalog release can carry (`1.2.3`, `v1.2.3`, `1.2.3-rc1`). */
export function isReleaseVersion(tag: string): boolean {
  return parse(tag) !== undefined;
}

/**
 * Pick the tag a component version designates among `tags` (InstancePath#find_version_sha):
 * `~latest` only the newest release; a shorthand `1` / `1.2` the newest release of that major
 * (and minor) before a tag of that very name; else the tag itself. Pre-releases are picked only by
 * their full name. Undefined when none matches (a branch or SHA is then used as written).
 */
export function pickVersion(version: string, tags: readonly string[]): string | undefined {
  const releases = tags.map(parse).filter((v): v is SemVer => !!v && v.pre === '');
  releases.sort((a, b) => compareVersions(b.raw, a.raw));
  if (version === '~latest') return releases[0]?.raw;
  const partial = /^(\d+)(?:\.(\d+))?$/.exec(version);
  if (partial) {
    const major = +partial[1];
    const minor = partial[2] === undefined ? undefined : +partial[2];
    const release = releases.find((r) => r.major === major && (minor === undefined || r.minor === minor));
    if (release) return release.raw;
  }
  return tags.includes(version) ? version : undefined;
}
