/**
 * Hover on an include entry (what it brings into the pipeline: jobs, templates, variables,
 * inputs, files it pulls in itself), on an include's `inputs:` key and on `$[[ inputs.x ]]`
 * (the input's spec).
 */
import type { IncludeEntry } from '../pipeline/includes/include-entries.js';
import type { LoadedFile } from '../pipeline/includes/includes.js';
import { readInputSpecs } from '../pipeline/inputs/inputs.js';
import { isJobKey } from '../pipeline/merge/jobs.js';
import type { Analysis } from '../workspace.js';
import { fileLabel } from './shared/analysis.js';
import { inputDoc } from './shared/input-docs.js';
import { includedFiles } from './shared/symbol-index.js';

const MAX_NAMES = 15;

function names(list: readonly string[]): string {
  const shown = list.slice(0, MAX_NAMES).map((n) => `\`${n}\``).join(', ');
  return list.length > MAX_NAMES ? `${shown} and ${list.length - MAX_NAMES} more` : shown;
}

/** A file and every file it includes, transitively (each URI once). */
function withIncluded(analysis: Analysis, root: LoadedFile): LoadedFile[] {
  const out: LoadedFile[] = [root];
  const seen = new Set([root.uri]);
  for (let i = 0; i < out.length; i++) {
    for (const f of analysis.pipeline.files) {
      if (f.includedFrom?.uri === out[i].uri && !seen.has(f.uri)) {
        seen.add(f.uri);
        out.push(f);
      }
    }
  }
  return out;
}

function broughtBy(analysis: Analysis, root: LoadedFile): string[] {
  const jobs: string[] = [];
  const templates: string[] = [];
  const variables: string[] = [];
  const files = withIncluded(analysis, root);
  for (const f of files) {
    if (f.content.kind !== 'map') continue;
    for (const [key, value] of f.content.entries) {
      if (!isJobKey(key, value)) continue;
      (key.startsWith('.') ? templates : jobs).push(key);
    }
    const vars = f.content.entries.get('variables');
    if (vars?.kind === 'map') variables.push(...vars.entries.keys());
  }
  const uniq = (l: string[]) => [...new Set(l)];
  const out: string[] = [];
  if (jobs.length) out.push(`Jobs (${uniq(jobs).length}): ${names(uniq(jobs))}`);
  if (templates.length) out.push(`Templates (${uniq(templates).length}): ${names(uniq(templates))}`);
  if (variables.length) out.push(`Variables (${uniq(variables).length}): ${names(uniq(variables))}`);
  const inputs = readInputSpecs(root.parsed.header);
  if (inputs.length) out.push(`Inputs: ${inputs.map((i) => `\`${i.name}\` (${i.type}${i.hasDefault ? '' : ', required'})`).join(', ')}`);
  if (files.length > 1) out.push(`Also includes: ${names(files.slice(1).map(fileLabel))}`);
  if (root.note) out.push(`*${root.note}*`);
  return out;
}

export function includeHover(analysis: Analysis, docUri: string, entry: IncludeEntry, file?: string): string {
  const files = includedFiles(analysis.pipeline, docUri, entry, file);
  const title = `**include:${entry.kind}** \`${entry.location}\`${entry.ref ? ` @ \`${entry.ref}\`` : ''}`;
  if (!files.length) return `${title}\n\nNothing was loaded from this include (see its diagnostic).`;
  const parts = [title];
  for (const f of files) parts.push([`From \`${fileLabel(f)}\`:`, ...broughtBy(analysis, f).map((l) => `- ${l}`)].join('\n'));
  return parts.join('\n\n');
}

/** The spec of input `name` of the files an include entry loaded. */
export function includeInputHover(analysis: Analysis, docUri: string, entry: IncludeEntry, name: string): string | undefined {
  for (const f of includedFiles(analysis.pipeline, docUri, entry)) {
    const spec = readInputSpecs(f.parsed.header).find((s) => s.name === name);
    if (spec) return inputDoc(spec, f);
  }
  return `**${name}** — not declared in the \`spec:inputs\` of the included file`;
}

/** `$[[ inputs.name ]]` in a file with a `spec:` header. */
export function ownInputHover(file: LoadedFile, name: string): string | undefined {
  const spec = readInputSpecs(file.parsed.header).find((s) => s.name === name);
  return spec ? inputDoc(spec) : undefined;
}
