/**
 * A generated central preset library and a consumer of it, for `npm run bench:scale` and the
 * incremental re-analysis tests. Two shapes:
 *
 * - `library` (default): N preset files × T hidden templates each; templates extend templates of
 *   earlier files (chains of at most three), `!reference` other files' scripts, carry `rules:`,
 *   required `${X?msg}` and optional `${X:-default}` reads and `# @required` / `# @optional` doc
 *   comments. The consumer includes every library file through `include: project:` and defines J
 *   jobs extending the templates, split over local include files of JOBS_PER_FILE jobs (one file
 *   beyond GitLab's 2 MB loaded-size limit is rightly rejected).
 * - `gitlab`: the shape of GitLab's own CI configuration (gitlab-org/gitlab): dozens of local
 *   files, one rules file of hundreds of anchors (`.if-…: &if-…`, `changes: *code-patterns`) merged
 *   into rule sets with `<<: *alias`, jobs taking rules with `!reference [.rules-…, rules]`.
 *
 * Deterministic for a seed. `node --import tsx scripts/generate-library.ts OUT_DIR [--files N]
 * [--templates T] [--jobs J] [--seed S] [--shape library|gitlab]` writes OUT_DIR/library and
 * OUT_DIR/consumer (expand it with `--project org/ci-library=OUT_DIR/library`).
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

export const LIBRARY_PROJECT = 'org/ci-library';
/** GitLab rejects a file over 2 MB once loaded: 2,500 jobs of this shape would be; 1,250 are not. */
export const JOBS_PER_FILE = 1250;
const STAGES = ['build', 'test', 'package', 'deploy'];

export interface LibraryOptions {
  files: number;
  templates: number;
  jobs: number;
  seed?: number;
  shape?: 'library' | 'gitlab';
}

export interface GeneratedLibrary {
  /** Library files by path (empty for the `gitlab` shape). */
  library: Record<string, string>;
  /** The consumer's files by path: `.gitlab-ci.yml` and its local includes. */
  consumer: Record<string, string>;
  /** Consumer job files, in order, with the jobs each defines. */
  jobFiles: { path: string; jobs: string[] }[];
}

/** mulberry32: a small seeded PRNG. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const template = (file: number, k: number) => `.p${file}-t${k}`;
const requiredVar = (file: number, k: number) => `REQ_P${file}_T${k}`;
const optionalVar = (file: number, k: number) => `OPT_P${file}_T${k}`;

export function generateLibrary(opts: LibraryOptions): GeneratedLibrary {
  return opts.shape === 'gitlab' ? generateGitlabShape(opts) : generateLibraryShape(opts);
}

function generateLibraryShape({ files, templates, jobs, seed = 1 }: LibraryOptions): GeneratedLibrary {
  const rnd = random(seed);
  const pick = (n: number) => Math.floor(rnd() * n);
  // Odd templates stand alone; k ≡ 2 (mod 4) extends an odd one; k ≡ 0 (mod 4) extends a k ≡ 2 one (same or earlier file).
  const parentOf = new Map<string, [number, number]>();
  /** The template whose script a template's before_script references. */
  const referenceOf = new Map<string, [number, number]>();
  const base = (upTo: number, residue: (k: number) => boolean): [number, number] | undefined => {
    const ks = Array.from({ length: templates }, (_, k) => k).filter(residue);
    if (!ks.length) return undefined;
    return [pick(upTo + 1), ks[pick(ks.length)]];
  };
  const library: Record<string, string> = {};
  for (let f = 0; f < files; f++) {
    const lines = [`# Preset file ${f}: templates for the p${f} family of services.`, ''];
    for (let k = 0; k < templates; k++) {
      const name = template(f, k);
      const parent = k % 2 === 1 ? undefined : k % 4 === 2 ? base(f, (x) => x % 2 === 1) : base(f, (x) => x % 4 === 2 && x !== k);
      if (parent && parent[0] === f && parent[1] === k) continue;
      const ref = f > 0 ? base(f - 1, (x) => x % 2 === 1) : undefined;
      lines.push(`# Builds and deploys component ${k} of family p${f}.`);
      lines.push(`# @required ${requiredVar(f, k)}: where component ${k} is deployed`);
      lines.push(`# @optional ${optionalVar(f, k)}: the log level (default info)`);
      lines.push(`${name}:`);
      if (parent) {
        lines.push(`  extends: ${template(...parent)}`);
        parentOf.set(name, parent);
      }
      lines.push(`  stage: ${STAGES[k % STAGES.length]}`);
      lines.push(`  image: registry.example.com/p${f}/builder:${k}`);
      lines.push('  variables:', `    P${f}_T${k}_LEVEL: \${${optionalVar(f, k)}:-info}`);
      if (ref) referenceOf.set(name, ref);
      if (ref) lines.push('  before_script:', `    - !reference [${template(...ref)}, script]`);
      lines.push('  script:', `    - echo "deploy to \${${requiredVar(f, k)}?${requiredVar(f, k)} must be set}"`, `    - make component-${k} LEVEL=\${${optionalVar(f, k)}:-info}`);
      lines.push('  rules:', '    - if: $CI_PIPELINE_SOURCE == "merge_request_event"', `    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH && $SKIP_P${f} != "true"`, '      when: on_success');
      lines.push('');
    }
    library[`presets/p${f}.yml`] = lines.join('\n');
  }
  const names = Object.keys(library);
  const templateNames: [number, number][] = [];
  for (let f = 0; f < files; f++) for (let k = 0; k < templates; k++) templateNames.push([f, k]);
  const chain = (t: [number, number]): [number, number][] => {
    const out = [t];
    for (let p = parentOf.get(template(...t)); p; p = parentOf.get(template(...p))) out.push(p);
    return out;
  };
  const jobFiles: GeneratedLibrary['jobFiles'] = [];
  const consumer: Record<string, string> = {};
  for (let start = 0; start < jobs; start += JOBS_PER_FILE) {
    const path = `jobs/jobs-${jobFiles.length}.yml`;
    const lines: string[] = [];
    const defined: string[] = [];
    for (let j = start; j < Math.min(jobs, start + JOBS_PER_FILE); j++) {
      const t = templateNames[pick(templateNames.length)];
      const name = `job-${j}`;
      defined.push(name);
      lines.push(`${name}:`, `  extends: ${template(...t)}`, '  variables:');
      const reads = new Set<string>();
      for (const c of chain(t)) {
        reads.add(requiredVar(...c));
        const r = referenceOf.get(template(...c));
        if (r) reads.add(requiredVar(...r));
      }
      for (const v of reads) lines.push(`    ${v}: env-${j % 7}`);
      if (j % 3 === 0) lines.push(`    ${optionalVar(...t)}: debug`);
      if (j % 10 === 5 && j > start) lines.push(`  needs: [job-${j - 1}]`, `  stage: ${STAGES[STAGES.length - 1]}`);
    }
    consumer[path] = lines.join('\n') + '\n';
    jobFiles.push({ path, jobs: defined });
  }
  consumer['.gitlab-ci.yml'] = [
    'include:',
    `  - project: ${LIBRARY_PROJECT}`,
    '    ref: main',
    '    file:',
    ...names.map((n) => `      - ${n}`),
    ...jobFiles.map((f) => `  - local: ${f.path}`),
    `stages: [${STAGES.join(', ')}]`,
    'variables:',
    '  GLOBAL_REGION: eu-west-1',
    '',
  ].join('\n');
  return { library, consumer, jobFiles };
}

/**
 * GitLab's own CI shape: `files` job files of `jobs / files` jobs each, a rules file with
 * `templates` × 6 anchors of `if:` conditions and change patterns and `templates` × 8 rule sets
 * built from them with merge keys, jobs reading rule sets through `!reference` and templates through extends.
 */
function generateGitlabShape({ files, templates, jobs, seed = 1 }: LibraryOptions): GeneratedLibrary {
  const rnd = random(seed);
  const pick = (n: number) => Math.floor(rnd() * n);
  const ifs = templates * 4;
  const patterns = templates * 2;
  const ruleSets = templates * 8;
  const rules: string[] = ['# Rules: conditions and change patterns as anchors, combined into rule sets.', ''];
  for (let i = 0; i < ifs; i++) rules.push(`.if-cond-${i}: &if-cond-${i}`, `  if: '$CI_COMMIT_BRANCH == "branch-${i}" || $CI_MERGE_REQUEST_LABELS =~ /label-${i}/'`, '');
  for (let i = 0; i < patterns; i++) {
    rules.push(`.pattern-${i}: &pattern-${i}`, `  - "app/area-${i}/**/*"`, `  - "lib/area-${i}/**/*"`, `  - "spec/area-${i}/**/*"`, '');
  }
  rules.push('');
  for (let r = 0; r < ruleSets; r++) {
    rules.push(`.rules-set-${r}:`, '  rules:');
    for (let n = 0; n < 4; n++) {
      rules.push(`    - <<: *if-cond-${pick(ifs)}`);
      if (n % 2 === 0) rules.push(`      changes: *pattern-${pick(patterns)}`);
      if (n === 3) rules.push('      when: manual', '      allow_failure: true');
    }
    rules.push('');
  }
  const consumer: Record<string, string> = { '.gitlab/ci/rules.gitlab-ci.yml': rules.join('\n') };
  const perFile = Math.ceil(jobs / files);
  const jobFiles: GeneratedLibrary['jobFiles'] = [];
  for (let f = 0; f < files; f++) {
    const path = `.gitlab/ci/area-${f}.gitlab-ci.yml`;
    const lines = [`.area-${f}-base:`, `  image: registry.example.com/area-${f}:latest`, '  stage: test', '  variables:', `    AREA: area-${f}`, '  before_script:', '    - bundle install', ''];
    const defined: string[] = [];
    for (let j = f * perFile; j < Math.min(jobs, (f + 1) * perFile); j++) {
      const name = `area-${f}:job-${j}`;
      defined.push(name);
      lines.push(`${name}:`, `  extends: .area-${f}-base`, `  rules: !reference [.rules-set-${pick(ruleSets)}, rules]`, '  variables:', `    PART: "${j}"`, '  script:', `    - bin/run-part ${j}`, '');
    }
    consumer[path] = lines.join('\n');
    jobFiles.push({ path, jobs: defined });
  }
  consumer['.gitlab-ci.yml'] = [
    `stages: [${STAGES.join(', ')}]`,
    'include:',
    '  - local: .gitlab/ci/rules.gitlab-ci.yml',
    ...jobFiles.map((f) => `  - local: ${f.path}`),
    '',
  ].join('\n');
  return { library: {}, consumer, jobFiles };
}

/** Write a generated library under `dir` (replacing it): `dir/library`, `dir/consumer`. */
export function writeLibrary(dir: string, g: GeneratedLibrary): void {
  rmSync(dir, { recursive: true, force: true });
  for (const [side, files] of [['library', g.library], ['consumer', g.consumer]] as const) {
    for (const [path, text] of Object.entries(files)) {
      const abs = join(dir, side, path);
      mkdirSync(dirname(abs), { recursive: true });
      writeFileSync(abs, text);
    }
  }
  mkdirSync(join(dir, 'library'), { recursive: true });
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const out = args.find((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--'));
  const opt = (name: string, d: number) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? Number(args[i + 1]) : d;
  };
  if (!out) {
    console.error('usage: generate-library.ts OUT_DIR [--files N] [--templates T] [--jobs J] [--seed S] [--shape library|gitlab]');
    process.exit(2);
  }
  const shapeAt = args.indexOf('--shape');
  const shape = shapeAt >= 0 ? (args[shapeAt + 1] as 'library' | 'gitlab') : 'library';
  writeLibrary(resolve(out), generateLibrary({ files: opt('files', 10), templates: opt('templates', 20), jobs: opt('jobs', 200), seed: opt('seed', 1), shape }));
}
