/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A per-thread region for the jansson values of one short task.
 *
 * Why: `gatehouse simulate` builds a tree for each case and each new
 * policy document in it, compiles them and drops them, thousands of times
 * a second.  Each jansson value is two or three malloc()s and as many
 * free()s, and those were a quarter of the instructions of a benchmark
 * stream.  Between gh_jregion_begin() and gh_jregion_end(), jansson's
 * values on this thread are carved from the thread's region instead;
 * freeing one is free; gh_jregion_reset() takes them all back at once,
 * and the region's blocks are kept for the thread's next task.
 *
 * How: jansson's allocator (json_set_alloc_funcs) is replaced, once, by a
 * pair that allocates from the calling thread's region while it is active
 * and with malloc() otherwise, and frees with free() any pointer that is
 * not in the thread's region.  So every other jansson value of the program
 * is as before, whenever it was made.  That replacement is only made when
 * jansson still has its default allocator (a program linking the engine
 * that set its own is left alone: gh_jregion_begin() then says no and
 * everything is malloc'ed as usual).
 *
 * Rules for a caller: a value made in the region must not be handed to
 * another thread, and must be dropped (or never used again) before
 * gh_jregion_reset().  Under AddressSanitizer the region's free bytes are
 * poisoned, so a value used after the reset is reported as it would be
 * after a free().
 */
#ifndef GH_JREGION_H
#define GH_JREGION_H

#include <jansson.h>
#include <stdbool.h>

/*
 * This thread's jansson values now come from its region; false when the
 * region cannot be used (another allocator is installed) and they are
 * malloc'ed as usual.
 */
bool gh_jregion_begin(void);
/* Back to malloc() for new values; those made in the region stay valid. */
void gh_jregion_end(void);
/* Every value made in this thread's region is gone (gh_jregion_end()ed first). */
void gh_jregion_reset(void);
/*
 * As gh_jregion_reset(), and the region's blocks are handed back to the
 * system too: for a thread that made one large tree and will not soon make
 * another (a store's load), whose blocks kept would only add to its RSS.
 */
void gh_jregion_release(void);
/* Whether this thread's new jansson values come from its region now (a task is under way). */
bool gh_jregion_active(void);

/**
 * struct gh_jregion_mark - where this thread's region was carving
 * (gh_jregion_mark()), for taking back what was made since
 */
struct gh_jregion_mark {
	unsigned cur;
	void *next;
	bool active;
};

/*
 * A short task inside a long one (a policy document read, compiled and
 * dropped while an export's tree is kept): gh_jregion_rewind() takes back
 * every value made in the region since gh_jregion_mark(), so that the
 * documents of a whole export do not pile up until the reset.  Every value
 * made in between must be dropped first, and none made before may have
 * grown in between (a member added to an older object is made then).
 * Both do nothing when the region is not active.
 */
void gh_jregion_mark(struct gh_jregion_mark *ret);
void gh_jregion_rewind(const struct gh_jregion_mark *m);

/*
 * Drop @v, a tree made wholly while this thread's region was active (or
 * wholly outside it): when it is in the region, and no value since the
 * last reset had to be malloc'ed instead, it is left as it is for the next
 * gh_jregion_rewind(), _reset() or _release() to take back with the rest
 * (json_decref() of an export's tree walked a million values to free
 * nothing); else json_decref(@v).  Nothing may use @v afterwards.
 */
void gh_jregion_drop(json_t *v);

#endif
