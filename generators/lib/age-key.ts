// An age (https://age-encryption.org/v1) X25519 key pair, as `age-keygen` writes it: the backup
// container encrypts off-site dumps for the public "recipient"; only the secret "identity"
// decrypts them. Generated here so a fresh .env has a working pair without running age first.
import { createPrivateKey, createPublicKey, randomBytes } from 'node:crypto';

export interface AgeKeyPair {
  /** age1…: the public key backups are encrypted for. */
  recipient: string;
  /** AGE-SECRET-KEY-1…: decrypts them; belongs off the server. */
  identity: string;
}

const CHARSET = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';
const GENERATOR = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];

function polymod(values: number[]): number {
  let checksum = 1;
  for (const value of values) {
    const top = checksum >>> 25;
    checksum = ((checksum & 0x1ffffff) << 5) ^ value;
    GENERATOR.forEach((g, bit) => {
      if ((top >>> bit) & 1) checksum ^= g;
    });
  }
  return checksum;
}

/** 8-bit bytes regrouped as 5-bit words (zero-padded), as bech32 carries data. */
function toWords(bytes: Uint8Array): number[] {
  const words: number[] = [];
  let accumulator = 0;
  let bits = 0;
  for (const byte of bytes) {
    accumulator = (accumulator << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      words.push((accumulator >>> bits) & 31);
    }
  }
  if (bits > 0) words.push((accumulator << (5 - bits)) & 31);
  return words;
}

/** BIP 173 bech32 (age uses the original checksum, not bech32m), lower case. */
export function bech32(hrp: string, bytes: Uint8Array): string {
  const words = toWords(bytes);
  const expanded = [...[...hrp].map((c) => c.charCodeAt(0) >>> 5), 0, ...[...hrp].map((c) => c.charCodeAt(0) & 31)];
  const checksum = polymod([...expanded, ...words, 0, 0, 0, 0, 0, 0]) ^ 1;
  const check = Array.from({ length: 6 }, (_, i) => (checksum >>> (5 * (5 - i))) & 31);
  return `${hrp}1${[...words, ...check].map((w) => CHARSET[w]).join('')}`;
}

// PKCS #8 wrapping of a raw X25519 private key (RFC 8410), so Node derives the public key.
const X25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');

/** The key pair of a 32-byte X25519 secret (the pair age-keygen would print for it). */
export function ageKeyPairOf(secret: Uint8Array): AgeKeyPair {
  const privateKey = createPrivateKey({ key: Buffer.concat([X25519_PKCS8_PREFIX, secret]), format: 'der', type: 'pkcs8' });
  const publicKey = Buffer.from(createPublicKey(privateKey).export({ format: 'jwk' }).x!, 'base64url');
  return { recipient: bech32('age', publicKey), identity: bech32('age-secret-key-', secret).toUpperCase() };
}

export const generateAgeKeyPair = (): AgeKeyPair => ageKeyPairOf(randomBytes(32));
