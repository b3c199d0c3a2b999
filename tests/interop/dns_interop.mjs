// DNS node lists (EIP-1459) end to end, on loopback, with a real DNS server
// (Debian's dnsmasq, started and ended here by PID) and a foreign client
// (@ethereumjs/devp2p's DNS).
//
//   ethp2p dns build/sign/to-txt --> TXT records --> dnsmasq 127.0.0.1:P <-- ethp2p dns sync
//                                                                        <-- ethjs DNS.getPeers
//                                                                        <-- ethp2p node --discovery.dns --> dials A, B, C
//
// Lists served: "main" (30 nodes, links to "more"), "more" (5 nodes), a copy of main
// with one record tampered, main's records under a URL whose key did not sign them,
// and two lists linking each other (a loop).
import { spawn } from 'node:child_process'
import { writeFileSync, mkdirSync, existsSync } from 'node:fs'
import { DNS } from '@ethereumjs/devp2p'
import { log, check, run, start, sleep, waitFor, finish, work, join, readFileSync } from './common.mjs'

const base = 26000 + Math.floor(Math.random() * 2000) * 3
const dnsPort = base
let dnsmasq = null
process.on('exit', () => { if (dnsmasq && dnsmasq.exitCode === null) dnsmasq.kill('SIGTERM') })

async function cli(args, what) {
  const r = await run(args)
  if (r.code !== 0) log(`${what}: exit ${r.code}: ${r.err}`)
  return r
}

// n nodes: keys, records (tcp/udp ports from port0; each on its own loopback address unless
// sameIp, since ethjs's client keeps one peer per address), IDs; written as crawl output.
async function makeNodes(tag, n, port0, sameIp = false) {
  const nodes = {}
  const list = []
  for (let i = 0; i < n; i++) {
    const key = join(work, `${tag}-key${i}`)
    await cli(['key', 'generate', key], 'key generate')
    const port = String(port0 + i)
    const ip = sameIp ? '127.0.0.1' : `127.0.${Math.floor(port0 / 100) % 200 + 1}.${i + 1}`
    const rec = (await cli(['key', 'to-enr', key, '--ip', ip, '--tcp', port, '--udp', port, '--seq', '1'], 'to-enr')).out.trim()
    const id = (await cli(['key', 'to-id', key], 'to-id')).out.trim()
    nodes[id] = { seq: 1, record: rec, score: 1, firstResponse: '2026-12-01T00:00:00Z', lastResponse: '2026-12-01T00:00:00Z', lastCheck: '2026-12-01T00:00:00Z' }
    list.push({ id, rec, key, ip, port: port0 + i })
  }
  const file = join(work, `${tag}-crawl.json`)
  writeFileSync(file, JSON.stringify(nodes, null, 2))
  return { file, list }
}

// A signed list at domain: build from crawl output, links, sign, TXT records.
async function makeList(tag, crawlFile, domain, signer, links = []) {
  const dir = join(work, tag)
  await cli(['dns', 'build', crawlFile, dir], 'dns build')
  if (links.length) writeFileSync(join(dir, 'enrtree-info.json'), JSON.stringify({ links }))
  const url = (await cli(['dns', 'sign', dir, signer, '--domain', domain], 'dns sign')).out.trim()
  const txt = JSON.parse((await cli(['dns', 'to-txt', dir], 'dns to-txt')).out)
  return { url, txt, dir }
}

function confLine(name, text) {
  const chunks = text.match(/.{1,200}/g) ?? ['']
  return `txt-record=${name},` + chunks.map((c) => `"${c}"`).join(',')
}

async function sync(url, extra = []) {
  const r = await run(['dns', 'sync', url, '--server', `127.0.0.1:${dnsPort}`, '--timeout', '20s', ...extra], { timeout: 40000 })
  const records = r.out.split('\n').filter((l) => l.startsWith('enr:'))
  return { ...r, records }
}

async function main() {
  for (const s of ['signer', 'signer2', 'signer3', 'other']) await cli(['key', 'generate', join(work, s)], 'key')
  const main_ = await makeNodes('main', 30, 31000)
  const more = await makeNodes('more', 5, 31100)
  const L_more = await makeList('more', more.file, 'more.ethp2p.test', join(work, 'signer2'))
  const L_main = await makeList('main', main_.file, 'main.ethp2p.test', join(work, 'signer'), [L_more.url])
  log(`main: ${L_main.url} (${Object.keys(L_main.txt).length} TXT records); more: ${L_more.url}`)
  check(L_main.url.startsWith('enrtree://') && L_main.url.endsWith('@main.ethp2p.test'), 'sign prints the list URL')
  const info = JSON.parse(readFileSync(join(L_main.dir, 'enrtree-info.json'), 'utf8'))
  check(info.seq === 1 && info.signature && info.url === L_main.url, `enrtree-info.json in the reference's shape: seq ${info.seq}`)

  // The same tree under other names: one record tampered; and the URL of a key that did not sign it.
  const conf = []
  for (const [name, text] of Object.entries(L_main.txt)) conf.push(confLine(name, text))
  for (const [name, text] of Object.entries(L_more.txt)) conf.push(confLine(name, text))
  let tampered = false
  for (const [name, text] of Object.entries(L_main.txt)) {
    let t = text
    const n = name.replace('main.ethp2p.test', 'tampered.ethp2p.test')
    if (!tampered && t.startsWith('enr:')) {
      t = t.slice(0, 20) + (t[20] === 'A' ? 'B' : 'A') + t.slice(21)
      tampered = true
    }
    conf.push(confLine(n, t))
  }
  const tamperedUrl = L_main.url.replace('main.ethp2p.test', 'tampered.ethp2p.test')
  const L_other = await makeList('otherkey', main_.file, 'main.ethp2p.test', join(work, 'other'))
  const badSigUrl = L_other.url // main.ethp2p.test, but signed by 'other': the served root is not this key's
  // A loop: loopa links loopb, loopb links loopa.
  const loopa0 = await makeList('loopa0', more.file, 'loopa.ethp2p.test', join(work, 'signer3'))
  const loopb = await makeList('loopb', more.file, 'loopb.ethp2p.test', join(work, 'signer2'), [loopa0.url])
  const loopa = await makeList('loopa', more.file, 'loopa.ethp2p.test', join(work, 'signer3'), [loopb.url])
  for (const L of [loopa, loopb]) for (const [name, text] of Object.entries(L.txt)) conf.push(confLine(name, text))

  // Three real nodes for the dialer, and a list of them.
  const peers = await makeNodes('peer', 3, base + 10, true)
  const L_peers = await makeList('peers', peers.file, 'peers.ethp2p.test', join(work, 'signer'))
  for (const [name, text] of Object.entries(L_peers.txt)) conf.push(confLine(name, text))

  writeFileSync(join(work, 'dnsmasq.conf'), conf.join('\n') + '\n')
  dnsmasq = spawn('dnsmasq', ['--keep-in-foreground', `--conf-file=${join(work, 'dnsmasq.conf')}`, `--port=${dnsPort}`,
    '--listen-address=127.0.0.1', '--bind-interfaces', '--no-resolv', '--no-hosts', '--user=root', '--group=root',
    `--pid-file=${join(work, 'dnsmasq.pid')}`, `--log-facility=${join(work, 'dnsmasq.log')}`], { stdio: 'ignore' })
  await sleep(500)
  check(dnsmasq.exitCode === null, `dnsmasq serves ${conf.length} TXT names on 127.0.0.1:${dnsPort} (pid ${dnsmasq.pid})`)

  // Our client: every node of main, and of more through the link.
  const all = new Set([...main_.list, ...more.list].map((n) => n.rec))
  const s1 = await sync(L_main.url)
  log(`sync main: ${s1.err.trim().split('\n').pop()}`)
  check(s1.code === 0 && s1.records.length === 35 && s1.records.every((r) => all.has(r)),
    `our client walked main and its link: ${s1.records.length} of 35 records, all as published`)
  const dir2 = join(work, 'synced')
  const s1b = await sync(L_main.url, [dir2])
  const synced = JSON.parse(readFileSync(join(dir2, 'nodes.json'), 'utf8'))
  check(s1b.code === 0 && Object.keys(synced).length === 35, `sync into a directory: nodes.json with ${Object.keys(synced).length} nodes`)

  // The foreign client reads the same tree (it does not follow links): random descents until all 30 are seen.
  const js = new DNS({ dnsServerAddress: `127.0.0.1:${dnsPort}` })
  const seen = new Set()
  const mainAddrs = new Set(main_.list.map((n) => `${n.ip}:${n.port}`))
  let foreign = 0
  for (let round = 0; round < 20 && seen.size < 30; round++) {
    const got = await js.getPeers(30, [L_main.url])
    for (const p of got) {
      if (mainAddrs.has(`${p.address}:${p.tcpPort}`)) seen.add(`${p.address}:${p.tcpPort}`)
      else foreign++
    }
  }
  check(seen.size === 30 && foreign === 0, `@ethereumjs/devp2p's DNS client read our tree: ${seen.size} of 30 nodes, ${foreign} unknown`)

  // Refusals, each with a clear message.
  const s2 = await sync(tamperedUrl)
  check(s2.records.length === 34 && /does not match its hash/.test(s2.err),
    `a tampered record is refused (${s2.records.length} of 35 taken): ${(s2.err.match(/why="[^"]*"/) ?? [''])[0]}`)
  const s3 = await sync(badSigUrl)
  check(s3.code !== 0 && s3.records.length === 0 && /root signature/.test(s3.err),
    `a root not signed by the URL's key is refused: ${(s3.err.match(/why="[^"]*"/) ?? [''])[0]}`)
  const s4 = await sync(loopa.url)
  check(s4.code === 0 && s4.records.length === 5 && /from 2 lists/.test(s4.err),
    `two lists linking each other end: ${s4.err.trim().split('\n').pop()}`)

  // A node that finds its peers through the list: A, B, C run; D knows only the list.
  const nodeArgs = (i, extra) => ['node', '--devnet', '--datadir', join(work, `n${i}`), '--listenaddr', '127.0.0.1',
    '--port', String(base + 10 + i), '--nodekey', peers.list[i] ? peers.list[i].key : join(work, 'dkey'), '--status', '1s',
    '--ipcdisable', ...extra]
  for (let i = 0; i < 3; i++) await start(`peer${i}`, nodeArgs(i, ['--nodiscover']))
  await cli(['key', 'generate', join(work, 'dkey')], 'key')
  const D = await start('dns-node', nodeArgs(3, ['--discovery.dns', L_peers.url, '--discovery.dns.server', `127.0.0.1:${dnsPort}`]))
  const ok = await waitFor('D peers', () => /eth_peers=3 .*dns_nodes=3/.test(D.rec.err), 20000)
  const last = D.rec.err.split('\n').filter((l) => l.includes('msg="status"')).pop() ?? ''
  check(ok, `a node with only --discovery.dns reached the listed nodes: ${last.replace(/^.*msg="status" /, '')}`)
}

main().catch((e) => check(false, `exception: ${e.stack}`)).finally(finish)
