/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * GH_EXPORT marks the functions of the public API.  The libraries are
 * built with -fvisibility=hidden, so a shared libgh_authz exports these and
 * nothing else: whatever is not declared under include/gatehouse/ cannot
 * be linked against.
 */
#ifndef GATEHOUSE_EXPORT_H
#define GATEHOUSE_EXPORT_H

#if defined(__GNUC__) || defined(__clang__)
#define GH_EXPORT __attribute__((visibility("default")))
#else
#define GH_EXPORT
#endif

#endif
