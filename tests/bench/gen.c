/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "bench_util.h"
#include "gen.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "common/macro.h"
#include "common/str.h"

const struct gen_profile gen_profiles[] = {
	{ "typical", 10, 10, 4096 },
	{ "heavy", 50, 20, 4096 },
};
const size_t gen_nprofiles = ARRAY_SIZE(gen_profiles);

const struct gen_profile *gen_profile_find(const char *name)
{
	for (size_t i = 0; i < gen_nprofiles; i++)
		if (!strcmp(gen_profiles[i].name, name))
			return &gen_profiles[i];
	return NULL;
}

/*
 * One resource type of one service: the ARN template and real actions that
 * take it.  Placeholders: {r} region, {a} account, {n} a small number, {u}
 * a user name, {t} a team, {h} an id.
 */
struct svc_row {
	const char *svc;
	const char *arn;
	const char *actions[8];
	const char *wild[4];
};

static const struct svc_row rows[] = {
	{ "s3",
	  "arn:aws:s3:::bucket-{n}/{t}/{u}/file-{h}",
	  { "GetObject", "PutObject", "DeleteObject", "GetObjectTagging", "PutObjectAcl",
	    "GetObjectVersion" },
	  { "s3:Get*", "s3:*Object", "s3:Put*", "s3:*" } },
	{ "s3",
	  "arn:aws:s3:::bucket-{n}",
	  { "ListBucket", "GetBucketPolicy", "GetBucketLocation", "PutBucketPolicy",
	    "GetBucketTagging" },
	  { "s3:List*", "s3:GetBucket*", "s3:*" } },
	{ "ec2",
	  "arn:aws:ec2:{r}:{a}:instance/i-0{h}",
	  { "StartInstances", "StopInstances", "TerminateInstances", "RebootInstances" },
	  { "ec2:*Instances", "ec2:St*", "ec2:*" } },
	{ "iam",
	  "arn:aws:iam::{a}:user/{u}",
	  { "GetUser", "CreateAccessKey", "DeleteAccessKey", "ListAccessKeys", "UpdateLoginProfile",
	    "ChangePassword" },
	  { "iam:*AccessKey*", "iam:Get*", "iam:*" } },
	{ "iam",
	  "arn:aws:iam::{a}:role/{t}-role-{n}",
	  { "GetRole", "PassRole", "UpdateRole" },
	  { "iam:*Role", "iam:Get*", "iam:*" } },
	{ "dynamodb",
	  "arn:aws:dynamodb:{r}:{a}:table/{t}-table-{n}",
	  { "GetItem", "PutItem", "Query", "Scan", "UpdateItem", "DeleteItem", "BatchGetItem" },
	  { "dynamodb:Get*", "dynamodb:*Item", "dynamodb:Batch*", "dynamodb:*" } },
	{ "sqs",
	  "arn:aws:sqs:{r}:{a}:{t}-queue-{n}",
	  { "SendMessage", "ReceiveMessage", "DeleteMessage", "GetQueueAttributes", "PurgeQueue" },
	  { "sqs:*Message", "sqs:Get*", "sqs:*" } },
	{ "sns",
	  "arn:aws:sns:{r}:{a}:{t}-topic-{n}",
	  { "Publish", "Subscribe", "GetTopicAttributes", "DeleteTopic" },
	  { "sns:Get*", "sns:*" } },
	{ "lambda",
	  "arn:aws:lambda:{r}:{a}:function:{t}-fn-{n}",
	  { "InvokeFunction", "GetFunction", "UpdateFunctionCode", "DeleteFunction",
	    "GetFunctionConfiguration" },
	  { "lambda:Get*", "lambda:Invoke*", "lambda:*Function*", "lambda:*" } },
	{ "kms",
	  "arn:aws:kms:{r}:{a}:key/{h}-1111-4222-8333-44445555666{n}",
	  { "Decrypt", "Encrypt", "GenerateDataKey", "DescribeKey", "ReEncryptFrom",
	    "ScheduleKeyDeletion" },
	  { "kms:GenerateDataKey*", "kms:ReEncrypt*", "kms:Describe*", "kms:*" } },
	{ "logs",
	  "arn:aws:logs:{r}:{a}:log-group:/{t}/app-{n}",
	  { "PutRetentionPolicy", "DeleteLogGroup", "DeleteRetentionPolicy", "DescribeLogStreams" },
	  { "logs:*LogGroup", "logs:Describe*", "logs:*" } },
	{ "secretsmanager",
	  "arn:aws:secretsmanager:{r}:{a}:secret:{t}/db-{n}-{h}",
	  { "GetSecretValue", "DescribeSecret", "PutSecretValue", "RotateSecret" },
	  { "secretsmanager:Get*", "secretsmanager:*Secret*", "secretsmanager:*" } },
	{ "ssm",
	  "arn:aws:ssm:{r}:{a}:parameter/{t}/app-{n}/{h}",
	  { "GetParameter", "GetParameters", "PutParameter", "DeleteParameter",
	    "GetParameterHistory" },
	  { "ssm:GetParameter*", "ssm:*Parameter", "ssm:*" } },
	{ "ecr",
	  "arn:aws:ecr:{r}:{a}:repository/{t}/repo-{n}",
	  { "BatchGetImage", "GetDownloadUrlForLayer", "PutImage", "BatchCheckLayerAvailability" },
	  { "ecr:*Image", "ecr:Batch*", "ecr:*" } },
	{ "rds",
	  "arn:aws:rds:{r}:{a}:db:{t}-db-{n}",
	  { "DeleteDBInstance", "RebootDBInstance", "StartDBInstance", "StopDBInstance" },
	  { "rds:*DBInstance", "rds:St*", "rds:*" } },
	{ "kinesis",
	  "arn:aws:kinesis:{r}:{a}:stream/{t}-stream-{n}",
	  { "PutRecord", "PutRecords", "GetShardIterator", "DescribeStream" },
	  { "kinesis:Put*", "kinesis:Get*", "kinesis:*" } },
	{ "states",
	  "arn:aws:states:{r}:{a}:stateMachine:{t}-sm-{n}",
	  { "StartExecution", "DescribeStateMachine", "StartSyncExecution" },
	  { "states:Start*", "states:*" } },
	{ "events",
	  "arn:aws:events:{r}:{a}:event-bus/{t}-bus-{n}",
	  { "PutEvents", "DescribeEventBus" },
	  { "events:Put*", "events:*" } },
	{ "cloudformation",
	  "arn:aws:cloudformation:{r}:{a}:stack/{t}-stack-{n}/{h}",
	  { "CreateStack", "DeleteStack", "UpdateStack", "DescribeStacks" },
	  { "cloudformation:*Stack", "cloudformation:Describe*", "cloudformation:*" } },
	{ "athena",
	  "arn:aws:athena:{r}:{a}:workgroup/{t}-wg-{n}",
	  { "StartQueryExecution", "GetQueryResults", "GetWorkGroup" },
	  { "athena:Get*", "athena:*" } },
	{ "ecs",
	  "arn:aws:ecs:{r}:{a}:service/{t}-cluster/svc-{n}",
	  { "UpdateService", "DeleteService", "DescribeServices" },
	  { "ecs:*Service*", "ecs:*" } },
	{ "cloudwatch",
	  "arn:aws:cloudwatch:{r}:{a}:alarm:{t}-alarm-{n}",
	  { "PutMetricAlarm", "DeleteAlarms", "DescribeAlarmHistory" },
	  { "cloudwatch:*Alarm*", "cloudwatch:*" } },
	{ "route53",
	  "arn:aws:route53:::hostedzone/Z0{h}",
	  { "ChangeResourceRecordSets", "ListResourceRecordSets", "GetHostedZone" },
	  { "route53:*ResourceRecordSets", "route53:Get*", "route53:*" } },
	{ "codebuild",
	  "arn:aws:codebuild:{r}:{a}:project/{t}-proj-{n}",
	  { "StartBuild", "BatchGetProjects", "UpdateProject" },
	  { "codebuild:Start*", "codebuild:*" } },
	/* role assumption: simulate cases carry no trust policy (the identity side decides) */
	{ "sts",
	  "arn:aws:iam::{a}:role/{t}-role-{n}",
	  { "AssumeRole", "TagSession" },
	  { "sts:AssumeRole*", "sts:*" } },
	/* request-only row (ROWS_POLICY below): no statement names it */
	{ "elasticfilesystem",
	  "arn:aws:elasticfilesystem:{r}:{a}:file-system/fs-{h}",
	  { "ClientMount", "ClientWrite", "DeleteFileSystem" },
	  { "elasticfilesystem:Client*" } },
};

/* The row of sts: role assumption, and sts:GetCallerIdentity requests. */
#define STS_ROW (ARRAY_SIZE(rows) - 2)
/* Rows policies are made from; the rest appear in requests only. */
#define ROWS_POLICY (ARRAY_SIZE(rows) - 1)

size_t gen_nservices(void)
{
	return ARRAY_SIZE(rows);
}

static const char *const regions[] = { "us-east-1", "us-west-2", "eu-west-1" };
static const char *const users[] = { "alice", "bob", "carol", "dave", "erin", "frank" };
static const char *const teams[] = { "blue", "red", "green", "platform" };
static const char *const ids[] = { "3f2a9c01", "77b1e0d4", "a0c4f3e2", "5d9e8b10",
				   "c2f00b7a", "19e4d6c3", "e8a7b5f9", "0b3c2d1e" };
static const char *const tag_keys[] = { "env", "owner", "project", "cost-center" };

static unsigned row_nactions(const struct svc_row *row)
{
	unsigned n = 0;

	while (n < ARRAY_SIZE(row->actions) && row->actions[n])
		n++;
	return n;
}

static unsigned row_nwild(const struct svc_row *row)
{
	unsigned n = 0;

	while (n < ARRAY_SIZE(row->wild) && row->wild[n])
		n++;
	return n;
}

/* A growable string; an allocation failure sticks in @oom. */
struct sb {
	char *buf;
	size_t len, cap;
	bool oom;
};

static void sb_addn(struct sb *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		char *nb;

		while (cap < b->len + n + 1)
			cap *= 2;
		nb = realloc(b->buf, cap);
		if (!nb) {
			b->oom = true;
			return;
		}
		b->buf = nb;
		b->cap = cap;
	}
	memcpy(b->buf + b->len, s, n);
	b->len += n;
	b->buf[b->len] = '\0';
}

static void sb_add(struct sb *b, const char *s)
{
	sb_addn(b, s, strlen(s));
}

__attribute__((format(printf, 2, 3))) static void sb_printf(struct sb *b, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(tmp)) {
		b->oom = true;
		return;
	}
	sb_addn(b, tmp, (size_t)n);
}

/* The concrete values a statement's resources were drawn from. */
struct inst {
	const char *r, *n, *u, *t, *h;
};

static const char *const numbers[] = { "0", "1", "2", "3", "4", "5" };

static void inst_random(struct rng *r, struct inst *v)
{
	v->r = PICK(r, regions);
	v->n = PICK(r, numbers);
	v->u = PICK(r, users);
	v->t = PICK(r, teams);
	v->h = PICK(r, ids);
}

/* Value of placeholder @c in @v. */
static const char *inst_get(const struct inst *v, char c)
{
	switch (c) {
	case 'r': return v->r;
	case 'a': return GEN_ACCOUNT;
	case 'n': return v->n;
	case 'u': return v->u;
	case 't': return v->t;
	default: return v->h;
	}
}

/* Instantiate @row's ARN with @v into @b. */
static void arn_instance(struct sb *b, const struct svc_row *row, const struct inst *v)
{
	for (const char *p = row->arn; *p; p++) {
		if (*p == '{' && p[1] && p[2] == '}') {
			sb_add(b, inst_get(v, p[1]));
			p += 2;
		} else {
			sb_addn(b, p, 1);
		}
	}
}

static unsigned arn_nplaceholders(const struct svc_row *row)
{
	unsigned n = 0;

	for (const char *p = row->arn; *p; p++)
		if (*p == '{')
			n++;
	return n;
}

enum ph_mode { PH_VALUE, PH_STAR, PH_QMARK, PH_VAR };

/*
 * A resource pattern for @row drawn around @v, into @pol (policy text, JSON
 * string content) and @flat (variables replaced by the values of @v, so a
 * plain wildcard pattern for the matcher benchmark).
 */
static void resource_pattern(struct rng *r, const struct svc_row *row, const struct inst *v,
			     bool star, struct sb *pol, struct sb *flat)
{
	unsigned nph = arn_nplaceholders(row), roll = rng_below(r, 100), k = 0, cut = nph;
	bool per_ph = false, vars = false;

	if (star && roll < 2) {
		sb_add(pol, "*");
		sb_add(flat, "*");
		return;
	}
	if (roll < 40)
		cut = rng_below(r, nph); /* literal prefix, then "*" */
	else if (roll < 70)
		per_ph = true;
	else if (roll < 85)
		vars = true;
	/* else: an exact ARN */

	for (const char *p = row->arn; *p; p++) {
		enum ph_mode m = PH_VALUE;
		char c;

		if (!(*p == '{' && p[1] && p[2] == '}')) {
			sb_addn(pol, p, 1);
			sb_addn(flat, p, 1);
			continue;
		}
		c = p[1];
		p += 2;
		if (k++ == cut) {
			sb_add(pol, "*");
			sb_add(flat, "*");
			return;
		}
		if (per_ph) {
			unsigned x = rng_below(r, 100);

			if ((c == 'u' || c == 't') && x < 30)
				m = PH_VAR;
			else if (c == 'n' && x < 20)
				m = PH_QMARK;
			else if (c != 'a' && x < 55)
				m = PH_STAR;
		} else if (vars) {
			if (c == 'u' || c == 't')
				m = PH_VAR;
			else if (c == 'h' || c == 'n')
				m = PH_STAR;
		}
		switch (m) {
		case PH_VALUE:
			sb_add(pol, inst_get(v, c));
			sb_add(flat, inst_get(v, c));
			break;
		case PH_STAR:
			sb_add(pol, "*");
			sb_add(flat, "*");
			break;
		case PH_QMARK:
			sb_add(pol, "?");
			sb_add(flat, "?");
			break;
		case PH_VAR:
			if (c == 'u')
				sb_add(pol, "${aws:username}");
			else if (rng_pct(r, 50))
				sb_add(pol, "${aws:PrincipalTag/team, 'none'}");
			else
				sb_add(pol, "${aws:PrincipalTag/team}");
			sb_add(flat, inst_get(v, c));
			break;
		}
	}
}

/* Generation state for one set. */
struct gen {
	struct rng rng;
	struct gen_set *set;
	unsigned pats_cap;
	/* per statement: its row and values, for aimed requests */
	unsigned *st_row;
	struct inst *st_inst;
	unsigned nst;
};

static int add_pattern(struct gen *g, const char *text, size_t len, unsigned svc, bool action)
{
	struct gen_set *s = g->set;
	char *t;

	if (s->npats == g->pats_cap) {
		unsigned cap = g->pats_cap ? 2 * g->pats_cap : 256;
		struct gen_pattern *np = realloc(s->pats, cap * sizeof(*np));

		if (!np)
			return -ENOMEM;
		s->pats = np;
		g->pats_cap = cap;
	}
	t = gh_arena_strndup(&s->arena, text, len);
	if (!t)
		return -ENOMEM;
	if (action)
		gh_lower(t, t, len);
	s->pats[s->npats++] = (struct gen_pattern){ .text = t, .svc = svc, .action = action };
	return 0;
}

/* A JSON string array of @n literal strings. */
static void json_strings(struct sb *b, const char *const *v, unsigned n)
{
	sb_add(b, n == 1 ? "" : "[");
	for (unsigned i = 0; i < n; i++)
		sb_printf(b, "%s\"%s\"", i ? ", " : "", v[i]);
	sb_add(b, n == 1 ? "" : "]");
}

static const char *const cond_ips[] = { "10.0.0.0/16", "10.1.0.0/16", "10.2.0.0/16", "192.0.2.0/24",
					"198.51.100.0/24" };

/*
 * @op on aws:PrincipalArn with an IAM user ARN pattern: an empty region
 * part next to wildcards in the account or resource part.
 */
static void arn_like_principal(struct rng *r, struct sb *b, const struct inst *v, const char *op)
{
	sb_printf(b, "\"%s\": {\"aws:PrincipalArn\": ", op);
	switch (rng_below(r, 5)) {
	case 0: sb_printf(b, "\"arn:aws:iam::%s:user/*\"}", GEN_ACCOUNT); break;
	case 1: sb_printf(b, "\"arn:aws:iam::%s:user/%c*\"}", GEN_ACCOUNT, v->u[0]); break;
	case 2: sb_printf(b, "\"arn:aws:iam::%s:*\"}", GEN_ACCOUNT); break;
	case 3: sb_printf(b, "\"arn:aws:iam::*:user/%s\"}", v->u); break;
	default:
		sb_printf(b, "[\"arn:aws:iam::%s:user/%s\", \"arn:aws:iam:*:%s:role/*\"]}",
			  GEN_ACCOUNT, v->u, GEN_ACCOUNT);
		break;
	}
}

/* An Allow statement's Condition block (1 or 2 operators), or nothing. */
static void allow_condition(struct gen *g, struct sb *b, const struct inst *v)
{
	struct rng *r = &g->rng;
	unsigned a = rng_below(r, 10), c = rng_below(r, 10), nops = rng_pct(r, 30) ? 2 : 1;

	if (c == a)
		c = (a + 1) % 10;
	sb_add(b, ", \"Condition\": {");
	for (unsigned i = 0; i < nops; i++) {
		const char *t2 = PICK(r, teams), *ip2 = PICK(r, cond_ips);

		if (i)
			sb_add(b, ", ");
		switch (i ? c : a) {
		case 0:
			if (rng_pct(r, 50))
				sb_printf(b,
					  "\"StringEquals\": {\"aws:PrincipalTag/team\": \"%s\"}",
					  v->t);
			else
				sb_printf(b,
					  "\"StringEquals\": {\"aws:PrincipalTag/team\": "
					  "[\"%s\", \"%s\"]}",
					  v->t, t2);
			break;
		case 1:
			sb_printf(b, "\"IpAddress\": {\"aws:SourceIp\": [\"%s\", \"%s\"]}",
				  PICK(r, cond_ips), ip2);
			break;
		case 2: sb_add(b, "\"Bool\": {\"aws:MultiFactorAuthPresent\": \"true\"}"); break;
		case 3:
			sb_printf(b, "\"StringLike\": {\"aws:username\": [\"%c*\", \"%s\"]}",
				  v->u[0], PICK(r, users));
			break;
		case 4:
			sb_printf(b, "\"NumericLessThan\": {\"aws:MultiFactorAuthAge\": \"%u\"}",
				  rng_pct(r, 50) ? 3600u : 900u);
			break;
		case 5:
			sb_printf(b,
				  "\"DateGreaterThan\": {\"aws:CurrentTime\": "
				  "\"%s\"}",
				  rng_pct(r, 50) ? "2024-01-01T00:00:00Z" : "2025-06-30T12:00:00Z");
			break;
		case 6:
			/* IfExists does not rescue ForAnyValue on an absent key */
			sb_printf(b,
				  "\"ForAnyValue:StringEquals%s\": {\"aws:TagKeys\": "
				  "[\"%s\", \"%s\"]}",
				  rng_pct(r, 40) ? "IfExists" : "", PICK(r, tag_keys),
				  PICK(r, tag_keys));
			break;
		case 7:
			/* IAM ARNs have an empty region: each ARN part is matched alone */
			arn_like_principal(r, b, v, "ArnLike");
			break;
		case 8: {
			/* a multivalued key without a set operator never matches */
			unsigned other = i ? a : c; /* no operator twice in one block */
			bool like = other == 0 || (other != 3 && rng_pct(r, 50));

			sb_printf(b, "\"%s\": {\"aws:TagKeys\": \"%s\"}",
				  like ? "StringLike" : "StringEquals", PICK(r, tag_keys));
			break;
		}
		default:
			/* a variable that does not always resolve, under a negated operator */
			sb_add(b, "\"StringNotEquals\": {\"aws:username\": "
				  "\"${aws:PrincipalTag/team}\"}");
			break;
		}
	}
	sb_add(b, "}");
}

/* The Action (or NotAction) list of a statement on @row. */
static int statement_actions(struct gen *g, struct sb *b, unsigned rowi, bool deny)
{
	struct rng *r = &g->rng;
	const struct svc_row *row = &rows[rowi];
	unsigned n = 1 + rng_below(r, 3), na = row_nactions(row), nw = row_nwild(row);
	char buf[128];
	int err;

	sb_add(b, n == 1 ? "" : "[");
	for (unsigned i = 0; i < n; i++) {
		unsigned x = rng_below(r, 100);
		int len;

		if (x < (deny ? 85u : 55u))
			len = snprintf(buf, sizeof(buf), "%s:%s", row->svc,
				       row->actions[rng_below(r, na)]);
		else
			len = snprintf(buf, sizeof(buf), "%s", row->wild[rng_below(r, nw)]);
		if (len < 0 || (size_t)len >= sizeof(buf))
			return -E2BIG;
		sb_printf(b, "%s\"%s\"", i ? ", " : "", buf);
		err = add_pattern(g, buf, (size_t)len, rowi, true);
		if (err < 0)
			return err;
	}
	sb_add(b, n == 1 ? "" : "]");
	return 0;
}

/* The Resource list of a statement on @row around @v. */
static int statement_resources(struct gen *g, struct sb *b, unsigned rowi, const struct inst *v,
			       bool star)
{
	struct rng *r = &g->rng;
	unsigned n = rng_pct(r, 30) ? 2 : 1;
	int err;

	sb_add(b, n == 1 ? "" : "[");
	for (unsigned i = 0; i < n; i++) {
		struct sb pol = { 0 }, flat = { 0 };
		struct inst v2;

		if (i)
			inst_random(r, &v2);
		resource_pattern(r, &rows[rowi], i ? &v2 : v, star, &pol, &flat);
		if (pol.oom || flat.oom) {
			free(pol.buf);
			free(flat.buf);
			return -ENOMEM;
		}
		sb_printf(b, "%s\"", i ? ", " : "");
		sb_add(b, pol.buf);
		sb_add(b, "\"");
		err = add_pattern(g, flat.buf, flat.len, rowi, false);
		free(pol.buf);
		free(flat.buf);
		if (err < 0)
			return err;
	}
	sb_add(b, n == 1 ? "" : "]");
	return 0;
}

static int statement(struct gen *g, struct sb *b, unsigned pi, unsigned si)
{
	static const char *const mfa_except[] = { "iam:ChangePassword", "iam:GetUser",
						  "iam:ListAccessKeys", "sts:GetSessionToken" };
	static const char *const not_allowed[] = { "iam:*", "kms:*", "organizations:*" };
	struct rng *r = &g->rng;
	unsigned rowi = rng_below(r, ROWS_POLICY), kind = rng_below(r, 100);
	struct inst *v = &g->st_inst[g->nst];
	int err;

	inst_random(r, v);
	g->st_row[g->nst++] = rowi;
	sb_printf(b, "%s{\"Sid\": \"P%uS%u\", ", si ? ", " : "", pi, si);
	if (pi == 0 && si == 0) {
		/* AWS's "deny all but these without MFA, off the office network" */
		sb_add(b, "\"Effect\": \"Deny\", \"NotAction\": ");
		json_strings(b, mfa_except, ARRAY_SIZE(mfa_except));
		sb_add(b, ", \"Resource\": \"*\", \"Condition\": {\"BoolIfExists\": "
			  "{\"aws:MultiFactorAuthPresent\": \"false\"}, \"NotIpAddress\": "
			  "{\"aws:SourceIp\": [\"10.0.0.0/8\", \"192.0.2.0/24\"]}}}");
		return 0;
	}
	if (kind < 1) {
		/* broad Allow with NotAction on one resource pattern */
		sb_add(b, "\"Effect\": \"Allow\", \"NotAction\": ");
		json_strings(b, not_allowed, ARRAY_SIZE(not_allowed));
		sb_add(b, ", \"Resource\": ");
		err = statement_resources(g, b, rowi, v, false);
		sb_add(b, "}");
		return err;
	}
	sb_printf(b, "\"Effect\": \"%s\", \"Action\": ", kind < 7 ? "Deny" : "Allow");
	err = statement_actions(g, b, rowi, kind < 7);
	if (err < 0)
		return err;
	sb_add(b, ", \"Resource\": ");
	err = statement_resources(g, b, rowi, v, kind >= 7);
	if (err < 0)
		return err;
	if (kind < 4)
		sb_add(b, ", \"Condition\": {\"BoolIfExists\": "
			  "{\"aws:MultiFactorAuthPresent\": \"false\"}}");
	else if (kind < 6 && rng_pct(r, 60))
		sb_printf(b,
			  ", \"Condition\": {\"StringNotEquals\": "
			  "{\"aws:PrincipalTag/team\": \"%s\"}}",
			  v->t);
	else if (kind < 6 && rng_pct(r, 50)) {
		/* the admins-only guardrail: deny all but some principals */
		sb_add(b, ", \"Condition\": {");
		arn_like_principal(r, b, v, "ArnNotLike");
		sb_add(b, "}");
	} else if (kind < 6)
		/* negated, multivalued key, no set operator: never matches a request with tags */
		sb_printf(b, ", \"Condition\": {\"StringNotEquals\": {\"aws:TagKeys\": \"%s\"}}",
			  PICK(r, tag_keys));
	else if (kind >= 7 && rng_pct(r, 50))
		allow_condition(g, b, v);
	/* kind 6: unconditional Deny */
	sb_add(b, "}");
	return 0;
}

static int set_ctx1(struct gen_request *q, const char *key, const char *val)
{
	struct gen_ctx *c = &q->ctx[q->nctx++];

	c->key = key;
	c->vals[0] = val;
	c->nvals = 1;
	c->multi = false;
	return 0;
}

static const char *const source_ips[] = { "10.0.3.7",	"10.1.200.14",	"10.2.0.99",   "10.9.1.1",
					  "192.0.2.44", "198.51.100.7", "203.0.113.25" };
static const char *const mfa_ages[] = { "60", "600", "1800", "3000", "5400", "86400" };
static const char *const times[] = { "2023-11-02T08:15:00Z", "2024-09-14T17:30:00Z",
				     "2025-12-01T09:00:00Z", "2026-03-20T22:45:00Z" };

static int request(struct gen *g, struct gen_request *q)
{
	struct gen_set *s = g->set;
	struct rng *r = &g->rng;
	struct sb b = { 0 };
	const struct svc_row *row;
	struct inst v;
	bool caller_identity;
	char *t;

	inst_random(r, &v);
	if (g->nst && rng_pct(r, 60)) {
		/* aimed at a statement: its row, mostly its values */
		unsigned st = rng_below(r, g->nst);
		const struct inst *sv = &g->st_inst[st];

		q->svc = g->st_row[st];
		if (rng_pct(r, 85))
			v.r = sv->r;
		if (rng_pct(r, 85))
			v.n = sv->n;
		if (rng_pct(r, 90))
			v.u = sv->u;
		if (rng_pct(r, 90))
			v.t = sv->t;
		if (rng_pct(r, 85))
			v.h = sv->h;
	} else if (rng_pct(r, 20)) {
		q->svc = ROWS_POLICY + rng_below(r, ARRAY_SIZE(rows) - ROWS_POLICY);
	} else if (rng_pct(r, 8)) {
		q->svc = STS_ROW; /* AssumeRole, TagSession; or GetCallerIdentity below */
	} else {
		q->svc = rng_below(r, ROWS_POLICY);
	}
	row = &rows[q->svc];

	sb_printf(&b, "arn:aws:iam::%s:user/%s", GEN_ACCOUNT, v.u);
	t = b.oom ? NULL : gh_arena_strndup(&s->arena, b.buf, b.len);
	q->principal = t;
	b.len = 0;
	/* sts:GetCallerIdentity needs no permission: not even a Deny stops it */
	caller_identity = q->svc == STS_ROW && rng_pct(r, 25);
	if (caller_identity)
		sb_add(&b, "sts:GetCallerIdentity");
	else
		sb_printf(&b, "%s:%s", row->svc, row->actions[rng_below(r, row_nactions(row))]);
	t = b.oom ? NULL : gh_arena_strndup(&s->arena, b.buf, b.len);
	q->action = t;
	b.len = 0;
	if (caller_identity)
		sb_add(&b, "*");
	else
		arn_instance(&b, row, &v);
	t = b.oom ? NULL : gh_arena_strndup(&s->arena, b.buf, b.len);
	q->resource = t;
	free(b.buf);
	if (!q->principal || !q->action || !q->resource)
		return -ENOMEM;

	q->nctx = 0;
	set_ctx1(q, "aws:username", v.u);
	set_ctx1(q, "aws:PrincipalArn", q->principal);
	if (rng_pct(r, 92))
		set_ctx1(q, "aws:PrincipalTag/team", v.t);
	set_ctx1(q, "aws:SourceIp", PICK(r, source_ips));
	if (rng_pct(r, 85)) {
		bool mfa = rng_pct(r, 70);

		set_ctx1(q, "aws:MultiFactorAuthPresent", mfa ? "true" : "false");
		if (mfa)
			set_ctx1(q, "aws:MultiFactorAuthAge", PICK(r, mfa_ages));
	}
	set_ctx1(q, "aws:CurrentTime", PICK(r, times));
	set_ctx1(q, "aws:SecureTransport", "true");
	if (rng_pct(r, 50)) {
		struct gen_ctx *c = &q->ctx[q->nctx++];
		unsigned n = rng_below(r, 4), first = rng_below(r, ARRAY_SIZE(tag_keys));

		c->key = "aws:TagKeys";
		c->multi = true;
		c->nvals = n;
		for (unsigned i = 0; i < n; i++)
			c->vals[i] = tag_keys[(first + i) % ARRAY_SIZE(tag_keys)];
	}
	return 0;
}

int gen_make(const struct gen_profile *p, uint64_t seed, struct gen_set *ret)
{
	struct gen g = { .rng = { seed ^ 0x6761746568ull } };
	struct gen_set *s = ret;
	unsigned nst = p->npolicies * p->nstmts;
	int err = -ENOMEM;

	memset(s, 0, sizeof(*s));
	g.set = s;
	g.st_row = calloc(nst, sizeof(*g.st_row));
	g.st_inst = calloc(nst, sizeof(*g.st_inst));
	s->docs = gh_arena_array(&s->arena, p->npolicies, sizeof(*s->docs));
	s->doclens = gh_arena_array(&s->arena, p->npolicies, sizeof(*s->doclens));
	s->reqs = gh_arena_array(&s->arena, p->nrequests, sizeof(*s->reqs));
	if (!g.st_row || !g.st_inst || !s->docs || !s->doclens || !s->reqs)
		goto out;

	for (unsigned pi = 0; pi < p->npolicies; pi++) {
		struct sb b = { 0 };

		sb_add(&b, "{\"Version\": \"2012-10-17\", \"Statement\": [");
		for (unsigned si = 0; si < p->nstmts; si++) {
			err = statement(&g, &b, pi, si);
			if (err < 0) {
				free(b.buf);
				goto out;
			}
		}
		sb_add(&b, "]}");
		if (b.oom) {
			free(b.buf);
			err = -ENOMEM;
			goto out;
		}
		s->docs[pi] = gh_arena_strndup(&s->arena, b.buf, b.len);
		s->doclens[pi] = b.len;
		free(b.buf);
		if (!s->docs[pi]) {
			err = -ENOMEM;
			goto out;
		}
		s->ndocs++;
	}
	for (unsigned i = 0; i < p->nrequests; i++) {
		err = request(&g, &s->reqs[i]);
		if (err < 0)
			goto out;
		s->nreqs++;
	}
	err = 0;
out:
	free(g.st_row);
	free(g.st_inst);
	if (err < 0)
		gen_free(s);
	return err;
}

void gen_free(struct gen_set *s)
{
	free(s->pats);
	gh_arena_clear(&s->arena);
	memset(s, 0, sizeof(*s));
}

static void write_request(FILE *f, const struct gen_request *q)
{
	fprintf(f,
		"\"principal\": \"%s\", \"action\": \"%s\", \"resource\": \"%s\", \"context\": {",
		q->principal, q->action, q->resource);
	for (unsigned k = 0; k < q->nctx; k++) {
		const struct gen_ctx *c = &q->ctx[k];

		fprintf(f, "%s\"%s\": ", k ? ", " : "", c->key);
		if (c->multi) {
			fputc('[', f);
			for (unsigned j = 0; j < c->nvals; j++)
				fprintf(f, "%s\"%s\"", j ? ", " : "", c->vals[j]);
			fputc(']', f);
		} else {
			fprintf(f, "\"%s\"", c->vals[0]);
		}
	}
	fputc('}', f);
}

int gen_write_json(FILE *f, const struct gen_set *s, const char *profile, uint64_t seed,
		   const char *const *decisions, const char *const *matched, unsigned nreqs)
{
	fprintf(f, "{\"profile\": \"%s\", \"seed\": %llu, \"account\": \"%s\", \"policies\": [",
		profile, (unsigned long long)seed, GEN_ACCOUNT);
	for (unsigned i = 0; i < s->ndocs; i++)
		fprintf(f, "%s\n%s", i ? "," : "", s->docs[i]);
	fputs("],\n\"requests\": [", f);
	for (unsigned i = 0; i < nreqs && i < s->nreqs; i++) {
		fprintf(f, "%s\n{", i ? "," : "");
		write_request(f, &s->reqs[i]);
		fprintf(f, ", \"gatehouse\": \"%s\", \"gatehouse_matched\": %s}", decisions[i],
			matched && matched[i] ? matched[i] : "[]");
	}
	fputs("]}\n", f);
	return ferror(f) ? -EIO : 0;
}

void gen_write_case(FILE *f, const struct gen_set *s, unsigned i)
{
	fprintf(f, "{\"id\": %u, \"policies\": [", i);
	for (unsigned d = 0; d < s->ndocs; d++)
		fprintf(f, "%s%s", d ? ", " : "", s->docs[d]);
	fputs("], ", f);
	write_request(f, &s->reqs[i]);
	fputc('}', f);
}
