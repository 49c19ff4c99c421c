/**
 * The source chain through the engine: local checkout → SHA-keyed cache → GitLab API (the
 * stand-in), the default branch, moved tags, component versions and the newer-tag signal.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { GitLabStandIn } from '../support/gitlab-stand-in.js';
import { ProjectCache } from '../../server/src/sources/project-cache.js';
import { expand, folderWith, includeLibrary, LIBRARY, LIBRARY_DIR, libraryStandIn, messages, session, sourcesOf, tempDir } from './helpers.js';

let api: GitLabStandIn;

before(async () => {
  api = await libraryStandIn();
});
after(async () => api.close());

const rawRequests = () => api.requestsTo(/\/repository\/files\/.*\/raw/);

test('a mapped local checkout wins over the API, and an unsaved buffer wins over the disk', async () => {
  const checkout = tempDir('gcp-checkout-');
  cpSync(LIBRARY_DIR, checkout, { recursive: true });
  const jobs = join(checkout, 'common', 'jobs.yml');
  writeFileSync(jobs, readFileSync(jobs, 'utf8') + '\n.from-disk:\n  script: [echo disk]\n');
  const root = folderWith({ '.gitlab-ci.yml': includeLibrary('v1.2.0', ['ci/python.yml']) });
  api.clearRequests();
  const s = session(api);
  const settings = { gitlabUrl: api.url, cacheDir: tempDir(), localProjects: { [LIBRARY]: checkout } };

  const disk = await expand(sourcesOf(s, root, settings));
  assert.deepEqual(disk.plain['.from-disk']?.script, ['echo disk']);
  assert.equal(api.requests.length, 0, 'nothing was asked of the API');
  assert.ok(disk.pipeline.files.some((f) => f.uri === pathToFileURL(jobs).href), 'the file is the one on disk');

  const buffer = readFileSync(jobs, 'utf8') + '\n.from-buffer:\n  script: [echo buffer]\n';
  const overlay = (abs: string) => (abs === jobs ? buffer : undefined);
  const unsaved = await expand(sourcesOf(s, root, settings, { overlay }));
  assert.deepEqual(unsaved.plain['.from-buffer']?.script, ['echo buffer']);
  assert.equal(unsaved.plain['.from-disk']?.script?.[0], 'echo disk', 'the buffer holds the disk text plus the edit');

  // A checkout mapped for another ref does not serve this one: the API does.
  const other = { ...settings, localProjects: { [`${LIBRARY}@v1.0.0`]: checkout } };
  const fromApi = await expand(sourcesOf(s, root, other));
  assert.equal(fromApi.plain['.from-disk'], undefined);
  assert.ok(fromApi.plain['.python-test-job'], 'the library came from the API');
  assert.ok(rawRequests().length > 0);
});

test('a workspace folder whose git remote is the project is used as its checkout (no git process: .git/config)', async () => {
  const checkout = tempDir('gcp-checkout-');
  cpSync(LIBRARY_DIR, checkout, { recursive: true });
  mkdirSync(join(checkout, '.git'));
  writeFileSync(join(checkout, '.git', 'config'), '[core]\n\tbare = false\n[remote "origin"]\n\turl = git@127.0.0.1:acme/ci-library.git\n\tfetch = +refs/heads/*:refs/remotes/origin/*\n');
  writeFileSync(join(checkout, 'group-vars.yml'), readFileSync(join(checkout, 'group-vars.yml'), 'utf8') + '\n.in-the-workspace:\n  script: [echo ws]\n');
  const root = folderWith({ '.gitlab-ci.yml': includeLibrary('v1.2.0', ['ci/python.yml']) });
  api.clearRequests();
  const r = await expand(sourcesOf(session(api), root, { gitlabUrl: api.url, cacheDir: tempDir() }, { folders: [root, checkout] }));
  assert.deepEqual(r.plain['.in-the-workspace']?.script, ['echo ws']);
  assert.equal(rawRequests().length, 0);
});

test('without ref: the default branch, resolved through the project and its branch', async () => {
  const sha = api.commit(LIBRARY, { 'extra.yml': 'on-main:\n  script: [echo main]\n' });
  try {
    const root = folderWith({ '.gitlab-ci.yml': includeLibrary(undefined, ['extra.yml']) });
    api.clearRequests();
    const r = await expand(sourcesOf(session(api), root, { gitlabUrl: api.url, cacheDir: tempDir() }));
    assert.deepEqual(r.plain['on-main']?.script, ['echo main']);
    const urls = api.requests.map((q) => q.url);
    assert.ok(urls.includes('/api/v4/projects/acme%2Fci-library'), urls.join('\n'));
    assert.ok(urls.includes('/api/v4/projects/acme%2Fci-library/repository/branches/main'));
    assert.ok(urls.includes(`/api/v4/projects/acme%2Fci-library/repository/files/extra.yml/raw?ref=${sha}`), 'files are read by SHA');
  } finally {
    api.commit(LIBRARY, { 'extra.yml': null });
  }
});

test('the cache is keyed by commit SHA: a second session reads nothing from the API, a moved tag makes a new entry', async () => {
  const cacheDir = tempDir('gcp-cache-');
  const root = folderWith({ '.gitlab-ci.yml': includeLibrary('v1.3.0', ['ci/python.yml']) });
  const settings = { gitlabUrl: api.url, cacheDir };
  const first = await expand(sourcesOf(session(api), root, settings));
  assert.equal(first.pipeline.valid, true, JSON.stringify(first.pipeline.diagnostics));
  const oldSha = api.shaOf(LIBRARY, 'v1.3.0')!;

  api.clearRequests();
  const second = await expand(sourcesOf(session(api), root, settings));
  assert.equal(api.requests.length, 0, `a fresh cache answers everything: ${api.requests.map((q) => q.url).join(', ')}`);
  assert.deepEqual(second.plain, first.plain);
  assert.equal(second.pipeline.files[1].uri, 'gitlab-ci-project:///acme/ci-library/-/v1.3.0/ci/python.yml', 'files from GitLab are not file: URIs (they are read-only)');
  assert.equal(new ProjectCache(cacheDir).readFile(api.host, LIBRARY, oldSha, 'ci/python.yml')?.text, readFileSync(join(LIBRARY_DIR, 'ci', 'python.yml'), 'utf8'), 'the cache holds the file under its commit');

  // Move v1.3.0 to a new commit whose template job differs.
  const jobs = readFileSync(join(LIBRARY_DIR, 'common', 'jobs.yml'), 'utf8');
  const newSha = api.commit(LIBRARY, { 'common/jobs.yml': jobs + '\n.moved-tag:\n  script: [echo moved]\n' }, { branch: 'release' });
  api.tag(LIBRARY, 'v1.3.0', newSha);
  try {
    const s = session(api);
    const cached = await expand(sourcesOf(s, root, settings));
    assert.equal(cached.plain['.moved-tag'], undefined, 'within the maximum age the cached resolution stands');
    s.invalidate(); // what the refresh request and --refresh do
    api.clearRequests();
    const moved = await expand(sourcesOf(s, root, settings));
    assert.deepEqual(moved.plain['.moved-tag']?.script, ['echo moved']);
    assert.equal(api.requestsTo(/repository\/commits\/v1\.3\.0/).length, 1, 'the tag was resolved once');
    const commits = readdirSync(join(new ProjectCache(cacheDir).projectDir(api.host, LIBRARY)!, 'commits')).sort();
    assert.deepEqual(commits, [newSha, oldSha].sort(), 'one cache entry per commit');
    const oldJobs = new ProjectCache(cacheDir).readFile(api.host, LIBRARY, oldSha, 'common/jobs.yml');
    assert.equal(oldJobs?.text, jobs, 'the old commit entry is untouched');
  } finally {
    api.tag(LIBRARY, 'v1.3.0', oldSha);
  }
});

test('component versions resolve through the tags: exact, ~latest, 1, 1.2; templates/NAME.yml or templates/NAME/template.yml', async () => {
  const project = 'acme/components';
  api.addProject({ path: project, files: { 'README.md': 'components' } });
  for (const v of ['1.0.0', '1.2.0', '1.2.5', '2.0.0', '2.1.0-rc.1']) {
    const sha = api.commit(project, {
      'templates/build.yml': `spec:\n  inputs:\n    stage:\n      default: test\n---\nbuild:\n  stage: $[[ inputs.stage ]]\n  script:\n    - echo build ${v} $[[ component.version ]]\n`,
      'templates/lint/template.yml': `lint:\n  script: [echo lint ${v}]\n`,
    });
    api.tag(project, v, sha);
  }
  const cases: Array<[string, string]> = [['1.0.0', '1.0.0'], ['~latest', '2.0.0'], ['1', '1.2.5'], ['1.2', '1.2.5']];
  for (const [asked, got] of cases) {
    const root = folderWith({ '.gitlab-ci.yml': `include:\n  - component: ${api.host}/${project}/build@${asked}\n  - component: ${api.host}/${project}/lint@${asked}\n` });
    const r = await expand(sourcesOf(session(api), root, { gitlabUrl: api.url, cacheDir: tempDir() }));
    assert.deepEqual(r.plain.build?.script, [`echo build ${got} ${got}`], `${asked} → ${got}: ${JSON.stringify(r.pipeline.diagnostics)}`);
    assert.deepEqual(r.plain.lint?.script, [`echo lint ${got}`]);
  }
  const none = folderWith({ '.gitlab-ci.yml': `include:\n  - component: ${api.host}/${project}/build@3\n` });
  const r = await expand(sourcesOf(session(api), none, { gitlabUrl: api.url, cacheDir: tempDir() }));
  assert.match(messages(r.pipeline, 'component-version')[0] ?? '', /no release of acme\/components matches 3 \(tags: 1\.0\.0, 1\.2\.0, 1\.2\.5, 2\.0\.0, 2\.1\.0-rc\.1\)/);
});

test('newerTag: pinning v1.2.0 while v1.3.0 exists gives an information diagnostic; pinning v1.3.0 does not', async () => {
  const older = folderWith({ '.gitlab-ci.yml': includeLibrary('v1.2.0', ['ci/python.yml']) });
  const r = await expand(sourcesOf(session(api), older, { gitlabUrl: api.url, cacheDir: tempDir() }));
  const info = r.pipeline.diagnostics.filter((d) => d.code === 'include-newer-tag');
  assert.equal(info.length, 1);
  assert.equal(info[0].severity, 'info');
  assert.equal(info[0].message, 'acme/ci-library: a newer tag v1.3.0 exists (this include pins v1.2.0)');
  const newest = folderWith({ '.gitlab-ci.yml': includeLibrary('v1.3.0', ['ci/python.yml']) });
  const n = await expand(sourcesOf(session(api), newest, { gitlabUrl: api.url, cacheDir: tempDir() }));
  assert.deepEqual(messages(n.pipeline, 'include-newer-tag'), []);
});

test('the tag list and the repository tree are read across pages (Link / X-Next-Page)', async () => {
  const project = 'acme/big';
  const files: Record<string, string> = {};
  for (let i = 0; i < 130; i++) files[`ci/part-${String(i).padStart(3, '0')}.yml`] = `.p${i}:\n  script: [echo ${i}]\n`;
  api.addProject({ path: project, files, visibility: 'public' });
  for (let i = 0; i < 105; i++) api.tag(project, `v0.0.${i}`, 'main');
  const root = folderWith({ '.gitlab-ci.yml': `include:\n  - project: ${project}\n    ref: v0.0.3\n    file: ci/part-000.yml\n` });
  api.clearRequests();
  const s = session(api, { token: null });
  const sources = sourcesOf(s, root, { gitlabUrl: api.url, cacheDir: tempDir() });
  const listing = await sources.listProjectFiles({ project, ref: 'v0.0.3' });
  assert.ok(listing.ok && listing.files.length === 130 && listing.files.includes('ci/part-129.yml'));
  assert.ok(api.requestsTo(/repository\/tree\?.*page=2/).length >= 1, 'the second page of the tree was read');
  const r = await expand(sources);
  assert.deepEqual(messages(r.pipeline, 'include-newer-tag'), ['acme/big: a newer tag v0.0.104 exists (this include pins v0.0.3)'], 'the newest tag is on the second page');
  assert.ok(api.requestsTo(/repository\/tags\?.*page=2/).length >= 1);
});
