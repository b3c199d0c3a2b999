// Turns the benchmark rows (JSON lines written by bench_row, ETHP2P_BENCH_JSON) into
// build/bench/results.json: {"machine": {...}, "<name>": {value, unit, bound, ratio, peer}}.
// peer is the same figure for another stack measured in the same run
// ({name, value, ratio: ours / theirs}), or null; the peer rows come from
// tests/interop/bench_ethjs.mjs. Prints the side-by-side table.
//   node scripts/bench_results.mjs ROWS.jsonl BUILD-DIR [PEER-ROWS.jsonl] --out results.json
import { readFileSync, existsSync, writeFileSync } from 'node:fs'
import { cpus, release, totalmem } from 'node:os'
import { execFileSync } from 'node:child_process'

const argv = process.argv.slice(2)
const outAt = argv.indexOf('--out')
const outPath = outAt >= 0 ? argv.splice(outAt, 2)[1] : null
const [rowsPath, build, peerPath] = argv
if (!rowsPath || !build || !outPath) {
  console.error('usage: node bench_results.mjs ROWS.jsonl BUILD-DIR [PEER-ROWS.jsonl] --out results.json')
  process.exit(2)
}
const jsonLines = (p) => readFileSync(p, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l))
const out = {}
const cache = existsSync(`${build}/CMakeCache.txt`) ? readFileSync(`${build}/CMakeCache.txt`, 'utf8') : ''
const cc = (cache.match(/^CMAKE_C_COMPILER:\w+=(.*)$/m) || [])[1] || 'cc'
let compiler = cc
try {
  compiler = execFileSync(cc, ['--version'], { encoding: 'utf8' }).split('\n')[0]
} catch {}
let commit = null
try {
  commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim()
} catch {}
out.machine = {
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: cpus().length,
  memory_gib: Math.round((totalmem() / 2 ** 30) * 10) / 10,
  kernel: release(),
  compiler,
  build_type: (cache.match(/^CMAKE_BUILD_TYPE:\w+=(.*)$/m) || [])[1] || null,
  commit,
  date: new Date().toISOString(),
}
for (const r of jsonLines(rowsPath)) {
  out[r.name] = { value: r.value, unit: r.unit, bound: r.bound, ratio: r.ratio, peer: r.peer ?? null }
}
// A peer row names one of ours (and may carry our value, where it measured both stacks the same way).
const sideBySide = []
if (peerPath && existsSync(peerPath)) {
  for (const r of jsonLines(peerPath)) {
    const ours = out[r.name] ?? (out[r.name] = { value: r.value ?? null, unit: r.unit, bound: null, ratio: null, peer: null })
    if (r.value !== undefined) ours.value = r.value
    const ratio = ours.value != null && r.peer.value ? ours.value / r.peer.value : null
    ours.peer = { name: r.peer.name, value: r.peer.value, ratio }
    sideBySide.push([r.name, ours.value, r.peer.value, r.unit, ratio])
  }
}
writeFileSync(outPath, JSON.stringify(out, null, 2) + '\n')
if (sideBySide.length) {
  const f = (v) => (v == null ? '-' : v >= 100 ? v.toFixed(0) : v.toFixed(2))
  console.log('# ours beside @ethereumjs/devp2p (ratio: ours / ethjs; for memory, lower is better)')
  console.log(`  ${'figure'.padEnd(62)} ${'ours'.padStart(10)} ${'ethjs'.padStart(10)} unit    ratio`)
  for (const [name, o, p, unit, ratio] of sideBySide)
    console.log(`  ${name.padEnd(62)} ${f(o).padStart(10)} ${f(p).padStart(10)} ${unit.padEnd(7)} ${ratio == null ? '-' : ratio.toFixed(2) + 'x'}`)
}
