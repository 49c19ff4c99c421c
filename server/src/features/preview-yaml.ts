/**
 * Merged YAML for the preview, rendered key by key: every line knows the file and range its key
 * (or list item) was written at and the last provenance step that carried it (extends, include,
 * !reference, default, input). Plain data only; the webview escapes it when it shows it.
 */
import type { Location } from 'vscode-languageserver/node';
import type { Node, Span, ViaStep } from '../pipeline/model.js';

export interface PreviewYamlLine {
  depth: number;
  /** The line as YAML, without indentation. */
  text: string;
  /** Where this key / item was written. */
  origin?: Location;
  /** The provenance step that carried the value here, e.g. "extends .python-test-job". */
  via?: string;
}

export type SpanToLocation = (span: Span) => Location | undefined;

const PLAIN = /^[A-Za-z0-9_./@%+=,~-][A-Za-z0-9_ ./:@%+=,~()-]*$/;
const YAML_WORDS = /^(?:true|false|yes|no|on|off|y|n|null|~|[-+]?\.?\d[\d._eE+-]*|\.inf|\.nan)$/i;

/** A scalar as one line of YAML (plain when safe, else double-quoted JSON, which YAML reads). */
export function yamlScalar(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value !== 'string') return String(value);
  if (value !== '' && PLAIN.test(value) && !YAML_WORDS.test(value) && !value.endsWith(' ') && !value.includes(': ') && !value.includes(' #')) return value;
  return JSON.stringify(value);
}

function keyText(key: string): string {
  return PLAIN.test(key) && !YAML_WORDS.test(key) ? key : JSON.stringify(key);
}

function viaText(via: readonly ViaStep[] | undefined): string | undefined {
  const step = via?.[0];
  if (!step) return undefined;
  const label = { include: 'included from', extends: 'extends', reference: '!reference', default: 'default:', input: 'input' }[step.kind];
  return `${label} ${step.name}`;
}

/** `key: value` lines for every entry of a map (or the items of a list), recursively. */
export function renderYaml(node: Node, toLocation: SpanToLocation, depth = 0, out: PreviewYamlLine[] = [], skipKeys: ReadonlySet<string> = new Set()): PreviewYamlLine[] {
  if (node.kind === 'map') {
    for (const [key, value] of node.entries) {
      if (depth === 0 && skipKeys.has(key)) continue;
      const span = node.keySpans.get(key) ?? value.span;
      pushEntry(`${keyText(key)}:`, value, span, toLocation, depth, out);
    }
  } else if (node.kind === 'seq') {
    for (const item of node.items) pushEntry('-', item, item.span, toLocation, depth, out);
  } else {
    out.push({ depth, text: valueText(node), origin: node.span && toLocation(node.span), via: viaText(node.via) });
  }
  return out;
}

function valueText(node: Node): string {
  if (node.kind === 'ref') return `!reference [${node.path.map(yamlScalar).join(', ')}]`;
  if (node.kind === 'scalar') return yamlScalar(node.value);
  if (node.kind === 'map') return node.entries.size ? '' : '{}';
  return node.items.length ? '' : '[]';
}

function pushEntry(head: string, value: Node, span: Span | undefined, toLocation: SpanToLocation, depth: number, out: PreviewYamlLine[]): void {
  const origin = span ? toLocation(span) : undefined;
  const via = viaText(value.via);
  if (value.kind === 'scalar' && typeof value.value === 'string' && value.value.includes('\n')) {
    out.push({ depth, text: `${head} |-`, origin, via });
    for (const l of value.value.split('\n')) out.push({ depth: depth + 1, text: l, origin });
    return;
  }
  const inline = valueText(value);
  if (inline !== '' || (value.kind !== 'map' && value.kind !== 'seq')) {
    out.push({ depth, text: `${head} ${inline}`, origin, via });
    return;
  }
  out.push({ depth, text: head, origin, via });
  renderYaml(value, toLocation, depth + 1, out);
}
