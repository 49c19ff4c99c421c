/**
 * What a job (usually a template of the preset library) is: its doc comment, where it is written
 * (project, ref, file:line), its extends chain, the merged result as YAML and its variable
 * contract. Hover shows all of it; completion uses the comment and origin as item documentation.
 */
import { stringify } from 'yaml';
import { toPlain } from '../pipeline/model.js';
import type { MapNode } from '../pipeline/model.js';
import { documentContract, jobContract } from '../pipeline/contract/index.js';
import type { Contract } from '../pipeline/contract/index.js';
import type { Analysis } from '../workspace.js';
import { fileIndex } from './shared/analysis.js';
import { commentProse, jobComment, jobKeySpan, spanLink } from './shared/job-docs.js';
import { baseJobName } from '../pipeline/merge/jobs.js';

/** Longest merged YAML shown in a hover, in lines. */
const MAX_YAML_LINES = 60;
const MAX_CHAIN_DEPTH = 12;

/** The extends tree of a job as a nested markdown list (direct parents in merge order). */
export function extendsTree(analysis: Analysis, name: string): string[] {
  const parents = analysis.pipeline.extendsParents;
  const out: string[] = [];
  const walk = (job: string, depth: number, seen: Set<string>) => {
    for (const p of parents.get(job) ?? []) {
      const span = jobKeySpan(analysis, p);
      const where = span ? ` — ${spanLink(analysis, span)}` : '';
      out.push(`${'  '.repeat(depth)}- \`${p}\`${where}`);
      if (!seen.has(p) && depth < MAX_CHAIN_DEPTH) walk(p, depth + 1, new Set([...seen, p]));
    }
  };
  walk(name, 0, new Set([name]));
  return out;
}

/** The merged job as YAML, without `extends` (already applied), cut to a readable length. */
export function mergedYaml(analysis: Analysis, name: string): string | undefined {
  const view = analysis.pipeline.jobs.get(name) ?? analysis.pipeline.jobs.get(baseJobName(name));
  const node = view?.node ?? (analysis.pipeline.merged.entries.get(name) as MapNode | undefined);
  if (!node) return undefined;
  const plain = toPlain(node) as Record<string, unknown>;
  if (plain && typeof plain === 'object' && !Array.isArray(plain)) delete plain.extends;
  let text: string;
  try {
    text = stringify({ [name]: plain }, { lineWidth: 0 }).trimEnd();
  } catch {
    return undefined;
  }
  const lines = text.split('\n');
  if (lines.length > MAX_YAML_LINES) text = [...lines.slice(0, MAX_YAML_LINES), `# … ${lines.length - MAX_YAML_LINES} more lines`].join('\n');
  return text;
}

function variableLine(v: Contract['variables'][number]): string {
  const bits: string[] = [];
  if (v.description) bits.push(v.description);
  if (v.default !== undefined && !(v.description ?? '').includes(v.default)) bits.push(`default \`${v.default}\``);
  if (v.options?.length) bits.push(`one of ${v.options.map((o) => `\`${o}\``).join(', ')}`);
  return `- \`${v.name}\`${bits.length ? ` — ${bits.join('; ')}` : ''}`;
}

/** The full hover of a job. */
export function jobHover(analysis: Analysis, name: string): string | undefined {
  const pipeline = analysis.pipeline;
  const key = pipeline.merged.entries.has(name) ? name : baseJobName(name);
  if (!pipeline.merged.entries.has(key)) return undefined;
  const hidden = key.startsWith('.');
  const parts: string[] = [`**${key}** — ${hidden ? 'template job (hidden)' : 'job'}`];
  const prose = commentProse(jobComment(analysis, key));
  if (prose) parts.push(prose);
  const span = jobKeySpan(analysis, key);
  if (span) {
    const f = fileIndex(analysis).get(span.uri);
    const project = f?.loc.project ? ` — project \`${f.loc.project}\`, ref \`${f.loc.ref ?? 'default branch'}\`` : '';
    parts.push(`*Defined in* ${spanLink(analysis, span)}${project}`);
  }
  const tree = extendsTree(analysis, key);
  if (tree.length) parts.push(['**Extends**', ...tree].join('\n'));
  if (pipeline.jobs.has(key)) {
    // A job the consumer writes: what the library needs from it (the labels completion and warnings use).
    const variables = span ? documentContract(pipeline, span.uri, key) : jobContract(pipeline, key).variables;
    const required = variables.filter((v) => v.required);
    const optional = variables.filter((v) => !v.required);
    if (required.length) parts.push(['**Required variables**', ...required.map(variableLine)].join('\n'));
    if (optional.length) parts.push(['**Optional variables**', ...optional.map(variableLine)].join('\n'));
  }
  const yaml = mergedYaml(analysis, key);
  if (yaml) parts.push(['**Merged result**', '```yaml', yaml, '```'].join('\n'));
  return parts.join('\n\n');
}
