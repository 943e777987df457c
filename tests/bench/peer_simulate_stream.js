// SPDX-License-Identifier: GPL-2.0-or-later
//
// The peer's side of the end-to-end `gatehouse simulate` measurement
// (scripts/bench.sh): read a `gatehouse simulate` JSON Lines stream and
// answer every line with @cloud-copilot/iam-simulate (AGPL, never vendored:
// scripts/bench.sh installs it under the build tree), one decision per line
// on stdout ({"decision": ...} or {"error": ...}), as `gatehouse simulate`
// does.  Each line is parsed and simulated on its own: the peer has no
// compiled form, and gatehouse gets no help from the driver either.
//
//   node peer_simulate_stream.js --module-dir DIR [--account ID] < cases.jsonl
//   node peer_simulate_stream.js --compare GATEHOUSE_OUT PEER_OUT
//
// --compare prints one JSON line: lines whose decisions agree, disagree, and
// where either side answered an error.
'use strict';

const fs = require('fs');
const readline = require('readline');

function usage(msg) {
	if (msg)
		process.stderr.write(`peer_simulate_stream: ${msg}\n`);
	process.stderr.write('usage: node peer_simulate_stream.js --module-dir DIR [--account ID]' +
		' < cases.jsonl\n       node peer_simulate_stream.js --compare GH_OUT PEER_OUT\n');
	process.exit(2);
}

const DECISION = {
	Allowed: 'allow',
	ExplicitlyDenied: 'explicit_deny',
	ImplicitlyDenied: 'implicit_deny',
};

function compare(ghFile, peerFile) {
	const gh = fs.readFileSync(ghFile, 'utf8').split('\n').filter((l) => l);
	const peer = fs.readFileSync(peerFile, 'utf8').split('\n').filter((l) => l);
	const out = { bench: 'simulate-agreement', lines: gh.length, agree: 0, disagree: 0,
		gatehouse_errors: 0, peer_errors: 0, kinds: {} };

	if (gh.length !== peer.length)
		usage(`${ghFile} has ${gh.length} lines, ${peerFile} ${peer.length}`);
	for (let i = 0; i < gh.length; i++) {
		const g = JSON.parse(gh[i]), p = JSON.parse(peer[i]);

		if (g.error)
			out.gatehouse_errors++;
		else if (p.error)
			out.peer_errors++;
		else if (g.decision === p.decision)
			out.agree++;
		else {
			const kind = `gatehouse=${g.decision} peer=${p.decision}`;

			out.disagree++;
			out.kinds[kind] = (out.kinds[kind] || 0) + 1;
		}
	}
	process.stdout.write(JSON.stringify(out) + '\n');
}

// One case line as the peer's Simulation (the fields gen_cases writes, and the other policy kinds).
function simulation(c, account) {
	const named = (list, key) => (list || []).map((p, i) => ({ name: `${key}[${i}]`, policy: p }));

	return {
		identityPolicies: named(c.policies, 'policies'),
		serviceControlPolicies: named(c.service_control_policies, 'service_control_policies'),
		resourceControlPolicies: named(c.resource_control_policies, 'resource_control_policies'),
		...(c.permission_boundary ? { permissionBoundaryPolicies:
			[{ name: 'permission_boundary', policy: c.permission_boundary }] } : {}),
		...(c.resource_policy ? { resourcePolicy: c.resource_policy } : {}),
		request: {
			principal: c.principal,
			action: c.action,
			resource: { resource: c.resource, accountId: account },
			contextVariables: c.context || {},
		},
	};
}

async function main() {
	const argv = process.argv.slice(2);
	let moduleDir, account = '111122223333';

	if (argv[0] === '--compare') {
		if (argv.length !== 3)
			usage('--compare takes two files');
		return compare(argv[1], argv[2]);
	}
	for (let i = 0; i < argv.length; i += 2) {
		if (argv[i + 1] === undefined)
			usage(`${argv[i]} needs a value`);
		if (argv[i] === '--module-dir')
			moduleDir = argv[i + 1];
		else if (argv[i] === '--account')
			account = argv[i + 1];
		else
			usage(`unknown argument ${argv[i]}`);
	}
	if (!moduleDir)
		usage('--module-dir is required');
	const lib = require(require.resolve('@cloud-copilot/iam-simulate', { paths: [moduleDir] }));
	const out = [];
	const flush = () => {
		if (out.length) {
			fs.writeSync(1, out.join(''));
			out.length = 0;
		}
	};

	for await (const line of readline.createInterface({ input: process.stdin, crlfDelay: Infinity })) {
		if (!line.trim())
			continue;
		let answer;

		try {
			const c = JSON.parse(line);
			const res = await lib.runSimulation(simulation(c, account), {});

			answer = res.resultType === 'error'
				? { id: c.id, error: JSON.stringify(res.errors).slice(0, 200) }
				: { id: c.id, decision: DECISION[res.overallResult] || String(res.overallResult) };
		} catch (e) {
			answer = { error: String(e && e.message ? e.message : e).slice(0, 200) };
		}
		out.push(JSON.stringify(answer) + '\n');
		if (out.length >= 256)
			flush();
	}
	flush();
}

main().catch((e) => {
	process.stderr.write(`peer_simulate_stream: ${e && e.stack ? e.stack : e}\n`);
	process.exit(1);
});
