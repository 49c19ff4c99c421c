-- Headless Neovim as an LSP client of dist/server.js (test/e2e/neovim/run.ts starts it):
-- opens the example pipeline, waits for the missing-variable diagnostic, asks for completion
-- and writes what it saw to $GCP_OUT as JSON. Settings reach the server only the pull way
-- (workspace/configuration answered from `settings`), as for any Neovim user.
local root = os.getenv('GCP_ROOT')
local out = os.getenv('GCP_OUT')
local result = { diagnostics = {}, completion = {}, errors = {} }

local function finish()
  local f = io.open(out, 'w')
  f:write(vim.fn.json_encode(result))
  f:close()
  vim.cmd('qa!')
end

local ok, err = pcall(function()
  local file = root .. '/service-repo/.gitlab-ci.yml'
  vim.cmd('edit ' .. vim.fn.fnameescape(file))
  local bufnr = vim.api.nvim_get_current_buf()
  -- Neovim 0.8+ declares that it answers workspace/configuration; 0.7 answers it (from `settings`) without saying so.
  local capabilities = vim.lsp.protocol.make_client_capabilities()
  capabilities.workspace.configuration = true
  local config = {
    capabilities = capabilities,
    name = 'gitlab-ci-presets',
    cmd = { os.getenv('GCP_NODE'), os.getenv('GCP_SERVER'), '--stdio' },
    root_dir = root .. '/service-repo',
    settings = {
      gitlabCiPresets = {
        localProjects = { ['acme/ci-library@v1.2.0'] = '../ci-library' },
        localOnly = true,
        cacheDir = root .. '/cache',
      },
    },
  }
  local client_id
  if vim.lsp.start then
    client_id = vim.lsp.start(config) -- Neovim 0.8+
  else
    client_id = vim.lsp.start_client(config) -- Neovim 0.7 (Debian bookworm)
    vim.lsp.buf_attach_client(bufnr, client_id)
  end
  result.client = client_id ~= nil

  local function missing()
    local found = {}
    for _, d in ipairs(vim.diagnostic.get(bufnr)) do
      table.insert(found, d.message)
    end
    result.diagnostics = found
    for _, m in ipairs(found) do
      if m:match('^HELM_CHART is not set') then return true end
    end
    return false
  end
  result.diagnosticSeen = vim.wait(60000, missing, 100)

  -- Completion after `extends: ` of the contract-tests job: the library's templates.
  local lines = vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)
  local line
  for i, l in ipairs(lines) do
    if l:match('^  extends: %.python%-test%-job') then line = i - 1 break end
  end
  local params = {
    textDocument = { uri = vim.uri_from_bufnr(bufnr) },
    position = { line = line, character = #'  extends: ' },
  }
  local answers = vim.lsp.buf_request_sync(bufnr, 'textDocument/completion', params, 20000) or {}
  for _, a in pairs(answers) do
    if a.error then table.insert(result.errors, vim.inspect(a.error)) end
    local items = a.result and (a.result.items or a.result) or {}
    for _, it in ipairs(items) do table.insert(result.completion, it.label) end
  end
  vim.lsp.stop_client(client_id)
end)
if not ok then table.insert(result.errors, tostring(err)) end
finish()
