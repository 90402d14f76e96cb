/**
 * Runs every benchmark in bench/ (files named *.bench.ts exporting `run(options)`), writes
 * bench/results/latest.json and the table in docs/benchmarks.md. Each benchmark measures its own
 * baseline in the same run and reports a ratio; a figure below target is reported as failing.
 */
import { readdirSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import cliProgress from 'cli-progress'

export interface BenchResult {
  name: string
  value: number
  unit: string
  baseline: number
  ratio: number
  target: number
  /** 'min': ratio must be ≥ target; 'max': ratio must be ≤ target. */
  direction?: 'min' | 'max'
  pass: boolean
  note?: string
}

export interface BenchOptions {
  quick: boolean
}

export type BenchModule = { run(options: BenchOptions): Promise<BenchResult[]> }

/** A benchmark that threw: reported as a failing row with the error, not left out of the table. */
export function failedResult(name: string, err: unknown): BenchResult {
  return {
    name,
    value: Number.NaN,
    unit: '',
    baseline: Number.NaN,
    ratio: Number.NaN,
    target: Number.NaN,
    pass: false,
    note: `failed: ${(err as Error).message}`,
  }
}

const benchDir = import.meta.dirname

export async function runAll(options: BenchOptions & { only?: string[] }) {
  const files = readdirSync(benchDir)
    .filter((f) => f.endsWith('.bench.ts'))
    .filter((f) => !options.only?.length || options.only.some((o) => f.includes(o)))
    .sort()
  const bar = process.stderr.isTTY
    ? new cliProgress.SingleBar(
        { format: 'benchmarks [{bar}] {value}/{total} {file}' },
        cliProgress.Presets.shades_classic,
      )
    : null
  bar?.start(files.length, 0, { file: '' })
  const results: BenchResult[] = []
  for (const [i, file] of files.entries()) {
    bar?.update(i, { file })
    if (!bar) process.stderr.write(`bench ${i + 1}/${files.length}: ${file}\n`)
    const mod = (await import(pathToFileURL(path.join(benchDir, file)).href)) as BenchModule
    try {
      results.push(...(await mod.run(options)))
    } catch (err) {
      results.push(failedResult(file, err))
    }
  }
  bar?.update(files.length, { file: 'done' })
  bar?.stop()
  const report = {
    machine: {
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? 'unknown',
      memoryGiB: Math.round(os.totalmem() / 2 ** 30),
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
    },
    date: new Date().toISOString(),
    quick: options.quick,
    results,
  }
  writeFileSync(path.join(benchDir, 'results', 'latest.json'), `${JSON.stringify(report, null, 2)}\n`)
  writeFileSync(path.resolve(benchDir, '../docs/benchmarks.md'), renderMarkdown(report))
  return report
}

const fmt = (n: number) => (Number.isFinite(n) ? Number(n.toPrecision(4)).toLocaleString('en-US') : '—')

export function renderMarkdown(report: {
  date: string
  quick: boolean
  machine: Record<string, unknown>
  results: BenchResult[]
}) {
  const rows = report.results
    .map(
      (r) =>
        `| ${r.name} | ${fmt(r.value)} ${r.unit} | ${fmt(r.baseline)} | ${fmt(r.ratio)} | ${r.direction === 'max' ? '≤' : '≥'} ${fmt(r.target)} | ${r.pass ? 'pass' : '**FAIL**'} | ${r.note ?? ''} |`,
    )
    .join('\n')
  return `# Benchmarks

Produced by \`npm run bench\` (\`npm run bench -- --quick\` for the short run) on ${report.date}${report.quick ? ' (quick)' : ''}.
Machine: ${JSON.stringify(report.machine)}. Every ratio is measured against a baseline in the same run.

| benchmark | value | baseline | ratio | target | result | note |
|---|---|---|---|---|---|---|
${rows}
`
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = process.argv.slice(2)
  const report = await runAll({
    quick: args.includes('--quick'),
    only: args.filter((a) => !a.startsWith('--')),
  })
  process.stdout.write(renderMarkdown(report))
  process.exit(report.results.every((r) => r.pass) ? 0 : 1)
}
