import { describe, expect, it } from 'vitest'
import { ConfigError, describeSettings, loadConfig } from './config.ts'

describe('loadConfig', () => {
  it('gives the documented defaults on an empty environment', () => {
    const c = loadConfig({})
    expect(c.mode).toBe('embedded')
    expect(c.port).toBe(8080)
    expect(c.dataDir.endsWith('.tillid-data')).toBe(true)
    expect(c.demo).toBe(true)
  })

  it('stops with one line naming the variable and what is allowed', () => {
    expect(() => loadConfig({ TILLID_PORT: 'abc' })).toThrow(ConfigError)
    expect(() => loadConfig({ TILLID_PORT: '70000' })).toThrow(/TILLID_PORT="70000".*0 to 65535/)
    expect(() => loadConfig({ TILLID_MODE: 'cloud' })).toThrow(/TILLID_MODE.*one of embedded, server/)
    expect(() => loadConfig({ TILLID_DEMO: 'maybe' })).toThrow(/TILLID_DEMO.*true or false/)
    try {
      loadConfig({ TILLID_LOG_LEVEL: 'loud' })
    } catch (err) {
      expect((err as Error).message).not.toContain('\n')
    }
  })

  it('server mode requires a database and a ledger endpoint', () => {
    expect(() => loadConfig({ TILLID_MODE: 'server' })).toThrow(/TILLID_DATABASE_URL and TILLID_RPC_URL/)
    const c = loadConfig({
      TILLID_MODE: 'server',
      TILLID_DATABASE_URL: 'postgres://x@h/db',
      TILLID_RPC_URL: 'http://a:8545, http://b:8545',
    })
    expect(c.rpcUrls).toEqual(['http://a:8545', 'http://b:8545'])
  })

  it('documents every setting it reads', () => {
    const names = describeSettings().map((s) => s.name)
    expect(names).toContain('TILLID_DATA_DIR')
    expect(names.every((n) => n.startsWith('TILLID_'))).toBe(true)
  })
})

describe('docs/configuration.md', () => {
  it('is generated from the current settings', async () => {
    const { readFileSync } = await import('node:fs')
    const { renderConfigDoc } = await import('../scripts/gen-config-doc.ts')
    const onDisk = readFileSync(new URL('../docs/configuration.md', import.meta.url), 'utf8')
    expect(onDisk, 'run: npx tsx scripts/gen-config-doc.ts').toBe(renderConfigDoc())
  })
})
