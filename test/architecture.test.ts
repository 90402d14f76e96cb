/**
 * The dependency direction of architecture.md §2, checked on every import in src/:
 * domain imports no other src/ folder; only api and cli may import services; nothing below
 * services imports api, cli or services; and only config.ts reads process.env.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'

const src = path.resolve(import.meta.dirname, '../src')

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name)
    if (statSync(full).isDirectory()) return name === 'generated' ? [] : files(full)
    return /\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name) ? [full] : []
  })
}

/** The top-level area of a file under src/: 'domain', 'services', … or the file name for root files. */
const area = (file: string) => path.relative(src, file).split(path.sep)[0]!.replace(/\.ts$/, '')

const allowed: Record<string, string[]> = {
  domain: [],
  config: [],
  logger: [],
  store: ['domain', 'config'],
  ledger: ['domain', 'config', 'store'],
  events: ['domain', 'config', 'store'],
  identity: ['domain', 'config', 'store', 'ledger'],
  reports: ['domain', 'config'],
  services: ['domain', 'config', 'logger', 'store', 'ledger', 'events', 'identity', 'reports'],
  api: ['domain', 'config', 'logger', 'services', 'identity', 'store', 'events', 'ledger', 'reports'],
  cli: ['domain', 'config', 'logger', 'services', 'api', 'identity', 'reports'],
}

function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8')
  return [...text.matchAll(/(?:from|import)\s*\(?\s*['"](\.[^'"]+)['"]/g)].map((m) =>
    path.resolve(path.dirname(file), m[1]!),
  )
}

describe('architecture', () => {
  const all = files(src)

  it('has source files to check', () => {
    expect(all.length).toBeGreaterThan(5)
  })

  it('keeps the dependency direction', () => {
    const violations: string[] = []
    for (const file of all) {
      const from = area(file)
      const may = allowed[from]
      if (!may) {
        violations.push(
          `${path.relative(src, file)}: unknown area '${from}' (add it to test/architecture.test.ts)`,
        )
        continue
      }
      for (const target of imports(file)) {
        if (!target.startsWith(src)) continue
        const to = area(target)
        if (to !== from && !may.includes(to)) violations.push(`${path.relative(src, file)} → ${to}`)
      }
    }
    expect(violations).toEqual([])
  })

  it('reads process.env only in config.ts', () => {
    const readers = all
      .filter((f) => /process\.env\b/.test(readFileSync(f, 'utf8')))
      .map((f) => path.relative(src, f))
    expect(readers).toEqual(['config.ts'])
  })
})
