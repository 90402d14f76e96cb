#!/usr/bin/env node
// Runs every suite (types, lint, contracts, vitest incl. integration and browser tests) and ends
// with one line "N passed, N failed" summing them all, which CI reads.
import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const bin = (name) => path.join(root, 'node_modules', '.bin', name)
const only = process.argv.slice(2)

function run(cmd, args, { capture = false } = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: root, stdio: capture ? ['ignore', 'pipe', 'inherit'] : 'inherit' })
    let out = ''
    if (capture)
      child.stdout.on('data', (d) => {
        out += d
        process.stdout.write(d)
      })
    child.on('close', (code) => resolve({ code: code ?? 1, out }))
  })
}

const suites = [
  {
    name: 'typecheck',
    async run() {
      const { code } = await run(bin('tsc'), ['--noEmit', '-p', 'tsconfig.json'])
      return code === 0 ? { passed: 1, failed: 0 } : { passed: 0, failed: 1 }
    },
  },
  {
    name: 'lint',
    async run() {
      const { code } = await run(bin('biome'), ['check', '--diagnostic-level=error', '.'])
      return code === 0 ? { passed: 1, failed: 0 } : { passed: 0, failed: 1 }
    },
  },
  {
    name: 'contracts',
    async run() {
      if (!existsSync(path.join(root, 'contracts', 'foundry.toml'))) return { passed: 0, failed: 0 }
      const { code, out } = await run('node', ['scripts/forge.mjs', 'test'], { capture: true })
      // forge prints e.g. "Ran 5 test suites in 1.2s: 40 tests passed, 0 failed, 0 skipped (40 total tests)"
      const m = /(\d+) tests passed, (\d+) failed/.exec(out)
      if (!m) return { passed: 0, failed: 1 }
      const failed = Number(m[2])
      return { passed: Number(m[1]), failed: code !== 0 && failed === 0 ? 1 : failed }
    },
  },
  {
    name: 'vitest',
    async run() {
      const tmp = path.join(root, '.test-tmp')
      mkdirSync(tmp, { recursive: true })
      const report = path.join(tmp, 'vitest-report.json')
      rmSync(report, { force: true })
      const { code } = await run(bin('vitest'), [
        'run',
        '--reporter=default',
        '--reporter=json',
        `--outputFile.json=${report}`,
      ])
      if (!existsSync(report)) return { passed: 0, failed: 1 }
      const r = JSON.parse(readFileSync(report, 'utf8'))
      // A file that fails to load counts as a failure even though it has no tests.
      const brokenFiles = (r.testResults ?? []).filter(
        (f) => f.status === 'failed' && (f.assertionResults ?? []).length === 0,
      ).length
      const failed = r.numFailedTests + brokenFiles
      return { passed: r.numPassedTests, failed: code !== 0 && failed === 0 ? 1 : failed }
    },
  },
]

const totals = { passed: 0, failed: 0 }
const lines = []
for (const suite of suites) {
  if (only.length && !only.includes(suite.name)) continue
  process.stdout.write(`\n=== ${suite.name} ===\n`)
  const r = await suite.run()
  totals.passed += r.passed
  totals.failed += r.failed
  lines.push(`${suite.name}: ${r.passed} passed, ${r.failed} failed`)
}
process.stdout.write(`\n${lines.join('\n')}\n`)
process.stdout.write(`${totals.passed} passed, ${totals.failed} failed\n`)
process.exit(totals.failed > 0 ? 1 : 0)
