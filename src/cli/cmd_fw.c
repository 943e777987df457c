/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * gatehouse fw: security groups -> nftables.
 *
 *   gatehouse fw check   --rules DIR [--host NAME]
 *   gatehouse fw compile --rules DIR --host NAME [--stats]
 *   gatehouse fw apply   --rules DIR --host NAME [--check] [--full] [--force]
 *                        [--confirm SECONDS] [--kill-removed] [--stats]
 *   gatehouse fw diff    --rules DIR --host NAME
 *   gatehouse fw show
 *
 * The library never logs; this front end prints diagnostics once, where it
 * decides.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <gatehouse/fw.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <jansson.h>

#include "cli.h"
#include "util.h"

/* --confirm longer than an hour is a typo, not a plan. */
#define FW_CONFIRM_MAX 3600

struct fw_opts {
	const char *rules, *host;
	char rules_buf[4096]; /* --rules without trailing slashes, when it had some */
	bool check, full, force, kill_removed, stats, json, prometheus;
	long confirm;
	int log_group; /* --log-drops GROUP, or -1 */
	long count;    /* fw flows --count N, 0: until killed */
};

static void usage(FILE *f)
{
	fputs("usage: gatehouse fw check   --rules DIR [--host NAME]\n"
	      "       gatehouse fw compile --rules DIR --host NAME [--stats]\n"
	      "       gatehouse fw apply   --rules DIR --host NAME [--check] [--full] [--force]\n"
	      "                            [--confirm SECONDS] [--kill-removed] [--stats]\n"
	      "                            [--log-drops GROUP]\n"
	      "       gatehouse fw diff    --rules DIR --host NAME\n"
	      "       gatehouse fw show\n"
	      "       gatehouse fw stats   --rules DIR --host NAME [--json | --prometheus]\n"
	      "       gatehouse fw flows   --group GROUP [--count N]\n"
	      "compile, diff and stats take --log-drops GROUP too (as the table was applied)\n"
	      "\n"
	      "Security groups (rules/README.md) to the nftables table \"inet gatehouse\" of one\n"
	      "host.  'gatehouse fw SUBCOMMAND --help' documents each subcommand.\n",
	      f);
}

/* Each subcommand's --help: its flags, exit statuses and the privilege it needs. */
static const struct {
	const char *name, *help;
} sub_help[] = {
	{ "check",
	  "usage: gatehouse fw check --rules DIR [--host NAME]\n"
	  "\n"
	  "Load the rules directory and compile every host (or only --host NAME), without\n"
	  "touching the kernel.  Errors and warnings go to stderr as\n"
	  "FILE:LINE:COL: error: MESSAGE [at JSON.PATH]; warnings are printed only when\n"
	  "there is no error.  On success prints 'DIR: OK (...)' on stdout.\n"
	  "\n"
	  "  --rules DIR   the rules directory (every *.json in it, in name order)\n"
	  "  --host NAME   compile only this host of the inventory\n"
	  "\n"
	  "Privilege: none.\n"
	  "Exit status: 0 valid, 1 errors (or no such host), 2 usage.\n" },
	{ "compile", "usage: gatehouse fw compile --rules DIR --host NAME [--stats]\n"
		     "\n"
		     "Print the ruleset of host NAME as nft text (what 'nft -f' reads) on stdout,\n"
		     "without touching the kernel.\n"
		     "\n"
		     "  --rules DIR   the rules directory\n"
		     "  --host NAME   the host of the inventory\n"
		     "  --stats       sizes and load+compile time, on stderr\n"
		     "\n"
		     "Privilege: none.\n"
		     "Exit status: 0 printed, 1 the rules do not load or compile, 2 usage.\n" },
	{ "apply",
	  "usage: gatehouse fw apply --rules DIR --host NAME [--check] [--full] [--force]\n"
	  "                          [--confirm SECONDS] [--kill-removed] [--stats]\n"
	  "                          [--log-drops GROUP]\n"
	  "\n"
	  "Replace the table \"inet gatehouse\" of the current network namespace with the\n"
	  "ruleset of host NAME, in one netlink transaction (all or nothing).  When only\n"
	  "group membership changed, only set elements are updated.  Applying for another\n"
	  "--host replaces the whole table: one host per namespace.\n"
	  "\n"
	  "  --rules DIR          the rules directory\n"
	  "  --host NAME          the host of the inventory\n"
	  "  --check              have the kernel validate the ruleset, change nothing\n"
	  "  --full               replace the whole table even if only membership changed\n"
	  "  --force              apply even if the ruleset would cut this SSH session\n"
	  "                       (SSH_CONNECTION), which is otherwise refused\n"
	  "  --confirm SECONDS    keep the new ruleset only if the line \"yes\" is read on\n"
	  "                       stdin within SECONDS (1 to 3600); otherwise restore the\n"
	  "                       previous one and exit 4\n"
	  "  --kill-removed       delete tracked connections the new ruleset no longer allows\n"
	  "  --stats              sizes and timings, on stderr\n"
	  "  --log-drops GROUP    send default-deny drops to NFLOG group GROUP (0-65535),\n"
	  "                       rate-limited; read them with 'gatehouse fw flows'\n"
	  "\n"
	  "Privilege: CAP_NET_ADMIN in the network namespace (run as root), --check too.\n"
	  "Exit status: 0 applied (or unchanged, or --check passed), 1 refused (rules,\n"
	  "kernel, privilege, SSH guard), 2 usage, 4 not confirmed: rolled back.\n" },
	{ "diff", "usage: gatehouse fw diff --rules DIR --host NAME\n"
		  "\n"
		  "Compare the table in the kernel with the ruleset of host NAME, without\n"
		  "changing anything: '-' lines are in the kernel only, '+' lines would be\n"
		  "added by apply.\n"
		  "\n"
		  "  --rules DIR   the rules directory\n"
		  "  --host NAME   the host of the inventory\n"
		  "\n"
		  "Privilege: CAP_NET_ADMIN (reading nftables over netlink needs it).\n"
		  "Exit status: 0 same, 3 differs, 1 refused, 2 usage.\n" },
	{ "show", "usage: gatehouse fw show\n"
		  "\n"
		  "Print the table \"inet gatehouse\" of the current network namespace as nft\n"
		  "text, each rule with its counters and the security-group rules named in\n"
		  "its comment.\n"
		  "\n"
		  "Privilege: CAP_NET_ADMIN.\n"
		  "Exit status: 0 printed, 1 no table or refused, 2 usage.\n" },
	{ "stats",
	  "usage: gatehouse fw stats --rules DIR --host NAME [--json | --prometheus]\n"
	  "\n"
	  "Packets and bytes per security-group rule and interface, and the default-deny\n"
	  "drops per interface, read from the kernel in one netlink dump and mapped back\n"
	  "to the rules of host NAME.  Rules that share one set element share its count\n"
	  "(\"shared\": true).  Refused when the table was not written from these rules.\n"
	  "\n"
	  "  --rules DIR      the rules directory the table was applied from\n"
	  "  --host NAME      the host of the inventory\n"
	  "  --json           one JSON object with a \"rules\" array\n"
	  "  --prometheus     Prometheus text (node_exporter's textfile collector)\n"
	  "  --log-drops N    as the table was applied\n"
	  "\n"
	  "Privilege: CAP_NET_ADMIN.\n"
	  "Exit status: 0 printed, 1 refused (no table, other rules, privilege), 2 usage.\n" },
	{ "flows", "usage: gatehouse fw flows --group GROUP [--count N]\n"
		   "\n"
		   "Print one JSON line per packet dropped by a default deny of a table applied\n"
		   "with --log-drops GROUP (time, interface, direction, protocol, addresses,\n"
		   "ports, action), as AWS VPC flow logs do; the kernel rate-limits the log.\n"
		   "\n"
		   "  --group GROUP    the NFLOG group (0-65535)\n"
		   "  --count N        stop after N lines (default: until interrupted)\n"
		   "\n"
		   "Privilege: CAP_NET_ADMIN.\n"
		   "Exit status: 0 done, 1 refused (privilege, no libnetfilter_log), 2 usage.\n" },
};

static void sub_usage(FILE *f, const char *sub)
{
	for (size_t i = 0; i < CLI_ARRAY_SIZE(sub_help); i++)
		if (!strcmp(sub, sub_help[i].name))
			fputs(sub_help[i].help, f);
}

/*
 * Netlink refuses a process without CAP_NET_ADMIN with EPERM on every path
 * (read, apply, snapshot, conntrack): say so instead of blaming the ruleset.
 */
static bool refused_privilege(int r, const char *sub)
{
	if (r != -EPERM)
		return false;
	fprintf(stderr,
		"gatehouse fw %s: Operation not permitted: fw %s needs CAP_NET_ADMIN (run as "
		"root)\n",
		sub, sub);
	return true;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int parse_opts(int argc, char **argv, struct fw_opts *o)
{
	static const struct option longopts[] = {
		{ "rules", required_argument, NULL, 'r' },
		{ "host", required_argument, NULL, 'H' },
		{ "check", no_argument, NULL, 'c' },
		{ "full", no_argument, NULL, 'F' },
		{ "force", no_argument, NULL, 'f' },
		{ "confirm", required_argument, NULL, 'C' },
		{ "kill-removed", no_argument, NULL, 'k' },
		{ "stats", no_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "prometheus", no_argument, NULL, 'P' },
		{ "log-drops", required_argument, NULL, 'L' },
		{ "group", required_argument, NULL, 'g' },
		{ "count", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	optind = 1;
	while ((ch = getopt_long(argc, argv, ":r:H:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'r':
			o->rules = cli_trim_dir(optarg, o->rules_buf, sizeof(o->rules_buf));
			break;
		case 'H': o->host = optarg; break;
		case 'c': o->check = true; break;
		case 'F': o->full = true; break;
		case 'f': o->force = true; break;
		case 'k': o->kill_removed = true; break;
		case 's': o->stats = true; break;
		case 'j': o->json = true; break;
		case 'P': o->prometheus = true; break;
		case 'L':
		case 'g':
		case 'n': {
			char *end;
			long v;

			errno = 0;
			v = strtol(optarg, &end, 10);
			if (errno || end == optarg || *end || v < 0 ||
			    v > (ch == 'n' ? 1000000000L : 65535L)) {
				fprintf(stderr, "gatehouse fw: %s takes %s, not '%s'\n",
					ch == 'L'   ? "--log-drops"
					: ch == 'g' ? "--group"
						    : "--count",
					ch == 'n' ? "a count" : "an NFLOG group 0 to 65535",
					optarg);
				return -EINVAL;
			}
			if (ch == 'n')
				o->count = v;
			else
				o->log_group = (int)v;
			break;
		}
		case 'C': {
			char *end;

			errno = 0;
			o->confirm = strtol(optarg, &end, 10);
			if (errno || end == optarg || *end || o->confirm < 1 ||
			    o->confirm > FW_CONFIRM_MAX) {
				fprintf(stderr, "gatehouse fw: --confirm takes 1 to %d seconds\n",
					FW_CONFIRM_MAX);
				return -EINVAL;
			}
			break;
		}
		case 'h': sub_usage(stdout, argv[0]); exit(CLI_EXIT_OK);
		default: {
			char cmd[64];

			snprintf(cmd, sizeof(cmd), "gatehouse fw %s", argv[0]);
			cli_bad_option(cmd, ch, argv, longopts);
			return -EINVAL;
		}
		}
	}
	if (optind < argc) {
		fprintf(stderr, "gatehouse fw: unexpected argument '%s'\n", argv[optind]);
		return -EINVAL;
	}
	return 0;
}

static int load(const struct fw_opts *o, struct fw_ruleset **ret)
{
	struct diag_list dl;
	int r;

	if (!o->rules) {
		fputs("gatehouse fw: --rules DIR is required\n", stderr);
		return CLI_EXIT_USAGE;
	}
	diag_list_init(&dl);
	r = fw_ruleset_load_dir(o->rules, ret, &dl);
	diag_list_print(stderr, &dl);
	diag_list_clear(&dl);
	return r < 0 ? CLI_EXIT_REFUSED : CLI_EXIT_OK;
}

static int compile(const struct fw_ruleset *rs, const char *host, int log_group,
		   struct fw_compiled **ret)
{
	struct fw_compile_opts co = { .log_group = log_group };
	struct diag_list dl;
	int r;

	diag_list_init(&dl);
	r = fw_compile_with(rs, host, &co, ret, &dl);
	diag_list_print(stderr, &dl);
	diag_list_clear(&dl);
	return r;
}

/* When @host is not in the inventory, list those that are: the likely fix is one of them. */
static void print_hosts_if_unknown(const struct fw_ruleset *rs, const char *host)
{
	const char *name;

	for (size_t i = 0; (name = fw_ruleset_host_name(rs, i)); i++)
		if (!strcmp(name, host))
			return;
	fputs("gatehouse fw: the hosts of the inventory are:", stderr);
	for (size_t i = 0; (name = fw_ruleset_host_name(rs, i)); i++)
		fprintf(stderr, " %s", name);
	fputs(fw_ruleset_host_name(rs, 0) ? "\n" : " (none)\n", stderr);
}

static int load_compile(const struct fw_opts *o, struct fw_compiled **ret)
{
	struct fw_ruleset *rs = NULL;
	double t0 = now_ms(), t1;
	int r;

	if (!o->host) {
		fputs("gatehouse fw: --host NAME is required\n", stderr);
		return CLI_EXIT_USAGE;
	}
	r = load(o, &rs);
	if (r != CLI_EXIT_OK)
		return r;
	r = compile(rs, o->host, o->log_group, ret) < 0 ? CLI_EXIT_REFUSED : CLI_EXIT_OK;
	if (r != CLI_EXIT_OK)
		print_hosts_if_unknown(rs, o->host);
	t1 = now_ms();
	if (r == CLI_EXIT_OK && o->stats) {
		struct fw_stats st;
		size_t g, n, h;

		fw_ruleset_stats(rs, &g, &n, &h);
		fw_compiled_stats(*ret, &st);
		fprintf(stderr,
			"stats: %zu groups, %zu rules, %zu hosts -> %zu sets, %zu elements, "
			"%zu chains, %zu nft rules; load+compile %.1f ms\n",
			g, n, h, st.sets, st.elements, st.chains, st.rules, t1 - t0);
	}
	fw_ruleset_free(rs);
	return r;
}

static int do_check(const struct fw_opts *o)
{
	struct fw_ruleset *rs = NULL;
	size_t g, n, h, bad = 0;
	bool found = false;
	const char *name;
	int r = load(o, &rs);

	if (r != CLI_EXIT_OK)
		return r;
	/* Compile every host (or the one asked for): the compiler's caps are checked too. */
	for (size_t i = 0; (name = fw_ruleset_host_name(rs, i)); i++) {
		struct fw_compiled *c = NULL;

		if (o->host && strcmp(o->host, name))
			continue;
		found = true;
		if (compile(rs, name, o->log_group, &c) < 0)
			bad++;
		fw_compiled_free(c);
	}
	if (o->host && !found) {
		fprintf(stderr, "gatehouse fw check: no host \"%s\" in the inventory\n", o->host);
		print_hosts_if_unknown(rs, o->host);
		bad++;
	}
	fw_ruleset_stats(rs, &g, &n, &h);
	fw_ruleset_free(rs);
	if (bad)
		return CLI_EXIT_REFUSED;
	printf("%s: OK (%zu security groups, %zu rules, %zu hosts)\n", o->rules, g, n, h);
	return CLI_EXIT_OK;
}

static int do_compile(const struct fw_opts *o)
{
	struct fw_compiled *c = NULL;
	int r = load_compile(o, &c);

	if (r != CLI_EXIT_OK)
		return r;
	r = fw_render(c, stdout) < 0 || fflush(stdout) ? CLI_EXIT_REFUSED : CLI_EXIT_OK;
	fw_compiled_free(c);
	return r;
}

static bool parse_ip(const char *s, int *fam, uint8_t *addr)
{
	if (inet_pton(AF_INET, s, addr) == 1) {
		*fam = 4;
		return true;
	}
	if (inet_pton(AF_INET6, s, addr) == 1) {
		*fam = 6;
		return true;
	}
	return false;
}

/* The local interface holding @addr, into @ifname. */
static bool iface_of(int fam, const uint8_t *addr, char *ifname, size_t size)
{
	struct ifaddrs *ifa, *i;
	bool found = false;

	if (getifaddrs(&ifa) < 0)
		return false;
	for (i = ifa; i && !found; i = i->ifa_next) {
		if (!i->ifa_addr)
			continue;
		if (fam == 4 && i->ifa_addr->sa_family == AF_INET)
			found = !memcmp(&((struct sockaddr_in *)(void *)i->ifa_addr)->sin_addr,
					addr, 4);
		else if (fam == 6 && i->ifa_addr->sa_family == AF_INET6)
			found = !memcmp(&((struct sockaddr_in6 *)(void *)i->ifa_addr)->sin6_addr,
					addr, 16);
		if (found)
			snprintf(ifname, size, "%s", i->ifa_name);
	}
	freeifaddrs(ifa);
	return found;
}

/*
 * Refuse a ruleset that would cut the SSH session running us: established
 * flows survive (conntrack), but the session could not reconnect, and
 * --kill-removed would cut it at once.  SSH_CONNECTION is
 * "client_ip client_port server_ip server_port".
 */
static bool ssh_would_cut(const struct fw_compiled *c, char *why, size_t size)
{
	const char *env = getenv("SSH_CONNECTION");
	char cip[64], sip[64], ifname[32];
	unsigned cport, sport;
	uint8_t ca[16], sa[16];
	int cf, sf;

	if (!env || sscanf(env, "%63s %u %63s %u", cip, &cport, sip, &sport) != 4 ||
	    sport > 65535 || !parse_ip(cip, &cf, ca) || !parse_ip(sip, &sf, sa) || cf != sf)
		return false;
	if (!iface_of(sf, sa, ifname, sizeof(ifname)))
		return false; /* not an address of this namespace: not our session */
	if (!strcmp(ifname, "lo"))
		return false; /* loopback is always allowed */
	if (fw_compiled_allows(c, true, ifname, cf, ca, IPPROTO_TCP, (uint16_t)sport))
		return false;
	snprintf(why, size,
		 "the new ruleset does not allow SSH from %s to port %u on %s: this session "
		 "could not reconnect",
		 cip, sport, ifname);
	return true;
}

/* Wait for the line "yes" on stdin until @seconds pass; anything else, or end of input, is no. */
static bool confirmed(long seconds)
{
	double deadline = now_ms() + (double)seconds * 1e3;
	char line[64];
	size_t off = 0;

	/* The result line (stdout) first, then the prompt and the outcome (stderr), even
	 * when stdout is a pipe or a log file. */
	fflush(stdout);
	fprintf(stderr,
		"applied; type \"yes\" within %ld seconds to keep it, or it is rolled back\n",
		seconds);
	for (;;) {
		double left = deadline - now_ms();
		struct pollfd p = { STDIN_FILENO, POLLIN, 0 };
		ssize_t n;

		if (left <= 0)
			return false;
		if (poll(&p, 1, (int)left) <= 0)
			continue;
		if (off >= sizeof(line) - 1)
			off = 0;
		n = read(STDIN_FILENO, line + off, 1);
		if (n <= 0)
			return false; /* end of input: nobody can confirm any more, roll back now */
		if (line[off] == '\n') {
			line[off] = '\0';
			if (!strcmp(line, "yes"))
				return true;
			off = 0;
			continue;
		}
		off++;
	}
}

/*
 * Edits made to our table outside gatehouse, found by apply and undone (or,
 * with --check, that it would undo), one indented fw diff line each.
 */
static void print_repairs(const struct fw_opts *o, const struct fw_apply_result *res)
{
	const char *p = res->repairs ? res->repairs : "";

	printf("%s: %s %zu difference%s made outside gatehouse (- found, + restored):\n", o->host,
	       o->check ? "would repair" : "repaired", res->repaired,
	       res->repaired == 1 ? "" : "s");
	while (*p) {
		const char *nl = strchr(p, '\n');
		int len = (int)(nl ? (size_t)(nl - p) : strlen(p));

		printf("  %.*s\n", len, p);
		p += len + (nl ? 1 : 0);
	}
}

/* The bridge @port is a member of, into @buf ("" when none). */
static const char *port_master(const char *port, char *buf, size_t size)
{
	char path[64], link[256];
	ssize_t n;
	const char *slash;

	buf[0] = '\0';
	snprintf(path, sizeof(path), "/sys/class/net/%s/brport", port);
	if (access(path, F_OK))
		return buf;
	snprintf(path, sizeof(path), "/sys/class/net/%s/master", port);
	n = readlink(path, link, sizeof(link) - 1);
	if (n <= 0)
		return buf;
	link[n] = '\0';
	slash = strrchr(link, '/');
	snprintf(buf, size, "%.16s", slash ? slash + 1 : link);
	return buf;
}

/*
 * A routed guest port is filtered in the forward hook by its name, a
 * bridged one (declared with "Bridge") by table bridge gatehouse and its
 * addresses.  A port bridged without the inventory saying so would look
 * protected and not be (br_netfilter names its frames after the bridge):
 * said loudly, as is a declared bridge the port is not a member of.  A
 * missing port is as for host interfaces.
 */
static void guest_port_warnings(const struct fw_compiled *c, const char *host)
{
	const char *port;

	for (size_t i = 0; (port = fw_compiled_guest_port(c, i)); i++) {
		const char *want = fw_compiled_guest_bridge(c, i);
		char master[IF_NAMESIZE + 1];

		if (!if_nametoindex(port)) {
			fprintf(stderr,
				"gatehouse fw apply: warning: guest port %s of host %s does not "
				"exist "
				"here; its rules apply once it appears\n",
				port, host);
			continue;
		}
		port_master(port, master, sizeof(master));
		if (!want && master[0])
			fprintf(stderr,
				"gatehouse fw apply: warning: guest port %s is a port of bridge "
				"%s, but the inventory does not say so: bridged traffic does not "
				"pass the forward hook by port name, so its security groups are "
				"NOT enforced (add \"Bridge\": \"%s\" to the guest interface)\n",
				port, master, master);
		else if (want && strcmp(want, master))
			fprintf(stderr,
				"gatehouse fw apply: warning: guest port %s is declared a port of "
				"bridge %s, but it is %s%s: the bridge table filters it once it "
				"is\n",
				port, want, master[0] ? "a port of " : "no bridge's port", master);
	}
}

/*
 * Test hook: GATEHOUSE_FW_FAULT=dup-element makes apply send one set element
 * twice, so that the kernel refuses the batch (tests of error mapping and
 * of "a failed apply leaves the old ruleset").  Read here, not in the
 * library, which takes it as FW_APPLY_FAULT_DUP_ELEMENT.
 */
static bool fault_hook_dup_element(void)
{
	const char *fault = getenv("GATEHOUSE_FW_FAULT");

	return fault && !strcmp(fault, "dup-element");
}

static int do_apply(const struct fw_opts *o)
{
	struct fw_compiled *c = NULL;
	struct fw_snapshot *snap = NULL;
	struct fw_apply_result res = { 0 };
	struct diag_list dl;
	unsigned flags = 0;
	char why[256];
	double t0;
	int k, r = load_compile(o, &c);

	if (r != CLI_EXIT_OK)
		return r;
	diag_list_init(&dl);
	if (!o->force && ssh_would_cut(c, why, sizeof(why))) {
		fprintf(stderr, "gatehouse fw apply: refused: %s (use --force to apply anyway)\n",
			why);
		r = CLI_EXIT_REFUSED;
		goto out;
	}
	/* Rules match interfaces by name, so a missing one is not an error, but
	 * usually a wrong inventory or the wrong namespace. */
	for (size_t i = 0; fw_compiled_iface(c, i); i++)
		if (!if_nametoindex(fw_compiled_iface(c, i)))
			fprintf(stderr,
				"gatehouse fw apply: warning: interface %s of host %s does not "
				"exist "
				"here; its rules apply once it appears\n",
				fw_compiled_iface(c, i), o->host);
	guest_port_warnings(c, o->host);
	if (o->confirm && !o->check && (k = fw_snapshot_take(&snap, &dl)) < 0) {
		if (!refused_privilege(k, "apply")) {
			diag_list_print(stderr, &dl);
			fputs("gatehouse fw apply: cannot save the current ruleset for --confirm\n",
			      stderr);
		}
		r = CLI_EXIT_REFUSED;
		goto out;
	}
	if (o->check)
		flags |= FW_APPLY_CHECK;
	if (o->full)
		flags |= FW_APPLY_FULL;
	if (fault_hook_dup_element())
		flags |= FW_APPLY_FAULT_DUP_ELEMENT;
	t0 = now_ms();
	if ((k = fw_apply(c, flags, &res, &dl)) < 0) {
		if (!refused_privilege(k, "apply")) {
			diag_list_print(stderr, &dl);
			/* -EOPNOTSUPP: refused before anything was sent (br_netfilter off). */
			fputs(k == -EOPNOTSUPP ? "gatehouse fw apply: not applied; the previous "
						 "ruleset is still "
						 "in force\n"
					       : "gatehouse fw apply: the kernel refused the "
						 "ruleset; the previous "
						 "one is still in force\n",
			      stderr);
		}
		r = CLI_EXIT_REFUSED;
		goto out;
	}
	diag_list_print(stderr, &dl);
	if (o->stats) {
		fprintf(stderr, "stats: apply %.1f ms, %zu messages, %zu bytes\n", now_ms() - t0,
			res.messages, res.bytes);
		if (res.fast)
			fprintf(stderr,
				"stats: generation %u unchanged since the last apply: table not "
				"read back\n",
				res.genid);
	}
	if (o->check)
		printf("check: the kernel accepts the ruleset of %s (nothing changed)\n", o->host);
	else if (res.unchanged)
		printf("%s: unchanged\n", o->host);
	else if (res.full)
		printf("%s: ruleset replaced\n", o->host);
	else
		printf("%s: membership updated (+%zu -%zu elements, no rule changed)\n", o->host,
		       res.elements_added, res.elements_removed);
	if (res.repaired)
		print_repairs(o, &res);
	if (o->confirm && !o->check && !confirmed(o->confirm)) {
		diag_list_clear(&dl);
		if ((k = fw_snapshot_restore(snap, &dl)) < 0) {
			refused_privilege(k, "apply");
			diag_list_print(stderr, &dl);
			fputs("gatehouse fw apply: ROLLBACK FAILED\n", stderr);
			r = CLI_EXIT_REFUSED;
			goto out;
		}
		fputs("not confirmed: previous ruleset restored\n", stderr);
		r = CLI_EXIT_ROLLED_BACK;
		goto out;
	}
	if (o->kill_removed && !o->check) {
		diag_list_clear(&dl);
		k = fw_conntrack_kill_removed(c, &dl);
		if (k < 0 && refused_privilege(k, "apply")) {
			r = CLI_EXIT_REFUSED;
			goto out;
		}
		diag_list_print(stderr, &dl);
		if (k < 0) {
			fprintf(stderr, "gatehouse fw apply: --kill-removed failed: %s\n",
				strerror(-k));
			r = CLI_EXIT_REFUSED;
			goto out;
		}
		printf("%d tracked connections no longer allowed were deleted\n", k);
	}
out:
	fw_apply_result_done(&res);
	diag_list_clear(&dl);
	fw_snapshot_free(snap);
	fw_compiled_free(c);
	return r;
}

static int do_diff(const struct fw_opts *o)
{
	struct fw_compiled *c = NULL;
	struct diag_list dl;
	int r = load_compile(o, &c), n;

	if (r != CLI_EXIT_OK)
		return r;
	diag_list_init(&dl);
	n = fw_diff(c, stdout, &dl);
	if (!refused_privilege(n, "diff"))
		diag_list_print(stderr, &dl);
	diag_list_clear(&dl);
	fw_compiled_free(c);
	if (n < 0)
		return CLI_EXIT_REFUSED;
	return n ? CLI_EXIT_DIFFERS : CLI_EXIT_OK;
}

static const char *dir_name(bool egress)
{
	return egress ? "egress" : "ingress";
}

/* fw stats --json: {"host", "rules": [...], "drops": [...]}. */
static int print_counts_json(const char *host, const struct fw_counts *k)
{
	json_auto_t *root = json_pack("{s:s, s:[], s:[]}", "host", host, "rules", "drops");
	json_t *rules = json_object_get(root, "rules"), *drops = json_object_get(root, "drops");
	int r = 0;

	if (!root)
		return -ENOMEM;
	for (size_t i = 0; i < k->nrules && r == 0; i++) {
		const struct fw_rule_count *c = &k->rules[i];

		r = json_array_append_new(rules,
					  json_pack("{s:s, s:s, s:I, s:s, s:I, s:I, s:b}",
						    "group_id", c->group_id, "direction",
						    dir_name(c->egress), "rule",
						    (json_int_t)c->rule, "interface", c->interface,
						    "packets", (json_int_t)c->packets, "bytes",
						    (json_int_t)c->bytes, "shared", c->shared));
	}
	for (size_t i = 0; i < k->ndrops && r == 0; i++) {
		const struct fw_drop_count *d = &k->drops[i];

		r = json_array_append_new(drops,
					  json_pack("{s:o, s:s, s:s, s:I, s:I}", "interface",
						    d->interface ? json_string(d->interface)
								 : json_null(),
						    "direction", dir_name(d->egress), "reason",
						    d->reason, "packets", (json_int_t)d->packets,
						    "bytes", (json_int_t)d->bytes));
	}
	if (r == 0)
		r = json_dumpf(root, stdout, JSON_COMPACT);
	putchar('\n');
	return r ? -ENOMEM : 0;
}

/* A Prometheus label value: backslash, quote and newline escaped. */
static void prom_label(const char *v)
{
	for (; *v; v++) {
		if (*v == '\\' || *v == '"')
			printf("\\%c", *v);
		else if (*v == '\n')
			fputs("\\n", stdout);
		else
			putchar(*v);
	}
}

/* fw stats --prometheus: node_exporter textfile collector format. */
static void print_counts_prometheus(const char *host, const struct fw_counts *k)
{
	static const char *const what[2] = { "packets", "bytes" };

	for (int m = 0; m < 2; m++) {
		printf("# HELP gatehouse_fw_rule_%s_total %s let through by a security-group rule "
		       "on an interface (shared: counted with other rules merged into one set)\n"
		       "# TYPE gatehouse_fw_rule_%s_total counter\n",
		       what[m], m ? "Bytes" : "Packets", what[m]);
		for (size_t i = 0; i < k->nrules; i++) {
			const struct fw_rule_count *c = &k->rules[i];

			printf("gatehouse_fw_rule_%s_total{host=\"", what[m]);
			prom_label(host);
			fputs("\",group_id=\"", stdout);
			prom_label(c->group_id);
			printf("\",direction=\"%s\",rule=\"%u\",interface=\"%s\",shared=\"%s\"} "
			       "%llu\n",
			       dir_name(c->egress), c->rule, c->interface,
			       c->shared ? "true" : "false",
			       (unsigned long long)(m ? c->bytes : c->packets));
		}
	}
	for (int m = 0; m < 2; m++) {
		printf("# HELP gatehouse_fw_drop_%s_total %s dropped per interface (interface "
		       "\"*\": "
		       "interfaces not in the inventory)\n"
		       "# TYPE gatehouse_fw_drop_%s_total counter\n",
		       what[m], m ? "Bytes" : "Packets", what[m]);
		for (size_t i = 0; i < k->ndrops; i++) {
			const struct fw_drop_count *d = &k->drops[i];

			printf("gatehouse_fw_drop_%s_total{host=\"", what[m]);
			prom_label(host);
			printf("\",interface=\"%s\",direction=\"%s\",reason=\"%s\"} %llu\n",
			       d->interface ? d->interface : "*", dir_name(d->egress), d->reason,
			       (unsigned long long)(m ? d->bytes : d->packets));
		}
	}
}

static void print_counts_text(const char *host, const struct fw_counts *k)
{
	printf("%s: security-group rules (* = shared with other rules of one set)\n", host);
	printf("  %-15s %-8s %-24s %6s %12s %14s\n", "interface", "dir", "group", "rule", "packets",
	       "bytes");
	for (size_t i = 0; i < k->nrules; i++) {
		const struct fw_rule_count *c = &k->rules[i];

		printf("  %-15s %-8s %-24s %5u%s %12llu %14llu\n", c->interface,
		       dir_name(c->egress), c->group_id, c->rule, c->shared ? "*" : " ",
		       (unsigned long long)c->packets, (unsigned long long)c->bytes);
	}
	printf("%s: drops\n", host);
	for (size_t i = 0; i < k->ndrops; i++) {
		const struct fw_drop_count *d = &k->drops[i];

		printf("  %-15s %-8s %-31s %12llu %14llu\n", d->interface ? d->interface : "*",
		       dir_name(d->egress), d->reason, (unsigned long long)d->packets,
		       (unsigned long long)d->bytes);
	}
}

static int do_stats(const struct fw_opts *o)
{
	struct fw_compiled *c = NULL;
	struct fw_counts k = { 0 };
	struct diag_list dl;
	int r;

	if (o->json && o->prometheus) {
		fputs("gatehouse fw stats: --json or --prometheus, not both\n", stderr);
		return CLI_EXIT_USAGE;
	}
	r = load_compile(o, &c);
	if (r != CLI_EXIT_OK)
		return r;
	diag_list_init(&dl);
	if (fw_counts_read(c, &k, &dl) < 0) {
		diag_list_print(stderr, &dl);
		r = CLI_EXIT_REFUSED;
	} else if (o->json) {
		r = print_counts_json(o->host, &k) < 0 ? CLI_EXIT_REFUSED : CLI_EXIT_OK;
	} else if (o->prometheus) {
		print_counts_prometheus(o->host, &k);
	} else {
		print_counts_text(o->host, &k);
	}
	if (r == CLI_EXIT_OK && fflush(stdout))
		r = CLI_EXIT_REFUSED;
	fw_counts_done(&k);
	diag_list_clear(&dl);
	fw_compiled_free(c);
	return r;
}

static int do_flows(const struct fw_opts *o)
{
	struct diag_list dl;
	int r;

	if (o->log_group < 0) {
		fputs("gatehouse fw flows: --group GROUP is required (the --log-drops group)\n",
		      stderr);
		return CLI_EXIT_USAGE;
	}
	diag_list_init(&dl);
	r = fw_flows(o->log_group, o->count, stdout, &dl);
	diag_list_print(stderr, &dl);
	diag_list_clear(&dl);
	return r < 0 ? CLI_EXIT_REFUSED : CLI_EXIT_OK;
}

static int do_show(const struct fw_opts *o)
{
	struct diag_list dl;
	int r;

	diag_list_init(&dl);
	r = fw_show(stdout, &dl);
	if (!refused_privilege(r, "show"))
		diag_list_print(stderr, &dl);
	diag_list_clear(&dl);
	if (r == -ENOENT) {
		fputs("no gatehouse table in this network namespace\n", stderr);
		return CLI_EXIT_REFUSED;
	}
	return r < 0 ? CLI_EXIT_REFUSED : CLI_EXIT_OK;
}

int cmd_fw(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*run)(const struct fw_opts *o);
	} subs[] = {
		{ "check", do_check }, { "compile", do_compile }, { "apply", do_apply },
		{ "diff", do_diff },   { "show", do_show },	  { "stats", do_stats },
		{ "flows", do_flows },
	};
	struct fw_opts o = { .log_group = -1 };

	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? CLI_EXIT_USAGE : CLI_EXIT_OK;
	}
	for (size_t i = 0; i < CLI_ARRAY_SIZE(subs); i++) {
		if (strcmp(argv[1], subs[i].name))
			continue;
		if (parse_opts(argc - 1, argv + 1, &o) < 0)
			return CLI_EXIT_USAGE;
		return subs[i].run(&o);
	}
	{
		const char *names[CLI_ARRAY_SIZE(subs)], *near;

		for (size_t i = 0; i < CLI_ARRAY_SIZE(subs); i++)
			names[i] = subs[i].name;
		near = diag_suggest(argv[1], names, CLI_ARRAY_SIZE(subs));
		fprintf(stderr,
			"gatehouse fw: unknown subcommand '%s'%s%s%s (try 'gatehouse fw --help')\n",
			argv[1], near ? ": did you mean '" : "", near ? near : "",
			near ? "'?" : "");
	}
	return CLI_EXIT_USAGE;
}
