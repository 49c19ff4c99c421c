// Preloaded (NODE_OPTIONS=--require) into a language server that reliability tests drive with
// generated input: requests may reach loopback addresses only (the GitLab stand-ins); any other
// host fails at once as an unreachable network, and is reported on stderr. Generated and mutated
// CI files name arbitrary hosts; no test may send a request off the machine.
'use strict';
const real = globalThis.fetch;
const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])$/i;
globalThis.fetch = async function guardedFetch(input, init) {
  const href = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
  let host = '';
  try {
    host = new URL(href).hostname;
  } catch {
    // fetch itself rejects it
  }
  if (LOOPBACK.test(host)) return real(input, init);
  process.stderr.write(`net-guard: blocked a request to ${host || href}\n`);
  const cause = Object.assign(new Error('blocked by net-guard'), { code: 'ENETUNREACH' });
  throw new TypeError('fetch failed', { cause });
};
