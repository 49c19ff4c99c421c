/** `image:` and `services:` (GitLab's Entry::Image, Service(s) and their executor options). */
import type { MapNode, Node } from '../model.js';
import { PULL_POLICY } from './keywords-nested.js';
import type { EntryId } from './keywords-types.js';
import { keyNames } from './report.js';
import type { Report } from './report.js';
import { isInt, isMap, isNestedStrings, isNull, isRef, isSeq, isStr, isStringArray, isStringOrStringArray, shown, str } from './values.js';

/** A value written and not null: GitLab's `allow_nil` lets a null through. */
const given = (n: Node | undefined): n is Node => !!n && !isRef(n) && !isNull(n);

/** `image: NAME` / `- NAME`: the string is the name, which must not be blank. */
const blankName = (r: Report, loc: string, node: Node) => {
  if (isStr(node) && node.value.trim() === '') r.error('image-invalid', `${loc} name can't be blank`, node);
};

export function validateImage(r: Report, loc: string, node: Node): void {
  if (isStr(node)) return blankName(r, loc, node);
  if (isRef(node) || isNull(node)) return;
  if (!isMap(node)) {
    r.error('image-invalid', `${loc} config should be a hash or a string`, node);
    return;
  }
  validateContainer(r, loc, node, 'image');
}

export function validateServices(r: Report, loc: string, node: Node): void {
  if (isRef(node) || isNull(node)) return;
  if (!isSeq(node)) {
    r.error('services-invalid', `${loc} config should be an array`, node);
    return;
  }
  for (const s of node.items) {
    if (isStr(s)) blankName(r, `${loc}:service`, s);
    if (isRef(s) || isStr(s) || isNull(s)) continue;
    if (!isMap(s)) r.error('services-invalid', `${loc}:service config should be a hash or a string`, s);
    else validateContainer(r, `${loc}:service`, s, 'service');
  }
}

function validateContainer(r: Report, loc: string, node: MapNode, id: EntryId): void {
  // Imageable's `ports` are for the Web IDE's terminal only; a pipeline's image or service refuses them.
  if (node.entries.has('ports')) r.error('unknown-keys', `${loc} config contains disallowed keys: ports`, node.keySpans.get('ports') ?? node);
  r.unknownKeys(loc, node, id, [...keyNames(id), 'ports']);
  const e = node.entries;
  const name = e.get('name');
  if (!name || (isStr(name) && name.value.trim() === '') || isNull(name)) r.error('image-invalid', `${loc} name can't be blank`, name ?? node);
  else if (!isStr(name) && !isRef(name)) r.error('image-invalid', `${loc} name should be a string`, name);
  const entrypoint = e.get('entrypoint');
  if (given(entrypoint) && !isStringArray(entrypoint)) r.error('image-invalid', `${loc} entrypoint should be an array of strings`, entrypoint);
  if (id === 'service') {
    // GitLab reads a service's command as it reads `script:` (Entry::Commands).
    const command = e.get('command');
    if (given(command) && !isNestedStrings(command)) r.error('image-invalid', `${loc}:command config should be a string or a nested array of strings up to 10 levels deep`, command);
    const alias = e.get('alias');
    if (given(alias) && !isStr(alias)) r.error('image-invalid', `${loc} alias should be a string`, alias);
    const vars = e.get('variables');
    if (given(vars) && !isMap(vars)) r.error('variables-invalid', `${loc}:variables config should be a hash`, vars);
    // A service's variables take no value data: each is a scalar.
    else if (isMap(vars)) {
      for (const [k, v] of vars.entries) {
        if (isMap(v)) r.error('variables-invalid', `${loc}:variables:${k} config must be a string`, v);
        else if (isSeq(v)) r.error('variables-invalid', 'variable definition must be either a string or a hash', v);
      }
    }
  }
  const pull = e.get('pull_policy');
  if (given(pull)) {
    if (!isStringOrStringArray(pull)) r.error('image-invalid', `${loc}:pull_policy config should be an array of strings or a string`, pull);
    if (isSeq(pull) && pull.items.length === 0) r.error('image-invalid', `${loc}:pull_policy config can't be blank`, pull);
    else if (isSeq(pull)) {
      const bad = pull.items.filter((i) => !PULL_POLICY.includes((str(i) ?? '\0') as never));
      if (bad.length) r.invalidValue(`${loc}:pull_policy config contains unknown values: ${bad.map(shown).join(', ')}`, bad[0], id, 'pull_policy', PULL_POLICY);
    } else if (isStr(pull) && !PULL_POLICY.includes(pull.value as never)) {
      r.invalidValue(`${loc}:pull_policy config is not included in the list`, pull, id, 'pull_policy', PULL_POLICY);
    }
  }
  validateExecutorOpts(r, loc, node);
}

/** `docker:` and `kubernetes:` executor options, checked against GitLab's JSON schema for them. */
function validateExecutorOpts(r: Report, loc: string, node: MapNode): void {
  // GitLab's executor_opts.json: each property a string of 1 to `max` characters (a Kubernetes user may be a UID).
  const schema: [string, Record<string, number>][] = [['docker', { platform: 64, user: 255 }], ['kubernetes', { user: 255 }]];
  for (const [executor, props] of schema) {
    const opts = node.entries.get(executor);
    if (!given(opts)) continue;
    if (!isMap(opts)) {
      r.error('image-invalid', `${loc} executor opts value at \`/${executor}\` is not an object`, opts);
      continue;
    }
    for (const [k, v] of opts.entries) {
      const at = `/${executor}/${k}`;
      if (!(k in props)) r.error('image-invalid', `${loc} executor opts object property at \`/${executor}/${k}\` is a disallowed additional property`, opts.keySpans.get(k) ?? v);
      else if (executor === 'kubernetes' && !isStr(v) && !isInt(v) && !isRef(v)) r.error('image-invalid', `${loc} executor opts value at \`${at}\` is not one of the types: ["string", "integer"]`, v);
      else if (executor === 'docker' && !isStr(v) && !isRef(v)) r.error('image-invalid', `${loc} executor opts value at \`${at}\` is not a string`, v);
      else if (isStr(v) && v.value.length < 1) r.error('image-invalid', `${loc} executor opts string length at \`${at}\` is less than: 1`, v);
      else if (isStr(v) && v.value.length > props[k]) r.error('image-invalid', `${loc} executor opts string length at \`${at}\` is greater than: ${props[k]}`, v);
    }
  }
}
