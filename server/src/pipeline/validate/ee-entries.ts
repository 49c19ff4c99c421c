/**
 * A job's keys that only GitLab EE (GitLab.com, every EE instance, whatever its tier) validates:
 * `identity`, `dast_configuration`, `secrets` — EE's Entry::Identity, DastConfiguration, Secret and
 * its providers (Vault::Secret and Vault::Engine, AzureKeyVault::Secret, GcpSecretManager::Secret).
 *
 * As in every Configurable entry, a child entry is checked only when its parent has no error of
 * its own (Node#compose! stops at an invalid node).
 */
import type { MapNode, Node } from '../model.js';
import { IDENTITY_PROVIDERS } from './keywords-nested.js';
import type { Report } from './report.js';
import { isBlank, isInt, isMap, isNull, isRef, isStr } from './values.js';

/** EE's Secret::SUPPORTED_PROVIDERS, in GitLab's order (its message lists them so). */
const SECRET_PROVIDERS = ['vault', 'azure_key_vault', 'gcp_secret_manager', 'akeyless', 'gitlab_secrets_manager', 'aws_secrets_manager'];

/** A value written and not null (GitLab's `allow_nil`; a null key is an unset entry). */
const given = (n: Node | undefined): n is Node => !!n && !isRef(n) && !isNull(n);

/** `identity:` — a string, one of the providers (type, then inclusion: both when neither holds). */
export function validateIdentity(r: Report, loc: string, node: Node): void {
  if (!given(node)) return;
  const il = `${loc}:identity`;
  if (!isStr(node)) r.error('identity-invalid', `${il} config should be a string`, node);
  if (!isStr(node) || !(IDENTITY_PROVIDERS as readonly string[]).includes(node.value)) {
    r.invalidValue(`${il} config should be one of: ${IDENTITY_PROVIDERS.join(', ')}`, node, 'job', 'identity', IDENTITY_PROVIDERS);
  }
}

/** `dast_configuration:` — a hash of `site_profile` and `scanner_profile`, each a string. */
export function validateDastConfiguration(r: Report, loc: string, node: Node): void {
  if (!given(node)) return;
  const dl = `${loc}:dast_configuration`;
  if (!isMap(node)) {
    r.error('dast-configuration-invalid', `${dl} config should be a hash`, node);
    return;
  }
  r.unknownKeys(dl, node, 'dast-configuration');
  for (const k of ['site_profile', 'scanner_profile']) {
    const v = node.entries.get(k);
    if (given(v) && !isStr(v)) r.error('dast-configuration-invalid', `${dl} ${k.replace(/_/g, ' ')} should be a string`, v);
  }
}

/** `secrets:` — a hash of secrets, each naming exactly one provider. */
export function validateSecrets(r: Report, loc: string, node: Node): void {
  if (isRef(node)) return;
  if (!isMap(node)) {
    r.error('secrets-invalid', `${loc}:secrets config should be a hash`, node);
    return;
  }
  for (const [name, secret] of node.entries) {
    if (isRef(secret)) continue;
    if (!isMap(secret)) r.error('secrets-invalid', `${loc}:secrets:${name} config should be a hash`, secret);
    else validateSecret(r, `${loc}:secrets:${name}`, secret);
  }
}

function validateSecret(r: Report, sl: string, secret: MapNode): void {
  const e = secret.entries;
  let ok = !r.unknownKeys(sl, secret, 'secret');
  if (SECRET_PROVIDERS.filter((p) => e.has(p)).length !== 1) {
    r.error('secrets-invalid', `${sl} config must use exactly one of these keys: ${SECRET_PROVIDERS.join(', ')}`, secret);
    ok = false;
  }
  const token = e.get('token');
  if (given(token) && !isStr(token)) {
    r.error('secrets-invalid', `${sl} token should be a string`, token);
    ok = false;
  }
  if (!isBlank(e.get('gcp_secret_manager')) && (!token || isBlank(token))) {
    r.error('secrets-invalid', `${sl} token is required with gcp secrets manager`, token ?? secret);
    ok = false;
  }
  if (!ok) return;
  const file = e.get('file');
  if (given(file) && !(file.kind === 'scalar' && typeof file.value === 'boolean')) r.error('secrets-invalid', `${sl}:file config should be a boolean value`, file);
  const vault = e.get('vault');
  if (given(vault)) validateVault(r, `${sl}:vault`, vault);
  for (const p of ['azure_key_vault', 'gcp_secret_manager']) {
    const v = e.get(p);
    if (given(v)) validateNamedSecret(r, `${sl}:${p}`, v, p === 'gcp_secret_manager');
  }
}

/** Vault::Secret: `path/to/secret/field@engine`, or a hash of `engine`, `path` and `field`. */
function validateVault(r: Report, vl: string, vault: Node): void {
  if (isStr(vault)) {
    if (vault.value.trim() === '') r.error('secrets-invalid', `${vl} config can't be blank`, vault);
    return;
  }
  if (!isMap(vault)) {
    r.error('secrets-invalid', `${vl} should be a hash or a string`, vault);
    return;
  }
  let ok = !r.unknownKeys(vl, vault, 'secret', ['engine', 'path', 'field']);
  for (const k of ['path', 'field']) ok = presentString(r, vl, vault, k) && ok;
  const engine = vault.entries.get('engine');
  if (!engine || isBlank(engine)) {
    r.error('secrets-invalid', `${vl} engine can't be blank`, engine ?? vault);
    ok = false;
  }
  if (engine && !isRef(engine) && !isMap(engine)) {
    r.error('secrets-invalid', `${vl} engine should be a hash`, engine);
    ok = false;
  }
  if (!ok || !isMap(engine)) return;
  // Vault::Engine: `name` and `path`, both required strings.
  const el = `${vl}:engine`;
  r.unknownKeys(el, engine, 'secret', ['name', 'path']);
  const missing = ['name', 'path'].filter((k) => !engine.entries.has(k));
  if (missing.length) r.error('secrets-invalid', `${el} config missing required keys: ${missing.join(', ')}`, engine);
  for (const k of ['name', 'path']) presentString(r, el, engine, k);
}

/** AzureKeyVault::Secret and GcpSecretManager::Secret: a hash of a required `name` and a `version`. */
function validateNamedSecret(r: Report, pl: string, node: Node, gcp: boolean): void {
  if (isRef(node)) return;
  if (!isMap(node)) {
    r.error('secrets-invalid', `${pl} config should be a hash`, node);
    return;
  }
  r.unknownKeys(pl, node, 'secret', ['name', 'version']);
  presentString(r, pl, node, 'name');
  const version = node.entries.get('version');
  if (!given(version)) return;
  // GCP's version is alphanumeric (a string or an integer); Azure's a string.
  if (gcp && !isStr(version) && !isInt(version)) r.error('secrets-invalid', `${pl} version must be an alphanumeric string`, version);
  else if (!gcp && !isStr(version)) r.error('secrets-invalid', `${pl} version should be a string`, version);
}

/** `validates KEY, presence: true, type: String`: blank, then not a string (a null is both). */
function presentString(r: Report, loc: string, map: MapNode, k: string): boolean {
  const v = map.entries.get(k);
  if (isRef(v)) return true;
  let ok = true;
  if (!v || isBlank(v)) {
    r.error('secrets-invalid', `${loc} ${k} can't be blank`, v ?? map);
    ok = false;
  }
  if (!isStr(v)) {
    r.error('secrets-invalid', `${loc} ${k} should be a string`, v ?? map);
    ok = false;
  }
  return ok;
}
