/**
 * What the fuzzer feeds the language server: a seeded PRNG (one stream per case, so any case can
 * be replayed on its own), CI files generated from GitLab's keywords, corpus files mutated byte-
 * and line-wise, editor edits (typing, deletes, pastes of random code units, unicode, huge lines)
 * and the pathological inputs GitLab limits (alias bombs, deep nesting, oversized files).
 * Corpus files are read at run time from ../shared/corpus; nothing is copied.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ALIAS_BOMB, deepBlock, deepFlow, referenceBomb, SELF_ALIAS } from './pathological.js';

/** mulberry32: small, fast, and the same sequence for the same seed on every machine. */
export class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.next() * xs.length)];
  }
}

/** The PRNG of case `index` of a run seeded with `seed`. */
export function caseRng(seed: number, index: number): Rng {
  return new Rng(Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(index + 1, 0xc2b2ae35));
}

/** Every YAML file of the corpus (path, text); large generated expectations included. */
export function loadCorpus(dir: string): Array<{ path: string; text: string }> {
  const out: Array<{ path: string; text: string }> = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d).sort()) {
      const p = join(d, e);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else if (/\.ya?ml$/.test(e) && st.size < 1_000_000) out.push({ path: p, text: readFileSync(p, 'utf8') });
    }
  };
  walk(dir);
  return out;
}

const NAMES = ['build', 'test', 'lint', 'deploy', '.base', '.python-test-job', '.helm-deploy-job', 'job', 'a', 'b', '.tmpl', 'release', 'pages', 'docker-build', 'contract-tests'];
const KEYWORDS = ['script', 'before_script', 'after_script', 'stage', 'image', 'services', 'variables', 'rules', 'needs', 'extends', 'when', 'allow_failure', 'artifacts', 'cache', 'tags', 'only', 'except', 'trigger', 'parallel', 'environment', 'inherit', 'dependencies', 'timeout', 'retry', 'interruptible', 'coverage', 'release', 'id_tokens', 'secrets', 'hooks'];
const VARS = ['CI_COMMIT_BRANCH', 'CI_COMMIT_TAG', 'CI_PIPELINE_SOURCE', 'CI_DEFAULT_BRANCH', 'HELM_CHART', 'SERVICE_NAME', 'PYTHON_VERSION', 'FOO', 'X'];
const LIBRARY_FILES = ['ci/python.yml', 'ci/python-postgres.yml', 'ci/docker.yml', 'cd/helm.yml', 'common/jobs.yml', 'group-vars.yml', 'missing.yml'];

/** Fragments that matter to YAML, GitLab CI or our own scanners. */
export const TOKENS = [
  ':', ': ', '- ', '-', '?', '? ', '|', '>-', '|+', '"', "'", '\\', '#', '&a ', '*a', '*missing', '<<: *a', '<<: [*a, *b]', '!reference [', '!reference [.base, script]', '!reference', '!!str ', '!!binary ', '!custom ', '{', '}', '[', ']', '[[', ']]', ', ',
  '---\n', '...\n', '%YAML 1.1\n', '%TAG ! tag:x,2000:\n', '\t', '\r\n', '\r', '\n', '\n\n', '\u00a0', '\ufeff', '\u0000', '${', '$', '$$', '$[[ inputs.', '$[[ inputs.x | expand_vars ]]', ' ]]', '$[[', '}}', '=~ /', '/i', '&&', '||', '==',
  'include:', 'extends:', 'stages:', 'spec:\n  inputs:\n    x:\n      default: 1\n---\n', 'rules:\n  - if: ', 'needs: [', 'variables:', 'default:', 'workflow:', 'local: ', 'project: ', 'file: ', 'ref: ', 'remote: ', 'template: ', 'component: ', 'inputs:', 'when: manual', 'parallel:\n    matrix:\n      - A: [1, 2]\n',
  ' # @required X: why', ' # @optional Y: why', '0x1F', '0o17', '1_000', '1:30', '.nan', '.e0', '~', 'null', 'yes', 'no', 'on', 'off', '2026-01-01', '1e3', '-.inf', 'é', '😀', '\u202e', '\u200b', '\ud83d', '\udca9', '\u0301', '𝔘𝔫𝔦', '中文', 'ﷺ',
];

export const UNICODE = ['é', 'ß', 'Ω', '中文字符', '😀', '👩‍👩‍👧', '🇪🇺', '\u202e', '\u200f', '\u200b', '\ufeff', '\u0301\u0301', '\ud83d', '\udca9', '𝔘', 'ﷺ', '\u2028', '\u2029', '\u0085', '\u000b', '\u000c'];

/** A string of `n` random UTF-16 code units (controls, lone surrogates and all). */
export function randomUnits(r: Rng, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) {
    const bucket = r.next();
    const code = bucket < 0.5 ? r.int(0x20, 0x7e) : bucket < 0.7 ? r.int(0, 0x1f) : bucket < 0.85 ? r.int(0x80, 0x7ff) : r.int(0x800, 0xffff);
    s += String.fromCharCode(code);
  }
  return s;
}

function scalar(r: Rng): string {
  switch (r.int(0, 9)) {
    case 0: return `$${r.pick(VARS)}`;
    case 1: return `"echo \${${r.pick(VARS)}} $${r.pick(VARS)}"`;
    case 2: return String(r.int(-5, 1000));
    case 3: return r.pick(['true', 'false', 'null', '~', 'yes', 'off']);
    case 4: return `'${r.pick(NAMES)}'`;
    case 5: return r.pick(TOKENS).replace(/\n/g, ' ');
    case 6: return `$[[ inputs.${r.pick(['x', 'stage', 'image-name', 'missing'])} ]]`;
    default: return `echo ${r.pick(NAMES)} ${r.pick(UNICODE)}`;
  }
}

function list(r: Rng, indent: string, n: number, item: () => string): string {
  if (r.chance(0.4)) return ` [${Array.from({ length: n }, item).join(', ')}]\n`;
  return '\n' + Array.from({ length: n }, () => `${indent}- ${item()}\n`).join('');
}

function job(r: Rng, names: string[]): string {
  const name = r.pick(names);
  let s = `${name}:${r.chance(0.1) ? ` &${r.pick(['a', 'b'])}` : ''}\n`;
  const keys = r.int(0, 6);
  for (let k = 0; k < keys; k++) {
    const key = r.pick(KEYWORDS);
    switch (key) {
      case 'script':
      case 'before_script':
      case 'after_script':
        s += `  ${key}:${list(r, '    ', r.int(0, 4), () => (r.chance(0.2) ? `!reference [${r.pick(names)}, ${r.pick(['script', 'before_script', 'x'])}]` : scalar(r)))}`;
        break;
      case 'extends':
        s += `  extends:${r.chance(0.5) ? ` ${r.pick(names)}\n` : list(r, '    ', r.int(0, 3), () => r.pick(names))}`;
        break;
      case 'needs':
        s += `  needs:${list(r, '    ', r.int(0, 3), () => (r.chance(0.3) ? `{ job: ${r.pick(names)}, optional: true }` : r.pick(names)))}`;
        break;
      case 'rules':
        s += `  rules:\n${Array.from({ length: r.int(0, 3) }, () => `    - if: $${r.pick(VARS)} ${r.pick(['==', '!=', '=~', '!~'])} ${r.pick(['"main"', '/^v\\d+/', '$CI_DEFAULT_BRANCH', 'null', '"(unclosed'])}\n      when: ${r.pick(['manual', 'never', 'always', 'on_success', 'delayed', 'bogus'])}\n`).join('')}`;
        break;
      case 'variables':
        s += `  variables:\n${Array.from({ length: r.int(0, 3) }, () => `    ${r.pick(VARS)}: ${scalar(r)}\n`).join('')}`;
        break;
      case 'parallel':
        s += r.chance(0.5) ? `  parallel: ${r.int(-1, 300)}\n` : `  parallel:\n    matrix:\n      - ${r.pick(VARS)}: [${r.int(0, 9)}, ${r.int(0, 9)}]\n`;
        break;
      default:
        s += `  ${key}: ${r.chance(0.1) ? `*${r.pick(['a', 'b', 'nope'])}` : scalar(r)}\n`;
    }
  }
  if (r.chance(0.1)) s += `  <<: *${r.pick(['a', 'b'])}\n`;
  return s;
}

/** A CI file built from GitLab's keywords with random structure, names and references. */
export function generateCiFile(r: Rng, env: { standIn?: string; component?: string }): string {
  let s = '';
  if (r.chance(0.15)) s += `spec:\n  inputs:\n    x:\n      default: ${scalar(r)}\n    stage:\n      options: [build, test]\n      default: test\n---\n`;
  if (r.chance(0.6)) {
    s += 'include:\n';
    for (let i = r.int(0, 4); i > 0; i--) {
      switch (r.int(0, 6)) {
        case 0: s += `  - local: ${r.pick(['.gitlab/ci/extra.yml', 'ci/*.yml', '/missing.yml', '../escape.yml', '**/*.yml', 'fuzz-a.yml'])}\n`; break;
        case 1: s += `  - project: ${r.pick(['acme/ci-library', 'acme/other', '../../etc', 'a/%2e%2e/b'])}\n    ref: ${r.pick(['v1.2.0', 'v1.0.0', 'main', '"$CI_COMMIT_REF_NAME"'])}\n    file:${list(r, '      ', r.int(1, 3), () => r.pick(LIBRARY_FILES))}`; break;
        case 2: s += `  - remote: ${r.pick([`${env.standIn ?? 'https://example.invalid'}/remote/${r.pick(['a.yml', 'missing.yml'])}`, 'http://example.invalid/x.yml', 'https://user:pw@example.invalid/x.yml', 'not a url'])}\n`; break;
        case 3: s += `  - template: ${r.pick(['Bash.gitlab-ci.yml', 'Missing.gitlab-ci.yml', '../x'])}\n`; break;
        case 4: s += `  - component: ${env.component ?? 'example.invalid/acme/components'}/${r.pick(['build', 'lint'])}@${r.pick(['1', '~latest', '1.2.0', '9'])}\n    inputs:\n      stage: ${scalar(r)}\n`; break;
        case 5: s += `  - local: ${r.pick(['.gitlab/ci/extra.yml', 'ci/x.yml'])}\n    rules:\n      - if: $CI_COMMIT_BRANCH == "main"\n      - exists: [${r.pick(['Dockerfile', '**/*.py', '"["'])}]\n`; break;
        default: s += `  - ${r.pick(['ci/a.yml', 'https://example.invalid/b.yml', '42', '{}', '[]'])}\n`;
      }
    }
  }
  if (r.chance(0.5)) s += `stages:${list(r, '  ', r.int(0, 5), () => r.pick(['build', 'test', 'deploy', '.pre', '.post', 'publish', 'verify']))}`;
  if (r.chance(0.4)) s += `variables:\n${Array.from({ length: r.int(0, 4) }, () => `  ${r.pick(VARS)}: ${r.chance(0.2) ? `{ value: ${scalar(r)}, description: x, options: [a, b] }` : scalar(r)}\n`).join('')}`;
  if (r.chance(0.3)) s += `default:\n  image: ${scalar(r)}\n  before_script: [echo default]\n`;
  if (r.chance(0.2)) s += `workflow:\n  rules:\n    - if: $CI_PIPELINE_SOURCE == "${r.pick(['push', 'merge_request_event', 'web'])}"\n`;
  const names = [...NAMES, ...Array.from({ length: r.int(0, 4) }, () => `j${r.int(0, 99)}`)];
  for (let i = r.int(1, 10); i > 0; i--) s += job(r, names);
  return s;
}

/** One byte-, token- or line-level change to a text. */
export function mutate(r: Rng, text: string): string {
  const at = r.int(0, text.length);
  const len = r.int(0, Math.min(200, text.length - at));
  switch (r.int(0, 12)) {
    case 0: return text.slice(0, at) + text.slice(at + len);
    case 1: return text.slice(0, at) + text.slice(at, at + len) + text.slice(at);
    case 2: return text.slice(0, at) + r.pick(TOKENS) + text.slice(at);
    case 3: return text.slice(0, at) + randomUnits(r, r.int(1, 40)) + text.slice(at);
    case 4: return text.slice(0, at) + r.pick(UNICODE) + text.slice(at);
    case 5: {
      const lines = text.split('\n');
      const i = r.int(0, lines.length - 1);
      const j = r.int(0, lines.length - 1);
      [lines[i], lines[j]] = [lines[j], lines[i]];
      return lines.join('\n');
    }
    case 6: {
      const lines = text.split('\n');
      const i = r.int(0, lines.length - 1);
      lines[i] = r.chance(0.5) ? ' '.repeat(r.int(1, 6)) + lines[i] : lines[i].replace(/^\s{1,4}/, '');
      return lines.join('\n');
    }
    case 7: return text.slice(0, at) + '\n' + hugeLine(r) + '\n' + text.slice(at);
    case 8: return text.slice(0, at);
    case 9: return text.replace(/\n/g, r.pick(['\r\n', '\r', '\n\n']));
    case 10: return text.slice(0, at) + String.fromCharCode(r.int(0, 0xffff)) + text.slice(at + 1);
    case 11: return text.slice(0, at) + `\n${r.pick(NAMES)}:\n  ${r.pick(KEYWORDS)}: ${scalar(r)}\n` + text.slice(at);
    default: return text.slice(0, at) + '\t' + text.slice(at);
  }
}

/** A long line: a plain scalar, a flow list, or junk (up to 200 000 units). */
export function hugeLine(r: Rng): string {
  const n = r.pick([2_000, 20_000, 200_000]);
  switch (r.int(0, 3)) {
    case 0: return `long: ${'x'.repeat(n)}`;
    case 1: return `list: [${Array.from({ length: n / 4 }, (_, i) => `a${i % 10}`).join(',')}]`;
    case 2: return `  - echo ${'$X '.repeat(n / 3)}`;
    default: return randomUnits(r, n);
  }
}

/** The inputs GitLab's limits are for: each must be rejected with a diagnostic, quickly. */
export function limitInput(r: Rng): string {
  switch (r.int(0, 5)) {
    case 0: return ALIAS_BOMB;
    case 1: return deepFlow(r.pick([97, 150, 5000]));
    case 2: return deepBlock(r.pick([120, 1000]));
    case 3: return referenceBomb(r.int(4, 9));
    case 4: return SELF_ALIAS;
    default: return `job:\n  script:\n${'    - echo padding padding padding padding padding\n'.repeat(46_000)}`;
  }
}
