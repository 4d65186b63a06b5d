/* gis-hotspots-input.c: the points every hotspot method starts from
 *
 * The filters become one parameterised statement: identifiers are the
 * layer's own columns, checked against its fields and quoted; every user
 * value is bound.  The geometry blobs are decoded here (a point blob is
 * fixed-size) and projected in one call.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "gis-hotspots-input"

#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "gis-blob-private.h"
#include "gis-crs.h"
#include "gis-error.h"
#include "gis-hotspots-input.h"
#include "gis-query.h"
#include "gis-sql-private.h"
#include "gis-store-private.h"
#include "gis-store.h"

#define DATE_FIELD     "occurred_at"
#define CATEGORY_FIELD "category"
#define SEVERITY_FIELD "severity"
#define COUNTRY_FIELD  "country"

/**
 * gis_hotspot_input_init:
 * @input: an input to fill
 *
 * Sets @input to the incidents layer without filters nor weights.
 */
void
gis_hotspot_input_init (GisHotspotInput *input)
{
  g_return_if_fail (input != NULL);

  memset (input, 0, sizeof *input);
  input->layer = "incidents";
  input->min_severity = -1;
}

static const GisField *
find_field (GPtrArray  *fields,
            const char *name)
{
  for (guint i = 0; i < fields->len; i++)
    {
      const GisField *f = g_ptr_array_index (fields, i);

      if (g_ascii_strcasecmp (f->name, name) == 0)
        return f;
    }
  return NULL;
}

static gboolean
require_field (GisLayer        *layer,
               GPtrArray       *fields,
               const char      *name,
               const char      *what,
               const GisField **out,
               GError         **error)
{
  const GisField *f = find_field (fields, name);

  if (f == NULL)
    {
      /* TRANSLATORS: %s: a layer, a field, then what needs it ("a category filter") */
      g_set_error (error, GIS_ERROR, GIS_ERROR_NOT_FOUND, _("The layer “%s” has no field “%s”, needed by %s"),
                   gis_layer_get_name (layer), name, what);
      return FALSE;
    }
  if (out != NULL)
    *out = f;
  return TRUE;
}

static gboolean
has_categories (const GisHotspotInput *input)
{
  return input->categories != NULL && input->categories[0] != NULL;
}

/* The layer, its fields, and the filters checked.  Returns the layer. */
static GisLayer *
check_input (GisStore               *store,
             const GisHotspotInput  *input,
             GPtrArray             **out_fields,
             GError                **error)
{
  g_autoptr(GisLayer) layer = NULL;
  g_autoptr(GPtrArray) fields = NULL;
  const GisField *f;
  gint64 from = 0, to = 0;

  if (input->layer == NULL || *input->layer == '\0')
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT, _("No point layer was given"));
      return NULL;
    }
  layer = gis_store_get_layer (store, input->layer, error);
  if (layer == NULL)
    return NULL;
  if (!gis_layer_is_point_layer (layer))
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT, _("The layer “%s” is not a point layer"),
                   gis_layer_get_name (layer));
      return NULL;
    }
  fields = gis_store_get_fields (store, layer, error);
  if (fields == NULL)
    return NULL;

  if (has_categories (input) &&
      !require_field (layer, fields, CATEGORY_FIELD, _("a category filter"), NULL, error))
    return NULL;
  if (input->date_from != NULL && !gis_query_parse_period (input->date_from, FALSE, &from))
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT,
                   _("“%s” is not a date: write YYYY, YYYY-MM or YYYY-MM-DD"), input->date_from);
      return NULL;
    }
  if (input->date_to != NULL && !gis_query_parse_period (input->date_to, TRUE, &to))
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT,
                   _("“%s” is not a date: write YYYY, YYYY-MM or YYYY-MM-DD"), input->date_to);
      return NULL;
    }
  if (input->date_from != NULL && input->date_to != NULL && from > to)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT, _("The period starts (%s) after it ends (%s)"),
                   input->date_from, input->date_to);
      return NULL;
    }
  if ((input->date_from != NULL || input->date_to != NULL) &&
      !require_field (layer, fields, DATE_FIELD, _("a date filter"), NULL, error))
    return NULL;
  if (input->min_severity >= 0 &&
      !require_field (layer, fields, SEVERITY_FIELD, _("a severity filter"), NULL, error))
    return NULL;
  if (!isfinite (input->min_severity))
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT, _("The minimum severity must be a number"));
      return NULL;
    }
  if (input->weight_field != NULL)
    {
      if (!require_field (layer, fields, input->weight_field, _("the weights"), &f, error))
        return NULL;
      if (f->type != GIS_FIELD_INTEGER && f->type != GIS_FIELD_REAL)
        {
          g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT,
                       _("The field “%s” of “%s” is not numeric: it cannot weigh the points"),
                       f->name, gis_layer_get_name (layer));
          return NULL;
        }
    }
  if (out_fields != NULL)
    *out_fields = g_steal_pointer (&fields);
  return g_steal_pointer (&layer);
}

/**
 * gis_hotspot_input_check:
 * @store: a store
 * @input: what to read
 * @error: return location for an error
 *
 * Checks that the layer exists and is a point layer, that it has the
 * fields the filters need, that the dates are dates and that the weight
 * field is numeric, without reading the points.
 *
 * Returns: %TRUE when gis_hotspot_points_load() can read @input
 */
gboolean
gis_hotspot_input_check (GisStore               *store,
                         const GisHotspotInput  *input,
                         GError                **error)
{
  g_autoptr(GisLayer) layer = NULL;

  g_return_val_if_fail (GIS_IS_STORE (store), FALSE);
  g_return_val_if_fail (input != NULL, FALSE);

  layer = check_input (store, input, NULL, error);
  return layer != NULL;
}

/**
 * gis_hotspot_input_to_json:
 * @input: an input
 * @builder: a builder inside an object
 *
 * Adds the members "layer", "categories", "from", "to", "min_severity"
 * and "weight_field" (those set) for a method record.
 */
void
gis_hotspot_input_to_json (const GisHotspotInput *input,
                           JsonBuilder           *builder)
{
  g_return_if_fail (input != NULL);
  g_return_if_fail (JSON_IS_BUILDER (builder));

  json_builder_set_member_name (builder, "layer");
  json_builder_add_string_value (builder, input->layer);
  if (has_categories (input))
    {
      json_builder_set_member_name (builder, "categories");
      json_builder_begin_array (builder);
      for (guint i = 0; input->categories[i] != NULL; i++)
        json_builder_add_string_value (builder, input->categories[i]);
      json_builder_end_array (builder);
    }
  if (input->date_from != NULL)
    {
      json_builder_set_member_name (builder, "from");
      json_builder_add_string_value (builder, input->date_from);
    }
  if (input->date_to != NULL)
    {
      json_builder_set_member_name (builder, "to");
      json_builder_add_string_value (builder, input->date_to);
    }
  if (input->min_severity >= 0)
    {
      json_builder_set_member_name (builder, "min_severity");
      json_builder_add_double_value (builder, input->min_severity);
    }
  if (input->weight_field != NULL)
    {
      json_builder_set_member_name (builder, "weight_field");
      json_builder_add_string_value (builder, input->weight_field);
    }
}

static char *
iso_utc (gint64 unix_s)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (unix_s);

  return g_date_time_format (dt, "%Y-%m-%dT%H:%M:%SZ");
}

static gboolean
digits (const char *p,
        int         n,
        int        *out)
{
  int v = 0;

  for (int i = 0; i < n; i++)
    {
      if (!g_ascii_isdigit (p[i]))
        return FALSE;
      v = v * 10 + (p[i] - '0');
    }
  *out = v;
  return TRUE;
}

/* Days from 1970-01-01 to a date of the proleptic Gregorian calendar
 * (H. Hinnant's days_from_civil). */
static gint64
days_from_civil (gint64 y,
                 int    m,
                 int    d)
{
  gint64 era, yoe, doy, doe;

  y -= m <= 2;
  era = (y >= 0 ? y : y - 399) / 400;
  yoe = y - era * 400;
  doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

/* "YYYY-MM-DDTHH:MM:SSZ" as the import writes it, or a date "YYYY-MM-DD",
 * fast; anything else through GDateTime. */
static double
parse_time (const char *text)
{
  int y, mo, d, h = 0, mi = 0, s = 0;
  gsize len;

  if (text == NULL)
    return NAN;
  len = strlen (text);
  if ((len == 10 || (len == 20 && text[10] == 'T' && text[13] == ':' && text[16] == ':' && text[19] == 'Z')) &&
      text[4] == '-' && text[7] == '-' &&
      digits (text, 4, &y) && digits (text + 5, 2, &mo) && digits (text + 8, 2, &d) &&
      mo >= 1 && mo <= 12 && d >= 1 && d <= 31 &&
      (len == 10 || (digits (text + 11, 2, &h) && digits (text + 14, 2, &mi) && digits (text + 17, 2, &s))))
    return (double) (days_from_civil (y, mo, d) * 86400 + h * 3600 + mi * 60 + s);
  else
    {
      g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
      g_autoptr(GDateTime) dt = g_date_time_new_from_iso8601 (text, utc);

      return dt != NULL ? (double) g_date_time_to_unix (dt) : NAN;
    }
}

/* The index of @text in @names (added when new), -1 for NULL. */
static gint32
intern (GHashTable *index,
        GPtrArray  *names,
        const char *text)
{
  gpointer v;

  if (text == NULL)
    return -1;
  if (g_hash_table_lookup_extended (index, text, NULL, &v))
    return GPOINTER_TO_INT (v);
  g_ptr_array_add (names, g_strdup (text));
  g_hash_table_insert (index, g_ptr_array_index (names, names->len - 1), GINT_TO_POINTER (names->len - 1));
  return (gint32) names->len - 1;
}

static void
grow (GisHotspotPoints *p,
      gsize             cap)
{
  p->x = g_renew (double, p->x, cap);
  p->y = g_renew (double, p->y, cap);
  p->weight = g_renew (double, p->weight, cap);
  p->time_s = g_renew (double, p->time_s, cap);
  p->fid = g_renew (gint64, p->fid, cap);
  p->category = g_renew (gint32, p->category, cap);
  p->country = g_renew (gint32, p->country, cap);
}

/**
 * gis_hotspot_points_load:
 * @store: a store
 * @input: what to read
 * @out: (out caller-allocates): the points; clear with gis_hotspot_points_clear()
 * @cancellable: (nullable): stops the reading
 * @error: return location for an error
 *
 * Reads the points of @input's layer that pass its filters (features
 * without a geometry are left out, and with a weight field those whose
 * weight is empty), projected to the analysis CRS.  Runs on any thread;
 * the store must not be used by another thread meanwhile.
 *
 * Returns: %TRUE on success (possibly with no points)
 */
gboolean
gis_hotspot_points_load (GisStore               *store,
                         const GisHotspotInput  *input,
                         GisHotspotPoints       *out,
                         GCancellable           *cancellable,
                         GError                **error)
{
  sqlite3 *db;
  g_autoptr(GisLayer) layer = NULL;
  g_autoptr(GPtrArray) fields = NULL;
  g_autoptr(GString) sql = g_string_new ("SELECT t.fid, t.geom");
  g_autoptr(GString) where = g_string_new (NULL);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);  /* bound in order ?1, ?2 … */
  g_autoptr(GHashTable) cat_index = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) country_index = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GisCrs) storage = NULL;
  g_autoptr(GisCrs) analysis = NULL;
  g_autoptr(GisTransform) to_analysis = NULL;
  g_autofree char *qt = NULL;
  const GisField *f;
  gboolean has_cat, has_country, has_time;
  int col_weight = -1, col_time = -1, col_cat = -1, col_country = -1, ncol = 2, severity_param = 0;
  gsize cap = 4096, n = 0;
  int rc;

  g_return_val_if_fail (GIS_IS_STORE (store), FALSE);
  g_return_val_if_fail (input != NULL, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);

  memset (out, 0, sizeof *out);
  layer = check_input (store, input, &fields, error);
  if (layer == NULL)
    return FALSE;
  db = gis_store_get_db (store);

  storage = gis_crs_new_storage ();
  analysis = gis_crs_new_analysis ();
  to_analysis = gis_transform_new (storage, analysis, error);
  if (to_analysis == NULL)
    return FALSE;

  /* the columns: only names of the layer's own fields reach the SQL, quoted */
  has_cat = find_field (fields, CATEGORY_FIELD) != NULL;
  has_country = find_field (fields, COUNTRY_FIELD) != NULL;
  has_time = find_field (fields, DATE_FIELD) != NULL;
  if (input->weight_field != NULL)
    {
      g_autofree char *q = NULL;

      f = find_field (fields, input->weight_field);
      q = gis_sql_quote_ident (f->name);
      g_string_append_printf (sql, ", t.%s", q);
      col_weight = ncol++;
      g_string_append_printf (where, " AND t.%s IS NOT NULL", q);
    }
  if (has_time)
    {
      g_string_append (sql, ", t." DATE_FIELD);
      col_time = ncol++;
    }
  if (has_cat)
    {
      g_string_append (sql, ", t." CATEGORY_FIELD);
      col_cat = ncol++;
    }
  if (has_country)
    {
      g_string_append (sql, ", t." COUNTRY_FIELD);
      col_country = ncol++;
    }

  /* the filters: values bound */
  if (has_categories (input))
    {
      g_string_append (where, " AND t." CATEGORY_FIELD " IN (");
      for (guint i = 0; input->categories[i] != NULL; i++)
        {
          g_ptr_array_add (texts, g_strdup (input->categories[i]));
          g_string_append_printf (where, "%s?%u", i > 0 ? ", " : "", texts->len);
        }
      g_string_append_c (where, ')');
    }
  if (input->date_from != NULL)
    {
      gint64 s = 0;

      gis_query_parse_period (input->date_from, FALSE, &s);
      g_ptr_array_add (texts, iso_utc (s));
      g_string_append_printf (where, " AND t." DATE_FIELD " >= ?%u", texts->len);
    }
  if (input->date_to != NULL)
    {
      gint64 s = 0;

      gis_query_parse_period (input->date_to, TRUE, &s);
      g_ptr_array_add (texts, iso_utc (s));
      g_string_append_printf (where, " AND t." DATE_FIELD " <= ?%u", texts->len);
    }
  if (input->min_severity >= 0)
    {
      severity_param = texts->len + 1;
      g_string_append_printf (where, " AND t." SEVERITY_FIELD " >= ?%d", severity_param);
    }

  qt = gis_sql_quote_ident (gis_layer_get_table_name (layer));
  g_string_append_printf (sql, " FROM %s AS t", qt);
  if (where->len > 0)
    g_string_append_printf (sql, " WHERE%s", where->str + strlen (" AND"));
  g_string_append (sql, " ORDER BY t.fid");
  g_debug ("%s", sql->str);

  stmt = gis_sql_prepare (db, sql->str, error);
  if (stmt == NULL)
    return FALSE;
  for (guint i = 0; i < texts->len; i++)
    sqlite3_bind_text (stmt, (int) i + 1, g_ptr_array_index (texts, i), -1, SQLITE_STATIC);
  if (severity_param > 0)
    sqlite3_bind_double (stmt, severity_param, input->min_severity);

  out->layer = g_object_ref (layer);
  out->has_time = has_time;
  out->category_names = g_ptr_array_new_with_free_func (g_free);
  out->country_names = g_ptr_array_new_with_free_func (g_free);
  grow (out, cap);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const guint8 *blob = sqlite3_column_blob (stmt, 1);
      int len = sqlite3_column_bytes (stmt, 1);
      double x, y;

      if (blob == NULL || !gis_blob_get_point (blob, len, &x, &y))
        continue;  /* no geometry: not on the map */
      if (n == cap)
        {
          cap *= 2;
          grow (out, cap);
        }
      out->fid[n] = sqlite3_column_int64 (stmt, 0);
      out->x[n] = x;
      out->y[n] = y;
      out->weight[n] = col_weight >= 0 ? sqlite3_column_double (stmt, col_weight) : 1.0;
      out->time_s[n] = col_time >= 0 ? parse_time ((const char *) sqlite3_column_text (stmt, col_time)) : NAN;
      out->category[n] = col_cat >= 0 ? intern (cat_index, out->category_names,
                                                (const char *) sqlite3_column_text (stmt, col_cat)) : -1;
      out->country[n] = col_country >= 0 ? intern (country_index, out->country_names,
                                                   (const char *) sqlite3_column_text (stmt, col_country)) : -1;
      n++;
      if ((n & 0xffff) == 0 && g_cancellable_set_error_if_cancelled (cancellable, error))
        {
          gis_hotspot_points_clear (out);
          return FALSE;
        }
    }
  out->n = n;
  if (rc != SQLITE_DONE)
    {
      gis_sql_set_error (error, db, rc, gis_layer_get_name (layer));
      gis_hotspot_points_clear (out);
      return FALSE;
    }
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    {
      gis_hotspot_points_clear (out);
      return FALSE;
    }
  if (n > 0 && !gis_transform_array (to_analysis, out->x, out->y, n))
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_CRS, _("The points of “%s” cannot be projected"),
                   gis_layer_get_name (layer));
      gis_hotspot_points_clear (out);
      return FALSE;
    }
  return TRUE;
}

/**
 * gis_hotspot_points_clear:
 * @points: points read by gis_hotspot_points_load()
 *
 * Frees what @points holds and zeroes it.
 */
void
gis_hotspot_points_clear (GisHotspotPoints *points)
{
  g_return_if_fail (points != NULL);

  g_free (points->x);
  g_free (points->y);
  g_free (points->weight);
  g_free (points->time_s);
  g_free (points->fid);
  g_free (points->category);
  g_free (points->country);
  g_clear_pointer (&points->category_names, g_ptr_array_unref);
  g_clear_pointer (&points->country_names, g_ptr_array_unref);
  g_clear_object (&points->layer);
  memset (points, 0, sizeof *points);
}
