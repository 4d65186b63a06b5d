/* test-util.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <stdlib.h>
#include <sys/wait.h>

#include "test-util.h"

char *
test_make_tmpdir (void)
{
  GError *error = NULL;
  char *dir = g_dir_make_tmp ("atalaya-test-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

void
test_rm_rf (const char *path)
{
  GDir *dir;
  const char *name;

  if (path == NULL)
    return;

  if (!g_file_test (path, G_FILE_TEST_IS_DIR) || g_file_test (path, G_FILE_TEST_IS_SYMLINK))
    {
      g_unlink (path);
      return;
    }

  dir = g_dir_open (path, 0, NULL);
  if (dir != NULL)
    {
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);
          test_rm_rf (child);
        }
      g_dir_close (dir);
    }
  g_rmdir (path);
}

char *
test_write_file (const char *dir,
                 const char *name,
                 const char *contents,
                 gssize      len)
{
  GError *error = NULL;
  char *path = g_build_filename (dir, name, NULL);

  g_file_set_contents (path, contents, len, &error);
  g_assert_no_error (error);
  return path;
}

/* The checksum of a store as a separate connection sees it. */
char *
test_store_checksum (const char *store_path)
{
  GError *error = NULL;
  g_autoptr(GisStore) store = gis_store_open (store_path, GIS_STORE_OPEN_READ_ONLY, &error);
  char *sum;

  g_assert_no_error (error);
  sum = gis_store_checksum (store, &error);
  g_assert_no_error (error);
  return sum;
}

GisStore *
test_new_store (const char *dir,
                const char *name)
{
  GError *error = NULL;
  g_autofree char *path = g_build_filename (dir, name, NULL);
  GisStore *store = gis_store_create (path, &error);

  g_assert_no_error (error);
  g_assert_nonnull (store);
  return store;
}

/* A file of the shared real datasets, or NULL when they are absent. */
char *
test_shared_data (const char *relative)
{
  const char *src = g_getenv ("ATALAYA_SOURCE_DIR");
  g_autofree char *path = NULL;

  if (src == NULL)
    return NULL;
  path = g_build_filename (src, "..", "shared", "data", relative, NULL);
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    return NULL;
  return g_steal_pointer (&path);
}

char *
test_cli_path (void)
{
  const char *build = g_getenv ("ATALAYA_BUILD_DIR");

  g_assert_nonnull (build);
  return g_build_filename (build, "app", "atalaya-cli", NULL);
}

/* Runs atalaya-cli with @args (NULL-terminated, without the program) and
 * returns its exit status. */
int
test_run_cli (const char *const *args,
              char              **out_stdout,
              char              **out_stderr)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  GError *error = NULL;
  int status = 0;

  g_ptr_array_add (argv, test_cli_path ());
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, g_strdup (args[i]));
  g_ptr_array_add (argv, NULL);

  g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                out_stdout, out_stderr, &status, &error);
  g_assert_no_error (error);
  if (WIFEXITED (status))
    return WEXITSTATUS (status);
  return -1;
}
