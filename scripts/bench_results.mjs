// Turns the benchmark rows (JSON lines written by bench_row, ETHP2P_BENCH_JSON) into
// build/bench/results.json: {"machine": {...}, "<name>": {value, unit, bound, ratio, peer}}.
// peer is the same figure for another stack measured in the same run, or null.
//   node scripts/bench_results.mjs ROWS.jsonl BUILD-DIR > results.json
import { readFileSync, existsSync } from 'node:fs'
import { cpus, release, totalmem } from 'node:os'
import { execFileSync } from 'node:child_process'

const [rowsPath, build] = process.argv.slice(2)
if (!rowsPath || !build) {
  console.error('usage: node bench_results.mjs ROWS.jsonl BUILD-DIR')
  process.exit(2)
}
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
for (const line of readFileSync(rowsPath, 'utf8').split('\n')) {
  if (!line.trim()) continue
  const r = JSON.parse(line)
  out[r.name] = { value: r.value, unit: r.unit, bound: r.bound, ratio: r.ratio, peer: r.peer ?? null }
}
process.stdout.write(JSON.stringify(out, null, 2) + '\n')
