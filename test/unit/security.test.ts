/**
 * The cluster-secret proofs (common/security.ts) under chosen times: registration proofs (MAC,
 * ±window judged on receive time, replayed nonces, the bounded nonce cache), session tokens and
 * block access tokens (block, mode, expiry with skew tolerance, tampering).
 */
import {
  BLOCK_TOKEN_CLOCK_SKEW_TOLERANCE_MS, DfsError, RegistrationVerifier, deriveClusterKeys, issueBlockToken, issueSessionToken, signRegistration,
  verifyBlockToken, verifySessionToken,
} from '@minidfs/common';

const keys = deriveClusterKeys(Buffer.from('0123456789abcdef0123456789abcdef'));
const other = deriveClusterKeys(Buffer.from('another-secret-of-enough-length!'));
const subject = { nodeId: 'dn1', uuid: 'u-1', host: '127.0.0.1', dataPort: 9866 };
const T0 = 1_700_000_000_000;
const WINDOW = 60_000;

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
    return undefined;
  } catch (err) {
    return err instanceof DfsError ? err.code : 'NOT_A_DFS_ERROR';
  }
}

describe('registration proof', () => {
  test('a fresh proof is accepted once; its replay is refused', () => {
    const v = new RegistrationVerifier(keys.register, { windowMs: WINDOW });
    const proof = signRegistration(keys.register, subject, T0);
    expect(codeOf(() => v.verify(proof, subject, T0 + 10))).toBeUndefined();
    expect(codeOf(() => v.verify(proof, subject, T0 + 20))).toBe('UNAUTHENTICATED');
  });

  test('missing, malformed, wrong-secret and altered proofs are UNAUTHENTICATED', () => {
    const v = new RegistrationVerifier(keys.register, { windowMs: WINDOW });
    expect(codeOf(() => v.verify(undefined, subject, T0))).toBe('UNAUTHENTICATED');
    expect(codeOf(() => v.verify('v1.x.y', subject, T0))).toBe('UNAUTHENTICATED');
    expect(codeOf(() => v.verify('x'.repeat(5000), subject, T0))).toBe('UNAUTHENTICATED');
    expect(codeOf(() => v.verify(signRegistration(other.register, subject, T0), subject, T0))).toBe('UNAUTHENTICATED');
    const proof = signRegistration(keys.register, subject, T0);
    for (const altered of [{ ...subject, nodeId: 'dn2' }, { ...subject, host: '10.0.0.9' }, { ...subject, dataPort: 1 }, { ...subject, uuid: 'u-2' }]) {
      expect(codeOf(() => v.verify(proof, altered, T0))).toBe('UNAUTHENTICATED');
    }
    // A proof of one kind never verifies as another: the session key signs sessions only.
    expect(codeOf(() => v.verify(signRegistration(keys.session, subject, T0), subject, T0))).toBe('UNAUTHENTICATED');
  });

  test('the timestamp is judged against the receive time, in both directions', () => {
    const v = new RegistrationVerifier(keys.register, { windowMs: WINDOW });
    expect(codeOf(() => v.verify(signRegistration(keys.register, subject, T0 - WINDOW - 1), subject, T0))).toBe('UNAUTHENTICATED');
    expect(codeOf(() => v.verify(signRegistration(keys.register, subject, T0 + WINDOW + 1), subject, T0))).toBe('UNAUTHENTICATED');
    expect(codeOf(() => v.verify(signRegistration(keys.register, subject, T0 - WINDOW + 1), subject, T0))).toBeUndefined();
    expect(codeOf(() => v.verify(signRegistration(keys.register, subject, T0 + WINDOW - 1), subject, T0))).toBeUndefined();
  });

  test('nonces are kept for two windows after receipt, then forgotten; a full cache refuses (retryable) instead of forgetting early', () => {
    const v = new RegistrationVerifier(keys.register, { windowMs: WINDOW, maxNonces: 2 });
    v.verify(signRegistration(keys.register, subject, T0), subject, T0);
    v.verify(signRegistration(keys.register, subject, T0), subject, T0 + 1);
    expect(codeOf(() => v.verify(signRegistration(keys.register, subject, T0 + 2), subject, T0 + 2))).toBe('UNAVAILABLE');
    expect(v.noncesHeld).toBe(2);
    const late = T0 + 2 * WINDOW + 2;
    expect(codeOf(() => v.verify(signRegistration(keys.register, subject, late), subject, late))).toBeUndefined();
    expect(v.noncesHeld).toBe(1);
  });
});

describe('session token', () => {
  test('round-trips the node id and registration id; other keys and edits fail', () => {
    const token = issueSessionToken(keys.session, { nodeId: 'dn.1', registrationId: 'r-1' });
    expect(verifySessionToken(keys.session, token)).toEqual({ nodeId: 'dn.1', registrationId: 'r-1' });
    expect(codeOf(() => verifySessionToken(other.session, token))).toBe('UNAUTHENTICATED');
    expect(codeOf(() => verifySessionToken(keys.register, token))).toBe('UNAUTHENTICATED');
    const forged = issueSessionToken(other.session, { nodeId: 'dn2', registrationId: 'r-1' }).split('.');
    const swapped = token.split('.');
    swapped[1] = forged[1];
    expect(codeOf(() => verifySessionToken(keys.session, swapped.join('.')))).toBe('UNAUTHENTICATED');
    expect(codeOf(() => verifySessionToken(keys.session, ''))).toBe('UNAUTHENTICATED');
  });
});

describe('block access token', () => {
  const expires = T0 + 600_000;
  const token = issueBlockToken(keys.blockToken, { blockId: 42, generationStamp: 5, mode: 'READ' }, expires);
  const read = { blockId: 42, generationStamp: 5, mode: 'READ', nodeId: 'dn1' } as const;

  test('grants its mode on its block until expiry (+ skew tolerance)', () => {
    expect(codeOf(() => verifyBlockToken(keys.blockToken, token, read, T0))).toBeUndefined();
    expect(codeOf(() => verifyBlockToken(keys.blockToken, token, read, expires + BLOCK_TOKEN_CLOCK_SKEW_TOLERANCE_MS))).toBeUndefined();
    expect(codeOf(() => verifyBlockToken(keys.blockToken, token, read, expires + BLOCK_TOKEN_CLOCK_SKEW_TOLERANCE_MS + 1))).toBe('PERMISSION_DENIED');
  });

  test('a token for block A does not open block B, READ does not grant WRITE, other keys and edits fail', () => {
    expect(codeOf(() => verifyBlockToken(keys.blockToken, token, { ...read, blockId: 43 }, T0))).toBe('PERMISSION_DENIED');
    expect(codeOf(() => verifyBlockToken(keys.blockToken, token, { ...read, mode: 'WRITE' }, T0))).toBe('PERMISSION_DENIED');
    expect(codeOf(() => verifyBlockToken(other.blockToken, token, read, T0))).toBe('PERMISSION_DENIED');
    expect(codeOf(() => verifyBlockToken(keys.blockToken, token.replace('.READ.', '.WRITE.'), { ...read, mode: 'WRITE' }, T0))).toBe('PERMISSION_DENIED');
    expect(codeOf(() => verifyBlockToken(keys.blockToken, token.replace(`.${expires}.`, `.${expires * 2}.`), read, T0))).toBe('PERMISSION_DENIED');
    expect(codeOf(() => verifyBlockToken(keys.blockToken, '', read, T0))).toBe('PERMISSION_DENIED');
    expect(codeOf(() => verifyBlockToken(keys.blockToken, 'v2.42.5.READ.1..\u0000', read, T0))).toBe('PERMISSION_DENIED');
  });

  test('a token names one generation stamp; a WRITE token names its target nodes and no others', () => {
    expect(codeOf(() => verifyBlockToken(keys.blockToken, token, { ...read, generationStamp: 6 }, T0))).toBe('PERMISSION_DENIED');
    expect(codeOf(() => verifyBlockToken(keys.blockToken, token.replace('.42.5.', '.42.6.'), { ...read, generationStamp: 6 }, T0))).toBe('PERMISSION_DENIED');
    const write = issueBlockToken(keys.blockToken, { blockId: 42, generationStamp: 5, mode: 'WRITE', targets: ['dn1', 'dn.2,x'] }, expires);
    const want = { blockId: 42, generationStamp: 5, mode: 'WRITE', nodeId: 'dn1' } as const;
    expect(codeOf(() => verifyBlockToken(keys.blockToken, write, want, T0))).toBeUndefined();
    expect(codeOf(() => verifyBlockToken(keys.blockToken, write, { ...want, nodeId: 'dn.2,x' }, T0))).toBeUndefined();
    expect(codeOf(() => verifyBlockToken(keys.blockToken, write, { ...want, nodeId: 'dn3' }, T0))).toBe('PERMISSION_DENIED');
    expect(codeOf(() => verifyBlockToken(keys.blockToken, write, { ...want, generationStamp: 4 }, T0))).toBe('PERMISSION_DENIED');
    // Adding a target to the token breaks its signature.
    const [head, targets, mac] = [write.slice(0, write.lastIndexOf('.', write.lastIndexOf('.') - 1)), write.split('.')[5], write.split('.')[6]];
    const widened = `${head}.${targets},${Buffer.from('dn3').toString('base64url')}.${mac}`;
    expect(codeOf(() => verifyBlockToken(keys.blockToken, widened, { ...want, nodeId: 'dn3' }, T0))).toBe('PERMISSION_DENIED');
    const noTargets = issueBlockToken(keys.blockToken, { blockId: 42, generationStamp: 5, mode: 'WRITE' }, expires);
    expect(codeOf(() => verifyBlockToken(keys.blockToken, noTargets, want, T0))).toBe('PERMISSION_DENIED');
  });
});
