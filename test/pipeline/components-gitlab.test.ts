/**
 * `include: component:` checked against GitLab (Ci::Components::FetchService,
 * Gitlab::Ci::Components::InstancePath, Ci::Catalog::ComponentsProject, File::Component):
 * each rule has a rejected case with GitLab's message next to an accepted one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expandPlain, expandSummary, spanText } from '../support/engine.js';

const J = 'x:\n  script: [echo]\n';
const job = (name: string) => `${name}:\n  script: [echo ${name}]\n`;

async function run(files: Record<string, string>, variables: Record<string, string | undefined> = {}) {
  const { p, errors, warnings, includedAt } = await expandSummary(files, variables);
  return { p, errors, warnings, included: includedAt };
}

const including = (address: string, extra: Record<string, string> = {}) => ({ '.gitlab-ci.yml': `include:\n  - component: "${address}"\n${J}`, ...extra });

// ── InstancePath.match?: an `@` and the instance's `FQDN/` prefix, else "not supported" ──

for (const address of ['/gitlab.com/g/p/c@1.0', 'gitlab.com@1.0/g/p/c', 'gitlab.com/g/p/c']) {
  test(`the address \`${address}\` cannot start with the instance's FQDN and "/": the component path is not supported`, async () => {
    const r = await run(including(address, { 'project:g/p@1.0:/templates/c.yml': job('c') }));
    assert.deepEqual(r.errors, [`Component '${address}' - the component path is not supported`]);
    assert.equal(spanText(r.p, r.p.diagnostics[0].span).trim().startsWith('component:'), true);
  });
}

test('an address on the instance (CI_SERVER_FQDN) is read; another host is not supported there (a warning: the host is not known offline)', async () => {
  const files = { 'project:g/p@1.0:/templates/c.yml': job('c') };
  const ok = await run(including('example.org/g/p/c@1.0', files), { CI_SERVER_FQDN: 'example.org' });
  assert.deepEqual([ok.errors, ok.warnings, ok.included], [[], [], ['g/p@1.0:templates/c.yml']]);
  const other = await run(including('gitlab.com/g/p/c@1.0', files), { CI_SERVER_FQDN: 'example.org' });
  assert.deepEqual(other.errors, []);
  assert.match(other.warnings.join('\n'), /the component path is not supported/);
});

test('an instance on a relative URL: the FQDN with its path is the prefix, the project follows it', async () => {
  const r = await run(including('acme.com/gitlab/g/p/c@1.0', { 'project:g/p@1.0:/templates/c.yml': job('c') }), { CI_SERVER_FQDN: 'acme.com/gitlab' });
  assert.deepEqual([r.errors, r.included], [[], ['g/p@1.0:templates/c.yml']]);
});

// ── InstancePath#extract_project_path: the project is what lies before the last `/` ──

for (const address of ['gitlab.com/c@1.0', 'gitlab.com//g/p/c@1.0']) {
  test(`no project in \`${address}\`: content not found`, async () => {
    const r = await run(including(address, { 'project:g/p@1.0:/templates/c.yml': job('c') }));
    assert.deepEqual(r.errors, [`Component '${address}' - content not found`]);
  });
}

// ── Ci::Catalog::ComponentsProject#fetch_component: templates/NAME.yml, then templates/NAME/template.yml ──

test('the templates folder: NAME.yml first, then NAME/template.yml; a deeper folder is another project', async () => {
  const files = {
    'project:g/p@1.0:/templates/simple.yml': job('simple'),
    'project:g/p@1.0:/templates/dast/template.yml': job('dast'),
    'project:g/p@1.0:/templates/dast/another-template.yml': job('other'),
    'project:g/p@1.0:/templates/both.yml': job('both_file'),
    'project:g/p@1.0:/templates/both/template.yml': job('both_dir'),
  };
  const ok = await run({ '.gitlab-ci.yml': `include:\n  - component: gitlab.com/g/p/simple@1.0\n  - component: gitlab.com/g/p/dast@1.0\n  - component: gitlab.com/g/p/both@1.0\n${J}`, ...files });
  assert.deepEqual([ok.errors, ok.included], [[], ['g/p@1.0:templates/simple.yml', 'g/p@1.0:templates/dast/template.yml', 'g/p@1.0:templates/both.yml']]);
  const nested = await run(including('gitlab.com/g/p/dast/another-template@1.0', files));
  assert.equal(nested.errors.length, 1);
  assert.match(nested.errors[0], /^Component 'gitlab\.com\/g\/p\/dast\/another-template@1\.0' - content not found/);
});

// ── InstancePath#find_version_sha: ~latest, shorthand (catalog), released tag, any ref ──

const RELEASES = {
  'project:g/p@2.6.0:/templates/c.yml': job('v2_6_0'),
  'project:g/p@1.1.2:/templates/c.yml': job('v1_1_2'),
  'project:g/p@1.0.0:/templates/c.yml': job('v1_0_0'),
  'project:g/p@6.0.0-pre:/templates/c.yml': job('v6_pre'),
  'project:g/p@main:/templates/c.yml': job('main'),
};

for (const [version, picked] of [['~latest', '2.6.0'], ['1', '1.1.2'], ['2.6', '2.6.0'], ['6.0.0-pre', '6.0.0-pre'], ['main', 'main']] as const) {
  test(`version \`${version}\` resolves to ${picked}`, async () => {
    const r = await run(including(`gitlab.com/g/p/c@${version}`, RELEASES));
    assert.deepEqual([r.errors, r.included], [[], [`g/p@${picked}:templates/c.yml`]]);
  });
}

for (const version of ['3', '6']) {
  test(`shorthand \`${version}\` matching no release (pre-releases never match): content not found`, async () => {
    const r = await run(including(`gitlab.com/g/p/c@${version}`, RELEASES));
    assert.equal(r.errors.length, 1);
    assert.match(r.errors[0], new RegExp(`^Component 'gitlab\\.com/g/p/c@${version}' - content not found`));
  });
}

test('a shorthand version is a catalog version before a tag of that name', async () => {
  const r = await run(including('gitlab.com/g/p/c@1', { ...RELEASES, 'project:g/p@1:/templates/c.yml': job('tag_1') }));
  assert.deepEqual([r.errors, r.included], [[], ['g/p@1.1.2:templates/c.yml']]);
});

// ── File::Component#component_attrs: name, sha, version (the catalog's semver, else nil), reference (as written) ──

const CONTEXT = 'spec:\n  component: [name, version, reference]\n---\nc:\n  script:\n    - echo "$[[ component.name ]] v=$[[ component.version ]] r=$[[ component.reference ]]"\n';

for (const [version, expected] of [
  ['1', 'echo "c v=1.1.2 r=1"'],
  ['~latest', 'echo "c v=2.6.0 r=~latest"'],
  ['1.0.0', 'echo "c v=1.0.0 r=1.0.0"'],
  ['main', 'echo "c v= r=main"'],
] as const) {
  test(`component context at \`${version}\`: ${expected}`, async () => {
    const files: Record<string, string> = { '.gitlab-ci.yml': `include:\n  - component: gitlab.com/g/p/c@${version}\n` };
    for (const k of Object.keys(RELEASES)) files[k] = CONTEXT;
    const { plain, pipeline } = await expandPlain(files);
    assert.deepEqual(pipeline.diagnostics.filter((d) => d.severity === 'error'), []);
    assert.deepEqual(plain.c.script, [expected]);
  });
}

// ── File::Component: a component cannot use `spec:include` ──

test('a component with `spec:include` is rejected; one with `spec:inputs` only is not', async () => {
  const bad = 'spec:\n  include:\n    - local: /shared-inputs.yml\n---\njob:\n  script: echo\n';
  const r = await run(including('gitlab.com/g/p/c@1.0', { 'project:g/p@1.0:/templates/c.yml': bad, 'project:g/p@1.0:/shared-inputs.yml': 'inputs:\n  a: {}\n' }));
  assert.deepEqual(r.errors, ['Component `gitlab.com/g/p/c@1.0` cannot use `spec:include`. This keyword is not supported in components']);
  const d = r.p.diagnostics.find((x) => x.severity === 'error')!;
  assert.equal(spanText(r.p, d.span), 'include');
  const ok = await run(including('gitlab.com/g/p/c@1.0', { 'project:g/p@1.0:/templates/c.yml': 'spec:\n  inputs:\n    env:\n      default: prod\n---\njob:\n  script: echo\n' }));
  assert.deepEqual(ok.errors, []);
});

// ── File::Base#validate_location!: the location must be a string ──

test('a component location that is not a string', async () => {
  const r = await run({ '.gitlab-ci.yml': `include:\n  - component: 123\n${J}` });
  assert.deepEqual(r.errors, ['Included file `123` needs to be a string']);
});
