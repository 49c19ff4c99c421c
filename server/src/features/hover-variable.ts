/**
 * Hover on a variable (a `variables:` key or a `$VAR` read): the value that wins in the job's
 * scope (or globally), and the whole override chain with where each definition is written and
 * why the winner wins; what the job's presets say about it (required/optional, description).
 */
import { predefinedVariable } from '../pipeline/variables/predefined-variables.js';
import { definitionsInScope, documentContract } from '../pipeline/contract/index.js';
import type { VariableDefinition } from '../pipeline/contract/index.js';
import type { Analysis } from '../workspace.js';
import { spanLink } from './shared/job-docs.js';

const MAX_VALUE = 200;

/** Where a definition comes from, in words. */
function source(d: VariableDefinition): string {
  switch (d.scope) {
    case 'known':
      return 'CI/CD settings (set for the project or its groups in GitLab, or listed in `gitlabCiPresets.knownVariables`)';
    case 'job':
      return `\`variables:\` of job \`${d.job}\``;
    case 'extends':
      return `\`variables:\` of \`${d.job}\`, inherited through \`extends\``;
    case 'default':
      return '`default:`';
    case 'global':
      return 'global `variables:` of the root file';
    case 'included-file':
      return 'global `variables:` of an included file';
    case 'predefined':
      return 'predefined by GitLab';
  }
}

/** Why the winner beats the next definition. */
function whyWins(winner: VariableDefinition, next: VariableDefinition | undefined): string {
  if (!next) return 'the only definition in scope';
  switch (winner.scope) {
    case 'known':
      return 'CI/CD settings variables override every value written in YAML';
    case 'job':
      return next.scope === 'job' ? 'the file merged last wins' : "a job's own variables override inherited and global ones";
    case 'extends':
      return next.scope === 'extends' ? 'the parent merged later (listed later in `extends`) wins' : 'job-level variables (also inherited ones) override global ones';
    case 'global':
      return "the root file's global variables override those of included files";
    case 'included-file':
      return next.scope === 'included-file' ? 'the file merged later wins (the including file over what it includes, later includes over earlier)' : 'YAML variables override predefined ones';
    default:
      return 'it comes first in GitLab\'s precedence';
  }
}

function shownValue(d: VariableDefinition): string {
  if (d.value === undefined) return d.scope === 'known' ? '*(set outside YAML)*' : d.scope === 'predefined' ? '*(set by GitLab at run time)*' : '*(not a plain value)*';
  const v = d.value.length > MAX_VALUE ? `${d.value.slice(0, MAX_VALUE)}…` : d.value;
  return `\`${v.replace(/`/g, "'")}\``;
}

export function variableHover(analysis: Analysis, name: string, job: string | undefined, knownVariables: readonly string[], docUri: string): string {
  const pipeline = analysis.pipeline;
  const defs = definitionsInScope(pipeline, job, { knownVariables }).get(name) ?? [];
  const parts: string[] = [`**$${name}**${job ? ` in job \`${job}\`` : ' (global scope)'}`];
  const predefined = predefinedVariable(name);
  if (predefined) parts.push(predefined.description);
  const contract = documentContract(pipeline, docUri, job !== undefined && pipeline.jobs.has(job) ? job : undefined).find((v) => v.name === name);
  if (contract) {
    const bits = [`${contract.required ? 'Required' : 'Optional'} for ${job !== undefined ? 'this job' : 'the included presets'}`];
    if (contract.description) bits.push(contract.description);
    if (contract.default !== undefined && !(contract.description ?? '').includes(contract.default)) bits.push(`default \`${contract.default}\``);
    parts.push(bits.join(' — '));
  }
  if (!defs.length) {
    parts.push(contract?.required ? '**Not set** anywhere this pipeline reaches: the job will not get it.' : 'Not defined anywhere this pipeline reaches.');
    return parts.join('\n\n');
  }
  const [winner, next] = defs;
  parts.push(`Value: ${shownValue(winner)} — from ${source(winner)} (${whyWins(winner, next)})`);
  if (defs.length > 1) {
    const chain = defs.map((d, i) => {
      const where = d.span ? ` — ${spanLink(analysis, d.span)}` : '';
      return `${i + 1}. ${source(d)}: ${shownValue(d)}${where}${i === 0 ? ' **← wins**' : ''}`;
    });
    parts.push(['**Override chain** (winner first)', ...chain].join('\n'));
  } else if (winner.span) parts.push(`Defined in ${spanLink(analysis, winner.span)}`);
  if (winner.description && winner.description !== predefined?.description) parts.push(winner.description);
  if (winner.options?.length) parts.push(`Options: ${winner.options.map((o) => `\`${o}\``).join(', ')}`);
  return parts.join('\n\n');
}
