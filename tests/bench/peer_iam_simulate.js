// SPDX-License-Identifier: GPL-2.0-or-later
//
// The peer side of bench_authz: run @cloud-copilot/iam-simulate (AGPL, never
// vendored: scripts/bench.sh installs it under the build tree) on the cases
// bench_authz wrote, in a timed loop, and check its decisions against
// gatehouse's.  The library is only loaded and called, as a separate process.
//
//   node peer_iam_simulate.js --cases DIR/typical.json --module-dir DIR
//        [--seconds S] [--check N] [--max-seconds S] [--examples FILE]
//
// --check N: compare the first N requests (default: all in the file);
// the loop runs until --seconds have passed and those N are checked, or
// --max-seconds (default 120) have passed.  Prints one JSON line
// {"bench": "peer", ...}.  --examples FILE gets, per kind of disagreement,
// one `gatehouse simulate` case line with both decisions.
'use strict';

const fs = require('fs');
const path = require('path');

function usage(msg) {
	if (msg)
		process.stderr.write(`peer_iam_simulate: ${msg}\n`);
	process.stderr.write('usage: node peer_iam_simulate.js --cases FILE --module-dir DIR ' +
		'[--seconds S] [--check N] [--max-seconds S] [--examples FILE]\n');
	process.exit(2);
}

function parseArgs(argv) {
	const o = { seconds: 2, check: Infinity, maxSeconds: 120 };

	for (let i = 2; i < argv.length; i++) {
		const a = argv[i], v = argv[i + 1];

		if (v === undefined)
			usage(`${a} needs a value`);
		if (a === '--cases')
			o.cases = v;
		else if (a === '--module-dir')
			o.moduleDir = v;
		else if (a === '--seconds')
			o.seconds = Number(v);
		else if (a === '--check')
			o.check = Number(v);
		else if (a === '--max-seconds')
			o.maxSeconds = Number(v);
		else if (a === '--examples')
			o.examples = v;
		else
			usage(`unknown argument ${a}`);
		i++;
	}
	if (!o.cases || !o.moduleDir)
		usage('--cases and --module-dir are required');
	for (const k of ['seconds', 'check', 'maxSeconds'])
		if (!(o[k] > 0))
			usage(`bad --${k}`);
	return o;
}

const DECISION = {
	Allowed: 'allow',
	ExplicitlyDenied: 'explicit_deny',
	ImplicitlyDenied: 'implicit_deny',
};

// The statements the peer says decided (identity side), "policies[i]/Sid".
function peerDeciders(res) {
	const ia = res && res.result && res.result.analysis && res.result.analysis.identityAnalysis;

	if (!ia)
		return [];
	const list = ia.result === 'ExplicitlyDenied' ? ia.denyStatements : ia.allowStatements;

	return (list || []).map((s) => {
		const sid = s.explain ? s.explain.identifier : s.statement && s.statement.Sid;

		return `${s.policyId}/${sid}`;
	});
}

// Each part of the peer's analysis and its result ("identity=Allowed ...").
function peerAnalysis(res) {
	const a = res && res.result && res.result.analysis;

	if (!a)
		return '';
	return Object.entries(a)
		.filter(([, v]) => v && typeof v === 'object' && typeof v.result === 'string')
		.map(([k, v]) => `${k.replace(/Analysis$/, '')}=${v.result}`)
		.join(' ');
}

async function main() {
	const o = parseArgs(process.argv);
	const modPath = require.resolve('@cloud-copilot/iam-simulate', { paths: [o.moduleDir] });
	const lib = require(modPath);
	let version = 'unknown';

	try {
		const pkg = path.join(modPath.slice(0, modPath.lastIndexOf('iam-simulate') +
			'iam-simulate'.length), 'package.json');
		version = JSON.parse(fs.readFileSync(pkg, 'utf8')).version;
	} catch (e) {
		// the version is informational only
	}
	const c = JSON.parse(fs.readFileSync(o.cases, 'utf8'));
	const identityPolicies = c.policies.map((p, i) => ({ name: `policies[${i}]`, policy: p }));
	const reqs = c.requests;

	if (!reqs.length)
		usage(`${o.cases} has no requests`);
	// No resource policy unless a request carries one: for sts:AssumeRole the peer then
	// decides on the identity side, as gatehouse simulate does without "resource_policy".
	const sims = reqs.map((q) => ({
		identityPolicies,
		serviceControlPolicies: [],
		resourceControlPolicies: [],
		...(q.resource_policy ? { resourcePolicy: q.resource_policy } : {}),
		request: {
			principal: q.principal,
			action: q.action,
			resource: { resource: q.resource, accountId: c.account },
			contextVariables: q.context,
		},
	}));
	const ncheck = Math.min(o.check, reqs.length);
	const kinds = {};
	const examples = {};
	let agree = 0, disagree = 0, errors = 0, firstError = null, done = 0;

	// warm-up, untimed (module load, JIT): a few decisions
	for (let i = 0; i < Math.min(3, sims.length); i++)
		await lib.runSimulation(sims[i], {});

	const t0 = process.hrtime.bigint();
	let elapsed = 0;

	for (let i = 0; ; i++) {
		const k = i % sims.length;
		const res = await lib.runSimulation(sims[k], {});

		done++;
		if (i < ncheck) {
			if (res.resultType === 'error') {
				errors++;
				if (!firstError)
					firstError = JSON.stringify(res.errors).slice(0, 500);
			} else {
				const pd = DECISION[res.overallResult] || String(res.overallResult);
				const gd = reqs[k].gatehouse;

				if (pd === gd) {
					agree++;
				} else {
					const kind = `gatehouse=${gd} peer=${pd}`;

					disagree++;
					kinds[kind] = (kinds[kind] || 0) + 1;
					if (!examples[kind])
						examples[kind] = {
							index: k,
							peer_decided_by: peerDeciders(res),
							peer_analysis: peerAnalysis(res),
						};
				}
			}
		}
		elapsed = Number(process.hrtime.bigint() - t0) / 1e9;
		if ((elapsed >= o.seconds && i + 1 >= ncheck) || elapsed >= o.maxSeconds)
			break;
	}

	const checked = agree + disagree + errors;

	if (o.examples) {
		const lines = Object.entries(examples).map(([kind, ex]) => {
			const q = reqs[ex.index];

			return JSON.stringify({
				id: `${c.profile}#${ex.index}`,
				disagreement: kind,
				gatehouse_matched: reqs[ex.index].gatehouse_matched,
				peer_decided_by: ex.peer_decided_by,
				peer_analysis: ex.peer_analysis,
				policies: c.policies,
				principal: q.principal,
				action: q.action,
				resource: q.resource,
				context: q.context,
			});
		});
		fs.writeFileSync(o.examples, lines.length ? lines.join('\n') + '\n' : '');
	}
	const out = {
		bench: 'peer',
		peer: '@cloud-copilot/iam-simulate',
		version,
		node: process.version,
		profile: c.profile,
		seed: c.seed,
		decisions: done,
		seconds: Number(elapsed.toFixed(3)),
		decisions_per_s: Number((done / elapsed).toFixed(1)),
		checked,
		agree,
		disagree,
		peer_errors: errors,
		first_error: firstError,
		disagreements: kinds,
		examples: Object.fromEntries(Object.entries(examples).map(([k, ex]) => [k, {
			request: reqs[ex.index].action + ' ' + reqs[ex.index].resource,
			index: ex.index,
			gatehouse_matched: reqs[ex.index].gatehouse_matched,
			peer_decided_by: ex.peer_decided_by,
			peer_analysis: ex.peer_analysis,
		}])),
	};
	process.stdout.write(JSON.stringify(out) + '\n');
}

main().catch((e) => {
	process.stderr.write(`peer_iam_simulate: ${e && e.stack ? e.stack : e}\n`);
	process.exit(1);
});
