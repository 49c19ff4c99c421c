/**
 * The preview webview's HTML shell: a strict Content-Security-Policy with a fresh nonce, the
 * stylesheet from media/, the bundled script dist/webview.js, and the context bar. No data from
 * YAML is in here; the script renders it (escaped) when the model arrives.
 */
import { randomBytes } from 'node:crypto';

export interface ShellResources {
  /** `webview.cspSource` */
  cspSource: string;
  styleUri: string;
  scriptUri: string;
  nonce?: string;
}

export function makeNonce(): string {
  return randomBytes(18).toString('base64').replace(/[^A-Za-z0-9]/g, '');
}

export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${cspSource} 'nonce-${nonce}'`,
    `font-src ${cspSource}`,
    `img-src ${cspSource} data:`,
  ].join('; ');
}

const attr = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

/** `<!DOCTYPE html>` up to `</head>`: the CSP with `nonce`, the stylesheet, `extra` (nonce'd tags), the title. */
export function documentHead(r: { cspSource: string; styleUri: string }, nonce: string, title: string, extra = ''): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${attr(contentSecurityPolicy(r.cspSource, nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" nonce="${nonce}" href="${attr(r.styleUri)}">
${extra}<title>${title}</title>
</head>`;
}

export function previewShell(r: ShellResources): string {
  const nonce = r.nonce ?? makeNonce();
  return `${documentHead(r, nonce, 'Pipeline preview')}
<body>
<header class="context-bar" role="toolbar" aria-label="simulated pipeline">
  <span class="target" id="target"></span>
  <label>Source
    <select id="ctx-source">
      <option value="push">push</option>
      <option value="merge_request_event">merge_request_event</option>
      <option value="schedule">schedule</option>
      <option value="tag">tag</option>
      <option value="web">web</option>
    </select>
  </label>
  <label>Branch <input id="ctx-branch" type="text" placeholder="default branch" spellcheck="false"></label>
  <label>Tag <input id="ctx-tag" type="text" placeholder="v1.0.0" spellcheck="false"></label>
  <label class="vars">Variables <input id="ctx-vars" type="text" placeholder="NAME=value OTHER=value" spellcheck="false"></label>
  <button id="refresh" type="button" title="Refresh presets from their sources">Refresh</button>
  <span class="status" id="status" role="status" aria-live="polite">loading…</span>
</header>
<main id="body"></main>
<script nonce="${nonce}" src="${attr(r.scriptUri)}"></script>
</body>
</html>`;
}
