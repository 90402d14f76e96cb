import { Writable } from 'node:stream'
import pino from 'pino'
import { describe, expect, it } from 'vitest'
import { maskCprShaped } from './logger.ts'

describe('CPR numbers never reach the log', () => {
  it('masks a CPR-shaped number with a real birth date, with or without the dash', () => {
    expect(maskCprShaped('{"url":"/api/cases/1408154233"}')).toBe('{"url":"/api/cases/[cpr]"}')
    expect(maskCprShaped('x 140815-4233 y')).toBe('x [cpr] y')
  })

  it('leaves hashes, timestamps and numbers that are no date alone', () => {
    const line =
      '{"time":1795623776697,"unixSeconds":1767225600,"tx":"0xab1408154233cd","n":9999999999,"id":"a1408154233"}'
    expect(maskCprShaped(line)).toBe(line)
  })

  it('is what createLogger writes with (streamWrite hook)', async () => {
    let out = ''
    const sink = new Writable({
      write(chunk, _enc, done) {
        out += chunk
        done()
      },
    })
    const log = pino({ hooks: { streamWrite: maskCprShaped } }, sink)
    log.info({ req: { url: '/api/cases/0101904321' } }, 'incoming request')
    expect(out).toContain('/api/cases/[cpr]')
    expect(out).not.toContain('0101904321')
  })
})
