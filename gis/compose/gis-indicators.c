/* gis-indicators.c: the planners' indicators as tables and charts
 *
 * Four indicators of a store: incidents per year by category and by
 * country (SQL counts on the incident layer's normalised occurred_at,
 * category and country), the share of incidents and of habitat area
 * covered by the current resources, by country (two coverage runs: one
 * of the incidents over all the land, one of the habitat zone), and the
 * cells of the latest emerging hot spot result by category.  Each is a
 * plain table first (CSV for spreadsheets, the same numbers the chart
 * draws), then a chart drawn with cairo and Pango on any cairo_t, in the
 * language asked for, whatever the interface's: the text is looked up as
 * the map composition's is (gis-compose-i18n.c).  On an SVG the chart's
 * text is written as text elements, so readers can search and edit it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "gis-indicators"

#include "config.h"

#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <glib/gi18n-lib.h>
#include <math.h>
#include <pango/pangocairo.h>
#include <string.h>

#include "gis-compose-i18n-private.h"
#include "gis-coverage.h"
#include "gis-emerging.h"
#include "gis-error.h"
#include "gis-indicators.h"
#include "gis-layer.h"
#include "gis-sql-private.h"
#include "gis-store-private.h"

#define FONT_FAMILY "Sans"
#define MAX_SIDE_PX 16000

static const char *const indicator_ids[GIS_N_INDICATORS] = {
  "incidents-by-category", "incidents-by-country", "coverage", "hotspots",
};

static const char *const indicator_titles[GIS_N_INDICATORS] = {
  N_("Incidents per year by category"),
  N_("Incidents per year by country"),
  N_("Share covered by current resources"),
  N_("Emerging hot spots by category"),
};

/* the English names of the emerging categories, the msgids of
 * gis_emerging_category_to_label(), looked up in the chart's language */
static const char *const emerging_labels[GIS_EMERGING_N_CATEGORIES] = {
  N_("No pattern detected"),
  N_("New hot spot"), N_("Consecutive hot spot"), N_("Intensifying hot spot"),
  N_("Persistent hot spot"), N_("Diminishing hot spot"), N_("Sporadic hot spot"),
  N_("Oscillating hot spot"), N_("Historical hot spot"),
  N_("New cold spot"), N_("Consecutive cold spot"), N_("Intensifying cold spot"),
  N_("Persistent cold spot"), N_("Diminishing cold spot"), N_("Sporadic cold spot"),
  N_("Oscillating cold spot"), N_("Historical cold spot"),
};

/* the sample store's incident categories, so that they translate; any
 * other category is shown as the store has it, its underscores spaces */
static const struct
{
  const char *key;
  const char *label;
} category_labels[] = {
  { "hazardous_waste", N_("Hazardous waste") },
  { "illegal_dumping", N_("Illegal dumping") },
  { "illegal_logging", N_("Illegal logging") },
  { "ods_smuggling", N_("Ozone-depleting substance smuggling") },
  { "wildlife_trafficking", N_("Wildlife trafficking") },
};

static const struct
{
  const char *code;
  const char *name;
} country_names[] = {
  { "CA", N_("Canada") },
  { "US", N_("United States") },
  { "MX", N_("Mexico") },
};

/* ---- kinds ------------------------------------------------------------- */

/**
 * gis_indicator_to_string:
 * @kind: an indicator
 *
 * Returns: (transfer none): its id: "incidents-by-category",
 *   "incidents-by-country", "coverage" or "hotspots"
 */
const char *
gis_indicator_to_string (GisIndicator kind)
{
  g_return_val_if_fail ((guint) kind < GIS_N_INDICATORS, NULL);

  return indicator_ids[kind];
}

/**
 * gis_indicator_from_string:
 * @str: an indicator's id
 * @out_kind: (out): the indicator
 *
 * Returns: whether @str names an indicator
 */
gboolean
gis_indicator_from_string (const char   *str,
                           GisIndicator *out_kind)
{
  g_return_val_if_fail (str != NULL, FALSE);
  g_return_val_if_fail (out_kind != NULL, FALSE);

  for (guint i = 0; i < GIS_N_INDICATORS; i++)
    if (g_ascii_strcasecmp (str, indicator_ids[i]) == 0)
      {
        *out_kind = (GisIndicator) i;
        return TRUE;
      }
  return FALSE;
}

/**
 * gis_indicator_get_title:
 * @kind: an indicator
 * @language: the language of the chart
 *
 * Returns: (transfer none): the chart's title in @language
 */
const char *
gis_indicator_get_title (GisIndicator kind,
                         GisLanguage  language)
{
  g_return_val_if_fail ((guint) kind < GIS_N_INDICATORS, NULL);

  return gis_compose_tr (language, indicator_titles[kind]);
}

/* ---- the table --------------------------------------------------------- */

/**
 * gis_indicator_table_free:
 * @table: (nullable): a table
 */
void
gis_indicator_table_free (GisIndicatorTable *table)
{
  if (table == NULL)
    return;
  g_strfreev (table->row_keys);
  g_strfreev (table->series_keys);
  g_free (table->values);
  g_free (table->source);
  g_strfreev (table->resources);
  g_free (table);
}

/**
 * gis_indicator_table_get:
 * @table: a table
 * @row: a row
 * @series: a series
 *
 * Returns: the value in @row of @series
 */
double
gis_indicator_table_get (const GisIndicatorTable *table,
                         guint                    row,
                         guint                    series)
{
  g_return_val_if_fail (table != NULL, NAN);
  g_return_val_if_fail (row < table->n_rows && series < table->n_series, NAN);

  return table->values[(gsize) row * table->n_series + series];
}

static int
find_key (char *const *keys,
          const char  *key)
{
  for (guint i = 0; keys[i] != NULL; i++)
    if (g_strcmp0 (keys[i], key) == 0)
      return (int) i;
  return -1;
}

/**
 * gis_indicator_table_find_row:
 * @table: a table
 * @key: a row's key
 *
 * Returns: the row with @key, or -1
 */
int
gis_indicator_table_find_row (const GisIndicatorTable *table,
                              const char              *key)
{
  g_return_val_if_fail (table != NULL, -1);
  g_return_val_if_fail (key != NULL, -1);

  return find_key (table->row_keys, key);
}

/**
 * gis_indicator_table_find_series:
 * @table: a table
 * @key: a series' key
 *
 * Returns: the series with @key, or -1
 */
int
gis_indicator_table_find_series (const GisIndicatorTable *table,
                                 const char              *key)
{
  g_return_val_if_fail (table != NULL, -1);
  g_return_val_if_fail (key != NULL, -1);

  return find_key (table->series_keys, key);
}

/* A table of the keys gathered, its values 0. */
static GisIndicatorTable *
table_new (GisIndicator  kind,
           GPtrArray    *rows,
           GPtrArray    *series)
{
  GisIndicatorTable *t = g_new0 (GisIndicatorTable, 1);

  t->kind = kind;
  t->n_rows = rows->len;
  t->n_series = series->len;
  g_ptr_array_add (rows, NULL);
  g_ptr_array_add (series, NULL);
  t->row_keys = g_strdupv ((char **) rows->pdata);
  t->series_keys = g_strdupv ((char **) series->pdata);
  g_ptr_array_remove_index (rows, rows->len - 1);
  g_ptr_array_remove_index (series, series->len - 1);
  t->values = g_new0 (double, MAX ((gsize) t->n_rows * t->n_series, 1));
  return t;
}

static const char *const row_headers[GIS_N_INDICATORS] = { "year", "year", "country", "category" };

/* RFC 4180: quoted when it holds a comma, a quote or a line break */
static void
append_csv_field (GString    *out,
                  const char *s)
{
  if (strpbrk (s, ",\"\r\n") == NULL)
    {
      g_string_append (out, s);
      return;
    }
  g_string_append_c (out, '"');
  for (; *s != '\0'; s++)
    {
      if (*s == '"')
        g_string_append_c (out, '"');
      g_string_append_c (out, *s);
    }
  g_string_append_c (out, '"');
}

/**
 * gis_indicator_table_to_csv:
 * @table: a table
 *
 * The table as CSV: a header (the rows' name — year, country or category
 * — then the series' keys), then a line per row; counts as integers,
 * shares in percent with all their digits, an empty field where a share
 * has nothing to cover.
 *
 * Returns: (transfer full): the CSV text
 */
char *
gis_indicator_table_to_csv (const GisIndicatorTable *table)
{
  GString *out = g_string_new (NULL);

  g_return_val_if_fail (table != NULL, NULL);

  g_string_append (out, row_headers[table->kind]);
  for (guint s = 0; s < table->n_series; s++)
    {
      g_string_append_c (out, ',');
      append_csv_field (out, table->series_keys[s]);
    }
  g_string_append (out, "\r\n");
  for (guint r = 0; r < table->n_rows; r++)
    {
      append_csv_field (out, table->row_keys[r]);
      for (guint s = 0; s < table->n_series; s++)
        {
          double v = gis_indicator_table_get (table, r, s);
          char buf[G_ASCII_DTOSTR_BUF_SIZE];

          g_string_append_c (out, ',');
          if (isnan (v))
            continue;
          if (v == floor (v) && fabs (v) < 1e15)
            g_string_append_printf (out, "%" G_GINT64_FORMAT, (gint64) v);
          else
            g_string_append (out, g_ascii_dtostr (buf, sizeof buf, v));
        }
      g_string_append (out, "\r\n");
    }
  return g_string_free (out, FALSE);
}

/**
 * gis_indicator_table_write_csv:
 * @table: a table
 * @path: the file to write
 * @error: return location for an error
 *
 * Returns: whether gis_indicator_table_to_csv() was written to @path
 */
gboolean
gis_indicator_table_write_csv (const GisIndicatorTable  *table,
                               const char               *path,
                               GError                  **error)
{
  g_autofree char *csv = NULL;

  g_return_val_if_fail (table != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  csv = gis_indicator_table_to_csv (table);
  return g_file_set_contents (path, csv, -1, error);
}

/* The fields of one CSV record from *p, which moves past its line break;
 * NULL at the end of the text. */
static GPtrArray *
read_csv_record (const char **p)
{
  GPtrArray *fields;
  const char *s = *p;

  if (*s == '\0')
    return NULL;
  fields = g_ptr_array_new_with_free_func (g_free);
  for (;;)
    {
      GString *field = g_string_new (NULL);

      if (*s == '"')
        {
          for (s++; *s != '\0'; s++)
            {
              if (*s == '"' && s[1] == '"')
                g_string_append_c (field, *s++);
              else if (*s == '"')
                {
                  s++;
                  break;
                }
              else
                g_string_append_c (field, *s);
            }
        }
      while (*s != '\0' && *s != ',' && *s != '\r' && *s != '\n')
        g_string_append_c (field, *s++);
      g_ptr_array_add (fields, g_string_free (field, FALSE));
      if (*s == ',')
        {
          s++;
          continue;
        }
      if (*s == '\r')
        s++;
      if (*s == '\n')
        s++;
      break;
    }
  *p = s;
  return fields;
}

/**
 * gis_indicator_table_new_from_csv:
 * @kind: the indicator the CSV holds
 * @csv: text written by gis_indicator_table_to_csv()
 * @error: return location for an error
 *
 * Reads a table back: a spreadsheet's edits, or a check that nothing was
 * lost on the way.
 *
 * Returns: (transfer full) (nullable): the table
 */
GisIndicatorTable *
gis_indicator_table_new_from_csv (GisIndicator   kind,
                                  const char    *csv,
                                  GError       **error)
{
  g_autoptr(GPtrArray) header = NULL;
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) series = g_ptr_array_new ();
  g_autoptr(GArray) values = g_array_new (FALSE, FALSE, sizeof (double));
  GisIndicatorTable *t;
  const char *p = csv;
  guint line = 1;

  g_return_val_if_fail ((guint) kind < GIS_N_INDICATORS, NULL);
  g_return_val_if_fail (csv != NULL, NULL);

  header = read_csv_record (&p);
  if (header == NULL || header->len < 1 || strcmp (g_ptr_array_index (header, 0), row_headers[kind]) != 0)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT,
                   _("Line 1: the header does not start with “%s”"), row_headers[kind]);
      return NULL;
    }
  for (guint i = 1; i < header->len; i++)
    g_ptr_array_add (series, g_ptr_array_index (header, i));

  for (;;)
    {
      g_autoptr(GPtrArray) record = read_csv_record (&p);

      if (record == NULL)
        break;
      line++;
      if (record->len == 1 && *(char *) g_ptr_array_index (record, 0) == '\0')
        continue;
      if (record->len != header->len)
        {
          g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT,
                       _("Line %u: %u fields where the header has %u"), line, record->len, header->len);
          return NULL;
        }
      g_ptr_array_add (rows, g_strdup (g_ptr_array_index (record, 0)));
      for (guint i = 1; i < record->len; i++)
        {
          const char *field = g_ptr_array_index (record, i);
          char *end = NULL;
          double v = NAN;

          if (*field != '\0')
            {
              v = g_ascii_strtod (field, &end);
              if (end == field || *end != '\0')
                {
                  g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT,
                               _("Line %u, field “%s”: “%s” is not a number"), line,
                               (const char *) g_ptr_array_index (header, i), field);
                  return NULL;
                }
            }
          g_array_append_val (values, v);
        }
    }

  t = table_new (kind, rows, series);
  if (values->len > 0)
    memcpy (t->values, values->data, values->len * sizeof (double));
  return t;
}

/* ---- computing --------------------------------------------------------- */

/* The first incident layer, with the columns the counts read. */
static GisLayer *
find_incidents (GisStore  *store,
                GError   **error)
{
  g_autoptr(GListModel) layers = gis_store_list_layers (store, error);
  sqlite3 *db = gis_store_get_db (store);

  if (layers == NULL)
    return NULL;
  for (guint i = 0; i < g_list_model_get_n_items (layers); i++)
    {
      g_autoptr(GisLayer) layer = g_list_model_get_item (layers, i);
      const char *table = gis_layer_get_table_name (layer);

      if (gis_layer_get_role (layer) != GIS_LAYER_ROLE_INCIDENT)
        continue;
      for (guint c = 0; c < 3; c++)
        {
          const char *column = (const char *[]) { "occurred_at", "category", "country" }[c];

          if (!gis_sql_column_exists (db, table, column))
            {
              g_set_error (error, GIS_ERROR, GIS_ERROR_NOT_FOUND,
                           _("Layer “%s” has no field “%s”: import it with its date, category and country"),
                           gis_layer_get_name (layer), column);
              return NULL;
            }
        }
      return g_steal_pointer (&layer);
    }
  g_set_error (error, GIS_ERROR, GIS_ERROR_NOT_FOUND,
               _("The store has no incident layer: import incidents with the role “incident”"));
  return NULL;
}

static void
add_unique (GPtrArray  *keys,
            const char *key)
{
  for (guint i = 0; i < keys->len; i++)
    if (strcmp (g_ptr_array_index (keys, i), key) == 0)
      return;
  g_ptr_array_add (keys, g_strdup (key));
}

static int
compare_keys (gconstpointer a,
              gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* Incidents per year (of occurred_at) and @column. */
static GisIndicatorTable *
count_incidents (GisStore      *store,
                 GisIndicator   kind,
                 const char    *column,
                 GError       **error)
{
  sqlite3 *db = gis_store_get_db (store);
  g_autoptr(GisLayer) layer = find_incidents (store, error);
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) series = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GArray) counts = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *qt = NULL;
  g_autofree char *qc = NULL;
  g_autofree char *sql = NULL;
  GisIndicatorTable *t;
  typedef struct { char *year; char *key; gint64 n; } Count;
  int rc;

  if (layer == NULL)
    return NULL;
  qt = gis_sql_quote_ident (gis_layer_get_table_name (layer));
  qc = gis_sql_quote_ident (column);
  sql = g_strdup_printf ("SELECT strftime('%%Y', occurred_at) AS y, COALESCE(%s, '') AS k, count(*) "
                         "FROM %s WHERE y IS NOT NULL GROUP BY y, k ORDER BY y, k", qc, qt);
  stmt = gis_sql_prepare (db, sql, error);
  if (stmt == NULL)
    return NULL;
  counts = g_array_new (FALSE, FALSE, sizeof (Count));
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      Count c = {
        g_strdup ((const char *) sqlite3_column_text (stmt, 0)),
        g_strdup ((const char *) sqlite3_column_text (stmt, 1)),
        sqlite3_column_int64 (stmt, 2),
      };

      add_unique (rows, c.year);
      add_unique (series, c.key);
      g_array_append_val (counts, c);
    }
  if (rc != SQLITE_DONE)
    {
      gis_sql_set_error (error, db, rc, gis_layer_get_name (layer));
      for (guint i = 0; i < counts->len; i++)
        {
          g_free (g_array_index (counts, Count, i).year);
          g_free (g_array_index (counts, Count, i).key);
        }
      return NULL;
    }
  g_ptr_array_sort (series, compare_keys);

  t = table_new (kind, rows, series);
  t->source = g_strdup (gis_layer_get_name (layer));
  for (guint i = 0; i < counts->len; i++)
    {
      Count *c = &g_array_index (counts, Count, i);
      int r = find_key (t->row_keys, c->year), s = find_key (t->series_keys, c->key);

      t->values[(gsize) r * t->n_series + s] = (double) c->n;
      g_free (c->year);
      g_free (c->key);
    }
  return t;
}

/* The ports and the resource layers; whether each has a radius_km field. */
static GPtrArray *
find_resources (GisStore  *store,
                gboolean  *out_all_have_radius,
                GError   **error)
{
  g_autoptr(GListModel) layers = gis_store_list_layers (store, error);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  sqlite3 *db = gis_store_get_db (store);

  if (layers == NULL)
    return NULL;
  *out_all_have_radius = TRUE;
  for (guint i = 0; i < g_list_model_get_n_items (layers); i++)
    {
      g_autoptr(GisLayer) layer = g_list_model_get_item (layers, i);
      GisLayerRole role = gis_layer_get_role (layer);

      if ((role != GIS_LAYER_ROLE_PORT && role != GIS_LAYER_ROLE_RESOURCE) || !gis_layer_is_point_layer (layer))
        continue;
      g_ptr_array_add (names, g_strdup (gis_layer_get_name (layer)));
      if (!gis_sql_column_exists (db, gis_layer_get_table_name (layer), "radius_km"))
        *out_all_have_radius = FALSE;
    }
  if (names->len == 0)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_NOT_FOUND,
                   _("The store has no resources: no layer of ports or of resources"));
      return NULL;
    }
  g_ptr_array_add (names, NULL);
  return g_steal_pointer (&names);
}

static GisLayer *
find_layer_by_role (GisStore      *store,
                    GisLayerRole   role,
                    GError       **error)
{
  g_autoptr(GListModel) layers = gis_store_list_layers (store, error);

  if (layers == NULL)
    return NULL;
  for (guint i = 0; i < g_list_model_get_n_items (layers); i++)
    {
      g_autoptr(GisLayer) layer = g_list_model_get_item (layers, i);

      if (gis_layer_get_role (layer) == role && gis_layer_get_geometry_type (layer) != NULL)
        return g_steal_pointer (&layer);
    }
  return NULL;
}

static double
share (double part,
       double whole)
{
  return whole > 0 ? CLAMP (100.0 * part / whole, 0.0, 100.0) : NAN;
}

typedef struct
{
  GisProgressFunc progress;
  gpointer        data;
  double          from, to;
} SubProgress;

static void
on_sub_progress (double      fraction,
                 const char *message,
                 gpointer    user_data)
{
  SubProgress *sp = user_data;

  if (sp->progress != NULL)
    sp->progress (fraction < 0 ? fraction : sp->from + (sp->to - sp->from) * fraction, message, sp->data);
}

/* Two coverage runs with the same resources: the incidents wherever they
 * are, and the habitat as the zone (its own demand left out). */
static GisIndicatorTable *
compute_coverage (GisStore         *store,
                  double            radius_km,
                  GCancellable     *cancellable,
                  GisProgressFunc   progress,
                  gpointer          progress_data,
                  GError          **error)
{
  g_autoptr(GPtrArray) resources = NULL;
  g_autoptr(GisLayer) incidents = NULL;
  g_autoptr(GisLayer) habitat = NULL;
  g_autoptr(GisCoverageResult) demand_run = NULL;
  g_autoptr(GisCoverageResult) zone_run = NULL;
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) series = g_ptr_array_new_with_free_func (g_free);
  GisCoverageParams params = { 0 };
  GisCoverageResult *runs[2];
  SubProgress sp = { progress, progress_data, 0, 0.5 };
  gboolean all_have_radius = FALSE;
  GisIndicatorTable *t;

  resources = find_resources (store, &all_have_radius, error);
  if (resources == NULL)
    return NULL;
  incidents = find_incidents (store, error);
  if (incidents == NULL)
    return NULL;
  habitat = find_layer_by_role (store, GIS_LAYER_ROLE_HABITAT, NULL);

  params.resources = (const char *const *) resources->pdata;
  params.radius_km = radius_km > 0 ? radius_km : GIS_INDICATORS_DEFAULT_RADIUS_KM;
  params.radius_field = radius_km > 0 || !all_have_radius ? NULL : "radius_km";
  params.zone = GIS_COVERAGE_ZONE_NONE;
  params.demand_layer = gis_layer_get_name (incidents);
  demand_run = gis_coverage_run (store, &params, on_sub_progress, &sp, cancellable, error);
  if (demand_run == NULL)
    return NULL;
  if (habitat != NULL)
    {
      params.demand_layer = NULL;
      params.zone = GIS_COVERAGE_ZONE_LAYER;
      params.zone_layer = gis_layer_get_name (habitat);
      sp.from = 0.5;
      sp.to = 1.0;
      zone_run = gis_coverage_run (store, &params, on_sub_progress, &sp, cancellable, error);
      if (zone_run == NULL)
        return NULL;
    }

  /* the countries of either run, then the total */
  runs[0] = demand_run;
  runs[1] = zone_run;
  for (guint k = 0; k < 2; k++)
    for (guint i = 0; runs[k] != NULL && i < gis_coverage_result_get_n_countries (runs[k]); i++)
      {
        const GisCoverageCountry *c = gis_coverage_result_get_country (runs[k], i);

        if (*c->country != '\0')
          add_unique (rows, c->country);
      }
  g_ptr_array_add (rows, g_strdup ("total"));
  g_ptr_array_add (series, g_strdup ("incidents"));
  g_ptr_array_add (series, g_strdup ("habitat"));

  t = table_new (GIS_INDICATOR_COVERAGE, rows, series);
  t->source = g_strdup (gis_layer_get_name (incidents));
  t->radius_km = params.radius_field != NULL ? 0 : params.radius_km;
  t->resources = g_strdupv ((char **) resources->pdata);
  for (guint r = 0; r < t->n_rows; r++)
    for (guint k = 0; k < 2; k++)
      t->values[(gsize) r * 2 + k] = NAN;
  for (guint k = 0; k < 2; k++)
    {
      if (runs[k] == NULL)
        continue;
      for (guint i = 0; i <= gis_coverage_result_get_n_countries (runs[k]); i++)
        {
          gboolean total = i == gis_coverage_result_get_n_countries (runs[k]);
          const GisCoverageCountry *c = total ? gis_coverage_result_get_total (runs[k])
                                              : gis_coverage_result_get_country (runs[k], i);
          int r = find_key (t->row_keys, total ? "total" : c->country);

          if (r < 0)
            continue;
          t->values[(gsize) r * 2 + k] = k == 0
            ? share ((double) c->n_demand - c->n_demand_uncovered, c->n_demand)
            : share (c->zone_km2 - c->uncovered_km2, c->zone_km2);
        }
    }
  return t;
}

static int
emerging_from_string (const char *s)
{
  for (guint c = 0; c < GIS_EMERGING_N_CATEGORIES; c++)
    if (g_strcmp0 (gis_emerging_category_to_string ((GisEmergingCategory) c), s) == 0)
      return (int) c;
  return -1;
}

/* The cells of the latest emerging hot spot result layer, by category:
 * every category found, and the new and persistent hot spots always. */
static GisIndicatorTable *
compute_hotspots (GisStore  *store,
                  GError   **error)
{
  sqlite3 *db = gis_store_get_db (store);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) series = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *table = NULL;
  g_autofree char *name = NULL;
  g_autofree char *sql = NULL;
  g_autofree char *qt = NULL;
  gint64 counts[GIS_EMERGING_N_CATEGORIES] = { 0 };
  GisIndicatorTable *t;
  int rc;

  if (gis_sql_table_exists (db, "atalaya_runs"))
    {
      stmt = gis_sql_prepare (db, "SELECT l.table_name, l.name FROM atalaya_runs r "
                                  "JOIN atalaya_layers l ON l.id = r.result_layer "
                                  "WHERE r.kind = 'emerging' AND l.role = 'result' "
                                  "ORDER BY r.id DESC", error);
      if (stmt == NULL)
        return NULL;
      while (sqlite3_step (stmt) == SQLITE_ROW)
        {
          const char *tn = (const char *) sqlite3_column_text (stmt, 0);

          /* the run's cells, not its space-time bins */
          if (tn != NULL && gis_sql_column_exists (db, tn, "pattern"))
            {
              table = g_strdup (tn);
              name = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
              break;
            }
        }
      g_clear_pointer (&stmt, sqlite3_finalize);
    }
  if (table == NULL)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_NOT_FOUND,
                   _("The store has no emerging hot spot result: run an emerging hot spot analysis first "
                     "(Hot Spots, or atalaya-cli hotspots --method emerging --save-as NAME)"));
      return NULL;
    }

  qt = gis_sql_quote_ident (table);
  sql = g_strdup_printf ("SELECT pattern, count(*) FROM %s GROUP BY pattern", qt);
  stmt = gis_sql_prepare (db, sql, error);
  if (stmt == NULL)
    return NULL;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      int c = emerging_from_string ((const char *) sqlite3_column_text (stmt, 0));

      if (c < 0)
        {
          g_set_error (error, GIS_ERROR, GIS_ERROR_CORRUPT, _("Layer “%s” has an unknown pattern “%s”"),
                       name, (const char *) sqlite3_column_text (stmt, 0));
          return NULL;
        }
      counts[c] += sqlite3_column_int64 (stmt, 1);
    }
  if (rc != SQLITE_DONE)
    {
      gis_sql_set_error (error, db, rc, name);
      return NULL;
    }

  /* hot first, then cold, then no pattern */
  for (guint i = 1; i <= GIS_EMERGING_N_CATEGORIES; i++)
    {
      guint c = i % GIS_EMERGING_N_CATEGORIES;

      if (counts[c] > 0 || c == GIS_EMERGING_NEW_HOT || c == GIS_EMERGING_PERSISTENT_HOT)
        g_ptr_array_add (rows, g_strdup (gis_emerging_category_to_string ((GisEmergingCategory) c)));
    }
  g_ptr_array_add (series, g_strdup ("cells"));
  t = table_new (GIS_INDICATOR_HOTSPOTS, rows, series);
  t->source = g_steal_pointer (&name);
  for (guint r = 0; r < t->n_rows; r++)
    t->values[r] = (double) counts[emerging_from_string (t->row_keys[r])];
  return t;
}

/**
 * gis_indicator_table_compute:
 * @store: a store
 * @kind: the indicator
 * @radius_km: coverage: every resource's radius; 0 reads it from a
 *   radius_km field when each resource layer has one (else
 *   %GIS_INDICATORS_DEFAULT_RADIUS_KM)
 * @cancellable: (nullable): stops a coverage run
 * @progress: (nullable) (scope call): called as a coverage run goes
 * @progress_data: its closure
 * @error: return location for an error
 *
 * Computes an indicator from the store: counts in SQL, coverage with
 * gis_coverage_run() (a second or so on a hundred thousand incidents).
 * Runs on the calling thread, with the store's connection: a window calls
 * it on a worker with a store of its own.
 *
 * Returns: (transfer full) (nullable): the table
 */
GisIndicatorTable *
gis_indicator_table_compute (GisStore         *store,
                             GisIndicator      kind,
                             double            radius_km,
                             GCancellable     *cancellable,
                             GisProgressFunc   progress,
                             gpointer          progress_data,
                             GError          **error)
{
  g_return_val_if_fail (GIS_IS_STORE (store), NULL);
  g_return_val_if_fail ((guint) kind < GIS_N_INDICATORS, NULL);
  g_return_val_if_fail (radius_km >= 0, NULL);

  switch (kind)
    {
    case GIS_INDICATOR_INCIDENTS_BY_CATEGORY:
      return count_incidents (store, kind, "category", error);
    case GIS_INDICATOR_INCIDENTS_BY_COUNTRY:
      return count_incidents (store, kind, "country", error);
    case GIS_INDICATOR_COVERAGE:
      return compute_coverage (store, radius_km, cancellable, progress, progress_data, error);
    case GIS_INDICATOR_HOTSPOTS:
    default:
      return compute_hotspots (store, error);
    }
}

/* ---- labels ------------------------------------------------------------ */

static char *
category_label (const char  *key,
                GisLanguage  language)
{
  char *s;

  if (*key == '\0')
    return g_strdup (gis_compose_tr (language, N_("Unspecified")));
  for (guint i = 0; i < G_N_ELEMENTS (category_labels); i++)
    if (strcmp (key, category_labels[i].key) == 0)
      return g_strdup (gis_compose_tr (language, category_labels[i].label));
  s = g_strdelimit (g_strdup (key), "_", ' ');
  if (g_ascii_islower (*s))
    *s = g_ascii_toupper (*s);
  return s;
}

static char *
country_label (const char  *code,
               GisLanguage  language)
{
  if (*code == '\0')
    return g_strdup (gis_compose_tr (language, N_("Unspecified")));
  if (strcmp (code, "total") == 0)
    return g_strdup (gis_compose_tr (language, N_("Total")));
  for (guint i = 0; i < G_N_ELEMENTS (country_names); i++)
    if (strcmp (code, country_names[i].code) == 0)
      return g_strdup (gis_compose_tr (language, country_names[i].name));
  return g_strdup (code);
}

static char *
key_label (GisIndicator  kind,
           gboolean      row,
           const char   *key,
           GisLanguage   language)
{
  switch (kind)
    {
    case GIS_INDICATOR_INCIDENTS_BY_CATEGORY:
      return row ? g_strdup (key) : category_label (key, language);
    case GIS_INDICATOR_INCIDENTS_BY_COUNTRY:
      return row ? g_strdup (key) : country_label (key, language);
    case GIS_INDICATOR_COVERAGE:
      if (row)
        return country_label (key, language);
      return g_strdup (gis_compose_tr (language, strcmp (key, "habitat") == 0 ? N_("Habitat area")
                                                                             : N_("Incidents")));
    case GIS_INDICATOR_HOTSPOTS:
    default:
      if (row)
        {
          int c = emerging_from_string (key);

          return g_strdup (c >= 0 ? gis_compose_tr (language, emerging_labels[c]) : key);
        }
      return g_strdup (gis_compose_tr (language, N_("Cells")));
    }
}

/**
 * gis_indicator_table_dup_row_label:
 * @table: a table
 * @row: a row
 * @language: the language
 *
 * Returns: (transfer full): the row's name for people: a year, a country
 *   or a category, in @language
 */
char *
gis_indicator_table_dup_row_label (const GisIndicatorTable *table,
                                   guint                    row,
                                   GisLanguage              language)
{
  g_return_val_if_fail (table != NULL && row < table->n_rows, NULL);

  return key_label (table->kind, TRUE, table->row_keys[row], language);
}

/**
 * gis_indicator_table_dup_series_label:
 * @table: a table
 * @series: a series
 * @language: the language
 *
 * Returns: (transfer full): the series' name for people, in @language
 */
char *
gis_indicator_table_dup_series_label (const GisIndicatorTable *table,
                                      guint                    series,
                                      GisLanguage              language)
{
  g_return_val_if_fail (table != NULL && series < table->n_series, NULL);

  return key_label (table->kind, FALSE, table->series_keys[series], language);
}

/* ---- drawing ----------------------------------------------------------- */

typedef struct
{
  double r, g, b;
} Rgb;

static const Rgb ink = { 0.13, 0.13, 0.13 };
static const Rgb grey_ink = { 0.38, 0.38, 0.38 };
static const Rgb grid_grey = { 0.86, 0.86, 0.86 };

/* Okabe–Ito: told apart by people with any colour vision */
static const Rgb palette[] = {
  { 0.902, 0.624, 0.000 }, { 0.337, 0.706, 0.914 }, { 0.000, 0.620, 0.451 },
  { 0.941, 0.894, 0.259 }, { 0.000, 0.447, 0.698 }, { 0.835, 0.369, 0.000 },
  { 0.800, 0.475, 0.655 }, { 0.600, 0.600, 0.600 },
};

typedef struct
{
  const GisIndicatorTable *t;
  cairo_t                 *cr;
  GString                 *svg;
  PangoContext            *pango;
  GisLanguage              lang;
  double                   fs;       /* the base type size */
} Chart;

static GPrivate pango_context_key = G_PRIVATE_INIT (g_object_unref);

/* One context per thread, with metrics independent of the resolution, so
 * that a PNG, an SVG and the window lay a chart out alike. */
static PangoContext *
get_pango_context (void)
{
  PangoContext *context = g_private_get (&pango_context_key);
  cairo_font_options_t *options;

  if (context != NULL)
    return g_object_ref (context);
  context = pango_font_map_create_context (pango_cairo_font_map_get_default ());
  options = cairo_font_options_create ();
  cairo_font_options_set_hint_metrics (options, CAIRO_HINT_METRICS_OFF);
  cairo_font_options_set_hint_style (options, CAIRO_HINT_STYLE_NONE);
  pango_cairo_context_set_font_options (context, options);
  pango_cairo_context_set_resolution (context, 72);
  cairo_font_options_destroy (options);
  g_private_set (&pango_context_key, context);
  return g_object_ref (context);
}

static PangoLayout *
new_layout (Chart      *c,
            const char *text,
            double      size,
            gboolean    bold)
{
  PangoLayout *layout = pango_layout_new (c->pango);
  PangoFontDescription *font = pango_font_description_from_string (FONT_FAMILY);

  pango_font_description_set_absolute_size (font, size * PANGO_SCALE);
  if (bold)
    pango_font_description_set_weight (font, PANGO_WEIGHT_BOLD);
  pango_layout_set_font_description (layout, font);
  pango_font_description_free (font);
  pango_layout_set_text (layout, text, -1);
  return layout;
}

static double
text_width (Chart      *c,
            const char *text,
            double      size,
            gboolean    bold)
{
  g_autoptr(PangoLayout) layout = new_layout (c, text, size, bold);
  PangoRectangle logical;

  pango_layout_get_extents (layout, NULL, &logical);
  return (double) logical.width / PANGO_SCALE;
}

static double
text_height (Chart  *c,
             double  size)
{
  g_autoptr(PangoLayout) layout = new_layout (c, "Ag", size, FALSE);
  PangoRectangle logical;

  pango_layout_get_extents (layout, NULL, &logical);
  return (double) logical.height / PANGO_SCALE;
}

static void
set_rgb (cairo_t   *cr,
         const Rgb *c)
{
  cairo_set_source_rgb (cr, c->r, c->g, c->b);
}

/* One line of text with its box's (@ax, @ay) point (0 left/top, 0.5
 * centre, 1 right/bottom) at (x, y); @vertical turns it a quarter left,
 * reading upwards, about that point.  On an SVG it is a text element. */
static void
show_text (Chart      *c,
           const char *text,
           double      size,
           gboolean    bold,
           double      x,
           double      y,
           double      ax,
           double      ay,
           gboolean    vertical,
           const Rgb  *color)
{
  g_autoptr(PangoLayout) layout = new_layout (c, text, size, bold);
  PangoRectangle logical;
  double w, h, baseline, dx, dy;

  pango_layout_get_extents (layout, NULL, &logical);
  w = (double) logical.width / PANGO_SCALE;
  h = (double) logical.height / PANGO_SCALE;
  baseline = (double) pango_layout_get_baseline (layout) / PANGO_SCALE;
  dx = -ax * w;
  dy = -ay * h;

  if (c->svg != NULL)
    {
      g_autofree char *escaped = g_markup_escape_text (text, -1);
      g_autofree char *transform = NULL;
      char bx[G_ASCII_DTOSTR_BUF_SIZE], by[G_ASCII_DTOSTR_BUF_SIZE];

      /* the chart's box may be offset on the surface */
      double ox = x, oy = y;

      cairo_user_to_device (c->cr, &ox, &oy);
      if (vertical)
        transform = g_strdup_printf (" transform=\"rotate(-90 %s %s)\"",
                                     g_ascii_formatd (bx, sizeof bx, "%.2f", ox),
                                     g_ascii_formatd (by, sizeof by, "%.2f", oy));
      g_string_append_printf (c->svg,
                              "<text x=\"%s\" ", g_ascii_formatd (bx, sizeof bx, "%.2f", ox + dx));
      g_string_append_printf (c->svg,
                              "y=\"%s\" font-family=\"%s, sans-serif\" font-size=\"%.2f\" "
                              "font-weight=\"%s\" fill=\"#%02x%02x%02x\"%s>%s</text>\n",
                              g_ascii_formatd (by, sizeof by, "%.2f", oy + dy + baseline), FONT_FAMILY, size,
                              bold ? "bold" : "normal", (int) lround (color->r * 255),
                              (int) lround (color->g * 255), (int) lround (color->b * 255),
                              transform != NULL ? transform : "", escaped);
      return;
    }

  cairo_save (c->cr);
  set_rgb (c->cr, color);
  cairo_translate (c->cr, x, y);
  if (vertical)
    cairo_rotate (c->cr, -G_PI / 2);
  cairo_move_to (c->cr, dx, dy);
  pango_cairo_show_layout (c->cr, layout);
  cairo_restore (c->cr);
}

/* A round step for about @n ticks up to @max: 1, 2 or 5 × 10^k. */
static double
nice_step (double max,
           int    n)
{
  double raw = max / MAX (n, 1), mag, f;

  if (!(raw > 0))
    return 1;
  mag = pow (10, floor (log10 (raw)));
  f = raw / mag;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * mag;
}

static char *
format_value (GisLanguage language,
              double      v,
              double      step)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  char *s;

  if (step >= 1 || fabs (v - round (v)) < 1e-9)
    return gis_compose_format_int (language, (gint64) llround (v));
  g_ascii_formatd (buf, sizeof buf, step >= 0.1 ? "%.1f" : "%.2f", v);
  s = g_strdup (buf);
  if (language != GIS_LANGUAGE_EN)
    g_strdelimit (s, ".", ',');
  return s;
}

static const Rgb *
series_color (const GisIndicatorTable *t,
              guint                    s)
{
  static const Rgb country_colors[] = {
    { 0.835, 0.369, 0.000 },    /* CA */
    { 0.000, 0.447, 0.698 },    /* US */
    { 0.000, 0.620, 0.451 },    /* MX */
  };

  if (t->kind == GIS_INDICATOR_INCIDENTS_BY_COUNTRY)
    for (guint i = 0; i < G_N_ELEMENTS (country_names); i++)
      if (strcmp (t->series_keys[s], country_names[i].code) == 0)
        return &country_colors[i];
  if (t->kind == GIS_INDICATOR_COVERAGE)
    return &palette[s == 0 ? 5 : 2];
  return &palette[s % G_N_ELEMENTS (palette)];
}

/* the colours of the emerging hot spot result layer's style (after
 * ArcGIS's legend: reds for hot, blues for cold), so the chart reads as
 * the map's legend */
static Rgb
emerging_color (const char *key)
{
  static const guint32 fills[GIS_EMERGING_N_CATEGORIES] = {
    0xbdbdbd,
    0xf4a582, 0xd6604d, 0xb2182b, 0x67001f, 0xfddbc7, 0xfb9a99, 0xe7298a, 0xbababa,
    0x92c5de, 0x4393c3, 0x2166ac, 0x053061, 0xd1e5f0, 0xa6cee3, 0x7570b3, 0x878787,
  };
  int c = MAX (emerging_from_string (key), 0);

  return (Rgb) { ((fills[c] >> 16) & 0xff) / 255.0, ((fills[c] >> 8) & 0xff) / 255.0, (fills[c] & 0xff) / 255.0 };
}

/* The hot spot chart leaves out the cells without a pattern (most of
 * them, which would flatten the others' bars); the table keeps them. */
static gboolean
row_drawn (const GisIndicatorTable *t,
           guint                    row)
{
  return t->kind != GIS_INDICATOR_HOTSPOTS ||
         strcmp (t->row_keys[row], gis_emerging_category_to_string (GIS_EMERGING_NO_PATTERN)) != 0;
}

static guint
n_rows_drawn (const GisIndicatorTable *t)
{
  guint n = 0;

  for (guint r = 0; r < t->n_rows; r++)
    n += row_drawn (t, r);
  return n;
}

typedef struct
{
  double x, y, w, h;
} Box;

/* The legend: its title, then a swatch and a label per series, in one
 * column at (x, y) or, @wrap_w > 0, in rows that wrap at that width.
 * Returns its height. */
static double
draw_legend (Chart      *c,
             const char *title,
             double      x,
             double      y,
             double      wrap_w,
             gboolean    draw)
{
  const GisIndicatorTable *t = c->t;
  double fs = c->fs, line = text_height (c, fs) * 1.15, sw = fs * 0.9, cx = x, cy = y;

  if (draw)
    show_text (c, title, fs, TRUE, x, y, 0, 0, FALSE, &ink);
  cy += line * 1.1;
  for (guint s = 0; s < t->n_series; s++)
    {
      g_autofree char *label = gis_indicator_table_dup_series_label (t, s, c->lang);
      double item_w = sw + fs * 0.4 + text_width (c, label, fs, FALSE) + fs * 1.2;

      if (wrap_w > 0 && cx > x && cx + item_w > x + wrap_w)
        {
          cx = x;
          cy += line;
        }
      if (draw)
        {
          set_rgb (c->cr, series_color (t, s));
          if (t->kind == GIS_INDICATOR_INCIDENTS_BY_COUNTRY)
            {
              cairo_set_line_width (c->cr, fs * 0.2);
              cairo_move_to (c->cr, cx, cy + line / 2);
              cairo_line_to (c->cr, cx + sw, cy + line / 2);
              cairo_stroke (c->cr);
            }
          else
            {
              cairo_rectangle (c->cr, cx, cy + (line - sw) / 2, sw, sw);
              cairo_fill (c->cr);
            }
          show_text (c, label, fs, FALSE, cx + sw + fs * 0.4, cy + line / 2, 0, 0.5, FALSE, &ink);
        }
      if (wrap_w > 0)
        cx += item_w;
      else
        cy += line;
    }
  return cy + (wrap_w > 0 ? line : 0) - y;
}

static double
legend_width (Chart      *c,
              const char *title)
{
  double w = text_width (c, title, c->fs, TRUE);

  for (guint s = 0; s < c->t->n_series; s++)
    {
      g_autofree char *label = gis_indicator_table_dup_series_label (c->t, s, c->lang);

      w = MAX (w, c->fs * 1.3 + text_width (c, label, c->fs, FALSE));
    }
  return w;
}

/* The largest value drawn: a stack's total for stacked bars. */
static double
max_value (const GisIndicatorTable *t)
{
  double max = 0;

  for (guint r = 0; r < t->n_rows; r++)
    {
      double sum = 0;

      if (!row_drawn (t, r))
        continue;
      for (guint s = 0; s < t->n_series; s++)
        {
          double v = gis_indicator_table_get (t, r, s);

          if (isnan (v))
            continue;
          if (t->kind == GIS_INDICATOR_INCIDENTS_BY_CATEGORY)
            sum += v;
          else
            max = MAX (max, v);
        }
      max = MAX (max, sum);
    }
  return max;
}

/* The value axis: gridlines and tick labels at round numbers, along the
 * vertical (or, @horizontal, the horizontal) side of @plot. */
static void
draw_value_axis (Chart      *c,
                 const Box  *plot,
                 double      top,
                 double      step,
                 gboolean    horizontal,
                 gboolean    percent)
{
  cairo_t *cr = c->cr;

  cairo_set_line_width (cr, 1);
  for (double v = 0; v <= top + step * 1e-6; v += step)
    {
      g_autofree char *num = format_value (c->lang, v, step);
      g_autofree char *label = percent ? g_strdup_printf (c->lang == GIS_LANGUAGE_EN ? "%s%%" : "%s\u202f%%", num)
                                       : g_strdup (num);

      set_rgb (cr, &grid_grey);
      if (horizontal)
        {
          double x = round (plot->x + plot->w * v / top) + 0.5;

          cairo_move_to (cr, x, plot->y);
          cairo_line_to (cr, x, plot->y + plot->h);
          cairo_stroke (cr);
          show_text (c, label, c->fs * 0.9, FALSE, x, plot->y + plot->h + c->fs * 0.3, 0.5, 0, FALSE, &grey_ink);
        }
      else
        {
          double y = round (plot->y + plot->h - plot->h * v / top) + 0.5;

          cairo_move_to (cr, plot->x, y);
          cairo_line_to (cr, plot->x + plot->w, y);
          cairo_stroke (cr);
          show_text (c, label, c->fs * 0.9, FALSE, plot->x - c->fs * 0.4, y, 1, 0.5, FALSE, &grey_ink);
        }
    }
}

static void
draw_axes_lines (Chart     *c,
                 const Box *plot)
{
  set_rgb (c->cr, &grey_ink);
  cairo_set_line_width (c->cr, 1);
  cairo_move_to (c->cr, round (plot->x) + 0.5, plot->y);
  cairo_line_to (c->cr, round (plot->x) + 0.5, round (plot->y + plot->h) + 0.5);
  cairo_line_to (c->cr, plot->x + plot->w, round (plot->y + plot->h) + 0.5);
  cairo_stroke (c->cr);
}

static const char *
legend_title (GisIndicator kind,
              GisLanguage  language)
{
  switch (kind)
    {
    case GIS_INDICATOR_INCIDENTS_BY_CATEGORY:
      return gis_compose_tr (language, N_("Category"));
    case GIS_INDICATOR_INCIDENTS_BY_COUNTRY:
      return gis_compose_tr (language, N_("Country"));
    case GIS_INDICATOR_COVERAGE:
      return gis_compose_tr (language, N_("Covered"));
    case GIS_INDICATOR_HOTSPOTS:
    default:
      return NULL;
    }
}

static const char *
value_axis_title (GisIndicator kind,
                  GisLanguage  language)
{
  switch (kind)
    {
    case GIS_INDICATOR_INCIDENTS_BY_CATEGORY:
    case GIS_INDICATOR_INCIDENTS_BY_COUNTRY:
      return gis_compose_tr (language, N_("Incidents"));
    case GIS_INDICATOR_COVERAGE:
      return gis_compose_tr (language, N_("Covered (%)"));
    case GIS_INDICATOR_HOTSPOTS:
    default:
      /* TRANSLATORS: the unit of the emerging hot spot chart: cells of the grid */
      return gis_compose_tr (language, N_("Cells"));
    }
}

/* The line under the title: where the numbers come from. */
static char *
subtitle (const GisIndicatorTable *t,
          GisLanguage              language)
{
  g_autofree char *list = NULL;
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  switch (t->kind)
    {
    case GIS_INDICATOR_COVERAGE:
      list = t->resources != NULL ? g_strjoinv (", ", t->resources) : g_strdup ("");
      if (t->radius_km > 0)
        {
          g_ascii_formatd (buf, sizeof buf, "%g", t->radius_km);
          if (language != GIS_LANGUAGE_EN)
            g_strdelimit (buf, ".", ',');
          /* TRANSLATORS: the coverage chart's subtitle: the resource layers and their radius */
          return g_strdup_printf (gis_compose_tr (language, N_("Resources: %s, %s km around each")), list, buf);
        }
      /* TRANSLATORS: the coverage chart's subtitle: the resource layers */
      return g_strdup_printf (gis_compose_tr (language, N_("Resources: %s, each with its radius_km")), list);
    case GIS_INDICATOR_HOTSPOTS:
      {
        int r = find_key (t->row_keys, gis_emerging_category_to_string (GIS_EMERGING_NO_PATTERN));
        g_autofree char *n = gis_compose_format_int (language, r >= 0 ? (gint64) t->values[r] : 0);

        /* TRANSLATORS: the emerging hot spot chart's subtitle: the result layer, and its cells left out of the chart */
        return g_strdup_printf (gis_compose_tr (language, N_("Layer: %s; %s cells without a pattern")),
                                t->source != NULL ? t->source : "", n);
      }
    case GIS_INDICATOR_INCIDENTS_BY_CATEGORY:
    case GIS_INDICATOR_INCIDENTS_BY_COUNTRY:
    default:
      return g_strdup_printf (gis_compose_tr (language, N_("Layer: %s")), t->source != NULL ? t->source : "");
    }
}

static void
draw_bars_and_lines (Chart     *c,
                     const Box *plot,
                     double     top)
{
  const GisIndicatorTable *t = c->t;
  cairo_t *cr = c->cr;
  double slot = plot->w / MAX (t->n_rows, 1);
  guint label_every = 1;

  /* category labels along the bottom, thinned to fit */
  for (guint r = 0; r < t->n_rows; r++)
    {
      g_autofree char *label = gis_indicator_table_dup_row_label (t, r, c->lang);
      double w = text_width (c, label, c->fs * 0.9, FALSE) + c->fs * 0.6;

      while (label_every < t->n_rows && w > slot * label_every)
        label_every++;
    }

  for (guint r = 0; r < t->n_rows; r++)
    {
      double cx = plot->x + slot * (r + 0.5), base = 0;

      if (t->kind == GIS_INDICATOR_INCIDENTS_BY_CATEGORY)
        {
          double bw = slot * 0.7;

          for (guint s = 0; s < t->n_series; s++)
            {
              double v = gis_indicator_table_get (t, r, s);
              double y0 = plot->y + plot->h - plot->h * base / top;
              double y1 = plot->y + plot->h - plot->h * (base + v) / top;

              if (isnan (v) || v <= 0)
                continue;
              set_rgb (cr, series_color (t, s));
              cairo_rectangle (cr, cx - bw / 2, y1, bw, y0 - y1);
              cairo_fill (cr);
              base += v;
            }
        }
      else if (t->kind == GIS_INDICATOR_COVERAGE)
        {
          double group = slot * 0.75, bw = group / MAX (t->n_series, 1);

          for (guint s = 0; s < t->n_series; s++)
            {
              double v = gis_indicator_table_get (t, r, s);
              double x0 = cx - group / 2 + bw * s, y1;

              if (isnan (v))
                continue;
              y1 = plot->y + plot->h - plot->h * v / top;
              set_rgb (cr, series_color (t, s));
              cairo_rectangle (cr, x0 + bw * 0.05, y1, bw * 0.9, plot->y + plot->h - y1);
              cairo_fill (cr);
              {
                char buf[G_ASCII_DTOSTR_BUF_SIZE];
                g_autofree char *num = g_strdup (g_ascii_formatd (buf, sizeof buf, "%.1f", v));

                if (c->lang != GIS_LANGUAGE_EN)
                  g_strdelimit (num, ".", ',');

                show_text (c, num, c->fs * 0.8, FALSE, x0 + bw / 2, y1 - c->fs * 0.15, 0.5, 1, FALSE, &ink);
              }
            }
        }
      if (r % label_every == 0)
        {
          g_autofree char *label = gis_indicator_table_dup_row_label (t, r, c->lang);

          show_text (c, label, c->fs * 0.9, FALSE, cx, plot->y + plot->h + c->fs * 0.3, 0.5, 0, FALSE, &grey_ink);
        }
    }

  if (t->kind == GIS_INDICATOR_INCIDENTS_BY_COUNTRY)
    for (guint s = 0; s < t->n_series; s++)
      {
        gboolean started = FALSE;

        set_rgb (cr, series_color (t, s));
        cairo_set_line_width (cr, MAX (1.5, c->fs * 0.18));
        cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
        for (guint r = 0; r < t->n_rows; r++)
          {
            double v = gis_indicator_table_get (t, r, s);
            double x = plot->x + slot * (r + 0.5), y = plot->y + plot->h - plot->h * v / top;

            if (isnan (v))
              continue;
            if (started)
              cairo_line_to (cr, x, y);
            else
              cairo_move_to (cr, x, y);
            started = TRUE;
          }
        cairo_stroke (cr);
        for (guint r = 0; r < t->n_rows; r++)
          {
            double v = gis_indicator_table_get (t, r, s);

            if (isnan (v))
              continue;
            cairo_arc (cr, plot->x + slot * (r + 0.5), plot->y + plot->h - plot->h * v / top, c->fs * 0.28, 0,
                       2 * G_PI);
            cairo_fill (cr);
          }
      }
}

static void
draw_hbars (Chart     *c,
            const Box *plot,
            double     top)
{
  const GisIndicatorTable *t = c->t;
  double slot = plot->h / MAX (n_rows_drawn (t), 1);
  guint i = 0;

  for (guint r = 0; r < t->n_rows; r++)
    {
      g_autofree char *label = NULL;
      g_autofree char *num = NULL;
      double v = gis_indicator_table_get (t, r, 0), cy = plot->y + slot * (i + 0.5), bw;
      Rgb color = emerging_color (t->row_keys[r]);

      if (!row_drawn (t, r))
        continue;
      i++;
      label = gis_indicator_table_dup_row_label (t, r, c->lang);

      show_text (c, label, c->fs * 0.9, FALSE, plot->x - c->fs * 0.4, cy, 1, 0.5, FALSE, &ink);
      if (isnan (v))
        continue;
      bw = plot->w * v / top;
      set_rgb (c->cr, &color);
      cairo_rectangle (c->cr, plot->x, cy - slot * 0.35, bw, slot * 0.7);
      cairo_fill (c->cr);
      num = gis_compose_format_int (c->lang, (gint64) llround (v));
      show_text (c, num, c->fs * 0.8, FALSE, plot->x + bw + c->fs * 0.3, cy, 0, 0.5, FALSE, &ink);
    }
}

/**
 * gis_indicator_draw:
 * @table: a table
 * @cr: where to draw
 * @x: the left edge of the chart's box, in @cr's user space
 * @y: its top edge
 * @width: its width; the type is sized after the box
 * @height: its height
 * @language: the language of the title, labels and legend
 * @svg_text: (nullable): where the text goes instead, as SVG text
 *   elements in @cr's device space
 *
 * Draws the chart — title, a line saying where the numbers come from,
 * axes with ticks at round numbers, the unit, the legend — in the box,
 * on a transparent background.
 */
void
gis_indicator_draw (const GisIndicatorTable *table,
                    cairo_t                 *cr,
                    double                   x,
                    double                   y,
                    double                   width,
                    double                   height,
                    GisLanguage              language,
                    GString                 *svg_text)
{
  Chart c = { 0 };
  const char *ltitle, *vtitle;
  g_autofree char *sub = NULL;
  Box plot;
  double pad, th, sh, top, step, legend_w = 0, legend_h = 0, label_w = 0, line;
  gboolean legend_right = FALSE, horizontal, percent;

  g_return_if_fail (table != NULL);
  g_return_if_fail (cr != NULL);
  g_return_if_fail (language < GIS_N_LANGUAGES);

  if (width < 40 || height < 40)
    return;
  c.t = table;
  c.cr = cr;
  c.svg = svg_text;
  c.lang = language;
  c.pango = get_pango_context ();
  /* the type after the box, but never too small to read in a side pane
   * or a quarter of a Letter page */
  c.fs = CLAMP (MIN (width / 38.0, height / 30.0), 8.5, 16.0);
  pad = c.fs;
  line = text_height (&c, c.fs);
  horizontal = table->kind == GIS_INDICATOR_HOTSPOTS;
  percent = table->kind == GIS_INDICATOR_COVERAGE;

  cairo_save (cr);

  /* the title and the line under it */
  show_text (&c, gis_indicator_get_title (table->kind, language), c.fs * 1.35, TRUE, x + pad, y + pad * 0.8, 0, 0,
             FALSE, &ink);
  th = text_height (&c, c.fs * 1.35);
  sub = subtitle (table, language);
  show_text (&c, sub, c.fs * 0.85, FALSE, x + pad, y + pad * 0.8 + th, 0, 0, FALSE, &grey_ink);
  sh = text_height (&c, c.fs * 0.85);

  plot.y = y + pad * 0.8 + th + sh + pad * 1.2;
  plot.x = x + pad;
  plot.w = width - 2 * pad;
  plot.h = y + height - pad - plot.y;

  /* the legend, right of the plot when the box is wide, else under it */
  ltitle = legend_title (table->kind, language);
  if (ltitle != NULL)
    {
      legend_w = legend_width (&c, ltitle);
      legend_right = width > 1.5 * height && legend_w < width * 0.3;
      if (legend_right)
        {
          plot.w -= legend_w + pad;
          draw_legend (&c, ltitle, plot.x + plot.w + pad, plot.y, 0, TRUE);
        }
      else
        {
          legend_h = draw_legend (&c, ltitle, plot.x, 0, plot.w, FALSE);
          plot.h -= legend_h + pad * 0.5;
          draw_legend (&c, ltitle, plot.x, plot.y + plot.h + pad * 0.5, plot.w, TRUE);
        }
    }

  top = max_value (table);
  if (percent)
    top = 100;
  step = nice_step (top > 0 ? top : 1, MAX (2, (int) ((horizontal ? plot.w : plot.h) / (c.fs * 4.5))));
  top = MAX (step, ceil (top / step - 1e-9) * step);

  /* room for the tick labels and the axis titles */
  vtitle = value_axis_title (table->kind, language);
  if (horizontal)
    {
      for (guint r = 0; r < table->n_rows; r++)
        {
          g_autofree char *label = gis_indicator_table_dup_row_label (table, r, language);

          if (row_drawn (table, r))
            label_w = MAX (label_w, text_width (&c, label, c.fs * 0.9, FALSE));
        }
      label_w = MIN (label_w, plot.w * 0.45);
      plot.x += label_w + c.fs * 0.6;
      plot.w -= label_w + c.fs * 0.6 + text_width (&c, "000000", c.fs * 0.8, FALSE);
      plot.h -= line * 0.9 + c.fs * 0.3 + line;
      show_text (&c, vtitle, c.fs * 0.9, FALSE, plot.x + plot.w / 2, plot.y + plot.h + line * 1.1 + c.fs * 0.3, 0.5,
                 0, FALSE, &grey_ink);
    }
  else
    {
      g_autofree char *num = format_value (language, top, step);
      g_autofree char *widest = percent ? g_strdup_printf ("%s %%", num) : g_strdup (num);

      label_w = text_width (&c, widest, c.fs * 0.9, FALSE);
      plot.x += line + c.fs * 0.4 + label_w + c.fs * 0.5;
      plot.w -= line + c.fs * 0.4 + label_w + c.fs * 0.5;
      plot.h -= line * 0.9 + c.fs * 0.3 + (table->kind == GIS_INDICATOR_COVERAGE ? 0 : line);
      show_text (&c, vtitle, c.fs * 0.9, FALSE, x + pad, plot.y + plot.h / 2, 0.5, 0, TRUE, &grey_ink);
      if (table->kind != GIS_INDICATOR_COVERAGE)
        show_text (&c, gis_compose_tr (language, N_("Year")), c.fs * 0.9, FALSE, plot.x + plot.w / 2,
                   plot.y + plot.h + line * 1.0 + c.fs * 0.3, 0.5, 0, FALSE, &grey_ink);
      /* room above the tallest bar's value */
      if (percent)
        {
          plot.y += line * 0.8;
          plot.h -= line * 0.8;
        }
    }

  if (plot.w > 10 && plot.h > 10)
    {
      draw_value_axis (&c, &plot, top, step, horizontal, percent);
      if (horizontal)
        draw_hbars (&c, &plot, top);
      else
        draw_bars_and_lines (&c, &plot, top);
      draw_axes_lines (&c, &plot);
    }

  cairo_restore (cr);
  g_object_unref (c.pango);
}

/* ---- export ------------------------------------------------------------ */

static cairo_status_t
append_to_string (void                *closure,
                  const unsigned char *data,
                  unsigned int         length)
{
  g_string_append_len (closure, (const char *) data, length);
  return CAIRO_STATUS_SUCCESS;
}

static gboolean
cairo_ok (cairo_status_t   status,
          const char      *path,
          GError         **error)
{
  if (status == CAIRO_STATUS_SUCCESS)
    return TRUE;
  g_set_error (error, GIS_ERROR, GIS_ERROR_IO, _("Cannot write “%s”: %s"), path, cairo_status_to_string (status));
  return FALSE;
}

/**
 * gis_indicator_export:
 * @table: a table
 * @path: the file to write
 * @format: %GIS_COMPOSE_PNG or %GIS_COMPOSE_SVG (or %GIS_COMPOSE_PDF)
 * @width_px: the chart's width: pixels of a PNG, points of an SVG or PDF
 * @height_px: its height
 * @language: the language of its text
 * @error: return location for an error
 *
 * Writes the chart on a white background; the text of an SVG is text.
 *
 * Returns: whether the file was written
 */
gboolean
gis_indicator_export (const GisIndicatorTable  *table,
                      const char               *path,
                      GisComposeFormat          format,
                      int                       width_px,
                      int                       height_px,
                      GisLanguage               language,
                      GError                  **error)
{
  g_autoptr(GString) body = g_string_new (NULL);
  g_autoptr(GString) text = NULL;
  cairo_surface_t *surface;
  cairo_t *cr;
  gboolean ok;

  g_return_val_if_fail (table != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (format <= GIS_COMPOSE_PNG, FALSE);

  if (width_px < 100 || height_px < 80 || width_px > MAX_SIDE_PX || height_px > MAX_SIDE_PX)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT,
                   _("A chart is from 100 × 80 to %d × %d pixels, not %d × %d"), MAX_SIDE_PX, MAX_SIDE_PX,
                   width_px, height_px);
      return FALSE;
    }

  if (format == GIS_COMPOSE_PNG)
    surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, width_px, height_px);
  else if (format == GIS_COMPOSE_SVG)
    {
      surface = cairo_svg_surface_create_for_stream (append_to_string, body, width_px, height_px);
      cairo_svg_surface_set_document_unit (surface, CAIRO_SVG_UNIT_USER);
      text = g_string_new (NULL);
    }
  else
    surface = cairo_pdf_surface_create_for_stream (append_to_string, body, width_px, height_px);
  if (!cairo_ok (cairo_surface_status (surface), path, error))
    {
      cairo_surface_destroy (surface);
      return FALSE;
    }
  cr = cairo_create (surface);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  gis_indicator_draw (table, cr, 0, 0, width_px, height_px, language, text);
  ok = cairo_ok (cairo_status (cr), path, error);
  cairo_destroy (cr);
  if (ok && format == GIS_COMPOSE_PNG)
    ok = cairo_ok (cairo_surface_write_to_png_stream (surface, append_to_string, body), path, error);
  cairo_surface_finish (surface);
  if (ok)
    ok = cairo_ok (cairo_surface_status (surface), path, error);
  cairo_surface_destroy (surface);
  if (!ok)
    return FALSE;

  if (format == GIS_COMPOSE_SVG)
    {
      g_autoptr(GString) doc = g_string_new (NULL);
      const char *inner = strstr (body->str, "<svg");

      /* cairo's document, without its XML declaration, nested in ours,
       * the text over it */
      g_string_append_printf (doc,
                              "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                              "<svg xmlns=\"http://www.w3.org/2000/svg\" "
                              "xmlns:xlink=\"http://www.w3.org/1999/xlink\" version=\"1.1\" "
                              "width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\">\n<title>",
                              width_px, height_px, width_px, height_px);
      {
        g_autofree char *title = g_markup_escape_text (gis_indicator_get_title (table->kind, language), -1);

        g_string_append (doc, title);
      }
      g_string_append (doc, "</title>\n");
      g_string_append (doc, inner != NULL ? inner : body->str);
      g_string_append (doc, "<g id=\"text\" xml:space=\"preserve\">\n");
      g_string_append_len (doc, text->str, text->len);
      g_string_append (doc, "</g>\n</svg>\n");
      return g_file_set_contents (path, doc->str, doc->len, error);
    }
  return g_file_set_contents (path, body->str, body->len, error);
}

/* ---- a page of an export ----------------------------------------------- */

typedef struct
{
  char              *store_path;
  double             radius_km;
  GMutex             lock;
  gboolean           computed;
  GisIndicatorTable *tables[GIS_N_INDICATORS];
} IndicatorsPage;

static void
indicators_page_free (IndicatorsPage *ip)
{
  g_free (ip->store_path);
  for (guint i = 0; i < GIS_N_INDICATORS; i++)
    gis_indicator_table_free (ip->tables[i]);
  g_mutex_clear (&ip->lock);
  g_free (ip);
}

/* The four charts in a grid under the page's title; one the store cannot
 * give (no emerging hot spot result yet) says so in its place. */
static gboolean
draw_indicators_page (cairo_t       *cr,
                      double         width_pt,
                      double         height_pt,
                      double         margin_pt,
                      GisLanguage    language,
                      GString       *svg_text,
                      GCancellable  *cancellable,
                      gpointer       user_data,
                      GError       **error)
{
  IndicatorsPage *ip = user_data;
  Chart c = { 0 };
  double u = CLAMP (MIN (width_pt, height_pt) / 612.0, 0.9, 1.6), th, gap, cw, ch, top;
  guint cols = 2, rows = 2;

  g_mutex_lock (&ip->lock);
  if (!ip->computed)
    {
      g_autoptr(GisStore) store = gis_store_open (ip->store_path, GIS_STORE_OPEN_READ_ONLY, error);

      if (store == NULL)
        {
          g_mutex_unlock (&ip->lock);
          return FALSE;
        }
      for (guint i = 0; i < GIS_N_INDICATORS; i++)
        {
          g_autoptr(GError) local_error = NULL;

          ip->tables[i] = gis_indicator_table_compute (store, (GisIndicator) i, ip->radius_km, cancellable, NULL,
                                                       NULL, &local_error);
          if (ip->tables[i] == NULL &&
              (i != GIS_INDICATOR_HOTSPOTS || g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED)))
            {
              g_propagate_error (error, g_steal_pointer (&local_error));
              g_mutex_unlock (&ip->lock);
              return FALSE;
            }
        }
      ip->computed = TRUE;
    }
  g_mutex_unlock (&ip->lock);

  c.cr = cr;
  c.svg = svg_text;
  c.lang = language;
  c.pango = get_pango_context ();
  show_text (&c, gis_compose_tr (language, N_("Indicators")), 18 * u, TRUE, margin_pt, margin_pt, 0, 0, FALSE, &ink);
  th = text_height (&c, 18 * u);
  gap = 12 * u;
  top = margin_pt + th + gap;
  cw = (width_pt - 2 * margin_pt - gap * (cols - 1)) / cols;
  ch = (height_pt - margin_pt - top - gap * (rows - 1)) / rows;
  for (guint i = 0; i < GIS_N_INDICATORS; i++)
    {
      double x = margin_pt + (cw + gap) * (i % cols), y = top + (ch + gap) * (i / cols);

      cairo_save (cr);
      cairo_set_source_rgb (cr, 0.8, 0.8, 0.8);
      cairo_set_line_width (cr, 0.5);
      cairo_rectangle (cr, x, y, cw, ch);
      cairo_stroke (cr);
      cairo_restore (cr);
      if (ip->tables[i] != NULL)
        gis_indicator_draw (ip->tables[i], cr, x, y, cw, ch, language, svg_text);
      else
        {
          c.fs = 9 * u;
          show_text (&c, gis_indicator_get_title ((GisIndicator) i, language), 11 * u, TRUE, x + c.fs, y + c.fs,
                     0, 0, FALSE, &ink);
          show_text (&c, gis_compose_tr (language, N_("The store has no emerging hot spot result yet.")), c.fs,
                     FALSE, x + c.fs, y + ch / 2, 0, 0.5, FALSE, &grey_ink);
        }
    }
  g_object_unref (c.pango);
  return !g_cancellable_set_error_if_cancelled (cancellable, error);
}

/**
 * gis_indicators_add_page:
 * @composition: a composition
 * @store_path: the store the indicators are computed from
 * @radius_km: the resources' radius for the coverage chart; 0 reads each
 *   one's radius_km field (see gis_indicator_table_compute())
 *
 * Adds a page of the four indicator charts after the map pages, in the
 * export's language.  The indicators are computed when the page is first
 * drawn, on the thread that exports.
 */
void
gis_indicators_add_page (GisComposition *composition,
                         const char     *store_path,
                         double          radius_km)
{
  IndicatorsPage *ip;

  g_return_if_fail (GIS_IS_COMPOSITION (composition));
  g_return_if_fail (store_path != NULL);

  ip = g_new0 (IndicatorsPage, 1);
  ip->store_path = g_strdup (store_path);
  ip->radius_km = MAX (radius_km, 0);
  g_mutex_init (&ip->lock);
  gis_composition_add_page (composition, N_("Indicators"), draw_indicators_page, ip,
                            (GDestroyNotify) indicators_page_free);
}
