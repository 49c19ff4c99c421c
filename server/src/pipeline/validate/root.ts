/**
 * The root of the merged configuration as GitLab's Entry::Root validates it: which top-level keys
 * are jobs, `stages`, global `variables`, `workflow`, `default` (and the deprecated top-level
 * image/services/cache/before_script/after_script). Jobs themselves: job.ts.
 */
import { GLOBAL_KEYWORDS } from '../merge/jobs.js';
import type { MapNode, PipelineDiagnostic, Span } from '../model.js';
import { checkKey } from './job.js';
import { validateVariables } from './job-entries.js';
import { Report, unmatchedJobMessage } from './report.js';
import { validateAutoCancel, validateRules } from './rules.js';
import { isBlank, isMap, isNestedStrings, isNull, isRef, isSeq, isStr } from './values.js';

const DEPRECATED_GLOBALS = ['image', 'services', 'cache', 'before_script', 'after_script'];

export function validateRoot(doc: MapNode): PipelineDiagnostic[] {
  const r = new Report(doc.span, undefined, doc);
  const e = doc.entries;
  const at = (key: string): Span | undefined => doc.keySpans.get(key);
  for (const [key, value] of e) {
    if (key === 'types') {
      r.error('job-no-script', unmatchedJobMessage(key), at(key));
      continue;
    }
    if (GLOBAL_KEYWORDS.has(key) || value.kind === 'map') continue;
    // A hidden key may hold anything (anchors, lists to !reference) but not nothing (Entry::Hidden).
    if (!key.startsWith('.')) r.error('job-not-hash', unmatchedJobMessage(key), at(key));
    else if (isBlank(value)) r.error('job-not-hash', `jobs:${key} config can't be blank`, at(key));
  }
  // `spec:` is a header only in a first document followed by `---` (Yaml::Documents); in the
  // configuration itself it is a job without script (the header keys are not the root's).
  const spec = e.get('spec');
  if (spec && !(isMap(spec) && ['script', 'run', 'trigger'].some((k) => spec.entries.has(k)))) {
    r.error('job-no-script', unmatchedJobMessage('spec'), at('spec'));
  }
  const stages = e.get('stages');
  // GitLab's Stages entry wants an array (a nested one up to 10 levels), not a single string.
  // A reserved key without a value is unspecified: its default applies (Gitlab::Config::Entry::Factory).
  if (stages && !isRef(stages) && !isNull(stages) && !(isSeq(stages) && isNestedStrings(stages))) {
    r.error('stages-invalid', 'stages config should be an array of strings or a nested array of strings up to 10 levels deep', stages);
  }
  const variables = e.get('variables');
  if (variables) validateVariables(r, 'variables', variables, true);
  const workflow = e.get('workflow');
  if (workflow && !isRef(workflow) && !isNull(workflow)) {
    if (!isMap(workflow)) r.error('workflow-invalid', 'workflow config should be a hash', workflow);
    else {
      r.unknownKeys('workflow', workflow, 'workflow');
      const rules = workflow.entries.get('rules');
      if (rules) validateRules(r, 'workflow', rules, 'workflow');
      const name = workflow.entries.get('name');
      if (name && !isRef(name)) {
        if (!isStr(name)) r.error('workflow-invalid', 'workflow name should be a string', name);
        else if (name.value.length > 255) r.error('workflow-invalid', 'workflow name is too long (maximum is 255 characters)', name);
      }
      const ac = workflow.entries.get('auto_cancel');
      if (ac) validateAutoCancel(r, 'workflow:auto_cancel', ac);
    }
  }
  const def = e.get('default');
  if (def && !isRef(def) && !isNull(def)) {
    if (!isMap(def)) r.error('default-invalid', 'default config should be a hash', def);
    else {
      r.unknownKeys('default', def, 'default');
      for (const [key, value] of def.entries) checkKey(r, 'default', 'default', key, value, def, false);
      for (const key of DEPRECATED_GLOBALS) {
        if (e.has(key) && def.entries.has(key)) r.error('default-invalid', `${key} is defined in top-level and \`default:\` entry`, def.keySpans.get(key) ?? at(key));
      }
    }
  }
  for (const key of DEPRECATED_GLOBALS) {
    const v = e.get(key);
    if (v) checkKey(r, '', key, key, v, doc, false);
  }
  return r.out;
}
