/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Security groups -> nftables.
 *
 * Stages, each callable alone (as nftables' parser -> evaluate -> linearize
 * -> mnl): fw_ruleset_load*() reads security groups (aws ec2
 * describe-security-groups output), the host inventory and prefix lists and
 * resolves every reference; fw_compile() builds the nftables IR of one
 * host (normalised, per-family, disjoint set elements); fw_render() prints
 * it as nft text for people and golden tests; fw_apply() sends it to the
 * kernel as one netlink batch through libnftnl + libmnl.
 *
 * Errors: -errno, with located diagnostics in a caller-owned diag_list.
 * Only apply/show/diff need CAP_NET_ADMIN; everything else is pure.
 */
#ifndef GATEHOUSE_FW_H
#define GATEHOUSE_FW_H

#include <gatehouse/diag.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* The one table gatehouse owns; no other table is ever read or written. */
#define FW_TABLE_NAME "gatehouse"

struct fw_ruleset;  /* loaded and resolved rules directory */
struct fw_compiled; /* nftables IR of one host */

/*
 * Load every *.json file of @dir (sorted by name): security groups, hosts and
 * prefix lists, then resolve references.  Reports every problem found;
 * returns 0 and a new ruleset in *ret (warnings possibly in @diags), or
 * -EINVAL (input refused), -ENOENT, -E2BIG, -ENOMEM with diagnostics.
 */
int fw_ruleset_load_dir(const char *dir, struct fw_ruleset **ret, struct diag_list *diags);

/*
 * Same from in-memory documents: @texts[i] (@lens[i] bytes, borrowed; not
 * necessarily NUL-terminated) named @names[i] in diagnostics.
 */
int fw_ruleset_load_buffers(size_t n, const char *const *names, const char *const *texts,
			    const size_t *lens, struct fw_ruleset **ret, struct diag_list *diags);

/* Free; takes NULL, returns NULL. */
struct fw_ruleset *fw_ruleset_free(struct fw_ruleset *rs);

/* Counts for messages: groups, rules (IpPermissions entries), hosts. */
void fw_ruleset_stats(const struct fw_ruleset *rs, size_t *ret_groups, size_t *ret_rules,
		      size_t *ret_hosts);

/* Name of host @i, or NULL past the end (for "compile every host"). */
const char *fw_ruleset_host_name(const struct fw_ruleset *rs, size_t i);

/*
 * Compile the ruleset of host @host into an nftables IR.  Returns 0, or
 * -ENOENT (no such host), -E2BIG (over a cap), -ENOMEM, with diagnostics.
 * The IR does not borrow from @rs.
 */
/**
 * struct fw_compile_opts - how fw_compile_with() builds the ruleset
 * @log_group: NFLOG group (0..65535) that default-deny drops are logged to,
 *	       rate-limited per interface and direction (fw flows reads it);
 *	       -1: no logging
 */
struct fw_compile_opts {
	int log_group;
};

/* fw_compile() with options (@o NULL: the defaults, no logging). */
int fw_compile_with(const struct fw_ruleset *rs, const char *host, const struct fw_compile_opts *o,
		    struct fw_compiled **ret, struct diag_list *diags);

int fw_compile(const struct fw_ruleset *rs, const char *host, struct fw_compiled **ret,
	       struct diag_list *diags);

struct fw_compiled *fw_compiled_free(struct fw_compiled *c);

/**
 * struct fw_stats - size of a compiled ruleset
 * @sets: named sets and maps
 * @elements: set elements after normalisation (interval ends counted once)
 * @chains: chains
 * @rules: nft rules
 */
struct fw_stats {
	size_t sets, elements, chains, rules;
};
void fw_compiled_stats(const struct fw_compiled *c, struct fw_stats *ret);

/* Name of interface @i of the compiled host, or NULL past the end. */
const char *fw_compiled_iface(const struct fw_compiled *c, size_t i);
/* Name of guest port @i of the compiled host, or NULL past the end. */
const char *fw_compiled_guest_port(const struct fw_compiled *c, size_t i);
/* The bridge guest port @i is declared a member of ("Bridge"), or NULL (routed). */
const char *fw_compiled_guest_bridge(const struct fw_compiled *c, size_t i);
/* Does @c have a table bridge gatehouse (bridged guest ports)? */
bool fw_compiled_has_bridge(const struct fw_compiled *c);

/* Print @c as nft text ("table inet gatehouse { ... }", then "table bridge gatehouse { ... }"
 * when a guest port is bridged).  Returns 0 or -EIO. */
int fw_render(const struct fw_compiled *c, FILE *f);

enum fw_apply_flags {
	FW_APPLY_CHECK = 1 << 0, /* send the batch without its end: kernel validates, aborts */
	FW_APPLY_FULL = 1 << 1,	 /* always replace the table (no set-element-only update) */
	/*
	 * Test hook, never for production: the batch adds one set element
	 * twice, so that the kernel refuses it (tests of error mapping and of
	 * "a failed apply leaves the old ruleset"); implies FW_APPLY_FULL.
	 * The CLI sets it from GATEHOUSE_FW_FAULT=dup-element.
	 */
	FW_APPLY_FAULT_DUP_ELEMENT = 1 << 2,
};

/**
 * struct fw_apply_result - what an apply did
 * @full: the whole table was replaced (false: membership elements only)
 * @unchanged: nothing to send, the kernel already had this ruleset
 * @messages: netlink messages in the batch
 * @bytes: bytes of the batch
 * @elements_added: membership elements added (element-only update)
 * @elements_removed: membership elements removed (element-only update)
 * @repaired: differences between our table as the kernel held it and the
 *	      ruleset it was last given (same structure as now): edits made
 *	      outside gatehouse, which this apply undid (0: none)
 * @repairs: those differences as fw diff lines ("- " held by the kernel,
 *	     "+ " restored; rule positions left out), one per line, at most 40
 *	     then "... and N more"; NULL when @repaired is 0.  Owned by the
 *	     result: fw_apply_result_done() frees it.
 * @fast: the table was not read back: the kernel's ruleset generation
 *	  (@genid) was the one our last successful apply recorded, so nothing
 *	  in any table had changed since
 * @genid: the ruleset generation found before applying
 */
struct fw_apply_result {
	bool full, unchanged;
	size_t messages, bytes;
	size_t elements_added, elements_removed;
	size_t repaired;
	char *repairs;
	bool fast;
	uint32_t genid;
};

/* Free what @r owns (takes NULL). */
void fw_apply_result_done(struct fw_apply_result *r);

/*
 * Apply @c in the current network namespace in one netlink batch.  Unless
 * FW_APPLY_FULL, our table is read first and compared with @c (the kernel's
 * content, not a stored hash): when everything but group membership
 * elements is equal, only those elements are sent (or nothing); otherwise
 * our table is deleted and re-created in the same transaction, which also
 * undoes edits made to it by hand (reported in @ret->repaired).  On a kernel error nothing changes;
 * the diagnostic names the security-group rule the failing object came from.  Returns 0, -EPERM (no
 * CAP_NET_ADMIN), or the kernel's -errno.
 */
int fw_apply(const struct fw_compiled *c, unsigned flags, struct fw_apply_result *ret,
	     struct diag_list *diags);

/* A saved copy of our table as the kernel had it (for --confirm rollback). */
struct fw_snapshot;

/*
 * Read our table from the kernel.  *ret is NULL (and 0 returned) when the
 * table does not exist.
 */
int fw_snapshot_take(struct fw_snapshot **ret, struct diag_list *diags);
/* Put the snapshot back atomically (delete + re-create in one batch); a
 * NULL snapshot (no table before) deletes our table. */
int fw_snapshot_restore(const struct fw_snapshot *s, struct diag_list *diags);
struct fw_snapshot *fw_snapshot_free(struct fw_snapshot *s);

/*
 * Print our table as the kernel has it, element by element, each mapped back
 * to the security-group rules named in its comment, with counters.  Returns
 * 0, -ENOENT when there is no table, or -errno.
 */
int fw_show(FILE *f, struct diag_list *diags);

/*
 * Print what fw_apply() would change ("-"/"+" lines per set element, rule
 * and chain).  Returns the number of differences (>= 0) or -errno.
 */
int fw_diff(const struct fw_compiled *c, FILE *f, struct diag_list *diags);

/**
 * struct fw_rule_count - the traffic one security-group rule let through on one interface
 * @group_id: the group's GroupId (its GroupName when it has none)
 * @interface: the host interface or guest port
 * @rule: index in IpPermissions (ingress) or IpPermissionsEgress (@egress)
 * @egress: an egress rule
 * @shared: the count is of nft rules serving other security-group rules too
 *	    (merged into one set): it cannot be split between them
 * @packets: packets counted
 * @bytes: bytes counted
 */
struct fw_rule_count {
	const char *group_id, *interface;
	uint32_t rule;
	bool egress, shared;
	uint64_t packets, bytes;
};

/**
 * struct fw_drop_count - what one interface dropped
 * @interface: the interface or guest port; NULL: interfaces not in the inventory
 * @reason: "default_deny", "spoofed_source" (a guest port's foreign source) or
 *	    "not_its_address" (a frame to a bridged guest port for another address)
 * @egress: leaving through it (a guest's egress), not entering
 */
struct fw_drop_count {
	const char *interface, *reason;
	bool egress;
	uint64_t packets, bytes;
};

struct fw_counts {
	struct fw_rule_count *rules;
	size_t nrules;
	struct fw_drop_count *drops;
	size_t ndrops;
};

/*
 * The counters of our table in the current network namespace (one rule
 * dump), per security-group rule and interface of @c, and the drops per
 * interface, sorted by interface.  Strings are borrowed from @c.  Refused
 * (-ESTALE) when the kernel's table was not written from @c.  0 or -errno.
 */
int fw_counts_read(const struct fw_compiled *c, struct fw_counts *ret, struct diag_list *diags);
void fw_counts_done(struct fw_counts *k);

/*
 * Print the default-deny drops logged to NFLOG group @group (fw apply
 * --log-drops) to @f, one JSON line each, in the shape of an AWS VPC flow
 * log record (time, interface, direction, protocol, addresses, ports,
 * "action": "REJECT"), until @count lines (0: until interrupted).  0 or
 * -errno.
 */
int fw_flows(int group, long count, FILE *f, struct diag_list *diags);

/*
 * Would @c let a new connection in?  @dir_in: inbound (true) or outbound;
 * @ifname: the local interface; @family 4 or 6; @peer: the remote address
 * (4 or 16 bytes, network order); @proto: IP protocol; @port: destination
 * port (tcp/udp) or (type << 8 | code) for ICMP.  Evaluates the IR as the
 * kernel would, without the kernel (used for the SSH safety check,
 * --kill-removed and tests).
 */
bool fw_compiled_allows(const struct fw_compiled *c, bool dir_in, const char *ifname, int family,
			const uint8_t *peer, uint8_t proto, uint16_t port);

/*
 * Delete conntrack entries of the current namespace whose original
 * direction @c no longer allows (AWS cuts untracked flows when a rule goes;
 * gatehouse keeps tracked flows unless asked).  Returns the number deleted
 * or -errno.
 */
int fw_conntrack_kill_removed(const struct fw_compiled *c, struct diag_list *diags);

#endif
