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

#define REF_KNOWN_DISAGREEMENTS                                                                    \
	(REF_DEFECT(QMARK_UTF8) |	   /* issue 8 defect 8 */                                  \
	 REF_DEFECT(MAPPED_V4) |	   /* issue 8 defect 5 */                                  \
	 REF_DEFECT(ARN_EMPTY_PART) |	   /* issue 9 defect 1 */                                  \
	 REF_DEFECT(ASSUMEROLE_NO_TRUST) | /* issue 9 defect 2 */                                  \
	 REF_DEFECT(UNRESOLVED_VAR) |	   /* issue 9 defect 3 */                                  \
	 REF_DEFECT(MULTI_NO_SET) |	   /* issue 9 defect 4 */                                  \
	 REF_DEFECT(ANY_IFEXISTS_ABSENT) | /* issue 9 defect 5 */                                  \
	 REF_DEFECT(GET_CALLER_IDENTITY) | /* issue 9 defect 6 */                                  \
	 0u)

#endif
