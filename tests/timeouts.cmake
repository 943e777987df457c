# SPDX-License-Identifier: GPL-2.0-or-later
#
# Every CTest test has a TIMEOUT (issue 8): a test added in a new directory
# that forgets gh_default_timeouts() would otherwise hang CI on a blow-up.
# Usage: cmake -DCTEST=<ctest> -DBUILD_DIR=<build dir> -P tests/timeouts.cmake
execute_process(COMMAND ${CTEST} --show-only=json-v1 WORKING_DIRECTORY ${BUILD_DIR}
	OUTPUT_VARIABLE json RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
	message(FATAL_ERROR "ctest --show-only=json-v1 failed (${rc})")
endif()
string(JSON ntests LENGTH "${json}" tests)
set(missing "")
math(EXPR last "${ntests} - 1")
foreach(i RANGE ${last})
	string(JSON name GET "${json}" tests ${i} name)
	string(JSON nprops ERROR_VARIABLE err LENGTH "${json}" tests ${i} properties)
	set(timeout "")
	if(NOT err AND nprops GREATER 0)
		math(EXPR lastp "${nprops} - 1")
		foreach(k RANGE ${lastp})
			string(JSON pname GET "${json}" tests ${i} properties ${k} name)
			if(pname STREQUAL "TIMEOUT")
				string(JSON timeout GET "${json}" tests ${i} properties ${k} value)
			endif()
		endforeach()
	endif()
	if(NOT timeout OR timeout LESS_EQUAL 0)
		list(APPEND missing ${name})
	endif()
endforeach()
if(missing)
	message(FATAL_ERROR "tests without a TIMEOUT: ${missing}")
endif()
message(STATUS "${ntests} tests, each with a TIMEOUT")
