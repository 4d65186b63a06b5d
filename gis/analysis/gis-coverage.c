/* gis-coverage.c: where enforcement is missing, and where to add it
 *
 * Everything is computed in the analysis CRS (the CEC North American
 * Atlas LAEA, metres).  A resource covers the disc of its radius around
 * it.  Points (facilities, demand) are tested against the exact discs:
 * covered when the distance to some resource is at most its radius.  Areas
 * are computed with GEOS on the discs' polygons (GIS_COVERAGE_QUADRANT_SEGMENTS
 * segments per quarter circle unless asked otherwise), so an area is short
 * of the exact one by the buffer's segment tolerance.
 *
 * Without cross-border coverage, a resource covers only the land of its
 * own country (its "country" field, or the country it stands in): the
 * covered region is the union over countries C of (discs of C's
 * resources ∩ C), plus the discs' parts outside every country, which any
 * resource covers.  A point in country C is covered only by C's
 * resources; a point outside every country by any.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef GEOS_USE_ONLY_R_API
#define GEOS_USE_ONLY_R_API
#endif

#include "config.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <inttypes.h>
#include <math.h>
#include <string.h>

#include "gis-blob-private.h"
#include "gis-coverage.h"
#include "gis-crs.h"
#include "gis-error.h"
#include "gis-geom-index-private.h"
#include "gis-import-private.h"
#include "gis-query-spatial-private.h"
#include "gis-runs.h"
#include "gis-sql-private.h"
#include "gis-style.h"
#include "gis-store-private.h"
#include "gis-thread-private.h"

#define MAX_COUNTRIES 3
#define OUTSIDE MAX_COUNTRIES            /* the bucket of "outside every country" */
#define ZONE_GRID 64                      /* cells per side of the zone's lookup grid */
#define MAX_RADIUS_KM 5000.0
#define ANALYSIS_SCALE_MAX 1.5            /* the LAEA's largest scale over North America, with room */
#define WINDOW_SCAN_SHARE 0.05              /* of a layer's points in the window: read it all, then filter */

static const char *const country_codes[MAX_COUNTRIES] = { "CA", "US", "MX" };

static int
country_index (const char *code)
{
  for (int i = 0; i < MAX_COUNTRIES; i++)
    if (code != NULL && strcmp (code, country_codes[i]) == 0)
      return i;
  return -1;
}

static int
country_from_text (const char *text)
{
  if (text == NULL)
    return -1;
  return country_index (gis_country_code_from_text (text, strlen (text)));
}

static void
geom_free (gpointer geom,
           gpointer unused)
{
  GEOSGeom_destroy_r (gis_thread_get_geos (), geom);
}

/* ---- a grid of points, for "within r of" and nearest ---------------------------- */

typedef struct
{
  double  x0, y0, cell;
  guint   nx, ny;
  guint  *start;     /* nx * ny + 1 */
  guint  *items;     /* point numbers */
} PointGrid;

static void
point_grid_clear (PointGrid *g)
{
  g_clear_pointer (&g->start, g_free);
  g_clear_pointer (&g->items, g_free);
}

/* Cells of at least @cell metres, at most about 4M of them. */
static void
point_grid_build (PointGrid    *g,
                  const double *x,
                  const double *y,
                  guint         n,
                  double        cell)
{
  double x0 = G_MAXDOUBLE, y0 = G_MAXDOUBLE, x1 = -G_MAXDOUBLE, y1 = -G_MAXDOUBLE;
  guint *fill;

  memset (g, 0, sizeof *g);
  for (guint i = 0; i < n; i++)
    {
      x0 = MIN (x0, x[i]);
      y0 = MIN (y0, y[i]);
      x1 = MAX (x1, x[i]);
      y1 = MAX (y1, y[i]);
    }
  if (n == 0)
    x0 = y0 = x1 = y1 = 0;
  cell = MAX (cell, 1.0);
  while ((x1 - x0) / cell * ((y1 - y0) / cell) > 4.0e6)
    cell *= 2;
  g->x0 = x0;
  g->y0 = y0;
  g->cell = cell;
  g->nx = (guint) floor ((x1 - x0) / cell) + 1;
  g->ny = (guint) floor ((y1 - y0) / cell) + 1;
  g->start = g_new0 (guint, (gsize) g->nx * g->ny + 1);
  g->items = g_new (guint, MAX (n, 1));
  for (guint i = 0; i < n; i++)
    {
      guint cx = (guint) ((x[i] - x0) / cell), cy = (guint) ((y[i] - y0) / cell);

      g->start[(gsize) MIN (cy, g->ny - 1) * g->nx + MIN (cx, g->nx - 1) + 1]++;
    }
  for (gsize c = 0; c < (gsize) g->nx * g->ny; c++)
    g->start[c + 1] += g->start[c];
  fill = g_memdup2 (g->start, sizeof (guint) * ((gsize) g->nx * g->ny));
  for (guint i = 0; i < n; i++)
    {
      guint cx = (guint) ((x[i] - x0) / cell), cy = (guint) ((y[i] - y0) / cell);

      g->items[fill[(gsize) MIN (cy, g->ny - 1) * g->nx + MIN (cx, g->nx - 1)]++] = i;
    }
  g_free (fill);
}

/* The cell range that holds every point within @r of (px, py). */
static gboolean
point_grid_range (const PointGrid *g,
                  double           px,
                  double           py,
                  double           r,
                  guint           *cx0,
                  guint           *cy0,
                  guint           *cx1,
                  guint           *cy1)
{
  double a = floor ((px - r - g->x0) / g->cell), b = floor ((py - r - g->y0) / g->cell);
  double c = floor ((px + r - g->x0) / g->cell), d = floor ((py + r - g->y0) / g->cell);

  if (c < 0 || d < 0 || a >= g->nx || b >= g->ny)
    return FALSE;
  *cx0 = (guint) MAX (a, 0);
  *cy0 = (guint) MAX (b, 0);
  *cx1 = (guint) MIN (c, g->nx - 1);
  *cy1 = (guint) MIN (d, g->ny - 1);
  return TRUE;
}

/* ---- the inputs in the analysis CRS --------------------------------------------- */

typedef struct
{
  guint    n;
  gint64  *fid;
  double  *x, *y;      /* analysis CRS */
  double  *value;      /* radius (m) or weight; NULL when not read */
  gint8   *country;    /* -1: unknown */
} Points;

static void
points_clear (Points *p)
{
  g_clear_pointer (&p->fid, g_free);
  g_clear_pointer (&p->x, g_free);
  g_clear_pointer (&p->y, g_free);
  g_clear_pointer (&p->value, g_free);
  g_clear_pointer (&p->country, g_free);
  p->n = 0;
}

/* Room for @cap points (the value array only when @with_value). */
static void
points_resize (Points   *p,
               gsize     cap,
               gboolean  with_value)
{
  p->fid = g_renew (gint64, p->fid, cap);
  p->x = g_renew (double, p->x, cap);
  p->y = g_renew (double, p->y, cap);
  if (with_value)
    p->value = g_renew (double, p->value, cap);
  p->country = g_renew (gint8, p->country, cap);
}

typedef struct
{
  GEOSGeometry  *geom;       /* analysis CRS */
  GisPolyIndex  *index;
  GisExtent      box;
  GEOSGeometry  *clip;       /* geom within the work box */
} Country;

typedef struct
{
  GEOSGeometry          *geom;
  const GEOSPreparedGeometry *prepared;
  GisPolyIndex          *index;
  GisExtent              box;
  gint64                 fid;
  int                    country;    /* corridor pieces: theirs; layer features: -1 */
} ZonePart;

struct _GisCoverageResult
{
  GisCoverageParams   params;       /* strings owned below */
  char              **resources;
  char               *radius_field, *zone_layer, *boundary_layer, *corridor_side, *corridor_pair;
  char               *countries_layer, *facilities_layer, *demand_layer, *weight_field;
  char               *started;

  GisTransform       *to_analysis;
  GisTransform       *from_analysis;

  Country             countries[MAX_COUNTRIES];
  gboolean            has_country[MAX_COUNTRIES];
  GEOSGeometry       *land_clip;    /* union of the countries within the work box */
  GisExtent           work_box;

  Points              res;          /* value: radius in m; country */
  guint16            *res_layer;    /* each resource's index in resources */
  double              max_radius;
  PointGrid           res_grid;

  GPtrArray          *zone;         /* ZonePart */
  GisExtent           zone_box;
  guint              *zone_cell_start;
  guint              *zone_cell_items;
  double              zone_cell_w, zone_cell_h;
  GEOSGeometry       *covered;      /* analysis CRS; NULL without a zone */

  GisCoverageCountry  by_country[MAX_COUNTRIES + 1];
  GisCoverageCountry  total;
  GArray             *areas;        /* GisCoverageArea */
  GArray             *uncovered_facilities;  /* GisCoverageFacility */
  GArray             *uncovered_demand;      /* gint64 */
  Points              demand_left;  /* uncovered demand: value = weight; country */
  gboolean            demand_approx; /* some of it placed from the index's boxes */
  GPtrArray          *inputs;       /* GisLayer: every layer read */
};

static void
zone_part_free (ZonePart *part)
{
  GEOSContextHandle_t geos = gis_thread_get_geos ();

  if (part->prepared != NULL)
    GEOSPreparedGeom_destroy_r (geos, part->prepared);
  if (part->geom != NULL)
    GEOSGeom_destroy_r (geos, part->geom);
  g_clear_pointer (&part->index, gis_poly_index_free);
  g_free (part);
}

static void
area_clear (gpointer data)
{
  GisCoverageArea *a = data;

  g_clear_pointer (&a->wkb, g_bytes_unref);
}

void
gis_coverage_result_free (GisCoverageResult *r)
{
  GEOSContextHandle_t geos;

  if (r == NULL)
    return;
  geos = gis_thread_get_geos ();
  g_strfreev (r->resources);
  g_free (r->radius_field);
  g_free (r->zone_layer);
  g_free (r->boundary_layer);
  g_free (r->corridor_side);
  g_free (r->corridor_pair);
  g_free (r->countries_layer);
  g_free (r->facilities_layer);
  g_free (r->demand_layer);
  g_free (r->weight_field);
  g_free (r->started);
  g_clear_pointer (&r->to_analysis, gis_transform_free);
  g_clear_pointer (&r->from_analysis, gis_transform_free);
  for (int c = 0; c < MAX_COUNTRIES; c++)
    {
      if (r->countries[c].geom != NULL)
        GEOSGeom_destroy_r (geos, r->countries[c].geom);
      if (r->countries[c].clip != NULL)
        GEOSGeom_destroy_r (geos, r->countries[c].clip);
      g_clear_pointer (&r->countries[c].index, gis_poly_index_free);
    }
  for (int c = 0; c <= MAX_COUNTRIES; c++)
    g_free (r->by_country[c].country);
  g_free (r->total.country);
  if (r->land_clip != NULL)
    GEOSGeom_destroy_r (geos, r->land_clip);
  if (r->covered != NULL)
    GEOSGeom_destroy_r (geos, r->covered);
  points_clear (&r->res);
  g_free (r->res_layer);
  point_grid_clear (&r->res_grid);
  g_clear_pointer (&r->zone, g_ptr_array_unref);
  g_free (r->zone_cell_start);
  g_free (r->zone_cell_items);
  g_clear_pointer (&r->areas, g_array_unref);
  g_clear_pointer (&r->uncovered_facilities, g_array_unref);
  g_clear_pointer (&r->uncovered_demand, g_array_unref);
  points_clear (&r->demand_left);
  g_clear_pointer (&r->inputs, g_ptr_array_unref);
  g_free (r);
}

/* ---- reading layers ------------------------------------------------------------- */

static GisLayer *
get_layer (GisStore    *store,
           const char  *name,
           gboolean     points,
           const char  *what,
           GError     **error)
{
  g_autoptr(GisLayer) layer = gis_store_get_layer (store, name, error);
  const char *type;

  if (layer == NULL)
    return NULL;
  type = gis_layer_get_geometry_type (layer);
  if (type == NULL || gis_layer_is_raster (layer) || (points ? !gis_layer_is_point_layer (layer) : strstr (type, "POINT") != NULL))
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT,
                   points ? _("The %s layer “%s” must hold points") : _("The %s layer “%s” must hold lines or areas"),
                   what, name);
      return NULL;
    }
  return g_steal_pointer (&layer);
}

static gboolean
check_field (GisStore    *store,
             GisLayer    *layer,
             const char  *field,
             gboolean     numeric,
             GError     **error)
{
  g_autoptr(GPtrArray) fields = gis_store_get_fields (store, layer, error);

  if (fields == NULL)
    return FALSE;
  for (guint i = 0; i < fields->len; i++)
    {
      GisField *f = g_ptr_array_index (fields, i);

      if (strcmp (f->name, field) != 0)
        continue;
      if (numeric && f->type != GIS_FIELD_INTEGER && f->type != GIS_FIELD_REAL)
        {
          g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT,
                       _("The field “%s” of “%s” is not a number"), field, gis_layer_get_name (layer));
          return FALSE;
        }
      return TRUE;
    }
  g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT, _("The layer “%s” has no field “%s”"),
               gis_layer_get_name (layer), field);
  return FALSE;
}

static gboolean
has_field (GisStore   *store,
           GisLayer   *layer,
           const char *field)
{
  return gis_sql_column_exists (gis_store_get_db (store), gis_layer_get_table_name (layer), field);
}

/* Binds a lon/lat box as ?1…?4 of "xmin <= ?1 AND xmax >= ?2 AND ymin <=
 * ?3 AND ymax >= ?4", the R*Tree window of the statements below. */
static void
bind_box (sqlite3_stmt    *stmt,
          const GisExtent *box)
{
  sqlite3_bind_double (stmt, 1, box->max_x);
  sqlite3_bind_double (stmt, 2, box->min_x);
  sqlite3_bind_double (stmt, 3, box->max_y);
  sqlite3_bind_double (stmt, 4, box->min_y);
}

/* Ends a read of @n points: the statement's last code @rc checked, the
 * points projected to the analysis CRS; @out cleared on failure. */
static gboolean
points_finish (Points        *out,
               guint          n,
               int            rc,
               sqlite3       *db,
               GisLayer      *layer,
               GisTransform  *to_analysis,
               GError       **error)
{
  out->n = n;
  if (rc != SQLITE_DONE)
    {
      gis_sql_set_error (error, db, rc, gis_layer_get_name (layer));
      points_clear (out);
      return FALSE;
    }
  if (n > 0 && !gis_transform_array (to_analysis, out->x, out->y, n))
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_CRS, _("The points of “%s” cannot be projected"),
                   gis_layer_get_name (layer));
      points_clear (out);
      return FALSE;
    }
  return TRUE;
}

/* Reads a point layer, in the lon/lat @window when not NULL, projected to
 * the analysis CRS.  @value_field (numeric) and @country_field (text) are
 * read when not NULL. */
static gboolean
read_points (GisStore        *store,
             GisLayer        *layer,
             const char      *value_field,
             const char      *country_field,
             const GisExtent *window,
             GisTransform    *to_analysis,
             Points          *out,
             GCancellable    *cancellable,
             GError         **error)
{
  sqlite3 *db = gis_store_get_db (store);
  g_autofree char *qt = gis_sql_quote_ident (gis_layer_get_table_name (layer));
  g_autofree char *qv = value_field != NULL ? gis_sql_quote_ident (value_field) : g_strdup ("NULL");
  g_autofree char *qc = country_field != NULL ? gis_sql_quote_ident (country_field) : g_strdup ("NULL");
  g_autofree char *idx = gis_query_index_table (layer);
  g_autofree char *qi = gis_sql_quote_ident (idx);
  g_autofree char *sql = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  gsize cap = 1024;
  guint n = 0;
  GisExtent scan_window = { 0 };
  gboolean filter = FALSE;
  int rc;

  /* the spatial index pays for a small window; for a large share of the
   * layer one pass over the table, in storage order, is faster */
  if (window != NULL)
    {
      g_autofree char *count_sql = g_strdup_printf ("SELECT count(*) FROM %s WHERE xmin <= ?1 AND xmax >= ?2 "
                                                    "AND ymin <= ?3 AND ymax >= ?4", qi);
      g_autoptr(sqlite3_stmt) count = gis_sql_prepare (db, count_sql, error);
      gint64 in_window = 0;

      if (count == NULL)
        return FALSE;
      bind_box (count, window);
      if (sqlite3_step (count) == SQLITE_ROW)
        in_window = sqlite3_column_int64 (count, 0);
      if (in_window > WINDOW_SCAN_SHARE * gis_layer_get_feature_count (layer))
        {
          scan_window = *window;
          window = NULL;
          filter = TRUE;
        }
    }
  if (window != NULL)
    sql = g_strdup_printf ("SELECT fid, geom, %s, %s FROM %s WHERE fid IN (SELECT pkid FROM %s "
                           "WHERE xmin <= ?1 AND xmax >= ?2 AND ymin <= ?3 AND ymax >= ?4)",
                           qv, qc, qt, qi);
  else
    sql = g_strdup_printf ("SELECT fid, geom, %s, %s FROM %s", qv, qc, qt);
  stmt = gis_sql_prepare (db, sql, error);
  if (stmt == NULL)
    return FALSE;
  if (window != NULL)
    {
      bind_box (stmt, window);
    }
  memset (out, 0, sizeof *out);
  points_resize (out, cap, value_field != NULL);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const guint8 *blob = sqlite3_column_blob (stmt, 1);
      int len = sqlite3_column_bytes (stmt, 1);
      double x, y;

      if (blob == NULL || !gis_blob_get_point (blob, len, &x, &y))
        continue;  /* no geometry: not on the map */
      if (filter && (x < scan_window.min_x || x > scan_window.max_x || y < scan_window.min_y || y > scan_window.max_y))
        continue;
      if (n == cap)
        points_resize (out, cap *= 2, out->value != NULL);
      out->fid[n] = sqlite3_column_int64 (stmt, 0);
      out->x[n] = x;
      out->y[n] = y;
      if (out->value != NULL)
        out->value[n] = sqlite3_column_type (stmt, 2) == SQLITE_NULL ? NAN : sqlite3_column_double (stmt, 2);
      out->country[n] = (gint8) (country_field != NULL ? country_from_text ((const char *) sqlite3_column_text (stmt, 3)) : -1);
      n++;
      if ((n & 0xffff) == 0 && g_cancellable_set_error_if_cancelled (cancellable, error))
        {
          points_clear (out);
          return FALSE;
        }
    }
  return points_finish (out, n, rc, db, layer, to_analysis, error);
}

static int
project_xy (double *x,
            double *y,
            void   *user_data)
{
  return gis_transform_point (user_data, x, y) ? 1 : 0;
}

/* A geometry blob of the store as GEOS, in the analysis CRS. */
static GEOSGeometry *
blob_to_analysis (const guint8 *blob,
                  int           len,
                  GisTransform *to_analysis)
{
  GEOSContextHandle_t geos = gis_thread_get_geos ();
  g_autofree guint8 *wkb = NULL;
  gsize wkb_len = 0;
  GEOSWKBReader *reader;
  GEOSGeometry *g, *p = NULL;

  if (blob == NULL || len <= 0)
    return NULL;
  wkb = gis_blob_to_wkb (blob, (gsize) len, &wkb_len, NULL);
  if (wkb == NULL)
    return NULL;
  reader = GEOSWKBReader_create_r (geos);
  g = GEOSWKBReader_read_r (geos, reader, wkb, wkb_len);
  GEOSWKBReader_destroy_r (geos, reader);
  if (g == NULL)
    return NULL;
  p = GEOSGeom_transformXY_r (geos, g, project_xy, to_analysis);
  GEOSGeom_destroy_r (geos, g);
  return p;
}

static GEOSGeometry *
union_of (GPtrArray *geoms)
{
  GEOSContextHandle_t geos = gis_thread_get_geos ();
  GEOSGeometry *coll, *u;
  guint n = geoms->len;
  GEOSGeometry **parts = (GEOSGeometry **) g_ptr_array_steal (geoms, NULL);

  coll = GEOSGeom_createCollection_r (geos, GEOS_GEOMETRYCOLLECTION, parts, n);
  g_free (parts);
  if (coll == NULL)
    return NULL;
  u = GEOSUnaryUnion_r (geos, coll);
  GEOSGeom_destroy_r (geos, coll);
  return u;
}

static void
extent_of (const GEOSGeometry *g,
           GisExtent          *box)
{
  GEOSContextHandle_t geos = gis_thread_get_geos ();

  gis_extent_init_empty (box);
  if (g != NULL && !GEOSisEmpty_r (geos, g))
    GEOSGeom_getExtent_r (geos, g, &box->min_x, &box->min_y, &box->max_x, &box->max_y);
}

static GEOSGeometry *
rect (const GisExtent *b)
{
  GEOSContextHandle_t geos = gis_thread_get_geos ();

  return GEOSGeom_createRectangle_r (geos, b->min_x, b->min_y, b->max_x, b->max_y);
}

static double
area_km2 (const GEOSGeometry *g)
{
  double a = 0;

  if (g != NULL)
    GEOSArea_r (gis_thread_get_geos (), g, &a);
  return a / 1.0e6;
}

/* ---- countries ------------------------------------------------------------------ */

static GisLayer *
find_countries_layer (GisStore  *store,
                      GError   **error)
{
  g_autoptr(GListModel) layers = gis_store_list_layers (store, error);
  GisLayer *best = NULL;

  if (layers == NULL)
    return NULL;
  for (guint i = 0; i < g_list_model_get_n_items (layers); i++)
    {
      g_autoptr(GisLayer) l = g_list_model_get_item (layers, i);
      const char *type = gis_layer_get_geometry_type (l);

      if (type == NULL || strstr (type, "POLYGON") == NULL || gis_layer_get_role (l) != GIS_LAYER_ROLE_BOUNDARY ||
          !has_field (store, l, "country"))
        continue;
      if (best == NULL || gis_layer_get_feature_count (l) < gis_layer_get_feature_count (best))
        g_set_object (&best, l);
    }
  if (best == NULL)
    g_set_error (error, GIS_ERROR, GIS_ERROR_NOT_FOUND,
                 _("“%s” has no boundary layer of country areas with a “country” field; name one"),
                 gis_store_get_path (store));
  return best;
}

static gboolean
load_countries (GisCoverageResult *r,
                GisStore          *store,
                GCancellable      *cancellable,
                GError           **error)
{
  g_autoptr(GisLayer) layer = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *qt = NULL;
  g_autofree char *sql = NULL;
  GPtrArray *parts[MAX_COUNTRIES];
  gboolean ok = FALSE;
  int rc;

  if (r->countries_layer != NULL)
    layer = get_layer (store, r->countries_layer, FALSE, _("countries"), error);
  else
    layer = find_countries_layer (store, error);
  if (layer == NULL)
    return FALSE;
  if (r->countries_layer == NULL)
    r->countries_layer = g_strdup (gis_layer_get_name (layer));
  if (!check_field (store, layer, "country", FALSE, error))
    return FALSE;

  for (int c = 0; c < MAX_COUNTRIES; c++)
    parts[c] = g_ptr_array_new ();
  qt = gis_sql_quote_ident (gis_layer_get_table_name (layer));
  sql = g_strdup_printf ("SELECT country, geom FROM %s WHERE country IS NOT NULL", qt);
  stmt = gis_sql_prepare (gis_store_get_db (store), sql, error);
  if (stmt == NULL)
    goto out;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      int c = country_from_text ((const char *) sqlite3_column_text (stmt, 0));
      GEOSGeometry *g;

      if (c < 0)
        continue;
      g = blob_to_analysis (sqlite3_column_blob (stmt, 1), sqlite3_column_bytes (stmt, 1), r->to_analysis);
      if (g != NULL)
        g_ptr_array_add (parts[c], g);
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        goto out;
    }
  if (rc != SQLITE_DONE)
    {
      gis_sql_set_error (error, gis_store_get_db (store), rc, gis_layer_get_name (layer));
      goto out;
    }
  for (int c = 0; c < MAX_COUNTRIES; c++)
    {
      if (parts[c]->len == 0)
        continue;
      r->countries[c].geom = parts[c]->len == 1 ? g_ptr_array_steal_index (parts[c], 0) : union_of (parts[c]);
      if (r->countries[c].geom == NULL)
        {
          g_set_error (error, GIS_ERROR, GIS_ERROR_FAILED, _("The areas of %s in “%s” cannot be merged"),
                       country_codes[c], gis_layer_get_name (layer));
          goto out;
        }
      r->countries[c].index = gis_poly_index_new (r->countries[c].geom);
      extent_of (r->countries[c].geom, &r->countries[c].box);
      r->has_country[c] = TRUE;
    }
  if (!r->has_country[0] && !r->has_country[1] && !r->has_country[2])
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT,
                   _("No feature of “%s” has the country CA, US or MX"), gis_layer_get_name (layer));
      goto out;
    }
  ok = TRUE;

out:
  for (int c = 0; c < MAX_COUNTRIES; c++)
    {
      g_ptr_array_foreach (parts[c], geom_free, NULL);
      g_ptr_array_unref (parts[c]);
    }
  return ok;
}

/* The country a point (analysis CRS) stands in, or -1. */
static int
country_at (GisCoverageResult *r,
            double             x,
            double             y)
{
  for (int c = 0; c < MAX_COUNTRIES; c++)
    {
      const GisExtent *b = &r->countries[c].box;

      if (r->has_country[c] && x >= b->min_x && x <= b->max_x && y >= b->min_y && y <= b->max_y &&
          gis_poly_index_contains (r->countries[c].index, x, y))
        return c;
    }
  return -1;
}

/* The countries clipped to the work box, and their union there. */
static gboolean
clip_countries (GisCoverageResult *r,
                GError           **error)
{
  GEOSContextHandle_t geos = gis_thread_get_geos ();
  g_autoptr(GPtrArray) all = g_ptr_array_new ();
  GEOSGeometry *box = rect (&r->work_box);

  for (int c = 0; c < MAX_COUNTRIES; c++)
    {
      if (!r->has_country[c])
        continue;
      if (gis_extent_intersects (&r->countries[c].box, &r->work_box))
        {
          /* rectangle clipping is fast; an overlay where it leaves an invalid result */
          r->countries[c].clip = GEOSClipByRect_r (geos, r->countries[c].geom, r->work_box.min_x, r->work_box.min_y,
                                                   r->work_box.max_x, r->work_box.max_y);
          if (r->countries[c].clip != NULL && GEOSisValid_r (geos, r->countries[c].clip) != 1)
            {
              GEOSGeom_destroy_r (geos, r->countries[c].clip);
              r->countries[c].clip = GEOSIntersection_r (geos, r->countries[c].geom, box);
            }
        }
      else
        r->countries[c].clip = GEOSGeom_createEmptyPolygon_r (geos);
      if (r->countries[c].clip == NULL)
        break;
      g_ptr_array_add (all, GEOSGeom_clone_r (geos, r->countries[c].clip));
    }
  GEOSGeom_destroy_r (geos, box);
  r->land_clip = all->len > 0 ? union_of (all) : GEOSGeom_createEmptyPolygon_r (geos);
  if (r->land_clip == NULL)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_FAILED, _("The country areas cannot be cut to the zone"));
      return FALSE;
    }
  for (int c = 0; c < MAX_COUNTRIES; c++)
    if (r->has_country[c] && r->countries[c].clip == NULL)
      {
        g_set_error (error, GIS_ERROR, GIS_ERROR_FAILED, _("The country areas cannot be cut to the zone"));
        return FALSE;
      }
  return TRUE;
}

/* ---- resources ------------------------------------------------------------------ */

static gboolean
load_resources (GisCoverageResult *r,
                GisStore          *store,
                GPtrArray         *inputs,
                GCancellable      *cancellable,
                GError           **error)
{
  GArray *fid = g_array_new (FALSE, FALSE, sizeof (gint64));
  GArray *x = g_array_new (FALSE, FALSE, sizeof (double));
  GArray *y = g_array_new (FALSE, FALSE, sizeof (double));
  GArray *rad = g_array_new (FALSE, FALSE, sizeof (double));
  GArray *cty = g_array_new (FALSE, FALSE, sizeof (gint8));
  GArray *lyr = g_array_new (FALSE, FALSE, sizeof (guint16));
  gboolean ok = FALSE;

  if (r->resources == NULL || r->resources[0] == NULL)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT, _("Name at least one layer of resources"));
      goto out;
    }
  if (g_strv_length (r->resources) > G_MAXUINT16)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT, _("Too many layers of resources"));
      goto out;
    }
  for (guint l = 0; r->resources[l] != NULL; l++)
    {
      g_autoptr(GisLayer) layer = get_layer (store, r->resources[l], TRUE, _("resources"), error);
      Points p = { 0 };
      const char *radius_field = r->radius_field;
      gboolean has_country;

      if (layer == NULL)
        goto out;
      if (radius_field != NULL && !check_field (store, layer, radius_field, TRUE, error))
        goto out;
      has_country = has_field (store, layer, "country");
      if (!read_points (store, layer, radius_field, has_country ? "country" : NULL, NULL, r->to_analysis, &p,
                        cancellable, error))
        goto out;
      for (guint i = 0; i < p.n; i++)
        {
          double radius = r->params.radius_km;
          gint8 c = p.country[i];

          if (p.value != NULL && isfinite (p.value[i]) && p.value[i] > 0)
            radius = p.value[i];
          if (!(radius > 0))
            continue;  /* covers nothing */
          if (radius > MAX_RADIUS_KM)
            {
              g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT,
                           _("Feature %" PRId64 " of “%s” has a radius of %g km, more than %g km"),
                           p.fid[i], r->resources[l], radius, MAX_RADIUS_KM);
              points_clear (&p);
              goto out;
            }
          if (c < 0)
            c = (gint8) country_at (r, p.x[i], p.y[i]);
          radius *= 1000.0;
          g_array_append_val (fid, p.fid[i]);
          g_array_append_val (x, p.x[i]);
          g_array_append_val (y, p.y[i]);
          g_array_append_val (rad, radius);
          g_array_append_val (cty, c);
          {
            guint16 l16 = (guint16) l;

            g_array_append_val (lyr, l16);
          }
          r->max_radius = MAX (r->max_radius, radius);
        }
      points_clear (&p);
      g_ptr_array_add (inputs, g_steal_pointer (&layer));
    }
  r->res.n = fid->len;
  r->res.fid = (gint64 *) g_array_free (g_steal_pointer (&fid), FALSE);
  r->res.x = (double *) g_array_free (g_steal_pointer (&x), FALSE);
  r->res.y = (double *) g_array_free (g_steal_pointer (&y), FALSE);
  r->res.value = (double *) g_array_free (g_steal_pointer (&rad), FALSE);
  r->res.country = (gint8 *) g_array_free (g_steal_pointer (&cty), FALSE);
  r->res_layer = (guint16 *) g_array_free (g_steal_pointer (&lyr), FALSE);
  point_grid_build (&r->res_grid, r->res.x, r->res.y, r->res.n, MAX (r->max_radius, 1000.0));
  ok = TRUE;

out:
  if (fid != NULL)
    g_array_unref (fid);
  if (x != NULL)
    g_array_unref (x);
  if (y != NULL)
    g_array_unref (y);
  if (rad != NULL)
    g_array_unref (rad);
  if (lyr != NULL)
    g_array_unref (lyr);
  if (cty != NULL)
    g_array_unref (cty);
  return ok;
}

/* Is a point of country @c covered by the existing resources? */
static gboolean
point_covered (GisCoverageResult *r,
               double             px,
               double             py,
               int                c)
{
  const PointGrid *g = &r->res_grid;
  guint cx0, cy0, cx1, cy1;

  if (r->res.n == 0 || !point_grid_range (g, px, py, r->max_radius, &cx0, &cy0, &cx1, &cy1))
    return FALSE;
  for (guint cy = cy0; cy <= cy1; cy++)
    for (guint cx = cx0; cx <= cx1; cx++)
      {
        gsize cell = (gsize) cy * g->nx + cx;

        for (guint k = g->start[cell]; k < g->start[cell + 1]; k++)
          {
            guint i = g->items[k];
            double dx = r->res.x[i] - px, dy = r->res.y[i] - py, rr = r->res.value[i];

            if (dx * dx + dy * dy <= rr * rr &&
                (r->params.cross_border || c < 0 || r->res.country[i] == c))
              return TRUE;
          }
      }
  return FALSE;
}

/* Distance in metres to the nearest resource of any country. */
static double
nearest_resource (GisCoverageResult *r,
                  double             px,
                  double             py)
{
  const PointGrid *g = &r->res_grid;
  double best = G_MAXDOUBLE;

  if (r->res.n == 0)
    return NAN;
  for (double reach = g->cell;; reach *= 2)
    {
      guint cx0, cy0, cx1, cy1;

      if (point_grid_range (g, px, py, reach, &cx0, &cy0, &cx1, &cy1))
        for (guint cy = cy0; cy <= cy1; cy++)
          for (guint cx = cx0; cx <= cx1; cx++)
            {
              gsize cell = (gsize) cy * g->nx + cx;

              for (guint k = g->start[cell]; k < g->start[cell + 1]; k++)
                {
                  guint i = g->items[k];
                  double d = hypot (r->res.x[i] - px, r->res.y[i] - py);

                  best = MIN (best, d);
                }
            }
      /* every point within reach has been seen */
      if (best <= reach)
        return best;
      if (reach > 4.0e7)
        return best;
    }
}

/* ---- the zone ------------------------------------------------------------------- */

static void
zone_add (GisCoverageResult *r,
          GEOSGeometry      *geom,
          gint64             fid,
          int                country)
{
  GEOSContextHandle_t geos = gis_thread_get_geos ();
  ZonePart *part;

  if (geom == NULL || GEOSisEmpty_r (geos, geom))
    {
      if (geom != NULL)
        GEOSGeom_destroy_r (geos, geom);
      return;
    }
  part = g_new0 (ZonePart, 1);
  part->geom = geom;
  part->index = gis_poly_index_new (geom);
  part->fid = fid;
  part->country = country;
  extent_of (geom, &part->box);
  gis_extent_add_extent (&r->zone_box, &part->box);
  g_ptr_array_add (r->zone, part);
}

static gboolean
load_zone_layer (GisCoverageResult *r,
                 GisStore          *store,
                 GPtrArray         *inputs,
                 GCancellable      *cancellable,
                 GError           **error)
{
  g_autoptr(GisLayer) layer = get_layer (store, r->zone_layer, FALSE, _("zone"), error);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *qt = NULL;
  g_autofree char *sql = NULL;
  int rc;

  if (layer == NULL)
    return FALSE;
  if (strstr (gis_layer_get_geometry_type (layer), "POLYGON") == NULL)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT, _("The zone layer “%s” must hold areas"), r->zone_layer);
      return FALSE;
    }
  qt = gis_sql_quote_ident (gis_layer_get_table_name (layer));
  sql = g_strdup_printf ("SELECT fid, geom FROM %s ORDER BY fid", qt);
  stmt = gis_sql_prepare (gis_store_get_db (store), sql, error);
  if (stmt == NULL)
    return FALSE;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      GEOSGeometry *g = blob_to_analysis (sqlite3_column_blob (stmt, 1), sqlite3_column_bytes (stmt, 1),
                                          r->to_analysis);

      if (g != NULL && !GEOSisValid_r (gis_thread_get_geos (), g))
        {
          GEOSGeometry *fixed = GEOSMakeValid_r (gis_thread_get_geos (), g);

          GEOSGeom_destroy_r (gis_thread_get_geos (), g);
          g = fixed;
        }
      zone_add (r, g, sqlite3_column_int64 (stmt, 0), -1);
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
    }
  if (rc != SQLITE_DONE)
    {
      gis_sql_set_error (error, gis_store_get_db (store), rc, r->zone_layer);
      return FALSE;
    }
  g_ptr_array_add (inputs, g_steal_pointer (&layer));
  return TRUE;
}

/* The two countries a boundary feature separates, from its fields. */
static gboolean
boundary_pair (sqlite3_stmt *stmt,
               int           first_col,
               gboolean      pair_field,
               int          *a,
               int          *b)
{
  if (pair_field)
    {
      const char *text = (const char *) sqlite3_column_text (stmt, first_col);
      g_auto(GStrv) two = text != NULL ? g_strsplit_set (text, "-–/", 2) : NULL;

      if (two == NULL || two[0] == NULL || two[1] == NULL)
        return FALSE;
      *a = country_from_text (g_strstrip (two[0]));
      *b = country_from_text (g_strstrip (two[1]));
    }
  else
    {
      *a = country_from_text ((const char *) sqlite3_column_text (stmt, first_col));
      *b = country_from_text ((const char *) sqlite3_column_text (stmt, first_col + 1));
    }
  return *a >= 0 && *b >= 0;
}

static gboolean
load_corridor (GisCoverageResult *r,
               GisStore          *store,
               GPtrArray         *inputs,
               GCancellable      *cancellable,
               GError           **error)
{
  GEOSContextHandle_t geos = gis_thread_get_geos ();
  g_autoptr(GisLayer) layer = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GPtrArray) lines = g_ptr_array_new ();
  g_autofree char *qt = NULL;
  g_autofree char *sql = NULL;
  GEOSGeometry *all_lines = NULL, *band = NULL;
  int want_a = -1, want_b = -1, side = -1;
  gboolean pair_field = FALSE, ok = FALSE;
  int qs = r->params.quadrant_segments > 0 ? r->params.quadrant_segments : GIS_COVERAGE_QUADRANT_SEGMENTS;
  int rc;

  if (r->boundary_layer == NULL)
    {
      g_autoptr(GListModel) all = gis_store_list_layers (store, error);

      if (all == NULL)
        return FALSE;
      for (guint i = 0; i < g_list_model_get_n_items (all) && r->boundary_layer == NULL; i++)
        {
          g_autoptr(GisLayer) l = g_list_model_get_item (all, i);
          const char *type = gis_layer_get_geometry_type (l);

          if (gis_layer_get_role (l) == GIS_LAYER_ROLE_BOUNDARY && type != NULL && strstr (type, "LINESTRING") != NULL)
            r->boundary_layer = g_strdup (gis_layer_get_name (l));
        }
      if (r->boundary_layer == NULL)
        {
          g_set_error (error, GIS_ERROR, GIS_ERROR_NOT_FOUND,
                       _("“%s” has no boundary layer of lines for the corridor; name one"), gis_store_get_path (store));
          return FALSE;
        }
      r->params.boundary_layer = r->boundary_layer;
    }
  if (!(r->params.corridor_km > 0) || r->params.corridor_km > MAX_RADIUS_KM)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT,
                   _("The corridor's width must be more than 0 and at most %g km"), MAX_RADIUS_KM);
      return FALSE;
    }
  if (r->corridor_side != NULL && (side = country_from_text (r->corridor_side)) < 0)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT,
                   _("Unknown side “%s”: give CA, US or MX"), r->corridor_side);
      return FALSE;
    }
  if (r->corridor_pair != NULL)
    {
      g_auto(GStrv) two = g_strsplit_set (r->corridor_pair, "-–/", 2);

      if (two[0] == NULL || two[1] == NULL ||
          (want_a = country_from_text (g_strstrip (two[0]))) < 0 ||
          (want_b = country_from_text (g_strstrip (two[1]))) < 0 || want_a == want_b)
        {
          g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT,
                       _("Unknown boundary “%s”: give two countries, such as US-MX"), r->corridor_pair);
          return FALSE;
        }
      if (side >= 0 && side != want_a && side != want_b)
        {
          g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT,
                       _("The side %s is not on the boundary %s"), r->corridor_side, r->corridor_pair);
          return FALSE;
        }
    }

  layer = get_layer (store, r->boundary_layer, FALSE, _("boundary"), error);
  if (layer == NULL)
    return FALSE;
  qt = gis_sql_quote_ident (gis_layer_get_table_name (layer));
  if (want_a >= 0)
    {
      if (has_field (store, layer, "country_pair"))
        {
          pair_field = TRUE;
          sql = g_strdup_printf ("SELECT fid, geom, country_pair FROM %s", qt);
        }
      else if (has_field (store, layer, "adm0_left") && has_field (store, layer, "adm0_right"))
        sql = g_strdup_printf ("SELECT fid, geom, adm0_left, adm0_right FROM %s", qt);
      else
        {
          g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT,
                       _("“%s” names no countries of its lines (a country_pair field, or adm0_left and "
                         "adm0_right)"), r->boundary_layer);
          return FALSE;
        }
    }
  else
    sql = g_strdup_printf ("SELECT fid, geom FROM %s", qt);
  stmt = gis_sql_prepare (gis_store_get_db (store), sql, error);
  if (stmt == NULL)
    return FALSE;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      GEOSGeometry *g;

      if (want_a >= 0)
        {
          int a, b;

          if (!boundary_pair (stmt, 2, pair_field, &a, &b) ||
              !((a == want_a && b == want_b) || (a == want_b && b == want_a)))
            continue;
        }
      g = blob_to_analysis (sqlite3_column_blob (stmt, 1), sqlite3_column_bytes (stmt, 1), r->to_analysis);
      if (g != NULL)
        g_ptr_array_add (lines, g);
    }
  if (rc != SQLITE_DONE)
    {
      gis_sql_set_error (error, gis_store_get_db (store), rc, r->boundary_layer);
      goto out;
    }
  if (lines->len == 0)
    {
      if (want_a >= 0)
        g_set_error (error, GIS_ERROR, GIS_ERROR_NOT_FOUND, _("“%s” has no line of the boundary %s"),
                     r->boundary_layer, r->corridor_pair);
      else
        g_set_error (error, GIS_ERROR, GIS_ERROR_NOT_FOUND, _("“%s” has no lines"), r->boundary_layer);
      goto out;
    }
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    goto out;
  all_lines = union_of (lines);
  if (all_lines != NULL)
    {
      GEOSBufferParams *bp = GEOSBufferParams_create_r (geos);

      GEOSBufferParams_setQuadrantSegments_r (geos, bp, qs);
      band = GEOSBufferWithParams_r (geos, all_lines, bp, r->params.corridor_km * 1000.0);
      GEOSBufferParams_destroy_r (geos, bp);
    }
  if (band == NULL)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_FAILED, _("The corridor along “%s” cannot be built"),
                   r->boundary_layer);
      goto out;
    }

  /* the band on land, country by country */
  extent_of (band, &r->work_box);
  if (!clip_countries (r, error))
    goto out;
  for (int c = 0; c < MAX_COUNTRIES; c++)
    {
      if (!r->has_country[c] || (side >= 0 && c != side) ||
          (side < 0 && want_a >= 0 && c != want_a && c != want_b))
        continue;
      zone_add (r, GEOSIntersection_r (geos, band, r->countries[c].clip), -1, c);
    }
  if (r->zone->len == 0)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_NOT_FOUND, _("The corridor along “%s” lies on no country's land"),
                   r->boundary_layer);
      goto out;
    }
  g_ptr_array_add (inputs, g_steal_pointer (&layer));
  ok = TRUE;

out:
  g_ptr_array_foreach (lines, geom_free, NULL);
  if (all_lines != NULL)
    GEOSGeom_destroy_r (geos, all_lines);
  if (band != NULL)
    GEOSGeom_destroy_r (geos, band);
  return ok;
}

/* A grid of cells over the zone's box listing the parts whose box meets
 * each cell. */
static void
zone_index (GisCoverageResult *r)
{
  const GisExtent *b = &r->zone_box;
  guint n_cells = ZONE_GRID * ZONE_GRID, *fill;
  GArray *count = g_array_sized_new (FALSE, TRUE, sizeof (guint), n_cells + 1);

  g_array_set_size (count, n_cells + 1);
  r->zone_cell_w = MAX ((b->max_x - b->min_x) / ZONE_GRID, 1e-6);
  r->zone_cell_h = MAX ((b->max_y - b->min_y) / ZONE_GRID, 1e-6);
  for (int pass = 0; pass < 2; pass++)
    {
      for (guint p = 0; p < r->zone->len; p++)
        {
          ZonePart *part = g_ptr_array_index (r->zone, p);
          guint x0 = (guint) CLAMP ((part->box.min_x - b->min_x) / r->zone_cell_w, 0, ZONE_GRID - 1);
          guint x1 = (guint) CLAMP ((part->box.max_x - b->min_x) / r->zone_cell_w, 0, ZONE_GRID - 1);
          guint y0 = (guint) CLAMP ((part->box.min_y - b->min_y) / r->zone_cell_h, 0, ZONE_GRID - 1);
          guint y1 = (guint) CLAMP ((part->box.max_y - b->min_y) / r->zone_cell_h, 0, ZONE_GRID - 1);

          for (guint y = y0; y <= y1; y++)
            for (guint x = x0; x <= x1; x++)
              {
                guint cell = y * ZONE_GRID + x;

                if (pass == 0)
                  g_array_index (count, guint, cell + 1)++;
                else
                  r->zone_cell_items[fill[cell]++] = p;
              }
        }
      if (pass == 0)
        {
          for (guint c = 0; c < n_cells; c++)
            g_array_index (count, guint, c + 1) += g_array_index (count, guint, c);
          r->zone_cell_start = g_memdup2 (count->data, sizeof (guint) * (n_cells + 1));
          r->zone_cell_items = g_new (guint, MAX (r->zone_cell_start[n_cells], 1));
          fill = g_memdup2 (count->data, sizeof (guint) * n_cells);
        }
    }
  g_free (fill);
  g_array_unref (count);
}

/* The zone part holding a point, or -1. */
static int
zone_lookup (GisCoverageResult *r,
             double             x,
             double             y)
{
  const GisExtent *b = &r->zone_box;
  guint cx, cy, cell;

  if (x < b->min_x || x > b->max_x || y < b->min_y || y > b->max_y)
    return -1;
  cx = MIN ((guint) ((x - b->min_x) / r->zone_cell_w), ZONE_GRID - 1);
  cy = MIN ((guint) ((y - b->min_y) / r->zone_cell_h), ZONE_GRID - 1);
  cell = cy * ZONE_GRID + cx;
  for (guint k = r->zone_cell_start[cell]; k < r->zone_cell_start[cell + 1]; k++)
    {
      ZonePart *part = g_ptr_array_index (r->zone, r->zone_cell_items[k]);

      if (x >= part->box.min_x && x <= part->box.max_x && y >= part->box.min_y && y <= part->box.max_y &&
          gis_poly_index_contains (part->index, x, y))
        return (int) r->zone_cell_items[k];
    }
  return -1;
}


/* The polygons of @parts (with their boxes) that meet @box, as one
 * geometry: overlays of a small feature then skip the rest of a large
 * coverage.  Components of a union are disjoint, so no union is needed. */
typedef struct
{
  const GEOSGeometry *geom;
  GisExtent           box;
} Component;

static GArray *
components_of (const GEOSGeometry *g)
{
  GEOSContextHandle_t geos = gis_thread_get_geos ();
  GArray *out = g_array_new (FALSE, FALSE, sizeof (Component));
  int n = GEOSGetNumGeometries_r (geos, g);

  for (int i = 0; i < n; i++)
    {
      Component c = { GEOSGetGeometryN_r (geos, g, i) };

      extent_of (c.geom, &c.box);
      if (!gis_extent_is_empty (&c.box))
        g_array_append_val (out, c);
    }
  return out;
}

static GEOSGeometry *
components_near (GArray          *components,
                 const GisExtent *box)
{
  GEOSContextHandle_t geos = gis_thread_get_geos ();
  g_autoptr(GPtrArray) near = g_ptr_array_new ();
  GEOSGeometry **parts;
  GEOSGeometry *multi;
  guint n;

  for (guint i = 0; i < components->len; i++)
    {
      Component *c = &g_array_index (components, Component, i);

      if (gis_extent_intersects (&c->box, box) && GEOSGeomTypeId_r (geos, c->geom) == GEOS_POLYGON)
        g_ptr_array_add (near, GEOSGeom_clone_r (geos, c->geom));
    }
  n = near->len;
  parts = (GEOSGeometry **) g_ptr_array_steal (near, NULL);
  multi = GEOSGeom_createCollection_r (geos, GEOS_MULTIPOLYGON, parts, n);
  g_free (parts);
  return multi;
}

/* ---- areas ---------------------------------------------------------------------- */

static GEOSGeometry *
discs_union (GisCoverageResult *r,
             int                country,   /* -2: every resource */
             int                qs)
{
  GEOSContextHandle_t geos = gis_thread_get_geos ();
  g_autoptr(GPtrArray) discs = g_ptr_array_new ();
  GEOSBufferParams *bp = GEOSBufferParams_create_r (geos);

  GEOSBufferParams_setQuadrantSegments_r (geos, bp, qs);
  for (guint i = 0; i < r->res.n; i++)
    {
      double rr = r->res.value[i];
      GEOSGeometry *pt, *disc;

      if (country != -2 && r->res.country[i] != country)
        continue;
      if (r->res.x[i] + rr < r->work_box.min_x || r->res.x[i] - rr > r->work_box.max_x ||
          r->res.y[i] + rr < r->work_box.min_y || r->res.y[i] - rr > r->work_box.max_y)
        continue;
      pt = GEOSGeom_createPointFromXY_r (geos, r->res.x[i], r->res.y[i]);
      disc = GEOSBufferWithParams_r (geos, pt, bp, rr);
      GEOSGeom_destroy_r (geos, pt);
      if (disc != NULL)
        g_ptr_array_add (discs, disc);
    }
  GEOSBufferParams_destroy_r (geos, bp);
  if (discs->len == 0)
    return GEOSGeom_createEmptyPolygon_r (geos);
  return union_of (discs);
}

static GEOSGeometry *
build_covered (GisCoverageResult *r)
{
  GEOSContextHandle_t geos = gis_thread_get_geos ();
  int qs = r->params.quadrant_segments > 0 ? r->params.quadrant_segments : GIS_COVERAGE_QUADRANT_SEGMENTS;
  GEOSGeometry *all = discs_union (r, -2, qs);
  g_autoptr(GPtrArray) pieces = NULL;

  if (all == NULL || r->params.cross_border)
    return all;
  /* each country's land by its own resources; off land, by any */
  pieces = g_ptr_array_new ();
  for (int c = 0; c < MAX_COUNTRIES; c++)
    {
      GEOSGeometry *own, *piece;

      if (!r->has_country[c])
        continue;
      own = discs_union (r, c, qs);
      if (own == NULL)
        goto fail;
      piece = GEOSIntersection_r (geos, own, r->countries[c].clip);
      GEOSGeom_destroy_r (geos, own);
      if (piece == NULL)
        goto fail;
      g_ptr_array_add (pieces, piece);
    }
  {
    GEOSGeometry *off = GEOSDifference_r (geos, all, r->land_clip);

    if (off == NULL)
      goto fail;
    g_ptr_array_add (pieces, off);
  }
  GEOSGeom_destroy_r (geos, all);
  return union_of (pieces);

fail:
  GEOSGeom_destroy_r (geos, all);
  g_ptr_array_foreach (pieces, geom_free, NULL);
  return NULL;
}

/* The polygons of @g (taken) as one MULTIPOLYGON; NULL when it has none
 * (slivers that an overlay left as lines or points). */
static GEOSGeometry *
multipolygon_of (GEOSGeometry *g)
{
  GEOSContextHandle_t geos = gis_thread_get_geos ();
  g_autoptr(GPtrArray) polys = g_ptr_array_new ();
  GEOSGeometry **parts, *multi;
  guint n;

  if (g == NULL)
    return NULL;
  for (int i = 0; i < GEOSGetNumGeometries_r (geos, g); i++)
    {
      const GEOSGeometry *part = GEOSGetGeometryN_r (geos, g, i);
      int type = GEOSGeomTypeId_r (geos, part);

      if (type == GEOS_POLYGON)
        g_ptr_array_add (polys, GEOSGeom_clone_r (geos, part));
      else if (type == GEOS_MULTIPOLYGON)
        for (int j = 0; j < GEOSGetNumGeometries_r (geos, part); j++)
          g_ptr_array_add (polys, GEOSGeom_clone_r (geos, GEOSGetGeometryN_r (geos, part, j)));
    }
  GEOSGeom_destroy_r (geos, g);
  if (polys->len == 0)
    return NULL;
  n = polys->len;
  parts = (GEOSGeometry **) g_ptr_array_steal (polys, NULL);
  multi = GEOSGeom_createCollection_r (geos, GEOS_MULTIPOLYGON, parts, n);
  g_free (parts);
  return multi;
}

/* @g (taken) as 2D little-endian WKB. */
static GBytes *
wkb_of (GEOSGeometry *g)
{
  GEOSContextHandle_t geos = gis_thread_get_geos ();
  GEOSWKBWriter *w;
  unsigned char *wkb;
  size_t len = 0;
  GBytes *bytes = NULL;

  if (g == NULL)
    return NULL;
  w = GEOSWKBWriter_create_r (geos);
  GEOSWKBWriter_setOutputDimension_r (geos, w, 2);
  GEOSWKBWriter_setByteOrder_r (geos, w, GEOS_WKB_NDR);
  wkb = GEOSWKBWriter_write_r (geos, w, g, &len);
  GEOSWKBWriter_destroy_r (geos, w);
  GEOSGeom_destroy_r (geos, g);
  if (wkb != NULL)
    {
      bytes = g_bytes_new (wkb, len);
      GEOSFree_r (geos, wkb);
    }
  return bytes;
}

static void
add_area (GisCoverageResult *r,
          GEOSGeometry      *g,     /* taken */
          gint64             zone_fid,
          int                country)
{
  GEOSContextHandle_t geos = gis_thread_get_geos ();
  GisCoverageArea a = { 0 };
  GEOSGeometry *ll;

  a.area_km2 = area_km2 (g);
  if (g == NULL || GEOSisEmpty_r (geos, g) || a.area_km2 <= 0)
    {
      if (g != NULL)
        GEOSGeom_destroy_r (geos, g);
      return;
    }
  ll = GEOSGeom_transformXY_r (geos, g, project_xy, r->from_analysis);
  GEOSGeom_destroy_r (geos, g);
  a.wkb = wkb_of (multipolygon_of (ll));
  if (a.wkb == NULL)
    return;
  a.zone_fid = zone_fid;
  a.country = country;
  g_array_append_val (r->areas, a);
}

/* The areas of the zone, uncovered and in all, by country, and the
 * uncovered pieces. */
static gboolean
compute_areas (GisCoverageResult *r,
               GCancellable      *cancellable,
               GError           **error)
{
  GEOSContextHandle_t geos = gis_thread_get_geos ();
  g_autoptr(GPtrArray) parts = g_ptr_array_new ();
  GEOSGeometry *zone_all = NULL, *unc_all = NULL;
  const GEOSPreparedGeometry *cov_prep = NULL;
  g_autoptr(GArray) cov_parts = NULL;
  gboolean ok = FALSE;

  r->covered = build_covered (r);
  if (r->covered == NULL)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_FAILED, _("The service areas cannot be merged"));
      return FALSE;
    }
  cov_prep = GEOSPrepare_r (geos, r->covered);
  cov_parts = components_of (r->covered);

  /* the uncovered part of each zone part, split by country */
  for (guint p = 0; p < r->zone->len; p++)
    {
      ZonePart *part = g_ptr_array_index (r->zone, p);
      GEOSGeometry *unc;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        goto out;
      g_ptr_array_add (parts, GEOSGeom_clone_r (geos, part->geom));
      if (cov_prep != NULL && !GEOSPreparedIntersects_r (geos, cov_prep, part->geom))
        unc = GEOSGeom_clone_r (geos, part->geom);
      else if (r->zone->len == 1)
        unc = GEOSDifference_r (geos, part->geom, r->covered);
      else
        {
          GEOSGeometry *near = components_near (cov_parts, &part->box);

          unc = near != NULL ? GEOSDifference_r (geos, part->geom, near) : NULL;
          if (near != NULL)
            GEOSGeom_destroy_r (geos, near);
        }
      if (unc == NULL)
        {
          g_set_error (error, GIS_ERROR, GIS_ERROR_FAILED, _("The uncovered part of feature %" PRId64
                                                              " cannot be computed"), part->fid);
          goto out;
        }
      if (part->country >= 0)
        {
          add_area (r, unc, part->fid, part->country);
          continue;
        }
      /* a feature of a layer: inside one country, or cut */
      {
        int inside = -1;

        for (int c = 0; c < MAX_COUNTRIES && inside < 0; c++)
          if (r->has_country[c] &&
              gis_poly_index_classify (r->countries[c].index, part->box.min_x, part->box.min_y,
                                       part->box.max_x, part->box.max_y) == GIS_BOX_INSIDE)
            inside = c;
        if (inside >= 0)
          {
            add_area (r, unc, part->fid, inside);
            continue;
          }
        for (int c = 0; c < MAX_COUNTRIES; c++)
          if (r->has_country[c] && gis_extent_intersects (&r->countries[c].box, &part->box))
            {
              GEOSGeometry *local = GEOSClipByRect_r (geos, r->countries[c].clip, part->box.min_x - 1,
                                                      part->box.min_y - 1, part->box.max_x + 1, part->box.max_y + 1);

              if (local != NULL)
                {
                  add_area (r, GEOSIntersection_r (geos, unc, local), part->fid, c);
                  GEOSGeom_destroy_r (geos, local);
                }
            }
        {
          GEOSGeometry *land = GEOSClipByRect_r (geos, r->land_clip, part->box.min_x - 1, part->box.min_y - 1,
                                                 part->box.max_x + 1, part->box.max_y + 1);

          if (land != NULL)
            {
              add_area (r, GEOSDifference_r (geos, unc, land), part->fid, -1);
              GEOSGeom_destroy_r (geos, land);
            }
        }
        GEOSGeom_destroy_r (geos, unc);
      }
    }

  /* totals from the union, which counts overlapping features once */
  zone_all = parts->len == 1 ? g_ptr_array_steal_index (parts, 0) : union_of (parts);
  if (zone_all == NULL || (unc_all = GEOSDifference_r (geos, zone_all, r->covered)) == NULL)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_FAILED, _("The uncovered part of the zone cannot be computed"));
      goto out;
    }
  r->total.zone_km2 = area_km2 (zone_all);
  r->total.uncovered_km2 = area_km2 (unc_all);
  {
    double zone_land = 0, unc_land = 0;

    for (int c = 0; c < MAX_COUNTRIES; c++)
      {
        GEOSGeometry *zc, *uc;

        if (!r->has_country[c])
          continue;
        zc = GEOSIntersection_r (geos, zone_all, r->countries[c].clip);
        uc = GEOSIntersection_r (geos, unc_all, r->countries[c].clip);
        r->by_country[c].zone_km2 = area_km2 (zc);
        r->by_country[c].uncovered_km2 = area_km2 (uc);
        zone_land += r->by_country[c].zone_km2;
        unc_land += r->by_country[c].uncovered_km2;
        if (zc != NULL)
          GEOSGeom_destroy_r (geos, zc);
        if (uc != NULL)
          GEOSGeom_destroy_r (geos, uc);
      }
    /* off land: the rest, less the rounding of the sums */
    r->by_country[OUTSIDE].zone_km2 = r->total.zone_km2 - zone_land;
    r->by_country[OUTSIDE].uncovered_km2 = r->total.uncovered_km2 - unc_land;
    if (r->by_country[OUTSIDE].zone_km2 <= 1e-9 * r->total.zone_km2)
      r->by_country[OUTSIDE].zone_km2 = 0;
    if (r->by_country[OUTSIDE].uncovered_km2 <= 1e-9 * r->total.zone_km2)
      r->by_country[OUTSIDE].uncovered_km2 = 0;
  }
  ok = TRUE;

out:
  if (cov_prep != NULL)
    GEOSPreparedGeom_destroy_r (geos, cov_prep);
  g_ptr_array_foreach (parts, geom_free, NULL);
  if (zone_all != NULL)
    GEOSGeom_destroy_r (geos, zone_all);
  if (unc_all != NULL)
    GEOSGeom_destroy_r (geos, unc_all);
  return ok;
}

/* Reads the boxes of a point layer's R*Tree in @window (lon/lat; NULL:
 * all): fid, the centre projected, and in value the margin in metres
 * that holds the true point. */
static gboolean
read_index_boxes (GisStore        *store,
                  GisLayer        *layer,
                  const GisExtent *window,
                  GisTransform    *to_analysis,
                  Points          *out,
                  GCancellable    *cancellable,
                  GError         **error)
{
  sqlite3 *db = gis_store_get_db (store);
  g_autofree char *idx = gis_query_index_table (layer);
  g_autofree char *qi = gis_sql_quote_ident (idx);
  g_autofree char *sql = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  gsize cap = 1024;
  guint n = 0;
  int rc;

  if (window != NULL)
    sql = g_strdup_printf ("SELECT pkid, xmin, xmax, ymin, ymax FROM %s "
                           "WHERE xmin <= ?1 AND xmax >= ?2 AND ymin <= ?3 AND ymax >= ?4", qi);
  else
    sql = g_strdup_printf ("SELECT pkid, xmin, xmax, ymin, ymax FROM %s", qi);
  stmt = gis_sql_prepare (db, sql, error);
  if (stmt == NULL)
    return FALSE;
  if (window != NULL)
    {
      bind_box (stmt, window);
    }
  memset (out, 0, sizeof *out);
  points_resize (out, cap, TRUE);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      double x0 = sqlite3_column_double (stmt, 1), x1 = sqlite3_column_double (stmt, 2);
      double y0 = sqlite3_column_double (stmt, 3), y1 = sqlite3_column_double (stmt, 4);

      if (n == cap)
        points_resize (out, cap *= 2, TRUE);
      out->fid[n] = sqlite3_column_int64 (stmt, 0);
      out->x[n] = (x0 + x1) / 2;
      out->y[n] = (y0 + y1) / 2;
      /* the box's half diagonal in metres (a degree is at most 111.7 km),
       * times the analysis CRS's largest scale over North America, and
       * some room: a point not a point (a box of a line) is read exactly */
      out->value[n] = x1 - x0 > 1e-3 || y1 - y0 > 1e-3 ? 0.0
                      : hypot (x1 - x0, y1 - y0) / 2 * 111700.0 * ANALYSIS_SCALE_MAX + 0.01;
      out->country[n] = -1;
      n++;
      if ((n & 0xffff) == 0 && g_cancellable_set_error_if_cancelled (cancellable, error))
        {
          points_clear (out);
          return FALSE;
        }
    }
  return points_finish (out, n, rc, db, layer, to_analysis, error);
}

/* One point read exactly by its fid, in the analysis CRS. */
static gboolean
exact_point (sqlite3_stmt *stmt,
             gint64        fid,
             GisTransform *to_analysis,
             double       *x,
             double       *y)
{
  gboolean ok = FALSE;

  sqlite3_reset (stmt);
  sqlite3_bind_int64 (stmt, 1, fid);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    {
      const guint8 *blob = sqlite3_column_blob (stmt, 0);
      int len = sqlite3_column_bytes (stmt, 0);

      ok = blob != NULL && gis_blob_get_point (blob, len, x, y) && gis_transform_point (to_analysis, x, y);
    }
  sqlite3_reset (stmt);
  return ok;
}

/* ---- points --------------------------------------------------------------------- */

/* ---- points from the spatial index ----------------------------------------------- */

/* A point layer's R*Tree holds each point as a box of 32-bit floats
 * rounded outwards, so it holds the point.  Most points are classified
 * from that box: the centre, projected, with a margin that bounds the
 * distance to the true point.  A point whose box straddles a zone edge, a
 * country edge or a disc's circle is read exactly. */

typedef enum
{
  SURE_NO = 0,
  SURE_YES = 1,
  UNSURE = 2,
} Sure;

/* The zone part holding every point within @m of (x, y), -1 when none
 * does, -2 when that depends on where in the box the point is. */
static int
zone_lookup_margin (GisCoverageResult *r,
                    double             x,
                    double             y,
                    double             m)
{
  const GisExtent *b = &r->zone_box;
  guint cx0, cx1, cy0, cy1;
  gboolean unsure = FALSE;

  if (x + m < b->min_x || x - m > b->max_x || y + m < b->min_y || y - m > b->max_y)
    return -1;
  cx0 = (guint) CLAMP ((x - m - b->min_x) / r->zone_cell_w, 0, ZONE_GRID - 1);
  cx1 = (guint) CLAMP ((x + m - b->min_x) / r->zone_cell_w, 0, ZONE_GRID - 1);
  cy0 = (guint) CLAMP ((y - m - b->min_y) / r->zone_cell_h, 0, ZONE_GRID - 1);
  cy1 = (guint) CLAMP ((y + m - b->min_y) / r->zone_cell_h, 0, ZONE_GRID - 1);
  for (guint cy = cy0; cy <= cy1; cy++)
    for (guint cx = cx0; cx <= cx1; cx++)
      {
        guint cell = cy * ZONE_GRID + cx;

        for (guint k = r->zone_cell_start[cell]; k < r->zone_cell_start[cell + 1]; k++)
          {
            ZonePart *part = g_ptr_array_index (r->zone, r->zone_cell_items[k]);

            if (x + m < part->box.min_x || x - m > part->box.max_x || y + m < part->box.min_y ||
                y - m > part->box.max_y)
              continue;
            switch (gis_poly_index_classify (part->index, x - m, y - m, x + m, y + m))
              {
              case GIS_BOX_INSIDE:
                /* the first part that holds it, as the exact lookup finds */
                if (!unsure && cx0 == cx1 && cy0 == cy1)
                  return (int) r->zone_cell_items[k];
                unsure = TRUE;
                break;
              case GIS_BOX_UNSURE:
                unsure = TRUE;
                break;
              case GIS_BOX_OUTSIDE:
              default:
                break;
              }
          }
      }
  return unsure ? -2 : -1;
}

/* The country holding every point within @m, -1 for none, -2 unsure. */
static int
country_at_margin (GisCoverageResult *r,
                   double             x,
                   double             y,
                   double             m)
{
  int found = -1;

  for (int c = 0; c < MAX_COUNTRIES; c++)
    {
      const GisExtent *b = &r->countries[c].box;

      if (!r->has_country[c] || x + m < b->min_x || x - m > b->max_x || y + m < b->min_y || y - m > b->max_y)
        continue;
      switch (gis_poly_index_classify (r->countries[c].index, x - m, y - m, x + m, y + m))
        {
        case GIS_BOX_INSIDE:
          if (found == -1)
            found = c;
          else
            return -2;
          break;
        case GIS_BOX_UNSURE:
          return -2;
        case GIS_BOX_OUTSIDE:
        default:
          break;
        }
    }
  return found;
}

/* Is every point within @m of (x, y), of country @c, covered? */
static Sure
covered_margin (GisCoverageResult *r,
                double             px,
                double             py,
                double             m,
                int                c)
{
  const PointGrid *g = &r->res_grid;
  guint cx0, cy0, cx1, cy1;
  Sure result = SURE_NO;

  if (r->res.n == 0 || !point_grid_range (g, px, py, r->max_radius + m, &cx0, &cy0, &cx1, &cy1))
    return SURE_NO;
  for (guint cy = cy0; cy <= cy1; cy++)
    for (guint cx = cx0; cx <= cx1; cx++)
      {
        gsize cell = (gsize) cy * g->nx + cx;

        for (guint k = g->start[cell]; k < g->start[cell + 1]; k++)
          {
            guint i = g->items[k];
            double d, rr = r->res.value[i];

            if (!(r->params.cross_border || c < 0 || r->res.country[i] == c))
              continue;
            d = hypot (r->res.x[i] - px, r->res.y[i] - py);
            if (d + m <= rr)
              return SURE_YES;
            if (d - m <= rr)
              result = UNSURE;
          }
      }
  return result;
}


/* The lon/lat window of the zone, for the R*Tree; NULL without a zone. */
static const GisExtent *
zone_window (GisCoverageResult *r,
             GisExtent         *window)
{
  if (r->zone == NULL)
    return NULL;
  if (!gis_transform_bounds (r->from_analysis, &r->zone_box, window))
    return NULL;
  /* a margin for the densified edges */
  window->min_x -= 0.01;
  window->min_y -= 0.01;
  window->max_x += 0.01;
  window->max_y += 0.01;
  return window;
}

static gboolean
count_points (GisCoverageResult *r,
              GisStore          *store,
              const char        *layer_name,
              gboolean           demand,
              GPtrArray         *inputs,
              GCancellable      *cancellable,
              GError           **error)
{
  g_autoptr(GisLayer) layer = get_layer (store, layer_name, TRUE, demand ? _("demand") : _("facilities"), error);
  GisExtent window_box;
  const GisExtent *window;
  Points p = { 0 };
  GArray *left_x = NULL, *left_y = NULL, *left_w = NULL, *left_c = NULL, *left_fid = NULL;
  g_autoptr(sqlite3_stmt) exact = NULL;
  g_autofree char *exact_sql = NULL;
  g_autofree char *qt = NULL;
  guint n_exact = 0;

  if (layer == NULL)
    return FALSE;
  if (demand && r->weight_field != NULL && !check_field (store, layer, r->weight_field, TRUE, error))
    return FALSE;
  window = zone_window (r, &window_box);
  if (!(demand && r->weight_field != NULL))
    {
      /* counts only: the spatial index's boxes decide most points */
      if (!read_index_boxes (store, layer, window, r->to_analysis, &p, cancellable, error))
        return FALSE;
      exact = gis_sql_prepare (gis_store_get_db (store), exact_sql = g_strdup_printf (
                                 "SELECT geom FROM %s WHERE fid = ?1", qt = gis_sql_quote_ident (
                                   gis_layer_get_table_name (layer))), error);
      if (exact == NULL)
        {
          points_clear (&p);
          return FALSE;
        }
    }
  else if (!read_points (store, layer, r->weight_field, NULL, window, r->to_analysis, &p, cancellable, error))
    return FALSE;
  g_debug ("coverage: %u points of %s read", p.n, layer_name);
  if (demand)
    {
      left_x = g_array_new (FALSE, FALSE, sizeof (double));
      left_y = g_array_new (FALSE, FALSE, sizeof (double));
      left_w = g_array_new (FALSE, FALSE, sizeof (double));
      left_c = g_array_new (FALSE, FALSE, sizeof (gint8));
      left_fid = g_array_new (FALSE, FALSE, sizeof (gint64));
    }
  for (guint i = 0; i < p.n; i++)
    {
      int part = -1, c;
      GisCoverageCountry *bucket;
      gboolean covered;
      double w = 1.0;

      if (p.value != NULL && exact != NULL && p.value[i] > 0)
        {
          /* from the index: decide on the box, or read the point */
          double m = p.value[i];
          Sure sure = UNSURE;

          part = r->zone != NULL ? zone_lookup_margin (r, p.x[i], p.y[i], m) : -1;
          if (part == -1 && r->zone != NULL)
            continue;
          if (part >= 0 || r->zone == NULL)
            {
              c = part >= 0 ? ((ZonePart *) g_ptr_array_index (r->zone, part))->country : -1;
              if (c < 0)
                c = country_at_margin (r, p.x[i], p.y[i], m);
              if (c != -2)
                sure = covered_margin (r, p.x[i], p.y[i], m, c);
            }
          /* uncovered facilities need their distance: read them too */
          if (sure == UNSURE || (sure == SURE_NO && !demand))
            {
              if (!exact_point (exact, p.fid[i], r->to_analysis, &p.x[i], &p.y[i]))
                continue;  /* no geometry after all */
              p.value[i] = 0;
              n_exact++;
            }
          else
            {
              bucket = &r->by_country[c >= 0 ? c : OUTSIDE];
              covered = sure == SURE_YES;
              goto classified;
            }
        }
      if (r->zone != NULL)
        {
          part = zone_lookup (r, p.x[i], p.y[i]);
          if (part < 0)
            continue;
        }
      c = part >= 0 ? ((ZonePart *) g_ptr_array_index (r->zone, part))->country : -1;
      if (c < 0)
        c = country_at (r, p.x[i], p.y[i]);
      bucket = &r->by_country[c >= 0 ? c : OUTSIDE];
      covered = point_covered (r, p.x[i], p.y[i], c);
    classified:
      if (demand)
        {
          if (p.value != NULL && exact == NULL)
            w = isfinite (p.value[i]) && p.value[i] > 0 ? p.value[i] : 0.0;
          bucket->n_demand++;
          bucket->demand += w;
          if (!covered)
            {
              gint8 c8 = (gint8) c;

              bucket->n_demand_uncovered++;
              bucket->demand_uncovered += w;
              g_array_append_val (r->uncovered_demand, p.fid[i]);
              g_array_append_val (left_x, p.x[i]);
              g_array_append_val (left_y, p.y[i]);
              g_array_append_val (left_w, w);
              g_array_append_val (left_c, c8);
              g_array_append_val (left_fid, p.fid[i]);
              /* a point decided on its box is near its true place: siting reads it */
              if (exact != NULL && p.value[i] > 0)
                r->demand_approx = TRUE;
            }
        }
      else
        {
          bucket->n_facilities++;
          if (!covered)
            {
              GisCoverageFacility f = { p.fid[i], nearest_resource (r, p.x[i], p.y[i]) / 1000.0, c };

              bucket->n_facilities_uncovered++;
              g_array_append_val (r->uncovered_facilities, f);
            }
        }
      if ((i & 0xffff) == 0 && g_cancellable_set_error_if_cancelled (cancellable, error))
        {
          points_clear (&p);
          if (demand)
            {
              g_array_unref (left_x);
              g_array_unref (left_y);
              g_array_unref (left_w);
              g_array_unref (left_c);
              g_array_unref (left_fid);
            }
          return FALSE;
        }
    }
  if (exact != NULL)
    g_debug ("coverage: %u of %u points of %s read exactly", n_exact, p.n, layer_name);
  points_clear (&p);
  if (demand)
    {
      r->demand_left.n = left_x->len;
      r->demand_left.x = (double *) g_array_free (left_x, FALSE);
      r->demand_left.y = (double *) g_array_free (left_y, FALSE);
      r->demand_left.value = (double *) g_array_free (left_w, FALSE);
      r->demand_left.country = (gint8 *) g_array_free (left_c, FALSE);
      r->demand_left.fid = (gint64 *) g_array_free (left_fid, FALSE);
    }
  g_ptr_array_add (inputs, g_steal_pointer (&layer));
  return TRUE;
}

static int
compare_facility (gconstpointer a,
                  gconstpointer b)
{
  const GisCoverageFacility *x = a, *y = b;

  return x->fid < y->fid ? -1 : x->fid > y->fid;
}

static int
compare_fid (gconstpointer a,
             gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

/* ---- entry point ---------------------------------------------------------------- */

static char *
dup_or_null (const char *s)
{
  return s != NULL && *s != '\0' ? g_strdup (s) : NULL;
}

/**
 * gis_coverage_run:
 * @store: a store, used on this thread only
 * @params: what covers what
 * @progress: (nullable): called now and then
 * @progress_data: its data
 * @cancellable: (nullable): stops the work
 * @error: return location for an error
 *
 * Computes the coverage of the zone, the facilities and the demand by the
 * resources (see the file's comment for the rules).  Reads only.
 *
 * Returns: (transfer full) (nullable): the result
 */
GisCoverageResult *
gis_coverage_run (GisStore                 *store,
                  const GisCoverageParams  *params,
                  GisProgressFunc           progress,
                  gpointer                  progress_data,
                  GCancellable             *cancellable,
                  GError                  **error)
{
  g_autoptr(GisCoverageResult) r = g_new0 (GisCoverageResult, 1);
  g_autoptr(GisCrs) storage = gis_crs_new_storage ();
  g_autoptr(GisCrs) analysis = gis_crs_new_analysis ();
  GPtrArray *inputs;
  gint64 t0;

  g_return_val_if_fail (GIS_IS_STORE (store), NULL);
  g_return_val_if_fail (params != NULL, NULL);

  inputs = r->inputs = g_ptr_array_new_with_free_func (g_object_unref);

  r->params = *params;
  r->resources = g_strdupv ((char **) params->resources);
  r->params.resources = (const char *const *) r->resources;
  r->params.radius_field = r->radius_field = dup_or_null (params->radius_field);
  r->params.zone_layer = r->zone_layer = dup_or_null (params->zone_layer);
  r->params.boundary_layer = r->boundary_layer = dup_or_null (params->boundary_layer);
  r->params.corridor_side = r->corridor_side = dup_or_null (params->corridor_side);
  r->params.corridor_pair = r->corridor_pair = dup_or_null (params->corridor_pair);
  r->countries_layer = dup_or_null (params->countries_layer);
  r->params.facilities_layer = r->facilities_layer = dup_or_null (params->facilities_layer);
  r->params.demand_layer = r->demand_layer = dup_or_null (params->demand_layer);
  r->params.weight_field = r->weight_field = dup_or_null (params->weight_field);
  r->started = gis_sql_now_iso8601 ();
  r->areas = g_array_new (FALSE, TRUE, sizeof (GisCoverageArea));
  g_array_set_clear_func (r->areas, area_clear);
  r->uncovered_facilities = g_array_new (FALSE, FALSE, sizeof (GisCoverageFacility));
  r->uncovered_demand = g_array_new (FALSE, FALSE, sizeof (gint64));
  gis_extent_init_empty (&r->zone_box);
  for (int c = 0; c < MAX_COUNTRIES; c++)
    r->by_country[c].country = g_strdup (country_codes[c]);
  r->by_country[OUTSIDE].country = g_strdup ("");
  r->total.country = g_strdup ("");

  if (params->radius_field == NULL && !(params->radius_km > 0))
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT, _("The radius must be more than 0 km"));
      return NULL;
    }
  if (params->radius_km > MAX_RADIUS_KM)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT, _("The radius must be at most %g km"), MAX_RADIUS_KM);
      return NULL;
    }
  if (params->quadrant_segments < 0 || params->quadrant_segments > 1000)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT, _("The segments per quarter circle must be 1 to 1000"));
      return NULL;
    }
  if (params->zone == GIS_COVERAGE_ZONE_NONE && r->facilities_layer == NULL && r->demand_layer == NULL)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT,
                   _("Nothing to cover: give a zone, facilities or demand"));
      return NULL;
    }
  if (params->zone == GIS_COVERAGE_ZONE_LAYER && r->zone_layer == NULL)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT, _("Name the layer of areas to cover"));
      return NULL;
    }

  r->to_analysis = gis_transform_new (storage, analysis, error);
  if (r->to_analysis == NULL)
    return NULL;
  r->from_analysis = gis_transform_new (analysis, storage, error);
  if (r->from_analysis == NULL)
    return NULL;

  t0 = g_get_monotonic_time ();
  if (progress != NULL)
    progress (0.02, _("Reading the countries"), progress_data);
  if (!load_countries (r, store, cancellable, error))
    return NULL;
  r->params.countries_layer = r->countries_layer;
  if (progress != NULL)
    progress (0.08, _("Reading the resources"), progress_data);
      g_debug ("coverage: reading the resources at %.3f s", (g_get_monotonic_time () - t0) / 1e6);
  if (!load_resources (r, store, inputs, cancellable, error))
    return NULL;

  if (params->zone != GIS_COVERAGE_ZONE_NONE)
    {
      r->zone = g_ptr_array_new_with_free_func ((GDestroyNotify) zone_part_free);
      if (progress != NULL)
        progress (0.12, _("Building the zone"), progress_data);
      g_debug ("coverage: building the zone at %.3f s", (g_get_monotonic_time () - t0) / 1e6);
      if (params->zone == GIS_COVERAGE_ZONE_LAYER)
        {
          if (!load_zone_layer (r, store, inputs, cancellable, error))
            return NULL;
          if (r->zone->len == 0)
            {
              g_set_error (error, GIS_ERROR, GIS_ERROR_NOT_FOUND, _("“%s” has no areas"), r->zone_layer);
              return NULL;
            }
          r->work_box = r->zone_box;
          if (!clip_countries (r, error))
            return NULL;
        }
      else if (!load_corridor (r, store, inputs, cancellable, error))
        return NULL;
      zone_index (r);
      if (progress != NULL)
        progress (0.25, _("Measuring the uncovered areas"), progress_data);
      g_debug ("coverage: measuring the uncovered areas at %.3f s", (g_get_monotonic_time () - t0) / 1e6);
      if (!compute_areas (r, cancellable, error))
        return NULL;
    }
  if (r->facilities_layer != NULL)
    {
      if (progress != NULL)
        progress (0.55, _("Testing the facilities"), progress_data);
      g_debug ("coverage: testing the facilities at %.3f s", (g_get_monotonic_time () - t0) / 1e6);
      if (!count_points (r, store, r->facilities_layer, FALSE, inputs, cancellable, error))
        return NULL;
    }
  if (r->demand_layer != NULL)
    {
      if (progress != NULL)
        progress (0.65, _("Testing the demand"), progress_data);
      g_debug ("coverage: testing the demand at %.3f s", (g_get_monotonic_time () - t0) / 1e6);
      if (!count_points (r, store, r->demand_layer, TRUE, inputs, cancellable, error))
        return NULL;
    }
  g_debug ("coverage: done at %.3f s", (g_get_monotonic_time () - t0) / 1e6);
  g_array_sort (r->uncovered_facilities, compare_facility);
  g_array_sort (r->uncovered_demand, compare_fid);

  for (int c = 0; c <= MAX_COUNTRIES; c++)
    {
      GisCoverageCountry *b = &r->by_country[c];

      r->total.n_facilities += b->n_facilities;
      r->total.n_facilities_uncovered += b->n_facilities_uncovered;
      r->total.n_demand += b->n_demand;
      r->total.n_demand_uncovered += b->n_demand_uncovered;
      r->total.demand += b->demand;
      r->total.demand_uncovered += b->demand_uncovered;
    }
  if (progress != NULL)
    progress (1.0, NULL, progress_data);
  return g_steal_pointer (&r);
}

double
gis_coverage_result_get_zone_km2 (GisCoverageResult *result)
{
  return result->total.zone_km2;
}

double
gis_coverage_result_get_uncovered_km2 (GisCoverageResult *result)
{
  return result->total.uncovered_km2;
}

guint
gis_coverage_result_get_n_resources (GisCoverageResult *result)
{
  return result->res.n;
}

/* The countries (then "outside every country") with any zone, facility or
 * demand in them. */
static gboolean
country_shown (GisCoverageResult *r,
               int                c)
{
  const GisCoverageCountry *b = &r->by_country[c];

  return b->zone_km2 > 1e-9 || b->n_facilities > 0 || b->n_demand > 0;
}

guint
gis_coverage_result_get_n_countries (GisCoverageResult *result)
{
  guint n = 0;

  for (int c = 0; c <= MAX_COUNTRIES; c++)
    n += country_shown (result, c);
  return n;
}

const GisCoverageCountry *
gis_coverage_result_get_country (GisCoverageResult *result,
                                 guint              i)
{
  for (int c = 0; c <= MAX_COUNTRIES; c++)
    if (country_shown (result, c) && i-- == 0)
      return &result->by_country[c];
  g_return_val_if_reached (NULL);
}

const GisCoverageCountry *
gis_coverage_result_get_total (GisCoverageResult *result)
{
  return &result->total;
}

guint
gis_coverage_result_get_n_areas (GisCoverageResult *result)
{
  return result->areas->len;
}

const GisCoverageArea *
gis_coverage_result_get_area (GisCoverageResult *result,
                              guint              i)
{
  g_return_val_if_fail (i < result->areas->len, NULL);
  return &g_array_index (result->areas, GisCoverageArea, i);
}

guint
gis_coverage_result_get_n_uncovered_facilities (GisCoverageResult *result)
{
  return result->uncovered_facilities->len;
}

const GisCoverageFacility *
gis_coverage_result_get_uncovered_facility (GisCoverageResult *result,
                                            guint              i)
{
  g_return_val_if_fail (i < result->uncovered_facilities->len, NULL);
  return &g_array_index (result->uncovered_facilities, GisCoverageFacility, i);
}

/**
 * gis_coverage_result_get_uncovered_demand:
 *
 * Returns: (transfer none) (element-type gint64): the fids of the demand
 *   outside coverage, ascending
 */
GArray *
gis_coverage_result_get_uncovered_demand (GisCoverageResult *result)
{
  return result->uncovered_demand;
}

static const char *
code_of (int c)
{
  return c >= 0 && c < MAX_COUNTRIES ? country_codes[c] : "";
}

static void
add_country_json (JsonBuilder              *b,
                  const GisCoverageCountry *c,
                  gboolean                  zone,
                  gboolean                  facilities,
                  gboolean                  demand)
{
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "country");
  json_builder_add_string_value (b, c->country);
  if (zone)
    {
      json_builder_set_member_name (b, "zone_km2");
      json_builder_add_double_value (b, c->zone_km2);
      json_builder_set_member_name (b, "uncovered_km2");
      json_builder_add_double_value (b, c->uncovered_km2);
      json_builder_set_member_name (b, "covered_share");
      json_builder_add_double_value (b, c->zone_km2 > 0 ? 1.0 - c->uncovered_km2 / c->zone_km2 : 0.0);
    }
  if (facilities)
    {
      json_builder_set_member_name (b, "facilities");
      json_builder_add_int_value (b, c->n_facilities);
      json_builder_set_member_name (b, "facilities_uncovered");
      json_builder_add_int_value (b, c->n_facilities_uncovered);
    }
  if (demand)
    {
      json_builder_set_member_name (b, "demand_count");
      json_builder_add_int_value (b, c->n_demand);
      json_builder_set_member_name (b, "demand_uncovered_count");
      json_builder_add_int_value (b, c->n_demand_uncovered);
      json_builder_set_member_name (b, "demand");
      json_builder_add_double_value (b, c->demand);
      json_builder_set_member_name (b, "demand_uncovered");
      json_builder_add_double_value (b, c->demand_uncovered);
    }
  json_builder_end_object (b);
}

static void
add_params_json (JsonBuilder       *b,
                 GisCoverageResult *r)
{
  const GisCoverageParams *p = &r->params;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "resources");
  json_builder_begin_array (b);
  for (guint i = 0; r->resources[i] != NULL; i++)
    json_builder_add_string_value (b, r->resources[i]);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "radius_km");
  json_builder_add_double_value (b, p->radius_km);
#define OPT_STRING(key, value) \
  if ((value) != NULL) { json_builder_set_member_name (b, key); json_builder_add_string_value (b, value); }
  OPT_STRING ("radius_field", p->radius_field);
  json_builder_set_member_name (b, "zone");
  json_builder_add_string_value (b, p->zone == GIS_COVERAGE_ZONE_LAYER ? "layer"
                                    : p->zone == GIS_COVERAGE_ZONE_CORRIDOR ? "corridor" : "none");
  OPT_STRING ("zone_layer", p->zone_layer);
  if (p->zone == GIS_COVERAGE_ZONE_CORRIDOR)
    {
      OPT_STRING ("boundary_layer", p->boundary_layer);
      json_builder_set_member_name (b, "corridor_km");
      json_builder_add_double_value (b, p->corridor_km);
      OPT_STRING ("corridor_side", p->corridor_side);
      OPT_STRING ("corridor_pair", p->corridor_pair);
    }
  OPT_STRING ("countries_layer", p->countries_layer);
  OPT_STRING ("facilities_layer", p->facilities_layer);
  OPT_STRING ("demand_layer", p->demand_layer);
  OPT_STRING ("weight_field", p->weight_field);
#undef OPT_STRING
  json_builder_set_member_name (b, "cross_border");
  json_builder_add_boolean_value (b, p->cross_border);
  json_builder_set_member_name (b, "quadrant_segments");
  json_builder_add_int_value (b, p->quadrant_segments > 0 ? p->quadrant_segments : GIS_COVERAGE_QUADRANT_SEGMENTS);
  json_builder_set_member_name (b, "crs");
  json_builder_add_string_value (b, "CEC North American Atlas LAEA (analysis CRS)");
  json_builder_end_object (b);
}

static char *
builder_to_string (JsonBuilder *b)
{
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = json_builder_get_root (b);

  json_generator_set_root (gen, root);
  json_generator_set_pretty (gen, TRUE);
  return json_generator_to_data (gen, NULL);
}

static void
add_summary_json (JsonBuilder       *b,
                  GisCoverageResult *r)
{
  gboolean zone = r->zone != NULL, fac = r->facilities_layer != NULL, dem = r->demand_layer != NULL;

  json_builder_set_member_name (b, "params");
  add_params_json (b, r);
  json_builder_set_member_name (b, "resources");
  json_builder_add_int_value (b, r->res.n);
  json_builder_set_member_name (b, "total");
  add_country_json (b, &r->total, zone, fac, dem);
  json_builder_set_member_name (b, "countries");
  json_builder_begin_array (b);
  for (guint i = 0; i < gis_coverage_result_get_n_countries (r); i++)
    add_country_json (b, gis_coverage_result_get_country (r, i), zone, fac, dem);
  json_builder_end_array (b);
  if (fac)
    {
      json_builder_set_member_name (b, "uncovered_facilities");
      json_builder_begin_array (b);
      for (guint i = 0; i < r->uncovered_facilities->len; i++)
        {
          const GisCoverageFacility *f = &g_array_index (r->uncovered_facilities, GisCoverageFacility, i);

          json_builder_begin_object (b);
          json_builder_set_member_name (b, "fid");
          json_builder_add_int_value (b, f->fid);
          json_builder_set_member_name (b, "nearest_km");
          json_builder_add_double_value (b, f->nearest_km);
          json_builder_set_member_name (b, "country");
          json_builder_add_string_value (b, code_of (f->country));
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
    }
}

/**
 * gis_coverage_result_to_json:
 *
 * Returns: (transfer full): the parameters, the totals, the figures by
 *   country and the uncovered facilities, as JSON
 */
char *
gis_coverage_result_to_json (GisCoverageResult *result)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  add_summary_json (b, result);
  json_builder_end_object (b);
  return builder_to_string (b);
}

/* Transforms belong to the thread that made them (PROJ contexts are per
 * thread): siting and saving may run on another thread than the coverage. */
static gboolean
own_transforms (GisCoverageResult  *r,
                GError            **error)
{
  g_autoptr(GisCrs) storage = gis_crs_new_storage ();
  g_autoptr(GisCrs) analysis = gis_crs_new_analysis ();
  GisTransform *to = gis_transform_new (storage, analysis, error);
  GisTransform *from;

  if (to == NULL)
    return FALSE;
  from = gis_transform_new (analysis, storage, error);
  if (from == NULL)
    {
      gis_transform_free (to);
      return FALSE;
    }
  g_clear_pointer (&r->to_analysis, gis_transform_free);
  g_clear_pointer (&r->from_analysis, gis_transform_free);
  r->to_analysis = to;
  r->from_analysis = from;
  return TRUE;
}

typedef struct
{
  gint64 fid;
  guint  index;
} FidIndex;

static int
compare_fid_index (gconstpointer a,
                   gconstpointer b)
{
  const FidIndex *x = a, *y = b;

  return x->fid < y->fid ? -1 : x->fid > y->fid;
}

/* The exact places of many points: one pass over the table in fid order,
 * merged with the points sorted by fid. */
static gboolean
refine_by_scan (GisStore      *store,
                const char    *quoted_table,
                Points        *d,
                GisTransform  *to_analysis,
                GCancellable  *cancellable,
                GError       **error)
{
  g_autofree FidIndex *order = g_new (FidIndex, d->n);
  g_autofree char *sql = g_strdup_printf ("SELECT fid, geom FROM %s ORDER BY fid", quoted_table);
  g_autoptr(sqlite3_stmt) stmt = gis_sql_prepare (gis_store_get_db (store), sql, error);
  g_autofree double *x = g_new0 (double, d->n);
  g_autofree double *y = g_new0 (double, d->n);
  g_autofree gboolean *found = g_new0 (gboolean, d->n);
  guint k = 0, rows = 0;
  int rc;

  if (stmt == NULL)
    return FALSE;
  for (guint i = 0; i < d->n; i++)
    order[i] = (FidIndex) { d->fid[i], i };
  qsort (order, d->n, sizeof *order, compare_fid_index);
  while (k < d->n && (rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 fid = sqlite3_column_int64 (stmt, 0);

      while (k < d->n && order[k].fid < fid)
        k++;
      if (k < d->n && order[k].fid == fid)
        {
          const guint8 *blob = sqlite3_column_blob (stmt, 1);
          guint i = order[k].index;

          found[i] = blob != NULL && gis_blob_get_point (blob, sqlite3_column_bytes (stmt, 1), &x[i], &y[i]);
          k++;
        }
      if ((++rows & 0xffff) == 0 && g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
    }
  /* projected together, then kept where found */
  if (!gis_transform_array (to_analysis, x, y, d->n))
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_CRS, _("The points cannot be projected"));
      return FALSE;
    }
  for (guint i = 0; i < d->n; i++)
    if (found[i])
      {
        d->x[i] = x[i];
        d->y[i] = y[i];
      }
  return TRUE;
}

/* ---- siting --------------------------------------------------------------------- */

struct _GisSitingResult
{
  GArray    *sites;            /* GisSite */
  guint      n_candidates;
  double     uncovered_before;
  double     greedy_value;
  double     upper_bound;
  gboolean   has_exact;
  double     exact_value;
  GisSitingParams params;
  char      *candidates_layer;
  double     radius_m;
  guint64    exact_nodes;
};

void
gis_siting_result_free (GisSitingResult *result)
{
  if (result == NULL)
    return;
  g_clear_pointer (&result->sites, g_array_unref);
  g_free (result->candidates_layer);
  g_free (result);
}

/**
 * gis_coverage_site:
 * @store: the store @coverage was computed on
 * @coverage: a coverage with demand
 * @siting: where new sites may go, and how many
 * @progress: (nullable): called now and then
 * @progress_data: its data
 * @cancellable: (nullable): stops the work
 * @error: return location for an error
 *
 * Chooses the @siting->k candidate sites that cover the most of the demand
 * the existing resources leave uncovered (the existing resources are kept):
 * the maximal covering location problem, solved greedily with lazy
 * evaluation, and exactly by branch and bound when @siting->exact_max_nodes
 * allows.  Candidates are the points of a layer, or the centres of a
 * regular grid that fall in the zone (without a zone: grid cells that hold
 * uncovered demand).  Without cross-border coverage a site covers only
 * demand of its own country.
 *
 * Returns: (transfer full) (nullable): the chosen sites
 */
GisSitingResult *
gis_coverage_site (GisStore               *store,
                   GisCoverageResult      *coverage,
                   const GisSitingParams  *siting,
                   GisProgressFunc         progress,
                   gpointer                progress_data,
                   GCancellable           *cancellable,
                   GError                **error)
{
  GisCoverageResult *r = coverage;
  g_autoptr(GisSitingResult) s = g_new0 (GisSitingResult, 1);
  g_auto(GisMclpSolution) greedy = { 0 };
  g_auto(GisMclpSolution) exact = { 0 };
  Points cand = { 0 };
  PointGrid dg = { 0 };
  guint *start = NULL, *items = NULL, *keep = NULL;
  guint n_keep = 0;
  double radius_m;
  Points *d = &r->demand_left;
  GisMclpProblem problem;
  gboolean ok = FALSE;

  g_return_val_if_fail (coverage != NULL && siting != NULL, NULL);

  if (!own_transforms (r, error))
    return NULL;
  s->params = *siting;
  s->candidates_layer = dup_or_null (siting->candidates_layer);
  s->params.candidates_layer = s->candidates_layer;
  s->sites = g_array_new (FALSE, FALSE, sizeof (GisSite));
  radius_m = (siting->radius_km > 0 ? siting->radius_km : r->params.radius_km) * 1000.0;
  s->radius_m = radius_m;
  if (r->demand_layer == NULL)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT, _("Siting needs demand: name the incidents layer"));
      return NULL;
    }
  if (siting->k == 0 || siting->k > 10000)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT, _("The number of new sites must be 1 to 10000"));
      return NULL;
    }
  if (!(radius_m > 0) || radius_m > MAX_RADIUS_KM * 1000.0)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT,
                   _("Give the new sites' radius (more than 0 and at most %g km)"), MAX_RADIUS_KM);
      return NULL;
    }

  /* the candidates */
  if (progress != NULL)
    progress (0.05, _("Placing the candidate sites"), progress_data);
  if (s->candidates_layer != NULL)
    {
      g_autoptr(GisLayer) layer = get_layer (store, s->candidates_layer, TRUE, _("candidates"), error);

      if (layer == NULL ||
          !read_points (store, layer, NULL, has_field (store, layer, "country") ? "country" : NULL, NULL,
                        r->to_analysis, &cand, cancellable, error))
        goto out;
      for (guint i = 0; i < cand.n; i++)
        if (cand.country[i] < 0)
          cand.country[i] = (gint8) country_at (r, cand.x[i], cand.y[i]);
    }
  else
    {
      double g = siting->grid_km * 1000.0;
      GisExtent box;
      GArray *cx = g_array_new (FALSE, FALSE, sizeof (double));
      GArray *cy = g_array_new (FALSE, FALSE, sizeof (double));
      GArray *cc = g_array_new (FALSE, FALSE, sizeof (gint8));
      PointGrid occupied = { 0 };

      if (!(g >= 100.0))
        {
          g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT, _("The candidates' grid spacing must be at least 0.1 km"));
          g_array_unref (cx);
          g_array_unref (cy);
          g_array_unref (cc);
          goto out;
        }
      if (r->zone != NULL)
        box = r->zone_box;
      else
        {
          gis_extent_init_empty (&box);
          for (guint i = 0; i < d->n; i++)
            gis_extent_add_point (&box, d->x[i], d->y[i]);
          point_grid_build (&occupied, d->x, d->y, d->n, g);
        }
      if (!gis_extent_is_empty (&box) &&
          ((box.max_x - box.min_x) / g + 1) * ((box.max_y - box.min_y) / g + 1) > 2.0e7)
        {
          g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT,
                       _("A grid of %g km over the zone has too many cells: choose a larger spacing"),
                       siting->grid_km);
          point_grid_clear (&occupied);
          g_array_unref (cx);
          g_array_unref (cy);
          g_array_unref (cc);
          goto out;
        }
      if (!gis_extent_is_empty (&box))
        for (double y = box.min_y + g / 2; y < box.max_y; y += g)
          for (double x = box.min_x + g / 2; x < box.max_x; x += g)
            {
              int part = -1, c;
              gint8 c8;

              if (r->zone != NULL)
                {
                  if ((part = zone_lookup (r, x, y)) < 0)
                    continue;
                }
              else
                {
                  guint a, b, e, f;
                  gboolean any = FALSE;

                  /* a cell of the grid with some uncovered demand */
                  if (point_grid_range (&occupied, x, y, 0, &a, &b, &e, &f))
                    {
                      gsize cell = (gsize) b * occupied.nx + a;

                      any = occupied.start[cell + 1] > occupied.start[cell];
                    }
                  if (!any)
                    continue;
                }
              c = part >= 0 ? ((ZonePart *) g_ptr_array_index (r->zone, part))->country : -1;
              if (c < 0)
                c = country_at (r, x, y);
              c8 = (gint8) c;
              g_array_append_val (cx, x);
              g_array_append_val (cy, y);
              g_array_append_val (cc, c8);
            }
      point_grid_clear (&occupied);
      cand.n = cx->len;
      cand.x = (double *) g_array_free (cx, FALSE);
      cand.y = (double *) g_array_free (cy, FALSE);
      cand.country = (gint8 *) g_array_free (cc, FALSE);
      cand.fid = g_new (gint64, MAX (cand.n, 1));
      for (guint i = 0; i < cand.n; i++)
        cand.fid[i] = -1;
    }
  /* demand placed from the index's boxes: its exact places */
  if (r->demand_approx && d->n > 0)
    {
      g_autoptr(GisLayer) dl = gis_store_get_layer (store, r->demand_layer, error);
      g_autofree char *qt = NULL;
      g_autofree char *sql = NULL;
      g_autoptr(sqlite3_stmt) stmt = NULL;

      if (dl == NULL)
        goto out;
      qt = gis_sql_quote_ident (gis_layer_get_table_name (dl));
      if (d->n < 20000)
        {
          /* a few: one look-up each */
          sql = g_strdup_printf ("SELECT geom FROM %s WHERE fid = ?1", qt);
          stmt = gis_sql_prepare (gis_store_get_db (store), sql, error);
          if (stmt == NULL)
            goto out;
          for (guint i = 0; i < d->n; i++)
            {
              double x, y;

              if (exact_point (stmt, d->fid[i], r->to_analysis, &x, &y))
                {
                  d->x[i] = x;
                  d->y[i] = y;
                }
              if ((i & 0xffff) == 0 && g_cancellable_set_error_if_cancelled (cancellable, error))
                goto out;
            }
        }
      else if (!refine_by_scan (store, qt, d, r->to_analysis, cancellable, error))
        goto out;
      r->demand_approx = FALSE;
    }
  s->n_candidates = cand.n;
  if (cand.n == 0)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_NOT_FOUND, _("There is no candidate site"));
      goto out;
    }

  /* what each candidate would cover: two passes, count then fill */
  if (progress != NULL)
    progress (0.2, _("Finding what each site would cover"), progress_data);
  point_grid_build (&dg, d->x, d->y, d->n, radius_m);
  start = g_new0 (guint, cand.n + 1);
  for (int pass = 0; pass < 2; pass++)
    {
      guint64 total = 0;

      for (guint j = 0; j < cand.n; j++)
        {
          guint cx0, cy0, cx1, cy1, count = 0;
          guint pos = pass == 1 ? start[j] : 0;

          if (d->n > 0 && point_grid_range (&dg, cand.x[j], cand.y[j], radius_m, &cx0, &cy0, &cx1, &cy1))
            for (guint cy = cy0; cy <= cy1; cy++)
              for (guint cx = cx0; cx <= cx1; cx++)
                {
                  gsize cell = (gsize) cy * dg.nx + cx;

                  for (guint k = dg.start[cell]; k < dg.start[cell + 1]; k++)
                    {
                      guint i = dg.items[k];
                      double dx = d->x[i] - cand.x[j], dy = d->y[i] - cand.y[j];

                      if (dx * dx + dy * dy > radius_m * radius_m)
                        continue;
                      if (!r->params.cross_border && d->country[i] >= 0 && cand.country[j] >= 0 &&
                          d->country[i] != cand.country[j])
                        continue;
                      if (pass == 0)
                        count++;
                      else
                        items[pos++] = i;
                    }
                }
          if (pass == 0)
            {
              start[j + 1] = count;
              total += count;
              if (total > G_MAXUINT32 - 1)
                {
                  g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT,
                               _("The candidates would cover over 4 billion demand points in all: use fewer "
                                 "candidates or a smaller radius"));
                  goto out;
                }
            }
          if ((j & 0xff) == 0 && g_cancellable_set_error_if_cancelled (cancellable, error))
            goto out;
        }
      if (pass == 0)
        {
          for (guint j = 0; j < cand.n; j++)
            start[j + 1] += start[j];
          items = g_new (guint, MAX (start[cand.n], 1));
        }
    }

  /* the candidates that cover something */
  keep = g_new (guint, cand.n);
  for (guint j = 0; j < cand.n; j++)
    if (start[j + 1] > start[j])
      keep[n_keep++] = j;
  {
    guint *kstart = g_new (guint, n_keep + 1);
    guint *kitems = g_new (guint, MAX (start[cand.n], 1));
    guint pos = 0;

    for (guint k = 0; k < n_keep; k++)
      {
        guint j = keep[k], len = start[j + 1] - start[j];

        kstart[k] = pos;
        memcpy (kitems + pos, items + start[j], sizeof (guint) * len);
        pos += len;
      }
    kstart[n_keep] = pos;
    g_free (start);
    g_free (items);
    start = kstart;
    items = kitems;
  }

  for (guint i = 0; i < d->n; i++)
    s->uncovered_before += d->value[i];
  problem.n_demand = d->n;
  problem.weights = d->value;
  problem.n_candidates = n_keep;
  problem.start = start;
  problem.items = items;
  problem.k = MIN (siting->k, n_keep);
  if (problem.k == 0)
    {
      /* nothing left to cover */
      s->greedy_value = s->upper_bound = 0;
      s->has_exact = TRUE;
      ok = TRUE;
      goto out;
    }
  if (progress != NULL)
    progress (0.6, _("Choosing the sites"), progress_data);
  if (!gis_mclp_greedy (&problem, &greedy, cancellable, error))
    goto out;
  s->greedy_value = greedy.value;
  s->upper_bound = greedy.upper_bound;
  if (siting->exact_max_nodes > 0)
    {
      if (progress != NULL)
        progress (0.8, _("Checking for a better choice"), progress_data);
      if (!gis_mclp_exact (&problem, siting->exact_max_nodes, &exact, cancellable, error))
        goto out;
      s->exact_nodes = exact.nodes;
      if (exact.optimal)
        {
          s->has_exact = TRUE;
          s->exact_value = exact.value;
          s->upper_bound = exact.value;
        }
      else
        s->upper_bound = MIN (s->upper_bound, exact.upper_bound);
    }

  /* the chosen sites, in the order picked, with what each adds */
  {
    g_autofree gboolean *taken = g_new0 (gboolean, MAX (d->n, 1));

    for (guint k = 0; k < greedy.n_chosen; k++)
      {
        guint j = keep[greedy.chosen[k]];
        GisSite site = { cand.x[j], cand.y[j], cand.fid[j], greedy.added[k], 0, cand.country[j], radius_m / 1000.0 };

        for (guint t = start[greedy.chosen[k]]; t < start[greedy.chosen[k] + 1]; t++)
          if (!taken[items[t]])
            {
              taken[items[t]] = TRUE;
              site.added_count++;
            }
        gis_transform_point (r->from_analysis, &site.lon, &site.lat);
        g_array_append_val (s->sites, site);
      }
  }
  if (progress != NULL)
    progress (1.0, NULL, progress_data);
  ok = TRUE;

out:
  points_clear (&cand);
  point_grid_clear (&dg);
  g_free (start);
  g_free (items);
  g_free (keep);
  return ok ? g_steal_pointer (&s) : NULL;
}

guint
gis_siting_result_get_n_sites (GisSitingResult *result)
{
  return result->sites->len;
}

const GisSite *
gis_siting_result_get_site (GisSitingResult *result,
                            guint            i)
{
  g_return_val_if_fail (i < result->sites->len, NULL);
  return &g_array_index (result->sites, GisSite, i);
}

guint
gis_siting_result_get_n_candidates (GisSitingResult *result)
{
  return result->n_candidates;
}

double
gis_siting_result_get_uncovered_before (GisSitingResult *result)
{
  return result->uncovered_before;
}

double
gis_siting_result_get_greedy_value (GisSitingResult *result)
{
  return result->greedy_value;
}

double
gis_siting_result_get_upper_bound (GisSitingResult *result)
{
  return result->upper_bound;
}

/**
 * gis_siting_result_get_exact:
 * @out_value: (out) (optional): the optimal demand covered
 *
 * Returns: whether the exact solver proved an optimum
 */
gboolean
gis_siting_result_get_exact (GisSitingResult *result,
                             double          *out_value)
{
  if (out_value != NULL)
    *out_value = result->exact_value;
  return result->has_exact;
}

const char *
gis_siting_result_get_country_code (GisSitingResult *result,
                                    int              country)
{
  return code_of (country);
}

static void
add_siting_json (JsonBuilder     *b,
                 GisSitingResult *s)
{
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "k");
  json_builder_add_int_value (b, s->params.k);
  json_builder_set_member_name (b, "radius_km");
  json_builder_add_double_value (b, s->radius_m / 1000.0);
  if (s->candidates_layer != NULL)
    {
      json_builder_set_member_name (b, "candidates_layer");
      json_builder_add_string_value (b, s->candidates_layer);
    }
  else
    {
      json_builder_set_member_name (b, "grid_km");
      json_builder_add_double_value (b, s->params.grid_km);
    }
  json_builder_set_member_name (b, "candidates");
  json_builder_add_int_value (b, s->n_candidates);
  json_builder_set_member_name (b, "uncovered_before");
  json_builder_add_double_value (b, s->uncovered_before);
  json_builder_set_member_name (b, "greedy_value");
  json_builder_add_double_value (b, s->greedy_value);
  json_builder_set_member_name (b, "upper_bound");
  json_builder_add_double_value (b, s->upper_bound);
  json_builder_set_member_name (b, "gap");
  json_builder_add_double_value (b, s->upper_bound - s->greedy_value);
  json_builder_set_member_name (b, "exact_value");
  if (s->has_exact)
    json_builder_add_double_value (b, s->exact_value);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "sites");
  json_builder_begin_array (b);
  for (guint i = 0; i < s->sites->len; i++)
    {
      const GisSite *site = &g_array_index (s->sites, GisSite, i);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "rank");
      json_builder_add_int_value (b, i + 1);
      json_builder_set_member_name (b, "lon");
      json_builder_add_double_value (b, site->lon);
      json_builder_set_member_name (b, "lat");
      json_builder_add_double_value (b, site->lat);
      if (site->candidate_fid >= 0)
        {
          json_builder_set_member_name (b, "candidate_fid");
          json_builder_add_int_value (b, site->candidate_fid);
        }
      json_builder_set_member_name (b, "added_demand");
      json_builder_add_double_value (b, site->added_demand);
      json_builder_set_member_name (b, "added_count");
      json_builder_add_int_value (b, site->added_count);
      json_builder_set_member_name (b, "country");
      json_builder_add_string_value (b, code_of (site->country));
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
}

/**
 * gis_siting_result_to_json:
 *
 * Returns: (transfer full): the sites and the solvers' figures, as JSON
 */
char *
gis_siting_result_to_json (GisSitingResult *result)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  add_siting_json (b, result);
  return builder_to_string (b);
}

/* ---- result layers -------------------------------------------------------------- */

typedef struct
{
  GisStore     *store;
  sqlite3      *db;
  char         *params;      /* the method record's parameters */
  char         *started;
  GPtrArray    *inputs;
  GPtrArray    *layers;      /* GisLayer: made so far */
} Saver;

/* A new table with a geometry column and its spatial index. */
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

static void
set_style (GisLayer   *layer,
           const char *fill,
           const char *stroke,
           double      stroke_px,
           double      size_px,
           GisMarkerShape shape)
{
  GisSymbol sym;
  g_autoptr(GisStyle) style = NULL;
  g_autofree char *json = NULL;

  gis_symbol_init (&sym);
  gis_color_parse (fill, &sym.fill);
  gis_color_parse (stroke, &sym.stroke);
  sym.stroke_width_px = stroke_px;
  sym.size_px = size_px;
  sym.shape = shape;
  style = gis_style_new_single (&sym);
  json = gis_style_to_json (style);
  gis_layer_set_style_json (layer, json);
}

static gboolean
finish_layer (Saver       *sv,
              const char  *name,
              const char  *table,
              const char  *geometry_type,
              const char  *fill,
              const char  *stroke,
              double       stroke_px,
              double       size_px,
              GisMarkerShape shape,
              GError     **error)
{
  g_autoptr(GisLayer) layer = gis_store_register_layer (sv->store, name, table, GIS_LAYER_ROLE_RESULT,
                                                        geometry_type, _("coverage analysis"), error);

  if (layer == NULL)
    return FALSE;
  set_style (layer, fill, stroke, stroke_px, size_px, shape);
  if (!gis_store_save_layer_properties (sv->store, layer, error))
    return FALSE;
  if (gis_store_add_run (sv->store, "coverage", sv->params, sv->inputs, sv->started, layer, error) == 0)
    return FALSE;
  g_ptr_array_add (sv->layers, g_steal_pointer (&layer));
  return TRUE;
}

static gboolean
insert_blob (sqlite3_stmt *stmt,
             int           col,
             const guint8 *wkb,
             gsize         len,
             const double  mbr[4])
{
  gsize blob_len = 0;
  guint8 *blob = gis_blob_from_wkb (wkb, len, 4326, mbr, &blob_len);

  if (blob == NULL)
    return FALSE;
  sqlite3_bind_blob (stmt, col, blob, (int) blob_len, g_free);
  return TRUE;
}

/* The WKB's box, for the blob's MBR. */
static gboolean
wkb_mbr (GBytes *wkb,
         double  mbr[4])
{
  GEOSContextHandle_t geos = gis_thread_get_geos ();
  GEOSWKBReader *reader = GEOSWKBReader_create_r (geos);
  gsize len;
  const guint8 *data = g_bytes_get_data (wkb, &len);
  GEOSGeometry *g = GEOSWKBReader_read_r (geos, reader, data, len);
  gboolean ok = g != NULL && GEOSGeom_getExtent_r (geos, g, &mbr[0], &mbr[1], &mbr[2], &mbr[3]);

  GEOSWKBReader_destroy_r (geos, reader);
  if (g != NULL)
    GEOSGeom_destroy_r (geos, g);
  return ok;
}

static gboolean
save_areas (Saver              *sv,
            GisCoverageResult  *r,
            const char         *name,
            GError            **error)
{
  g_autofree char *table = gis_store_make_table_name (sv->store, name);
  g_autofree char *qt = gis_sql_quote_ident (table);
  g_autofree char *sql = g_strdup_printf ("INSERT INTO %s (zone_fid, country, area_km2, geom) VALUES (?1, ?2, ?3, ?4)", qt);
  g_autoptr(sqlite3_stmt) stmt = NULL;

  if (!create_table (sv, table, ", zone_fid INTEGER, country TEXT, area_km2 REAL", "MULTIPOLYGON", error))
    return FALSE;
  stmt = gis_sql_prepare (sv->db, sql, error);
  if (stmt == NULL)
    return FALSE;
  for (guint i = 0; i < r->areas->len; i++)
    {
      const GisCoverageArea *a = &g_array_index (r->areas, GisCoverageArea, i);
      GBytes *multi = a->wkb;
      double mbr[4];
      gsize len;
      const guint8 *data;

      if (multi == NULL || !wkb_mbr (multi, mbr))
        continue;  /* slivers that are lines or points after the overlay */
      data = g_bytes_get_data (multi, &len);
      sqlite3_reset (stmt);
      if (a->zone_fid >= 0)
        sqlite3_bind_int64 (stmt, 1, a->zone_fid);
      else
        sqlite3_bind_null (stmt, 1);
      if (a->country >= 0)
        sqlite3_bind_text (stmt, 2, code_of (a->country), -1, SQLITE_STATIC);
      else
        sqlite3_bind_null (stmt, 2);
      sqlite3_bind_double (stmt, 3, a->area_km2);
      if (!insert_blob (stmt, 4, data, len, mbr) || sqlite3_step (stmt) != SQLITE_DONE)
        {
          gis_sql_set_error (error, sv->db, sqlite3_errcode (sv->db), name);
          return FALSE;
        }
    }
  return finish_layer (sv, name, table, "MULTIPOLYGON", "rgba(215,48,39,0.45)", "#a50f15", 1.0, 0,
                       GIS_MARKER_CIRCLE, error);
}

/* The points of @source whose fids are listed, with all their fields, and
 * a column of numbers when @extra is given. */
static gboolean
save_points (Saver         *sv,
             const char    *source_name,
             const gint64  *fids,
             gsize          stride,      /* bytes between fids */
             guint          n,
             const char    *extra,
             const double  *extra_values,
             gsize          extra_stride,
             const char    *name,
             const char    *fill,
             double         size_px,
             GCancellable  *cancellable,
             GError       **error)
{
  g_autoptr(GisLayer) source = gis_store_get_layer (sv->store, source_name, error);
  g_autoptr(GPtrArray) fields = NULL;
  g_autoptr(GString) cols = g_string_new (", source_fid INTEGER NOT NULL");
  g_autoptr(GString) copy = g_string_new ("source_fid");
  g_autoptr(GString) from = g_string_new ("t.fid");
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *table = NULL;
  g_autofree char *qt = NULL;
  g_autofree char *qs = NULL;
  g_autofree char *extra_col = NULL;
  g_autofree char *sql = NULL;
  const char *tmp = "atalaya_coverage_fids";
  int rc;

  if (source == NULL)
    return FALSE;
  fields = gis_store_get_fields (sv->store, source, error);
  if (fields == NULL)
    return FALSE;
  for (guint i = 0; i < fields->len; i++)
    {
      GisField *f = g_ptr_array_index (fields, i);
      g_autofree char *qc = gis_sql_quote_ident (f->name);

      if (g_ascii_strcasecmp (f->name, "source_fid") == 0)
        continue;
      g_string_append_printf (cols, ", %s %s", qc, gis_field_type_to_sql (f->type));
      g_string_append_printf (copy, ", %s", qc);
      g_string_append_printf (from, ", t.%s", qc);
    }
  if (extra != NULL)
    {
      extra_col = g_strdup (extra);
      for (guint k = 2; gis_sql_column_exists (sv->db, gis_layer_get_table_name (source), extra_col); k++)
        {
          g_free (extra_col);
          extra_col = g_strdup_printf ("%s_%u", extra, k);
        }
      {
        g_autofree char *qc = gis_sql_quote_ident (extra_col);

        g_string_append_printf (cols, ", %s REAL", qc);
        g_string_append_printf (copy, ", %s", qc);
        g_string_append (from, ", r.v");
      }
    }
  g_string_append (copy, ", geom");
  g_string_append (from, ", t.geom");

  table = gis_store_make_table_name (sv->store, name);
  qt = gis_sql_quote_ident (table);
  qs = gis_sql_quote_ident (gis_layer_get_table_name (source));
  if (!create_table (sv, table, cols->str, "POINT", error))
    return FALSE;
  if (!gis_sql_execf (sv->db, error, "CREATE TEMP TABLE %s (fid INTEGER PRIMARY KEY, v REAL)", tmp))
    return FALSE;
  stmt = gis_sql_prepare (sv->db, "INSERT INTO temp.atalaya_coverage_fids VALUES (?1, ?2)", error);
  if (stmt == NULL)
    goto fail;
  for (guint i = 0; i < n; i++)
    {
      sqlite3_reset (stmt);
      sqlite3_bind_int64 (stmt, 1, *(const gint64 *) ((const guint8 *) fids + i * stride));
      if (extra_values != NULL)
        sqlite3_bind_double (stmt, 2, *(const double *) ((const guint8 *) extra_values + i * extra_stride));
      else
        sqlite3_bind_null (stmt, 2);
      if (sqlite3_step (stmt) != SQLITE_DONE)
        {
          gis_sql_set_error (error, sv->db, sqlite3_errcode (sv->db), name);
          goto fail;
        }
      if ((i & 0xffff) == 0 && g_cancellable_set_error_if_cancelled (cancellable, error))
        goto fail;
    }
  g_clear_pointer (&stmt, sqlite3_finalize);
  sql = g_strdup_printf ("INSERT INTO %s (%s) SELECT %s FROM %s AS t JOIN temp.%s AS r ON r.fid = t.fid ORDER BY t.fid",
                         qt, copy->str, from->str, qs, tmp);
  rc = sqlite3_exec (sv->db, sql, NULL, NULL, NULL);
  if (rc != SQLITE_OK)
    {
      gis_sql_set_error (error, sv->db, rc, name);
      goto fail;
    }
  gis_sql_execf (sv->db, NULL, "DROP TABLE IF EXISTS temp.%s", tmp);
  return finish_layer (sv, name, table, "POINT", fill, "#ffffff", 0.8, size_px, GIS_MARKER_CIRCLE, error);

fail:
  g_clear_pointer (&stmt, sqlite3_finalize);
  gis_sql_execf (sv->db, NULL, "DROP TABLE IF EXISTS temp.%s", tmp);
  return FALSE;
}

/* A disc of the analysis CRS, as MULTIPOLYGON WKB in lon/lat. */
static GBytes *
disc_wkb (GisCoverageResult *r,
          double             x,
          double             y,
          double             radius_m,
          int                qs)
{
  GEOSContextHandle_t geos = gis_thread_get_geos ();
  GEOSGeometry *pt = GEOSGeom_createPointFromXY_r (geos, x, y), *disc, *ll = NULL;
  GEOSBufferParams *bp = GEOSBufferParams_create_r (geos);

  GEOSBufferParams_setQuadrantSegments_r (geos, bp, qs);
  disc = GEOSBufferWithParams_r (geos, pt, bp, radius_m);
  GEOSBufferParams_destroy_r (geos, bp);
  GEOSGeom_destroy_r (geos, pt);
  if (disc != NULL)
    {
      ll = GEOSGeom_transformXY_r (geos, disc, project_xy, r->from_analysis);
      GEOSGeom_destroy_r (geos, disc);
    }
  return wkb_of (multipolygon_of (ll));
}

/* The existing resources' service areas, one disc each. */
static gboolean
save_service_areas (Saver             *sv,
                    GisCoverageResult *r,
                    const char        *name,
                    GError           **error)
{
  g_autofree char *table = gis_store_make_table_name (sv->store, name);
  g_autofree char *qt = gis_sql_quote_ident (table);
  g_autofree char *sql = g_strdup_printf ("INSERT INTO %s (resource_layer, source_fid, radius_km, country, geom) "
                                          "VALUES (?1, ?2, ?3, ?4, ?5)", qt);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int qs = r->params.quadrant_segments > 0 ? r->params.quadrant_segments : GIS_COVERAGE_QUADRANT_SEGMENTS;

  if (!create_table (sv, table, ", resource_layer TEXT, source_fid INTEGER, radius_km REAL, country TEXT",
                     "MULTIPOLYGON", error))
    return FALSE;
  stmt = gis_sql_prepare (sv->db, sql, error);
  if (stmt == NULL)
    return FALSE;
  for (guint i = 0; i < r->res.n; i++)
    {
      g_autoptr(GBytes) multi = disc_wkb (r, r->res.x[i], r->res.y[i], r->res.value[i], qs);
      double mbr[4];
      const guint8 *data;
      gsize len;

      if (multi == NULL || !wkb_mbr (multi, mbr))
        continue;
      data = g_bytes_get_data (multi, &len);
      sqlite3_reset (stmt);
      sqlite3_bind_text (stmt, 1, r->resources[r->res_layer[i]], -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 2, r->res.fid[i]);
      sqlite3_bind_double (stmt, 3, r->res.value[i] / 1000.0);
      if (r->res.country[i] >= 0)
        sqlite3_bind_text (stmt, 4, code_of (r->res.country[i]), -1, SQLITE_STATIC);
      else
        sqlite3_bind_null (stmt, 4);
      if (!insert_blob (stmt, 5, data, len, mbr) || sqlite3_step (stmt) != SQLITE_DONE)
        {
          gis_sql_set_error (error, sv->db, sqlite3_errcode (sv->db), name);
          return FALSE;
        }
    }
  return finish_layer (sv, name, table, "MULTIPOLYGON", "rgba(26,152,80,0.10)", "#1a9850", 1.0, 0,
                       GIS_MARKER_CIRCLE, error);
}

static gboolean
save_sites (Saver            *sv,
            GisCoverageResult *r,
            GisSitingResult  *s,
            const char       *name,
            const char       *circles_name,
            GError          **error)
{
  g_autofree char *table = gis_store_make_table_name (sv->store, name);
  g_autofree char *qt = gis_sql_quote_ident (table);
  g_autofree char *ctable = NULL;
  g_autofree char *qc = NULL;
  g_autofree char *sql = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int qs = r->params.quadrant_segments > 0 ? r->params.quadrant_segments : GIS_COVERAGE_QUADRANT_SEGMENTS;

  if (!create_table (sv, table, ", rank INTEGER, added_demand REAL, added_count INTEGER, country TEXT, "
                                "radius_km REAL, candidate_fid INTEGER", "POINT", error))
    return FALSE;
  sql = g_strdup_printf ("INSERT INTO %s (rank, added_demand, added_count, country, radius_km, candidate_fid, geom) "
                         "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)", qt);
  stmt = gis_sql_prepare (sv->db, sql, error);
  if (stmt == NULL)
    return FALSE;
  for (guint i = 0; i < s->sites->len; i++)
    {
      const GisSite *site = &g_array_index (s->sites, GisSite, i);
      guint8 blob[GIS_POINT_BLOB_SIZE];

      sqlite3_reset (stmt);
      sqlite3_bind_int (stmt, 1, (int) i + 1);
      sqlite3_bind_double (stmt, 2, site->added_demand);
      sqlite3_bind_int64 (stmt, 3, site->added_count);
      if (site->country >= 0)
        sqlite3_bind_text (stmt, 4, code_of (site->country), -1, SQLITE_STATIC);
      else
        sqlite3_bind_null (stmt, 4);
      sqlite3_bind_double (stmt, 5, site->radius_km);
      if (site->candidate_fid >= 0)
        sqlite3_bind_int64 (stmt, 6, site->candidate_fid);
      else
        sqlite3_bind_null (stmt, 6);
      gis_blob_write_point (blob, 4326, site->lon, site->lat);
      sqlite3_bind_blob (stmt, 7, blob, sizeof blob, SQLITE_TRANSIENT);
      if (sqlite3_step (stmt) != SQLITE_DONE)
        {
          gis_sql_set_error (error, sv->db, sqlite3_errcode (sv->db), name);
          return FALSE;
        }
    }
  g_clear_pointer (&stmt, sqlite3_finalize);
  if (!finish_layer (sv, name, table, "POINT", "#6a3d9a", "#ffffff", 1.0, 14, GIS_MARKER_STAR, error))
    return FALSE;

  /* their service areas */
  ctable = gis_store_make_table_name (sv->store, circles_name);
  qc = gis_sql_quote_ident (ctable);
  if (!create_table (sv, ctable, ", rank INTEGER, radius_km REAL", "MULTIPOLYGON", error))
    return FALSE;
  g_free (sql);
  sql = g_strdup_printf ("INSERT INTO %s (rank, radius_km, geom) VALUES (?1, ?2, ?3)", qc);
  stmt = gis_sql_prepare (sv->db, sql, error);
  if (stmt == NULL)
    return FALSE;
  for (guint i = 0; i < s->sites->len; i++)
    {
      const GisSite *site = &g_array_index (s->sites, GisSite, i);
      double x = site->lon, y = site->lat, mbr[4];
      g_autoptr(GBytes) multi = NULL;
      const guint8 *data;
      gsize mlen;

      if (!gis_transform_point (r->to_analysis, &x, &y) ||
          (multi = disc_wkb (r, x, y, site->radius_km * 1000.0, qs)) == NULL || !wkb_mbr (multi, mbr))
        continue;
      data = g_bytes_get_data (multi, &mlen);
      sqlite3_reset (stmt);
      sqlite3_bind_int (stmt, 1, (int) i + 1);
      sqlite3_bind_double (stmt, 2, site->radius_km);
      if (!insert_blob (stmt, 3, data, mlen, mbr) || sqlite3_step (stmt) != SQLITE_DONE)
        {
          gis_sql_set_error (error, sv->db, sqlite3_errcode (sv->db), circles_name);
          return FALSE;
        }
    }
  return finish_layer (sv, circles_name, ctable, "MULTIPOLYGON", "rgba(106,61,154,0.12)", "#6a3d9a", 1.5, 0,
                       GIS_MARKER_CIRCLE, error);
}

static gboolean
check_name (GisStore    *store,
            const char  *name,
            GError     **error)
{
  if (gis_store_layer_name_exists (store, name))
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_EXISTS, _("A layer named “%s” already exists"), name);
      return FALSE;
    }
  return TRUE;
}

/**
 * gis_coverage_save:
 * @store: the store the coverage was computed on, opened for writing
 * @result: a coverage
 * @siting: (nullable): new sites chosen for it
 * @name: the prefix of the new layers' names
 * @progress: (nullable): called now and then
 * @progress_data: its data
 * @cancellable: (nullable): stops the work
 * @error: return location for an error
 *
 * Writes the result as styled layers of role "result", each with the
 * method record of the analysis: "NAME: service areas" (a disc per
 * existing resource), "NAME: uncovered areas" (the zone's
 * uncovered pieces by feature and country, with their km²), "NAME:
 * uncovered facilities" (with all their fields and nearest_km), "NAME:
 * uncovered incidents" (the demand outside coverage), and with @siting
 * "NAME: proposed sites" and "NAME: proposed coverage".  All in one
 * transaction: on failure or cancel the store is left as it was.
 *
 * Returns: (transfer container) (element-type GisLayer) (nullable): the
 *   new layers
 */
GPtrArray *
gis_coverage_save (GisStore          *store,
                   GisCoverageResult *result,
                   GisSitingResult   *siting,
                   const char        *name,
                   GisProgressFunc    progress,
                   gpointer           progress_data,
                   GCancellable      *cancellable,
                   GError           **error)
{
  GisCoverageResult *r = result;
  static const GisCoverageFacility none = { 0 };
  const GisCoverageFacility *facs = &none;
  Saver sv = { 0 };
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree char *trimmed = NULL;
  g_autofree char *n_areas = NULL, *n_fac = NULL, *n_dem = NULL, *n_sites = NULL, *n_circles = NULL;
  g_autofree char *n_service = NULL;
  GPtrArray *layers = NULL;

  g_return_val_if_fail (GIS_IS_STORE (store), NULL);
  g_return_val_if_fail (result != NULL && name != NULL, NULL);

  if (gis_store_is_read_only (store))
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_READ_ONLY, _("“%s” is open read-only: the result cannot be saved"),
                   gis_store_get_path (store));
      return NULL;
    }
  if (!own_transforms (r, error))
    return NULL;
  trimmed = g_strstrip (g_strdup (name));
  if (*trimmed == '\0' || !g_utf8_validate (name, -1, NULL))
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT, _("A layer needs a name"));
      return NULL;
    }
  /* TRANSLATORS: the names of the result layers of a coverage analysis; %s is the name the user gave */
  n_service = g_strdup_printf (_("%s: service areas"), trimmed);
  n_areas = g_strdup_printf (_("%s: uncovered areas"), trimmed);
  n_fac = g_strdup_printf (_("%s: uncovered facilities"), trimmed);
  n_dem = g_strdup_printf (_("%s: uncovered incidents"), trimmed);
  n_sites = g_strdup_printf (_("%s: proposed sites"), trimmed);
  n_circles = g_strdup_printf (_("%s: proposed coverage"), trimmed);
  if (!check_name (store, n_service, error) ||
      (r->zone != NULL && !check_name (store, n_areas, error)) ||
      (r->facilities_layer != NULL && !check_name (store, n_fac, error)) ||
      (r->demand_layer != NULL && !check_name (store, n_dem, error)) ||
      (siting != NULL && (!check_name (store, n_sites, error) || !check_name (store, n_circles, error))))
    return NULL;

  json_builder_begin_object (b);
  add_summary_json (b, r);
  if (siting != NULL)
    {
      json_builder_set_member_name (b, "siting");
      add_siting_json (b, siting);
    }
  json_builder_end_object (b);

  sv.store = store;
  sv.db = gis_store_get_db (store);
  sv.params = builder_to_string (b);
  sv.started = r->started;
  sv.inputs = r->inputs;
  sv.layers = g_ptr_array_new_with_free_func (g_object_unref);
  if (siting != NULL && siting->candidates_layer != NULL)
    {
      GisLayer *cand = gis_store_get_layer (store, siting->candidates_layer, NULL);

      if (cand != NULL)
        g_ptr_array_add (sv.inputs, cand);
    }

  if (r->uncovered_facilities->len > 0)
    facs = &g_array_index (r->uncovered_facilities, GisCoverageFacility, 0);
  if (!gis_sql_exec (sv.db, "BEGIN IMMEDIATE", error))
    goto out;
  if (progress != NULL)
    progress (-1, _("Writing the result layers"), progress_data);
  if (!save_service_areas (&sv, r, n_service, error) ||
      (r->zone != NULL && !save_areas (&sv, r, n_areas, error)) ||
      (r->facilities_layer != NULL &&
       !save_points (&sv, r->facilities_layer, &facs->fid, sizeof (GisCoverageFacility),
                     r->uncovered_facilities->len, "nearest_km", &facs->nearest_km,
                     sizeof (GisCoverageFacility), n_fac, "#ff7f00", 7, cancellable, error)) ||
      (r->demand_layer != NULL &&
       !save_points (&sv, r->demand_layer, (const gint64 *) r->uncovered_demand->data, sizeof (gint64),
                     r->uncovered_demand->len, NULL, NULL, 0, n_dem, "#b2182b", 3, cancellable, error)) ||
      (siting != NULL && !save_sites (&sv, r, siting, n_sites, n_circles, error)) ||
      g_cancellable_set_error_if_cancelled (cancellable, error) ||
      !gis_sql_exec (sv.db, "COMMIT", error))
    {
      sqlite3_exec (sv.db, "ROLLBACK", NULL, NULL, NULL);
      goto out;
    }
  layers = g_steal_pointer (&sv.layers);

out:
  g_clear_pointer (&sv.layers, g_ptr_array_unref);
  g_free (sv.params);
  return layers;
}
