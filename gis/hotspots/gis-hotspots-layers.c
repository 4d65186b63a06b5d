/* gis-hotspots-layers.c: Gi*, clusters and emerging hot spots as result layers
 *
 * The methods run on points projected to the analysis CRS
 * (gis_hotspot_points_load()); their results are written back in
 * EPSG:4326 as tables of role "result" (AddGeometryColumn, an R*Tree
 * index), each with a style and a method record, in one transaction:
 * on an error or a cancel, ROLLBACK leaves the store as it was.
 *
 * Bins and cells go back to lon/lat as polygons through their corners
 * (4 for squares, 6 for hexagons); a bin is a few km across, so the
 * straight edges in lon/lat stray from the projected ones by far less
 * than a pixel at the scales where a bin shows.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef GEOS_USE_ONLY_R_API
#define GEOS_USE_ONLY_R_API
#endif

#define G_LOG_DOMAIN "gis-hotspots-layers"

#include "config.h"

#include <geos_c.h>
#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "gis-blob-private.h"
#include "gis-crs.h"
#include "gis-error.h"
#include "gis-geom-index-private.h"
#include "gis-hotspots-layers.h"
#include "gis-runs.h"
#include "gis-sql-private.h"
#include "gis-store-private.h"
#include "gis-style.h"
#include "gis-thread-private.h"

#define SQRT3 1.73205080756887729353
#define HULL_BUFFER_SHARE 0.1      /* of eps: the buffer of a hull without area */
#define HULL_BUFFER_MIN_M 10.0

/* ---- shared --------------------------------------------------------------------------- */

static int
project_xy (double *x,
            double *y,
            void   *user_data)
{
  return gis_transform_point (user_data, x, y) ? 1 : 0;
}

static GisTransform *
new_transform (gboolean   to_storage,
               GError   **error)
{
  g_autoptr(GisCrs) storage = gis_crs_new_storage ();
  g_autoptr(GisCrs) analysis = gis_crs_new_analysis ();

  return to_storage ? gis_transform_new (analysis, storage, error) : gis_transform_new (storage, analysis, error);
}

static char *
input_json_of (const GisHotspotPoints *points,
               const GisHotspotInput  *input)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (b);
  if (input != NULL)
    gis_hotspot_input_to_json (input, b);
  else if (points->layer != NULL)
    {
      json_builder_set_member_name (b, "layer");
      json_builder_add_string_value (b, gis_layer_get_name (points->layer));
    }
  json_builder_set_member_name (b, "points");
  json_builder_add_int_value (b, (gint64) points->n);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  return json_generator_to_data (gen, NULL);
}

static GPtrArray *
inputs_of (GisLayer *layer)
{
  GPtrArray *inputs = g_ptr_array_new_with_free_func (g_object_unref);

  if (layer != NULL)
    g_ptr_array_add (inputs, g_object_ref (layer));
  return inputs;
}

/* adds the member "input" from a JSON text made by input_json_of() */
static void
add_input_member (JsonBuilder *b,
                  const char  *input_json)
{
  g_autoptr(JsonParser) parser = json_parser_new ();

  json_builder_set_member_name (b, "input");
  if (input_json != NULL && json_parser_load_from_data (parser, input_json, -1, NULL))
    json_builder_add_value (b, json_node_copy (json_parser_get_root (parser)));
  else
    json_builder_add_null_value (b);
}

static char *
builder_to_string (JsonBuilder *b)
{
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = json_builder_get_root (b);

  json_generator_set_root (gen, root);
  return json_generator_to_data (gen, NULL);
}

static void
add_double (JsonBuilder *b,
            const char  *name,
            double       v)
{
  json_builder_set_member_name (b, name);
  if (isfinite (v))
    json_builder_add_double_value (b, v);
  else
    json_builder_add_null_value (b);
}

static void
add_int (JsonBuilder *b,
         const char  *name,
         gint64       v)
{
  json_builder_set_member_name (b, name);
  json_builder_add_int_value (b, v);
}

static void
add_string (JsonBuilder *b,
            const char  *name,
            const char  *v)
{
  json_builder_set_member_name (b, name);
  if (v != NULL)
    json_builder_add_string_value (b, v);
  else
    json_builder_add_null_value (b);
}

static char *
iso_time (double time_s,
          gboolean date_only)
{
  g_autoptr(GDateTime) dt = NULL;

  if (!isfinite (time_s))
    return NULL;
  dt = g_date_time_new_from_unix_utc ((gint64) floor (time_s));
  if (dt == NULL)
    return NULL;
  return g_date_time_format (dt, date_only ? "%Y-%m-%d" : "%Y-%m-%dT%H:%M:%SZ");
}

static const char *
weights_to_string (GisGiStarWeights w)
{
  switch (w)
    {
    case GIS_GISTAR_WEIGHTS_KNN: return "knn";
    case GIS_GISTAR_WEIGHTS_INVERSE_DISTANCE: return "idw";
    case GIS_GISTAR_WEIGHTS_BAND:
    default: return "binary";
    }
}

/* A polygon's WKB (little-endian) from its ring, closed here. */
static GBytes *
polygon_wkb (const double *xy,
             guint         n)
{
  gsize len = 1 + 4 + 4 + 4 + (gsize) (n + 1) * 16;
  guint8 *w = g_malloc (len), *p = w;
  guint32 v;

  *p++ = 1;
  v = GUINT32_TO_LE (3);
  memcpy (p, &v, 4), p += 4;
  v = GUINT32_TO_LE (1);
  memcpy (p, &v, 4), p += 4;
  v = GUINT32_TO_LE (n + 1);
  memcpy (p, &v, 4), p += 4;
  for (guint i = 0; i <= n; i++)
    {
      double c[2] = { xy[2 * (i % n)], xy[2 * (i % n) + 1] };

#if G_BYTE_ORDER == G_BIG_ENDIAN
      for (int k = 0; k < 2; k++)
        {
          guint64 bits;

          memcpy (&bits, &c[k], 8);
          bits = GUINT64_SWAP_LE_BE (bits);
          memcpy (&c[k], &bits, 8);
        }
#endif
      memcpy (p, c, 16), p += 16;
    }
  return g_bytes_new_take (w, len);
}

/* The bin's corners in lon/lat, as a polygon blob of the store; NULL when
 * a corner cannot be projected. */
static guint8 *
bin_blob (GisBinShape   shape,
          double        cell,
          double        cx,
          double        cy,
          GisTransform *to_storage,
          gsize        *out_len)
{
  double xy[12], mbr[4] = { G_MAXDOUBLE, G_MAXDOUBLE, -G_MAXDOUBLE, -G_MAXDOUBLE };
  guint n = shape == GIS_BIN_HEXAGON ? 6 : 4;
  g_autoptr(GBytes) wkb = NULL;
  gsize len;
  const guint8 *data;

  if (shape == GIS_BIN_HEXAGON)
    {
      double r = cell / SQRT3;   /* pointy top: corners at 30°, 90° … from the east */

      for (guint i = 0; i < 6; i++)
        {
          double a = G_PI / 6 + i * G_PI / 3;

          xy[2 * i] = cx + r * cos (a);
          xy[2 * i + 1] = cy + r * sin (a);
        }
    }
  else
    {
      double h = cell / 2;
      double sq[8] = { cx - h, cy - h, cx + h, cy - h, cx + h, cy + h, cx - h, cy + h };

      memcpy (xy, sq, sizeof sq);
    }
  for (guint i = 0; i < n; i++)
    {
      if (!gis_transform_point (to_storage, &xy[2 * i], &xy[2 * i + 1]))
        return NULL;
      mbr[0] = MIN (mbr[0], xy[2 * i]);
      mbr[1] = MIN (mbr[1], xy[2 * i + 1]);
      mbr[2] = MAX (mbr[2], xy[2 * i]);
      mbr[3] = MAX (mbr[3], xy[2 * i + 1]);
    }
  wkb = polygon_wkb (xy, n);
  data = g_bytes_get_data (wkb, &len);
  return gis_blob_from_wkb (data, len, 4326, mbr, out_len);
}

/* ---- writing ----------------------------------------------------------------------------- */

typedef struct
{
  GisStore    *store;
  sqlite3     *db;
  const char  *kind;
  char        *params;
  const char  *started;
  GPtrArray   *inputs;
  GPtrArray   *layers;
} Saver;

static gboolean
create_table (Saver       *sv,
              const char  *table,
              const char  *columns,
              const char  *geometry_type,
              GError     **error)
{
  g_autofree char *qt = gis_sql_quote_ident (table);
  g_autoptr(sqlite3_stmt) stmt = NULL;

  if (!gis_sql_execf (sv->db, error, "CREATE TABLE %s (fid INTEGER PRIMARY KEY%s)", qt, columns))
    return FALSE;
  stmt = gis_sql_prepare (sv->db, "SELECT AddGeometryColumn(?1, 'geom', 4326, ?2, 'XY'), "
                                  "CreateSpatialIndex(?1, 'geom')", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, table, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, geometry_type, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) != SQLITE_ROW || sqlite3_column_int (stmt, 0) != 1 || sqlite3_column_int (stmt, 1) != 1)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_SQL, _("SpatiaLite refused the geometry column of “%s”"), table);
      return FALSE;
    }
  return TRUE;
}

static gboolean
finish_layer (Saver       *sv,
              const char  *name,
              const char  *table,
              const char  *geometry_type,
              GisStyle    *style,
              GError     **error)
{
  g_autoptr(GisLayer) layer = gis_store_register_layer (sv->store, name, table, GIS_LAYER_ROLE_RESULT,
                                                        geometry_type, _("hotspot analysis"), error);
  g_autofree char *json = NULL;

  if (layer == NULL)
    return FALSE;
  json = gis_style_to_json (style);
  gis_layer_set_style_json (layer, json);
  if (!gis_store_save_layer_properties (sv->store, layer, error))
    return FALSE;
  if (gis_store_add_run (sv->store, sv->kind, sv->params, sv->inputs, sv->started, layer, error) == 0)
    return FALSE;
  g_ptr_array_add (sv->layers, g_steal_pointer (&layer));
  return TRUE;
}

static gboolean
begin_save (Saver       *sv,
            GisStore    *store,
            const char  *kind,
            char        *params,
            const char  *started,
            GPtrArray   *inputs,
            const char  *const *names,
            GError     **error)
{
  sv->store = store;
  sv->db = gis_store_get_db (store);
  sv->kind = kind;
  sv->params = params;
  sv->started = started;
  sv->inputs = inputs;
  sv->layers = g_ptr_array_new_with_free_func (g_object_unref);
  if (gis_store_is_read_only (store))
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_READ_ONLY, _("“%s” is open read-only: the result cannot be saved"),
                   gis_store_get_path (store));
      return FALSE;
    }
  for (guint i = 0; names[i] != NULL; i++)
    if (gis_store_layer_name_exists (store, names[i]))
      {
        g_set_error (error, GIS_ERROR, GIS_ERROR_EXISTS, _("A layer named “%s” already exists"), names[i]);
        return FALSE;
      }
  return gis_sql_exec (sv->db, "BEGIN IMMEDIATE", error);
}

/* COMMIT, or ROLLBACK when @ok is FALSE or on a cancel; returns the layers */
static GPtrArray *
end_save (Saver        *sv,
          gboolean      ok,
          GCancellable *cancellable,
          GError      **error)
{
  GPtrArray *layers = NULL;

  if (ok && !g_cancellable_set_error_if_cancelled (cancellable, error) && gis_sql_exec (sv->db, "COMMIT", error))
    layers = g_steal_pointer (&sv->layers);
  else
    sqlite3_exec (sv->db, "ROLLBACK", NULL, NULL, NULL);
  g_clear_pointer (&sv->layers, g_ptr_array_unref);
  g_clear_pointer (&sv->params, g_free);
  return layers;
}

static char *
trimmed_name (const char  *name,
              GError     **error)
{
  char *t;

  if (name == NULL || !g_utf8_validate (name, -1, NULL))
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT, _("A layer needs a name"));
      return NULL;
    }
  t = g_strstrip (g_strdup (name));
  if (*t == '\0')
    {
      g_free (t);
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT, _("A layer needs a name"));
      return NULL;
    }
  return t;
}

static void
symbol_of (GisSymbol  *sym,
           const char *fill,
           const char *stroke,
           double      stroke_px,
           double      size_px)
{
  gis_symbol_init (sym);
  gis_color_parse (fill, &sym->fill);
  gis_color_parse (stroke, &sym->stroke);
  sym->stroke_width_px = stroke_px;
  sym->size_px = size_px;
}

/**
 * gis_hotspots_bin_label:
 * @bin: an FDR bin, −3 … 3
 *
 * Returns: (transfer none): its legend: "Hot spot 99 %" … "Not
 *   significant" … "Cold spot 99 %", translated
 */
const char *
gis_hotspots_bin_label (int bin)
{
  switch (bin)
    {
    case 3: return _("Hot spot 99 %");
    case 2: return _("Hot spot 95 %");
    case 1: return _("Hot spot 90 %");
    case -1: return _("Cold spot 90 %");
    case -2: return _("Cold spot 95 %");
    case -3: return _("Cold spot 99 %");
    default: return _("Not significant");
    }
}

/* the conventional hot spot map: reds hot, blues cold, pale grey not significant */
static GisStyle *
bin_style (void)
{
  static const struct { int bin; const char *fill; } classes[] = {
    { 3, "#d62f27cc" }, { 2, "#ed7551cc" }, { 1, "#fab984cc" }, { 0, "#eeeee440" },
    { -1, "#c0ccbecc" }, { -2, "#7f9ebecc" }, { -3, "#4575b5cc" },
  };
  GisSymbol other;
  GisStyle *style;

  symbol_of (&other, "#eeeee440", "#9e9e9e80", 0.3, 0);
  style = gis_style_new_categorized ("bin", &other);
  for (guint i = 0; i < G_N_ELEMENTS (classes); i++)
    {
      char value[8];
      GisSymbol sym;

      g_snprintf (value, sizeof value, "%d", classes[i].bin);
      symbol_of (&sym, classes[i].fill, classes[i].bin == 0 ? "#9e9e9e80" : "#ffffff99", 0.3, 0);
      gis_style_add_category (style, value, gis_hotspots_bin_label (classes[i].bin), &sym);
    }
  return style;
}

/* ---- Gi* ---------------------------------------------------------------------------------- */

/**
 * gis_hotspots_gistar_params_init:
 * @params: (out caller-allocates): parameters
 *
 * Square bins and binary band weights, the cell size and the band chosen
 * automatically.
 */
void
gis_hotspots_gistar_params_init (GisHotspotsGiStarParams *params)
{
  g_return_if_fail (params != NULL);
  memset (params, 0, sizeof *params);
  params->shape = GIS_BIN_SQUARE;
  params->weights = GIS_GISTAR_WEIGHTS_BAND;
}

void
gis_hotspots_gistar_free (GisHotspotsGiStar *result)
{
  if (result == NULL)
    return;
  g_free (result->cell_reason);
  g_free (result->band_reason);
  gis_bins_clear (&result->bins);
  gis_gistar_result_clear (&result->gi);
  g_free (result->field);
  g_free (result->feature_fid);
  g_clear_pointer (&result->feature_geom, g_ptr_array_unref);
  g_free (result->input_json);
  g_clear_pointer (&result->inputs, g_ptr_array_unref);
  g_free (result->started);
  g_free (result);
}

/* Fills the band of @r (band weights or inverse distance, band 0) */
static gboolean
choose_band (const double  *x,
             const double  *y,
             const double  *values,
             guint          n,
             double        *band_m,
             char         **reason,
             GisGiStarScaleMethod *method,
             GCancellable  *cancellable,
             GError       **error)
{
  g_auto(GisGiStarScale) scale = { 0 };

  if (!gis_gistar_auto_scale (x, y, values, n, NULL, &scale, cancellable, error))
    return FALSE;
  *band_m = scale.band_m;
  *reason = g_steal_pointer (&scale.reason);
  *method = scale.method;
  return TRUE;
}

static gboolean
run_gistar (GisHotspotsGiStar  *r,
            GCancellable       *cancellable,
            GisProgressFunc     progress,
            gpointer            progress_data,
            GError            **error)
{
  GisGiStarParams gp = { 0 };

  if (r->params.weights != GIS_GISTAR_WEIGHTS_KNN && !(r->params.band_m > 0))
    {
      if (r->bins.n < 4)
        {
          g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT,
                       _("%u locations are too few to choose a distance band: give one"), r->bins.n);
          return FALSE;
        }
      if (!choose_band (r->bins.x, r->bins.y, r->bins.value, r->bins.n, &r->params.band_m, &r->band_reason,
                        &r->scale_method, cancellable, error))
        return FALSE;
      r->band_auto = TRUE;
    }
  gp.weights = r->params.weights;
  gp.band_m = r->params.band_m;
  gp.k = r->params.k;
  gp.power = r->params.power;
  gp.idw_min_m = r->params.idw_min_m;
  gp.n_threads = r->params.n_threads;
  return gis_gistar_run (r->bins.x, r->bins.y, r->bins.value, r->bins.n, &gp, &r->gi, cancellable, progress,
                         progress_data, error);
}

/**
 * gis_hotspots_gistar_run:
 * @points: the points, projected
 * @input: (nullable): what they were read with, for the method record
 * @params: bins and weights
 * @cancellable: (nullable): stops the work
 * @progress: (nullable) (scope call): told how far it is
 * @progress_data: closure
 * @error: return location for an error
 *
 * Bins the points (their weights summed) and runs Gi* on the bins, the
 * cell size and band chosen when not given (their reasons kept for the
 * method record).
 *
 * Returns: (transfer full) (nullable): the result
 */
GisHotspotsGiStar *
gis_hotspots_gistar_run (const GisHotspotPoints         *points,
                         const GisHotspotInput          *input,
                         const GisHotspotsGiStarParams  *params,
                         GCancellable                   *cancellable,
                         GisProgressFunc                 progress,
                         gpointer                        progress_data,
                         GError                        **error)
{
  g_autoptr(GisHotspotsGiStar) r = g_new0 (GisHotspotsGiStar, 1);
  gint64 t0 = g_get_monotonic_time ();

  g_return_val_if_fail (points != NULL && params != NULL, NULL);

  r->params = *params;
  r->started = gis_sql_now_iso8601 ();
  r->input_json = input_json_of (points, input);
  r->inputs = inputs_of (points->layer);
  r->n_points = (guint) points->n;
  if (points->n == 0)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT, _("No point passes the filters: there is nothing to analyse"));
      return NULL;
    }
  if (!(r->params.cell_size_m > 0))
    {
      if (!gis_gistar_auto_cell_size (points->x, points->y, points->n, &r->params.cell_size_m, &r->cell_reason, error))
        return NULL;
      r->cell_auto = TRUE;
    }
  if (!gis_bins_from_points (r->params.shape, r->params.cell_size_m, points->x, points->y, points->weight, points->n,
                             r->params.keep_empty, &r->bins, error))
    return NULL;
  if (!run_gistar (r, cancellable, progress, progress_data, error))
    return NULL;
  r->seconds = (g_get_monotonic_time () - t0) / 1e6;
  return g_steal_pointer (&r);
}

/**
 * gis_hotspots_gistar_run_polygons:
 * @store: a store
 * @layer: a polygon layer
 * @field: its numeric field, the value of each feature
 * @params: the weights (shape, cell size and keep_empty are not used)
 * @cancellable: (nullable): stops the work
 * @progress: (nullable) (scope call): told how far it is
 * @progress_data: closure
 * @error: return location for an error
 *
 * Gi* on the features' centroids (analysis CRS), each with its value of
 * @field; features without a value or geometry are left out.
 *
 * Returns: (transfer full) (nullable): the result
 */
GisHotspotsGiStar *
gis_hotspots_gistar_run_polygons (GisStore                       *store,
                                  const char                     *layer,
                                  const char                     *field,
                                  const GisHotspotsGiStarParams  *params,
                                  GCancellable                   *cancellable,
                                  GisProgressFunc                 progress,
                                  gpointer                        progress_data,
                                  GError                        **error)
{
  g_autoptr(GisHotspotsGiStar) r = g_new0 (GisHotspotsGiStar, 1);
  g_autoptr(GisLayer) l = NULL;
  g_autoptr(GPtrArray) fields = NULL;
  g_autoptr(GisTransform) to_analysis = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GArray) xs = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) ys = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) vs = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) fids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree char *qt = NULL;
  g_autofree char *qf = NULL;
  g_autofree char *sql = NULL;
  GEOSContextHandle_t geos = gis_thread_get_geos ();
  const char *type;
  gboolean numeric = FALSE;
  gint64 t0 = g_get_monotonic_time ();
  int rc;

  g_return_val_if_fail (GIS_IS_STORE (store), NULL);
  g_return_val_if_fail (layer != NULL && field != NULL && params != NULL, NULL);

  r->params = *params;
  r->started = gis_sql_now_iso8601 ();
  l = gis_store_get_layer (store, layer, error);
  if (l == NULL)
    return NULL;
  type = gis_layer_get_geometry_type (l);
  if (type == NULL || strstr (type, "POLYGON") == NULL)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT, _("“%s” is not a polygon layer"), layer);
      return NULL;
    }
  fields = gis_store_get_fields (store, l, error);
  if (fields == NULL)
    return NULL;
  for (guint i = 0; i < fields->len; i++)
    {
      GisField *f = g_ptr_array_index (fields, i);

      if (strcmp (f->name, field) == 0)
        numeric = f->type == GIS_FIELD_INTEGER || f->type == GIS_FIELD_REAL;
    }
  if (!numeric)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT, _("“%s” has no numeric field “%s”"), layer, field);
      return NULL;
    }
  to_analysis = new_transform (FALSE, error);
  if (to_analysis == NULL)
    return NULL;

  r->field = g_strdup (field);
  r->feature_geom = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  qt = gis_sql_quote_ident (gis_layer_get_table_name (l));
  qf = gis_sql_quote_ident (field);
  sql = g_strdup_printf ("SELECT fid, %s, geom FROM %s WHERE %s IS NOT NULL AND geom IS NOT NULL ORDER BY fid",
                         qf, qt, qf);
  stmt = gis_sql_prepare (gis_store_get_db (store), sql, error);
  if (stmt == NULL)
    return NULL;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const guint8 *blob = sqlite3_column_blob (stmt, 2);
      gsize blob_len = (gsize) sqlite3_column_bytes (stmt, 2), wkb_len = 0;
      g_autofree guint8 *wkb = gis_blob_to_wkb (blob, blob_len, &wkb_len, NULL);
      GEOSWKBReader *reader;
      GEOSGeometry *g = NULL, *p = NULL, *c = NULL;
      double cx, cy, v = sqlite3_column_double (stmt, 1);
      gint64 fid = sqlite3_column_int64 (stmt, 0);

      if (wkb == NULL)
        continue;
      reader = GEOSWKBReader_create_r (geos);
      g = GEOSWKBReader_read_r (geos, reader, wkb, wkb_len);
      GEOSWKBReader_destroy_r (geos, reader);
      if (g != NULL)
        p = GEOSGeom_transformXY_r (geos, g, project_xy, to_analysis);
      if (p != NULL)
        c = GEOSGetCentroid_r (geos, p);
      if (c != NULL && !GEOSisEmpty_r (geos, c) && GEOSGeomGetX_r (geos, c, &cx) && GEOSGeomGetY_r (geos, c, &cy) &&
          isfinite (cx) && isfinite (cy) && isfinite (v))
        {
          g_array_append_val (xs, cx);
          g_array_append_val (ys, cy);
          g_array_append_val (vs, v);
          g_array_append_val (fids, fid);
          g_ptr_array_add (r->feature_geom, g_bytes_new (blob, blob_len));
        }
      if (c != NULL)
        GEOSGeom_destroy_r (geos, c);
      if (p != NULL)
        GEOSGeom_destroy_r (geos, p);
      if (g != NULL)
        GEOSGeom_destroy_r (geos, g);
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return NULL;
    }
  if (rc != SQLITE_DONE)
    {
      gis_sql_set_error (error, gis_store_get_db (store), rc, layer);
      return NULL;
    }
  if (xs->len < 3)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT,
                   _("“%s” has %u features with a value of “%s”: at least 3 are needed"), layer, xs->len, field);
      return NULL;
    }

  r->bins.n = xs->len;
  r->bins.x = g_memdup2 (xs->data, xs->len * sizeof (double));
  r->bins.y = g_memdup2 (ys->data, ys->len * sizeof (double));
  r->bins.value = g_memdup2 (vs->data, vs->len * sizeof (double));
  r->bins.count = g_new (guint, xs->len);
  for (guint i = 0; i < xs->len; i++)
    r->bins.count[i] = 1;
  r->feature_fid = g_memdup2 (fids->data, fids->len * sizeof (gint64));
  r->params.cell_size_m = 0;
  r->n_points = xs->len;

  json_builder_begin_object (b);
  add_string (b, "layer", layer);
  add_string (b, "field", field);
  add_int (b, "features", xs->len);
  json_builder_end_object (b);
  r->input_json = builder_to_string (b);
  r->inputs = inputs_of (l);

  if (!run_gistar (r, cancellable, progress, progress_data, error))
    return NULL;
  r->seconds = (g_get_monotonic_time () - t0) / 1e6;
  return g_steal_pointer (&r);
}

static void
add_gistar_params (JsonBuilder       *b,
                   GisHotspotsGiStar *r)
{
  json_builder_set_member_name (b, "params");
  json_builder_begin_object (b);
  add_string (b, "method", "gistar");
  if (r->field != NULL)
    add_string (b, "locations", "polygon-centroids");
  else
    {
      add_string (b, "shape", r->params.shape == GIS_BIN_HEXAGON ? "hex" : "square");
      add_double (b, "cell_km", r->params.cell_size_m / 1000);
      json_builder_set_member_name (b, "cell_auto");
      json_builder_add_boolean_value (b, r->cell_auto);
      add_string (b, "cell_reason", r->cell_reason);
      json_builder_set_member_name (b, "keep_empty");
      json_builder_add_boolean_value (b, r->params.keep_empty);
    }
  add_string (b, "weights", weights_to_string (r->params.weights));
  if (r->params.weights == GIS_GISTAR_WEIGHTS_KNN)
    add_int (b, "knn", r->params.k);
  else
    {
      add_double (b, "band_km", r->params.band_m / 1000);
      json_builder_set_member_name (b, "band_auto");
      json_builder_add_boolean_value (b, r->band_auto);
      add_string (b, "band_reason", r->band_reason);
    }
  if (r->params.weights == GIS_GISTAR_WEIGHTS_INVERSE_DISTANCE)
    {
      add_double (b, "power", r->params.power > 0 ? r->params.power : 1);
      add_double (b, "idw_min_km", r->gi.idw_min_m / 1000);
    }
  add_string (b, "fdr", "benjamini-hochberg");
  json_builder_end_object (b);
  add_input_member (b, r->input_json);
}

static void
add_gistar_summary (JsonBuilder       *b,
                    GisHotspotsGiStar *r)
{
  guint by_bin[7] = { 0 };

  for (guint i = 0; i < r->gi.n; i++)
    by_bin[r->gi.bin[i] + 3]++;
  add_int (b, "locations", r->gi.n);
  add_double (b, "mean", r->gi.mean);
  add_double (b, "sd", r->gi.sd);
  json_builder_set_member_name (b, "bins");
  json_builder_begin_object (b);
  for (int k = 3; k >= -3; k--)
    {
      char key[4];

      g_snprintf (key, sizeof key, "%d", k);
      add_int (b, key, by_bin[k + 3]);
    }
  json_builder_end_object (b);
  json_builder_set_member_name (b, "fdr_p");
  json_builder_begin_array (b);
  for (guint a = 0; a < 3; a++)
    json_builder_add_double_value (b, r->gi.fdr_p[a]);
  json_builder_end_array (b);
}

/**
 * gis_hotspots_gistar_to_json:
 * @result: a Gi* run
 *
 * Returns: (transfer full): the parameters, the counts by bin and every
 *   significant location (bin ≠ 0: centre in lon/lat, value, z, p,
 *   neighbours, bin), as JSON
 */
char *
gis_hotspots_gistar_to_json (GisHotspotsGiStar *result)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(GisTransform) to_storage = new_transform (TRUE, NULL);
  GisHotspotsGiStar *r = result;

  g_return_val_if_fail (result != NULL, NULL);

  json_builder_begin_object (b);
  add_gistar_params (b, r);
  add_gistar_summary (b, r);
  json_builder_set_member_name (b, "significant");
  json_builder_begin_array (b);
  for (guint i = 0; i < r->gi.n; i++)
    {
      double lon = r->bins.x[i], lat = r->bins.y[i];

      if (r->gi.bin[i] == 0)
        continue;
      if (to_storage == NULL || !gis_transform_point (to_storage, &lon, &lat))
        lon = lat = NAN;
      json_builder_begin_object (b);
      if (r->feature_fid != NULL)
        add_int (b, "fid", r->feature_fid[i]);
      add_double (b, "lon", lon);
      add_double (b, "lat", lat);
      add_int (b, "count", r->bins.count[i]);
      add_double (b, "value", r->bins.value[i]);
      add_double (b, "z", r->gi.z[i]);
      add_double (b, "p", r->gi.p[i]);
      add_int (b, "n_neighbours", r->gi.n_neighbours[i]);
      add_int (b, "bin", r->gi.bin[i]);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  return builder_to_string (b);
}

static gboolean
save_gistar_table (Saver             *sv,
                   GisHotspotsGiStar *r,
                   const char        *name,
                   GCancellable      *cancellable,
                   GError           **error)
{
  g_autofree char *table = gis_store_make_table_name (sv->store, name);
  g_autofree char *qt = gis_sql_quote_ident (table);
  g_autofree char *sql = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GisTransform) to_storage = NULL;
  g_autoptr(GisStyle) style = NULL;
  gboolean polygons = r->feature_fid != NULL;
  const char *geometry_type = "POLYGON";

  if (polygons)
    {
      GisLayer *src = r->inputs->len > 0 ? g_ptr_array_index (r->inputs, 0) : NULL;

      geometry_type = src != NULL ? gis_layer_get_geometry_type (src) : "MULTIPOLYGON";
      if (!create_table (sv, table, ", source_fid INTEGER, value REAL, z REAL, p REAL, n_neighbours INTEGER, "
                                    "bin INTEGER", geometry_type, error))
        return FALSE;
      sql = g_strdup_printf ("INSERT INTO %s (source_fid, value, z, p, n_neighbours, bin, geom) "
                             "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)", qt);
    }
  else
    {
      to_storage = new_transform (TRUE, error);
      if (to_storage == NULL)
        return FALSE;
      if (!create_table (sv, table, ", count INTEGER, value REAL, z REAL, p REAL, n_neighbours INTEGER, "
                                    "bin INTEGER", geometry_type, error))
        return FALSE;
      sql = g_strdup_printf ("INSERT INTO %s (count, value, z, p, n_neighbours, bin, geom) "
                             "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)", qt);
    }
  stmt = gis_sql_prepare (sv->db, sql, error);
  if (stmt == NULL)
    return FALSE;
  for (guint i = 0; i < r->gi.n; i++)
    {
      sqlite3_reset (stmt);
      if (polygons)
        {
          gsize len;
          const guint8 *blob = g_bytes_get_data (g_ptr_array_index (r->feature_geom, i), &len);

          sqlite3_bind_int64 (stmt, 1, r->feature_fid[i]);
          sqlite3_bind_blob (stmt, 7, blob, (int) len, SQLITE_STATIC);
        }
      else
        {
          gsize len = 0;
          guint8 *blob = bin_blob (r->bins.shape, r->bins.cell_size_m, r->bins.x[i], r->bins.y[i], to_storage, &len);

          if (blob == NULL)
            continue;
          sqlite3_bind_int64 (stmt, 1, r->bins.count[i]);
          sqlite3_bind_blob (stmt, 7, blob, (int) len, g_free);
        }
      sqlite3_bind_double (stmt, 2, r->bins.value[i]);
      sqlite3_bind_double (stmt, 3, r->gi.z[i]);
      sqlite3_bind_double (stmt, 4, r->gi.p[i]);
      sqlite3_bind_int64 (stmt, 5, r->gi.n_neighbours[i]);
      sqlite3_bind_int (stmt, 6, r->gi.bin[i]);
      if (sqlite3_step (stmt) != SQLITE_DONE)
        {
          gis_sql_set_error (error, sv->db, sqlite3_errcode (sv->db), name);
          return FALSE;
        }
      if ((i & 0xfff) == 0 && g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
    }
  style = bin_style ();
  return finish_layer (sv, name, table, geometry_type, style, error);
}

/**
 * gis_hotspots_gistar_save:
 * @store: a store, opened for writing
 * @result: a Gi* run on its points or polygons
 * @name: the new layer's name
 * @cancellable: (nullable): stops the work
 * @error: return location for an error
 *
 * Writes "NAME": the bins as polygons (or the polygon features) with
 * count, value, z, p, n_neighbours and bin, styled by bin, and its method
 * record (kind "gistar"), in one transaction.
 *
 * Returns: (transfer full) (nullable): the new layer
 */
GisLayer *
gis_hotspots_gistar_save (GisStore           *store,
                          GisHotspotsGiStar  *result,
                          const char         *name,
                          GCancellable       *cancellable,
                          GError            **error)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree char *trimmed = NULL;
  g_autoptr(GPtrArray) layers = NULL;
  const char *names[2] = { NULL, NULL };
  Saver sv = { 0 };
  gboolean ok;

  g_return_val_if_fail (GIS_IS_STORE (store), NULL);
  g_return_val_if_fail (result != NULL, NULL);

  trimmed = trimmed_name (name, error);
  if (trimmed == NULL)
    return NULL;
  names[0] = trimmed;
  json_builder_begin_object (b);
  add_gistar_params (b, result);
  add_gistar_summary (b, result);
  add_double (b, "seconds", result->seconds);
  json_builder_end_object (b);
  ok = begin_save (&sv, store, "gistar", builder_to_string (b), result->started, result->inputs, names, error);
  if (!ok)
    {
      g_clear_pointer (&sv.layers, g_ptr_array_unref);
      g_free (sv.params);
      return NULL;
    }
  ok = save_gistar_table (&sv, result, trimmed, cancellable, error);
  layers = end_save (&sv, ok, cancellable, ok ? error : NULL);
  if (layers == NULL || layers->len == 0)
    return NULL;
  return g_object_ref (g_ptr_array_index (layers, 0));
}

/* ---- clusters ------------------------------------------------------------------------------- */

void
gis_hotspots_clusters_free (GisHotspotsClusters *result)
{
  if (result == NULL)
    return;
  gis_dbscan_result_clear (&result->db);
  if (result->clusters != NULL)
    {
      for (guint i = 0; i < result->clusters->len; i++)
        {
          GisHotspotsCluster *c = &g_array_index (result->clusters, GisHotspotsCluster, i);

          g_free (c->categories);
          g_free (c->countries);
          g_clear_pointer (&c->hull_wkb, g_bytes_unref);
        }
      g_array_unref (result->clusters);
    }
  g_free (result->fid);
  g_free (result->lon);
  g_free (result->lat);
  g_free (result->time_s);
  g_free (result->source_table);
  g_free (result->countries_layer);
  g_free (result->input_json);
  g_clear_pointer (&result->inputs, g_ptr_array_unref);
  g_free (result->started);
  g_free (result);
}

/* the country areas of the store, in the analysis CRS, for points without a country */
typedef struct
{
  char          code[4];
  GisPolyIndex *index;
  GisExtent     box;
} Area;

static void
area_clear (gpointer data)
{
  Area *a = data;

  g_clear_pointer (&a->index, gis_poly_index_free);
}

static GisLayer *
find_countries_layer (GisStore *store)
{
  g_autoptr(GListModel) layers = gis_store_list_layers (store, NULL);
  GisLayer *best = NULL;

  for (guint i = 0; layers != NULL && i < g_list_model_get_n_items (layers); i++)
    {
      g_autoptr(GisLayer) l = g_list_model_get_item (layers, i);
      g_autoptr(GPtrArray) fields = NULL;
      const char *type = gis_layer_get_geometry_type (l);
      gboolean has_country = FALSE;

      if (type == NULL || strstr (type, "POLYGON") == NULL || gis_layer_get_role (l) != GIS_LAYER_ROLE_BOUNDARY)
        continue;
      fields = gis_store_get_fields (store, l, NULL);
      for (guint f = 0; fields != NULL && f < fields->len; f++)
        has_country |= strcmp (((GisField *) g_ptr_array_index (fields, f))->name, "country") == 0;
      /* the coarsest such layer: countries rather than states */
      if (has_country && (best == NULL || gis_layer_get_feature_count (l) < gis_layer_get_feature_count (best)))
        g_set_object (&best, l);
    }
  return best;
}

static GArray *
load_areas (GisStore     *store,
            GisLayer     *layer,
            GisTransform *to_analysis,
            GError      **error)
{
  GEOSContextHandle_t geos = gis_thread_get_geos ();
  g_autofree char *qt = gis_sql_quote_ident (gis_layer_get_table_name (layer));
  g_autofree char *sql = g_strdup_printf ("SELECT country, geom FROM %s WHERE country IS NOT NULL AND geom IS NOT NULL", qt);
  g_autoptr(sqlite3_stmt) stmt = gis_sql_prepare (gis_store_get_db (store), sql, error);
  GArray *areas;
  int rc;

  if (stmt == NULL)
    return NULL;
  areas = g_array_new (FALSE, TRUE, sizeof (Area));
  g_array_set_clear_func (areas, area_clear);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *code = (const char *) sqlite3_column_text (stmt, 0);
      gsize wkb_len = 0;
      g_autofree guint8 *wkb = gis_blob_to_wkb (sqlite3_column_blob (stmt, 1), (gsize) sqlite3_column_bytes (stmt, 1),
                                                 &wkb_len, NULL);
      GEOSWKBReader *reader;
      GEOSGeometry *g, *p = NULL;
      Area a = { { 0 } };

      if (wkb == NULL || strlen (code) > 3)
        continue;
      reader = GEOSWKBReader_create_r (geos);
      g = GEOSWKBReader_read_r (geos, reader, wkb, wkb_len);
      GEOSWKBReader_destroy_r (geos, reader);
      if (g != NULL)
        {
          p = GEOSGeom_transformXY_r (geos, g, project_xy, to_analysis);
          GEOSGeom_destroy_r (geos, g);
        }
      if (p == NULL)
        continue;
      g_strlcpy (a.code, code, sizeof a.code);
      a.index = gis_poly_index_new (p);
      GEOSGeom_getExtent_r (geos, p, &a.box.min_x, &a.box.min_y, &a.box.max_x, &a.box.max_y);
      GEOSGeom_destroy_r (geos, p);
      g_array_append_val (areas, a);
    }
  if (rc != SQLITE_DONE)
    {
      gis_sql_set_error (error, gis_store_get_db (store), rc, gis_layer_get_name (layer));
      g_array_unref (areas);
      return NULL;
    }
  return areas;
}

static const char *
area_at (GArray *areas,
         double  x,
         double  y)
{
  for (guint i = 0; i < areas->len; i++)
    {
      const Area *a = &g_array_index (areas, Area, i);

      if (x >= a->box.min_x && x <= a->box.max_x && y >= a->box.min_y && y <= a->box.max_y &&
          gis_poly_index_contains (a->index, x, y))
        return a->code;
    }
  return NULL;
}

typedef struct
{
  const char *name;
  guint       count;
} NameCount;

static int
compare_name_count (gconstpointer a,
                    gconstpointer b)
{
  const NameCount *p = a, *q = b;

  if (p->count != q->count)
    return p->count > q->count ? -1 : 1;
  return strcmp (p->name, q->name);
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (((const NameCount *) a)->name, ((const NameCount *) b)->name);
}

/* "a,b,c" from the counted names, most frequent first or by name */
static char *
join_names (GHashTable *counts,
            gboolean    by_count)
{
  g_autoptr(GArray) list = g_array_new (FALSE, FALSE, sizeof (NameCount));
  g_autoptr(GString) s = g_string_new (NULL);
  GHashTableIter it;
  gpointer key, value;

  if (g_hash_table_size (counts) == 0)
    return NULL;
  g_hash_table_iter_init (&it, counts);
  while (g_hash_table_iter_next (&it, &key, &value))
    {
      NameCount nc = { key, GPOINTER_TO_UINT (value) };

      g_array_append_val (list, nc);
    }
  g_array_sort (list, by_count ? compare_name_count : compare_names);
  for (guint i = 0; i < list->len; i++)
    {
      if (i > 0)
        g_string_append_c (s, ',');
      g_string_append (s, g_array_index (list, NameCount, i).name);
    }
  return g_string_free (g_steal_pointer (&s), FALSE);
}

static void
count_name (GHashTable *counts,
            const char *name)
{
  g_hash_table_insert (counts, (gpointer) name,
                       GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (counts, name)) + 1));
}

/* The convex hull of the points of one cluster, in lon/lat; a buffer of
 * @buffer_m around it when it has no area. */
static GBytes *
hull_of (const double *x,
         const double *y,
         const guint  *members,
         guint         n,
         double        buffer_m,
         GisTransform *to_storage)
{
  GEOSContextHandle_t geos = gis_thread_get_geos ();
  g_autofree GEOSGeometry **pts = g_new (GEOSGeometry *, n);
  GEOSGeometry *multi, *hull, *ll = NULL;
  GEOSWKBWriter *w;
  unsigned char *wkb;
  size_t len = 0;
  GBytes *bytes;
  double area = 0;

  for (guint i = 0; i < n; i++)
    pts[i] = GEOSGeom_createPointFromXY_r (geos, x[members[i]], y[members[i]]);
  multi = GEOSGeom_createCollection_r (geos, GEOS_MULTIPOINT, pts, n);
  if (multi == NULL)
    return NULL;
  hull = GEOSConvexHull_r (geos, multi);
  GEOSGeom_destroy_r (geos, multi);
  if (hull == NULL)
    return NULL;
  if (GEOSGeomTypeId_r (geos, hull) != GEOS_POLYGON || !GEOSArea_r (geos, hull, &area) || !(area > 0))
    {
      GEOSGeometry *buffered = GEOSBuffer_r (geos, hull, buffer_m, 8);

      GEOSGeom_destroy_r (geos, hull);
      hull = buffered;
      if (hull == NULL)
        return NULL;
    }
  ll = GEOSGeom_transformXY_r (geos, hull, project_xy, to_storage);
  GEOSGeom_destroy_r (geos, hull);
  if (ll == NULL)
    return NULL;
  w = GEOSWKBWriter_create_r (geos);
  GEOSWKBWriter_setOutputDimension_r (geos, w, 2);
  GEOSWKBWriter_setByteOrder_r (geos, w, GEOS_WKB_NDR);
  wkb = GEOSWKBWriter_write_r (geos, w, ll, &len);
  GEOSWKBWriter_destroy_r (geos, w);
  GEOSGeom_destroy_r (geos, ll);
  if (wkb == NULL)
    return NULL;
  bytes = g_bytes_new (wkb, len);
  GEOSFree_r (geos, wkb);
  return bytes;
}

static gboolean
is_north_american (const char *code)
{
  return code != NULL && (strcmp (code, "CA") == 0 || strcmp (code, "US") == 0 || strcmp (code, "MX") == 0);
}

/**
 * gis_hotspots_dbscan_run:
 * @store: (nullable): the store the points come from: its country areas
 *   give points without a country theirs (see #GisHotspotsCluster)
 * @points: the points, projected
 * @input: (nullable): what they were read with, for the method record
 * @params: eps, min points, borders; eps_days with @space_time
 * @space_time: ST-DBSCAN rather than DBSCAN
 * @cancellable: (nullable): stops the work
 * @progress: (nullable) (scope call): told how far it is
 * @progress_data: closure
 * @error: return location for an error
 *
 * Clusters the points and describes each cluster: size, dates,
 * categories, countries, whether it crosses a border, its hull.
 *
 * Returns: (transfer full) (nullable): the result
 */
GisHotspotsClusters *
gis_hotspots_dbscan_run (GisStore                *store,
                         const GisHotspotPoints  *points,
                         const GisHotspotInput   *input,
                         const GisDbscanParams   *params,
                         gboolean                 space_time,
                         GCancellable            *cancellable,
                         GisProgressFunc          progress,
                         gpointer                 progress_data,
                         GError                 **error)
{
  g_autoptr(GisHotspotsClusters) r = g_new0 (GisHotspotsClusters, 1);
  g_autoptr(GisTransform) to_storage = NULL;
  g_autoptr(GArray) areas = NULL;
  g_autofree guint *start = NULL;
  g_autofree guint *members = NULL;
  gint64 t0 = g_get_monotonic_time ();
  gsize n;
  guint nc;
  gboolean ok, need_areas = FALSE;

  g_return_val_if_fail (store == NULL || GIS_IS_STORE (store), NULL);
  g_return_val_if_fail (points != NULL && params != NULL, NULL);

  n = points->n;
  r->space_time = space_time;
  r->params = *params;
  r->started = gis_sql_now_iso8601 ();
  r->input_json = input_json_of (points, input);
  r->inputs = inputs_of (points->layer);
  r->n_points = n;
  if (n == 0)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT, _("No point passes the filters: there is nothing to analyse"));
      return NULL;
    }
  if (space_time && !points->has_time)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT,
                   _("ST-DBSCAN needs the points’ dates, and “%s” has no occurred_at"),
                   points->layer != NULL ? gis_layer_get_name (points->layer) : "");
      return NULL;
    }
  if (space_time)
    {
      for (gsize i = 0; i < n; i++)
        if (!isfinite (points->time_s[i]))
          {
            g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT,
                         _("Point %zu has no date: ST-DBSCAN needs every point’s date"), i + 1);
            return NULL;
          }
      /* ST-DBSCAN in days */
      {
        g_autofree double *days = g_new (double, n);

        for (gsize i = 0; i < n; i++)
          days[i] = points->time_s[i] / 86400.0;
        ok = gis_st_dbscan_run (points->x, points->y, days, n, params, &r->db, cancellable, progress, progress_data,
                                error);
      }
    }
  else
    ok = gis_dbscan_run (points->x, points->y, n, params, &r->db, cancellable, progress, progress_data, error);
  if (!ok)
    return NULL;

  to_storage = new_transform (TRUE, error);
  if (to_storage == NULL)
    return NULL;
  r->fid = g_memdup2 (points->fid, n * sizeof (gint64));
  r->lon = g_memdup2 (points->x, n * sizeof (double));
  r->lat = g_memdup2 (points->y, n * sizeof (double));
  if (!gis_transform_array (to_storage, r->lon, r->lat, n))
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_CRS, _("The points cannot be projected back to longitude and latitude"));
      return NULL;
    }
  if (points->has_time)
    r->time_s = g_memdup2 (points->time_s, n * sizeof (double));
  if (points->layer != NULL)
    r->source_table = g_strdup (gis_layer_get_table_name (points->layer));

  /* the members of each cluster, by a counting sort */
  nc = r->db.n_clusters;
  start = g_new0 (guint, nc + 2);
  members = g_new (guint, MAX (n - r->db.n_noise, 1));
  for (gsize i = 0; i < n; i++)
    if (r->db.cluster[i] > 0)
      start[r->db.cluster[i] + 1]++;
  for (guint c = 1; c <= nc; c++)
    start[c + 1] += start[c];
  {
    g_autofree guint *fill = g_memdup2 (start, (nc + 2) * sizeof (guint));

    for (gsize i = 0; i < n; i++)
      if (r->db.cluster[i] > 0)
        members[fill[r->db.cluster[i]]++] = (guint) i;
  }

  for (gsize i = 0; i < n && !need_areas; i++)
    need_areas = r->db.cluster[i] > 0 && (points->country == NULL || points->country[i] < 0);
  if (need_areas && store != NULL)
    {
      g_autoptr(GisLayer) countries = find_countries_layer (store);
      g_autoptr(GisTransform) to_analysis = NULL;

      if (countries != NULL)
        {
          to_analysis = new_transform (FALSE, error);
          if (to_analysis == NULL)
            return NULL;
          areas = load_areas (store, countries, to_analysis, error);
          if (areas == NULL)
            return NULL;
          r->countries_layer = g_strdup (gis_layer_get_name (countries));
          g_ptr_array_add (r->inputs, g_object_ref (countries));
        }
    }

  r->clusters = g_array_sized_new (FALSE, TRUE, sizeof (GisHotspotsCluster), nc);
  for (guint c = 1; c <= nc; c++)
    {
      g_autoptr(GHashTable) cats = g_hash_table_new (g_str_hash, g_str_equal);
      g_autoptr(GHashTable) ctry = g_hash_table_new (g_str_hash, g_str_equal);
      GisHotspotsCluster cl = { 0 };
      guint na = 0;
      double sx = 0, sy = 0;

      cl.id = c;
      cl.size = start[c + 1] - start[c];
      cl.first_s = cl.last_s = NAN;
      for (guint m = start[c]; m < start[c + 1]; m++)
        {
          guint i = members[m];
          const char *code = NULL;

          sx += points->x[i];
          sy += points->y[i];
          if (points->has_time && isfinite (points->time_s[i]))
            {
              if (!(cl.first_s <= points->time_s[i]))
                cl.first_s = points->time_s[i];
              if (!(cl.last_s >= points->time_s[i]))
                cl.last_s = points->time_s[i];
            }
          if (points->category != NULL && points->category[i] >= 0)
            count_name (cats, g_ptr_array_index (points->category_names, points->category[i]));
          if (points->country != NULL && points->country[i] >= 0)
            code = g_ptr_array_index (points->country_names, points->country[i]);
          else if (areas != NULL)
            code = area_at (areas, points->x[i], points->y[i]);
          if (code != NULL)
            count_name (ctry, code);
        }
      {
        double mx = sx / cl.size, my = sy / cl.size;

        if (gis_transform_point (to_storage, &mx, &my))
          {
            cl.lon = mx;
            cl.lat = my;
          }
        else
          cl.lon = cl.lat = NAN;
      }
      cl.categories = join_names (cats, TRUE);
      cl.countries = join_names (ctry, FALSE);
      {
        GHashTableIter it;
        gpointer key;

        g_hash_table_iter_init (&it, ctry);
        while (g_hash_table_iter_next (&it, &key, NULL))
          na += is_north_american (key);
      }
      cl.cross_border = na >= 2;
      cl.hull_wkb = hull_of (points->x, points->y, members + start[c], cl.size,
                             MAX (HULL_BUFFER_MIN_M, HULL_BUFFER_SHARE * params->eps_m), to_storage);
      g_array_append_val (r->clusters, cl);
      if ((c & 0xff) == 0 && g_cancellable_set_error_if_cancelled (cancellable, error))
        return NULL;
    }
  r->seconds = (g_get_monotonic_time () - t0) / 1e6;
  return g_steal_pointer (&r);
}

static void
add_clusters_params (JsonBuilder         *b,
                     GisHotspotsClusters *r)
{
  json_builder_set_member_name (b, "params");
  json_builder_begin_object (b);
  add_string (b, "method", r->space_time ? "stdbscan" : "dbscan");
  add_double (b, "eps_km", r->params.eps_m / 1000);
  add_int (b, "min_points", r->params.min_pts);
  json_builder_set_member_name (b, "border_points");
  json_builder_add_boolean_value (b, !r->params.no_borders);
  if (r->space_time)
    add_double (b, "eps_days", r->params.eps_days);
  add_string (b, "countries_from", r->countries_layer != NULL ? r->countries_layer : "country");
  json_builder_end_object (b);
  add_input_member (b, r->input_json);
}

static void
add_clusters_summary (JsonBuilder         *b,
                      GisHotspotsClusters *r)
{
  guint cross = 0;

  for (guint i = 0; i < r->clusters->len; i++)
    cross += g_array_index (r->clusters, GisHotspotsCluster, i).cross_border;
  add_int (b, "points", (gint64) r->n_points);
  add_int (b, "clusters", r->db.n_clusters);
  add_int (b, "noise", r->db.n_noise);
  add_int (b, "cross_border", cross);
}

/**
 * gis_hotspots_clusters_to_json:
 * @result: a DBSCAN or ST-DBSCAN run
 *
 * Returns: (transfer full): the parameters, the counts and every cluster
 *   (id, size, centre, dates, categories, countries, cross_border), as JSON
 */
char *
gis_hotspots_clusters_to_json (GisHotspotsClusters *result)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  g_return_val_if_fail (result != NULL, NULL);

  json_builder_begin_object (b);
  add_clusters_params (b, result);
  add_clusters_summary (b, result);
  json_builder_set_member_name (b, "cluster_list");
  json_builder_begin_array (b);
  for (guint i = 0; i < result->clusters->len; i++)
    {
      const GisHotspotsCluster *c = &g_array_index (result->clusters, GisHotspotsCluster, i);
      g_autofree char *first = iso_time (c->first_s, TRUE);
      g_autofree char *last = iso_time (c->last_s, TRUE);

      json_builder_begin_object (b);
      add_int (b, "id", c->id);
      add_int (b, "size", c->size);
      add_double (b, "lon", c->lon);
      add_double (b, "lat", c->lat);
      add_string (b, "first_date", first);
      add_string (b, "last_date", last);
      add_string (b, "categories", c->categories);
      add_string (b, "countries", c->countries);
      json_builder_set_member_name (b, "cross_border");
      json_builder_add_boolean_value (b, c->cross_border);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  return builder_to_string (b);
}

/* the points with their cluster: all the source's fields when it is known */
static gboolean
save_cluster_points (Saver               *sv,
                     GisHotspotsClusters *r,
                     const char          *name,
                     GCancellable        *cancellable,
                     GError             **error)
{
  g_autofree char *table = gis_store_make_table_name (sv->store, name);
  g_autofree char *qt = gis_sql_quote_ident (table);
  g_autofree char *sql = NULL;
  g_autoptr(GString) cols = g_string_new (", source_fid INTEGER NOT NULL, cluster_id INTEGER, cluster_size INTEGER");
  g_autoptr(GString) copy = g_string_new ("source_fid, cluster_id, cluster_size");
  g_autoptr(GString) from = g_string_new ("t.fid, r.cluster_id, r.cluster_size");
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GisStyle) style = NULL;
  GisSymbol other, noise;
  gboolean has_time_column = FALSE;
  int rc;

  if (r->source_table != NULL && gis_sql_table_exists (sv->db, r->source_table))
    {
      g_autoptr(GisLayer) src = r->inputs->len > 0 ? g_object_ref (g_ptr_array_index (r->inputs, 0)) : NULL;
      g_autoptr(GPtrArray) fields = src != NULL ? gis_store_get_fields (sv->store, src, error) : NULL;
      g_autofree char *qs = gis_sql_quote_ident (r->source_table);

      if (src == NULL || fields == NULL)
        return FALSE;
      for (guint i = 0; i < fields->len; i++)
        {
          GisField *f = g_ptr_array_index (fields, i);
          g_autofree char *qc = gis_sql_quote_ident (f->name);

          if (g_ascii_strcasecmp (f->name, "source_fid") == 0 || g_ascii_strcasecmp (f->name, "cluster_id") == 0 ||
              g_ascii_strcasecmp (f->name, "cluster_size") == 0)
            continue;
          g_string_append_printf (cols, ", %s %s", qc, gis_field_type_to_sql (f->type));
          g_string_append_printf (copy, ", %s", qc);
          g_string_append_printf (from, ", t.%s", qc);
        }
      g_string_append (copy, ", geom");
      g_string_append (from, ", t.geom");
      if (!create_table (sv, table, cols->str, "POINT", error))
        return FALSE;
      if (!gis_sql_exec (sv->db, "CREATE TEMP TABLE atalaya_hotspots_members "
                                 "(fid INTEGER PRIMARY KEY, cluster_id INTEGER, cluster_size INTEGER)", error))
        return FALSE;
      stmt = gis_sql_prepare (sv->db, "INSERT INTO temp.atalaya_hotspots_members VALUES (?1, ?2, ?3)", error);
      if (stmt == NULL)
        goto fail;
      for (gsize i = 0; i < r->n_points; i++)
        {
          gint32 c = r->db.cluster[i];

          sqlite3_reset (stmt);
          sqlite3_bind_int64 (stmt, 1, r->fid[i]);
          sqlite3_bind_int (stmt, 2, c);
          sqlite3_bind_int (stmt, 3, c > 0 ? (int) g_array_index (r->clusters, GisHotspotsCluster, c - 1).size : 0);
          if (sqlite3_step (stmt) != SQLITE_DONE)
            {
              gis_sql_set_error (error, sv->db, sqlite3_errcode (sv->db), name);
              goto fail;
            }
          if ((i & 0xffff) == 0 && g_cancellable_set_error_if_cancelled (cancellable, error))
            goto fail;
        }
      g_clear_pointer (&stmt, sqlite3_finalize);
      sql = g_strdup_printf ("INSERT INTO %s (%s) SELECT %s FROM %s AS t JOIN temp.atalaya_hotspots_members AS r "
                             "ON r.fid = t.fid ORDER BY t.fid", qt, copy->str, from->str, qs);
      rc = sqlite3_exec (sv->db, sql, NULL, NULL, NULL);
      if (rc != SQLITE_OK)
        {
          gis_sql_set_error (error, sv->db, rc, name);
          goto fail;
        }
      gis_sql_exec (sv->db, "DROP TABLE IF EXISTS temp.atalaya_hotspots_members", NULL);
    }
  else
    {
      has_time_column = r->time_s != NULL;
      g_string_append (cols, has_time_column ? ", occurred_at TEXT" : "");
      if (!create_table (sv, table, cols->str, "POINT", error))
        return FALSE;
      sql = g_strdup_printf ("INSERT INTO %s (source_fid, cluster_id, cluster_size, geom%s) VALUES (?1, ?2, ?3, ?4%s)",
                             qt, has_time_column ? ", occurred_at" : "", has_time_column ? ", ?5" : "");
      stmt = gis_sql_prepare (sv->db, sql, error);
      if (stmt == NULL)
        return FALSE;
      for (gsize i = 0; i < r->n_points; i++)
        {
          gint32 c = r->db.cluster[i];
          guint8 blob[GIS_POINT_BLOB_SIZE];

          sqlite3_reset (stmt);
          sqlite3_bind_int64 (stmt, 1, r->fid[i]);
          sqlite3_bind_int (stmt, 2, c);
          sqlite3_bind_int (stmt, 3, c > 0 ? (int) g_array_index (r->clusters, GisHotspotsCluster, c - 1).size : 0);
          gis_blob_write_point (blob, 4326, r->lon[i], r->lat[i]);
          sqlite3_bind_blob (stmt, 4, blob, sizeof blob, SQLITE_TRANSIENT);
          if (has_time_column)
            sqlite3_bind_text (stmt, 5, iso_time (r->time_s[i], FALSE), -1, g_free);
          if (sqlite3_step (stmt) != SQLITE_DONE)
            {
              gis_sql_set_error (error, sv->db, sqlite3_errcode (sv->db), name);
              return FALSE;
            }
          if ((i & 0xffff) == 0 && g_cancellable_set_error_if_cancelled (cancellable, error))
            return FALSE;
        }
    }

  symbol_of (&other, "#e31a1ccc", "#ffffff", 0.5, 5);
  symbol_of (&noise, "#9e9e9e80", "#ffffff00", 0, 3);
  style = gis_style_new_categorized ("cluster_id", &other);
  gis_style_add_category (style, "0", _("Noise"), &noise);
  return finish_layer (sv, name, table, "POINT", style, error);

fail:
  g_clear_pointer (&stmt, sqlite3_finalize);
  gis_sql_exec (sv->db, "DROP TABLE IF EXISTS temp.atalaya_hotspots_members", NULL);
  return FALSE;
}

static gboolean
save_cluster_hulls (Saver               *sv,
                    GisHotspotsClusters *r,
                    const char          *name,
                    GCancellable        *cancellable,
                    GError             **error)
{
  g_autofree char *table = gis_store_make_table_name (sv->store, name);
  g_autofree char *qt = gis_sql_quote_ident (table);
  g_autofree char *sql = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GisStyle) style = NULL;
  GisSymbol other, cross;

  if (!create_table (sv, table, ", cluster_id INTEGER, count INTEGER, first_date TEXT, last_date TEXT, "
                                "categories TEXT, cross_border INTEGER, countries TEXT", "POLYGON", error))
    return FALSE;
  sql = g_strdup_printf ("INSERT INTO %s (cluster_id, count, first_date, last_date, categories, cross_border, "
                         "countries, geom) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)", qt);
  stmt = gis_sql_prepare (sv->db, sql, error);
  if (stmt == NULL)
    return FALSE;
  for (guint i = 0; i < r->clusters->len; i++)
    {
      const GisHotspotsCluster *c = &g_array_index (r->clusters, GisHotspotsCluster, i);
      const guint8 *wkb;
      gsize wkb_len, blob_len = 0;
      guint8 *blob;
      double mbr[4] = { G_MAXDOUBLE, G_MAXDOUBLE, -G_MAXDOUBLE, -G_MAXDOUBLE };
      GEOSContextHandle_t geos = gis_thread_get_geos ();
      GEOSWKBReader *reader;
      GEOSGeometry *g;

      if (c->hull_wkb == NULL)
        continue;
      wkb = g_bytes_get_data (c->hull_wkb, &wkb_len);
      reader = GEOSWKBReader_create_r (geos);
      g = GEOSWKBReader_read_r (geos, reader, wkb, wkb_len);
      GEOSWKBReader_destroy_r (geos, reader);
      if (g == NULL)
        continue;
      GEOSGeom_getExtent_r (geos, g, &mbr[0], &mbr[1], &mbr[2], &mbr[3]);
      GEOSGeom_destroy_r (geos, g);
      blob = gis_blob_from_wkb (wkb, wkb_len, 4326, mbr, &blob_len);
      if (blob == NULL)
        continue;
      sqlite3_reset (stmt);
      sqlite3_bind_int (stmt, 1, (int) c->id);
      sqlite3_bind_int (stmt, 2, (int) c->size);
      sqlite3_bind_text (stmt, 3, iso_time (c->first_s, TRUE), -1, g_free);
      sqlite3_bind_text (stmt, 4, iso_time (c->last_s, TRUE), -1, g_free);
      sqlite3_bind_text (stmt, 5, c->categories, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int (stmt, 6, c->cross_border);
      sqlite3_bind_text (stmt, 7, c->countries, -1, SQLITE_TRANSIENT);
      sqlite3_bind_blob (stmt, 8, blob, (int) blob_len, g_free);
      if (sqlite3_step (stmt) != SQLITE_DONE)
        {
          gis_sql_set_error (error, sv->db, sqlite3_errcode (sv->db), name);
          return FALSE;
        }
      if ((i & 0xff) == 0 && g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
    }
  symbol_of (&other, "#6a3d9a33", "#6a3d9a", 1.5, 0);
  symbol_of (&cross, "#e31a1c40", "#b10026", 2.5, 0);
  style = gis_style_new_categorized ("cross_border", &other);
  gis_style_add_category (style, "1", _("Cross-border cluster"), &cross);
  {
    GisSymbol one;

    symbol_of (&one, "#6a3d9a33", "#6a3d9a", 1.5, 0);
    gis_style_add_category (style, "0", _("Cluster"), &one);
  }
  return finish_layer (sv, name, table, "POLYGON", style, error);
}

/**
 * gis_hotspots_clusters_save:
 * @store: a store, opened for writing
 * @result: a DBSCAN or ST-DBSCAN run on its points
 * @name: the prefix of the new layers' names
 * @cancellable: (nullable): stops the work
 * @error: return location for an error
 *
 * Writes "NAME: clustered points" (the points with all their fields,
 * cluster_id and cluster_size, 0 for noise) and "NAME: clusters" (hull,
 * count, first and last date, categories, cross_border, countries),
 * styled, each with its method record (kind "dbscan" or "stdbscan"), in
 * one transaction.
 *
 * Returns: (transfer container) (element-type GisLayer) (nullable): the
 *   two layers
 */
GPtrArray *
gis_hotspots_clusters_save (GisStore             *store,
                            GisHotspotsClusters  *result,
                            const char           *name,
                            GCancellable         *cancellable,
                            GError              **error)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree char *trimmed = NULL;
  g_autofree char *n_points = NULL;
  g_autofree char *n_hulls = NULL;
  const char *names[3] = { NULL, NULL, NULL };
  Saver sv = { 0 };
  gboolean ok;

  g_return_val_if_fail (GIS_IS_STORE (store), NULL);
  g_return_val_if_fail (result != NULL, NULL);

  trimmed = trimmed_name (name, error);
  if (trimmed == NULL)
    return NULL;
  /* TRANSLATORS: the names of the result layers of a cluster analysis; %s is the name the user gave */
  n_points = g_strdup_printf (_("%s: clustered points"), trimmed);
  n_hulls = g_strdup_printf (_("%s: clusters"), trimmed);
  names[0] = n_points;
  names[1] = n_hulls;
  json_builder_begin_object (b);
  add_clusters_params (b, result);
  add_clusters_summary (b, result);
  add_double (b, "seconds", result->seconds);
  json_builder_end_object (b);
  ok = begin_save (&sv, store, result->space_time ? "stdbscan" : "dbscan", builder_to_string (b), result->started,
                   result->inputs, names, error);
  if (!ok)
    {
      g_clear_pointer (&sv.layers, g_ptr_array_unref);
      g_free (sv.params);
      return NULL;
    }
  ok = save_cluster_points (&sv, result, n_points, cancellable, error) &&
       save_cluster_hulls (&sv, result, n_hulls, cancellable, error);
  return end_save (&sv, ok, cancellable, ok ? error : NULL);
}

/* ---- emerging hot spots ---------------------------------------------------------------------- */

void
gis_hotspots_emerging_free (GisHotspotsEmerging *result)
{
  if (result == NULL)
    return;
  g_free (result->cell_reason);
  g_free (result->band_reason);
  gis_spacetime_result_clear (&result->st);
  g_free (result->input_json);
  g_clear_pointer (&result->inputs, g_ptr_array_unref);
  g_free (result->started);
  g_free (result);
}

/**
 * gis_hotspots_emerging_run:
 * @points: the points, projected, with their dates
 * @input: (nullable): what they were read with, for the method record
 * @params: cells, step, weights and K
 * @cancellable: (nullable): stops the work
 * @progress: (nullable) (scope call): told how far it is
 * @progress_data: closure
 * @error: return location for an error
 *
 * Space-time Gi* and the emerging hot spot categories of the cells.  A
 * cell size of 0 is chosen by gis_gistar_auto_cell_size(); a band of 0
 * by gis_gistar_auto_scale() on the cells' totals over the period.
 *
 * Returns: (transfer full) (nullable): the result
 */
GisHotspotsEmerging *
gis_hotspots_emerging_run (const GisHotspotPoints    *points,
                           const GisHotspotInput     *input,
                           const GisSpaceTimeParams  *params,
                           GCancellable              *cancellable,
                           GisProgressFunc            progress,
                           gpointer                   progress_data,
                           GError                   **error)
{
  g_autoptr(GisHotspotsEmerging) r = g_new0 (GisHotspotsEmerging, 1);
  gint64 t0 = g_get_monotonic_time ();

  g_return_val_if_fail (points != NULL && params != NULL, NULL);

  r->params = *params;
  r->started = gis_sql_now_iso8601 ();
  r->input_json = input_json_of (points, input);
  r->inputs = inputs_of (points->layer);
  r->n_points = (guint) points->n;
  if (points->n == 0)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT, _("No point passes the filters: there is nothing to analyse"));
      return NULL;
    }
  if (!points->has_time)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT,
                   _("Emerging hot spots need the points’ dates, and “%s” has no occurred_at"),
                   points->layer != NULL ? gis_layer_get_name (points->layer) : "");
      return NULL;
    }
  if (!(r->params.cell_size_m > 0))
    {
      if (!gis_gistar_auto_cell_size (points->x, points->y, points->n, &r->params.cell_size_m, &r->cell_reason, error))
        return NULL;
      r->cell_auto = TRUE;
    }
  if (r->params.weights != GIS_GISTAR_WEIGHTS_KNN && !(r->params.band_m > 0))
    {
      g_auto(GisBins) cells = { 0 };
      GisGiStarScaleMethod method;

      if (!gis_bins_from_points (r->params.shape, r->params.cell_size_m, points->x, points->y, points->weight,
                                 points->n, FALSE, &cells, error))
        return NULL;
      if (cells.n < 4)
        {
          g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT,
                       _("%u locations are too few to choose a distance band: give one"), cells.n);
          return NULL;
        }
      if (!choose_band (cells.x, cells.y, cells.value, cells.n, &r->params.band_m, &r->band_reason, &method,
                        cancellable, error))
        return NULL;
      r->band_auto = TRUE;
    }
  if (!gis_spacetime_run (points->x, points->y, points->weight, points->time_s, points->n, &r->params, &r->st,
                          cancellable, progress, progress_data, error))
    return NULL;
  r->seconds = (g_get_monotonic_time () - t0) / 1e6;
  return g_steal_pointer (&r);
}

static void
add_emerging_params (JsonBuilder         *b,
                     GisHotspotsEmerging *r)
{
  json_builder_set_member_name (b, "params");
  json_builder_begin_object (b);
  add_string (b, "method", "emerging");
  add_string (b, "shape", r->params.shape == GIS_BIN_HEXAGON ? "hex" : "square");
  add_double (b, "cell_km", r->params.cell_size_m / 1000);
  json_builder_set_member_name (b, "cell_auto");
  json_builder_add_boolean_value (b, r->cell_auto);
  add_string (b, "cell_reason", r->cell_reason);
  add_string (b, "step", gis_time_step_to_string (r->params.step));
  add_int (b, "previous_steps", r->params.n_previous);
  add_string (b, "weights", weights_to_string (r->params.weights));
  if (r->params.weights == GIS_GISTAR_WEIGHTS_KNN)
    add_int (b, "knn", r->params.k);
  else
    {
      add_double (b, "band_km", r->params.band_m / 1000);
      json_builder_set_member_name (b, "band_auto");
      json_builder_add_boolean_value (b, r->band_auto);
      add_string (b, "band_reason", r->band_reason);
    }
  add_double (b, "trend_alpha", r->params.trend_alpha > 0 ? r->params.trend_alpha : 0.05);
  add_string (b, "fdr", "benjamini-hochberg, per step");
  json_builder_end_object (b);
  add_input_member (b, r->input_json);
}

static void
add_emerging_summary (JsonBuilder         *b,
                      GisHotspotsEmerging *r)
{
  guint by_cat[GIS_EMERGING_N_CATEGORIES] = { 0 };
  g_autofree char *first = iso_time (r->st.n_steps > 0 ? (double) r->st.step_start_s[0] : NAN, TRUE);
  g_autofree char *end = iso_time (r->st.n_steps > 0 ? (double) r->st.step_start_s[r->st.n_steps] : NAN, TRUE);

  for (guint l = 0; l < r->st.n_locations; l++)
    by_cat[r->st.category[l]]++;
  add_int (b, "locations", r->st.n_locations);
  add_int (b, "steps", r->st.n_steps);
  add_string (b, "first_step", first);
  add_string (b, "end", end);
  json_builder_set_member_name (b, "categories");
  json_builder_begin_object (b);
  for (guint c = 0; c < GIS_EMERGING_N_CATEGORIES; c++)
    if (by_cat[c] > 0)
      add_int (b, gis_emerging_category_to_string (c), by_cat[c]);
  json_builder_end_object (b);
}

/**
 * gis_hotspots_emerging_to_json:
 * @result: an emerging hot spot run
 *
 * Returns: (transfer full): the parameters, the count of each category
 *   and every location with a pattern (centre, category, trend z and p,
 *   the bins of its steps), as JSON
 */
char *
gis_hotspots_emerging_to_json (GisHotspotsEmerging *result)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(GisTransform) to_storage = new_transform (TRUE, NULL);
  const GisSpaceTimeResult *st = &result->st;

  g_return_val_if_fail (result != NULL, NULL);

  json_builder_begin_object (b);
  add_emerging_params (b, result);
  add_emerging_summary (b, result);
  json_builder_set_member_name (b, "patterns");
  json_builder_begin_array (b);
  for (guint l = 0; l < st->n_locations; l++)
    {
      double lon = st->cells.x[l], lat = st->cells.y[l];

      if (st->category[l] == GIS_EMERGING_NO_PATTERN)
        continue;
      if (to_storage == NULL || !gis_transform_point (to_storage, &lon, &lat))
        lon = lat = NAN;
      json_builder_begin_object (b);
      add_double (b, "lon", lon);
      add_double (b, "lat", lat);
      add_string (b, "category", gis_emerging_category_to_string (st->category[l]));
      add_int (b, "count", st->cells.count[l]);
      add_double (b, "trend_z", st->trend[l].z);
      add_double (b, "trend_p", st->trend[l].p);
      json_builder_set_member_name (b, "bins");
      json_builder_begin_array (b);
      for (guint t = 0; t < st->n_steps; t++)
        json_builder_add_int_value (b, st->bin[(gsize) l * st->n_steps + t]);
      json_builder_end_array (b);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  return builder_to_string (b);
}

static GisStyle *
category_style (void)
{
  /* after ArcGIS's emerging hot spot legend: reds for hot, blues for cold */
  static const char *const fills[GIS_EMERGING_N_CATEGORIES] = {
    "#eeeee440",
    "#f4a582cc", "#d6604dcc", "#b2182bcc", "#67001fcc", "#fddbc7cc", "#fb9a99cc", "#e7298acc", "#bababacc",
    "#92c5decc", "#4393c3cc", "#2166accc", "#053061cc", "#d1e5f0cc", "#a6cee3cc", "#7570b3cc", "#878787cc",
  };
  GisSymbol other;
  GisStyle *style;

  symbol_of (&other, "#eeeee440", "#9e9e9e80", 0.3, 0);
  style = gis_style_new_categorized ("pattern", &other);
  for (guint c = 1; c <= GIS_EMERGING_N_CATEGORIES; c++)
    {
      guint cat = c % GIS_EMERGING_N_CATEGORIES;   /* no pattern last */
      GisSymbol sym;

      symbol_of (&sym, fills[cat], cat == GIS_EMERGING_NO_PATTERN ? "#9e9e9e80" : "#ffffff99", 0.3, 0);
      gis_style_add_category (style, gis_emerging_category_to_string (cat), gis_emerging_category_to_label (cat), &sym);
    }
  return style;
}

static gboolean
save_emerging_cells (Saver               *sv,
                     GisHotspotsEmerging *r,
                     GisTransform        *to_storage,
                     const char          *name,
                     GCancellable        *cancellable,
                     GError             **error)
{
  const GisSpaceTimeResult *st = &r->st;
  g_autofree char *table = gis_store_make_table_name (sv->store, name);
  g_autofree char *qt = gis_sql_quote_ident (table);
  g_autofree char *sql = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GisStyle) style = NULL;

  if (!create_table (sv, table, ", pattern TEXT, pattern_label TEXT, count INTEGER, value REAL, trend_z REAL, "
                                "trend_p REAL, hot_steps INTEGER, cold_steps INTEGER, last_z REAL, last_bin INTEGER",
                     "POLYGON", error))
    return FALSE;
  sql = g_strdup_printf ("INSERT INTO %s (fid, pattern, pattern_label, count, value, trend_z, trend_p, hot_steps, "
                         "cold_steps, last_z, last_bin, geom) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                         qt);
  stmt = gis_sql_prepare (sv->db, sql, error);
  if (stmt == NULL)
    return FALSE;
  for (guint l = 0; l < st->n_locations; l++)
    {
      gsize len = 0;
      guint8 *blob = bin_blob (st->cells.shape, st->cells.cell_size_m, st->cells.x[l], st->cells.y[l], to_storage, &len);
      const gint8 *bins = st->bin + (gsize) l * st->n_steps;
      guint hot = 0, cold = 0;

      if (blob == NULL)
        continue;
      for (guint t = 0; t < st->n_steps; t++)
        {
          hot += bins[t] > 0;
          cold += bins[t] < 0;
        }
      sqlite3_reset (stmt);
      sqlite3_bind_int64 (stmt, 1, (gint64) l + 1);
      sqlite3_bind_text (stmt, 2, gis_emerging_category_to_string (st->category[l]), -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 3, gis_emerging_category_to_label (st->category[l]), -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64 (stmt, 4, st->cells.count[l]);
      sqlite3_bind_double (stmt, 5, st->cells.value[l]);
      sqlite3_bind_double (stmt, 6, st->trend[l].z);
      sqlite3_bind_double (stmt, 7, st->trend[l].p);
      sqlite3_bind_int (stmt, 8, (int) hot);
      sqlite3_bind_int (stmt, 9, (int) cold);
      sqlite3_bind_double (stmt, 10, st->z[(gsize) l * st->n_steps + st->n_steps - 1]);
      sqlite3_bind_int (stmt, 11, bins[st->n_steps - 1]);
      sqlite3_bind_blob (stmt, 12, blob, (int) len, g_free);
      if (sqlite3_step (stmt) != SQLITE_DONE)
        {
          gis_sql_set_error (error, sv->db, sqlite3_errcode (sv->db), name);
          return FALSE;
        }
      if ((l & 0xfff) == 0 && g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
    }
  style = category_style ();
  return finish_layer (sv, name, table, "POLYGON", style, error);
}

/* The space-time bins that hold points or are significant, each with the
 * start of its step as occurred_at: the time slider filters layers on
 * that column (gis_render_layer_set_time_range()), so it steps through
 * them. */
static gboolean
save_emerging_bins (Saver               *sv,
                    GisHotspotsEmerging *r,
                    GisTransform        *to_storage,
                    const char          *name,
                    GCancellable        *cancellable,
                    GError             **error)
{
  const GisSpaceTimeResult *st = &r->st;
  g_autofree char *table = gis_store_make_table_name (sv->store, name);
  g_autofree char *qt = gis_sql_quote_ident (table);
  g_autofree char *sql = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GisStyle) style = NULL;
  g_autoptr(GPtrArray) starts = g_ptr_array_new_with_free_func (g_free);

  if (!create_table (sv, table, ", cell_fid INTEGER, step INTEGER, occurred_at TEXT, step_end TEXT, count INTEGER, "
                                "value REAL, z REAL, p REAL, n_neighbours INTEGER, bin INTEGER", "POLYGON", error))
    return FALSE;
  sql = g_strdup_printf ("INSERT INTO %s (cell_fid, step, occurred_at, step_end, count, value, z, p, n_neighbours, "
                         "bin, geom) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)", qt);
  stmt = gis_sql_prepare (sv->db, sql, error);
  if (stmt == NULL)
    return FALSE;
  for (guint t = 0; t <= st->n_steps; t++)
    g_ptr_array_add (starts, iso_time ((double) st->step_start_s[t], FALSE));
  for (guint l = 0; l < st->n_locations; l++)
    {
      gsize len = 0;
      g_autofree guint8 *blob = NULL;

      for (guint t = 0; t < st->n_steps; t++)
        {
          gsize b = (gsize) l * st->n_steps + t;

          if (st->count[b] == 0 && st->bin[b] == 0)
            continue;
          if (blob == NULL)
            {
              blob = bin_blob (st->cells.shape, st->cells.cell_size_m, st->cells.x[l], st->cells.y[l], to_storage, &len);
              if (blob == NULL)
                break;
            }
          sqlite3_reset (stmt);
          sqlite3_bind_int64 (stmt, 1, (gint64) l + 1);
          sqlite3_bind_int (stmt, 2, (int) t + 1);
          sqlite3_bind_text (stmt, 3, g_ptr_array_index (starts, t), -1, SQLITE_STATIC);
          sqlite3_bind_text (stmt, 4, g_ptr_array_index (starts, t + 1), -1, SQLITE_STATIC);
          sqlite3_bind_int64 (stmt, 5, st->count[b]);
          sqlite3_bind_double (stmt, 6, st->value[b]);
          sqlite3_bind_double (stmt, 7, st->z[b]);
          sqlite3_bind_double (stmt, 8, st->p[b]);
          sqlite3_bind_int64 (stmt, 9, st->n_neighbours[b]);
          sqlite3_bind_int (stmt, 10, st->bin[b]);
          sqlite3_bind_blob (stmt, 11, blob, (int) len, SQLITE_STATIC);
          if (sqlite3_step (stmt) != SQLITE_DONE)
            {
              gis_sql_set_error (error, sv->db, sqlite3_errcode (sv->db), name);
              return FALSE;
            }
        }
      if ((l & 0x3ff) == 0 && g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
    }
  style = bin_style ();
  return finish_layer (sv, name, table, "POLYGON", style, error);
}

/**
 * gis_hotspots_emerging_save:
 * @store: a store, opened for writing
 * @result: an emerging hot spot run on its points
 * @name: the prefix of the new layers' names
 * @cancellable: (nullable): stops the work
 * @error: return location for an error
 *
 * Writes "NAME: emerging hot spots" (the cells with their category,
 * styled by it, trend z and p, hot and cold steps) and "NAME: space-time
 * bins" (the bins holding points or significant, with z, p and bin, and
 * occurred_at the start of their step, which the time slider filters
 * on; cell_fid is the fid of their cell in the first layer), each with
 * its method record (kind "emerging"), in one transaction.
 *
 * Returns: (transfer container) (element-type GisLayer) (nullable): the
 *   two layers
 */
GPtrArray *
gis_hotspots_emerging_save (GisStore             *store,
                            GisHotspotsEmerging  *result,
                            const char           *name,
                            GCancellable         *cancellable,
                            GError              **error)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(GisTransform) to_storage = NULL;
  g_autofree char *trimmed = NULL;
  g_autofree char *n_cells = NULL;
  g_autofree char *n_bins = NULL;
  const char *names[3] = { NULL, NULL, NULL };
  Saver sv = { 0 };
  gboolean ok;

  g_return_val_if_fail (GIS_IS_STORE (store), NULL);
  g_return_val_if_fail (result != NULL, NULL);

  trimmed = trimmed_name (name, error);
  if (trimmed == NULL)
    return NULL;
  to_storage = new_transform (TRUE, error);
  if (to_storage == NULL)
    return NULL;
  /* TRANSLATORS: the names of the result layers of an emerging hot spot analysis; %s is the name the user gave */
  n_cells = g_strdup_printf (_("%s: emerging hot spots"), trimmed);
  n_bins = g_strdup_printf (_("%s: space-time bins"), trimmed);
  names[0] = n_cells;
  names[1] = n_bins;
  json_builder_begin_object (b);
  add_emerging_params (b, result);
  add_emerging_summary (b, result);
  add_double (b, "seconds", result->seconds);
  json_builder_end_object (b);
  ok = begin_save (&sv, store, "emerging", builder_to_string (b), result->started, result->inputs, names, error);
  if (!ok)
    {
      g_clear_pointer (&sv.layers, g_ptr_array_unref);
      g_free (sv.params);
      return NULL;
    }
  ok = save_emerging_cells (&sv, result, to_storage, n_cells, cancellable, error) &&
       save_emerging_bins (&sv, result, to_storage, n_bins, cancellable, error);
  return end_save (&sv, ok, cancellable, ok ? error : NULL);
}
