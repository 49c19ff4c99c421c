/**
 * Which entry of the keyword table (pipeline/validate/keywords.ts, the one home of GitLab's
 * keywords, their docs and allowed values) applies at a YAML path, for keyword completion and
 * hover: the keys a mapping allows, and the keyword whose value the cursor is on.
 */
import { GLOBAL_KEYWORDS } from '../../pipeline/merge/jobs.js';
import { ENTRIES, entry, keywordUrl } from '../../pipeline/validate/keywords.js';
import type { EntryId, KeywordSpec } from '../../pipeline/validate/keywords.js';

/** A keyword as completion and hover show it: the table's entry plus its docs URL. */
export interface KeywordDoc extends KeywordSpec {
  url: string;
}

type Path = readonly (string | number)[];
const isIndex = (p: string | number | undefined): p is number => typeof p === 'number';

/** The entry whose keys the mapping at `path` (keys and seq indexes from the root) holds. */
export function keywordSetAt(path: Path): EntryId | undefined {
  if (path.length === 0) return 'root';
  const [head, ...rest] = path;
  if (typeof head !== 'string') return undefined;
  switch (head) {
    case 'include':
      if (rest.length === 0 || (rest.length === 1 && isIndex(rest[0]))) return 'include';
      if (rest.at(-2) === 'rules' && isIndex(rest.at(-1))) return 'include-rule';
      return undefined;
    case 'workflow':
      if (rest.length === 0) return 'workflow';
      if (rest[0] === 'rules' && rest.length === 2 && isIndex(rest[1])) return 'workflow-rule';
      if (rest.at(-1) === 'auto_cancel') return 'auto-cancel';
      return undefined;
    case 'spec':
      if (rest.length === 0) return 'spec';
      if (rest[0] === 'inputs' && rest.length === 2) return 'input';
      return undefined;
    case 'variables':
      return rest.length === 1 ? 'variable' : undefined;
    case 'stages':
    case 'types':
      return undefined;
  }
  if (GLOBAL_KEYWORDS.has(head) && head !== 'default') return jobSub([head, ...rest]);
  if (rest.length === 0) return head === 'default' ? 'default' : 'job';
  return jobSub(rest);
}

/** Sub-mappings of a job (or of `default:`): `artifacts`, `cache`, `rules[i]`, ... */
function jobSub(rest: Path): EntryId | undefined {
  const [key, ...sub] = rest;
  const n = sub.length;
  const at = (...keys: (string | number | null)[]) => n === keys.length && keys.every((k, i) => (k === null ? isIndex(sub[i]) : sub[i] === k));
  switch (key) {
    case 'artifacts':
      return at() ? 'artifacts' : at('reports') ? 'reports' : at('reports', 'coverage_report') ? 'coverage-report' : undefined;
    case 'cache':
      return at() || at(null) ? 'cache' : at('key') || at(null, 'key') ? 'cache-key' : undefined;
    case 'image':
      return at() ? 'image' : at('docker') ? 'executor-docker' : at('kubernetes') ? 'executor-kubernetes' : undefined;
    case 'services':
      return at(null) ? 'service' : at(null, 'docker') ? 'executor-docker' : at(null, 'kubernetes') ? 'executor-kubernetes' : undefined;
    case 'retry':
      return at() ? 'retry' : undefined;
    case 'allow_failure':
      return at() ? 'allow-failure' : undefined;
    case 'rules':
      return at(null) ? 'rule' : at(null, 'changes') ? 'rule-changes' : at(null, 'exists') ? 'rule-exists' : undefined;
    case 'only':
    case 'except':
      return at() ? 'only-except' : undefined;
    case 'environment':
      return at() ? 'environment' : at('kubernetes') ? 'kubernetes' : undefined;
    case 'needs':
      return at(null) ? 'need' : undefined;
    case 'trigger':
      return at() ? 'trigger' : at('include') || at('include', null) ? 'trigger-include' : at('forward') ? 'trigger-forward' : undefined;
    case 'inherit':
      return at() ? 'inherit' : undefined;
    case 'parallel':
      return at() ? 'parallel' : undefined;
    case 'release':
      return at() ? 'release' : at('assets') ? 'release-assets' : at('assets', 'links', null) ? 'release-link' : undefined;
    case 'variables':
      return n === 1 && !isIndex(sub[0]) ? 'job-variable' : undefined;
    case 'id_tokens':
      return n === 1 ? 'id-token' : undefined;
    case 'secrets':
      return n === 1 ? 'secret' : undefined;
    case 'hooks':
      return at() ? 'hooks' : undefined;
    case 'pages':
      return at() ? 'pages' : undefined;
  }
  return undefined;
}

const docsCache = new Map<EntryId, KeywordDoc[]>();

/**
 * The keywords of an entry with their docs URLs. A job's keys are those of a job and of a trigger
 * job (`trigger:` is what makes a job one).
 */
export function keywordDocs(id: EntryId): KeywordDoc[] {
  let docs = docsCache.get(id);
  if (!docs) {
    const specs = id === 'job' ? ['job', 'bridge'].map((e) => entry(e as EntryId)) : [entry(id)];
    const seen = new Set<string>();
    docs = [];
    for (const e of specs) {
      for (const kw of e.keys) {
        if (seen.has(kw.name)) continue;
        seen.add(kw.name);
        docs.push({ ...kw, url: keywordUrl(e, kw) });
      }
    }
    docsCache.set(id, docs);
  }
  return docs;
}

/** Every entry id of the table. */
export function keywordEntries(): EntryId[] {
  return [...ENTRIES.keys()];
}

/** The keywords allowed as keys of the mapping at `path`. */
export function keywordsAt(path: Path): KeywordDoc[] {
  const set = keywordSetAt(path);
  return set ? keywordDocs(set) : [];
}

/** The keyword `key` of the mapping at `path`, when it is one. */
export function keywordAt(path: Path, key: string): KeywordDoc | undefined {
  return keywordsAt(path).find((d) => d.name === key);
}

/**
 * The keyword whose value is at `valuePath` (the path of the value, e.g. `[job, 'when']`, or a list
 * item `[job, 'retry', 'when', 0]`).
 */
export function keywordOfValue(valuePath: Path): KeywordDoc | undefined {
  let p = [...valuePath];
  if (isIndex(p.at(-1))) p = p.slice(0, -1);
  const key = p.at(-1);
  if (typeof key !== 'string') return undefined;
  return keywordAt(p.slice(0, -1), key);
}
