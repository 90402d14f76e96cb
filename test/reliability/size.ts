/**
 * One switch for the reliability suite's sizes: `npm test` runs the short versions (a few minutes
 * in all), `npm run test:reliability` sets TILLID_RELIABILITY=full and runs the same tests at the
 * sizes issue 11 asks for. Tests may read the environment: it configures the test run, not Tillid.
 */
export const FULL = process.env.TILLID_RELIABILITY === 'full'

export const sizes = FULL
  ? {
      crashCycles: 20,
      writers: 4,
      tamperFlips: 1000,
      fuzzRequests: 100_000,
      loadUsers: 200,
      loadSeconds: 300,
    }
  : {
      crashCycles: 2,
      writers: 3,
      tamperFlips: 30,
      fuzzRequests: 5_000,
      loadUsers: 50,
      loadSeconds: 30,
    }

/** A seeded generator, so a failing run can be replayed; tests print the seed. */
export function seededRandom(seed: number): (n: number) => number {
  let state = seed >>> 0 || 1
  return (n: number) => {
    // mulberry32
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n)
  }
}

export const SEED = Number(process.env.TILLID_RELIABILITY_SEED ?? Date.now() % 1_000_000)
