// Shared helpers for the interop tests: temp dirs, our CLI as a child process
// (ended by PID), waiting with deadlines, and a log of what happened.
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export const cli = process.argv[2]
if (!cli) {
  console.error('usage: node <test>.mjs PATH-TO-ethp2p')
  process.exit(2)
}

export const work = mkdtempSync(join(tmpdir(), 'ethp2p-interop-'))
const children = []
let failures = 0
let passes = 0

export function log(...args) {
  console.log(`[${new Date().toISOString().slice(11, 23)}]`, ...args)
}

export function check(cond, what) {
  if (cond) {
    passes++
    log(`ok   ${what}`)
  } else {
    failures++
    log(`FAIL ${what}`)
  }
  return cond
}

// Runs `ethp2p ARGS...` to completion without blocking the event loop (the JS
// peers live in this process and must keep answering meanwhile).
export function run(args, opts = {}) {
  return new Promise((resolve) => {
    const child = spawn(cli, args, { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    child.stdout.on('data', (d) => (out += d))
    child.stderr.on('data', (d) => (err += d))
    const t = setTimeout(() => child.kill('SIGKILL'), opts.timeout ?? 30000)
    child.on('exit', (code) => {
      clearTimeout(t)
      resolve({ code, out, err })
    })
  })
}

// Starts `ethp2p ARGS...` with stdout/stderr captured; resolves with the first stdout line.
export function start(name, args) {
  const child = spawn(cli, args, { stdio: ['ignore', 'pipe', 'pipe'] })
  const rec = { name, child, out: '', err: '' }
  children.push(rec)
  child.stdout.on('data', (d) => (rec.out += d))
  child.stderr.on('data', (d) => (rec.err += d))
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${name}: no output in 5s: ${rec.err}`)), 5000)
    child.stdout.on('data', () => {
      const line = rec.out.split('\n')[0]
      if (rec.out.includes('\n')) {
        clearTimeout(t)
        resolve({ ...rec, first: line.trim(), rec })
      }
    })
    child.on('exit', (code) => reject(new Error(`${name} exited early (${code}): ${rec.err}`)))
  })
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

export async function waitFor(what, fn, ms) {
  const end = Date.now() + ms
  while (Date.now() < end) {
    if (await fn()) return true
    await sleep(100)
  }
  return false
}

export function keyFile(name, hex) {
  const p = join(work, name)
  writeFileSync(p, hex, { mode: 0o600 })
  return p
}

export function finish() {
  for (const c of children) {
    if (c.child.exitCode === null) c.child.kill('SIGTERM')
  }
  for (const c of children) {
    writeFileSync(join(work, `${c.name}.log`), c.err)
  }
  // Read our nodes' logs, not only the exit code: any packet from the JS peers
  // that we dropped as malformed or badly signed is an interop failure.
  for (const c of children) {
    const drops = c.err.split('\n').filter((l) => l.includes('msg="drop packet"'))
    const bad = drops.filter((l) => /reason="(bad signature|hash mismatch|rlp|too large|too short)/.test(l))
    const reasons = {}
    for (const l of drops) {
      const m = l.match(/type=(\S+) reason="([^"]*)"/)
      const k = m ? `${m[1]}: ${m[2]}` : 'other'
      reasons[k] = (reasons[k] ?? 0) + 1
    }
    log(`${c.name}: ${c.err.split('\n').length - 1} log lines, ${drops.length} dropped packets, ${bad.length} malformed`,
      JSON.stringify(reasons))
    for (const l of bad.slice(0, 5)) log(`  ${l}`)
    check(bad.length === 0, `${c.name} dropped no packet from the JS peers as malformed`)
  }
  rmSync(work, { recursive: true, force: true })
  console.log(`${passes} passed, ${failures} failed`)
  process.exit(failures ? 1 : 0)
}

export { readFileSync, join }
