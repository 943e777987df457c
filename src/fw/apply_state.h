/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What gatehouse's last successful apply left in the kernel (apply_state.c):
 * the ruleset generation id after it, so that the next apply can tell that
 * nothing changed since (no transaction in any table) and skip reading the
 * table back.
 */
#ifndef GH_FW_APPLY_STATE_H
#define GH_FW_APPLY_STATE_H

#include <stdbool.h>
#include <stdint.h>

/**
 * struct fw_apply_state - a record of our last successful apply
 * @netns_dev: device of the network namespace (/proc/self/ns/net)
 * @netns_ino: inode of the network namespace
 * @genid: the kernel's ruleset generation right after that apply
 * @hash: structure hash of the ruleset applied
 * @handle: handle of our table after it
 */
struct fw_apply_state {
	uint64_t netns_dev, netns_ino;
	uint32_t genid;
	uint64_t hash, handle;
};

/*
 * Read the record of this network namespace into @st: true when there is
 * one (a missing, unreadable or malformed file is no record: apply then
 * reads the table back, as without it).
 */
bool fw_apply_state_load(struct fw_apply_state *st);

/* Record @st for this namespace (best effort), or with @st NULL forget it. */
void fw_apply_state_save(const struct fw_apply_state *st);

#endif
