/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Placeholder translation unit until the firewall compiler lands. */
#include <gatehouse/diag.h>
