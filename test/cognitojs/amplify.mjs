#!/usr/bin/env node
// amplify.mjs drives linkpool's Cognito JSON API with Amplify JavaScript v6
// (aws-amplify/auth) exactly as an app configured with
// Auth.Cognito.userPoolEndpoint does. Amplify has its own SRP
// implementation, independent of amazon-cognito-identity-js.
//
// It speaks flows.js's protocol: one JSON line per step on standard output,
// exit status 1 and a message on standard error at the first unexpected
// result, and {"need": "code", ...} answered by one line on standard input.
//
// Steps:
//   signUp, confirmSignUp                    a new user with an email attribute
//   signIn                                   Amplify's default flow (USER_SRP_AUTH)
//   fetchUserAttributes, refresh             GetUser, then a forced token refresh
//   updatePassword, signInChangedPassword    ChangePassword, then SRP with the new password
//   signOut                                  a global sign-out
//   newPasswordRequired, confirmSignIn       an administrator-created user (--admin-username)
//   wrongPassword, unknownUser               refused sign-ins
//
// Usage:
//   node amplify.mjs --endpoint http://127.0.0.1:8080 --user-pool-id us-east-1_abc --client-id <id> \
//     --username ada --email ada@example.com --password 'Pw-1234!' --changed-password 'Pw-5678!' \
//     --admin-username carol --admin-temporary-password ... --admin-new-password ...
import readline from 'node:readline';
import { parseArgs } from 'node:util';
import { Amplify } from 'aws-amplify';
import {
	confirmSignIn,
	confirmSignUp,
	fetchAuthSession,
	fetchUserAttributes,
	getCurrentUser,
	signIn,
	signOut,
	signUp,
	updatePassword,
} from 'aws-amplify/auth';
import { cognitoUserPoolsTokenProvider } from 'aws-amplify/auth/cognito';

const { values: opt } = parseArgs({
	options: {
		endpoint: { type: 'string' },
		'user-pool-id': { type: 'string' },
		'client-id': { type: 'string' },
		username: { type: 'string' },
		email: { type: 'string' },
		password: { type: 'string' },
		'changed-password': { type: 'string' },
		'admin-username': { type: 'string' },
		'admin-temporary-password': { type: 'string' },
		'admin-new-password': { type: 'string' },
	},
});

function fail(step, msg) {
	process.stderr.write(`amplify.mjs: ${step}: ${msg}\n`);
	process.exit(1);
}

for (const k of ['endpoint', 'user-pool-id', 'client-id', 'username', 'email', 'password', 'changed-password',
	'admin-username', 'admin-temporary-password', 'admin-new-password']) {
	if (!opt[k]) fail('usage', `--${k} is required`);
}

Amplify.configure({
	Auth: {
		Cognito: {
			userPoolId: opt['user-pool-id'],
			userPoolClientId: opt['client-id'],
			userPoolEndpoint: opt.endpoint,
		},
	},
});

// The tokens are kept where the test can read the refresh token too:
// Amplify's own storage interface, in memory (set after configure, which
// installs the default storage).
const stored = new Map();
cognitoUserPoolsTokenProvider.setKeyValueStorage({
	async setItem(k, v) { stored.set(k, v); },
	async getItem(k) { return stored.has(k) ? stored.get(k) : null; },
	async removeItem(k) { stored.delete(k); },
	async clear() { stored.clear(); },
});

const print = (o) => process.stdout.write(JSON.stringify(o) + '\n');

const lines = readline.createInterface({ input: process.stdin })[Symbol.asyncIterator]();
async function ask(need) {
	print(need);
	const { value, done } = await lines.next();
	if (done) fail(need.need, 'standard input closed');
	return value.trim();
}

function refreshToken() {
	for (const [k, v] of stored) {
		if (k.endsWith('.refreshToken')) return v;
	}
	return '';
}

async function tokens(forceRefresh = false) {
	const s = await fetchAuthSession({ forceRefresh });
	if (!s.tokens) fail('session', 'no tokens');
	return {
		accessToken: s.tokens.accessToken.toString(),
		idToken: s.tokens.idToken.toString(),
		refreshToken: refreshToken(),
		accessClaims: s.tokens.accessToken.payload,
		idClaims: s.tokens.idToken.payload,
	};
}

async function refused(step, fn) {
	try {
		await fn();
	} catch (e) {
		print({ step, error: { code: e.name, message: e.message } });
		return;
	}
	fail(step, 'succeeded, want a refusal');
}

async function main() {
	const up = await signUp({
		username: opt.username,
		password: opt.password,
		options: { userAttributes: { email: opt.email } },
	});
	const d = up.nextStep.codeDeliveryDetails || {};
	print({
		step: 'signUp', username: opt.username, userConfirmed: up.isSignUpComplete, userSub: up.userId,
		codeDeliveryDetails: { Destination: d.destination, DeliveryMedium: d.deliveryMedium, AttributeName: d.attributeName },
	});

	const code = await ask({ need: 'code', to: opt.email, username: opt.username });
	const conf = await confirmSignUp({ username: opt.username, confirmationCode: code });
	print({ step: 'confirmSignUp', result: conf.isSignUpComplete ? 'SUCCESS' : conf.nextStep.signUpStep });

	const res = await signIn({ username: opt.username, password: opt.password });
	if (!res.isSignedIn) fail('signIn', `next step ${res.nextStep.signInStep}`);
	const cur = await getCurrentUser();
	print({ step: 'signIn', authFlow: cur.signInDetails.authFlowType, ...(await tokens()) });

	print({ step: 'fetchUserAttributes', attributes: await fetchUserAttributes() });
	print({ step: 'refresh', ...(await tokens(true)) });

	await updatePassword({ oldPassword: opt.password, newPassword: opt['changed-password'] });
	print({ step: 'updatePassword', result: 'SUCCESS' });
	await signOut();
	const again = await signIn({ username: opt.username, password: opt['changed-password'] });
	if (!again.isSignedIn) fail('signInChangedPassword', `next step ${again.nextStep.signInStep}`);
	print({ step: 'signInChangedPassword', ...(await tokens()) });

	await signOut({ global: true });
	const after = await fetchAuthSession();
	print({ step: 'signOut', result: after.tokens ? 'TOKENS_KEPT' : 'SUCCESS' });

	const np = await signIn({ username: opt['admin-username'], password: opt['admin-temporary-password'] });
	print({
		step: 'newPasswordRequired', result: np.nextStep.signInStep,
		requiredAttributes: np.nextStep.missingAttributes || [],
	});
	if (np.nextStep.signInStep !== 'CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED') fail('newPasswordRequired', np.nextStep.signInStep);
	const done = await confirmSignIn({ challengeResponse: opt['admin-new-password'] });
	if (!done.isSignedIn) fail('confirmSignIn', `next step ${done.nextStep.signInStep}`);
	print({ step: 'confirmSignIn', ...(await tokens()) });
	await signOut();

	await refused('wrongPassword', () => signIn({ username: opt.username, password: opt.password }));
	await refused('unknownUser', () => signIn({ username: 'nobody-' + opt.username, password: opt.password }));
	print({ step: 'done' });
	process.exit(0);
}

main().catch((e) => fail('unexpected', `${e.name}: ${e.message}`));
