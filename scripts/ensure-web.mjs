#!/usr/bin/env node
// Builds the web app before `npm start` when web/dist is missing or older than its sources, so a
// fresh clone needs nothing but `npm install && npm start`.
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const built = path.join(root, 'web', 'dist', 'index.html')

function newest(dir) {
  let t = 0
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name)
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs)
  }
  return t
}

const stale =
  !existsSync(built) ||
  newest(path.join(root, 'web', 'src')) > statSync(built).mtimeMs ||
  statSync(path.join(root, 'web', 'index.html')).mtimeMs > statSync(built).mtimeMs
if (stale) {
  process.stdout.write('Bygger webappen (første start) …\n')
  const r = spawnSync(
    process.execPath,
    [
      path.join(root, 'node_modules', 'vite', 'bin', 'vite.js'),
      'build',
      '--config',
      'web/vite.config.ts',
      '--logLevel',
      'warn',
    ],
    {
      cwd: root,
      stdio: 'inherit',
    },
  )
  if (r.status !== 0) process.exit(r.status ?? 1)
}
