/* SPDX-License-Identifier: MIT */
/* Files the lab writes: whole or not at all, and nothing left behind. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "file.h"

static void written_whole_and_replaced(void **state)
{
	char dir[] = "/tmp/lab-test-file-XXXXXX", path[128], tmp[140], buf[64] = "";
	struct lab_error err = { 0 };
	json_object *doc = json_tokener_parse("{\"a\": [1, 2]}");
	struct stat st;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/results.json", dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	assert_int_equal(lab_file_write(path, "old contents", 12, 0600, &err), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	/* a second write replaces the first, and no .tmp stays */
	assert_int_equal(lab_file_write_json(path, doc, JSON_C_TO_STRING_PLAIN, &err), 0);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_non_null(fgets(buf, sizeof(buf), f));
	fclose(f);
	assert_string_equal(buf, "{\"a\":[1,2]}");
	assert_int_equal(access(tmp, F_OK), -1);
	unlink(path);
	rmdir(dir);
	json_object_put(doc);
}

static void failure_names_the_file(void **state)
{
	struct lab_error err = { 0 };

	(void)state;
	assert_int_equal(lab_file_write("/nonexistent/dir/results.json", "x", 1, 0644, &err), -1);
	assert_non_null(strstr(err.msg, "/nonexistent/dir/results.json.tmp"));
	assert_non_null(strstr(err.msg, "No such file or directory"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(written_whole_and_replaced),
		cmocka_unit_test(failure_names_the_file),
	};

	return cmocka_run_group_tests_name("file", tests, NULL, NULL);
}
