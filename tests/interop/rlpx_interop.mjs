// RLPx interop between ethp2p and @ethereumjs/devp2p's RLPx, on loopback.
//
//   JS RLPx R (eth/68) ----connect----> ethp2p rlpx listen L (eth/68)
//   ethp2p rlpx ping ----connect------> JS RLPx R
//
// Checks: handshake (EIP-8 both ways) and Hello exchanged both ways, snappy
// after Hello, and Disconnect reasons understood on both sides: JS's bare,
// uncompressed "client quitting" by our listener; our compressed [reason] by JS.
import { RLPx, ETH } from '@ethereumjs/devp2p'
import { Common, Mainnet } from '@ethereumjs/common'
import { bytesToHex, hexToBytes, utf8ToBytes } from '@ethereumjs/util'
import { secp256k1 } from 'ethereum-cryptography/secp256k1.js'
import { work, log, check, run, start, sleep, waitFor, finish, join } from './common.mjs'

// Below the kernel's ephemeral range (32768+).
const base = 22000 + Math.floor(Math.random() * 3000) * 3
const hex = (b) => bytesToHex(b).slice(2)
const common = new Common({ chain: Mainnet })

function jsRlpx(port, privHex) {
  const priv = hexToBytes('0x' + privHex)
  const rlpx = new RLPx(priv, { capabilities: [ETH.eth68], common, listenPort: port, maxPeers: 10,
    clientId: utf8ToBytes('ethereumjs-devp2p/interop') })
  rlpx.events.on('error', () => {})
  rlpx.events.on('peer:error', () => {})
  rlpx.listen(port, '127.0.0.1')
  const pub = secp256k1.getPublicKey(priv, false).slice(1)
  return { rlpx, pub, enode: `enode://${hex(pub)}@127.0.0.1:${port}`, added: [], removed: [] }
}

function watch(js) {
  js.rlpx.events.on('peer:added', (peer) => js.added.push({ id: hex(peer.getId()), hello: peer._hello }))
  js.rlpx.events.on('peer:removed', (peer, reason, disconnectWe) => js.removed.push({ id: hex(peer.getId()), reason, disconnectWe }))
}

async function main() {
  await run(['key', 'generate', join(work, 'kL')])
  const L = await start('ethp2p-rlpx-listen', ['rlpx', 'listen', '--nodekey', join(work, 'kL'), '--addr', `127.0.0.1:${base}`,
    '--caps', 'eth/68', '--verbosity', '4'])
  const lpub = L.first.match(/^enode:\/\/([0-9a-f]{128})@/)[1]
  log(`L: ${L.first.slice(0, 40)}...`)
  const events = () => L.rec.out.split('\n').slice(1).filter((l) => l.startsWith('{')).map((l) => JSON.parse(l))

  // JS -> ours
  const R = jsRlpx(base + 1, 'cc'.repeat(32))
  watch(R)
  await R.rlpx.connect({ id: hexToBytes('0x' + lpub), address: '127.0.0.1', tcpPort: base })
  check(await waitFor('JS added L', () => R.added.some((p) => p.id === lpub), 5000), 'JS RLPx connected to our listener (handshake + Hello)')
  const seen = R.added.find((p) => p.id === lpub)
  check(seen?.hello?.clientId?.startsWith('ethp2p/v'), `JS read our Hello: clientId=${seen?.hello?.clientId} protocolVersion=${seen?.hello?.protocolVersion}`)
  check(await waitFor('L saw hello', () => events().some((e) => e.event === 'hello'), 3000), 'our listener read the JS Hello')
  const h = events().find((e) => e.event === 'hello')
  check(h?.name === 'ethereumjs-devp2p/interop' && h?.caps?.includes('eth/68') && h?.id === hex(R.pub),
    `our Hello view: ${JSON.stringify({ name: h?.name, caps: h?.caps, version: h?.version })}`)
  // JS disconnects (bare integer, uncompressed): we must read "client quitting".
  R.rlpx.disconnect(hexToBytes('0x' + lpub))
  check(await waitFor('L saw disconnect', () => events().some((e) => e.event === 'disconnect'), 3000), 'our listener saw the JS Disconnect')
  const d = events().find((e) => e.event === 'disconnect')
  check(d?.reason === 8 && d?.byRemote === true, `reason understood: ${d?.reasonName} (byRemote=${d?.byRemote})`)

  // ours -> JS
  const ping = await run(['rlpx', 'ping', R.enode, '--caps', 'eth/68', '--timeout', '5s'])
  let hello = null
  try { hello = JSON.parse(ping.out) } catch {}
  check(ping.code === 0 && hello?.name === 'ethereumjs-devp2p/interop' && hello?.caps?.includes('eth/68') &&
    hello?.id === hex(R.pub), `ethp2p rlpx ping -> JS: ${ping.out.trim() || ping.err.trim()}`)
  check(await waitFor('JS removed us', () => R.removed.some((p) => p.reason === 8 && p.disconnectWe === false), 3000),
    'JS understood our Disconnect: client quitting, chosen by us')

  // A Hello without shared capabilities: JS refuses the session, but the Hellos
  // were exchanged first, so ping still reports the remote Hello.
  const useless = await run(['rlpx', 'ping', R.enode, '--timeout', '5s'])
  let uh = null
  try { uh = JSON.parse(useless.out) } catch {}
  check(useless.code === 0 && uh?.id === hex(R.pub), 'Hello exchange works even without shared capabilities')

  // Our listener quits while JS is connected: JS hears "client quitting" (compressed [8]).
  await R.rlpx.connect({ id: hexToBytes('0x' + lpub), address: '127.0.0.1', tcpPort: base })
  await waitFor('JS added again', () => R.added.filter((p) => p.id === lpub).length >= 2, 5000)
  L.rec.child.kill('SIGTERM')
  check(await waitFor('JS removed L', () => R.removed.some((p) => p.id === lpub && p.reason === 8 && !p.disconnectWe), 3000),
    'JS understood our listener quitting (client quitting)')
  R.rlpx.destroy()
}

main()
  .catch((e) => check(false, `test crashed: ${e.stack}`))
  .finally(finish)
