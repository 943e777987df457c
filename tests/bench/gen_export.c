/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The organisation generator (gen_export.h).  Everything is decided by one
 * splitmix64 stream in a fixed order while the file is written (users,
 * groups, roles, then the policies with the attachment counts gathered on
 * the way), so the same seed gives the same bytes.
 */
#include "bench_util.h"
#include "gen_export.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "common/arena.h"
#include "common/macro.h"
#include "common/str.h"

const struct gen_org_shape gen_org_full = { "full", 1000, 100, 200, 2000, 10 };
const struct gen_org_shape gen_org_tiny = { "tiny", 24, 8, 6, 40, 4 };

/* gen.c's request principals and teams (its users[] and teams[]). */
const char *const gen_org_core_users[] = { "alice", "bob", "carol", "dave", "erin", "frank" };
const char *const gen_org_core_teams[] = { "blue", "red", "green", "platform", "blue", "red" };
const size_t gen_org_ncore_users = ARRAY_SIZE(gen_org_core_users);
const char *const gen_org_core_groups[GEN_ORG_CORE_GROUPS] = { "Developers", "OnCall",
							       "DataReaders" };

/* AWS-managed policies some entities attach (documents as AWS publishes them). */
static const struct {
	const char *name, *id, *doc;
} aws_managed[] = {
	{ "AdministratorAccess", "ANPAIWMBCKSKIEE64ZLYK",
	  "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", "
	  "\"Action\": \"*\", \"Resource\": \"*\"}]}" },
	{ "AmazonS3ReadOnlyAccess", "ANPAIZTJ4DXE7G6AGAE6M",
	  "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Action\": "
	  "[\"s3:Get*\", \"s3:List*\", \"s3:Describe*\", \"s3-object-lambda:Get*\", "
	  "\"s3-object-lambda:List*\"], \"Resource\": \"*\"}]}" },
	{ "IAMUserChangePassword", "ANPAJ4L4MM2A7QIEB56MS",
	  "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Action\": "
	  "[\"iam:ChangePassword\"], \"Resource\": [\"arn:aws:iam::*:user/${aws:username}\"]}, "
	  "{\"Effect\": \"Allow\", \"Action\": [\"iam:GetAccountPasswordPolicy\"], "
	  "\"Resource\": \"*\"}]}" },
};
#define NAWS ARRAY_SIZE(aws_managed)

static const char *const depts[] = { "finance",	 "platform", "data", "web",	 "mobile",
				     "security", "sre",	     "ml",   "payments", "support" };
static const char *const functions[] = { "developers", "admins",   "analysts", "readers",
					 "operators",  "auditors", "leads",    "contractors" };
static const char *const services[] = { "s3",	"ec2", "dynamodb", "sqs", "lambda",  "kms",
					"logs", "ssm", "ecr",	   "rds", "kinesis", "sns" };
static const char *const purposes[] = { "readonly", "readwrite", "deploy", "admin",
					"ci",	    "etl",	 "access", "ops" };
static const char *const surnames[] = { "smith",  "jones",   "garcia", "miller",   "davis",
					"martin", "lopez",   "wilson", "anderson", "thomas",
					"moore",  "jackson", "white",  "harris",   "clark",
					"lewis",  "walker",  "young",  "king",	   "wright" };
static const char *const user_paths[] = {
	"/", "/", "/", "/engineering/", "/contractors/", "/ops/"
};
static const char *const teams[] = { "blue", "red", "green", "platform" };
static const char *const trust_services[] = { "ec2.amazonaws.com",	 "lambda.amazonaws.com",
					      "ecs-tasks.amazonaws.com", "states.amazonaws.com",
					      "codebuild.amazonaws.com", "events.amazonaws.com" };
static const char *const regions[] = { "us-east-1", "us-west-2", "eu-west-1", "eu-central-1" };

/* ---- a streaming JSON writer, laid out as the AWS CLI (Python json, indent 4) ---- */

#define JW_DEPTH 32

struct jw {
	FILE *f;
	unsigned depth;
	bool has[JW_DEPTH];
	bool urlencode;
};

static void newline_indent(FILE *f, unsigned depth, unsigned step)
{
	fputc('\n', f);
	for (unsigned i = 0; i < depth * step; i++)
		fputc(' ', f);
}

static void put_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

/* The separator, new line and key of the next member (@key NULL in an array). */
static void jw_key(struct jw *w, const char *key)
{
	if (!w->depth)
		return;
	if (w->has[w->depth])
		fputc(',', w->f);
	w->has[w->depth] = true;
	newline_indent(w->f, w->depth, 4);
	if (key) {
		put_string(w->f, key);
		fputs(": ", w->f);
	}
}

static void jw_open(struct jw *w, const char *key, char c)
{
	jw_key(w, key);
	fputc(c, w->f);
	if (w->depth + 1 < JW_DEPTH)
		w->depth++;
	w->has[w->depth] = false;
}

static void jw_close(struct jw *w, char c)
{
	bool had = w->has[w->depth];

	w->depth--;
	if (had)
		newline_indent(w->f, w->depth, 4);
	fputc(c, w->f);
}

static void jw_str(struct jw *w, const char *key, const char *val)
{
	jw_key(w, key);
	put_string(w->f, val);
}

static void jw_uint(struct jw *w, const char *key, unsigned long v)
{
	jw_key(w, key);
	fprintf(w->f, "%lu", v);
}

static void jw_bool(struct jw *w, const char *key, bool v)
{
	jw_key(w, key);
	fputs(v ? "true" : "false", w->f);
}

/*
 * Re-lay compact JSON text @s (gen.c's documents) as json.dumps(indent=@step)
 * would, at @depth.
 */
static void reindent(FILE *f, const char *s, unsigned depth, unsigned step)
{
	unsigned d = depth;

	for (; *s; s++) {
		char c = *s;

		switch (c) {
		case '"':
			fputc(c, f);
			for (s++; *s && *s != '"'; s++) {
				if (*s == '\\' && s[1])
					fputc(*s++, f);
				fputc(*s, f);
			}
			fputc('"', f);
			if (!*s)
				return;
			break;
		case ' ':
		case '\n':
		case '\t':
		case '\r': break;
		case '{':
		case '[': {
			const char *n = s + 1;

			while (*n == ' ' || *n == '\n' || *n == '\t' || *n == '\r')
				n++;
			fputc(c, f);
			if (*n == (c == '{' ? '}' : ']')) {
				fputc(*n, f);
				s = n;
			} else {
				newline_indent(f, ++d, step);
			}
			break;
		}
		case '}':
		case ']':
			newline_indent(f, d ? --d : 0, step);
			fputc(c, f);
			break;
		case ',':
			fputc(',', f);
			newline_indent(f, d, step);
			break;
		case ':': fputs(": ", f); break;
		default: fputc(c, f); break;
		}
	}
}

/* RFC 3986: everything but the unreserved characters as %XX. */
static void put_urlencoded(FILE *f, const char *s, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '.' || c == '_' || c == '~') {
			fputc(c, f);
		} else {
			fputc('%', f);
			fputc(hex[c >> 4], f);
			fputc(hex[c & 15], f);
		}
	}
}

/*
 * A policy document member: laid out in place (the CLI's form), or the
 * text as a person would have submitted it (indent 2), URL-encoded (the
 * raw API's form).
 */
static int jw_doc(struct jw *w, const char *key, const char *doc)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m;

	jw_key(w, key);
	if (!w->urlencode) {
		reindent(w->f, doc, w->depth, 4);
		return 0;
	}
	m = open_memstream(&buf, &len);
	if (!m)
		return -ENOMEM;
	reindent(m, doc, 0, 2);
	if (fclose(m) != 0) {
		free(buf);
		return -ENOMEM;
	}
	fputc('"', w->f);
	put_urlencoded(w->f, buf, len);
	fputc('"', w->f);
	free(buf);
	return 0;
}

/* ---- names, ids, dates ----------------------------------------------------------- */

/* "AIDA" + 17 of AWS's id alphabet. */
static void make_id(struct rng *r, const char *prefix, char buf[32])
{
	static const char alpha[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
	size_t n = strlen(prefix);

	memcpy(buf, prefix, n);
	for (size_t i = 0; i < 17; i++)
		buf[n + i] = alpha[rng_below(r, 32)];
	buf[n + 17] = '\0';
}

/* A date between 2016 and mid-2026, as the CLI prints it. */
#define DATE_MAX 64

static void make_date(struct rng *r, char buf[DATE_MAX])
{
	/* days since 1970-01-01: 2016-01-01 is 16801, 2026-06-30 is 20634 */
	int64_t days = 16801 + rng_below(r, 20634 - 16801), secs = rng_below(r, 86400);
	/* civil_from_days (H. Hinnant) */
	int64_t z = days + 719468, era = z / 146097, doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t y = yoe + era * 400, doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153, d = doy - (153 * mp + 2) / 5 + 1;
	int64_t m = mp < 10 ? mp + 3 : mp - 9;

	y += m <= 2;
	snprintf(buf, DATE_MAX, "%04d-%02d-%02dT%02d:%02d:%02d+00:00", (int)y, (int)m, (int)d,
		 (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60));
}

static unsigned count_statements(const char *doc)
{
	unsigned n = 0;

	for (const char *p = doc; (p = strstr(p, "\"Effect\"")); p++)
		n++;
	return n;
}

/* ---- the organisation ------------------------------------------------------------ */

/*
 * Policy indexes: [0, 10) the core set, [10, 10 + GEN_ORG_BOUNDARIES) the
 * boundaries, then generated ones up to shape->policies; AWS-managed ones
 * follow as shape->policies + k.
 */
struct org {
	const struct gen_org_shape *shape;
	struct rng rng;
	struct arena arena;
	struct jw w;
	const struct gen_set *core;
	struct gen_set body, old, inl;
	char **pol_name, **pol_path, **pol_arn, **pol_doc;
	char **group_name;
	unsigned *attached, *bounding;
	unsigned inl_next, old_next;
	struct gen_org_info *info;
};

#define FIRST_RANDOM (GEN_ORG_CORE_POLICIES + GEN_ORG_BOUNDARIES)

static char *org_strf(struct org *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static char *org_strf(struct org *o, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(buf))
		return NULL;
	return gh_arena_strndup(&o->arena, buf, (size_t)n);
}

/* A permission boundary: the services a team may use, never IAM or Organizations. */
static char *boundary_doc(struct org *o, unsigned b)
{
	char buf[2048];
	size_t off = 0;
	int n;

	n = snprintf(buf, sizeof(buf),
		     "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Sid\": \"ServicesAllowed\", "
		     "\"Effect\": \"Allow\", \"Action\": [");
	off += (size_t)n;
	for (unsigned i = 0; i < 6; i++) {
		n = snprintf(buf + off, sizeof(buf) - off, "%s\"%s:*\"", i ? ", " : "",
			     services[(b * 3 + i) % ARRAY_SIZE(services)]);
		off += (size_t)n;
	}
	n = snprintf(buf + off, sizeof(buf) - off,
		     "], \"Resource\": \"*\"}, "
		     "{\"Sid\": \"OwnCredentials\", \"Effect\": \"Allow\", \"Action\": "
		     "[\"iam:ChangePassword\", \"iam:*AccessKey*\", \"iam:GetUser\"], "
		     "\"Resource\": \"arn:aws:iam::%s:user/*${aws:username}\"}, "
		     "{\"Sid\": \"NoIdentityAdmin\", \"Effect\": \"Deny\", \"Action\": "
		     "[\"iam:Create*\", \"iam:Delete*\", \"iam:Put*\", \"iam:Attach*\", "
		     "\"organizations:*\", \"account:*\"], \"Resource\": \"*\"}, "
		     "{\"Sid\": \"Regions\", \"Effect\": \"Deny\", \"NotAction\": [\"iam:*\", "
		     "\"sts:*\", \"s3:ListAllMyBuckets\"], \"Resource\": \"*\", \"Condition\": "
		     "{\"StringNotEquals\": {\"aws:RequestedRegion\": [\"%s\", \"%s\"]}}}]}",
		     GEN_ACCOUNT, regions[b % ARRAY_SIZE(regions)],
		     regions[(b + 1) % ARRAY_SIZE(regions)]);
	if (n < 0 || (size_t)n >= sizeof(buf) - off)
		return NULL;
	return gh_arena_strdup(&o->arena, buf);
}

static int org_names(struct org *o)
{
	const struct gen_org_shape *sh = o->shape;
	unsigned np = sh->policies + NAWS;

	o->pol_name = gh_arena_array(&o->arena, np, sizeof(char *));
	o->pol_path = gh_arena_array(&o->arena, np, sizeof(char *));
	o->pol_arn = gh_arena_array(&o->arena, np, sizeof(char *));
	o->pol_doc = gh_arena_array(&o->arena, np, sizeof(char *));
	o->attached = gh_arena_array(&o->arena, np, sizeof(unsigned));
	o->bounding = gh_arena_array(&o->arena, np, sizeof(unsigned));
	o->group_name = gh_arena_array(&o->arena, sh->groups, sizeof(char *));
	if (!o->pol_name || !o->pol_path || !o->pol_arn || !o->pol_doc || !o->attached ||
	    !o->bounding || !o->group_name)
		return -ENOMEM;
	for (unsigned i = 0; i < np; i++) {
		const char *path = "/";

		if (i < GEN_ORG_CORE_POLICIES) {
			o->pol_name[i] = org_strf(o, "eng-baseline-%02u", i);
			o->pol_doc[i] = o->core->docs[i];
		} else if (i < FIRST_RANDOM) {
			o->pol_name[i] =
			    org_strf(o, "boundary-%s", depts[i - GEN_ORG_CORE_POLICIES]);
			path = "/boundaries/";
			o->pol_doc[i] = boundary_doc(o, i - GEN_ORG_CORE_POLICIES);
		} else if (i < sh->policies) {
			o->pol_name[i] = org_strf(o, "%s-%s-%s-%04u", depts[i % ARRAY_SIZE(depts)],
						  services[(i / 7) % ARRAY_SIZE(services)],
						  purposes[(i / 3) % ARRAY_SIZE(purposes)], i);
			if (i % 5 == 0)
				path = depts[i % ARRAY_SIZE(depts)];
			o->pol_doc[i] = o->body.docs[i - FIRST_RANDOM];
		} else {
			o->pol_name[i] = (char *)aws_managed[i - sh->policies].name;
			o->pol_doc[i] = (char *)aws_managed[i - sh->policies].doc;
		}
		if (!o->pol_name[i] || !o->pol_doc[i])
			return -ENOMEM;
		if (i >= sh->policies)
			o->pol_arn[i] = org_strf(o, "arn:aws:iam::aws:policy/%s", o->pol_name[i]);
		else if (path[0] == '/')
			o->pol_arn[i] = org_strf(o, "arn:aws:iam::%s:policy%s%s", GEN_ACCOUNT, path,
						 o->pol_name[i]);
		else
			o->pol_arn[i] = org_strf(o, "arn:aws:iam::%s:policy/teams/%s/%s",
						 GEN_ACCOUNT, path, o->pol_name[i]);
		o->pol_path[i] = path[0] == '/' ? (char *)path : org_strf(o, "/teams/%s/", path);
		if (!o->pol_arn[i] || !o->pol_path[i])
			return -ENOMEM;
	}
	for (unsigned i = 0; i < sh->groups; i++) {
		if (i < GEN_ORG_CORE_GROUPS)
			o->group_name[i] = (char *)gen_org_core_groups[i];
		else
			o->group_name[i] = org_strf(o, "%s-%s-%02u", depts[i % ARRAY_SIZE(depts)],
						    functions[(i / 3) % ARRAY_SIZE(functions)], i);
		if (!o->group_name[i])
			return -ENOMEM;
	}
	return 0;
}

/* Up to @n distinct values of [lo, hi) into @out; returns how many. */
static unsigned pick_distinct(struct rng *r, unsigned *out, unsigned n, unsigned lo, unsigned hi)
{
	unsigned k = 0;

	for (unsigned tries = 0; k < n && tries < 8 * n + 8; tries++) {
		unsigned v = lo + rng_below(r, hi - lo);
		bool dup = false;

		for (unsigned j = 0; j < k; j++)
			dup |= out[j] == v;
		if (!dup)
			out[k++] = v;
	}
	return k;
}

static void attached_list(struct org *o, const unsigned *pols, unsigned n)
{
	jw_open(&o->w, "AttachedManagedPolicies", '[');
	for (unsigned i = 0; i < n; i++) {
		jw_open(&o->w, NULL, '{');
		jw_str(&o->w, "PolicyName", o->pol_name[pols[i]]);
		jw_str(&o->w, "PolicyArn", o->pol_arn[pols[i]]);
		jw_close(&o->w, '}');
		o->attached[pols[i]]++;
	}
	jw_close(&o->w, ']');
}

/* @n inline policies (from the small-document pool) under @key. */
static int inline_list(struct org *o, const char *key, const char *owner, unsigned n)
{
	static const char *const words[] = { "Access", "Deploy", "Debug", "Temp", "Extra" };
	char name[128];
	int err;

	jw_open(&o->w, key, '[');
	for (unsigned i = 0; i < n; i++) {
		unsigned k = o->inl_next++ % o->inl.ndocs;

		snprintf(name, sizeof(name), "%s%s%u", owner, words[k % ARRAY_SIZE(words)], i);
		jw_open(&o->w, NULL, '{');
		jw_str(&o->w, "PolicyName", name);
		err = jw_doc(&o->w, "PolicyDocument", o->inl.docs[k]);
		if (err < 0)
			return err;
		jw_close(&o->w, '}');
		o->info->inline_policies++;
	}
	jw_close(&o->w, ']');
	return 0;
}

static void tag(struct org *o, const char *k, const char *v)
{
	jw_open(&o->w, NULL, '{');
	jw_str(&o->w, "Key", k);
	jw_str(&o->w, "Value", v);
	jw_close(&o->w, '}');
}

static void boundary(struct org *o, unsigned b)
{
	jw_open(&o->w, "PermissionsBoundary", '{');
	jw_str(&o->w, "PermissionsBoundaryType", "Policy");
	jw_str(&o->w, "PermissionsBoundaryArn", o->pol_arn[b]);
	jw_close(&o->w, '}');
	o->bounding[b]++;
}

/* A managed policy from the generated ones, now and then an AWS-managed one. */
static unsigned pick_policies(struct org *o, unsigned *out, unsigned n, unsigned aws_pct)
{
	unsigned k = pick_distinct(&o->rng, out, n, FIRST_RANDOM, o->shape->policies);

	if (k && rng_pct(&o->rng, aws_pct))
		out[k - 1] = o->shape->policies + rng_below(&o->rng, NAWS);
	return k;
}

/*
 * Open a user, group or role object (@kind "User", "Group", "Role") with
 * its Path, <Kind>Name, <Kind>Id, Arn and CreateDate; its id, date and ARN
 * are left in @id, @date and @arn for what follows.
 */
static void open_entity(struct org *o, const char *kind, const char *id_prefix, const char *path,
			const char *name, char id[32], char date[DATE_MAX], char arn[256])
{
	char key_name[32], key_id[32];

	snprintf(arn, 256, "arn:aws:iam::%s:%c%s%s%s", GEN_ACCOUNT, gh_tolower(kind[0]), kind + 1,
		 path, name);
	snprintf(key_name, sizeof(key_name), "%sName", kind);
	snprintf(key_id, sizeof(key_id), "%sId", kind);
	make_id(&o->rng, id_prefix, id);
	make_date(&o->rng, date);
	jw_open(&o->w, NULL, '{');
	jw_str(&o->w, "Path", path);
	jw_str(&o->w, key_name, name);
	jw_str(&o->w, key_id, id);
	jw_str(&o->w, "Arn", arn);
	jw_str(&o->w, "CreateDate", date);
}

static int write_users(struct org *o)
{
	const struct gen_org_shape *sh = o->shape;
	unsigned pols[16], groups[8], ng, np;
	char id[32], date[DATE_MAX], name[64], arn[256], buf[128];
	int err;

	jw_open(&o->w, "UserDetailList", '[');
	for (unsigned i = 0; i < sh->users; i++) {
		bool core = i < gen_org_ncore_users;
		const char *path = core ? "/engineering/" : PICK(&o->rng, user_paths);
		const char *team = core ? gen_org_core_teams[i] : PICK(&o->rng, teams);

		if (core)
			snprintf(name, sizeof(name), "%s", gen_org_core_users[i]);
		else
			snprintf(name, sizeof(name), "%c%s%u", 'a' + (int)rng_below(&o->rng, 26),
				 PICK(&o->rng, surnames), i);
		open_entity(o, "User", "AIDA", path, name, id, date, arn);
		if (core) {
			err = inline_list(o, "UserPolicyList", name, 0);
			ng = GEN_ORG_CORE_GROUPS;
			for (unsigned g = 0; g < ng; g++)
				groups[g] = g;
			np = GEN_ORG_CORE_DIRECT;
			for (unsigned p = 0; p < np; p++)
				pols[p] = p;
		} else {
			err = inline_list(o, "UserPolicyList", name,
					  rng_pct(&o->rng, 15) ? 1 + rng_below(&o->rng, 2) : 0);
			ng = 1 + rng_below(&o->rng, 4);
			ng = rng_pct(&o->rng, 5) ? pick_distinct(&o->rng, groups, ng, 0, sh->groups)
						 : pick_distinct(&o->rng, groups, ng,
								 GEN_ORG_CORE_GROUPS, sh->groups);
			np = pick_policies(o, pols, 1 + rng_below(&o->rng, 10), 8);
		}
		if (err < 0)
			return err;
		jw_open(&o->w, "GroupList", '[');
		for (unsigned g = 0; g < ng; g++)
			jw_str(&o->w, NULL, o->group_name[groups[g]]);
		jw_close(&o->w, ']');
		attached_list(o, pols, np);
		if (!core && rng_pct(&o->rng, 10)) {
			boundary(o, GEN_ORG_CORE_POLICIES + rng_below(&o->rng, GEN_ORG_BOUNDARIES));
			o->info->user_boundaries++;
		}
		jw_open(&o->w, "Tags", '[');
		tag(o, "team", team);
		if (core || rng_pct(&o->rng, 70)) {
			snprintf(buf, sizeof(buf), "cc-%04u", 1000 + rng_below(&o->rng, 40));
			tag(o, "cost-center", buf);
		}
		if (core || rng_pct(&o->rng, 50)) {
			snprintf(buf, sizeof(buf), "%s@example.com", name);
			tag(o, "email", buf);
		}
		if (rng_pct(&o->rng, 30))
			tag(o, "department", PICK(&o->rng, depts));
		jw_close(&o->w, ']');
		jw_close(&o->w, '}');
		o->info->users++;
	}
	jw_close(&o->w, ']');
	return 0;
}

static int write_groups(struct org *o)
{
	const struct gen_org_shape *sh = o->shape;
	unsigned pols[8], np;
	char id[32], date[DATE_MAX], arn[256];
	int err;

	jw_open(&o->w, "GroupDetailList", '[');
	for (unsigned i = 0; i < sh->groups; i++) {
		bool core = i < GEN_ORG_CORE_GROUPS;

		open_entity(o, "Group", "AGPA", "/", o->group_name[i], id, date, arn);
		if (core) {
			unsigned per =
			    (GEN_ORG_CORE_POLICIES - GEN_ORG_CORE_DIRECT) / GEN_ORG_CORE_GROUPS;

			err = inline_list(o, "GroupPolicyList", o->group_name[i], 0);
			np = per;
			for (unsigned p = 0; p < np; p++)
				pols[p] = GEN_ORG_CORE_DIRECT + i * per + p;
		} else {
			err = inline_list(o, "GroupPolicyList", o->group_name[i],
					  rng_pct(&o->rng, 20) ? 1 : 0);
			np = pick_policies(o, pols, 1 + rng_below(&o->rng, 5), 15);
		}
		if (err < 0)
			return err;
		attached_list(o, pols, np);
		jw_close(&o->w, '}');
		o->info->groups++;
	}
	jw_close(&o->w, ']');
	return 0;
}

/* A role's trust policy: the account with MFA, a service, or a partner account. */
static char *trust_doc(struct org *o, unsigned kind, const char *svc)
{
	char buf[1024];
	int n;

	if (kind == 0)
		n = snprintf(buf, sizeof(buf),
			     "{\"Version\": \"2012-10-17\", \"Statement\": [{"
			     "\"Effect\": \"Allow\", "
			     "\"Principal\": {\"AWS\": \"arn:aws:iam::%s:root\"}, \"Action\": "
			     "\"sts:AssumeRole\", \"Condition\": {\"Bool\": "
			     "{\"aws:MultiFactorAuthPresent\": \"true\"}, \"NumericLessThan\": "
			     "{\"aws:MultiFactorAuthAge\": \"%u\"}}}]}",
			     GEN_ACCOUNT, rng_pct(&o->rng, 50) ? 3600u : 43200u);
	else if (kind == 1)
		n = snprintf(buf, sizeof(buf),
			     "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Sid\": \"\", "
			     "\"Effect\": \"Allow\", \"Principal\": {\"Service\": \"%s\"}, "
			     "\"Action\": \"sts:AssumeRole\"}]}",
			     svc);
	else
		n = snprintf(buf, sizeof(buf),
			     "{\"Version\": \"2012-10-17\", \"Statement\": [{"
			     "\"Effect\": \"Allow\", "
			     "\"Principal\": {\"AWS\": \"arn:aws:iam::444455556666:root\"}, "
			     "\"Action\": \"sts:AssumeRole\", \"Condition\": {\"StringEquals\": "
			     "{\"sts:ExternalId\": \"ext-%08x\"}}}]}",
			     (unsigned)rng_next(&o->rng));
	if (n < 0 || (size_t)n >= sizeof(buf))
		return NULL;
	return gh_arena_strdup(&o->arena, buf);
}

static int write_roles(struct org *o)
{
	const struct gen_org_shape *sh = o->shape;
	unsigned pols[8], np;
	char id[32], date[DATE_MAX], name[128], arn[256], last[DATE_MAX];
	int err;

	jw_open(&o->w, "RoleDetailList", '[');
	for (unsigned i = 0; i < sh->roles; i++) {
		unsigned roll = rng_below(&o->rng, 100), kind = roll < 50 ? 0 : roll < 90 ? 1 : 2;
		const char *svc = PICK(&o->rng, trust_services);
		const char *path = kind == 1 ? "/service-role/" : "/";
		char *trust = trust_doc(o, kind, svc);
		char svcname[32];

		if (!trust)
			return -ENOMEM;
		snprintf(svcname, sizeof(svcname), "%.*s", (int)strcspn(svc, "."), svc);
		if (kind == 1)
			snprintf(name, sizeof(name), "%s-%s-%s-role-%03u",
				 depts[i % ARRAY_SIZE(depts)], svcname, PICK(&o->rng, purposes), i);
		else if (kind == 0)
			snprintf(name, sizeof(name), "%s-%s-%03u", depts[i % ARRAY_SIZE(depts)],
				 PICK(&o->rng, functions), i);
		else
			snprintf(name, sizeof(name), "partner-%s-access-%03u",
				 PICK(&o->rng, purposes), i);
		open_entity(o, "Role", "AROA", path, name, id, date, arn);
		err = jw_doc(&o->w, "AssumeRolePolicyDocument", trust);
		if (err < 0)
			return err;
		jw_open(&o->w, "InstanceProfileList", '[');
		if (kind == 1 && !strcmp(svcname, "ec2")) {
			char ipid[32], iparn[256];

			make_id(&o->rng, "AIPA", ipid);
			snprintf(iparn, sizeof(iparn), "arn:aws:iam::%s:instance-profile/%s",
				 GEN_ACCOUNT, name);
			jw_open(&o->w, NULL, '{');
			jw_str(&o->w, "Path", "/");
			jw_str(&o->w, "InstanceProfileName", name);
			jw_str(&o->w, "InstanceProfileId", ipid);
			jw_str(&o->w, "Arn", iparn);
			jw_str(&o->w, "CreateDate", date);
			jw_open(&o->w, "Roles", '[');
			jw_open(&o->w, NULL, '{');
			jw_str(&o->w, "Path", path);
			jw_str(&o->w, "RoleName", name);
			jw_str(&o->w, "RoleId", id);
			jw_str(&o->w, "Arn", arn);
			jw_str(&o->w, "CreateDate", date);
			err = jw_doc(&o->w, "AssumeRolePolicyDocument", trust);
			if (err < 0)
				return err;
			jw_close(&o->w, '}');
			jw_close(&o->w, ']');
			jw_close(&o->w, '}');
		}
		jw_close(&o->w, ']');
		err = inline_list(o, "RolePolicyList", name, rng_pct(&o->rng, 30) ? 1 : 0);
		if (err < 0)
			return err;
		np = pick_policies(o, pols, 1 + rng_below(&o->rng, kind == 1 ? 3 : 5), 10);
		attached_list(o, pols, np);
		if (rng_pct(&o->rng, 10)) {
			boundary(o, GEN_ORG_CORE_POLICIES + rng_below(&o->rng, GEN_ORG_BOUNDARIES));
			o->info->role_boundaries++;
		}
		jw_open(&o->w, "Tags", '[');
		if (rng_pct(&o->rng, 70))
			tag(o, "team", PICK(&o->rng, teams));
		if (rng_pct(&o->rng, 40))
			tag(o, "env", rng_pct(&o->rng, 50) ? "prod" : "staging");
		jw_close(&o->w, ']');
		if (rng_pct(&o->rng, 70)) {
			make_date(&o->rng, last);
			jw_open(&o->w, "RoleLastUsed", '{');
			jw_str(&o->w, "LastUsedDate", last);
			jw_str(&o->w, "Region", PICK(&o->rng, regions));
			jw_close(&o->w, '}');
		} else {
			jw_open(&o->w, "RoleLastUsed", '{');
			jw_close(&o->w, '}');
		}
		jw_close(&o->w, '}');
		o->info->roles++;
	}
	jw_close(&o->w, ']');
	return 0;
}

static int write_policy(struct org *o, unsigned i)
{
	bool aws = i >= o->shape->policies;
	unsigned nver = aws ? 1 : 1 + rng_below(&o->rng, 3), def;
	char id[32], created[DATE_MAX], updated[DATE_MAX], vid[16];
	int err;

	def = rng_pct(&o->rng, 80) ? nver : 1 + rng_below(&o->rng, nver);
	make_id(&o->rng, "ANPA", id);
	make_date(&o->rng, created);
	make_date(&o->rng, updated);
	if (strcmp(updated, created) < 0)
		memcpy(updated, created, sizeof(updated));
	jw_open(&o->w, NULL, '{');
	jw_str(&o->w, "PolicyName", o->pol_name[i]);
	jw_str(&o->w, "PolicyId", aws ? aws_managed[i - o->shape->policies].id : id);
	jw_str(&o->w, "Arn", o->pol_arn[i]);
	jw_str(&o->w, "Path", o->pol_path[i]);
	snprintf(vid, sizeof(vid), "v%u", def);
	jw_str(&o->w, "DefaultVersionId", vid);
	jw_uint(&o->w, "AttachmentCount", o->attached[i]);
	jw_uint(&o->w, "PermissionsBoundaryUsageCount", o->bounding[i]);
	jw_bool(&o->w, "IsAttachable", true);
	if (!aws && rng_pct(&o->rng, 40)) {
		char desc[160];

		snprintf(desc, sizeof(desc), "Managed by the %s team (ticket OPS-%u)",
			 depts[i % ARRAY_SIZE(depts)], 1000 + rng_below(&o->rng, 9000));
		jw_str(&o->w, "Description", desc);
	}
	jw_str(&o->w, "CreateDate", created);
	jw_str(&o->w, "UpdateDate", updated);
	jw_open(&o->w, "PolicyVersionList", '[');
	/* newest first, as AWS lists them */
	for (unsigned v = nver; v >= 1; v--) {
		const char *doc =
		    v == def ? o->pol_doc[i] : o->old.docs[o->old_next++ % o->old.ndocs];

		jw_open(&o->w, NULL, '{');
		err = jw_doc(&o->w, "Document", doc);
		if (err < 0)
			return err;
		snprintf(vid, sizeof(vid), "v%u", v);
		jw_str(&o->w, "VersionId", vid);
		jw_bool(&o->w, "IsDefaultVersion", v == def);
		jw_str(&o->w, "CreateDate", v == nver ? updated : created);
		jw_close(&o->w, '}');
		o->info->versions++;
	}
	jw_close(&o->w, ']');
	jw_close(&o->w, '}');
	o->info->statements += count_statements(o->pol_doc[i]);
	if (aws)
		o->info->aws_policies++;
	else
		o->info->policies++;
	return 0;
}

int gen_org_write(FILE *f, const struct gen_org_shape *shape, uint64_t seed,
		  const struct gen_set *core, bool urlencode, struct gen_org_info *info)
{
	struct org o = {
		.shape = shape, .rng = { seed ^ 0x6f7267616e6973ull }, .core = core, .info = info
	};
	struct gen_profile body = { "org-body", 0, shape->stmts, 0 };
	struct gen_profile old = { "org-old", 0, shape->stmts, 0 };
	struct gen_profile inl = { "org-inline", 0, 3, 0 };
	int err;

	memset(info, 0, sizeof(*info));
	if (!core || core->ndocs < GEN_ORG_CORE_POLICIES || shape->policies < FIRST_RANDOM + 10 ||
	    shape->groups < GEN_ORG_CORE_GROUPS + 4 || shape->users < gen_org_ncore_users)
		return -EINVAL;
	body.npolicies = shape->policies - FIRST_RANDOM;
	old.npolicies = shape->policies / 4 + 1;
	inl.npolicies = shape->users / 8 + 8;
	o.w = (struct jw){ .f = f, .urlencode = urlencode };
	err = gen_make(&body, seed + 1, &o.body);
	if (!err)
		err = gen_make(&old, seed + 2, &o.old);
	if (!err)
		err = gen_make(&inl, seed + 3, &o.inl);
	if (!err)
		err = org_names(&o);
	if (err < 0)
		goto out;

	jw_open(&o.w, NULL, '{');
	err = write_users(&o);
	if (!err)
		err = write_groups(&o);
	if (!err)
		err = write_roles(&o);
	if (err < 0)
		goto out;
	jw_open(&o.w, "Policies", '[');
	for (unsigned i = 0; i < shape->policies + NAWS && !err; i++)
		if (i < shape->policies || o.attached[i] || o.bounding[i])
			err = write_policy(&o, i);
	if (err < 0)
		goto out;
	jw_close(&o.w, ']');
	jw_bool(&o.w, "IsTruncated", false);
	jw_close(&o.w, '}');
	fputc('\n', f);
	if (fflush(f) != 0 || ferror(f))
		err = -EIO;
	else
		info->bytes = (size_t)ftell(f);
out:
	gen_free(&o.body);
	gen_free(&o.old);
	gen_free(&o.inl);
	gh_arena_clear(&o.arena);
	return err;
}
