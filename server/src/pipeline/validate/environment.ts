/**
 * `environment:` of a job and its `kubernetes:` (GitLab's Entry::Environment and Entry::Kubernetes,
 * with the JSON schemas of `kubernetes:dashboard` and `kubernetes:managed_resources`).
 */
import type { MapNode, Node } from '../model.js';
import { durationProblem } from './duration.js';
import { DEPLOYMENT_TIERS, ENVIRONMENT_ACTIONS } from './keywords-nested.js';
import type { Report } from './report.js';
import { hasVariable, isBlank, isBool, isMap, isNull, isRef, isStr } from './values.js';

const ENV_NAME = /^[a-zA-Z0-9 \-_/${}.]+$/;
const NAME_MESSAGE = "name can contain only letters, digits, '-', '_', '/', '$', '{', '}', '.', and spaces, but it cannot start or end with '/'";

export function validateEnvironment(r: Report, loc: string, node: Node): void {
  if (isRef(node)) return;
  const el = `${loc}:environment`;
  if (isStr(node)) {
    checkEnvName(r, el, node);
    return;
  }
  if (!isMap(node)) {
    r.error('environment-invalid', `${el} config should be a hash or a string`, node);
    return;
  }
  r.unknownKeys(el, node, 'environment');
  const e = node.entries;
  const name = e.get('name');
  if (!name || isNull(name)) r.error('environment-invalid', `${el} name can't be blank`, name ?? node);
  else if (isStr(name)) checkEnvName(r, el, name);
  // GitLab's type check on the name carries the format message.
  else if (!isRef(name)) r.error('environment-invalid', `${el} ${NAME_MESSAGE}`, name);
  const url = e.get('url');
  if (url && !isRef(url) && !isNull(url)) {
    if (!isStr(url)) r.error('environment-invalid', `${el} url should be a string`, url);
    else if (url.value.length > 255) r.error('environment-invalid', `${el} url is too long (maximum is 255 characters)`, url);
  }
  const action = e.get('action');
  if (action && !isRef(action) && !isNull(action)) {
    if (!isStr(action)) r.error('environment-invalid', `${el} action should be a string`, action);
    else if (!ENVIRONMENT_ACTIONS.includes(action.value as never)) {
      r.invalidValue(`${el} action should be start, stop, prepare, verify, or access`, action, 'environment', 'action', ENVIRONMENT_ACTIONS);
    }
  }
  // GitLab checks only that deployment_tier and auto_stop_in are strings (both may hold variables);
  // a literal tier or duration it could never use is a warning.
  const tier = e.get('deployment_tier');
  if (tier && !isRef(tier) && !isNull(tier)) {
    if (!isStr(tier)) r.error('environment-invalid', `${el} deployment tier should be a string`, tier);
    else if (!hasVariable(tier.value) && !DEPLOYMENT_TIERS.includes(tier.value as never)) {
      r.error('invalid-value', `${el} deployment tier must be one of ${DEPLOYMENT_TIERS.join(', ')}`, tier,
        { kind: 'invalid-value', entry: 'environment', keyword: 'deployment_tier', value: tier.value, allowed: [...DEPLOYMENT_TIERS] }, 'warning');
    }
  }
  const onStop = e.get('on_stop');
  if (onStop && !isRef(onStop) && !isNull(onStop) && !isStr(onStop)) r.error('environment-invalid', `${el} on stop should be a string`, onStop);
  const autoStop = e.get('auto_stop_in');
  if (autoStop && !isRef(autoStop) && !isNull(autoStop)) {
    if (!isStr(autoStop)) r.error('environment-invalid', `${el} auto stop in should be a string`, autoStop);
    else if (!hasVariable(autoStop.value) && autoStop.value.toLowerCase() !== 'never' && durationProblem(autoStop.value)) {
      r.error('environment-invalid', `${el} auto stop in should be a duration`, autoStop, undefined, 'warning');
    }
  }
  const kube = e.get('kubernetes');
  if (kube && !isRef(kube) && !isNull(kube)) validateKubernetes(r, `${el}:kubernetes`, kube);
}

function checkEnvName(r: Report, el: string, name: Node & { value: string }): void {
  const v = name.value;
  if (v.trim() === '') r.error('environment-invalid', `${el} name can't be blank`, name);
  else if (v.length > 255) r.error('environment-invalid', `${el} name is too long (maximum is 255 characters)`, name);
  else if (!ENV_NAME.test(v) || v.startsWith('/') || v.endsWith('/')) r.error('environment-invalid', `${el} ${NAME_MESSAGE}`, name);
}

const present = (n: Node | undefined) => !!n && !isBlank(n);

/** GitLab's Entry::Kubernetes: a non-empty hash; `agent` is required by Flux, a dashboard or enabled managed resources. */
function validateKubernetes(r: Report, kl: string, kube: Node): void {
  if (!isMap(kube)) {
    r.error('environment-invalid', `${kl} config should be a hash`, kube);
    return;
  }
  if (kube.entries.size === 0) {
    r.error('environment-invalid', `${kl} config can't be blank`, kube);
    return;
  }
  r.unknownKeys(kl, kube, 'kubernetes');
  const e = kube.entries;
  for (const k of ['namespace', 'agent', 'flux_resource_path']) {
    const v = e.get(k);
    if (v && !isRef(v) && !isNull(v) && !isStr(v)) r.error('environment-invalid', `${kl} ${k.replace(/_/g, ' ')} should be a string`, v);
  }
  const flux = e.get('flux_resource_path');
  const dashboard = e.get('dashboard');
  const managed = e.get('managed_resources');
  if (present(flux) && !present(e.get('namespace'))) r.error('environment-invalid', `${kl} namespace can't be blank`, e.get('namespace') ?? kube);
  const managedOn = isMap(managed) && managed.entries.get('enabled')?.kind === 'scalar' && (managed.entries.get('enabled') as { value: unknown }).value === true;
  if ((present(flux) || present(dashboard) || managedOn) && !present(e.get('agent'))) r.error('environment-invalid', `${kl} agent can't be blank`, e.get('agent') ?? kube);
  if (managed && !isRef(managed) && !isNull(managed)) checkSchema(r, kl, 'managed resources', managed, { enabled: 'boolean' }, []);
  if (present(dashboard) && !isRef(dashboard)) {
    checkSchema(r, kl, 'dashboard', dashboard!, { namespace: [1, 63], flux_resource_path: [1, 255] }, ['namespace']);
    if (isMap(dashboard)) {
      for (const k of ['namespace', 'flux_resource_path']) {
        if (present(e.get(k)) && present(dashboard.entries.get(k))) {
          r.error('environment-invalid', `${kl} ${k.replace(/_/g, ' ')} cannot be specified when dashboard.${k} is set`, e.get(k)!);
        }
      }
    }
  }
}

/** A JSON-schema object of strings (with length bounds) or booleans, worded as GitLab's json_schemer errors. */
function checkSchema(r: Report, kl: string, what: string, node: Node, props: Record<string, 'boolean' | [number, number]>, required: string[]): void {
  const at = `${kl} ${what}`;
  if (!isMap(node)) {
    r.error('environment-invalid', `${at} value at root is not an object`, node);
    return;
  }
  const missing = required.filter((k) => !node.entries.has(k));
  if (missing.length) r.error('environment-invalid', `${at} object at root is missing required properties: ${missing.join(', ')}`, node);
  for (const [k, v] of node.entries as MapNode['entries']) {
    if (isRef(v)) continue;
    const p = props[k];
    if (!p) r.error('environment-invalid', `${at} object property at \`/${k}\` is a disallowed additional property`, node.keySpans.get(k) ?? v);
    else if (p === 'boolean') {
      if (!isBool(v)) r.error('environment-invalid', `${at} value at \`/${k}\` is not a boolean`, v);
    } else if (!isStr(v)) r.error('environment-invalid', `${at} value at \`/${k}\` is not a string`, v);
    else if (v.value.length < p[0]) r.error('environment-invalid', `${at} string length at \`/${k}\` is less than: ${p[0]}`, v);
    else if (v.value.length > p[1]) r.error('environment-invalid', `${at} string length at \`/${k}\` is greater than: ${p[1]}`, v);
  }
}
