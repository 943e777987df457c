/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The state file of apply's fast path: one line recording the ruleset
 * generation id our last successful apply left.  It cannot live in the
 * table (writing it there changes the generation), so it is a file, one
 * per network namespace: $GATEHOUSE_FW_STATE, else
 * /run/gatehouse/fw-NETNSDEV-NETNSINODE.state (tmpfs: gone at reboot, as
 * the kernel's ruleset is).  It is only ever a reason to skip work: a
 * record that does not match what the kernel says makes apply read the
 * table back.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fw/apply_state.h"

#define STATE_DIR "/run/gatehouse"

static bool netns_id(uint64_t *dev, uint64_t *ino)
{
	struct stat sb;

	if (stat("/proc/self/ns/net", &sb) < 0)
		return false;
	*dev = (uint64_t)sb.st_dev;
	*ino = (uint64_t)sb.st_ino;
	return true;
}

static bool state_path(char *buf, size_t size, uint64_t dev, uint64_t ino)
{
	const char *env = getenv("GATEHOUSE_FW_STATE");
	int k;

	if (env && *env)
		k = snprintf(buf, size, "%s", env);
	else
		k = snprintf(buf, size, STATE_DIR "/fw-%" PRIu64 "-%" PRIu64 ".state", dev, ino);
	return k > 0 && (size_t)k < size;
}

bool fw_apply_state_load(struct fw_apply_state *st)
{
	char path[4096];
	uint64_t dev, ino;
	FILE *f;
	int k;

	if (!netns_id(&dev, &ino) || !state_path(path, sizeof(path), dev, ino))
		return false;
	f = fopen(path, "re");
	if (!f)
		return false;
	k = fscanf(f,
		   "gatehouse-fw-state 1 netns %" SCNu64 " %" SCNu64 " generation %" SCNu32
		   " hash %" SCNx64 " table %" SCNu64,
		   &st->netns_dev, &st->netns_ino, &st->genid, &st->hash, &st->handle);
	fclose(f);
	/* A record of another namespace ($GATEHOUSE_FW_STATE shared) is none. */
	return k == 5 && st->netns_dev == dev && st->netns_ino == ino;
}

void fw_apply_state_save(const struct fw_apply_state *st)
{
	char path[4096], tmp[4200];
	uint64_t dev, ino;
	FILE *f;

	if (!netns_id(&dev, &ino) || !state_path(path, sizeof(path), dev, ino))
		return;
	if (!st) {
		unlink(path);
		return;
	}
	if (!getenv("GATEHOUSE_FW_STATE"))
		(void)mkdir(STATE_DIR, 0755);
	snprintf(tmp, sizeof(tmp), "%s.%ld", path, (long)getpid());
	f = fopen(tmp, "we");
	if (!f)
		return;
	fprintf(f,
		"gatehouse-fw-state 1 netns %" PRIu64 " %" PRIu64 " generation %" PRIu32
		" hash %" PRIx64 " table %" PRIu64 "\n",
		dev, ino, st->genid, st->hash, st->handle);
	/* Renamed into place whole: a reader never sees half a record. */
	if (fclose(f) != 0 || rename(tmp, path) < 0)
		unlink(tmp);
}
