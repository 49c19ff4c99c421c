/** The `spec:inputs` an included file declares, and the Markdown that documents one input. */
import type { LoadedFile } from '../../pipeline/includes/includes.js';
import type { InputSpec } from '../../pipeline/inputs/input-spec.js';
import { readInputSpecs } from '../../pipeline/inputs/inputs.js';
import { fileLabel } from './analysis.js';

/** The input specs of `files`, each name once (the first file that declares it). */
export function inputSpecs(files: readonly LoadedFile[]): { spec: InputSpec; file: LoadedFile }[] {
  const out: { spec: InputSpec; file: LoadedFile }[] = [];
  const seen = new Set<string>();
  for (const f of files) {
    for (const spec of readInputSpecs(f.parsed.header)) {
      if (seen.has(spec.name)) continue;
      seen.add(spec.name);
      out.push({ spec, file: f });
    }
  }
  return out;
}

/** An input value as text: strings as they are, anything else as JSON. */
export function shown(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** Markdown for one input's spec. */
export function inputDoc(spec: InputSpec, file?: LoadedFile): string {
  const parts = [`**${spec.name}** — ${spec.type} input, ${spec.hasDefault ? 'optional' : 'required'}`];
  if (spec.description) parts.push(spec.description);
  if (spec.hasDefault) parts.push(`Default: \`${shown(spec.default)}\``);
  if (spec.options?.length) parts.push(`Options: ${spec.options.map((o) => `\`${shown(o)}\``).join(', ')}`);
  if (spec.regex) parts.push(`Must match \`${spec.regex}\``);
  if (file) parts.push(`Declared in \`${fileLabel(file)}\``);
  return parts.join('\n\n');
}
