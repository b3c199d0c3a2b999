// A JS eth peer for the interop tests: @ethereumjs/devp2p's RLPx with one ETH
// capability, recording Statuses, messages and removals; and a custom Common
// whose fork hash is the one our node presents (one fork hash, no next fork).
import { RLPx, ETH } from '@ethereumjs/devp2p'
import { Mainnet, createCustomCommon } from '@ethereumjs/common'
import { bytesToHex, hexToBytes, intToBytes, utf8ToBytes } from '@ethereumjs/util'
import { secp256k1 } from 'ethereum-cryptography/secp256k1.js'

const hex = (b) => bytesToHex(b).slice(2)

export function devnetCommon(forkHash, chainId) {
  // Every fork at genesis: one fork hash (CRC32 of the genesis hash), no next fork.
  const names = ['chainstart', 'homestead', 'tangerineWhistle', 'spuriousDragon', 'byzantium', 'constantinople',
    'petersburg', 'istanbul', 'muirGlacier', 'berlin', 'london']
  return createCustomCommon({ name: 'ethp2p-devnet', chainId, defaultHardfork: 'london',
    hardforks: names.map((name) => ({ name, block: 0, forkHash })) }, Mainnet, { hardfork: 'london' })
}

export function jsPeer(port, privHex, common, genesis, cap = ETH.eth68, td = intToBytes(1), best = genesis) {
  const priv = hexToBytes('0x' + privHex)
  const rlpx = new RLPx(priv, { capabilities: [cap], common, listenPort: port, maxPeers: 10,
    clientId: utf8ToBytes('ethereumjs-devp2p/interop') })
  const js = { rlpx, enode: '', statuses: [], msgs: [], removed: [], eths: [] }
  rlpx.events.on('error', () => {})
  rlpx.events.on('peer:error', () => {})
  rlpx.events.on('peer:added', (peer) => {
    const eth = peer.getProtocols()[0]
    js.eths.push(eth)
    eth.events.on('status', (st) => js.statuses.push(st))
    eth.events.on('message', (code, payload) => js.msgs.push({ code, payload, eth }))
    eth.sendStatus({ td, bestHash: best, genesisHash: genesis })
  })
  rlpx.events.on('peer:removed', (peer, reason, disconnectWe) => js.removed.push({ reason, disconnectWe }))
  rlpx.listen(port, '127.0.0.1')
  const pub = secp256k1.getPublicKey(priv, false).slice(1)
  js.pub = pub
  js.enode = `enode://${hex(pub)}@127.0.0.1:${port}`
  return js
}

