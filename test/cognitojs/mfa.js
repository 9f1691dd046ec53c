#!/usr/bin/env node
// mfa.js drives linkpool's multi-factor sign-in with
// amazon-cognito-identity-js as an app does, in a pool that requires MFA
// with an authenticator app (TOTP): the first sign-in sets the app up
// (mfaSetup, associateSoftwareToken, verifySoftwareToken), the next ones
// answer the SOFTWARE_TOKEN_MFA challenge (totpRequired, sendMFACode).
//
// It speaks flows.js's protocol: one JSON line per step on standard output,
// exit status 1 and a message on standard error at the first unexpected
// result. It computes no code itself: it asks the caller, which holds the
// clock, with {"need": "totp", "secret": ...} (a valid code of the secret
// for a time step after any answered before) or {"need": "wrongTotp",
// "secret": ...} (six digits that are no code of the steps around now),
// each answered by one line on standard input.
//
// Steps:
//   mfaSetup                  the library's default sign-in (USER_SRP_AUTH) ends in MFA_SETUP
//   associateSoftwareToken    the secret of the authenticator app, on the sign-in's session
//   verifySoftwareToken       its first code, which finishes the sign-in
//   totpRequired              the next sign-in ends in SOFTWARE_TOKEN_MFA
//   wrongCode                 sendMFACode with a wrong code: CodeMismatchException
//   sendMFACode               a right code on the same session: signed in
//   replayedCode              that code again in a new sign-in: CodeMismatchException
//
// Usage:
//   node mfa.js --endpoint http://127.0.0.1:8080/ --user-pool-id us-east-1_abc \
//     --client-id <id> --username ada --password 'Pw-1234!' [--device-name 'Ada phone']
'use strict';

const { parseArgs } = require('node:util');
const { fail, emit, begin, ask, expectError, run } = require('./protocol.js');
const { AuthenticationDetails, CognitoUser, CognitoUserPool } = require('amazon-cognito-identity-js');

const { values: opt } = parseArgs({
	options: {
		endpoint: { type: 'string' },
		'user-pool-id': { type: 'string' },
		'client-id': { type: 'string' },
		username: { type: 'string' },
		password: { type: 'string' },
		'device-name': { type: 'string', default: 'JavaScript authenticator' },
	},
});

for (const name of ['endpoint', 'user-pool-id', 'client-id', 'username', 'password']) {
	if (!opt[name]) {
		process.stderr.write(`mfa.js: --${name} is required\n`);
		process.exit(2);
	}
}

const pool = new CognitoUserPool({ UserPoolId: opt['user-pool-id'], ClientId: opt['client-id'], endpoint: opt.endpoint });

// outcome settles a promise with how a call of the library ended: a
// session, or the challenge the library handed to its callback.
function outcome(resolve, reject) {
	const challenge = name => (challengeName, challengeParameters) =>
		resolve({ challenge: name, challengeName, challengeParameters });
	return {
		onSuccess: session => resolve({ session }),
		onFailure: reject,
		newPasswordRequired: challenge('newPasswordRequired'),
		mfaRequired: challenge('mfaRequired'),
		totpRequired: challenge('totpRequired'),
		selectMFAType: challenge('selectMFAType'),
		mfaSetup: challenge('mfaSetup'),
		customChallenge: challenge('customChallenge'),
	};
}

function signIn(u) {
	const details = new AuthenticationDetails({ Username: opt.username, Password: opt.password });
	return new Promise((resolve, reject) => u.authenticateUser(details, outcome(resolve, reject)));
}

function sendCode(u, code) {
	return new Promise((resolve, reject) => u.sendMFACode(code, outcome(resolve, reject), 'SOFTWARE_TOKEN_MFA'));
}

// expectChallenge checks that a call ended in the callback named name.
function expectChallenge(step, got, name) {
	if (got.challenge !== name) fail(step, `expected ${name}, got ${JSON.stringify(got)}`);
	emit(step, { challengeName: got.challengeName, challengeParameters: got.challengeParameters });
}

// expectSession checks that a call ended with a valid session of the
// user and prints its tokens.
function expectSession(step, got) {
	if (!got.session) fail(step, `expected a session, got ${JSON.stringify(got)}`);
	const s = got.session;
	if (!s.isValid()) fail(step, 'the session is not valid');
	const accessClaims = s.getAccessToken().decodePayload();
	if (accessClaims.username !== opt.username) fail(step, `tokens of ${accessClaims.username}, want ${opt.username}`);
	emit(step, {
		idToken: s.getIdToken().getJwtToken(),
		accessToken: s.getAccessToken().getJwtToken(),
		refreshToken: s.getRefreshToken().getToken(),
		idClaims: s.getIdToken().decodePayload(),
		accessClaims,
	});
}

async function main() {
	const user = () => new CognitoUser({ Username: opt.username, Pool: pool });

	// a. The pool requires MFA and the user has no factor: the password
	// sign-in ends in MFA_SETUP, and the app sets up an authenticator.
	begin('mfaSetup');
	const first = user();
	expectChallenge('mfaSetup', await signIn(first), 'mfaSetup');

	begin('associateSoftwareToken');
	const secret = await new Promise((resolve, reject) =>
		first.associateSoftwareToken({ associateSecretCode: resolve, onFailure: reject }));
	if (!/^[A-Z2-7]{16,}$/.test(secret)) fail('associateSoftwareToken', 'the secret is not base32');
	emit('associateSoftwareToken', { secretLength: secret.length });

	begin('verifySoftwareToken');
	const setupCode = await ask('totp', { secret });
	expectSession('verifySoftwareToken', await new Promise((resolve, reject) =>
		first.verifySoftwareToken(setupCode, opt['device-name'], outcome(resolve, reject))));

	// b. The next sign-in asks for the app's code; a wrong one is refused
	// and leaves the challenge to answer again.
	begin('totpRequired');
	const second = user();
	expectChallenge('totpRequired', await signIn(second), 'totpRequired');

	const wrong = await ask('wrongTotp', { secret });
	await expectError('wrongCode', () => sendCode(second, wrong), 'CodeMismatchException');

	begin('sendMFACode');
	const code = await ask('totp', { secret });
	expectSession('sendMFACode', await sendCode(second, code));

	// c. A code signs in once.
	begin('replayedCode');
	const third = user();
	const challenged = await signIn(third);
	if (challenged.challenge !== 'totpRequired') fail('replayedCode', `expected totpRequired, got ${JSON.stringify(challenged)}`);
	await expectError('replayedCode', () => sendCode(third, code), 'CodeMismatchException');
	emit('done', {});
}

run('mfa.js', main);
