#!/usr/bin/env node
// Runs the forge binary from the npm package with contracts/ as its project root, offline,
// compiling through contracts/solc-wrapper.cjs (npm solc). Usage: node scripts/forge.mjs test [args]
import { spawnSync } from 'node:child_process'
import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const require = createRequire(import.meta.url)
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const contracts = path.join(root, 'contracts')
const arch = { x64: 'amd64', arm64: 'arm64' }[process.arch] ?? process.arch
const pkg = `@foundry-rs/forge-${process.platform}-${arch}`
const forge = path.join(
  path.dirname(require.resolve(`${pkg}/package.json`)),
  'bin',
  process.platform === 'win32' ? 'forge.exe' : 'forge',
)

const args = process.argv.slice(2)
if (args.length === 0) args.push('test')
const result = spawnSync(forge, args, {
  cwd: contracts,
  stdio: 'inherit',
  env: { ...process.env, FOUNDRY_OFFLINE: 'true', FOUNDRY_DISABLE_NIGHTLY_WARNING: '1' },
})
if (result.error) {
  console.error(`forge: ${result.error.message}`)
  process.exit(1)
}
process.exit(result.status ?? 1)
