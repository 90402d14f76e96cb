/**
 * Screenshots of the main pages against the fake API, into docs/screenshots/.
 * Run: npx tsx test/e2e/screenshots.ts   (needs /usr/bin/chromium)
 */
import { mkdirSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { launchBrowser } from './browser.ts'
import { buildWeb } from './build-web.ts'
import { startFakeServer } from './fake-api.ts'
import { contextAs, openPage, pageCases } from './pages.ts'
import { rolloutScreenshots } from './rolloutScreenshots.ts'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const outDir = path.join(root, 'docs', 'screenshots')

const desktop = [
  'opgaver',
  'sag',
  'ny-aftale',
  'aftale',
  'tillaeg',
  'ophoer',
  'leverandoer',
  'maanedskoersel',
  'revision',
  'demo-tid',
  'borger-overblik',
  'borger-adgang',
]
const phone = ['borger-overblik', 'aftale', 'borger-bidrag']

async function main(): Promise<void> {
  const browser = await launchBrowser()
  if (!browser) process.exit(0)
  const dist = await buildWeb('screenshot-web-dist')
  const server = await startFakeServer(dist)
  mkdirSync(outDir, { recursive: true })
  try {
    const anon = await contextAs(browser, server.url, null)
    const lp = await anon.newPage()
    await openPage(lp, server.url, { path: '/', heading: 'Tillid – aftaler om sociale indsatser' })
    await lp.screenshot({ path: path.join(outDir, 'forside.png') })
    await anon.close()
    for (const [names, width, suffix] of [
      [desktop, 1280, ''],
      [phone, 375, '-mobil'],
    ] as const) {
      for (const name of names) {
        const c = pageCases.find((x) => x.name === name)
        if (!c) throw new Error(`no page case ${name}`)
        const ctx = await contextAs(browser, server.url, c.persona, width)
        const page = await ctx.newPage()
        await openPage(page, server.url, c)
        const file = path.join(outDir, `${name}${suffix}.png`)
        await page.screenshot({ path: file, fullPage: true })
        console.log(`wrote ${path.relative(root, file)}`)
        await ctx.close()
      }
    }
    for (const file of await rolloutScreenshots(browser, dist, outDir))
      console.log(`wrote ${path.relative(root, file)}`)
  } finally {
    await browser.close()
    await server.close()
  }
}

await main()
