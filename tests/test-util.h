/* test-util.h: helpers shared by the test suites
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "gis.h"

G_BEGIN_DECLS

char     *test_make_tmpdir        (void);
void      test_rm_rf              (const char  *path);
char     *test_write_file         (const char  *dir,
                                   const char  *name,
                                   const char  *contents,
                                   gssize       len);
char     *test_store_checksum     (const char  *store_path);
GisStore *test_new_store          (const char  *dir,
                                   const char  *name);
char     *test_shared_data        (const char  *relative);
char     *test_cli_path           (void);
int       test_run_cli            (const char *const *args,
                                   char       **out_stdout,
                                   char       **out_stderr);

G_END_DECLS
