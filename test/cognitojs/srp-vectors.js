// Prints SRP test vectors computed by amazon-cognito-identity-js itself:
// its AuthenticationHelper (A, x, u, the HKDF key), its DateHelper (the
// TIMESTAMP) and the signature exactly as CognitoUser.authenticateUser
// computes it. internal/srp's tests check linkpool's SRP against them.
//
// Regenerate (from the repository root):
//
//	cd test/cognitojs && npm ci && node srp-vectors.js > ../../internal/srp/testdata/vectors.json
//
// Every input is fixed, so the output only changes with the library.
'use strict';

const { Buffer } = require('buffer');
const { Sha256 } = require('@aws-crypto/sha256-js');
const AuthenticationHelper =
	require('amazon-cognito-identity-js/lib/AuthenticationHelper').default;
const BigInteger = require('amazon-cognito-identity-js/lib/BigInteger').default;
const DateHelper = require('amazon-cognito-identity-js/lib/DateHelper').default;
const pkg = require('amazon-cognito-identity-js/package.json');

// nowString runs the library's DateHelper at a fixed instant.
function nowString(iso) {
	const RealDate = global.Date;
	const fixed = new RealDate(iso);
	global.Date = class extends RealDate {
		constructor(...args) {
			if (args.length === 0) {
				super(fixed.getTime());
			} else {
				super(...args);
			}
		}
	};
	try {
		return new DateHelper().getNowString();
	} finally {
		global.Date = RealDate;
	}
}

function helperWithA(poolName, aHex) {
	const h = new AuthenticationHelper(poolName);
	h.smallAValue = new BigInteger(aHex, 16);
	h.largeAValue = undefined;
	let A;
	h.getLargeAValue((err, v) => {
		if (err) throw err;
		A = v;
	});
	return { h, A };
}

const cases = [
	{
		poolId: 'eu-west-1_AbCdEf123', userId: 'alice', password: 'Correct-Horse-1',
		a: 'a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9',
		b: '0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0',
		salt: 'f3a9c21b7d4e5f60718293a4b5c6d7e8', secretBlock: 'AQIDBAUGBwgJCgsMDQ4PEA==',
		time: '2026-03-05T07:08:09Z',
	},
	{
		poolId: 'us-east-1_Zz9', userId: '3f1c2b7a-9e8d-4c6b-a5f4-0123456789ab', password: 'p\u00e4ssw\u00f6rd \u2603 !',
		a: '1234567', b: 'ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff',
		salt: '0a1b2c3d4e5f', secretBlock: Buffer.from('a longer secret block that is not a multiple of three').toString('base64'),
		time: '2026-12-25T23:59:59Z',
	},
	{
		poolId: 'ap-southeast-2_x', userId: 'bob@example.com', password: '',
		a: '80000000000000000000000000000000000000000000000000000000000000000000000000000000',
		b: '1', salt: '80', secretBlock: 'AA==', time: '2027-01-10T00:00:00Z',
	},
	{
		poolId: 'eu-central-1_LongPoolName0123', userId: 'Ω-user', password: 'x'.repeat(256),
		a: 'deadbeef'.repeat(32), b: 'cafebabe'.repeat(8),
		salt: '00ff', secretBlock: Buffer.alloc(600, 7).toString('base64'), time: '2026-02-28T12:34:56Z',
	},
];

const out = { library: `amazon-cognito-identity-js ${pkg.version}`, cases: [], padHex: [] };

for (const c of cases) {
	const poolName = c.poolId.split('_')[1];
	const { h, A } = helperWithA(poolName, c.a);
	const salt = new BigInteger(c.salt, 16);
	// The server's side, with the library's own arithmetic: the verifier
	// of the password and B = k*v + g^b.
	const x = new BigInteger(
		h.hexHash(h.padHex(salt) + h.hash(`${poolName}${c.userId}:${c.password}`)),
		16
	);
	let v;
	h.g.modPow(x, h.N, (err, r) => {
		if (err) throw err;
		v = r;
	});
	let gb;
	h.g.modPow(new BigInteger(c.b, 16), h.N, (err, r) => {
		if (err) throw err;
		gb = r;
	});
	const B = h.k.multiply(v).add(gb).mod(h.N);
	let key;
	h.getPasswordAuthenticationKey(c.userId, c.password, B, salt, (err, hkdf) => {
		if (err) throw err;
		key = hkdf;
	});
	const timestamp = nowString(c.time);
	// As CognitoUser.authenticateUserDefaultAuth signs the claim.
	const concat = Buffer.concat([
		Buffer.from(poolName, 'utf8'),
		Buffer.from(c.userId, 'utf8'),
		Buffer.from(c.secretBlock, 'base64'),
		Buffer.from(timestamp, 'utf8'),
	]);
	const mac = new Sha256(key);
	mac.update(concat);
	const signature = Buffer.from(mac.digestSync()).toString('base64');
	out.cases.push({
		poolId: c.poolId, poolName, userIdForSrp: c.userId, password: c.password,
		a: c.a, srpA: A.toString(16), b: c.b, salt: c.salt,
		x: x.toString(16), verifier: h.padHex(v), srpB: B.toString(16),
		u: h.UValue.toString(16), key: Buffer.from(key).toString('hex'),
		time: c.time, timestamp, secretBlock: c.secretBlock, signature,
	});
}

const h = new AuthenticationHelper('x');
for (const n of ['0', '1', 'f', '7f', '80', 'ff', '100', '7fff', '8000', 'abcdef', '0123456789abcdef', h.N.toString(16)]) {
	out.padHex.push({ n, hex: h.padHex(new BigInteger(n, 16)) });
}
out.k = h.k.toString(16);

process.stdout.write(JSON.stringify(out, null, '\t') + '\n');
