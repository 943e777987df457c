/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The reference packet classifier for the firewall: security groups and the
 * host inventory, read as JSON trees, classify the first packet of a flow
 * the way EC2 does, sharing nothing with src/fw/.  Tests compare it with
 * the compiled ruleset's own evaluator, fw_compiled_allows().
 */
#ifndef GH_FW_REF_H
#define GH_FW_REF_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

/*
 * Is a new flow allowed through interface @ifname of @host, inbound (@dir_in)
 * from or outbound to @peer (@family 4 or 6, 4 or 16 bytes), protocol
 * @proto, with @port the destination port (tcp, udp) or type << 8 | code
 * (icmp, icmpv6)?  @rules is a JSON array of the rules directory's parsed
 * files (SecurityGroups, Hosts, PrefixLists).  Rules the loader accepted only.
 */
bool fw_ref_allows(json_t *rules, const char *host, bool dir_in, const char *ifname, int family,
		   const uint8_t *peer, uint8_t proto, uint16_t port);

#endif
