/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The engine's known defects: classes of input on which the production
 * engine and the reference may disagree today, each an open defect of
 * issue 8 or 9 (ref_eval.h, REF_DEFECTS, says which).  A disagreement is
 * tolerated only when the case went through one of these classes (the
 * reference reports that in ref_result.touched).  Delete a line when the
 * fix of its defect merges: the comparison then holds the engine to it.
 */
#ifndef GH_REF_KNOWN_DISAGREEMENTS_H
#define GH_REF_KNOWN_DISAGREEMENTS_H

#include "ref_eval.h"

/*
 * Empty: the fixes of every class of REF_DEFECTS (issue 8 defects 5, 8; issue 9
 * defects 1 to 6) have merged, so the engine is held to the reference on
 * all of them.  A new known defect goes here as REF_DEFECT(NAME) | ...
 * until its fix merges.
 */
#define REF_KNOWN_DISAGREEMENTS 0u

#endif
