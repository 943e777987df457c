/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * gatehoused's settings, from its flags and from a configuration file
 * (--config FILE), one table for both: a key of the file is the long
 * option's name, and its value is checked by the same code.  Flags win
 * over the file.  The file's format (README.md, "Configuration file"):
 *
 *   # a comment
 *   policies = /etc/gatehouse/policies
 *   socket   = /run/gatehoused/gatehoused.sock
 *   threads  = 2          # a '#' after a blank starts a comment
 *
 * Why not JSON through jansson: people edit this file by hand, want
 * comments in it, and every value is one word; the policies are JSON
 * because AWS's are.
 */
#ifndef GH_DAEMON_CONFIG_H
#define GH_DAEMON_CONFIG_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

#include "daemon/daemon.h"

enum gd_setting {
	GD_SET_POLICIES,
	GD_SET_SOCKET,
	GD_SET_MFA_SECRETS,
	GD_SET_DECISION_LOG,
	GD_SET_STATE,
	GD_SET_USER,
	GD_SET_SOCKET_MODE,
	GD_SET_SOCKET_GROUP,
	GD_SET_THREADS,
	GD_SET_MAX_BODY,
	GD_SET_MAX_HEADER,
	GD_SET_MAX_CONNECTIONS,
	GD_SET_IDLE_TIMEOUT,
	_GD_SET_MAX,
};

/**
 * struct gd_options - the settings (strings borrowed: from argv, or from
 * the configuration file's text, which lives as long as the daemon)
 * @set: which settings were given (a default otherwise)
 */
struct gd_options {
	const char *policies, *socket, *mfa_secrets, *decision_log, *state, *user, *group;
	mode_t mode;
	unsigned threads;
	struct gd_caps caps;
	bool set[_GD_SET_MAX];
};

/* The long option's name of @id ("socket-mode"), which is also its key in the file. */
const char *gd_setting_name(enum gd_setting id);

/* The defaults: socket mode 0660, 2 threads, the caps of daemon.h. */
void gd_options_init(struct gd_options *o);

/*
 * Set @id from @text.  0; or -1 with what is wrong in @err, in words that
 * follow the setting's name ("wants an octal mode such as 0660, got 'x'").
 */
int gd_option_set(struct gd_options *o, enum gd_setting id, const char *text, char *err,
		  size_t errsize);

/*
 * Read the configuration file @path into @o.  Every error is printed to
 * @errf as "gatehoused: PATH:LINE:COL: what" (an unknown key with the
 * closest known one), and then nothing is set: -1.  On success *@ret_text
 * is the file's text, which @o's strings point into (the caller frees it
 * after the last use of @o).
 */
int gd_config_read(const char *path, struct gd_options *o, char **ret_text, FILE *errf);

/* Each setting given in @over, copied over @base's. */
void gd_options_merge(struct gd_options *base, const struct gd_options *over);

#endif
