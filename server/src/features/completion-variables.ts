/**
 * Variable completion.
 * - Keys of a consumer's `variables:`: the variables the presets it uses expect (the contracts of
 *   the files the document includes for the top-level block, the job's template contract for a
 *   job's block), required first, without those the block already sets.
 * - `$NAME` / `${NAME` in any string: every variable defined for the job (definitionsInScope:
 *   its own, its parents', global, included files', CI/CD settings) and GitLab's predefined ones.
 */
import { CompletionItemKind, MarkupKind } from 'vscode-languageserver/node';
import type { CompletionItem } from 'vscode-languageserver/node';
import type { ExpandedPipeline } from '../pipeline/merge/expand.js';
import { definitionsInScope, documentContract } from '../pipeline/contract/index.js';
import type { ContractVariable, VariableDefinition } from '../pipeline/contract/index.js';
import type { Analysis } from '../workspace.js';
import { spanLabel } from './shared/analysis.js';
import type { ItemRange } from './shared/completion-items.js';
import { item, snippetText, valuePlaceholder } from './shared/completion-items.js';

const WHY: Record<ContractVariable['why'], string> = {
  comment: 'declared in a doc comment',
  'required-expansion': 'read as `${NAME?message}`',
  'vars-check': 'echoed by a vars-check job (`set -u`)',
  'read-without-default': 'read without a default',
  'rich-variable': 'declared with value/description/options',
  'read-with-default': 'read with a default',
  'preset-default': 'the preset gives it a value',
  'not-used': 'only templates no job of this pipeline uses need it',
};

/** A default as shown: an empty one says so. */
export function shownDefault(d: string): string {
  return d === '' ? '(empty)' : d;
}

function readers(v: ContractVariable): string[] {
  return [...new Set(v.reads.map((r) => r.job))];
}

function contractDoc(analysis: Analysis, v: ContractVariable): string {
  const parts: string[] = [];
  parts.push(`**${v.name}** — ${v.required ? 'required' : 'optional'} (${WHY[v.why]})`);
  if (v.description) parts.push(v.description);
  if (v.default !== undefined) parts.push(v.default === '' ? 'Default: empty' : `Default: \`${v.default}\``);
  if (v.options?.length) parts.push(`Options: ${v.options.map((o) => `\`${o}\``).join(', ')}`);
  const jobs = readers(v);
  if (jobs.length) parts.push(`Read by: ${jobs.slice(0, 8).map((j) => `\`${j}\``).join(', ')}${jobs.length > 8 ? ` and ${jobs.length - 8} more` : ''}`);
  if (v.declaredAt) parts.push(`Declared at ${spanLabel(analysis, v.declaredAt)}`);
  return parts.join('\n\n');
}

/**
 * Items for the keys of a consumer's `variables:` block. Order: required variables defined
 * nowhere the pipeline reaches (what the consumer must set), other required ones, optional ones.
 */
export function presetVariableItems(analysis: Analysis, docUri: string, job: string | undefined, already: ReadonlySet<string>, knownVariables: readonly string[], range: ItemRange): CompletionItem[] {
  const out: CompletionItem[] = [];
  const opts = { withoutPredefined: true, knownVariables };
  const defined = definitionsInScope(analysis.pipeline, job, opts);
  const perJob = new Map<string, Map<string, VariableDefinition[]>>();
  const inJob = (j: string) => perJob.get(j) ?? perJob.set(j, definitionsInScope(analysis.pipeline, j, opts)).get(j)!;
  for (const v of documentContract(analysis.pipeline, docUri, job)) {
    if (already.has(v.name)) continue;
    const jobs = readers(v);
    // In the top-level block, a variable every job that reads it sets itself is set too.
    let where = defined.get(v.name)?.[0];
    if (!where && job === undefined && v.required && jobs.length) {
      const each = jobs.map((j) => inJob(j).get(v.name)?.[0]);
      if (each.every((d) => d)) where = each[0];
    }
    const setElsewhere = v.required && where ? (where.span ? `set in ${spanLabel(analysis, where.span)}` : 'set in CI/CD settings') : undefined;
    const detail = [v.required ? 'required' : v.default !== undefined ? `default ${shownDefault(v.default)}` : 'optional', setElsewhere, v.description, jobs.length ? `read by ${jobs[0]}${jobs.length > 1 ? ` +${jobs.length - 1}` : ''}` : undefined]
      .filter(Boolean)
      .join(' · ');
    out.push(
      item({
        label: v.name,
        kind: CompletionItemKind.Variable,
        detail,
        documentation: { kind: MarkupKind.Markdown, value: contractDoc(analysis, v) },
        sortText: `${v.required ? (where ? 1 : 0) : 2}${v.name}`,
        insert: `${snippetText(v.name)}: ${valuePlaceholder(v.options, v.required ? undefined : v.default)}`,
        snippet: true,
        filterText: v.name,
        range,
      }),
    );
  }
  return out;
}

const SCOPE: Record<VariableDefinition['scope'], string> = {
  known: 'CI/CD settings',
  job: 'job variables',
  extends: 'inherited through extends',
  default: 'default',
  global: 'global variables',
  'included-file': 'variables of an included file',
  predefined: 'predefined by GitLab',
};

/** Items for `$NAME` / `${NAME`: the variables in scope of `job` (or of the whole pipeline). */
export function dollarItems(analysis: Analysis, job: string | undefined, knownVariables: readonly string[], braced: boolean, closed: boolean, range: ItemRange): CompletionItem[] {
  const scope = definitionsInScope(analysis.pipeline, job, { knownVariables });
  const out: CompletionItem[] = [];
  for (const [name, defs] of scope) {
    const winner = defs[0];
    const predefined = winner.scope === 'predefined';
    const doc: string[] = [];
    if (winner.description) doc.push(winner.description);
    if (winner.value !== undefined) doc.push(`Value: \`${winner.value.slice(0, 200)}\``);
    if (winner.span) doc.push(`Set in ${spanLabel(analysis, winner.span)}${winner.job ? ` (\`${winner.job}\`)` : ''}`);
    out.push(
      item({
        label: name,
        kind: predefined ? CompletionItemKind.Constant : CompletionItemKind.Variable,
        detail: winner.value !== undefined && !predefined ? `${SCOPE[winner.scope]} · ${winner.value.slice(0, 60)}` : SCOPE[winner.scope],
        documentation: doc.length ? { kind: MarkupKind.Markdown, value: doc.join('\n\n') } : undefined,
        sortText: `${predefined ? 1 : 0}${name}`,
        insert: braced && !closed ? `${name}}` : name,
        filterText: name,
        range,
      }),
    );
  }
  return out;
}
