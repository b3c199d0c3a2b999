// A connection flood from one address must not lock out an honest peer from another.
//
// 127.0.0.2 opens 2,000 connections that never send a byte, then 2,000 that
// send garbage; meanwhile an honest `ethp2p rlpx ping` from 127.0.0.3
// must complete its handshake and Hello in under a second. Before pending
// slots were shared out per address, the idle connections held every slot and
// the honest peer was refused until the handshake timeout freed them (5 s).
// The node's RSS is reported before, at the peak and after; its counters show
// the flood waited in the backlog and was cut there.
import net from 'node:net'
import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { log, check, run, start, sleep, waitFor, finish, join, work } from './common.mjs'

const base = 23000 + Math.floor(Math.random() * 1000) * 2
const FLOOD_IDLE = 2000
const FLOOD_GARBAGE = 2000

const rssKiB = (pid) => {
  try {
    return Number(readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/)[1])
  } catch {
    return 0
  }
}

async function metrics() {
  const r = await fetch(`http://127.0.0.1:${base + 1}/metrics`)
  const text = await r.text()
  const get = (re) => {
    const m = text.match(re)
    return m ? Number(m[1]) : 0
  }
  return {
    waited: get(/^ethp2p_inbound_waited_total (\S+)$/m),
    waiting: get(/^ethp2p_inbound_waiting (\S+)$/m),
    backlogFull: get(/^ethp2p_inbound_refused_total\{reason="backlog_full"\} (\S+)$/m),
    expired: get(/^ethp2p_inbound_refused_total\{reason="waited_too_long"\} (\S+)$/m),
  }
}

// One flood connection from 127.0.0.2; resolves when it is established (or failed).
function floodConn(garbage, socks, stats) {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port: base, localAddress: '127.0.0.2' })
    socks.push(s)
    s.on('connect', () => {
      stats.connected++
      if (garbage) s.write(randomBytes(400))
      resolve()
    })
    s.on('error', () => {
      stats.errors++
      resolve()
    })
    s.on('close', () => stats.closed++)
    s.on('data', () => {})
  })
}

async function honestPing(enode, what) {
  const t0 = performance.now()
  const r = await run(['rlpx', 'ping', '--bind', '127.0.0.3', '--timeout', '5s', enode], { timeout: 10000 })
  const ms = performance.now() - t0
  log(`${what}: exit ${r.code} after ${ms.toFixed(0)} ms ${r.err.trim()}`)
  return { ok: r.code === 0 && r.out.includes('"name"'), ms }
}

async function main() {
  const N = await start('ethp2p-node', ['node', '--devnet', '--datadir', join(work, 'n'), '--listenaddr', '127.0.0.1',
    '--port', String(base), '--nodiscover', '--verbosity', '3', '--metrics', '--metrics.port', String(base + 1)])
  const enode = N.first.trim()
  const pid = N.child.pid
  const before = rssKiB(pid)
  const first = await honestPing(enode, 'honest ping before the flood')
  check(first.ok, 'an honest peer from 127.0.0.3 completes the handshake before the flood')

  const socks = []
  const stats = { connected: 0, errors: 0, closed: 0 }
  let peak = before
  const sampler = setInterval(() => (peak = Math.max(peak, rssKiB(pid))), 50)
  const t0 = performance.now()
  // The idle connections first (they would hold every handshake slot), then the garbage.
  const flood = []
  for (let i = 0; i < FLOOD_IDLE; i++) flood.push(floodConn(false, socks, stats))
  await Promise.all(flood)
  for (let i = 0; i < FLOOD_GARBAGE; i++) flood.push(floodConn(true, socks, stats))
  // The honest peer arrives in the thick of it: while the garbage is still arriving.
  await waitFor('flood under way', () => stats.connected + stats.errors >= FLOOD_IDLE + FLOOD_GARBAGE / 4, 10000)
  log(`flood under way: ${stats.connected} connected, ${stats.closed} closed by the node`)
  const during = await honestPing(enode, 'honest ping during the flood')
  await Promise.all(flood)
  const floodMs = performance.now() - t0
  log(`flood: ${stats.connected} connected and ${stats.errors} failed in ${floodMs.toFixed(0)} ms; ` +
    `${stats.closed} closed by the node so far`)
  const after = await honestPing(enode, 'honest ping with the whole flood open')
  check(during.ok && during.ms < 1000, `the honest peer's handshake completes during the flood (${during.ms.toFixed(0)} ms < 1000)`)
  check(after.ok && after.ms < 1000, `and with all ${FLOOD_IDLE + FLOOD_GARBAGE} flood connections open (${after.ms.toFixed(0)} ms < 1000)`)
  check(stats.connected >= (FLOOD_IDLE + FLOOD_GARBAGE) * 0.9, `the flood arrived: ${stats.connected} connections accepted by the kernel`)

  const m = await metrics()
  log(`node counters: waited=${m.waited} waiting=${m.waiting} backlog_full=${m.backlogFull} expired=${m.expired}`)
  check(m.waited > 0, `flood connections beyond the address's share waited (${m.waited})`)
  check(m.backlogFull > 1000, `those beyond the backlog's share for one address were closed (${m.backlogFull})`)
  // The idle ones the node admitted or kept waiting are cut by the handshake and waiting timeouts (5 s each).
  const drained = await waitFor('flood cut', async () => stats.closed >= stats.connected, 15000)
  check(drained, `the node closed every flood connection within its timeouts (${stats.closed}/${stats.connected})`)
  const m2 = await metrics()
  check(m2.waiting === 0, `nothing waits afterwards (${m2.waiting})`)
  clearInterval(sampler)
  for (const s of socks) s.destroy()
  await sleep(500)
  const end = rssKiB(pid)
  const last = await honestPing(enode, 'honest ping after the flood')
  check(last.ok, 'the node still serves honest peers after the flood')
  check(N.child.exitCode === null, 'the node is still running')
  log(`node RSS: before ${before} KiB, peak ${peak} KiB, after ${end} KiB`)
  check(peak - before < 64 * 1024, `the flood cost under 64 MiB of RSS (${peak - before} KiB)`)
  finish()
}

main().catch((e) => {
  console.error(e)
  finish()
})
