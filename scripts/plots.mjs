// `make plots`: draws the benchmark figures as PNGs with gnuplot from
// results.json (make bench) and the simulators' JSON reports (sims/*.json,
// written by make bench and make bench-scale).
//   node scripts/plots.mjs DATA-DIR OUT-DIR
// DATA-DIR holds results.json and sims/{broadcast,discv4}-<nodes>.json. A plot
// whose data is missing is skipped with a line saying which command makes it;
// the exit status is non-zero only if gnuplot fails or nothing could be drawn.
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'

const [dataDir, outDir] = process.argv.slice(2)
if (!dataDir || !outDir) {
  console.error('usage: node plots.mjs DATA-DIR OUT-DIR')
  process.exit(2)
}
mkdirSync(outDir, { recursive: true })
const results = existsSync(join(dataDir, 'results.json')) ? JSON.parse(readFileSync(join(dataDir, 'results.json'), 'utf8')) : null
const simDir = join(dataDir, 'sims')
const sims = (kind) => {
  if (!existsSync(simDir)) return []
  return readdirSync(simDir)
    .filter((f) => f.startsWith(kind + '-') && f.endsWith('.json'))
    .map((f) => JSON.parse(readFileSync(join(simDir, f), 'utf8')))
    .sort((a, b) => a.nodes - b.nodes)
}
const machine = results?.machine ? `${results.machine.cpu}, ${results.machine.cores} cores` : ''
const head = (file, title) => `set terminal pngcairo size 900,560 font "sans,11"
set output "${join(outDir, file)}"
set title "${title}${machine ? '\\n{/*0.8 ' + machine + '}' : ''}"
set grid
set key top left
`
let drawn = 0
function draw(name, script, dat) {
  const datPath = join(outDir, name + '.dat')
  writeFileSync(datPath, dat)
  const gp = join(outDir, name + '.gp')
  writeFileSync(gp, script.replaceAll('DAT', `"${datPath}"`))
  const r = spawnSync('gnuplot', [gp], { encoding: 'utf8' })
  if (r.status !== 0) {
    console.error(`plots: gnuplot failed on ${name}: ${r.stderr || r.error}`)
    process.exit(1)
  }
  console.log(`plots: ${join(outDir, name + '.png')}`)
  drawn++
}
const skip = (name, how) => console.log(`plots: ${name}.png skipped: no data (${how})`)
const peerOf = (row) => row?.peer?.value ?? null

// 1. Message throughput against message size, ours and ethjs.
const t1 = results?.['RLPx throughput 1 KiB, snappy (Go BenchmarkThroughput shape)']
const t16 = results?.['RLPx throughput 16 KiB, snappy']
if (t1 && t16) {
  const rows = [[1024, t1.value, peerOf(t1)], [16384, t16.value, peerOf(t16)]]
  const dat = rows.map((r) => r.map((v) => (v == null ? 'NaN' : v)).join(' ')).join('\n') + '\n'
  draw('throughput', head('throughput.png', 'RLPx message throughput over loopback TCP (snappy, writer and reader)') + `
set logscale xy
set xlabel "message size (bytes)"
set ylabel "MB/s of message data at the reader"
set xtics ("1 KiB" 1024, "16 KiB" 16384)
set xrange [600:30000]
plot DAT using 1:2 with linespoints lw 2 pt 7 title "ethp2p", DAT using 1:3 with linespoints lw 2 pt 5 title "ethereumjs devp2p"
`, dat)
} else skip('throughput', 'make bench')

// 2. Handshakes per second, ours and ethjs.
const hs = results?.['RLPx handshakes over loopback TCP (both sides)']
if (hs) {
  const dat = `0 "ethp2p" ${hs.value}\n1 "ethereumjs devp2p" ${peerOf(hs) ?? 'NaN'}\n`
  draw('handshakes', head('handshakes.png', 'RLPx handshakes per second, both sides over loopback TCP, one core') + `
set logscale y
set ylabel "handshakes/s (log)"
set style fill solid 0.6
set boxwidth 0.5
set xrange [-0.6:1.6]
set yrange [1:*]
unset key
plot DAT using 1:3:xtic(2) with boxes lc rgb "#3060a0", DAT using 1:3:(sprintf("%.0f", $3)) with labels offset 0,1
`, dat)
} else skip('handshakes', 'make bench')

// 3. Transaction propagation latency percentiles against network size.
const bc = sims('broadcast').filter((s) => s.latencyMs)
if (bc.length) {
  const dat = bc.map((s) => `${s.nodes} ${s.latencyMs.p50} ${s.latencyMs.p90} ${s.latencyMs.p99} ${s.latencyMs.max}`).join('\n') + '\n'
  draw('tx_latency', head('tx_latency.png', `Transaction propagation (sim broadcast, ${[...new Set(bc.map((s) => s.txs))].join(' / ')} transactions at one node)`) + `
set logscale x
set xlabel "nodes"
set ylabel "latency to reach a node (ms, virtual)"
set xtics (${bc.map((s) => `"${s.nodes}" ${s.nodes}`).join(', ')})
set xrange [${bc[0].nodes / 1.6}:${bc[bc.length - 1].nodes * 1.6}]
set yrange [0:*]
plot DAT using 1:2 with linespoints lw 2 pt 7 title "p50", DAT using 1:3 with linespoints lw 2 pt 5 title "p90", \\
     DAT using 1:4 with linespoints lw 2 pt 9 title "p99", DAT using 1:5 with linespoints lw 1 dt 2 pt 3 title "max"
`, dat)
} else skip('tx_latency', 'make bench-scale')

// 4. discv4 lookup success and hops against network size.
const d4 = sims('discv4')
if (d4.length) {
  const dat = d4.map((s) => `${s.nodes} ${s.lookups.successRate * 100} ${s.lookups.hops.mean} ${s.lookups.hops.p90}`).join('\n') + '\n'
  draw('discv4_lookups', head('discv4_lookups.png', 'discv4 lookups for random existing nodes (sim discv4)') + `
set logscale x
set xlabel "nodes"
set ylabel "lookups successful (%)"
set y2label "hops"
set ytics nomirror
set y2tics
set yrange [80:100.5]
set y2range [0:${Math.ceil(Math.max(...d4.map((s) => s.lookups.hops.p90)) * 1.25 + 0.5)}]
set xtics (${d4.map((s) => `"${s.nodes}" ${s.nodes}`).join(', ')})
set xrange [${d4[0].nodes / 1.6}:${d4[d4.length - 1].nodes * 1.6}]
set key bottom left
plot DAT using 1:2 with linespoints lw 2 pt 7 title "success (%)", DAT using 1:3 axes x1y2 with linespoints lw 2 pt 5 title "hops, mean", \\
     DAT using 1:4 axes x1y2 with linespoints lw 1 dt 2 pt 9 title "hops, p90"
`, dat)
} else skip('discv4_lookups', 'make bench-scale')

if (!drawn) {
  console.error('plots: nothing to draw; run make bench first')
  process.exit(1)
}
