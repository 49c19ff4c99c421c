/**
 * `include: component:` — where an address points and GitLab's verdict before the content is used
 * (Ci::Components::FetchService, Gitlab::Ci::Components::InstancePath,
 * Ci::Catalog::ComponentsProject, File::Component):
 *
 * - The address must hold an `@` and start with the instance's FQDN and `/` (`match?`), else "the
 *   component path is not supported". An address starting with `/`, or with its first `@` before
 *   any `/`, can start with no FQDN. The FQDN is `CI_SERVER_FQDN` (with its path when GitLab runs
 *   on a relative URL); since the instance is not known for sure offline, another host is a
 *   warning and the address is read with its first segment as the host.
 * - Split at the first `@`: the path before it, the version after. In the path without the FQDN
 *   prefix, the project is what lies before the last `/`, the component name what follows; a path
 *   starting with `/` or without `/` names no project: "content not found".
 * - The version (the source resolves it: `~latest`, shorthand `1` / `1.2` from the releases before
 *   a tag or ref of that name, a released tag, any ref) and the template:
 *   `templates/NAME.yml`, else `templates/NAME/template.yml`.
 * - The component context: name, sha, version (the release's semantic version; none for a branch,
 *   a SHA or another ref), reference (the version as written after `@`).
 * - A component cannot use `spec:include` (checked on its header, `componentSpecIncludeError`).
 */
import { selfComponent } from './self-project.js';
import type { IncludeEntry } from './include-entries.js';
import { isMissing } from './targets.js';
import type { LocateContext, Target } from './targets.js';
import type { ComponentContext } from '../inputs/inputs.js';
import type { MapNode, PipelineDiagnostic, Span } from '../model.js';
import type { ProjectLoc } from '../sources.js';
import { expandVariables } from '../variables/variable-expansion.js';

/** An address split as InstancePath does, or GitLab's reason to refuse it. */
type Address =
  | { ok: true; project: string; name: string; version: string; otherHost?: string }
  | { ok: false; unsupported: boolean };

/** InstancePath: the project, name and version of an address, given the instance's FQDN when known. */
export function parseComponentAddress(address: string, fqdn: string | undefined): Address {
  const at = address.indexOf('@');
  const firstSlash = address.indexOf('/');
  // `match?`: no FQDN (no `@`, no `/`) is followed by `/` here.
  if (at < 0 || firstSlash <= 0 || firstSlash > at) return { ok: false, unsupported: true };
  const fullPath = address.slice(0, at);
  const version = address.slice(at + 1);
  let instancePath: string;
  let otherHost: string | undefined;
  if (fqdn && fullPath.startsWith(`${fqdn}/`)) instancePath = fullPath.slice(fqdn.length + 1);
  else {
    instancePath = fullPath.slice(firstSlash + 1);
    if (fqdn) otherHost = fullPath.slice(0, firstSlash);
  }
  const lastSlash = instancePath.lastIndexOf('/');
  if (instancePath.startsWith('/') || lastSlash < 0) return { ok: false, unsupported: false };
  return { ok: true, project: instancePath.slice(0, lastSlash), name: instancePath.slice(lastSlash + 1), version, otherHost };
}

export async function resolveComponent(entry: IncludeEntry, address: string, ctx: LocateContext): Promise<Target | undefined> {
  const vars = ctx.variables;
  const prefix = `Component '${address}' -`;
  const expandKnown = (text: string) => expandVariables(text, vars, { keepUndefined: true });
  const self = selfComponent(entry.location, expandKnown, vars, ctx.selfProject);
  // (Its host, project and ref are read as written: see self-project.ts.) The pipeline's commit is a
  // SHA or a branch, never a catalog release: no version.
  if (self) return readComponent(entry, address, { project: null }, self.name, { name: self.name, sha: vars.CI_COMMIT_SHA, reference: expandKnown(self.version) }, ctx);
  const fqdn = typeof vars.CI_SERVER_FQDN === 'string' && vars.CI_SERVER_FQDN ? vars.CI_SERVER_FQDN : undefined;
  const parsed = parseComponentAddress(address, fqdn);
  if (!parsed.ok) {
    ctx.error('component-invalid', parsed.unsupported ? `${prefix} the component path is not supported` : `${prefix} content not found`, entry.span, { reason: 'no project in the address (FQDN/PROJECT/NAME@VERSION)' });
    return undefined;
  }
  const { project, name, version, otherHost } = parsed;
  if (otherHost !== undefined) {
    const d: PipelineDiagnostic = {
      severity: 'warning',
      code: 'component-host',
      message: `${prefix} the component path is not supported on an instance whose FQDN is \`${fqdn}\`: GitLab reads components of its own instance only (the host \`${otherHost}\` is read here as written)`,
      span: entry.locationSpan,
      data: { host: otherHost, fqdn },
    };
    ctx.report(d);
  }
  const v = await ctx.sources.resolveComponentVersion(project, version);
  if (!v.ok) {
    ctx.error('component-version', `${prefix} content not found (${v.error})`, entry.span, { project, version });
    return undefined;
  }
  return readComponent(entry, address, { project, ref: v.ref }, name, { name, sha: v.sha, version: v.version, reference: version }, ctx);
}

/** ComponentsProject#fetch_component: `templates/NAME.yml`, else `templates/NAME/template.yml`. */
async function readComponent(entry: IncludeEntry, address: string, loc: ProjectLoc, name: string, component: ComponentContext, ctx: LocateContext): Promise<Target | undefined> {
  const prefix = `Component '${address}' -`;
  const failures: string[] = [];
  for (const path of [`templates/${name}.yml`, `templates/${name}/template.yml`]) {
    const r = await ctx.sources.readProjectFile(loc, path);
    if (r.ok) return { uri: r.uri, text: r.text, kind: 'component', loc, path, note: r.note, component, location: address, emptyMessage: `${prefix} content not found` };
    if (!isMissing(r.error)) failures.push(r.error);
  }
  const where = loc.project === null ? 'the working tree of this project' : `${loc.project}@${loc.ref}`;
  // A source that could not be asked is not GitLab's "content not found".
  const message = failures.length
    ? `${prefix} could not be read: ${failures[0]}`
    : `${prefix} content not found (neither templates/${name}.yml nor templates/${name}/template.yml exists in ${where})`;
  ctx.error('include-missing', message, entry.span, { project: loc.project, ref: loc.ref });
  return undefined;
}

/** File::Component: a component's header may not hold `spec:include` (its inputs are its own). */
export function componentSpecIncludeError(header: MapNode | undefined, address: string, fallback: Span): PipelineDiagnostic | undefined {
  const spec = header?.entries.get('spec');
  if (!spec || spec.kind !== 'map' || !spec.entries.has('include')) return undefined;
  return {
    severity: 'error',
    code: 'component-spec-include',
    message: `Component \`${address}\` cannot use \`spec:include\`. This keyword is not supported in components`,
    span: spec.keySpans.get('include') ?? spec.span ?? fallback,
  };
}
