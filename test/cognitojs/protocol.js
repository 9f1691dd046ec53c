'use strict';
// protocol.js is the line protocol that flows.js and mfa.js speak with
// the Go tests of test/cluster: one JSON line per step on standard output
// ({"step": ..., ...}); a question for what only the caller has
// ({"need": ..., ...}) answered by one line on standard input; and, at the
// first unexpected result, exit status 1 with "<script>: <step>: <why>"
// on standard error.

const readline = require('node:readline');

// Unexpected is a result the script did not expect; fail throws one.
class Unexpected extends Error {}

function fail(step, message) {
	throw new Unexpected(`${step}: ${message}`);
}

// current is the step under way, named in an unexpected error.
let current = 'start';

// emit prints one step's result.
function emit(step, fields) {
	process.stdout.write(JSON.stringify({ step, ...fields }) + '\n');
}

// begin names the step that follows.
function begin(step) {
	current = step;
}

// Answers from the caller, one line each.
const input = readline.createInterface({ input: process.stdin });
const lines = input[Symbol.asyncIterator]();

async function ask(need, fields) {
	process.stdout.write(JSON.stringify({ need, ...fields }) + '\n');
	const { value, done } = await lines.next();
	if (done) fail(need, 'standard input ended before the answer');
	return value.trim();
}

// expectError runs a call of step that must be refused with code (and
// message, when given), and prints the refusal.
async function expectError(step, call, code, message) {
	begin(step);
	let result;
	try {
		result = await call();
	} catch (err) {
		if (err instanceof Unexpected) throw err;
		if (err.code !== code || (message !== undefined && err.message !== message)) {
			fail(step, `refused with ${err.code} "${err.message}", want ${code}${message === undefined ? '' : ` "${message}"`}`);
		}
		emit(step, { error: { code: err.code, message: err.message } });
		return;
	}
	fail(step, `succeeded (${JSON.stringify(result)}), want ${code}`);
}

// run runs the script's main and ends the process as the protocol says.
function run(script, main) {
	main()
		.then(() => input.close())
		.catch(err => {
			const detail = err instanceof Unexpected ? err.message : `${current}: unexpected error ${err.code || err.name}: ${err.message}`;
			process.stderr.write(`${script}: ${detail}\n`);
			process.exit(1);
		});
}

module.exports = { Unexpected, fail, emit, begin, ask, expectError, run };
