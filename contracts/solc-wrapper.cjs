#!/usr/bin/env node
// forge cannot download a compiler on this network, so it is pointed at this wrapper
// (`--use contracts/solc-wrapper.cjs`), which speaks just enough of the solc CLI:
// `--version`, and standard JSON on stdin → standard JSON on stdout, compiled by npm solc.
const fs = require('node:fs')
const path = require('node:path')
const solc = require('solc')

if (process.argv.includes('--version')) {
  process.stdout.write(`solc, the solidity compiler commandline interface\nVersion: ${solc.version()}\n`)
  process.exit(0)
}

const root = path.resolve(__dirname, '..')
const bases = [path.join(__dirname), path.join(root, 'node_modules'), root]

// forge normally inlines every source; this only covers imports it did not.
function findImports(importPath) {
  for (const base of bases) {
    const file = path.resolve(base, importPath)
    if (fs.existsSync(file)) return { contents: fs.readFileSync(file, 'utf8') }
  }
  return { error: `File not found: ${importPath}` }
}

const input = fs.readFileSync(0, 'utf8')
process.stdout.write(solc.compile(input, { import: findImports }))
