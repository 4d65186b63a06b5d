/* test-indicators.c: the indicators' tables against the store's own SQL
 * counts and a coverage run of the test's, their charts as PNG, SVG and a
 * page of an export, in English, French and Spanish
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <cairo.h>
#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <locale.h>
#include <math.h>
#include <sqlite3.h>
#include <string.h>

#include "test-util.h"

static char *sample_path;

static gboolean
skip_without_sample (void)
{
  if (sample_path != NULL)
    return FALSE;
  g_test_skip ("no sample store (build data-samples)");
  return TRUE;
}

static GisIndicatorTable *
compute (const char   *path,
         GisIndicator  kind,
         double        radius_km)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GisStore) store = gis_store_open (path, GIS_STORE_OPEN_READ_ONLY, &error);
  GisIndicatorTable *t;

  g_assert_no_error (error);
  t = gis_indicator_table_compute (store, kind, radius_km, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (t);
  return t;
}

/* ---- the counts -------------------------------------------------------- */

/* Every cell of the table is the count SQL gives, each (year, key) the
 * SQL finds is in the table, and the cells add up to the incidents. */
static void
check_counts (GisIndicator  kind,
              const char   *column)
{
  g_autoptr(GisIndicatorTable) t = NULL;
  g_autofree char *sql = NULL;
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  double sum = 0;
  gint64 total = 0;
  guint n_cells = 0, n_nonzero = 0;

  if (skip_without_sample ())
    return;
  t = compute (sample_path, kind, 0);
  g_assert_cmpint (t->kind, ==, kind);
  g_assert_cmpstr (t->source, ==, "incidents");
  g_assert_cmpuint (t->n_rows, ==, 11);   /* 2015 … 2025 */
  g_assert_cmpstr (t->row_keys[0], ==, "2015");
  g_assert_cmpstr (t->row_keys[10], ==, "2025");

  g_assert_cmpint (sqlite3_open_v2 (sample_path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  sql = g_strdup_printf ("SELECT strftime('%%Y', occurred_at), %s, count(*) FROM incidents "
                         "GROUP BY strftime('%%Y', occurred_at), %s", column, column);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      const char *year = (const char *) sqlite3_column_text (stmt, 0);
      const char *key = (const char *) sqlite3_column_text (stmt, 1);
      int r = gis_indicator_table_find_row (t, year), s = gis_indicator_table_find_series (t, key);

      g_assert_cmpint (r, >=, 0);
      g_assert_cmpint (s, >=, 0);
      g_assert_cmpfloat (gis_indicator_table_get (t, r, s), ==, (double) sqlite3_column_int64 (stmt, 2));
      n_cells++;
    }
  sqlite3_finalize (stmt);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT count(*) FROM incidents", -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  total = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);

  for (guint r = 0; r < t->n_rows; r++)
    for (guint s = 0; s < t->n_series; s++)
      {
        sum += gis_indicator_table_get (t, r, s);
        n_nonzero += gis_indicator_table_get (t, r, s) > 0;
      }
  g_assert_cmpuint (n_nonzero, ==, n_cells);
  g_assert_cmpfloat (sum, ==, (double) total);
}

static void
test_by_category (void)
{
  check_counts (GIS_INDICATOR_INCIDENTS_BY_CATEGORY, "category");
}

static void
test_by_country (void)
{
  check_counts (GIS_INDICATOR_INCIDENTS_BY_COUNTRY, "country");
}

/* ---- coverage ---------------------------------------------------------- */

/* The shares are those of the test's own coverage runs: the ports with
 * their radius_km, the incidents wherever they are, the habitat as the
 * zone. */
static void
test_coverage (void)
{
  g_autoptr(GisIndicatorTable) t = NULL;
  g_autoptr(GisIndicatorTable) fixed = NULL;
  g_autoptr(GisStore) store = NULL;
  g_autoptr(GisCoverageResult) demand = NULL;
  g_autoptr(GisCoverageResult) zone = NULL;
  g_autoptr(GError) error = NULL;
  const char *resources[] = { "ports", NULL };
  GisCoverageParams params = { 0 };
  int total;

  if (skip_without_sample ())
    return;
  t = compute (sample_path, GIS_INDICATOR_COVERAGE, 0);
  g_assert_cmpuint (t->n_series, ==, 2);
  g_assert_cmpstr (t->series_keys[0], ==, "incidents");
  g_assert_cmpstr (t->series_keys[1], ==, "habitat");
  g_assert_cmpfloat (t->radius_km, ==, 0);
  g_assert_cmpstr (t->resources[0], ==, "ports");
  g_assert_null (t->resources[1]);

  store = gis_store_open (sample_path, GIS_STORE_OPEN_READ_ONLY, &error);
  g_assert_no_error (error);
  params.resources = resources;
  params.radius_km = GIS_INDICATORS_DEFAULT_RADIUS_KM;
  params.radius_field = "radius_km";
  params.demand_layer = "incidents";
  demand = gis_coverage_run (store, &params, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  params.demand_layer = NULL;
  params.zone = GIS_COVERAGE_ZONE_LAYER;
  params.zone_layer = "habitat";
  zone = gis_coverage_run (store, &params, NULL, NULL, NULL, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < gis_coverage_result_get_n_countries (demand); i++)
    {
      const GisCoverageCountry *c = gis_coverage_result_get_country (demand, i);
      int r;

      if (*c->country == '\0')
        continue;
      r = gis_indicator_table_find_row (t, c->country);
      g_assert_cmpint (r, >=, 0);
      if (c->n_demand > 0)
        g_assert_cmpfloat_with_epsilon (gis_indicator_table_get (t, r, 0),
                                        100.0 * (c->n_demand - c->n_demand_uncovered) / c->n_demand, 1e-9);
      else
        g_assert_true (isnan (gis_indicator_table_get (t, r, 0)));
    }
  for (guint i = 0; i < gis_coverage_result_get_n_countries (zone); i++)
    {
      const GisCoverageCountry *c = gis_coverage_result_get_country (zone, i);
      int r;

      if (*c->country == '\0')
        continue;
      r = gis_indicator_table_find_row (t, c->country);
      g_assert_cmpint (r, >=, 0);
      g_assert_cmpfloat_with_epsilon (gis_indicator_table_get (t, r, 1),
                                      100.0 * (c->zone_km2 - c->uncovered_km2) / c->zone_km2, 1e-9);
    }
  total = gis_indicator_table_find_row (t, "total");
  g_assert_cmpint (total, ==, (int) t->n_rows - 1);
  {
    const GisCoverageCountry *d = gis_coverage_result_get_total (demand);
    const GisCoverageCountry *z = gis_coverage_result_get_total (zone);

    g_assert_cmpuint (d->n_demand, ==, 100000);
    g_assert_cmpfloat_with_epsilon (gis_indicator_table_get (t, total, 0),
                                    100.0 * (d->n_demand - d->n_demand_uncovered) / d->n_demand, 1e-9);
    g_assert_cmpfloat_with_epsilon (gis_indicator_table_get (t, total, 1),
                                    100.0 * (z->zone_km2 - z->uncovered_km2) / z->zone_km2, 1e-9);
  }
  /* the sample's ports are all on the US side, and cover some of it */
  g_assert_cmpfloat (gis_indicator_table_get (t, gis_indicator_table_find_row (t, "US"), 0), >, 10);
  g_assert_cmpfloat (gis_indicator_table_get (t, gis_indicator_table_find_row (t, "US"), 0), <, 90);

  /* a larger fixed radius covers more */
  fixed = compute (sample_path, GIS_INDICATOR_COVERAGE, 150);
  g_assert_cmpfloat (fixed->radius_km, ==, 150);
  g_assert_cmpfloat (gis_indicator_table_get (fixed, total, 0), >, gis_indicator_table_get (t, total, 0));
  g_assert_cmpfloat (gis_indicator_table_get (fixed, total, 1), >, gis_indicator_table_get (t, total, 1));
}

/* ---- emerging hot spots ------------------------------------------------ */

static char *
copy_sample (const char *dir)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  char *copy = g_build_filename (dir, "store.sqlite", NULL);
  gsize len;

  g_assert_true (g_file_get_contents (sample_path, &contents, &len, &error));
  g_assert_true (g_file_set_contents (copy, contents, len, &error));
  g_assert_no_error (error);
  return copy;
}

static void
test_hotspots (void)
{
  g_autoptr(GisStore) store = NULL;
  g_autoptr(GisIndicatorTable) t = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *copy = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  guint n_found = 0;

  if (skip_without_sample ())
    return;

  /* no emerging result yet: a clear error */
  store = gis_store_open (sample_path, GIS_STORE_OPEN_READ_ONLY, &error);
  g_assert_no_error (error);
  t = gis_indicator_table_compute (store, GIS_INDICATOR_HOTSPOTS, 0, NULL, NULL, NULL, &error);
  g_assert_null (t);
  g_assert_error (error, GIS_ERROR, GIS_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "emerging"));
  g_clear_error (&error);
  g_clear_object (&store);

  dir = test_make_tmpdir ();
  copy = copy_sample (dir);
  {
    const char *args[] = { "hotspots", copy, "--method", "emerging", "--cell", "50", "--band", "100", "--step",
                           "year", "--save-as", "Emerging", "-q", NULL };

    g_assert_cmpint (test_run_cli (args, &out, &err), ==, 0);
  }
  t = compute (copy, GIS_INDICATOR_HOTSPOTS, 0);
  g_assert_cmpstr (t->source, ==, "Emerging: emerging hot spots");
  g_assert_cmpuint (t->n_series, ==, 1);
  /* new and persistent hot spots are always there */
  g_assert_cmpint (gis_indicator_table_find_row (t, "new-hot-spot"), >=, 0);
  g_assert_cmpint (gis_indicator_table_find_row (t, "persistent-hot-spot"), >=, 0);

  g_assert_cmpint (sqlite3_open_v2 (copy, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT pattern, count(*) FROM emerging_emerging_hot_spots "
                                           "GROUP BY pattern", -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      int r = gis_indicator_table_find_row (t, (const char *) sqlite3_column_text (stmt, 0));

      g_assert_cmpint (r, >=, 0);
      g_assert_cmpfloat (gis_indicator_table_get (t, r, 0), ==, (double) sqlite3_column_int64 (stmt, 1));
      n_found++;
    }
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  g_assert_cmpuint (n_found, >, 1);
  test_rm_rf (dir);
}

/* ---- CSV --------------------------------------------------------------- */

static void
assert_same_table (const GisIndicatorTable *a,
                   const GisIndicatorTable *b)
{
  g_assert_cmpint (a->kind, ==, b->kind);
  g_assert_cmpuint (a->n_rows, ==, b->n_rows);
  g_assert_cmpuint (a->n_series, ==, b->n_series);
  for (guint r = 0; r < a->n_rows; r++)
    g_assert_cmpstr (a->row_keys[r], ==, b->row_keys[r]);
  for (guint s = 0; s < a->n_series; s++)
    g_assert_cmpstr (a->series_keys[s], ==, b->series_keys[s]);
  for (guint r = 0; r < a->n_rows; r++)
    for (guint s = 0; s < a->n_series; s++)
      {
        double x = gis_indicator_table_get (a, r, s), y = gis_indicator_table_get (b, r, s);

        if (isnan (x))
          g_assert_true (isnan (y));
        else
          g_assert_cmpfloat (x, ==, y);
      }
}

static void
test_csv (void)
{
  static const GisIndicator kinds[] = { GIS_INDICATOR_INCIDENTS_BY_CATEGORY, GIS_INDICATOR_COVERAGE };
  g_autoptr(GError) error = NULL;

  if (skip_without_sample ())
    return;
  for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
    {
      g_autoptr(GisIndicatorTable) t = compute (sample_path, kinds[k], 0);
      g_autoptr(GisIndicatorTable) back = NULL;
      g_autofree char *csv = gis_indicator_table_to_csv (t);

      g_test_message ("%s", csv);
      back = gis_indicator_table_new_from_csv (kinds[k], csv, &error);
      g_assert_no_error (error);
      assert_same_table (t, back);
    }
  {
    g_autoptr(GisIndicatorTable) t = compute (sample_path, GIS_INDICATOR_INCIDENTS_BY_COUNTRY, 0);
    g_autofree char *csv = gis_indicator_table_to_csv (t);

    g_assert_true (g_str_has_prefix (csv, "year,CA,MX,US\r\n2015,1742,"));
  }

  /* quotes, an empty share, malformed input */
  {
    const char *text = "country,incidents,habitat\r\n\"A, \"\"B\"\"\",12.5,\r\ntotal,0.125,100\r\n";
    g_autoptr(GisIndicatorTable) t = gis_indicator_table_new_from_csv (GIS_INDICATOR_COVERAGE, text, &error);
    g_autoptr(GisIndicatorTable) back = NULL;
    g_autofree char *csv = NULL;

    g_assert_no_error (error);
    g_assert_cmpuint (t->n_rows, ==, 2);
    g_assert_cmpstr (t->row_keys[0], ==, "A, \"B\"");
    g_assert_cmpfloat (gis_indicator_table_get (t, 0, 0), ==, 12.5);
    g_assert_true (isnan (gis_indicator_table_get (t, 0, 1)));
    csv = gis_indicator_table_to_csv (t);
    g_assert_cmpstr (csv, ==, text);
    back = gis_indicator_table_new_from_csv (GIS_INDICATOR_COVERAGE, csv, &error);
    g_assert_no_error (error);
    assert_same_table (t, back);
  }
  g_assert_null (gis_indicator_table_new_from_csv (GIS_INDICATOR_COVERAGE, "year,a\r\n", &error));
  g_assert_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT);
  g_clear_error (&error);
  g_assert_null (gis_indicator_table_new_from_csv (GIS_INDICATOR_COVERAGE, "country,a\r\nUS,x\r\n", &error));
  g_assert_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT);
  g_assert_nonnull (strstr (error->message, "Line 2"));
  g_clear_error (&error);
  g_assert_null (gis_indicator_table_new_from_csv (GIS_INDICATOR_COVERAGE, "country,a\r\nUS,1,2\r\n", &error));
  g_assert_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT);
}

/* ---- the catalogs ------------------------------------------------------ */

/* A PO file's translations, without context, fuzzy or empty entries. */
static GHashTable *
read_po (const char *lang)
{
  g_autofree char *dir = g_strdup (g_getenv ("ATALAYA_SOURCE_DIR"));
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  GHashTable *table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  GString *id = g_string_new (NULL), *str = g_string_new (NULL);
  GString *current = NULL;
  gboolean fuzzy = FALSE, context = FALSE;

  g_assert_nonnull (dir);
  path = g_build_filename (dir, "po", lang, NULL);
  {
    g_autofree char *with_ext = g_strconcat (path, ".po", NULL);

    g_assert_true (g_file_get_contents (with_ext, &contents, NULL, NULL));
  }
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; ; i++)
    {
      const char *line = lines[i];

      if (line == NULL || *line == '\0')
        {
          if (current != NULL && !fuzzy && !context && id->len > 0 && str->len > 0)
            g_hash_table_insert (table, g_strcompress (id->str), g_strcompress (str->str));
          g_string_truncate (id, 0);
          g_string_truncate (str, 0);
          current = NULL;
          fuzzy = context = FALSE;
          if (line == NULL)
            break;
          continue;
        }
      if (g_str_has_prefix (line, "#,") && strstr (line, "fuzzy") != NULL)
        fuzzy = TRUE;
      else if (g_str_has_prefix (line, "msgctxt "))
        context = TRUE;
      else if (g_str_has_prefix (line, "msgid "))
        current = id;
      else if (g_str_has_prefix (line, "msgid_plural ") || g_str_has_prefix (line, "msgstr["))
        {
          context = TRUE;   /* plurals: not the indicators' */
          current = NULL;
        }
      else if (g_str_has_prefix (line, "msgstr "))
        current = str;
      if (current != NULL && strchr (line, '"') != NULL && line[0] != '#')
        {
          const char *q = strchr (line, '"');
          const char *end = strrchr (line, '"');

          if (end > q)
            g_string_append_len (current, q + 1, end - q - 1);
        }
    }
  g_string_free (id, TRUE);
  g_string_free (str, TRUE);
  return table;
}

typedef struct
{
  GString *text;
  gboolean in_text;
  guint    n_text;
} SvgText;

static void
on_start (GMarkupParseContext  *context,
          const char           *element,
          const char          **names,
          const char          **values,
          gpointer              user_data,
          GError              **error)
{
  SvgText *st = user_data;

  st->in_text = strcmp (element, "text") == 0;
  st->n_text += st->in_text;
}

static void
on_end (GMarkupParseContext  *context,
        const char           *element,
        gpointer              user_data,
        GError              **error)
{
  SvgText *st = user_data;

  if (st->in_text)
    g_string_append_c (st->text, '\n');
  st->in_text = FALSE;
}

static void
on_text (GMarkupParseContext  *context,
         const char           *text,
         gsize                 len,
         gpointer              user_data,
         GError              **error)
{
  SvgText *st = user_data;

  if (st->in_text)
    g_string_append_len (st->text, text, len);
}

/* The text elements of an SVG file, one a line; it must parse as XML. */
static char *
svg_text (const char *path,
          guint      *out_n)
{
  static const GMarkupParser parser = { on_start, on_end, on_text, NULL, NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  g_autoptr(GMarkupParseContext) context = NULL;
  SvgText st = { g_string_new (NULL), FALSE, 0 };

  g_assert_true (g_file_get_contents (path, &contents, NULL, &error));
  g_assert_true (g_str_has_prefix (contents, "<?xml"));
  context = g_markup_parse_context_new (&parser, 0, &st, NULL);
  g_assert_true (g_markup_parse_context_parse (context, contents, -1, &error));
  g_assert_no_error (error);
  g_assert_true (g_markup_parse_context_end_parse (context, &error));
  g_assert_no_error (error);
  if (out_n != NULL)
    *out_n = st.n_text;
  return g_string_free (st.text, FALSE);
}

static gboolean
has_line (const char *text,
          const char *line)
{
  g_autofree char *needle = g_strconcat ("\n", line, "\n", NULL);
  g_autofree char *hay = g_strconcat ("\n", text, NULL);

  return strstr (hay, needle) != NULL;
}

/* ---- charts ------------------------------------------------------------ */

static void
test_png (void)
{
  g_autoptr(GisIndicatorTable) t = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  cairo_surface_t *image;
  guint32 *px;
  int stride, inked = 0;

  if (skip_without_sample ())
    return;
  t = compute (sample_path, GIS_INDICATOR_INCIDENTS_BY_COUNTRY, 0);
  dir = test_make_tmpdir ();
  path = g_build_filename (dir, "country.png", NULL);
  g_assert_true (gis_indicator_export (t, path, GIS_COMPOSE_PNG, 640, 400, GIS_LANGUAGE_EN, &error));
  g_assert_no_error (error);
  image = cairo_image_surface_create_from_png (path);
  g_assert_cmpint (cairo_surface_status (image), ==, CAIRO_STATUS_SUCCESS);
  g_assert_cmpint (cairo_image_surface_get_width (image), ==, 640);
  g_assert_cmpint (cairo_image_surface_get_height (image), ==, 400);
  /* the background is white, and something is drawn on it */
  px = (guint32 *) cairo_image_surface_get_data (image);
  stride = cairo_image_surface_get_stride (image) / 4;
  g_assert_cmphex (px[0] & 0xffffff, ==, 0xffffff);
  for (int y = 0; y < 400; y++)
    for (int x = 0; x < 640; x++)
      inked += (px[y * stride + x] & 0xffffff) != 0xffffff;
  g_assert_cmpint (inked, >, 640 * 400 / 50);
  cairo_surface_destroy (image);

  g_assert_false (gis_indicator_export (t, path, GIS_COMPOSE_PNG, 20, 400, GIS_LANGUAGE_EN, &error));
  g_assert_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT);
  test_rm_rf (dir);
}

static void
test_svg (void)
{
  g_autoptr(GisIndicatorTable) t = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autofree char *text = NULL;
  guint n_text = 0;

  if (skip_without_sample ())
    return;
  t = compute (sample_path, GIS_INDICATOR_INCIDENTS_BY_CATEGORY, 0);
  dir = test_make_tmpdir ();
  path = g_build_filename (dir, "category.svg", NULL);
  g_assert_true (gis_indicator_export (t, path, GIS_COMPOSE_SVG, 800, 500, GIS_LANGUAGE_EN, &error));
  g_assert_no_error (error);
  text = svg_text (path, &n_text);
  g_test_message ("%s", text);
  g_assert_true (has_line (text, "Incidents per year by category"));
  g_assert_true (has_line (text, "Category"));
  g_assert_true (has_line (text, "Wildlife trafficking"));
  g_assert_true (has_line (text, "2015"));
  g_assert_true (has_line (text, "Year"));
  /* round ticks: 0, 5,000, 10,000 */
  g_assert_true (has_line (text, "0"));
  g_assert_true (has_line (text, "5,000"));
  g_assert_true (has_line (text, "10,000"));
  g_assert_cmpuint (n_text, >, 20);
  test_rm_rf (dir);
}

/* The French and Spanish charts carry the catalogs' legend titles, and
 * the chart titles wherever the catalogs translate them. */
static void
test_languages (void)
{
  static const struct
  {
    GisLanguage  lang;
    const char  *po;
  } langs[] = { { GIS_LANGUAGE_FR, "fr" }, { GIS_LANGUAGE_ES, "es" } };
  static const struct
  {
    GisIndicator  kind;
    const char   *legend;
    const char   *entry;
  } charts[] = {
    { GIS_INDICATOR_INCIDENTS_BY_CATEGORY, "Category", NULL },
    { GIS_INDICATOR_INCIDENTS_BY_COUNTRY, "Country", "United States" },
  };
  g_autofree char *dir = NULL;

  if (skip_without_sample ())
    return;
  dir = test_make_tmpdir ();
  for (guint l = 0; l < G_N_ELEMENTS (langs); l++)
    {
      g_autoptr(GHashTable) po = read_po (langs[l].po);

      for (guint k = 0; k < G_N_ELEMENTS (charts); k++)
        {
          g_autoptr(GisIndicatorTable) t = compute (sample_path, charts[k].kind, 0);
          g_autoptr(GError) error = NULL;
          g_autofree char *name = g_strdup_printf ("%s-%u.svg", langs[l].po, k);
          g_autofree char *path = g_build_filename (dir, name, NULL);
          g_autofree char *text = NULL;
          const char *english_title = gis_indicator_get_title (charts[k].kind, GIS_LANGUAGE_EN);
          const char *title = g_hash_table_lookup (po, english_title);
          const char *legend = g_hash_table_lookup (po, charts[k].legend);

          g_assert_true (gis_indicator_export (t, path, GIS_COMPOSE_SVG, 900, 560, langs[l].lang, &error));
          g_assert_no_error (error);
          text = svg_text (path, NULL);
          g_test_message ("%s:\n%s", name, text);

          /* the legend's title is in the catalogs */
          g_assert_nonnull (legend);
          g_assert_cmpstr (legend, !=, charts[k].legend);
          g_assert_true (has_line (text, legend));
          g_assert_false (has_line (text, charts[k].legend));
          if (charts[k].entry != NULL)
            g_assert_true (has_line (text, g_hash_table_lookup (po, charts[k].entry)));

          if (title != NULL)
            {
              g_assert_cmpstr (gis_indicator_get_title (charts[k].kind, langs[l].lang), ==, title);
              g_assert_true (has_line (text, title));
            }
          else
            {
              g_test_message ("po/%s.po has no translation of “%s” yet", langs[l].po, english_title);
              g_assert_true (has_line (text, english_title));
            }
        }
    }
  test_rm_rf (dir);
}

/* ---- a page of an export ----------------------------------------------- */

static void
test_composition_page (void)
{
  g_autoptr(GisComposition) c = NULL;
  g_autoptr(GPtrArray) files = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autofree char *text = NULL;
  g_autofree char *title = NULL;
  const char *layers[] = { "countries", NULL };
  GisViewState view;
  double x, y;

  if (skip_without_sample ())
    return;
  dir = test_make_tmpdir ();
  path = g_build_filename (dir, "map.svg", NULL);
  c = gis_composition_new (sample_path);
  gis_composition_set_layers (c, layers);
  gis_composition_set_language (c, GIS_LANGUAGE_ES);
  gis_indicators_add_page (c, sample_path, 0);
  g_assert_true (gis_composition_load (c, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (gis_composition_get_n_pages (c), ==, 2);
  title = gis_composition_dup_page_title (c, 1);
  g_assert_cmpstr (title, !=, "");
  g_assert_false (gis_composition_get_map_frame (c, 1, &x, &y, &view, &error));
  g_assert_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT);
  g_clear_error (&error);

  files = gis_composition_export (c, path, GIS_COMPOSE_SVG, 0, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (files->len, ==, 2);
  text = svg_text (g_ptr_array_index (files, 1), NULL);
  g_test_message ("%s", text);
  g_assert_true (has_line (text, title));
  g_assert_true (has_line (text, gis_indicator_get_title (GIS_INDICATOR_COVERAGE, GIS_LANGUAGE_ES)));
  g_assert_true (has_line (text, "País"));
  g_assert_true (has_line (text, "Categoría"));
  /* no emerging result in the sample: said in its place */
  g_assert_true (has_line (text, gis_indicator_get_title (GIS_INDICATOR_HOTSPOTS, GIS_LANGUAGE_ES)));
  g_clear_pointer (&files, g_ptr_array_unref);

  /* a PDF has the page too */
  g_free (path);
  path = g_build_filename (dir, "map.pdf", NULL);
  files = gis_composition_export (c, path, GIS_COMPOSE_PDF, 0, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (files->len, ==, 1);
  test_rm_rf (dir);
}

/* ---- atalaya-cli indicators -------------------------------------------- */

static JsonObject *
parse_object (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static void
test_cli (void)
{
  g_autoptr(GisIndicatorTable) t = NULL;
  g_autoptr(JsonObject) o = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *csv = NULL;
  g_autofree char *png = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *expected = NULL;
  JsonArray *values;
  cairo_surface_t *image;

  if (skip_without_sample ())
    return;
  dir = test_make_tmpdir ();
  csv = g_build_filename (dir, "t.csv", NULL);
  png = g_build_filename (dir, "t.png", NULL);
  {
    const char *args[] = { "indicators", sample_path, "--chart", "incidents-by-country", "--lang", "fr",
                           "--csv", csv, "--png", png, "--width", "500", "--height", "300", "--json", NULL };

    g_assert_cmpint (test_run_cli (args, &out, &err), ==, 0);
  }
  o = parse_object (out);
  g_assert_cmpstr (json_object_get_string_member (o, "chart"), ==, "incidents-by-country");
  g_assert_cmpstr (json_object_get_string_member (o, "language"), ==, "fr");
  g_assert_cmpstr (json_object_get_string_member (o, "title"), ==,
                   gis_indicator_get_title (GIS_INDICATOR_INCIDENTS_BY_COUNTRY, GIS_LANGUAGE_FR));
  t = compute (sample_path, GIS_INDICATOR_INCIDENTS_BY_COUNTRY, 0);
  values = json_object_get_array_member (o, "values");
  g_assert_cmpuint (json_array_get_length (values), ==, t->n_rows);
  for (guint r = 0; r < t->n_rows; r++)
    for (guint s = 0; s < t->n_series; s++)
      g_assert_cmpint (json_array_get_int_element (json_array_get_array_element (values, r), s), ==,
                       (gint64) gis_indicator_table_get (t, r, s));
  g_assert_true (g_file_get_contents (csv, &contents, NULL, &error));
  expected = gis_indicator_table_to_csv (t);
  g_assert_cmpstr (contents, ==, expected);
  image = cairo_image_surface_create_from_png (png);
  g_assert_cmpint (cairo_image_surface_get_width (image), ==, 500);
  g_assert_cmpint (cairo_image_surface_get_height (image), ==, 300);
  cairo_surface_destroy (image);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* the plain table */
  {
    const char *args[] = { "indicators", sample_path, NULL };

    g_assert_cmpint (test_run_cli (args, &out, &err), ==, 0);
    g_assert_nonnull (strstr (out, "Incidents per year by category"));
    g_assert_nonnull (strstr (out, "wildlife_trafficking"));
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
  }
  /* usage errors, and no emerging result */
  {
    const char *bad_chart[] = { "indicators", sample_path, "--chart", "pie", NULL };
    const char *both[] = { "indicators", sample_path, "--png", "a.png", "--svg", "a.svg", NULL };
    const char *radius[] = { "indicators", sample_path, "--radius", "50", NULL };
    const char *hotspots[] = { "indicators", sample_path, "--chart", "hotspots", NULL };

    g_assert_cmpint (test_run_cli (bad_chart, &out, &err), ==, 2);
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
    g_assert_cmpint (test_run_cli (both, &out, &err), ==, 2);
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
    g_assert_cmpint (test_run_cli (radius, &out, &err), ==, 2);
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
    g_assert_cmpint (test_run_cli (hotspots, &out, &err), ==, 1);
    g_assert_nonnull (strstr (err, "emerging"));
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
  }
  /* export-map --indicators: a second page */
  {
    g_autofree char *pdf = g_build_filename (dir, "map.pdf", NULL);
    const char *args[] = { "export-map", sample_path, pdf, "--layer", "countries", "--indicators", "--json", NULL };
    g_autoptr(JsonObject) m = NULL;

    g_assert_cmpint (test_run_cli (args, &out, &err), ==, 0);
    m = parse_object (out);
    g_assert_cmpint (json_object_get_int_member (m, "pages"), ==, 2);
    g_assert_true (g_file_test (pdf, G_FILE_TEST_IS_REGULAR));
  }
  test_rm_rf (dir);
}

int
main (int   argc,
      char *argv[])
{
  const char *path = g_getenv ("ATALAYA_SAMPLE_STORE");
  const char *localedir = g_getenv ("ATALAYA_LOCALEDIR");
  int ret;

  setlocale (LC_ALL, "");
  if (localedir != NULL)
    bindtextdomain (GETTEXT_PACKAGE, localedir);
  g_test_init (&argc, &argv, NULL);
  gis_init ();
  if (path != NULL && g_file_test (path, G_FILE_TEST_EXISTS))
    sample_path = g_strdup (path);

  g_test_add_func ("/indicators/by-category", test_by_category);
  g_test_add_func ("/indicators/by-country", test_by_country);
  g_test_add_func ("/indicators/coverage", test_coverage);
  g_test_add_func ("/indicators/hotspots", test_hotspots);
  g_test_add_func ("/indicators/csv", test_csv);
  g_test_add_func ("/indicators/png", test_png);
  g_test_add_func ("/indicators/svg", test_svg);
  g_test_add_func ("/indicators/languages", test_languages);
  g_test_add_func ("/indicators/composition-page", test_composition_page);
  g_test_add_func ("/indicators/cli", test_cli);
  ret = g_test_run ();

  gis_shutdown ();
  g_free (sample_path);
  return ret;
}
