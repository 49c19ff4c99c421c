/**
 * Incremental re-analysis (merge/incremental.ts, contract/job-findings.ts, the block reuse of
 * yaml/parse.ts) gives exactly what a full analysis gives: after each of a series of random edits
 * (fixed seed) to a consumer file, the pipeline expanded with the caches of the edits before is
 * compared with one expanded from scratch — output, diagnostics, every job with its provenance,
 * extends parents, and the variable contract's findings. On corpus configs and the generated library.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { expandPipeline } from '../../server/src/pipeline/merge/expand.js';
import type { ExpandedPipeline } from '../../server/src/pipeline/merge/expand.js';
import type { ParseCache } from '../../server/src/pipeline/includes/includes.js';
import { renderPipeline } from '../../server/src/pipeline/merge/output.js';
import { missingRequiredVariables } from '../../server/src/pipeline/contract/index.js';
import type { Node } from '../../server/src/pipeline/model.js';
import type { ProjectLoc, SourceProvider } from '../../server/src/pipeline/sources.js';
import { simulatedVariables } from '../../server/src/pipeline/rules/simulated-context.js';
import { DirectorySources } from '../../server/src/sources/directory-sources.js';
import { generateLibrary, LIBRARY_PROJECT, random, writeLibrary } from '../../scripts/generate-library.js';

const repo = resolve(__dirname, '..', '..');
const corpus = resolve(repo, '..', 'shared', 'corpus');
const EDITS = 8;

/** Files read from disk, with edited texts on top (as unsaved editor buffers are). */
class EditedSources implements SourceProvider {
  edited = new Map<string, string>();
  constructor(private disk: DirectorySources) {}
  async readProjectFile(loc: ProjectLoc, path: string) {
    const r = await this.disk.readProjectFile(loc, path);
    const text = r.ok ? this.edited.get(r.uri) : undefined;
    return r.ok && text !== undefined ? { ...r, text } : r;
  }
  listProjectFiles(loc: ProjectLoc) {
    return this.disk.listProjectFiles(loc);
  }
  readRemote(url: string) {
    return this.disk.readRemote(url);
  }
  readTemplate(name: string) {
    return this.disk.readTemplate(name);
  }
  resolveComponentVersion(project: string, version: string) {
    return this.disk.resolveComponentVersion(project, version);
  }
}

/** A node with its spans and provenance, as plain data. */
function shape(n: Node | undefined): unknown {
  if (!n) return undefined;
  const base = { span: n.span && [n.span.uri, n.span.start, n.span.end], via: n.via?.map((v) => [v.kind, v.name, v.span?.uri, v.span?.start, v.span?.end]) };
  if (n.kind === 'scalar') return { ...base, s: n.value };
  if (n.kind === 'ref') return { ...base, ref: n.path };
  if (n.kind === 'seq') return { ...base, seq: n.items.map(shape) };
  return { ...base, map: [...n.entries].map(([k, v]) => [k, n.keySpans.get(k) && [n.keySpans.get(k)!.uri, n.keySpans.get(k)!.start], shape(v)]) };
}

function observed(p: ExpandedPipeline) {
  let missing: unknown;
  try {
    missing = missingRequiredVariables(p, { knownVariables: [] }).map((m) => ({ ...m, variable: { ...m.variable } }));
  } catch (e) {
    missing = `throws ${(e as Error).message}`;
  }
  return {
    output: p.valid ? renderPipeline(p, { full: true }) : undefined,
    diagnostics: p.diagnostics,
    jobs: [...p.jobs].map(([name, j]) => [name, j.hidden, j.fromDefault, shape(j.node)]),
    parents: [...p.extendsParents],
    stages: p.stages,
    missing: JSON.parse(JSON.stringify(missing)),
  };
}

/** A random edit of one line: a character typed, the line deleted or doubled, a variable added after it. */
function edit(text: string, rnd: () => number): string {
  const lines = text.split('\n');
  const i = Math.floor(rnd() * lines.length);
  const line = lines[i];
  switch (Math.floor(rnd() * 4)) {
    case 0: {
      const at = Math.floor(rnd() * (line.length + 1));
      lines[i] = line.slice(0, at) + 'x' + line.slice(at);
      break;
    }
    case 1:
      lines.splice(i, 1);
      break;
    case 2:
      lines.splice(i, 0, line);
      break;
    default:
      lines.splice(i + 1, 0, `${/^\s*/.exec(line)![0]}TYPED_${i}: "typed"`);
  }
  return lines.join('\n');
}

type Edit = (text: string, rnd: () => number) => string;

async function compareOverEdits(name: string, disk: DirectorySources, files: string[], seed: number, variables: Record<string, string> = {}, edits = EDITS, change: Edit = edit) {
  const sources = new EditedSources(disk);
  const vars = { ...simulatedVariables(), ...variables };
  const incremental: ParseCache = new Map();
  const rnd = random(seed);
  await expandPipeline({ sources, variables: vars, parseCache: incremental });
  for (let step = 0; step < edits; step++) {
    const file = files[Math.floor(rnd() * files.length)];
    const uri = pathToFileURL(file).href;
    sources.edited.set(uri, change(sources.edited.get(uri) ?? readFileSync(file, 'utf8'), rnd));
    const reused = await expandPipeline({ sources, variables: vars, parseCache: incremental });
    const full = await expandPipeline({ sources, variables: vars, parseCache: new Map() });
    assert.deepStrictEqual(observed(reused), observed(full), `${name}: edit ${step + 1} of ${file}`);
  }
}

test('incremental re-analysis = full analysis over random edits: omnibus-gitlab', async () => {
  const dir = join(corpus, 'omnibus-gitlab');
  const disk = new DirectorySources({ rootDir: dir, repoDirs: join(corpus, '_stubs', 'repos'), templatesDir: join(corpus, 'gitlab-templates', 'lib', 'gitlab', 'ci', 'templates') });
  const files = ['.gitlab-ci.yml', 'gitlab-ci-config/gitlab-com.yml', 'gitlab-ci-config/dev-gitlab-org.yml'].map((f) => join(dir, f));
  await compareOverEdits('omnibus-gitlab', disk, files, 16, { SKIP_JOB_REGEX: '/^oracle-matches-nothing$/' });
});

test('incremental re-analysis = full analysis over random edits: xfenix consumer of a preset library', async () => {
  const dir = join(corpus, 'xfenix-pycon2022', 'cases', 'consumer-helm-cd');
  const disk = new DirectorySources({ rootDir: dir, projects: new Map([['xfenix/pycon2022@master', join(corpus, 'xfenix-pycon2022', 'repo')]]) });
  await compareOverEdits('xfenix', disk, [join(dir, '.gitlab-ci.yml')], 17);
});

test('incremental re-analysis = full analysis over random edits: the generated library and consumer', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gcp-incremental-'));
  try {
    const g = generateLibrary({ files: 4, templates: 8, jobs: 60, seed: 3 });
    writeLibrary(dir, g);
    const disk = new DirectorySources({ rootDir: join(dir, 'consumer'), projects: new Map([[`${LIBRARY_PROJECT}@main`, join(dir, 'library')]]) });
    // The library's files too: as a local checkout open in the editor, its templates and the scripts jobs reference change.
    const files = [join(dir, 'consumer', '.gitlab-ci.yml'), ...g.jobFiles.map((f) => join(dir, 'consumer', f.path)), ...Object.keys(g.library).map((f) => join(dir, 'library', f))];
    await compareOverEdits('generated', disk, files, 18, {}, 16);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('incremental re-analysis = full analysis: findings of untouched jobs move with the lines typed above them', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gcp-incremental-'));
  try {
    const g = generateLibrary({ files: 4, templates: 8, jobs: 120, seed: 5 });
    // Findings in many jobs: an unknown key and an `if:` error on its token (validation), a need of
    // a job that does not exist (across jobs). They sit below the edits.
    const jobFile = g.jobFiles[0].path;
    let n = 0;
    g.consumer[jobFile] = g.consumer[jobFile].replace(/^(job-\d+):\n/gm, (all, job: string) => {
      n++;
      if (n % 6 === 0) return `${job}:\n  rules:\n    - if: '$CI_COMMIT_BRANCH == "main" && && $X'\n`;
      if (n % 3 === 0) return `${job}:\n  scritp: typo\n`;
      if (n % 3 === 1) return `${job}:\n  needs: [no-such-job-${n}]\n`;
      return all;
    });
    writeLibrary(dir, g);
    const disk = new DirectorySources({ rootDir: join(dir, 'consumer'), projects: new Map([[`${LIBRARY_PROJECT}@main`, join(dir, 'library')]]) });
    // Lines typed, deleted and doubled in the first quarter of the file: every later block moves.
    const above: Edit = (text, rnd) => {
      const lines = text.split('\n');
      const i = 1 + Math.floor(rnd() * (lines.length / 4));
      const kind = Math.floor(rnd() * 3);
      if (kind === 0) lines.splice(i, 0, '# a comment typed above');
      else if (kind === 1 && lines[i].startsWith('    ')) lines.splice(i, 1);
      else lines.splice(i, 0, lines[i]);
      return lines.join('\n');
    };
    await compareOverEdits('moved findings', disk, [join(dir, 'consumer', jobFile)], 19, {}, 12, above);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('incremental re-analysis = full analysis: typing a value into one job, key by key', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gcp-incremental-'));
  try {
    const g = generateLibrary({ files: 4, templates: 8, jobs: 120, seed: 6 });
    writeLibrary(dir, g);
    const disk = new DirectorySources({ rootDir: join(dir, 'consumer'), projects: new Map([[`${LIBRARY_PROJECT}@main`, join(dir, 'library')]]) });
    const jobFile = g.jobFiles[0];
    const job = jobFile.jobs[Math.floor(jobFile.jobs.length / 2)];
    // A new variable in the job's own `variables:`, its value growing a character per edit (what an editor sends while typing).
    const typing: Edit = (text) => {
      const at = text.indexOf('\n', text.indexOf('variables:', text.indexOf(`${job}:\n`))) + 1;
      const typed = /^ {4}TYPED: "(x*)"\n/.exec(text.slice(at));
      const value = typed ? typed[1] + 'x' : 'x';
      return text.slice(0, at) + `    TYPED: "${value}"\n` + text.slice(at + (typed ? typed[0].length : 0));
    };
    await compareOverEdits('typing', disk, [join(dir, 'consumer', jobFile.path)], 21, {}, 6, typing);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('incremental re-analysis = full analysis: a needs cycle made, unmade and made again by edits', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gcp-incremental-'));
  try {
    const g = generateLibrary({ files: 4, templates: 8, jobs: 120, seed: 7 });
    writeLibrary(dir, g);
    const disk = new DirectorySources({ rootDir: join(dir, 'consumer'), projects: new Map([[`${LIBRARY_PROJECT}@main`, join(dir, 'library')]]) });
    const jobFile = g.jobFiles[0];
    const text = readFileSync(join(dir, 'consumer', jobFile.path), 'utf8');
    // A job that needs another: the other one, edited to need it back, closes a cycle of two.
    const m = /^(job-\d+):\n(?: {2}.*\n)*? {2}needs: \[(job-\d+)\]\n/m.exec(text);
    assert.ok(m, 'the generated consumer has a job with needs');
    const [, needing, needed] = m;
    const back = `  needs: [${needing}]\n`;
    const toggle: Edit = (t) => {
      const at = t.indexOf(`${needed}:\n`) + needed.length + 2;
      return t.slice(at).startsWith(back) ? t.slice(0, at) + t.slice(at + back.length) : t.slice(0, at) + back + t.slice(at);
    };
    await compareOverEdits('needs cycle', disk, [join(dir, 'consumer', jobFile.path)], 22, {}, 5, toggle);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
