/* test-cli-edit.c: atalaya-cli identify and edit, end to end
 *
 * Each test builds a small store with atalaya-cli itself (init, import of
 * CSV files written here), runs the command, and reads the store back on
 * its own connection with its own SQL: the rows, the registry's counts,
 * SpatiaLite's ST_Contains for the habitat a point lies in and its
 * ellipsoidal ST_Distance for identify's distances, and the whole store's
 * checksum around every command that must not change it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-cli-edit"

#include "config.h"

#include <json-glib/json-glib.h>
#include <math.h>
#include <sqlite3.h>
#include <string.h>

#include "gis.h"
#include "gis-sql-private.h"
#include "gis-store-private.h"
#include "test-util.h"

#define CASES    "Wildlife cases"
#define HABITAT  "Critical habitat"
#define PATROLS  "Patrols"
#define LOOKUP   "Lookup"

/* ---- data ------------------------------------------------------------------ */

/* Two overlapping squares, a square with a hole, a multipolygon and a
 * polygon without a name (as in test-edit.c). */
static const char habitat_csv[] =
  "nombre,code,wkt\n"
  "Sonoran Wildlife Refuge,S1,\"POLYGON((-112 31,-110 31,-110 33,-112 33,-112 31))\"\n"
  "Overlap Marsh,S2,\"POLYGON((-111 32,-109 32,-109 34,-111 34,-111 32))\"\n"
  "Ring Forest,R1,\"POLYGON((-100 40,-96 40,-96 44,-100 44,-100 40),(-99 41,-97 41,-97 43,-99 43,-99 41))\"\n"
  "Twin Lakes,T1,\"MULTIPOLYGON(((-90 30,-89 30,-89 31,-90 31,-90 30)),((-88 30,-87 30,-87 31,-88 31,-88 30)))\"\n"
  ",N1,\"POLYGON((-80 45,-79 45,-79 46,-80 46,-80 45))\"\n";

/* A inside S1; E inside S1 and S2; B, C and D outside every habitat, C
 * about 100 m and D about 200 m north of B. */
static const char cases_csv[] =
  "name,severity,weight,occurred_at,lon,lat\n"
  "Case A,3,1.5,2023-01-02T10:00:00Z,-111.5,31.5\n"
  "Case B,5,2.25,2023-02-03T10:00:00Z,-95,38\n"
  "Case C,1,0.5,2023-03-04T10:00:00Z,-95,38.0009\n"
  "Case D,2,7.75,2023-04-05T10:00:00Z,-95,38.0018\n"
  "Case E,4,3.5,2023-05-06T10:00:00Z,-110.5,32.5\n";

/* Patrol 2 lies exactly on Case B, one layer higher. */
static const char patrols_csv[] =
  "name,lon,lat\n"
  "Patrol 1,-111.5,31.5\n"
  "Patrol 2,-95,38\n";

static const char lookup_csv[] =
  "code,label\n"
  "a,Alpha\n";

typedef struct
{
  char *dir;
  char *store;
} Fixture;

/* ---- running the tool ---------------------------------------------------------- */

static int
run_argv (const char *const *args,
          char              **out,
          char              **err)
{
  int rc = test_run_cli (args, out, err);

  g_test_message ("exit %d\nstdout: %s\nstderr: %s", rc, *out, *err);
  return rc;
}

static int
run (char       **out,
     char       **err,
     const char  *first,
     ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  va_list ap;

  va_start (ap, first);
  for (const char *arg = first; arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (args, (gpointer) arg);
  va_end (ap);
  g_ptr_array_add (args, NULL);

  return run_argv ((const char *const *) args->pdata, out, err);
}

/* Runs atalaya-cli and expects success. */
static char *
run_ok (const char *first,
        ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autofree char *err = NULL;
  char *out = NULL;
  va_list ap;

  va_start (ap, first);
  for (const char *arg = first; arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (args, (gpointer) arg);
  va_end (ap);
  g_ptr_array_add (args, NULL);

  g_assert_cmpint (run_argv ((const char *const *) args->pdata, &out, &err), ==, 0);
  return out;
}

static guint
count_lines (const char *s)
{
  guint n = 0;

  for (; *s; s++)
    if (*s == '\n')
      n++;
  return n;
}

static JsonNode *
parse_json (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  return json_node_copy (json_parser_get_root (parser));
}

static double
parse_double (const char *text)
{
  char *end = NULL;
  double d = g_ascii_strtod (text, &end);

  g_assert_true (end != text && *end == '\0');
  return d;
}

/* ---- the store ----------------------------------------------------------------- */

static void
import_csv (Fixture    *f,
            const char *file_name,
            const char *contents,
            const char *first_option,
            ...)
{
  g_autofree char *path = test_write_file (f->dir, file_name, contents, -1);
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autofree char *out = NULL, *err = NULL;
  va_list ap;

  g_ptr_array_add (args, (gpointer) "import");
  g_ptr_array_add (args, f->store);
  g_ptr_array_add (args, path);
  va_start (ap, first_option);
  for (const char *arg = first_option; arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (args, (gpointer) arg);
  va_end (ap);
  g_ptr_array_add (args, NULL);

  g_assert_cmpint (run_argv ((const char *const *) args->pdata, &out, &err), ==, 0);
}

static GisStore *
open_store (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  GisStore *store = gis_store_open (f->store, GIS_STORE_OPEN_READ_ONLY, &error);

  g_assert_no_error (error);
  return store;
}

static sqlite3_stmt *
prepare (GisStore   *store,
         const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v2 (gis_store_get_db (store), sql, -1, &stmt, NULL);

  if (rc != SQLITE_OK)
    g_error ("%s: %s", sql, sqlite3_errmsg (gis_store_get_db (store)));
  return stmt;
}

/* The quoted table of layer @name. */
static char *
layer_table (Fixture    *f,
             const char *name)
{
  g_autoptr(GisStore) store = open_store (f);
  g_autoptr(sqlite3_stmt) stmt = prepare (store, "SELECT table_name FROM atalaya_layers WHERE name = ?1");

  sqlite3_bind_text (stmt, 1, name, -1, SQLITE_TRANSIENT);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  return gis_sql_quote_ident ((const char *) sqlite3_column_text (stmt, 0));
}

static gint64
row_count (Fixture    *f,
           const char *layer)
{
  g_autofree char *qt = layer_table (f, layer);
  g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM %s", qt);
  g_autoptr(GisStore) store = open_store (f);
  g_autoptr(sqlite3_stmt) stmt = prepare (store, sql);

  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  return sqlite3_column_int64 (stmt, 0);
}

static gint64
registry_count (Fixture    *f,
                const char *layer)
{
  g_autoptr(GisStore) store = open_store (f);
  g_autoptr(sqlite3_stmt) stmt = prepare (store, "SELECT feature_count FROM atalaya_layers WHERE name = ?1");

  sqlite3_bind_text (stmt, 1, layer, -1, SQLITE_TRANSIENT);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  return sqlite3_column_int64 (stmt, 0);
}

/* The fid of the feature of @layer whose "name" is @name. */
static gint64
fid_of (Fixture    *f,
        const char *layer,
        const char *name)
{
  g_autofree char *qt = layer_table (f, layer);
  g_autofree char *sql = g_strdup_printf ("SELECT fid FROM %s WHERE name = ?1", qt);
  g_autoptr(GisStore) store = open_store (f);
  g_autoptr(sqlite3_stmt) stmt = prepare (store, sql);

  sqlite3_bind_text (stmt, 1, name, -1, SQLITE_TRANSIENT);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  return sqlite3_column_int64 (stmt, 0);
}

static gint64
max_fid (Fixture    *f,
         const char *layer)
{
  g_autofree char *qt = layer_table (f, layer);
  g_autofree char *sql = g_strdup_printf ("SELECT max(fid) FROM %s", qt);
  g_autoptr(GisStore) store = open_store (f);
  g_autoptr(sqlite3_stmt) stmt = prepare (store, sql);

  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  return sqlite3_column_int64 (stmt, 0);
}

/* Every column of a row as text ("i:3", "r:2.5", "t:…", "b:<hex>",
 * "NULL"), or NULL when there is no such row. */
static GHashTable *
row_dump (Fixture    *f,
          const char *layer,
          gint64      fid)
{
  g_autofree char *qt = layer_table (f, layer);
  g_autofree char *sql = g_strdup_printf ("SELECT * FROM %s WHERE fid = ?1", qt);
  g_autoptr(GisStore) store = open_store (f);
  g_autoptr(sqlite3_stmt) stmt = prepare (store, sql);
  GHashTable *row;

  sqlite3_bind_int64 (stmt, 1, fid);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    return NULL;

  row = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  for (int i = 0; i < sqlite3_column_count (stmt); i++)
    {
      char *text;

      switch (sqlite3_column_type (stmt, i))
        {
        case SQLITE_INTEGER:
          text = g_strdup_printf ("i:%" G_GINT64_FORMAT, (gint64) sqlite3_column_int64 (stmt, i));
          break;
        case SQLITE_FLOAT:
          {
            char buf[G_ASCII_DTOSTR_BUF_SIZE];
            text = g_strconcat ("r:", g_ascii_dtostr (buf, sizeof buf, sqlite3_column_double (stmt, i)), NULL);
          }
          break;
        case SQLITE_TEXT:
          text = g_strconcat ("t:", (const char *) sqlite3_column_text (stmt, i), NULL);
          break;
        case SQLITE_BLOB:
          {
            const guint8 *data = sqlite3_column_blob (stmt, i);
            int n = sqlite3_column_bytes (stmt, i);
            GString *hex = g_string_new ("b:");

            for (int k = 0; k < n; k++)
              g_string_append_printf (hex, "%02x", data[k]);
            text = g_string_free (hex, FALSE);
          }
          break;
        default:
          text = g_strdup ("NULL");
          break;
        }
      g_hash_table_insert (row, g_strdup (sqlite3_column_name (stmt, i)), text);
    }
  return row;
}

/* Every column of @a and @b is equal but those in @except. */
static void
assert_rows_equal_except (GHashTable        *a,
                          GHashTable        *b,
                          const char *const *except)
{
  GHashTableIter iter;
  gpointer key, value;

  g_assert_cmpuint (g_hash_table_size (a), ==, g_hash_table_size (b));
  g_hash_table_iter_init (&iter, a);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      if (except != NULL && g_strv_contains (except, key))
        continue;
      g_test_message ("column %s", (const char *) key);
      g_assert_cmpstr (value, ==, g_hash_table_lookup (b, key));
    }
}

/* The point of feature @fid, read with SpatiaLite. */
static void
point_of (Fixture    *f,
          const char *layer,
          gint64      fid,
          double     *x,
          double     *y)
{
  g_autofree char *qt = layer_table (f, layer);
  g_autofree char *sql = g_strdup_printf ("SELECT X(geom), Y(geom), SRID(geom) FROM %s WHERE fid = ?1", qt);
  g_autoptr(GisStore) store = open_store (f);
  g_autoptr(sqlite3_stmt) stmt = prepare (store, sql);

  sqlite3_bind_int64 (stmt, 1, fid);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  *x = sqlite3_column_double (stmt, 0);
  *y = sqlite3_column_double (stmt, 1);
  g_assert_cmpint (sqlite3_column_int (stmt, 2), ==, 4326);
}

/* The habitat features whose polygon contains (lon, lat), by fid,
 * according to SpatiaLite's ST_Contains on the whole table. */
static GArray *
habitat_containing (Fixture *f,
                    double   lon,
                    double   lat)
{
  g_autofree char *qt = layer_table (f, HABITAT);
  g_autofree char *sql = g_strdup_printf ("SELECT fid FROM %s "
                                          "WHERE ST_Contains(geom, MakePoint(?1, ?2, 4326)) = 1 "
                                          "ORDER BY fid", qt);
  g_autoptr(GisStore) store = open_store (f);
  g_autoptr(sqlite3_stmt) stmt = prepare (store, sql);
  GArray *fids = g_array_new (FALSE, FALSE, sizeof (gint64));

  sqlite3_bind_double (stmt, 1, lon);
  sqlite3_bind_double (stmt, 2, lat);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      gint64 fid = sqlite3_column_int64 (stmt, 0);
      g_array_append_val (fids, fid);
    }
  return fids;
}

static char *
habitat_name (Fixture *f,
              gint64   fid)
{
  g_autofree char *qt = layer_table (f, HABITAT);
  g_autofree char *sql = g_strdup_printf ("SELECT nombre FROM %s WHERE fid = ?1", qt);
  g_autoptr(GisStore) store = open_store (f);
  g_autoptr(sqlite3_stmt) stmt = prepare (store, sql);

  sqlite3_bind_int64 (stmt, 1, fid);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  return g_strdup ((const char *) sqlite3_column_text (stmt, 0));
}

/* The "habitat" member of an edit's JSON equals @expected (fids). */
static void
assert_json_habitat (JsonObject *obj,
                     GArray     *expected)
{
  JsonArray *habitat = json_object_get_array_member (obj, "habitat");

  g_assert_cmpuint (json_array_get_length (habitat), ==, expected->len);
  for (guint i = 0; i < expected->len; i++)
    {
      JsonObject *m = json_array_get_object_element (habitat, i);

      g_assert_cmpstr (json_object_get_string_member (m, "layer"), ==, HABITAT);
      g_assert_cmpint (json_object_get_int_member (m, "fid"), ==, g_array_index (expected, gint64, i));
    }
}

static char *
checksum (Fixture *f)
{
  return test_store_checksum (f->store);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *out = NULL;

  f->dir = test_make_tmpdir ();
  f->store = g_build_filename (f->dir, "edit.sqlite", NULL);

  out = run_ok ("init", f->store, NULL);
  /* drawn bottom to top: lookup (no geometry), habitat, cases, patrols */
  import_csv (f, "lookup.csv", lookup_csv, "--name", LOOKUP, "--no-geometry", NULL);
  import_csv (f, "habitat.csv", habitat_csv, "--name", HABITAT, "--role", "habitat",
              "--wkt-field", "wkt", NULL);
  import_csv (f, "cases.csv", cases_csv, "--name", CASES, "--role", "incident",
              "--x-field", "lon", "--y-field", "lat", NULL);
  import_csv (f, "patrols.csv", patrols_csv, "--name", PATROLS,
              "--x-field", "lon", "--y-field", "lat", NULL);

  /* the patrols link to their habitat, as a window would have set up */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GisStore) store = gis_store_open (f->store, GIS_STORE_OPEN_READ_WRITE, &error);
    g_autoptr(GisLayer) layer = NULL;
    g_autoptr(GisEditor) editor = NULL;

    g_assert_no_error (error);
    layer = gis_store_get_layer (store, PATROLS, &error);
    g_assert_no_error (error);
    editor = gis_editor_new (store);
    g_assert_true (gis_editor_ensure_habitat_columns (editor, layer, &error));
    g_assert_no_error (error);
  }

  /* the columns have the types the tests rely on */
  {
    g_autofree char *info = run_ok ("info", f->store, CASES, "--json", NULL);
    g_autoptr(JsonNode) root = parse_json (info);
    JsonArray *fields = json_object_get_array_member (json_node_get_object (root), "fields");
    static const char *const expected[][2] = {
      { "name", "text" }, { "severity", "integer" }, { "weight", "real" }, { "occurred_at", "text" },
    };

    for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
      {
        gboolean found = FALSE;

        for (guint k = 0; k < json_array_get_length (fields); k++)
          {
            JsonObject *fo = json_array_get_object_element (fields, k);

            if (g_strcmp0 (json_object_get_string_member (fo, "name"), expected[i][0]) == 0)
              {
                g_assert_cmpstr (json_object_get_string_member (fo, "type"), ==, expected[i][1]);
                found = TRUE;
              }
          }
        g_assert_true (found);
      }
  }
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  test_rm_rf (f->dir);
  g_free (f->dir);
  g_free (f->store);
}

/* ---- add ---------------------------------------------------------------------- */

static void
test_add (Fixture       *f,
          gconstpointer  data)
{
  /* more digits than a double holds: the store must keep what strtod reads */
  const char *lon_text = "-110.123456789012345";
  const char *lat_text = "32.98765432109876";
  double lon = parse_double (lon_text), lat = parse_double (lat_text);
  gint64 count = row_count (f, CASES);
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GHashTable) row = NULL;
  g_autoptr(GArray) expected = habitat_containing (f, lon, lat);
  JsonObject *obj, *attrs;
  gint64 fid;
  double x, y;

  /* the point lies in both overlapping squares */
  g_assert_cmpuint (expected->len, ==, 2);

  g_assert_cmpint (run (&out, &err, "edit", f->store, CASES, "add", lon_text, lat_text,
                        "name=O'Brien \"x\" = y", "severity=4", "weight=2.5",
                        "occurred_at=2024-05-31", "--json", NULL), ==, 0);
  g_assert_cmpstr (err, ==, "");
  root = parse_json (out);
  obj = json_node_get_object (root);
  fid = json_object_get_int_member (obj, "fid");
  g_assert_cmpint (fid, >, 0);
  g_assert_cmpstr (json_object_get_string_member (obj, "action"), ==, "add");
  g_assert_cmpstr (json_object_get_string_member (obj, "layer"), ==, CASES);
  g_assert_true (json_object_get_double_member (obj, "lon") == lon);
  g_assert_true (json_object_get_double_member (obj, "lat") == lat);
  assert_json_habitat (obj, expected);
  attrs = json_object_get_object_member (obj, "attributes");
  g_assert_cmpstr (json_object_get_string_member (attrs, "name"), ==, "O'Brien \"x\" = y");
  g_assert_cmpint (json_object_get_int_member (attrs, "severity"), ==, 4);
  g_assert_cmpfloat (json_object_get_double_member (attrs, "weight"), ==, 2.5);

  /* the row, read back independently */
  g_assert_cmpint (row_count (f, CASES), ==, count + 1);
  g_assert_cmpint (registry_count (f, CASES), ==, count + 1);
  point_of (f, CASES, fid, &x, &y);
  g_assert_true (x == lon);
  g_assert_true (y == lat);
  row = row_dump (f, CASES, fid);
  g_assert_nonnull (row);
  g_assert_cmpstr (g_hash_table_lookup (row, "name"), ==, "t:O'Brien \"x\" = y");
  g_assert_cmpstr (g_hash_table_lookup (row, "severity"), ==, "i:4");
  g_assert_cmpstr (g_hash_table_lookup (row, "weight"), ==, "r:2.5");
  g_assert_cmpstr (g_hash_table_lookup (row, "occurred_at"), ==, "t:2024-05-31T00:00:00Z");
  g_clear_pointer (&root, json_node_unref);
  g_clear_pointer (&row, g_hash_table_unref);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* text output, no attributes, outside every habitat; an option after
   * the negative numbers */
  {
    g_autoptr(GArray) none = habitat_containing (f, -95.25, 38.25);
    g_assert_cmpuint (none->len, ==, 0);
  }
  g_assert_cmpint (run (&out, &err, "edit", f->store, CASES, "add", "-95.5", "38.5", "-q", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run (&out, &err, "edit", f->store, CASES, "add", "--", "-95.25", "38.25", NULL), ==, 0);
  {
    g_autofree char *expect = NULL;

    fid = max_fid (f, CASES);
    expect = g_strdup_printf ("#%" G_GINT64_FORMAT " ", fid);
    g_assert_nonnull (strstr (out, expect));
    g_assert_nonnull (strstr (out, "Not inside any habitat"));
    g_assert_cmpuint (count_lines (out), ==, 2);
  }
  row = row_dump (f, CASES, fid);
  g_assert_nonnull (row);
  g_assert_cmpstr (g_hash_table_lookup (row, "name"), ==, "NULL");
  g_assert_cmpstr (g_hash_table_lookup (row, "severity"), ==, "NULL");
  point_of (f, CASES, fid, &x, &y);
  g_assert_cmpfloat (x, ==, -95.25);
  g_assert_cmpfloat (y, ==, 38.25);
  g_assert_cmpint (row_count (f, CASES), ==, count + 3);
  g_assert_cmpint (registry_count (f, CASES), ==, count + 3);
}

/* Adding to a layer with habitat columns links the point to the habitat
 * the editor picks: the first by fid among the polygons that contain it. */
static void
test_add_linked (Fixture       *f,
                 gconstpointer  data)
{
  static const struct { double lon, lat; const char *lon_text, *lat_text; } points[] = {
    { -111.25, 32.75, "-111.25", "32.75" },   /* in S1 only */
    { -110.5, 32.5, "-110.5", "32.5" },       /* in S1 and S2 */
    { -98.0, 42.0, "-98", "42" },             /* in the hole of the ring */
    { -97.5, 40.5, "-97.5", "40.5" },         /* in the ring */
  };

  for (guint i = 0; i < G_N_ELEMENTS (points); i++)
    {
      g_autoptr(GArray) expected = habitat_containing (f, points[i].lon, points[i].lat);
      g_autofree char *out = run_ok ("edit", f->store, PATROLS, "add", points[i].lon_text,
                                     points[i].lat_text, "name=New patrol", "--json", NULL);
      g_autoptr(JsonNode) root = parse_json (out);
      JsonObject *obj = json_node_get_object (root);
      gint64 fid = json_object_get_int_member (obj, "fid");
      g_autoptr(GHashTable) row = row_dump (f, PATROLS, fid);
      JsonObject *attrs = json_object_get_object_member (obj, "attributes");

      assert_json_habitat (obj, expected);
      if (expected->len == 0)
        {
          g_assert_cmpstr (g_hash_table_lookup (row, "habitat_fid"), ==, "NULL");
          g_assert_cmpstr (g_hash_table_lookup (row, "habitat_name"), ==, "NULL");
          g_assert_true (json_object_get_null_member (attrs, "habitat_fid"));
        }
      else
        {
          gint64 first = g_array_index (expected, gint64, 0);
          g_autofree char *fid_text = g_strdup_printf ("i:%" G_GINT64_FORMAT, first);
          g_autofree char *name = habitat_name (f, first);
          g_autofree char *name_text = g_strconcat ("t:", name, NULL);

          g_assert_cmpstr (g_hash_table_lookup (row, "habitat_fid"), ==, fid_text);
          g_assert_cmpstr (g_hash_table_lookup (row, "habitat_name"), ==, name_text);
          g_assert_cmpint (json_object_get_int_member (attrs, "habitat_fid"), ==, first);
        }
    }
}

/* ---- move ---------------------------------------------------------------------- */

static void
test_move (Fixture       *f,
           gconstpointer  data)
{
  static const char *const moved_columns[] = { "geom", "habitat_fid", "habitat_name", NULL };
  gint64 fid = fid_of (f, PATROLS, "Patrol 1");
  gint64 count = row_count (f, PATROLS);
  g_autoptr(GHashTable) before = row_dump (f, PATROLS, fid);
  g_autoptr(GHashTable) after = NULL;
  g_autoptr(GArray) expected = habitat_containing (f, -110.5, 32.5);
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *out = NULL, *err = NULL;
  g_autofree char *fid_text = g_strdup_printf ("%" G_GINT64_FORMAT, fid);
  JsonObject *obj;
  double x, y;

  /* Patrol 1 starts in S1 and was linked to it */
  g_assert_cmpuint (expected->len, ==, 2);
  {
    g_autoptr(GArray) start = habitat_containing (f, -111.5, 31.5);
    g_autofree char *link = g_strdup_printf ("i:%" G_GINT64_FORMAT, g_array_index (start, gint64, 0));

    g_assert_cmpuint (start->len, ==, 1);
    g_assert_cmpstr (g_hash_table_lookup (before, "habitat_fid"), ==, link);
  }

  /* into the overlap: --json after the numbers */
  g_assert_cmpint (run (&out, &err, "edit", f->store, PATROLS, "move", fid_text, "-110.5", "32.5",
                        "--json", NULL), ==, 0);
  root = parse_json (out);
  obj = json_node_get_object (root);
  g_assert_cmpstr (json_object_get_string_member (obj, "action"), ==, "move");
  g_assert_cmpint (json_object_get_int_member (obj, "fid"), ==, fid);
  g_assert_cmpfloat (json_object_get_double_member (obj, "previous_lon"), ==, -111.5);
  g_assert_cmpfloat (json_object_get_double_member (obj, "previous_lat"), ==, 31.5);
  g_assert_cmpfloat (json_object_get_double_member (obj, "lon"), ==, -110.5);
  g_assert_cmpfloat (json_object_get_double_member (obj, "lat"), ==, 32.5);
  assert_json_habitat (obj, expected);

  point_of (f, PATROLS, fid, &x, &y);
  g_assert_cmpfloat (x, ==, -110.5);
  g_assert_cmpfloat (y, ==, 32.5);
  after = row_dump (f, PATROLS, fid);
  assert_rows_equal_except (before, after, moved_columns);
  {
    g_autofree char *link = g_strdup_printf ("i:%" G_GINT64_FORMAT, g_array_index (expected, gint64, 0));
    g_assert_cmpstr (g_hash_table_lookup (after, "habitat_fid"), ==, link);
  }
  g_assert_cmpint (row_count (f, PATROLS), ==, count);
  g_assert_cmpint (registry_count (f, PATROLS), ==, count);
  g_clear_pointer (&after, g_hash_table_unref);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* out of every habitat, exactly to an odd position: the link empties */
  {
    const char *lon_text = "-95.123456789012345", *lat_text = "38.000000000000007";

    g_assert_cmpint (run (&out, &err, "edit", f->store, PATROLS, "move", fid_text, lon_text, lat_text,
                          NULL), ==, 0);
    g_assert_nonnull (strstr (out, "Not inside any habitat"));
    g_assert_nonnull (strstr (out, fid_text));
    point_of (f, PATROLS, fid, &x, &y);
    g_assert_true (x == parse_double (lon_text));
    g_assert_true (y == parse_double (lat_text));
  }
  after = row_dump (f, PATROLS, fid);
  assert_rows_equal_except (before, after, moved_columns);
  g_assert_cmpstr (g_hash_table_lookup (after, "habitat_fid"), ==, "NULL");
  g_assert_cmpstr (g_hash_table_lookup (after, "habitat_name"), ==, "NULL");
}

/* ---- set ----------------------------------------------------------------------- */

static void
test_set (Fixture       *f,
          gconstpointer  data)
{
  static const char *const set_columns[] = { "name", "severity", "weight", NULL };
  gint64 fid = fid_of (f, CASES, "Case B");
  gint64 other = fid_of (f, CASES, "Case C");
  g_autofree char *fid_text = g_strdup_printf ("%" G_GINT64_FORMAT, fid);
  g_autoptr(GHashTable) before = row_dump (f, CASES, fid);
  g_autoptr(GHashTable) other_before = row_dump (f, CASES, other);
  g_autoptr(GHashTable) after = NULL;
  g_autoptr(GHashTable) other_after = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *out = NULL, *err = NULL;
  g_autofree char *sum = NULL, *sum_after = NULL;
  JsonObject *obj;
  JsonArray *changed;

  g_assert_cmpint (run (&out, &err, "edit", "--json", f->store, CASES, "set", fid_text,
                        "severity=2", "weight=", "name=Renamed=1", NULL), ==, 0);
  root = parse_json (out);
  obj = json_node_get_object (root);
  g_assert_cmpstr (json_object_get_string_member (obj, "action"), ==, "set");
  changed = json_object_get_array_member (obj, "changed");
  g_assert_cmpuint (json_array_get_length (changed), ==, 3);
  for (guint i = 0; i < 3; i++)
    g_assert_true (g_strv_contains (set_columns, json_array_get_string_element (changed, i)));
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (obj, "attributes"),
                                               "severity"), ==, 2);
  g_assert_true (json_object_get_null_member (json_object_get_object_member (obj, "attributes"),
                                              "weight"));

  after = row_dump (f, CASES, fid);
  assert_rows_equal_except (before, after, set_columns);
  g_assert_cmpstr (g_hash_table_lookup (after, "name"), ==, "t:Renamed=1");
  g_assert_cmpstr (g_hash_table_lookup (after, "severity"), ==, "i:2");
  g_assert_cmpstr (g_hash_table_lookup (after, "weight"), ==, "NULL");
  /* no other feature changed */
  other_after = row_dump (f, CASES, other);
  assert_rows_equal_except (other_before, other_after, NULL);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* the same values again change nothing at all */
  sum = checksum (f);
  g_assert_cmpint (run (&out, &err, "edit", f->store, CASES, "set", fid_text, "severity=2", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "already had"));
  sum_after = checksum (f);
  g_assert_cmpstr (sum, ==, sum_after);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* text output names the field with its old and new value; a date is
   * stored as ISO 8601; case-insensitive field names */
  g_assert_cmpint (run (&out, &err, "edit", f->store, CASES, "set", fid_text, "SEVERITY=3",
                        "occurred_at=2024-02-29T12:30:00Z", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "severity: 2 → 3"));
  g_clear_pointer (&after, g_hash_table_unref);
  after = row_dump (f, CASES, fid);
  g_assert_cmpstr (g_hash_table_lookup (after, "severity"), ==, "i:3");
  g_assert_cmpstr (g_hash_table_lookup (after, "occurred_at"), ==, "t:2024-02-29T12:30:00Z");
}

/* ---- delete -------------------------------------------------------------------- */

static void
test_delete (Fixture       *f,
             gconstpointer  data)
{
  gint64 fid = fid_of (f, CASES, "Case D");
  gint64 count = row_count (f, CASES);
  g_autofree char *fid_text = g_strdup_printf ("%" G_GINT64_FORMAT, fid);
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GHashTable) row = NULL;
  JsonObject *obj;

  g_assert_cmpint (run (&out, &err, "edit", f->store, CASES, "delete", fid_text, "--json", NULL), ==, 0);
  root = parse_json (out);
  obj = json_node_get_object (root);
  g_assert_cmpstr (json_object_get_string_member (obj, "action"), ==, "delete");
  g_assert_true (json_object_get_boolean_member (obj, "deleted"));
  g_assert_cmpint (json_object_get_int_member (obj, "fid"), ==, fid);
  g_assert_cmpfloat (json_object_get_double_member (obj, "lat"), ==, 38.0018);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (obj, "attributes"), "name"),
                   ==, "Case D");

  row = row_dump (f, CASES, fid);
  g_assert_null (row);
  g_assert_cmpint (row_count (f, CASES), ==, count - 1);
  g_assert_cmpint (registry_count (f, CASES), ==, count - 1);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* text */
  fid = fid_of (f, CASES, "Case A");
  g_free (fid_text);
  fid_text = g_strdup_printf ("%" G_GINT64_FORMAT, fid);
  g_assert_cmpint (run (&out, &err, "edit", f->store, CASES, "delete", fid_text, NULL), ==, 0);
  g_assert_nonnull (strstr (out, fid_text));
  g_assert_cmpuint (count_lines (out), ==, 1);
  g_assert_cmpint (row_count (f, CASES), ==, count - 2);
  g_assert_cmpint (registry_count (f, CASES), ==, count - 2);
}

/* ---- errors ---------------------------------------------------------------------- */

typedef struct
{
  const char *args[12];    /* after "edit STORE" or "identify STORE"; NULL-terminated */
  const char *names[3];    /* what the one line must name */
} ErrorCase;

static void
run_error_cases (Fixture         *f,
                 const char      *command,
                 const ErrorCase *cases,
                 guint            n_cases,
                 int              expected_rc)
{
  g_autofree char *sum = checksum (f);

  for (guint i = 0; i < n_cases; i++)
    {
      g_autoptr(GPtrArray) args = g_ptr_array_new ();
      g_autofree char *out = NULL, *err = NULL;
      g_autofree char *sum_after = NULL;
      g_auto(GStrv) lines = NULL;

      g_ptr_array_add (args, (gpointer) command);
      for (guint k = 0; cases[i].args[k] != NULL; k++)
        g_ptr_array_add (args, (gpointer) (g_strcmp0 (cases[i].args[k], "STORE") == 0
                                             ? f->store : cases[i].args[k]));
      g_ptr_array_add (args, NULL);

      g_assert_cmpint (run_argv ((const char *const *) args->pdata, &out, &err), ==, expected_rc);
      g_assert_cmpstr (out, ==, "");
      lines = g_strsplit (err, "\n", -1);
      g_assert_true (g_str_has_prefix (lines[0], "atalaya-cli: "));
      if (expected_rc == 1)
        g_assert_cmpuint (count_lines (err), ==, 1);
      else
        g_assert_nonnull (strstr (err, "Usage:"));
      for (guint k = 0; k < G_N_ELEMENTS (cases[i].names) && cases[i].names[k] != NULL; k++)
        {
          const char *name = g_strcmp0 (cases[i].names[k], "STORE") == 0 ? f->store : cases[i].names[k];

          if (strstr (lines[0], name) == NULL)
            g_error ("“%s” does not name “%s”", lines[0], name);
        }

      sum_after = checksum (f);
      g_assert_cmpstr (sum, ==, sum_after);
    }
}

static void
test_user_errors (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *b = g_strdup_printf ("%" G_GINT64_FORMAT, fid_of (f, CASES, "Case B"));
  g_autofree char *p = g_strdup_printf ("%" G_GINT64_FORMAT, fid_of (f, PATROLS, "Patrol 2"));
  g_autofree char *missing = g_build_filename (f->dir, "missing.sqlite", NULL);
  const ErrorCase edit_cases[] = {
    { { "STORE", "Nope", "delete", "1", NULL }, { "Nope", "STORE" } },
    { { "STORE", HABITAT, "delete", "1", NULL }, { HABITAT, "MULTIPOLYGON" } },
    { { "STORE", HABITAT, "add", "-111", "32", NULL }, { HABITAT } },
    { { "STORE", LOOKUP, "set", "1", "label=x", NULL }, { LOOKUP } },
    { { "STORE", CASES, "add", "-100", "40", "colour=red", NULL }, { "colour", CASES } },
    { { "STORE", CASES, "add", "-100", "40", "name=ok", "severity=high", NULL }, { "severity", "high" } },
    { { "STORE", CASES, "set", b, "weight=heavy", NULL }, { "weight", "heavy" } },
    { { "STORE", CASES, "set", b, "severity=2.5", NULL }, { "severity", "2.5" } },
    { { "STORE", CASES, "set", b, "occurred_at=yesterday", NULL }, { "occurred_at", "yesterday" } },
    { { "STORE", CASES, "set", b, "name=fine", "fid=7", NULL }, { "fid" } },
    { { "STORE", CASES, "move", "999999", "-100", "40", NULL }, { "999999", CASES } },
    { { "STORE", CASES, "set", "999999", "name=x", NULL }, { "999999", CASES } },
    { { "STORE", CASES, "delete", "999999", NULL }, { "999999", CASES } },
    { { "STORE", CASES, "delete", "-3", NULL }, { "-3", CASES } },
    { { "STORE", CASES, "add", "-180.5", "40", NULL }, { "-180.5", "ongitude" } },
    { { "STORE", CASES, "add", "10", "90.5", NULL }, { "90.5", "atitude" } },
    { { "STORE", CASES, "move", b, "200", "0", NULL }, { "200" } },
    { { "STORE", CASES, "move", b, "0", "nan", NULL }, { "nan" } },
    { { "STORE", PATROLS, "set", p, "habitat_fid=3", NULL }, { "habitat_fid", PATROLS } },
    { { "STORE", PATROLS, "add", "-111", "32", "habitat_name=Elsewhere", NULL }, { "habitat_name" } },
    { { missing, CASES, "delete", "1", NULL }, { missing } },
  };
  const ErrorCase identify_cases[] = {
    { { "STORE", "0", "-91", NULL }, { "-91" } },
    { { "STORE", "180.01", "0", NULL }, { "180.01" } },
    { { "STORE", "0", "0", "--layer", "Nope", NULL }, { "Nope" } },
    { { missing, "0", "0", NULL }, { missing } },
  };

  run_error_cases (f, "edit", edit_cases, G_N_ELEMENTS (edit_cases), 1);
  run_error_cases (f, "identify", identify_cases, G_N_ELEMENTS (identify_cases), 1);
}

static void
test_usage_errors (Fixture       *f,
                   gconstpointer  data)
{
  const ErrorCase edit_cases[] = {
    { { NULL }, { NULL } },
    { { "STORE", NULL }, { NULL } },
    { { "STORE", CASES, NULL }, { NULL } },
    { { "STORE", CASES, "frob", "1", NULL }, { "frob" } },
    { { "STORE", CASES, "add", "-100", NULL }, { NULL } },
    { { "STORE", CASES, "move", "1", "-100", NULL }, { NULL } },
    { { "STORE", CASES, "move", "1", "-100", "40", "9", NULL }, { NULL } },
    { { "STORE", CASES, "set", "1", NULL }, { NULL } },
    { { "STORE", CASES, "delete", NULL }, { NULL } },
    { { "STORE", CASES, "delete", "1", "2", NULL }, { NULL } },
    { { "STORE", CASES, "set", "1", "severity", NULL }, { "severity" } },
    { { "STORE", CASES, "set", "1", "=3", NULL }, { "=3" } },
    { { "STORE", CASES, "set", "1", "name=a", "Name=b", NULL }, { "Name" } },
    { { "STORE", CASES, "add", "-100", "40", "name", NULL }, { "name" } },
    { { "STORE", CASES, "move", "abc", "-100", "40", NULL }, { "abc" } },
    { { "STORE", CASES, "delete", "1.5", NULL }, { "1.5" } },
    { { "STORE", CASES, "add", "west", "40", NULL }, { "west" } },
    { { "STORE", CASES, "add", "-100", "40N", NULL }, { "40N" } },
    { { "STORE", CASES, "delete", "1", "--no-such-option", NULL }, { "no-such-option" } },
  };
  const ErrorCase identify_cases[] = {
    { { NULL }, { NULL } },
    { { "STORE", "-100", NULL }, { NULL } },
    { { "STORE", "-100", "40", "1", NULL }, { NULL } },
    { { "STORE", "x", "40", NULL }, { "x" } },
    { { "STORE", "-100", "40", "--tolerance", "-1", NULL }, { NULL } },
    { { "STORE", "-100", "40", "--tolerance", "far", NULL }, { "far" } },
    { { "STORE", "-100", "40", "--limit", "-1", NULL }, { NULL } },
  };
  g_autofree char *out = NULL, *err = NULL;

  run_error_cases (f, "edit", edit_cases, G_N_ELEMENTS (edit_cases), 2);
  run_error_cases (f, "identify", identify_cases, G_N_ELEMENTS (identify_cases), 2);

  /* help */
  g_assert_cmpint (run (&out, &err, "edit", "--help", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "add LON LAT"));
  g_assert_nonnull (strstr (out, "--json"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run (&out, &err, "identify", "--help", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "--tolerance"));
  g_assert_nonnull (strstr (out, "--layer"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run (&out, &err, "--help", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "identify"));
  g_assert_nonnull (strstr (out, "edit"));
}

/* ---- identify ------------------------------------------------------------------- */

/* Runs identify with --json and returns the "features" of the answer. */
static JsonNode *
identify_json (Fixture    *f,
               const char *first,
               ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autofree char *out = NULL, *err = NULL;
  va_list ap;

  g_ptr_array_add (args, (gpointer) "identify");
  g_ptr_array_add (args, f->store);
  va_start (ap, first);
  for (const char *arg = first; arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (args, (gpointer) arg);
  va_end (ap);
  g_ptr_array_add (args, (gpointer) "--json");
  g_ptr_array_add (args, NULL);

  g_assert_cmpint (run_argv ((const char *const *) args->pdata, &out, &err), ==, 0);
  g_assert_cmpstr (err, ==, "");
  return parse_json (out);
}

static JsonArray *
features_of (JsonNode *root)
{
  return json_object_get_array_member (json_node_get_object (root), "features");
}

static double
geodesic_m (Fixture *f,
            double   lon1,
            double   lat1,
            double   lon2,
            double   lat2)
{
  g_autoptr(GisStore) store = open_store (f);
  g_autoptr(sqlite3_stmt) stmt = prepare (store, "SELECT ST_Distance(MakePoint(?1, ?2, 4326), "
                                                 "MakePoint(?3, ?4, 4326), 1)");

  sqlite3_bind_double (stmt, 1, lon1);
  sqlite3_bind_double (stmt, 2, lat1);
  sqlite3_bind_double (stmt, 3, lon2);
  sqlite3_bind_double (stmt, 4, lat2);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  return sqlite3_column_double (stmt, 0);
}

static void
test_identify (Fixture       *f,
               gconstpointer  data)
{
  gint64 e = fid_of (f, CASES, "Case E");
  gint64 b = fid_of (f, CASES, "Case B");
  gint64 c = fid_of (f, CASES, "Case C");
  gint64 d = fid_of (f, CASES, "Case D");
  gint64 p2 = fid_of (f, PATROLS, "Patrol 2");
  g_autofree char *sum = checksum (f);
  g_autofree char *sum_after = NULL;
  g_autoptr(GArray) containing = habitat_containing (f, -110.5, 32.5);
  g_autoptr(JsonNode) root = NULL;
  JsonArray *features;
  JsonObject *first;

  /* at Case E's exact position: Case E first, then the habitats that
   * contain it, and nothing else */
  root = identify_json (f, "-110.5", "32.5", "--tolerance", "10", NULL);
  features = features_of (root);
  g_assert_cmpuint (json_array_get_length (features), ==, 1 + containing->len);
  first = json_array_get_object_element (features, 0);
  g_assert_cmpstr (json_object_get_string_member (first, "layer"), ==, CASES);
  g_assert_cmpint (json_object_get_int_member (first, "fid"), ==, e);
  g_assert_cmpfloat (json_object_get_double_member (first, "distance_m"), ==, 0.0);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (first, "attributes"), "name"),
                   ==, "Case E");
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (first, "attributes"), "severity"),
                   ==, 4);
  for (guint i = 1; i < json_array_get_length (features); i++)
    {
      JsonObject *o = json_array_get_object_element (features, i);
      gboolean expected = FALSE;

      g_assert_cmpstr (json_object_get_string_member (o, "layer"), ==, HABITAT);
      g_assert_true (json_object_get_boolean_member (o, "contains_point"));
      for (guint k = 0; k < containing->len; k++)
        expected = expected || g_array_index (containing, gint64, k) == json_object_get_int_member (o, "fid");
      g_assert_true (expected);
    }
  g_clear_pointer (&root, json_node_unref);

  /* --layer restricts the layers */
  root = identify_json (f, "-110.5", "32.5", "--layer", HABITAT, "--tolerance", "10", NULL);
  features = features_of (root);
  g_assert_cmpuint (json_array_get_length (features), ==, containing->len);
  for (guint i = 0; i < json_array_get_length (features); i++)
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (features, i), "layer"),
                     ==, HABITAT);
  {
    JsonArray *layers = json_object_get_array_member (json_node_get_object (root), "layers");

    g_assert_cmpuint (json_array_get_length (layers), ==, 1);
    g_assert_cmpstr (json_array_get_string_element (layers, 0), ==, HABITAT);
  }
  g_clear_pointer (&root, json_node_unref);

  /* equal distances: the top layer first (Patrol 2 is drawn above Case B) */
  root = identify_json (f, "-95", "38", "--tolerance", "10", NULL);
  features = features_of (root);
  g_assert_cmpuint (json_array_get_length (features), ==, 2);
  first = json_array_get_object_element (features, 0);
  g_assert_cmpstr (json_object_get_string_member (first, "layer"), ==, PATROLS);
  g_assert_cmpint (json_object_get_int_member (first, "fid"), ==, p2);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (features, 1), "layer"),
                   ==, CASES);
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (features, 1), "fid"), ==, b);
  g_clear_pointer (&root, json_node_unref);

  /* the tolerance: C is about 100 m away, D about 200 m */
  root = identify_json (f, "-95", "38", "--layer", CASES, "--tolerance", "150", NULL);
  features = features_of (root);
  g_assert_cmpuint (json_array_get_length (features), ==, 2);
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (features, 0), "fid"), ==, b);
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (features, 1), "fid"), ==, c);
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (json_array_get_object_element (features, 1),
                                                                 "distance_m"),
                                  geodesic_m (f, -95, 38, -95, 38.0009), 1e-3);
  g_clear_pointer (&root, json_node_unref);

  /* nearest first, and the limit */
  root = identify_json (f, "-95", "38.0018", "--layer", CASES, "--tolerance", "250", NULL);
  features = features_of (root);
  g_assert_cmpuint (json_array_get_length (features), ==, 3);
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (features, 0), "fid"), ==, d);
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (features, 1), "fid"), ==, c);
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (features, 2), "fid"), ==, b);
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (json_array_get_object_element (features, 2),
                                                                 "distance_m"),
                                  geodesic_m (f, -95, 38.0018, -95, 38), 1e-3);
  g_assert_false (json_object_get_boolean_member (json_node_get_object (root), "truncated"));
  g_clear_pointer (&root, json_node_unref);

  root = identify_json (f, "-95", "38.0018", "--layer", CASES, "--tolerance", "250", "--limit", "2", NULL);
  features = features_of (root);
  g_assert_cmpuint (json_array_get_length (features), ==, 2);
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (features, 1), "fid"), ==, c);
  g_assert_true (json_object_get_boolean_member (json_node_get_object (root), "truncated"));
  g_clear_pointer (&root, json_node_unref);

  /* nothing there; options before "--" and the arguments after it */
  {
    g_autofree char *out = NULL, *err = NULL;

    g_assert_cmpint (run (&out, &err, "identify", "--json", "--", f->store, "-60", "-30", NULL), ==, 0);
    root = parse_json (out);
    g_assert_cmpuint (json_array_get_length (features_of (root)), ==, 0);
    g_clear_pointer (&root, json_node_unref);
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);

    g_assert_cmpint (run (&out, &err, "identify", f->store, "-60", "-30", NULL), ==, 0);
    g_assert_true (g_str_has_prefix (out, "No feature"));
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);

    /* text: one heading per feature, then its attributes */
    {
      g_autofree char *heading = g_strdup_printf ("%s #%" G_GINT64_FORMAT " “Case E”", CASES, e);

      g_assert_cmpint (run (&out, &err, "identify", f->store, "-110.5", "32.5", "-t", "10", "-l", CASES,
                            NULL), ==, 0);
      g_assert_true (g_str_has_prefix (out, heading));
      g_assert_nonnull (strstr (out, "\n  severity"));
    }
  }

  sum_after = checksum (f);
  g_assert_cmpstr (sum, ==, sum_after);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  gis_init ();

#define ADD(name, func) \
  g_test_add ("/cli-edit/" name, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("add", test_add);
  ADD ("add-linked", test_add_linked);
  ADD ("move", test_move);
  ADD ("set", test_set);
  ADD ("delete", test_delete);
  ADD ("user-errors", test_user_errors);
  ADD ("usage-errors", test_usage_errors);
  ADD ("identify", test_identify);
#undef ADD

  return g_test_run ();
}
