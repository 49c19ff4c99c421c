/**
 * Where one `include:` entry points, and GitLab's verdict on each file it names before its content
 * is read (Gitlab::Ci::Config::External::Mapper and File::*):
 *
 * - Variables (Mapper::VariablesExpander, `ExpandVariables.expand`): `$VAR`, `${VAR}` and `%VAR%`
 *   of the variables an include sees — predefined, CI/CD settings and pipeline variables, never YAML
 *   `variables:`; an unknown one becomes "", and `$$` is no escape. A name GitLab would give a
 *   value this run does not have (a predefined variable the simulation does not set, a settings
 *   variable known by its key only: a `variables` entry whose value is undefined) leaves the entry
 *   unresolved, with a warning, rather than a path GitLab would not read.
 * - String entries have their variables expanded first, so a variable holding a URL makes a remote
 *   include (Mapper::Normalizer). `local:` wildcards (`*` only) are matched before variables are
 *   expanded (Mapper::LocationExpander runs ahead of VariablesExpander), with leading slashes
 *   removed, `**` for any characters and `*` for any but `/`; a pattern matching nothing includes
 *   nothing, silently, and a local file's pattern skips that file itself.
 * - Every file but a component must have a YAML extension (`File.basename` matching
 *   `.+\.(yml|yaml)`, checked before anything is read); local and project paths lose their leading
 *   slashes, also in messages; a template must end in `.gitlab-ci.yml`; a remote must be an
 *   http(s)/ssh/git URL and match its `integrity:`.
 * - Components: components.ts.
 */
import { isCurrentRef, isSelfProject, selfComponent } from './self-project.js';
import { globToRegExp, isGlob } from './glob.js';
import type { IncludeEntry } from './include-entries.js';
import { resolveComponent } from './components.js';
import { isMissing } from './targets.js';
import type { Including, LocateContext, Target, TargetKind } from './targets.js';
import type { ProjectLoc } from '../sources.js';
import { expandVariables } from '../variables/variable-expansion.js';
import { isPredefined } from '../variables/predefined-variables.js';

/** File::Base::YAML_ALLOWLIST_EXTENSION on `File.basename` (a bare `.yml` has no name before it). */
export function hasYamlExtension(location: string): boolean {
  const base = location.replace(/\/+$/, '').split('/').pop() ?? '';
  return /^.+\.(yml|yaml)$/is.test(base);
}

/** Gitlab::UrlSanitizer.valid?: a URL with an http, https, ssh or git scheme. */
export function isValidUrl(location: string): boolean {
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(location.trim());
  return !!m && ['http', 'https', 'ssh', 'git'].includes(m[1]);
}

/** Repository#search_files_by_wildcard_path: `**` any characters, `*` any but `/`, the rest literal. */
export function wildcardRegExp(pattern: string): RegExp {
  const literal = (s: string) => s.replace(/[.+^$()|[\]\\{}*?]/g, '\\$&');
  const re = pattern
    .split('**')
    .map((part) => part.split('*').map(literal).join('[^/]*?'))
    .join('.*?');
  return new RegExp(`^${re}$`, 's');
}

const stripSlashes = (path: string) => path.replace(/^\/+/, '');

export async function resolveTargets(entry: IncludeEntry, including: Including, ctx: LocateContext): Promise<Target[]> {
  const out: Target[] = [];
  const vars = ctx.variables;
  // An unset predefined variable is left here only where it names the pipeline's own commit (self-project.ts).
  const expand = (text: string) => expandVariables(text, withUnsetPredefined(text, vars), { percent: true, dollarEscape: 'none', keepUndefined: true });
  const unvalued = unvaluedReads(entry, ctx);
  if (unvalued.length) {
    const names = unvalued.map((n) => `$${n}`).join(', ');
    ctx.report({ severity: 'warning', code: 'include-variable-unknown', message: `\`${entry.location}\` reads ${names}, which GitLab sets but whose value is not known here: this include is not resolved`, span: entry.span, data: { names: unvalued } });
    return out;
  }
  const extensionOk = (location: string) => {
    if (hasYamlExtension(location)) return true;
    ctx.error('include-extension', `Included file \`${location}\` does not have YAML extension!`, entry.span);
    return false;
  };
  let kind = entry.kind;
  let location = entry.location;
  // Mapper::Normalizer: a string entry is expanded before it is told local from remote.
  if (entry.node.kind === 'scalar') {
    location = expand(location);
    kind = isValidUrl(location) ? 'remote' : 'local';
  }
  switch (kind) {
    case 'local': {
      if (location.includes('*')) {
        await expandWildcard(entry, stripSlashes(location), including, ctx, out);
        break;
      }
      const path = stripSlashes(expand(location));
      if (!extensionOk(path)) break;
      const t = await read(ctx, entry, including.loc, path, 'local', `Local file \`${path}\``, `Local file \`${path}\` is empty!`);
      if (t) out.push(t);
      break;
    }
    case 'project': {
      const project = expand(location).replace(/^\/+|\/+$/g, '');
      // GitLab looks projects up by their downcased path, and names them so.
      const named = project.toLowerCase();
      const ref = entry.ref !== undefined ? expand(entry.ref) : undefined;
      const self = entry.ref !== undefined && isSelfProject(location, project, ctx.selfProject) && isCurrentRef(entry.ref, ref!, vars);
      const loc: ProjectLoc = self ? { project: null } : { project, ref };
      if (!self && ref && ctx.sources.newerTag) {
        const newer = await ctx.sources.newerTag(project, ref);
        if (newer) ctx.report({ severity: 'info', code: 'include-newer-tag', message: `${project}: a newer tag ${newer} exists (this include pins ${ref})`, span: entry.span, data: { project, ref, newer } });
      }
      for (const f of entry.files) {
        const path = stripSlashes(expand(f));
        if (!extensionOk(path)) continue;
        const what = `Project \`${named}\` file \`${path}\``;
        const t = await read(ctx, entry, loc, path, 'project', what, `${what} is empty!`, ref);
        if (t) out.push(t);
      }
      break;
    }
    case 'remote': {
      const url = entry.node.kind === 'scalar' ? location : expand(location);
      if (!extensionOk(url)) break;
      if (!isValidUrl(url)) {
        ctx.error('include-invalid', `Remote file \`${url}\` does not have a valid address!`, entry.span, { url });
        break;
      }
      const r = await ctx.sources.readRemote(url);
      if (!r.ok) {
        ctx.error('include-missing', `Remote file \`${url}\` could not be fetched: ${r.error}`, entry.span, { url });
        break;
      }
      if (!(await integrityHolds(entry, r.text))) {
        ctx.error('include-integrity', `Remote file \`${url}\` failed integrity check!`, entry.span, { url });
        break;
      }
      out.push({ uri: r.uri, text: r.text, kind: 'remote', loc: including.loc, path: url, note: r.note, emptyMessage: `Included file \`${url}\` is empty or does not exist!` });
      break;
    }
    case 'template': {
      const name = expand(location);
      if (!extensionOk(name)) break;
      if (!name.endsWith('.gitlab-ci.yml')) {
        ctx.error('include-invalid', `Template file \`${name}\` is not a valid location!`, entry.span, { template: name });
        break;
      }
      const empty = `Included file \`${name}\` is empty or does not exist!`;
      const r = await ctx.sources.readTemplate(name);
      if (!r.ok) {
        const message = isMissing(r.error) ? empty : `Template file \`${name}\` could not be read: ${r.error}`;
        ctx.error('include-missing', message, entry.span, { template: name });
      } else out.push({ uri: r.uri, text: r.text, kind: 'template', loc: including.loc, path: name, note: r.note, emptyMessage: empty });
      break;
    }
    case 'component': {
      const t = await resolveComponent(entry, expand(location), ctx);
      if (t) out.push(t);
      break;
    }
  }
  return out;
}

/** `local:` with `*`: the matching files of the including project, sorted; none is no error. */
async function expandWildcard(entry: IncludeEntry, pattern: string, including: Including, ctx: LocateContext, out: Target[]) {
  const listing = await ctx.listFiles(including.loc);
  if (typeof listing === 'string') {
    ctx.error('include-missing', `Local file \`${pattern}\`: ${listing}`, entry.span);
    return;
  }
  const re = wildcardRegExp(pattern);
  // A local file is not included again by its own pattern (LocationExpander, the parent file).
  const matches = listing.filter((f) => re.test(f) && !(including.kind === 'local' && f === including.path)).sort();
  if (!matches.length) {
    // GitLab includes nothing and says nothing: a warning, since that is rarely what was meant.
    const why = /\$/.test(pattern) ? ' (GitLab matches the pattern before it expands variables)' : '';
    const old = isGlob(pattern) && globToRegExp(pattern);
    const hint = old && listing.some((f) => old.test(f)) ? '; `**/` needs at least one folder, and `?`, `[`, `{` are literal' : '';
    ctx.report({ severity: 'warning', code: 'include-no-match', message: `No file matches \`${pattern}\`: GitLab includes nothing here${why}${hint}`, span: entry.span, data: { pattern } });
  }
  for (const m of matches) {
    if (!hasYamlExtension(m)) {
      ctx.error('include-extension', `Included file \`${m}\` does not have YAML extension!`, entry.span);
      continue;
    }
    const t = await read(ctx, entry, including.loc, m, 'local', `Local file \`${m}\``, `Local file \`${m}\` is empty!`);
    if (t) out.push(t);
  }
}

async function read(ctx: LocateContext, entry: IncludeEntry, loc: ProjectLoc, path: string, kind: TargetKind, what: string, emptyMessage: string, ref?: string): Promise<Target | undefined> {
  const r = await ctx.sources.readProjectFile(loc, path);
  if (!r.ok) {
    // GitLab's words when the file is known to be missing; else what kept us from reading it.
    const message = /does not exist/.test(r.error) ? `${what} does not exist!` : `${what}${ref ? ` at ref ${ref}` : ''} could not be read: ${r.error}`;
    ctx.error('include-missing', message, entry.span, { project: loc.project, ref: loc.ref, path });
    return undefined;
  }
  return { uri: r.uri, text: r.text, kind, loc, path, note: r.note, emptyMessage };
}

/** `integrity: sha256-BASE64` of a remote include: the SHA-256 of its content. */
async function integrityHolds(entry: IncludeEntry, text: string): Promise<boolean> {
  const node = entry.node.kind === 'map' ? entry.node.entries.get('integrity') : undefined;
  if (!node || node.kind !== 'scalar' || typeof node.value !== 'string') return true;
  const expected = node.value.replace(/^sha256-/, '');
  const digest = new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
  let binary = '';
  for (const b of digest) binary += String.fromCharCode(b);
  return btoa(binary) === expected;
}

const REFERENCE = /\$([A-Za-z_][A-Za-z0-9_]*)|\$\{([A-Za-z_][A-Za-z0-9_]*)\}|%([A-Za-z_][A-Za-z0-9_]*)%/g;

/**
 * The names an entry's location, ref and files read that GitLab would give a value this run has
 * not: a `variables` entry without a value (a CI/CD settings key), or a predefined variable not
 * set. The written forms that name the pipeline's own project and commit are read as such
 * (self-project.ts), not expanded.
 */
function unvaluedReads(entry: IncludeEntry, ctx: LocateContext): string[] {
  const vars = ctx.variables;
  // A `local:` wildcard is matched as written (LocationExpander runs first).
  if (entry.kind === 'local' && entry.node.kind !== 'scalar' && entry.location.includes('*')) return [];
  const texts = [entry.location, ...(entry.kind === 'project' ? entry.files : [])];
  if (entry.kind === 'project' && entry.ref !== undefined && !isCurrentRef(entry.ref, '', {})) texts.push(entry.ref);
  if (entry.kind === 'component' && selfComponent(entry.location, (t) => expandVariables(t, vars, { keepUndefined: true }), vars, ctx.selfProject)) return [];
  const names = new Set<string>();
  for (const text of texts) {
    if (!text.includes('$') && !text.includes('%')) continue;
    for (const m of text.matchAll(REFERENCE)) {
      const name = m[1] ?? m[2] ?? m[3];
      if (typeof vars[name] === 'string') continue;
      if (Object.hasOwn(vars, name) || isPredefined(name)) names.add(name);
    }
  }
  return [...names];
}

/** `vars` with every other name `text` reads set to "" (GitLab's unknown variable), predefined ones left unset. */
function withUnsetPredefined(text: string, vars: LocateContext['variables']): LocateContext['variables'] {
  if (!text.includes('$') && !text.includes('%')) return vars;
  let out: Record<string, string | undefined> | undefined;
  for (const m of text.matchAll(REFERENCE)) {
    const name = m[1] ?? m[2] ?? m[3];
    if (typeof vars[name] === 'string' || isPredefined(name)) continue;
    (out ??= { ...vars })[name] = '';
  }
  return out ?? vars;
}
