#!/usr/bin/env node
// flows.js drives linkpool's Cognito JSON API with amazon-cognito-identity-js
// exactly as a web or React Native app does: a CognitoUserPool whose
// `endpoint` is the linkpool server, and the library's own calls for
// sign-up, sign-in, sessions and sign-out.
//
// It prints one JSON line per step on standard output and stops with exit
// status 1 and a message on standard error at the first unexpected result.
// When it needs something only the caller has (the code mailed at sign-up)
// it prints a line {"need": ..., ...} and reads the answer, one line, from
// standard input.
//
// Steps:
//   signUp, confirmRegistration             a new user with an email attribute
//   authenticateUser                        the library's default flow (USER_SRP_AUTH)
//                                           or --auth-flow USER_PASSWORD_AUTH
//   getUserAttributes, refreshSession,
//   globalSignOut, revokedAccessToken,
//   revokedRefreshToken                     the session's calls, then the old tokens refused
//   newPasswordRequired,
//   completeNewPasswordChallenge,
//   signInNewPassword, temporaryPassword    an administrator-created user (--admin-username)
//   wrongPassword, unknownUser,
//   signUpUnconfirmed, unconfirmedUser      refused sign-ins
//
// Usage:
//   node flows.js --endpoint http://127.0.0.1:8080/ --user-pool-id us-east-1_abc \
//     --client-id <id> --username ada --email ada@example.com --password 'Pw-1234!' \
//     [--auth-flow USER_PASSWORD_AUTH] [--unconfirmed-username bob --unconfirmed-email bob@example.com] \
//     [--admin-username carol --admin-temporary-password ... --admin-new-password ... --admin-name 'Carol A']
'use strict';

const { parseArgs } = require('node:util');
const { Unexpected, fail, emit, begin, ask, expectError, run } = require('./protocol.js');
const {
	AuthenticationDetails,
	CognitoUser,
	CognitoUserAttribute,
	CognitoUserPool,
} = require('amazon-cognito-identity-js');

const { values: opt } = parseArgs({
	options: {
		endpoint: { type: 'string' },
		'user-pool-id': { type: 'string' },
		'client-id': { type: 'string' },
		'auth-flow': { type: 'string', default: 'USER_SRP_AUTH' },
		username: { type: 'string' },
		email: { type: 'string' },
		password: { type: 'string' },
		'unconfirmed-username': { type: 'string' },
		'unconfirmed-email': { type: 'string' },
		'admin-username': { type: 'string' },
		'admin-temporary-password': { type: 'string' },
		'admin-new-password': { type: 'string' },
		'admin-name': { type: 'string' },
	},
});

for (const name of ['endpoint', 'user-pool-id', 'client-id', 'username', 'email', 'password']) {
	if (!opt[name]) {
		process.stderr.write(`flows.js: --${name} is required\n`);
		process.exit(2);
	}
}
if (opt['admin-username'] && (!opt['admin-temporary-password'] || !opt['admin-new-password'])) {
	process.stderr.write('flows.js: --admin-username needs --admin-temporary-password and --admin-new-password\n');
	process.exit(2);
}
if (!['USER_SRP_AUTH', 'USER_PASSWORD_AUTH'].includes(opt['auth-flow'])) {
	process.stderr.write('flows.js: --auth-flow is USER_SRP_AUTH (the default) or USER_PASSWORD_AUTH\n');
	process.exit(2);
}

const pool = new CognitoUserPool({
	UserPoolId: opt['user-pool-id'],
	ClientId: opt['client-id'],
	endpoint: opt.endpoint,
});

// user is a CognitoUser of the pool, set to the flow under test. The
// default, USER_SRP_AUTH, is left to the library as an app leaves it.
function user(username) {
	const u = new CognitoUser({ Username: username, Pool: pool });
	if (opt['auth-flow'] !== 'USER_SRP_AUTH') u.setAuthenticationFlowType(opt['auth-flow']);
	return u;
}

// nodeCallback turns a library call taking (err, result) into a promise.
function nodeCallback(fn) {
	return new Promise((resolve, reject) => fn((err, result) => (err ? reject(err) : resolve(result))));
}

// authCallbacks settle a promise with the outcome of an authentication:
// a session, the NEW_PASSWORD_REQUIRED challenge, or an error. Other
// challenges (MFA, custom) are not part of these flows.
function authCallbacks(resolve, reject) {
	const other = name => () => reject(new Unexpected(`unexpected challenge ${name}`));
	return {
		onSuccess: session => resolve({ session }),
		onFailure: reject,
		newPasswordRequired: (userAttributes, requiredAttributes) =>
			resolve({ newPasswordRequired: { userAttributes, requiredAttributes } }),
		mfaRequired: other('SMS_MFA'),
		totpRequired: other('SOFTWARE_TOKEN_MFA'),
		selectMFAType: other('SELECT_MFA_TYPE'),
		mfaSetup: other('MFA_SETUP'),
		customChallenge: other('CUSTOM_CHALLENGE'),
	};
}

function authenticate(u, password) {
	const details = new AuthenticationDetails({ Username: u.getUsername(), Password: password });
	return new Promise((resolve, reject) => u.authenticateUser(details, authCallbacks(resolve, reject)));
}

// expectSession checks that an authentication ended with a valid session
// for username and returns the step's fields: the three tokens and the
// claims as the library decodes them.
function expectSession(step, outcome, username) {
	if (!outcome.session) fail(step, `expected a session, got ${JSON.stringify(outcome)}`);
	const s = outcome.session;
	if (!s.isValid()) fail(step, 'the session is not valid');
	const idClaims = s.getIdToken().decodePayload();
	const accessClaims = s.getAccessToken().decodePayload();
	if (idClaims.token_use !== 'id' || accessClaims.token_use !== 'access') {
		fail(step, `token_use ${idClaims.token_use} and ${accessClaims.token_use}, want id and access`);
	}
	if (idClaims['cognito:username'] !== username || accessClaims.username !== username) {
		fail(step, `tokens of ${idClaims['cognito:username']}/${accessClaims.username}, want ${username}`);
	}
	if (!s.getRefreshToken().getToken()) fail(step, 'no refresh token');
	return {
		idToken: s.getIdToken().getJwtToken(),
		accessToken: s.getAccessToken().getJwtToken(),
		refreshToken: s.getRefreshToken().getToken(),
		idClaims,
		accessClaims,
	};
}

async function attributes(u) {
	const list = await nodeCallback(cb => u.getUserAttributes(cb));
	return Object.fromEntries(list.map(a => [a.getName(), a.getValue()]));
}

async function signUp(step, username, email, password) {
	const attrs = [new CognitoUserAttribute({ Name: 'email', Value: email })];
	const r = await nodeCallback(cb => pool.signUp(username, password, attrs, null, cb));
	if (r.userConfirmed !== false) fail(step, `userConfirmed ${r.userConfirmed}, want false (UNCONFIRMED)`);
	const d = r.codeDeliveryDetails;
	if (!d || d.DeliveryMedium !== 'EMAIL' || d.AttributeName !== 'email' || !d.Destination) {
		fail(step, `CodeDeliveryDetails ${JSON.stringify(d)}, want an EMAIL to the email attribute`);
	}
	if (!r.userSub) fail(step, 'no UserSub');
	emit(step, { username: r.user.getUsername(), userConfirmed: r.userConfirmed, userSub: r.userSub, codeDeliveryDetails: d });
	return r;
}

async function main() {
	const { username, email, password } = opt;

	// a. Sign-up: the user is UNCONFIRMED and a code is on its way.
	begin('signUp');
	const signedUp = await signUp('signUp', username, email, password);

	// b. The code from the mail confirms the registration.
	begin('confirmRegistration');
	const code = await ask('code', { to: email, username });
	const confirmed = await nodeCallback(cb => signedUp.user.confirmRegistration(code, true, cb));
	if (confirmed !== 'SUCCESS') fail('confirmRegistration', `answer ${JSON.stringify(confirmed)}`);
	emit('confirmRegistration', { result: confirmed });

	// c. Sign-in with the flow under test.
	begin('authenticateUser');
	const u = user(username);
	const first = expectSession('authenticateUser', await authenticate(u, password), username);
	emit('authenticateUser', { authFlow: opt['auth-flow'], ...first });
	const firstSession = u.getSignInUserSession();

	// d. The session's calls: GetUser, a refresh, the global sign-out, and
	// then the old tokens refused.
	begin('getUserAttributes');
	const attrs = await attributes(u);
	if (attrs.sub !== signedUp.userSub || attrs.email !== email) {
		fail('getUserAttributes', `attributes ${JSON.stringify(attrs)}, want sub ${signedUp.userSub} and email ${email}`);
	}
	emit('getUserAttributes', { attributes: attrs });

	begin('refreshSession');
	const refreshed = await nodeCallback(cb => u.refreshSession(firstSession.getRefreshToken(), cb));
	const second = expectSession('refreshSession', { session: refreshed }, username);
	if (second.accessToken === first.accessToken) fail('refreshSession', 'the access token did not change');
	emit('refreshSession', second);

	begin('globalSignOut');
	const out = await new Promise((resolve, reject) => u.globalSignOut({ onSuccess: resolve, onFailure: reject }));
	emit('globalSignOut', { result: out });

	const stale = user(username);
	stale.setSignInUserSession(firstSession);
	await expectError('revokedAccessToken', () => attributes(stale), 'NotAuthorizedException', 'Access Token has been revoked');
	await expectError('revokedRefreshToken', () => nodeCallback(cb => stale.refreshSession(firstSession.getRefreshToken(), cb)),
		'NotAuthorizedException');

	// e. An administrator-created user changes the temporary password.
	if (opt['admin-username']) {
		const admin = opt['admin-username'];
		begin('newPasswordRequired');
		const a = user(admin);
		const challenge = await authenticate(a, opt['admin-temporary-password']);
		if (!challenge.newPasswordRequired) fail('newPasswordRequired', `expected the challenge, got ${JSON.stringify(challenge)}`);
		emit('newPasswordRequired', challenge.newPasswordRequired);
		const values = {};
		if (opt['admin-name']) values.name = opt['admin-name'];
		for (const name of challenge.newPasswordRequired.requiredAttributes) {
			if (!(name in values)) fail('newPasswordRequired', `required attribute ${name} has no value`);
		}
		begin('completeNewPasswordChallenge');
		const done = await new Promise((resolve, reject) =>
			a.completeNewPasswordChallenge(opt['admin-new-password'], values, authCallbacks(resolve, reject)));
		emit('completeNewPasswordChallenge', expectSession('completeNewPasswordChallenge', done, admin));

		begin('signInNewPassword');
		const again = user(admin);
		const fresh = expectSession('signInNewPassword', await authenticate(again, opt['admin-new-password']), admin);
		emit('signInNewPassword', { ...fresh, attributes: await attributes(again) });
		await expectError('temporaryPassword', () => authenticate(user(admin), opt['admin-temporary-password']),
			'NotAuthorizedException', 'Incorrect username or password.');
	}

	// f. Refusals: a wrong password and an unknown user alike, and a user
	// who has not confirmed the sign-up.
	await expectError('wrongPassword', () => authenticate(user(username), 'Wrong-' + password),
		'NotAuthorizedException', 'Incorrect username or password.');
	await expectError('unknownUser', () => authenticate(user(`nobody-${Date.now()}`), password),
		'NotAuthorizedException', 'Incorrect username or password.');
	if (opt['unconfirmed-username']) {
		const name = opt['unconfirmed-username'];
		begin('signUpUnconfirmed');
		await signUp('signUpUnconfirmed', name, opt['unconfirmed-email'] || `${name}@example.com`, password);
		await expectError('unconfirmedUser', () => authenticate(user(name), password),
			'UserNotConfirmedException', 'User is not confirmed.');
	}
	emit('done', {});
}

run('flows.js', main);
