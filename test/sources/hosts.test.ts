/** Hosts, tokens and git remotes: which instance a folder belongs to and who may receive a token. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chooseGitlabUrl, hostKey, mayCarryToken, normaliseGitlabUrl, TokenStore } from '../../server/src/sources/hosts.js';
import { parseGitConfigRemotes, parseGitRemoteUrl, readGitRemotes } from '../../server/src/sources/git-remotes.js';
import { redact } from '../../server/src/sources/gitlab-api.js';
import { parseRetryAfter } from '../../server/src/sources/request-limits.js';
import { defaultCacheDir } from '../../server/src/sources/project-cache.js';
import { tempDir } from './helpers.js';

test('git remote URLs: https, scp-like ssh, ssh:// with port, subgroups', () => {
  assert.deepEqual(parseGitRemoteUrl('https://gitlab.example.com/acme/ci-library.git'), { scheme: 'https', hostname: 'gitlab.example.com', projectPath: 'acme/ci-library' });
  assert.deepEqual(parseGitRemoteUrl('git@gitlab.example.com:acme/platform/ci-library.git'), { scheme: 'scp', hostname: 'gitlab.example.com', projectPath: 'acme/platform/ci-library' });
  assert.deepEqual(parseGitRemoteUrl('ssh://git@gitlab.example.com:2222/acme/ci-library.git'), { scheme: 'ssh', hostname: 'gitlab.example.com', projectPath: 'acme/ci-library' });
  assert.deepEqual(parseGitRemoteUrl('https://gitlab.example.com:8443/acme/ci-library'), { scheme: 'https', hostname: 'gitlab.example.com', port: '8443', projectPath: 'acme/ci-library' });
  assert.equal(parseGitRemoteUrl('not a url'), undefined);
});

test('.git/config: remotes with origin first; a .git file (worktree) is followed', () => {
  const cfg = '[core]\n\tbare = false\n[remote "upstream"]\n\turl = https://gitlab.com/up/lib.git\n[remote "origin"]  # mine\n\turl = git@gitlab.example.com:acme/lib.git\n[branch "main"]\n\tremote = origin\n';
  assert.deepEqual(parseGitConfigRemotes(cfg).map((r) => r.name), ['origin', 'upstream']);
  const main = tempDir();
  mkdirSync(join(main, '.git'));
  writeFileSync(join(main, '.git', 'config'), cfg);
  const wt = tempDir();
  writeFileSync(join(wt, '.git'), `gitdir: ${join(main, '.git', 'worktrees', 'wt')}\n`);
  mkdirSync(join(main, '.git', 'worktrees', 'wt'), { recursive: true });
  writeFileSync(join(main, '.git', 'worktrees', 'wt', 'commondir'), '../..\n');
  assert.equal(readGitRemotes(wt)[0].url, 'git@gitlab.example.com:acme/lib.git');
});

test('the instance of a folder: the setting, else its git remote, else gitlab.com (never a GitHub mirror)', () => {
  const folder = tempDir();
  assert.deepEqual(chooseGitlabUrl(undefined, folder), { url: 'https://gitlab.com', from: 'default' });
  mkdirSync(join(folder, '.git'));
  writeFileSync(join(folder, '.git', 'config'), '[remote "origin"]\n\turl = git@gitlab.example.com:acme/service.git\n');
  assert.deepEqual(chooseGitlabUrl(undefined, join(folder)), { url: 'https://gitlab.example.com', from: 'git remote' });
  assert.deepEqual(chooseGitlabUrl('https://git.corp.example/gitlab/', folder), { url: 'https://git.corp.example/gitlab', from: 'setting' });
  writeFileSync(join(folder, '.git', 'config'), '[remote "origin"]\n\turl = https://github.com/acme/service.git\n');
  assert.equal(chooseGitlabUrl(undefined, folder).url, 'https://gitlab.com');
  assert.throws(() => normaliseGitlabUrl('https://user:pw@gitlab.example.com'), /must not carry credentials/);
});

test('a token goes to its own host only, over https, or plain http to loopback only', () => {
  assert.equal(mayCarryToken('https://gitlab.example.com/api/v4/projects', 'https://gitlab.example.com'), true);
  assert.equal(mayCarryToken('https://evil.example.com/api/v4/projects', 'https://gitlab.example.com'), false);
  assert.equal(mayCarryToken('https://gitlab.example.com:8443/api/v4', 'https://gitlab.example.com'), false, 'another port is another host');
  assert.equal(mayCarryToken('http://gitlab.example.com/api/v4', 'http://gitlab.example.com'), false, 'no plain http off the machine');
  assert.equal(mayCarryToken('http://127.0.0.1:8080/api/v4', 'http://127.0.0.1:8080'), true);
  assert.equal(mayCarryToken('http://localhost:8080/api/v4', 'http://localhost:8080'), true);
  const store = new TokenStore({ 'GitLab.Example.com': 'a', 'https://127.0.0.1:9000/': 'b', empty: '  ' });
  assert.deepEqual(store.hosts(), ['127.0.0.1:9000', 'gitlab.example.com']);
  assert.equal(store.tokenFor('https://gitlab.example.com/api/v4/x', 'https://gitlab.example.com'), 'a');
  assert.equal(store.tokenFor('https://other.example.com/x', 'https://gitlab.example.com'), undefined);
  assert.equal(hostKey('https://GitLab.example.com:443/'), 'gitlab.example.com');
});

test('small pieces: Retry-After forms, redaction, the default cache folder', () => {
  assert.equal(parseRetryAfter('7', 0), 7000);
  assert.equal(parseRetryAfter(new Date(60_000).toUTCString(), 0), 60_000);
  assert.equal(parseRetryAfter('soon', 0), undefined);
  assert.equal(redact('server said glpat-x back', 'glpat-x'), 'server said [token] back');
  assert.equal(defaultCacheDir({ XDG_CACHE_HOME: '/xdg' }), '/xdg/gitlab-ci-presets');
  assert.match(defaultCacheDir({}), /[/\\]\.cache[/\\]gitlab-ci-presets$/);
});
