/* test-cli-query.c: atalaya-cli query, against the library and by hand
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "gis.h"
#include "test-util.h"

static const char *sample;

static int
run (char       **out,
     char       **err,
     const char  *first,
     ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  va_list ap;
  const char *arg;
  int rc;

  va_start (ap, first);
  for (arg = first; arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (args, (gpointer) arg);
  va_end (ap);
  g_ptr_array_add (args, NULL);

  rc = test_run_cli ((const char *const *) args->pdata, out, err);
  g_test_message ("exit %d\nstdout: %.2000s\nstderr: %s", rc, out ? *out : "", err ? *err : "");
  return rc;
}

static gboolean
skip_without_store (void)
{
  if (sample == NULL)
    {
      g_test_skip ("no sample store: build it with ./dev.sh test or data-samples/build-sample-store.sh");
      return TRUE;
    }
  return FALSE;
}

/* What the library finds for the same query. */
static GArray *
library (const char *layer,
         const char *text)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GisStore) store = gis_store_open (sample, GIS_STORE_OPEN_READ_ONLY, &error);
  g_autoptr(GisQuery) query = NULL;
  GArray *fids;

  g_assert_no_error (error);
  query = gis_query_parse (layer, text, &error);
  g_assert_no_error (error);
  fids = gis_query_run (store, query, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  return fids;
}

static guint
count_of (const char *out)
{
  char *end = NULL;
  guint64 n = g_ascii_strtoull (out, &end, 10);

  g_assert_true (end != out && *end == '\n');
  return (guint) n;
}

static void
test_count_and_fids (void)
{
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr(GArray) expected = NULL;
  g_auto(GStrv) lines = NULL;

  if (skip_without_store ())
    return;
  expected = library ("incidents", "inside habitat and severity >= 4");
  g_assert_cmpuint (expected->len, >, 0);

  /* the condition as separate words, as a shell passes it unquoted */
  g_assert_cmpint (run (&out, &err, "query", sample, "incidents", "inside", "habitat", "and",
                        "severity", ">=", "4", "--count", NULL), ==, 0);
  g_assert_cmpuint (count_of (out), ==, expected->len);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run (&out, &err, "query", sample, "incidents", "--inside", "habitat",
                        "--where", "severity >= 4", "--fids", NULL), ==, 0);
  lines = g_strsplit (out, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, expected->len + 1);
  for (guint i = 0; i < expected->len; i++)
    g_assert_cmpint (g_ascii_strtoll (lines[i], NULL, 10), ==, g_array_index (expected, gint64, i));
}

static void
test_flags (void)
{
  static const struct
  {
    const char *flag, *value, *text;
  } cases[] = {
    { "--within", "50:ports", "within 50 km of ports" },
    { "--beyond", "50:ports", "not within 50 km of ports" },
    { "--outside", "habitat", "not inside habitat" },
    { "--intersects", "habitat", "intersects habitat" },
    { "--disjoint", "habitat", "disjoint habitat" },
    { "--nearest", "2:ports", "nearest 2 to ports" },
    { "--within", "150:POINT(-106.4 31.7)", "within 150 km of point(-106.4 31.7)" },
  };

  if (skip_without_store ())
    return;
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *out = NULL, *err = NULL;
      g_autoptr(GArray) expected = library ("facilities", cases[i].text);

      g_assert_cmpint (run (&out, &err, "query", sample, "facilities", cases[i].flag, cases[i].value,
                            "--count", NULL), ==, 0);
      g_assert_cmpuint (count_of (out), ==, expected->len);
    }

  {
    /* --any: one or the other */
    g_autofree char *out = NULL, *err = NULL;
    g_autoptr(GArray) expected = library ("facilities", "within 30 km of ports or inside habitat");

    g_assert_cmpint (run (&out, &err, "query", sample, "facilities", "--within", "30:ports",
                          "--inside", "habitat", "--any", "--count", NULL), ==, 0);
    g_assert_cmpuint (count_of (out), ==, expected->len);
  }
  {
    /* dates, and geodesic distances */
    g_autofree char *out = NULL, *err = NULL;
    g_autoptr(GArray) expected = library ("incidents", "within 40 km of ports geodesic and date from 2020 to 2021");

    g_assert_cmpint (run (&out, &err, "query", sample, "incidents", "--within", "40:ports", "--geodesic",
                          "--from", "2020", "--to", "2021", "--count", NULL), ==, 0);
    g_assert_cmpuint (count_of (out), ==, expected->len);
  }
}

static void
test_json_and_explain (void)
{
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) expected = NULL;
  JsonObject *obj;

  if (skip_without_store ())
    return;
  expected = library ("ports", "within 20 km of facilities");
  g_assert_cmpint (run (&out, &err, "query", sample, "ports", "within 20 km of facilities", "--json", NULL), ==, 0);
  json_parser_load_from_data (parser, out, -1, &error);
  g_assert_no_error (error);
  obj = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpint (json_object_get_int_member (obj, "count"), ==, expected->len);
  g_assert_cmpint (json_array_get_length (json_object_get_array_member (obj, "fids")), ==, expected->len);
  g_assert_cmpstr (json_object_get_string_member (obj, "condition"), ==, "within 20 km of facilities");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* values are parameters, not SQL text */
  g_assert_cmpint (run (&out, &err, "query", sample, "incidents", "category = 'x'' OR 1=1 --'", "--explain",
                        NULL), ==, 0);
  g_assert_nonnull (strstr (out, "\"category\" = ?1"));
  g_assert_nonnull (strstr (out, "?1 = 'x'' OR 1=1 --'"));
}

static void
test_ready (void)
{
  static const char *const ids[] = {
    "facilities-uncovered", "incidents-in-habitat", "incidents-near-border", "habitat-unprotected",
  };

  if (skip_without_store ())
    return;
  for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
    {
      g_autofree char *out = NULL, *err = NULL;
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autoptr(GError) error = NULL;
      g_autoptr(GArray) expected = NULL;
      JsonObject *obj;

      g_assert_cmpint (run (&out, &err, "query", sample, "--ready", ids[i], "--json", NULL), ==, 0);
      json_parser_load_from_data (parser, out, -1, &error);
      g_assert_no_error (error);
      obj = json_node_get_object (json_parser_get_root (parser));
      expected = library (json_object_get_string_member (obj, "layer"),
                          json_object_get_string_member (obj, "condition"));
      g_assert_cmpint (json_object_get_int_member (obj, "count"), ==, expected->len);
      g_assert_cmpint (expected->len, >, 0);

      if (g_str_equal (ids[i], "incidents-near-border"))
        {
          /* by side: the groups add up to the count */
          JsonObject *groups = json_object_get_object_member (obj, "groups");
          g_autoptr(GList) members = json_object_get_members (groups);
          gint64 sum = 0;

          for (GList *l = members; l != NULL; l = l->next)
            sum += json_object_get_int_member (groups, l->data);
          g_assert_cmpint (sum, ==, expected->len);
          g_assert_true (json_object_has_member (groups, "US"));
          g_assert_true (json_object_has_member (groups, "MX"));
        }
    }
}

static void
test_save (void)
{
  g_autofree char *dir = NULL;
  g_autofree char *store = NULL;
  g_autofree char *out = NULL, *err = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autoptr(GArray) expected = NULL;

  if (skip_without_store ())
    return;
  dir = test_make_tmpdir ();
  store = g_build_filename (dir, "copy.sqlite", NULL);
  {
    g_autoptr(GFile) a = g_file_new_for_path (sample);
    g_autoptr(GFile) b = g_file_new_for_path (store);
    g_autoptr(GError) error = NULL;

    g_file_copy (a, b, G_FILE_COPY_NONE, NULL, NULL, NULL, &error);
    g_assert_no_error (error);
  }

  /* a ready query saved as a layer, with its columns */
  g_assert_cmpint (run (&out, &err, "query", store, "--ready", "incidents-near-border", "--km", "10",
                        "--save-as", "near border", "-q", NULL), ==, 0);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run (&out, &err, "sql", store,
                        "SELECT count(*), count(side), min(border_km) >= 0, max(border_km) <= 10.000001 "
                        "FROM near_border", "--csv", NULL), ==, 0);
  expected = library ("incidents", "within 10 km of international_boundary");
  {
    g_autofree char *line = g_strdup_printf ("%u,%u,1,1", expected->len, expected->len);

    g_assert_nonnull (strstr (out, line));
  }
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* saved queries: save, list, run, delete */
  g_assert_cmpint (run (&out, &err, "query", store, "facilities", "not within 50 km of ports",
                        "--save-query", "far", "-q", NULL), ==, 0);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run (&out, &err, "query", store, "--list-saved", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "far\tfacilities\tnot within 50 km of ports"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run (&out, &err, "query", store, "--saved", "far", "--count", NULL), ==, 0);
  {
    g_autoptr(GArray) far = library ("facilities", "not within 50 km of ports");

    g_assert_cmpuint (count_of (out), ==, far->len);
  }
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run (&out, &err, "query", store, "--delete-saved", "far", "-q", NULL), ==, 0);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* failures change nothing */
  before = test_store_checksum (store);
  g_assert_cmpint (run (&out, &err, "query", store, "--saved", "far", NULL), ==, 1);
  g_assert_nonnull (strstr (err, "far"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run (&out, &err, "query", store, "incidents", "severity > 1", "--save-as", "near border",
                        NULL), ==, 1);
  g_assert_nonnull (strstr (err, "near border"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run (&out, &err, "query", store, "incidents", "depth > 1", "--save-as", "deep", NULL), ==, 1);
  after = test_store_checksum (store);
  g_assert_cmpstr (before, ==, after);

  test_rm_rf (dir);
}

static void
test_errors (void)
{
  static const struct
  {
    int         rc;
    const char *a, *b, *c, *in_message;
  } cases[] = {
    { 1, "incidents", "severity >= x", NULL, "column 13" },
    { 1, "incidents", "depth > 3", NULL, "depth" },
    { 1, "nowhere", "severity > 3", NULL, "nowhere" },
    { 1, "incidents\"; DROP TABLE ports; --", "severity > 3", NULL, "DROP TABLE" },
    { 1, "incidents", "inside \"habitat'; DROP TABLE ports; --\"", NULL, "DROP TABLE" },
    { 1, "incidents", "--within", "fifty:ports", "fifty" },
    { 1, "incidents", "--nearest", "1.5:ports", "1.5" },
    { 2, "incidents", "--ready", "nope", NULL },
    { 2, "incidents", "--km", "5", NULL },
    { 2, "incidents", "--count", "--json", NULL },
  };

  if (skip_without_store ())
    return;
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *out = NULL, *err = NULL;

      g_assert_cmpint (run (&out, &err, "query", sample, cases[i].a, cases[i].b, cases[i].c, NULL), ==, cases[i].rc);
      if (cases[i].in_message != NULL)
        {
          g_assert_nonnull (strstr (err, cases[i].in_message));
          g_assert_cmpuint (strlen (err), ==, strcspn (err, "\n") + 1);
        }
    }
}

int
main (int   argc,
      char *argv[])
{
  const char *path = g_getenv ("ATALAYA_SAMPLE_STORE");

  g_test_init (&argc, &argv, NULL);
  gis_init ();
  if (path != NULL && g_file_test (path, G_FILE_TEST_EXISTS))
    sample = path;

  g_test_add_func ("/cli-query/count-and-fids", test_count_and_fids);
  g_test_add_func ("/cli-query/flags", test_flags);
  g_test_add_func ("/cli-query/json-and-explain", test_json_and_explain);
  g_test_add_func ("/cli-query/ready", test_ready);
  g_test_add_func ("/cli-query/save", test_save);
  g_test_add_func ("/cli-query/errors", test_errors);

  return g_test_run ();
}
