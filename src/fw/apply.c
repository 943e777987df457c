/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Stage: apply.  An apply converges on the compiled ruleset whatever the
 * kernel holds: it reads our table and compares it, object by object, with
 * the IR (the lines fw diff prints).  When everything but membership
 * elements is equal, it sends only the element difference, touching no
 * rule (apply_members.c); otherwise it replaces the table.  The hash of
 * everything but membership elements that the table carries
 * (FW_UDATA_TABLE_HASH) says only what was applied last: it tells a hand
 * edit (same hash, different content: reported as repaired) from a change
 * of the rules, and is never trusted to say what is there.
 */
#include <errno.h>
#include <linux/netfilter.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fw/apply_members.h"
#include "fw/apply_state.h"
#include "fw/emit.h"
#include "fw/kernel_read.h"
#include "fw/kernel_send.h"
#include "fw/nftnl_cleanup.h"
#include "fw/nl.h"
#include "fw/table_lines.h"

void fw_apply_result_done(struct fw_apply_result *r)
{
	if (!r)
		return;
	free(r->repairs);
	r->repairs = NULL;
}

/* Differences named in a repair report before "... N more". */
#define FW_REPAIRS_SHOWN 40

/*
 * Is our table in the kernel (@s) what @c compiles to, membership elements
 * aside?  Returns 1 (equal), 0 (differs) or -ENOMEM.  When it differs and
 * @drift is given, @drift gets the differences with rule positions left out
 * (an inserted rule is one line, not one per rule after it).
 */
static int structure_equal(const struct fw_compiled *c, const struct fw_snapshot *s,
			   struct fw_lines *drift)
{
	long nd = fw_lines_diff_table(c, s, FW_LINES_NO_MEMBERS, NULL);

	if (nd < 0)
		return (int)nd;
	if (nd == 0 || !drift)
		return nd == 0;
	nd = fw_lines_diff_table(c, s, FW_LINES_NO_MEMBERS | FW_LINES_NO_INDEX, drift);
	if (nd == 0)
		nd = fw_lines_add(drift, "~ rules of a chain in another order");
	return nd < 0 ? (int)nd : 0;
}

/* @drift as report text: at most FW_REPAIRS_SHOWN lines, then "... N more". */
static char *drift_text(const struct fw_lines *drift)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);

	if (!f)
		return NULL;
	for (size_t i = 0; i < drift->n && i < FW_REPAIRS_SHOWN; i++)
		fprintf(f, "%s\n", drift->v[i]);
	if (drift->n > FW_REPAIRS_SHOWN)
		fprintf(f, "... and %zu more (fw diff before an apply shows them all)\n",
			drift->n - FW_REPAIRS_SHOWN);
	if (fclose(f)) {
		free(buf);
		return NULL;
	}
	return buf;
}

/*
 * Read our table and decide: 1 when an element update (or nothing) made the
 * kernel hold @c, 0 when the whole table must be replaced, or -errno.
 * Edits made outside gatehouse to a table last written with @c's structure
 * are counted in @res->repaired and described in @res->repairs (the replace
 * that follows undoes them); a table written from other rules is a change,
 * not a repair.
 */
static int converge(struct fw_nl *n, const struct fw_compiled *c, unsigned flags,
		    struct fw_apply_result *res, struct diag_list *dl)
{
	_cleanup_(fw_snapshot_freep) struct fw_snapshot *s = NULL;
	_cleanup_(fw_lines_free) struct fw_lines drift = { 0 };
	bool found;
	int r = fw_kernel_read_table(n, &s);

	if (r < 0) {
		diag_add(dl, DIAG_ERROR, "netlink", "", 0, 0, "reading table %s: %s", FW_TABLE_NAME,
			 strerror(-r));
		return r;
	}
	if (!s)
		return 0; /* no table yet: create it */
	r = structure_equal(c, s, &drift);
	if (r > 0)
		return fw_apply_members(n, c, flags, res, dl);
	if (r == 0 && fw_kernel_table_hash(s->table, &found) == c->structure_hash && found) {
		res->repaired = drift.n;
		res->repairs = drift_text(&drift);
		if (!res->repairs)
			return -ENOMEM;
	}
	return r;
}

/*
 * May apply skip reading our table back?  Only when the kernel's ruleset
 * generation @genid is the one recorded right after our last successful
 * apply in this namespace, of a ruleset with @c's structure, and our table
 * is still the one it created (same handle and stored hash): then no
 * transaction, ours or anyone's, has changed any table since, and the
 * table holds exactly that ruleset.
 */
static bool fast_path(struct fw_nl *n, const struct fw_compiled *c, uint32_t genid)
{
	_cleanup_(nftnl_table_freep) struct nftnl_table *t = NULL;
	struct fw_apply_state st;
	bool found;

	if (!fw_apply_state_load(&st) || st.genid != genid || st.hash != c->structure_hash)
		return false;
	if (fw_kernel_get_table(n, &t) < 0 || !t)
		return false;
	return nftnl_table_get_u64(t, NFTNL_TABLE_HANDLE) == st.handle &&
	       fw_kernel_table_hash(t, &found) == c->structure_hash && found;
}

/*
 * Record the generation our apply left (@res->genid was the one before it),
 * for the next apply's fast_path().  Only when ours was the only
 * transaction in between (one more, or none when nothing was sent):
 * otherwise someone else's may have changed our table, and the next apply
 * must read it back.
 */
static void record_generation(struct fw_nl *n, const struct fw_compiled *c, bool have_gen,
			      const struct fw_apply_result *res)
{
	_cleanup_(nftnl_table_freep) struct nftnl_table *t = NULL;
	struct fw_apply_state st = { .hash = c->structure_hash };
	uint32_t expect = res->genid + (res->unchanged ? 0 : 1);

	if (!have_gen || fw_kernel_genid(n, &st.genid) < 0 || st.genid != expect ||
	    fw_kernel_get_table(n, &t) < 0 || !t) {
		fw_apply_state_save(NULL);
		return;
	}
	st.handle = nftnl_table_get_u64(t, NFTNL_TABLE_HANDLE);
	fw_apply_state_save(&st);
}

/*
 * Replace our tables with @c in one batch: delete them and create them
 * anew (table bridge gatehouse deleted when @c has none and the kernel
 * still holds one).
 */
static int replace_table(struct fw_nl *n, const struct fw_compiled *c, unsigned flags,
			 struct fw_apply_result *res, struct diag_list *dl)
{
	_cleanup_(fw_tx_done) struct fw_tx tx = { 0 };
	_cleanup_(nftnl_table_freep) struct nftnl_table *bt = NULL;
	struct fw_emit_opts o = { .dup_element = flags & FW_APPLY_FAULT_DUP_ELEMENT };
	int r = c->bridge_comment ? 0 : fw_kernel_get_table_family(n, NFPROTO_BRIDGE, &bt);

	o.drop_bridge = bt != NULL;
	if (r >= 0)
		r = fw_tx_init(&tx, n->seq);

	res->full = true;
	if (r >= 0)
		r = fw_tx_begin(&tx);
	if (r >= 0)
		r = fw_emit_table(&tx, c, &o);
	/* Check mode: no BATCH_END, so the kernel validates everything and aborts. */
	if (r >= 0 && !(flags & FW_APPLY_CHECK))
		r = fw_tx_end(&tx);
	if (r < 0) {
		diag_add(dl, DIAG_ERROR, "netlink", "", 0, 0, "building the batch: %s",
			 strerror(-r));
		return r;
	}
	res->messages = tx.nmsgs;
	return fw_kernel_send(n, &tx, &res->bytes, dl);
}

/*
 * Bridged guests are filtered by address in the inet forward chain, which
 * bridged IP frames only reach when br_netfilter hands them over
 * (net.bridge.bridge-nf-call-iptables and -ip6tables, per network
 * namespace).  Without it their security groups would silently not apply:
 * refused, with what to do.  Checked, never set: it changes what every
 * other firewall of the host sees (scripts/sysctl.d sets it at boot).
 */
static int bridge_netfilter_on(struct diag_list *dl)
{
	static const char *const knob[] = { "bridge-nf-call-iptables", "bridge-nf-call-ip6tables" };

	for (size_t i = 0; i < ARRAY_SIZE(knob); i++) {
		char path[96], v[8] = "";
		FILE *f;

		snprintf(path, sizeof(path), "/proc/sys/net/bridge/%s", knob[i]);
		f = fopen(path, "re");
		if (f) {
			if (!fgets(v, sizeof(v), f))
				v[0] = '\0';
			fclose(f);
		}
		if (v[0] != '1') {
			diag_add(dl, DIAG_ERROR, "bridge", "", 0, 0,
				 "bridged guest ports need net.bridge.%s = 1 in this network "
				 "namespace (%s): %s; load br_netfilter and set it (gatehouse "
				 "installs a sysctl.d file for this), or the bridged guests' "
				 "security groups would not apply",
				 knob[i], path, f ? "it is 0" : "missing, br_netfilter not loaded");
			return -EOPNOTSUPP;
		}
	}
	return 0;
}

int fw_apply(const struct fw_compiled *c, unsigned flags, struct fw_apply_result *ret,
	     struct diag_list *dl)
{
	_cleanup_(fw_apply_result_done) struct fw_apply_result res = { 0 };
	_cleanup_(fw_nl_close) struct fw_nl n = { 0 };
	bool have_gen;
	int r = c->bridge_comment ? bridge_netfilter_on(dl) : 0;

	if (r >= 0)
		r = fw_kernel_open(&n, dl);
	if (r < 0)
		return r;
	have_gen = fw_kernel_genid(&n, &res.genid) >= 0;
	if (!(flags & (FW_APPLY_FULL | FW_APPLY_FAULT_DUP_ELEMENT))) {
		/*
		 * Converge on @c whatever the kernel holds: read our table and
		 * compare it with @c (the hash stored in the table says what was
		 * applied last, not what is there now: a rule inserted by hand
		 * keeps the hash).  Only when everything but membership elements
		 * is equal is an element update enough.  Unless no transaction
		 * happened since our last apply of this structure (fast_path()):
		 * then the table is what that apply left, and only the
		 * membership elements can differ.
		 */
		res.fast = have_gen && fast_path(&n, c, res.genid);
		r = res.fast ? fw_apply_members(&n, c, flags, &res, dl)
			     : converge(&n, c, flags, &res, dl);
		if (r == 0) {
			/* A replace follows: an element update begun is not what happens. */
			res.elements_added = res.elements_removed = 0;
			res.unchanged = false;
		}
	}
	if (r == 0)
		r = replace_table(&n, c, flags, &res, dl);
	if (r < 0) {
		fw_apply_state_save(NULL);
		return r;
	}
	if (!(flags & FW_APPLY_CHECK))
		record_generation(&n, c, have_gen, &res);
	if (ret) {
		*ret = res;
		res = (struct fw_apply_result){ 0 }; /* handed out */
	}
	return 0;
}
