/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The netlink batch of an apply as text, for golden tests without a kernel
 * (as nftables' tests/py *.payload files): each message of the batch that
 * fw_emit_table() builds is parsed back with libnftnl and printed with its
 * own snprintf functions, one line per object, element and expression, plus
 * the userdata that libnftnl does not print (comments, our hash).  A change
 * of the bytecode we send shows up as a changed line in a plain test run;
 * the namespace test, which needs root, is no longer the only check.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <libmnl/libmnl.h>
#include <libnftnl/batch.h>
#include <libnftnl/chain.h>
#include <libnftnl/common.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>
#include <libnftnl/udata.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

#include "common/str.h"
#include "fw/emit.h"
#include "fw/nftnl_cleanup.h"

/* One object's text: a 50,000-element set prints one element at a time. */
#define FW_PAYLOAD_LINE 8192

static const char *msg_name(uint16_t type)
{
	switch (type) {
	case NFNL_MSG_BATCH_BEGIN: return "batch begin";
	case NFNL_MSG_BATCH_END: return "batch end";
	}
	switch (NFNL_MSG_TYPE(type)) {
	case NFT_MSG_NEWTABLE: return "newtable";
	case NFT_MSG_DELTABLE: return "deltable";
	case NFT_MSG_NEWCHAIN: return "newchain";
	case NFT_MSG_NEWSET: return "newset";
	case NFT_MSG_NEWSETELEM: return "newsetelem";
	case NFT_MSG_DELSETELEM: return "delsetelem";
	case NFT_MSG_NEWRULE: return "newrule";
	}
	return "unknown";
}

/* Userdata as "type:text" for strings (comments), "type:hex" otherwise. */
static void put_udata(FILE *f, const char *indent, const void *ud, uint32_t len)
{
	const struct nftnl_udata *attr;

	if (!ud)
		return;
	nftnl_udata_for_each_data(ud, len, attr) {
		const unsigned char *v = nftnl_udata_get(attr);
		uint8_t n = nftnl_udata_len(attr);
		bool text = n > 0 && v[n - 1] == '\0';

		for (uint8_t i = 0; text && i + 1 < n; i++)
			text = v[i] >= 0x20 && v[i] < 0x7f;
		fprintf(f, "%suserdata %u: ", indent, nftnl_udata_type(attr));
		if (text) {
			fprintf(f, "\"%s\"\n", (const char *)v);
		} else {
			for (uint8_t i = 0; i < n; i++)
				fprintf(f, "%02x", v[i]);
			fputc('\n', f);
		}
	}
}

static void put_text(FILE *f, const char *indent, const char *text)
{
	/* libnftnl ends some objects with a newline, rules have one per expression. */
	while (*text) {
		const char *nl = strchr(text, '\n');
		int n = (int)(nl ? (size_t)(nl - text) : strlen(text));

		const char *t = text;

		while (t < text + n && *t == ' ')
			t++;
		/* libnftnl's own userdata line is raw bytes; ours follows, decoded. */
		if (n && !gh_starts_with(t, "userdata = {"))
			fprintf(f, "%s%.*s\n", indent, n, text);
		text += n + (nl ? 1 : 0);
	}
}

/* NFTA_DATA_VALUE bytes of a nested data attribute, as hex in 32-bit words. */
static void put_data(FILE *f, const char *what, const struct nlattr *nest)
{
	const struct nlattr *a;

	mnl_attr_for_each_nested(a, nest) {
		const uint8_t *v = mnl_attr_get_payload(a);
		uint16_t n = mnl_attr_get_payload_len(a);

		if (mnl_attr_get_type(a) == NFTA_DATA_VALUE) {
			fprintf(f, " %s ", what);
			for (uint16_t i = 0; i < n; i++)
				fprintf(f, "%s%02x", i && i % 4 == 0 ? " " : "", v[i]);
		} else if (mnl_attr_get_type(a) == NFTA_DATA_VERDICT) {
			const struct nlattr *va;

			mnl_attr_for_each_nested(va, a) {
				if (mnl_attr_get_type(va) == NFTA_VERDICT_CODE &&
				    mnl_attr_get_payload_len(va) == 4)
					fprintf(f, " verdict %d", (int)ntohl(mnl_attr_get_u32(va)));
				else if (mnl_attr_get_type(va) == NFTA_VERDICT_CHAIN)
					fprintf(f, " chain %.*s",
						(int)strnlen(mnl_attr_get_str(va),
							     mnl_attr_get_payload_len(va)),
						mnl_attr_get_str(va));
			}
		}
	}
}

/*
 * Element messages decoded attribute by attribute: libnftnl's element
 * parser refuses some messages its own builder makes (the interval end
 * elements of our sets), and its text varies between versions.
 */
static int dump_elems(FILE *f, const struct nlmsghdr *nlh)
{
	const struct nlattr *attr;

	mnl_attr_for_each(attr, nlh, sizeof(struct nfgenmsg)) {
		const struct nlattr *el;

		switch (mnl_attr_get_type(attr)) {
		case NFTA_SET_ELEM_LIST_TABLE:
		case NFTA_SET_ELEM_LIST_SET:
			fprintf(f, "  %s %.*s\n",
				mnl_attr_get_type(attr) == NFTA_SET_ELEM_LIST_SET ? "set" : "table",
				(int)strnlen(mnl_attr_get_str(attr),
					     mnl_attr_get_payload_len(attr)),
				mnl_attr_get_str(attr));
			break;
		case NFTA_SET_ELEM_LIST_SET_ID:
			fprintf(f, "  set id %u\n", ntohl(mnl_attr_get_u32(attr)));
			break;
		case NFTA_SET_ELEM_LIST_ELEMENTS:
			mnl_attr_for_each_nested(el, attr) {
				const struct nlattr *ea;

				fputs("  element", f);
				mnl_attr_for_each_nested(ea, el) {
					switch (mnl_attr_get_type(ea)) {
					case NFTA_SET_ELEM_KEY: put_data(f, "key", ea); break;
					case NFTA_SET_ELEM_KEY_END:
						put_data(f, "key_end", ea);
						break;
					case NFTA_SET_ELEM_DATA: put_data(f, "data", ea); break;
					case NFTA_SET_ELEM_FLAGS:
						fprintf(f, " flags 0x%x",
							ntohl(mnl_attr_get_u32(ea)));
						break;
					case NFTA_SET_ELEM_USERDATA: break;
					default:
						fprintf(f, " attr %u", mnl_attr_get_type(ea));
						break;
					}
				}
				fputc('\n', f);
				mnl_attr_for_each_nested(ea, el)
					if (mnl_attr_get_type(ea) == NFTA_SET_ELEM_USERDATA)
						put_udata(f, "    ", mnl_attr_get_payload(ea),
							  mnl_attr_get_payload_len(ea));
			}
			break;
		default: fprintf(f, "  attr %u\n", mnl_attr_get_type(attr)); break;
		}
	}
	return 0;
}

static int dump_table(FILE *f, const struct nlmsghdr *nlh, char *buf)
{
	_cleanup_(nftnl_table_freep) struct nftnl_table *t = nftnl_table_alloc();
	uint32_t len = 0;
	const void *ud;

	if (!t || nftnl_table_nlmsg_parse(nlh, t) < 0)
		return -EINVAL;
	nftnl_table_snprintf(buf, FW_PAYLOAD_LINE, t, NFTNL_OUTPUT_DEFAULT, 0);
	put_text(f, "  ", buf);
	ud = nftnl_table_get_data(t, NFTNL_TABLE_USERDATA, &len);
	put_udata(f, "  ", ud, len);
	return 0;
}

static int dump_chain(FILE *f, const struct nlmsghdr *nlh, char *buf)
{
	_cleanup_(nftnl_chain_freep) struct nftnl_chain *c = nftnl_chain_alloc();
	uint32_t len = 0;
	const void *ud;

	if (!c || nftnl_chain_nlmsg_parse(nlh, c) < 0)
		return -EINVAL;
	nftnl_chain_snprintf(buf, FW_PAYLOAD_LINE, c, NFTNL_OUTPUT_DEFAULT, 0);
	put_text(f, "  ", buf);
	ud = nftnl_chain_get_data(c, NFTNL_CHAIN_USERDATA, &len);
	put_udata(f, "  ", ud, len);
	return 0;
}

/* A set, with the attributes libnftnl's text leaves out (key type, ids, concat). */
static int dump_set(FILE *f, const struct nlmsghdr *nlh, char *buf)
{
	_cleanup_(nftnl_set_freep) struct nftnl_set *s = nftnl_set_alloc();
	uint32_t len = 0;
	const void *ud, *desc;

	if (!s || nftnl_set_nlmsg_parse(nlh, s) < 0)
		return -EINVAL;
	nftnl_set_snprintf(buf, FW_PAYLOAD_LINE, s, NFTNL_OUTPUT_DEFAULT, 0);
	put_text(f, "  ", buf);
	fprintf(f, "  key_type 0x%x key_len %u flags 0x%x id %u",
		nftnl_set_get_u32(s, NFTNL_SET_KEY_TYPE), nftnl_set_get_u32(s, NFTNL_SET_KEY_LEN),
		nftnl_set_get_u32(s, NFTNL_SET_FLAGS), nftnl_set_get_u32(s, NFTNL_SET_ID));
	if (nftnl_set_is_set(s, NFTNL_SET_DATA_TYPE))
		fprintf(f, " data_type 0x%x", nftnl_set_get_u32(s, NFTNL_SET_DATA_TYPE));
	desc = nftnl_set_get_data(s, NFTNL_SET_DESC_CONCAT, &len);
	if (desc && nftnl_set_is_set(s, NFTNL_SET_DESC_CONCAT)) {
		fputs(" concat", f);
		for (uint32_t i = 0; i < len; i++)
			fprintf(f, " %u", ((const uint8_t *)desc)[i]);
	}
	fputc('\n', f);
	ud = nftnl_set_get_data(s, NFTNL_SET_USERDATA, &len);
	put_udata(f, "  ", ud, len);
	return 0;
}

static int dump_rule(FILE *f, const struct nlmsghdr *nlh, char *buf)
{
	_cleanup_(nftnl_rule_freep) struct nftnl_rule *ru = nftnl_rule_alloc();
	uint32_t len = 0;
	const void *ud;

	if (!ru || nftnl_rule_nlmsg_parse(nlh, ru) < 0)
		return -EINVAL;
	nftnl_rule_snprintf(buf, FW_PAYLOAD_LINE, ru, NFTNL_OUTPUT_DEFAULT, 0);
	put_text(f, "  ", buf);
	ud = nftnl_rule_get_data(ru, NFTNL_RULE_USERDATA, &len);
	put_udata(f, "  ", ud, len);
	return 0;
}

static int dump_msg(FILE *f, const struct nlmsghdr *nlh, char *buf)
{
	fprintf(f, "%s flags 0x%x\n", msg_name(nlh->nlmsg_type), nlh->nlmsg_flags);
	if (nlh->nlmsg_type == NFNL_MSG_BATCH_BEGIN || nlh->nlmsg_type == NFNL_MSG_BATCH_END)
		return 0;
	switch (NFNL_MSG_TYPE(nlh->nlmsg_type)) {
	case NFT_MSG_NEWTABLE:
	case NFT_MSG_DELTABLE: return dump_table(f, nlh, buf);
	case NFT_MSG_NEWCHAIN: return dump_chain(f, nlh, buf);
	case NFT_MSG_NEWSET: return dump_set(f, nlh, buf);
	case NFT_MSG_NEWSETELEM:
	case NFT_MSG_DELSETELEM: return dump_elems(f, nlh);
	case NFT_MSG_NEWRULE: return dump_rule(f, nlh, buf);
	default: return -EINVAL;
	}
}

int fw_payload_dump(const struct fw_compiled *c, FILE *f)
{
	_cleanup_(fw_tx_done) struct fw_tx tx = { 0 };
	_cleanup_free_ struct iovec *iov = NULL;
	_cleanup_free_ char *buf = malloc(FW_PAYLOAD_LINE);
	int r, n;

	if (!buf)
		return -ENOMEM;
	r = fw_tx_init(&tx, 1);
	if (r >= 0)
		r = fw_tx_begin(&tx);
	if (r >= 0)
		r = fw_emit_table(&tx, c, NULL);
	if (r >= 0)
		r = fw_tx_end(&tx);
	if (r < 0)
		return r;
	n = nftnl_batch_iovec_len(tx.b);
	iov = calloc(n > 0 ? (size_t)n : 1, sizeof(*iov));
	if (!iov)
		return -ENOMEM;
	nftnl_batch_iovec(tx.b, iov, (uint32_t)n);
	for (int i = 0; i < n && r >= 0; i++) {
		const struct nlmsghdr *nlh = iov[i].iov_base;
		int left = (int)iov[i].iov_len;

		while (r >= 0 && mnl_nlmsg_ok(nlh, left)) {
			r = dump_msg(f, nlh, buf);
			nlh = mnl_nlmsg_next(nlh, &left);
		}
	}
	if (r >= 0 && ferror(f))
		r = -EIO;
	return r;
}
