/* gis-raster.c: float32 grids stored as raster layers
 *
 * The registry row says where the grid lies in lon/lat (its corners and
 * edges projected, so the extent holds the whole grid) for zooming to it;
 * the atalaya_rasters row keeps the grid in its own CRS: the geotransform
 * as six numbers in text, the CRS as WKT, the cells as little-endian
 * float32.  The GeoTIFF export writes the same three things through GDAL.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "gis-raster"

#include "config.h"

#include <inttypes.h>
#include <math.h>
#include <string.h>

#include <cpl_conv.h>
#include <cpl_error.h>
#include <cpl_string.h>
#include <gdal.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "gis-crs.h"
#include "gis-error.h"
#include "gis-layer-private.h"
#include "gis-raster.h"
#include "gis-sql-private.h"
#include "gis-store-private.h"

/**
 * gis_raster_new:
 * @width: columns, at least 1
 * @height: rows, at least 1
 * @geotransform: GDAL's six coefficients
 * @crs: the CRS of @geotransform (WKT or anything gis_crs_new() takes)
 *
 * Returns: (transfer full): a raster of zeros without nodata
 */
GisRaster *
gis_raster_new (guint         width,
                guint         height,
                const double  geotransform[6],
                const char   *crs)
{
  GisRaster *r;

  g_return_val_if_fail (width > 0 && height > 0, NULL);
  g_return_val_if_fail (geotransform != NULL && crs != NULL, NULL);

  r = g_new0 (GisRaster, 1);
  r->width = width;
  r->height = height;
  memcpy (r->geotransform, geotransform, sizeof r->geotransform);
  r->crs = g_strdup (crs);
  r->nodata = NAN;
  r->data = g_new0 (float, (gsize) width * height);
  return r;
}

void
gis_raster_free (GisRaster *raster)
{
  if (raster == NULL)
    return;
  g_free (raster->crs);
  g_free (raster->data);
  g_free (raster);
}

static gboolean
is_value (const GisRaster *r,
          float            v)
{
  return !isnan (v) && !(r->has_nodata && v == (float) r->nodata);
}

/**
 * gis_raster_get_range:
 * @raster: a raster
 * @out_min: (out): the smallest value
 * @out_max: (out): the largest value
 *
 * Returns: %FALSE when every cell is nodata or NaN
 */
gboolean
gis_raster_get_range (const GisRaster *raster,
                      double          *out_min,
                      double          *out_max)
{
  gsize n;
  float lo = INFINITY, hi = -INFINITY;

  g_return_val_if_fail (raster != NULL, FALSE);

  n = (gsize) raster->width * raster->height;
  for (gsize i = 0; i < n; i++)
    {
      float v = raster->data[i];

      if (!is_value (raster, v))
        continue;
      lo = MIN (lo, v);
      hi = MAX (hi, v);
    }
  *out_min = lo;
  *out_max = hi;
  return lo <= hi;
}

/**
 * gis_raster_get_quantile:
 * @raster: a raster
 * @q: the share, 0 to 1
 * @out_value: (out): the value below which the share @q of the cells
 *   above 0 lie, to 1/4096 of the largest value
 *
 * A quantile of the cells that hold a value above 0 (nodata and NaN left
 * out), from a histogram: a colour ramp stretched to it shows the many
 * moderate cells of a skewed surface, such as a kernel density, rather
 * than only its few peaks.
 *
 * Returns: %FALSE when no cell is above 0
 */
gboolean
gis_raster_get_quantile (const GisRaster *raster,
                         double           q,
                         double          *out_value)
{
  enum { N_BINS = 4096 };
  g_autofree guint64 *bins = NULL;
  gsize n, count = 0;
  double lo = 0, hi = 0, target, cum = 0;

  g_return_val_if_fail (raster != NULL && out_value != NULL, FALSE);
  g_return_val_if_fail (q >= 0 && q <= 1, FALSE);

  if (!gis_raster_get_range (raster, &lo, &hi) || !(hi > 0))
    return FALSE;
  n = (gsize) raster->width * raster->height;
  bins = g_new0 (guint64, N_BINS);
  for (gsize i = 0; i < n; i++)
    {
      float v = raster->data[i];

      if (!is_value (raster, v) || !(v > 0))
        continue;
      bins[MIN ((gsize) (v / hi * N_BINS), (gsize) N_BINS - 1)]++;
      count++;
    }
  target = q * count;
  for (guint b = 0; b < N_BINS; b++)
    {
      cum += bins[b];
      if (cum >= target && cum > 0)
        {
          *out_value = hi * (b + 1) / N_BINS;
          return TRUE;
        }
    }
  *out_value = hi;
  return TRUE;
}

/**
 * gis_raster_get_bounds:
 * @raster: a raster
 * @out_extent: (out): its box in its CRS
 *
 * Returns: %TRUE (%FALSE for a rotated geotransform)
 */
gboolean
gis_raster_get_bounds (const GisRaster *raster,
                       GisExtent       *out_extent)
{
  const double *gt;

  g_return_val_if_fail (raster != NULL, FALSE);

  gt = raster->geotransform;
  if (gt[2] != 0 || gt[4] != 0)
    return FALSE;
  out_extent->min_x = MIN (gt[0], gt[0] + raster->width * gt[1]);
  out_extent->max_x = MAX (gt[0], gt[0] + raster->width * gt[1]);
  out_extent->min_y = MIN (gt[3], gt[3] + raster->height * gt[5]);
  out_extent->max_y = MAX (gt[3], gt[3] + raster->height * gt[5]);
  return TRUE;
}

/**
 * gis_raster_sample:
 * @raster: a raster (not rotated)
 * @x: easting in the raster's CRS
 * @y: northing
 * @bilinear: interpolate between the four nearest cell centres (nodata
 *   cells left out) instead of taking the cell holding the point
 * @out_value: (out): the value
 *
 * Returns: %FALSE outside the grid or on nodata
 */
gboolean
gis_raster_sample (const GisRaster *raster,
                   double           x,
                   double           y,
                   gboolean         bilinear,
                   double          *out_value)
{
  const double *gt;
  double fc, fr;

  g_return_val_if_fail (raster != NULL, FALSE);

  gt = raster->geotransform;
  fc = (x - gt[0]) / gt[1];
  fr = (y - gt[3]) / gt[5];
  if (!(fc >= 0 && fr >= 0 && fc < raster->width && fr < raster->height))
    return FALSE;
  if (!bilinear)
    {
      float v = raster->data[(gsize) fr * raster->width + (gsize) fc];

      if (!is_value (raster, v))
        return FALSE;
      *out_value = v;
      return TRUE;
    }
  else
    {
      double cx = fc - 0.5, cy = fr - 0.5;
      gint64 c0 = (gint64) floor (cx), r0 = (gint64) floor (cy);
      double tx = cx - c0, ty = cy - r0, sum = 0, wsum = 0;

      for (int dr = 0; dr < 2; dr++)
        for (int dc = 0; dc < 2; dc++)
          {
            gint64 c = CLAMP (c0 + dc, 0, (gint64) raster->width - 1);
            gint64 r = CLAMP (r0 + dr, 0, (gint64) raster->height - 1);
            double w = (dc ? tx : 1 - tx) * (dr ? ty : 1 - ty);
            float v = raster->data[(gsize) r * raster->width + (gsize) c];

            if (w == 0 || !is_value (raster, v))
              continue;
            sum += w * v;
            wsum += w;
          }
      if (wsum <= 0)
        return FALSE;
      *out_value = sum / wsum;
      return TRUE;
    }
}

static char *
geotransform_to_text (const double gt[6])
{
  GString *s = g_string_new (NULL);

  for (int i = 0; i < 6; i++)
    {
      char buf[G_ASCII_DTOSTR_BUF_SIZE];

      g_string_append_printf (s, "%s%s", i > 0 ? " " : "", g_ascii_formatd (buf, sizeof buf, "%.17g", gt[i]));
    }
  return g_string_free (s, FALSE);
}

static gboolean
geotransform_from_text (const char *text,
                        double      gt[6])
{
  const char *p = text;

  if (text == NULL)
    return FALSE;
  for (int i = 0; i < 6; i++)
    {
      char *end = NULL;

      while (*p == ' ' || *p == ',')
        p++;
      gt[i] = g_ascii_strtod (p, &end);
      if (end == p || !isfinite (gt[i]))
        return FALSE;
      p = end;
    }
  while (*p == ' ')
    p++;
  return *p == '\0' && gt[1] != 0 && gt[5] != 0;
}

/**
 * gis_raster_project_bounds:
 * @raster: a raster (not rotated)
 * @transform: from the raster's CRS to another, made on this thread
 * @out_extent: (out): the box of the raster's data in the other CRS;
 *   empty when none of them projects
 *
 * Projects the edges of the box of the grid's cells other than 0
 * (gis_raster_get_data_bounds()) at 64 points each: a box crossing the
 * antimeridian comes out as the whole range of longitudes it touches
 * rather than with west > east (as proj_trans_bounds() reports it).
 */
void
gis_raster_project_bounds (const GisRaster *raster,
                           GisTransform    *transform,
                           GisExtent       *out_extent)
{
  GisExtent box;

  g_return_if_fail (raster != NULL && transform != NULL && out_extent != NULL);

  gis_extent_init_empty (out_extent);
  if (raster->geotransform[2] != 0 || raster->geotransform[4] != 0)
    return;
  gis_raster_get_data_bounds (raster, &box);
  for (int side = 0; side < 4; side++)
    for (int k = 0; k <= 64; k++)
      {
        double f = k / 64.0;
        double x = side < 2 ? box.min_x + f * (box.max_x - box.min_x) : side == 2 ? box.min_x : box.max_x;
        double y = side < 2 ? (side == 0 ? box.min_y : box.max_y) : box.min_y + f * (box.max_y - box.min_y);

        if (!gis_transform_point (transform, &x, &y) || !isfinite (x) || !isfinite (y))
          continue;
        out_extent->min_x = MIN (out_extent->min_x, x);
        out_extent->max_x = MAX (out_extent->max_x, x);
        out_extent->min_y = MIN (out_extent->min_y, y);
        out_extent->max_y = MAX (out_extent->max_y, y);
      }
}

/* The cells that hold a value other than 0: the outer corners of the first
 * and last such cell of each row and column, in the raster's CRS.
 * Returns how many points were written (4 per row and column at most). */
static gsize
data_outline (const GisRaster *r,
              double          *xs,
              double          *ys)
{
  const double *gt = r->geotransform;
  gsize n = 0;

#define HAS(i, j) (is_value (r, r->data[(gsize) (j) * r->width + (i)]) && r->data[(gsize) (j) * r->width + (i)] != 0)
#define ADD(ci, cj) (xs[n] = gt[0] + (ci) * gt[1], ys[n] = gt[3] + (cj) * gt[5], n++)
  for (guint j = 0; j < r->height; j++)
    {
      gint64 first = -1, last = -1;

      for (guint i = 0; i < r->width; i++)
        if (HAS (i, j))
          {
            if (first < 0)
              first = i;
            last = i;
          }
      if (first < 0)
        continue;
      ADD (first, j);
      ADD (first, j + 1);
      ADD (last + 1, j);
      ADD (last + 1, j + 1);
    }
  for (guint i = 0; i < r->width; i++)
    {
      gint64 first = -1, last = -1;

      for (guint j = 0; j < r->height; j++)
        if (HAS (i, j))
          {
            if (first < 0)
              first = j;
            last = j;
          }
      if (first < 0)
        continue;
      ADD (i, first);
      ADD (i + 1, first);
      ADD (i, last + 1);
      ADD (i + 1, last + 1);
    }
#undef HAS
#undef ADD
  return n;
}

/**
 * gis_raster_get_data_bounds:
 * @raster: a raster (not rotated)
 * @out_extent: (out): the box of its cells holding a value other than 0
 *   (nodata and NaN left out), in its CRS; the whole grid when none does
 */
void
gis_raster_get_data_bounds (const GisRaster *raster,
                            GisExtent       *out_extent)
{
  g_autofree double *xs = NULL;
  g_autofree double *ys = NULL;
  gsize n;

  g_return_if_fail (raster != NULL && out_extent != NULL);

  xs = g_new (double, 4 * ((gsize) raster->width + raster->height));
  ys = g_new (double, 4 * ((gsize) raster->width + raster->height));
  n = data_outline (raster, xs, ys);
  gis_extent_init_empty (out_extent);
  for (gsize k = 0; k < n; k++)
    {
      out_extent->min_x = MIN (out_extent->min_x, xs[k]);
      out_extent->max_x = MAX (out_extent->max_x, xs[k]);
      out_extent->min_y = MIN (out_extent->min_y, ys[k]);
      out_extent->max_y = MAX (out_extent->max_y, ys[k]);
    }
  if (n == 0)
    gis_raster_get_bounds (raster, out_extent);
}

/* Where the grid's values lie in lon/lat, for the registry: the outline
 * of its cells other than 0 (the whole grid when all are 0) projected,
 * longitudes unwrapped about the centre's then clamped to ±180, so that a
 * grid reaching across the antimeridian (the Aleutians) keeps a box about
 * its data rather than one around the globe. */
static gboolean
lonlat_extent (const GisRaster *r,
               GisExtent       *out,
               GError         **error)
{
  g_autoptr(GisCrs) src = NULL;
  g_autoptr(GisCrs) dst = gis_crs_new_storage ();
  g_autoptr(GisTransform) t = NULL;
  g_autofree double *xs = NULL;
  g_autofree double *ys = NULL;
  GisExtent box;
  double cx, cy;
  gsize n;

  if (!gis_raster_get_bounds (r, &box))
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_UNSUPPORTED, _("Rotated grids are not supported"));
      return FALSE;
    }
  src = gis_crs_new (r->crs, error);
  if (src == NULL)
    return FALSE;
  t = gis_transform_new (src, dst, error);
  if (t == NULL)
    return FALSE;

  xs = g_new (double, 4 * ((gsize) r->width + r->height) + 4);
  ys = g_new (double, 4 * ((gsize) r->width + r->height) + 4);
  n = data_outline (r, xs, ys);
  if (n == 0)
    {
      double corners[4][2] = { { box.min_x, box.min_y }, { box.max_x, box.min_y },
                               { box.min_x, box.max_y }, { box.max_x, box.max_y } };

      for (; n < 4; n++)
        {
          xs[n] = corners[n][0];
          ys[n] = corners[n][1];
        }
    }
  gis_raster_get_data_bounds (r, &box);
  cx = (box.min_x + box.max_x) / 2;
  cy = (box.min_y + box.max_y) / 2;
  gis_extent_init_empty (out);
  if (gis_transform_point (t, &cx, &cy) && isfinite (cx))
    for (gsize k = 0; k < n; k++)
      {
        double x = xs[k], y = ys[k];

        if (!gis_transform_point (t, &x, &y) || !isfinite (x) || !isfinite (y))
          continue;
        while (x - cx > 180)
          x -= 360;
        while (x - cx < -180)
          x += 360;
        out->min_x = MIN (out->min_x, MAX (x, -180.0));
        out->max_x = MAX (out->max_x, MIN (x, 180.0));
        out->min_y = MIN (out->min_y, y);
        out->max_y = MAX (out->max_y, y);
      }
  if (gis_extent_is_empty (out))
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_CRS, _("The grid cannot be placed in longitude and latitude"));
      return FALSE;
    }
  return TRUE;
}

static GisLayer *
layer_by_id (sqlite3  *db,
             gint64    id,
             GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = gis_sql_prepare (db, "SELECT " GIS_LAYER_COLUMNS " FROM atalaya_layers WHERE id = ?1",
                                                  error);

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, id);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      gis_sql_set_error (error, db, sqlite3_errcode (db), NULL);
      return NULL;
    }
  return gis_layer_new_from_row (stmt);
}

static gboolean
insert_raster (GisStore         *store,
               const char       *name,
               const GisRaster  *r,
               GisLayerRole      role,
               const char       *source,
               gint64           *out_id,
               GError          **error)
{
  sqlite3 *db = gis_store_get_db (store);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *now = gis_sql_now_iso8601 ();
  g_autofree char *extent_text = NULL;
  g_autofree char *gt_text = geotransform_to_text (r->geotransform);
  gsize n = (gsize) r->width * r->height;
  GisExtent extent;
  gint64 id;
  guint32 *le;

  if (!lonlat_extent (r, &extent, error))
    return FALSE;
  extent_text = gis_extent_to_string (&extent);

  stmt = gis_sql_prepare (db,
                          "INSERT INTO atalaya_layers (name, table_name, role, geometry_type, "
                          "srid, source, imported_at, feature_count, extent, visible, z_order, "
                          "opacity) VALUES (?1, NULL, ?2, '" GIS_RASTER_GEOMETRY_TYPE "', 4326, ?3, ?4, 0, ?5, 1, ?6, 1.0)",
                          error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, name, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, gis_layer_role_to_string (role), -1, SQLITE_STATIC);
  if (source != NULL)
    sqlite3_bind_text (stmt, 3, source, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 4, now, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 5, extent_text, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int (stmt, 6, gis_store_next_z_order (store));
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      gis_sql_set_error (error, db, sqlite3_errcode (db), _("Cannot register the layer"));
      return FALSE;
    }
  id = sqlite3_last_insert_rowid (db);
  g_clear_pointer (&stmt, sqlite3_finalize);

  stmt = gis_sql_prepare (db, "INSERT INTO atalaya_rasters (layer_id, width, height, geotransform, crs, nodata, data) "
                              "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)", error);
  if (stmt == NULL)
    return FALSE;
  if (n * sizeof (float) > G_MAXINT)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_UNSUPPORTED, _("The grid is too large to store (%u × %u cells)"),
                   r->width, r->height);
      return FALSE;
    }
  le = g_new (guint32, n);
  memcpy (le, r->data, n * sizeof (float));
#if G_BYTE_ORDER != G_LITTLE_ENDIAN
  for (gsize i = 0; i < n; i++)
    le[i] = GUINT32_TO_LE (le[i]);
#endif
  sqlite3_bind_int64 (stmt, 1, id);
  sqlite3_bind_int (stmt, 2, (int) r->width);
  sqlite3_bind_int (stmt, 3, (int) r->height);
  sqlite3_bind_text (stmt, 4, gt_text, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 5, r->crs, -1, SQLITE_TRANSIENT);
  if (r->has_nodata)
    sqlite3_bind_double (stmt, 6, r->nodata);
  sqlite3_bind_blob (stmt, 7, le, (int) (n * sizeof (float)), g_free);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      gis_sql_set_error (error, db, sqlite3_errcode (db), _("Cannot store the grid"));
      return FALSE;
    }
  *out_id = id;
  return TRUE;
}

/**
 * gis_store_save_raster:
 * @store: a store open for writing
 * @name: the new layer's name, not yet used
 * @raster: the grid
 * @role: the layer's role (%GIS_LAYER_ROLE_RESULT for an analysis)
 * @source: (nullable): where it comes from, for people
 * @error: return location for an error
 *
 * Adds @raster as a raster layer on top of the others.  Inside the
 * caller's transaction when one is open (the caller then commits or rolls
 * back), else in its own.  Removing the layer removes its grid.
 *
 * Returns: (transfer full) (nullable): the new layer
 */
GisLayer *
gis_store_save_raster (GisStore         *store,
                       const char       *name,
                       const GisRaster  *raster,
                       GisLayerRole      role,
                       const char       *source,
                       GError          **error)
{
  sqlite3 *db;
  gboolean own;
  gint64 id = 0;
  GisLayer *layer;

  g_return_val_if_fail (GIS_IS_STORE (store), NULL);
  g_return_val_if_fail (name != NULL && raster != NULL, NULL);

  if (gis_store_is_read_only (store))
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_READ_ONLY, _("“%s” is open read-only: the result cannot be saved"),
                   gis_store_get_path (store));
      return NULL;
    }
  if (gis_store_layer_name_exists (store, name))
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_EXISTS, _("A layer named “%s” already exists"), name);
      return NULL;
    }
  db = gis_store_get_db (store);
  own = sqlite3_get_autocommit (db) != 0;
  if (own && !gis_sql_exec (db, "BEGIN IMMEDIATE", error))
    return NULL;
  if (!insert_raster (store, name, raster, role, source, &id, error) ||
      (layer = layer_by_id (db, id, error)) == NULL)
    {
      if (own)
        sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
      return NULL;
    }
  if (own && !gis_sql_exec (db, "COMMIT", error))
    {
      sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
      g_object_unref (layer);
      return NULL;
    }
  return layer;
}

static GisRaster *
load_raster (GisStore    *store,
             gint64       layer_id,
             const char  *name,
             GError     **error)
{
  sqlite3 *db = gis_store_get_db (store);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GisRaster) r = NULL;
  double gt[6];
  const void *blob;
  gint64 w, h;
  gsize n;
  int rc;

  stmt = gis_sql_prepare (db, "SELECT width, height, geotransform, crs, nodata, data FROM atalaya_rasters "
                              "WHERE layer_id = ?1", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, layer_id);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      if (rc == SQLITE_DONE)
        g_set_error (error, GIS_ERROR, GIS_ERROR_CORRUPT, _("The grid of the raster “%s” is missing"), name);
      else
        gis_sql_set_error (error, db, rc, name);
      return NULL;
    }
  w = sqlite3_column_int64 (stmt, 0);
  h = sqlite3_column_int64 (stmt, 1);
  blob = sqlite3_column_blob (stmt, 5);
  n = (gsize) MAX (w, 0) * (gsize) MAX (h, 0);
  if (w <= 0 || h <= 0 || w > G_MAXUINT || h > G_MAXUINT ||
      !geotransform_from_text ((const char *) sqlite3_column_text (stmt, 2), gt) ||
      sqlite3_column_type (stmt, 3) != SQLITE_TEXT ||
      (gsize) sqlite3_column_bytes (stmt, 5) != n * sizeof (float) || blob == NULL)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_CORRUPT, _("The grid of the raster “%s” is damaged"), name);
      return NULL;
    }
  r = gis_raster_new ((guint) w, (guint) h, gt, (const char *) sqlite3_column_text (stmt, 3));
  memcpy (r->data, blob, n * sizeof (float));
#if G_BYTE_ORDER != G_LITTLE_ENDIAN
  for (gsize i = 0; i < n; i++)
    ((guint32 *) r->data)[i] = GUINT32_FROM_LE (((guint32 *) r->data)[i]);
#endif
  if (sqlite3_column_type (stmt, 4) != SQLITE_NULL)
    {
      r->has_nodata = TRUE;
      r->nodata = sqlite3_column_double (stmt, 4);
    }
  return g_steal_pointer (&r);
}

/**
 * gis_store_load_raster:
 * @store: a store
 * @layer: one of its raster layers
 * @error: return location for an error
 *
 * Returns: (transfer full) (nullable): the layer's grid
 */
GisRaster *
gis_store_load_raster (GisStore  *store,
                       GisLayer  *layer,
                       GError   **error)
{
  g_return_val_if_fail (GIS_IS_STORE (store), NULL);
  g_return_val_if_fail (GIS_IS_LAYER (layer), NULL);

  if (!gis_layer_is_raster (layer))
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT, _("The layer “%s” is not a raster"),
                   gis_layer_get_name (layer));
      return NULL;
    }
  return load_raster (store, gis_layer_get_id (layer), gis_layer_get_name (layer), error);
}

/**
 * gis_store_load_raster_by_id:
 * @store: a store
 * @layer_id: the id of one of its raster layers
 * @error: return location for an error
 *
 * Returns: (transfer full) (nullable): the layer's grid
 */
GisRaster *
gis_store_load_raster_by_id (GisStore  *store,
                             gint64     layer_id,
                             GError   **error)
{
  g_autofree char *name = NULL;

  g_return_val_if_fail (GIS_IS_STORE (store), NULL);

  name = g_strdup_printf ("#%" PRId64, layer_id);
  return load_raster (store, layer_id, name, error);
}

/**
 * gis_raster_export_geotiff:
 * @raster: a raster
 * @path: the file to write
 * @overwrite: replace an existing file
 * @error: return location for an error
 *
 * Writes a Float32 GeoTIFF (deflate-compressed) with the raster's
 * geotransform, CRS and nodata.  A failed export leaves no file behind.
 *
 * Returns: %TRUE on success
 */
gboolean
gis_raster_export_geotiff (const GisRaster *raster,
                           const char      *path,
                           gboolean         overwrite,
                           GError         **error)
{
  g_autoptr(GisCrs) crs = NULL;
  GDALDriverH driver;
  GDALDatasetH ds;
  GDALRasterBandH band;
  char **options = NULL;
  double gt[6];
  gboolean ok = TRUE;

  g_return_val_if_fail (raster != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  if (!overwrite && g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_EXISTS, _("“%s” already exists"), path);
      return FALSE;
    }
  crs = gis_crs_new (raster->crs, error);
  if (crs == NULL)
    return FALSE;
  driver = GDALGetDriverByName ("GTiff");
  if (driver == NULL)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_UNSUPPORTED, _("This GDAL has no %s driver"), "GTiff");
      return FALSE;
    }
  if (overwrite)
    g_unlink (path);
  CPLErrorReset ();
  options = CSLSetNameValue (options, "COMPRESS", "DEFLATE");
  options = CSLSetNameValue (options, "PREDICTOR", "3");
  options = CSLSetNameValue (options, "TILED", "YES");
  ds = GDALCreate (driver, path, (int) raster->width, (int) raster->height, 1, GDT_Float32, options);
  CSLDestroy (options);
  if (ds == NULL)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_IO, _("Cannot write “%s”: %s"), path, CPLGetLastErrorMsg ());
      return FALSE;
    }
  memcpy (gt, raster->geotransform, sizeof gt);
  band = GDALGetRasterBand (ds, 1);
  if (GDALSetGeoTransform (ds, gt) != CE_None ||
      GDALSetProjection (ds, gis_crs_get_wkt (crs)) != CE_None ||
      (raster->has_nodata && GDALSetRasterNoDataValue (band, raster->nodata) != CE_None) ||
      GDALRasterIO (band, GF_Write, 0, 0, (int) raster->width, (int) raster->height, raster->data,
                    (int) raster->width, (int) raster->height, GDT_Float32, 0, 0) != CE_None)
    ok = FALSE;
  GDALClose (ds);
  if (!ok || CPLGetLastErrorType () >= CE_Failure)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_IO, _("Cannot write “%s”: %s"), path, CPLGetLastErrorMsg ());
      g_unlink (path);
      return FALSE;
    }
  return TRUE;
}
