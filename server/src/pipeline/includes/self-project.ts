/**
 * Includes of the pipeline's own project at its own commit — what a components repository
 * writes to test its components (`component: $CI_SERVER_FQDN/$CI_PROJECT_PATH/NAME@$CI_COMMIT_SHA`,
 * `include: project: $CI_PROJECT_PATH, ref: $CI_COMMIT_SHA`). In GitLab that is the commit the
 * pipeline runs for; here it is the working tree (open editors included), so these includes read
 * the root project instead of asking for a project at a ref no source knows.
 *
 * The project is the current one when written as `$CI_PROJECT_PATH` or equal to the path of the
 * folder's git remote (`selfProject`); a component's host likewise when written as
 * `$CI_SERVER_FQDN` / `$CI_SERVER_HOST` or equal to the remote's host. The ref is the current one when written as
 * `$CI_COMMIT_SHA`, `$CI_COMMIT_REF_NAME` or `$CI_COMMIT_BRANCH` (braced or not), or when it
 * equals one of their values.
 */

/** The folder's own project as its git remote names it. */
export interface SelfProject {
  host?: string;
  path: string;
}

type Vars = Readonly<Record<string, string | undefined>>;

const CURRENT_REF_VARIABLES = ['CI_COMMIT_SHA', 'CI_COMMIT_REF_NAME', 'CI_COMMIT_BRANCH'];

const same = (a: string | undefined, b: string | undefined) => a !== undefined && b !== undefined && a !== '' && a.toLowerCase() === b.toLowerCase();

const variable = (written: string, names: readonly string[]) => {
  const m = /^\$(?:\{(\w+)\}|(\w+))$/.exec(written.trim());
  return !!m && names.includes(m[1] ?? m[2]);
};

/** Whether a project (as written, and expanded) is the pipeline's own project. */
export function isSelfProject(written: string, expanded: string, self: SelfProject | undefined): boolean {
  return variable(written.replace(/^\/+|\/+$/g, ''), ['CI_PROJECT_PATH']) || same(expanded, self?.path);
}

/** Whether a ref (as written, and expanded) names the commit the pipeline runs for. */
export function isCurrentRef(written: string, expanded: string, vars: Vars): boolean {
  return variable(written, CURRENT_REF_VARIABLES) || CURRENT_REF_VARIABLES.some((name) => same(expanded, vars[name]));
}

/**
 * A component address (as written) of the pipeline's own project at its own commit: its name and
 * written version, else undefined.
 */
export function selfComponent(
  written: string,
  expand: (text: string) => string,
  vars: Vars,
  self: SelfProject | undefined,
): { name: string; version: string } | undefined {
  const at = written.lastIndexOf('@');
  if (at < 0) return undefined;
  const version = written.slice(at + 1);
  const address = written.slice(0, at);
  const firstSlash = address.indexOf('/');
  const lastSlash = address.lastIndexOf('/');
  if (firstSlash <= 0 || lastSlash <= firstSlash) return undefined;
  const host = address.slice(0, firstSlash);
  const project = address.slice(firstSlash + 1, lastSlash);
  const name = address.slice(lastSlash + 1);
  const hostOk = variable(host, ['CI_SERVER_FQDN', 'CI_SERVER_HOST']) || same(expand(host), self?.host);
  if (!hostOk || !name || !isSelfProject(project, expand(project), self) || !isCurrentRef(version, expand(version), vars)) return undefined;
  return { name, version };
}
