/* gis-query-spatial.c: the target features a spatial condition holds for
 *
 * Candidates come from the layers' R*Tree indexes (SpatiaLite's
 * idx_<table>_geom), one window query per feature of the smaller side,
 * its box grown by the distance for "within" (long lines are cut into
 * pieces so their windows stay tight).  The index keeps each box in
 * 32-bit floats rounded outwards, so for a point layer the box holds the
 * point: when no edge of the area touches that small box, the point is
 * inside or outside by a crossing test on its centre, and the table is not
 * read at all.  Only the rest (boxes an edge touches, lines, areas against
 * areas, distances) is read and tested exactly with GEOS prepared
 * geometries.
 *
 * Containment and intersection are planar in longitude and latitude, as
 * in SpatiaLite.  Distances are straight lines in the analysis CRS, or
 * geodesics on WGS 84: exact between points; to a line or an area taken
 * between the nearest points found in the analysis CRS.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <geodesic.h>
#include <glib/gi18n-lib.h>
#include <math.h>
#include <sqlite3.h>
#include <string.h>

#include "gis-blob-private.h"
#include "gis-crs.h"
#include "gis-error.h"
#include "gis-geom-index-private.h"
#include "gis-query-spatial-private.h"
#include "gis-sql-private.h"
#include "gis-store-private.h"
#include "gis-thread-private.h"

#define WGS84_A 6378137.0
#define WGS84_F (1 / 298.257223563)

/* Degrees of latitude are at least this long (at the equator). */
#define METERS_PER_DEGREE_LAT_MIN 110574.0
#define METERS_PER_DEGREE_LON_EQ  111319.5

/* How much longer than on the ellipsoid a distance in the analysis CRS can
 * be, for growing search boxes: the LAEA scale stays within 1/1.5 to 1.5
 * up to 96° from its centre, which holds North America. */
#define ANALYSIS_BOX_FACTOR 1.5
#define GEODESIC_BOX_FACTOR 1.001


#define LINE_PIECE_VERTICES 32
#define MAX_CACHED          20000
#define CHECK_EVERY         64

static const struct geod_geodesic *
wgs84 (void)
{
  static struct geod_geodesic geod;
  static gsize initialized;

  if (g_once_init_enter (&initialized))
    {
      geod_init (&geod, WGS84_A, WGS84_F);
      g_once_init_leave (&initialized, 1);
    }
  return &geod;
}

static double
geodesic_m (double lon1,
            double lat1,
            double lon2,
            double lat2)
{
  double s12 = 0.0;

  geod_inverse (wgs84 (), lat1, lon1, lat2, lon2, &s12, NULL, NULL);
  return s12;
}

static double
box_factor (GisDistanceMode mode)
{
  return mode == GIS_DISTANCE_GEODESIC ? GEODESIC_BOX_FACTOR : ANALYSIS_BOX_FACTOR;
}

/* Degrees of latitude that hold @distance_m. */
static double
dlat_for (double distance_m,
          double k)
{
  return distance_m * k / METERS_PER_DEGREE_LAT_MIN;
}

/* Degrees of longitude that hold @distance_m at latitudes up to @abs_lat. */
static double
dlon_for (double distance_m,
          double k,
          double abs_lat)
{
  double lat = abs_lat + dlat_for (distance_m, k);

  if (lat >= 89.5)
    return 360.0;
  return MIN (360.0, distance_m * k / (METERS_PER_DEGREE_LON_EQ * cos (lat * G_PI / 180.0)));
}

static void
grow_box (const GisExtent *box,
          double           distance_m,
          GisDistanceMode  mode,
          GisExtent       *out)
{
  double k = box_factor (mode);
  double dlat = dlat_for (distance_m, k);
  double dlon = dlon_for (distance_m, k, MAX (fabs (box->min_y), fabs (box->max_y)));

  out->min_x = box->min_x - dlon;
  out->max_x = box->max_x + dlon;
  out->min_y = box->min_y - dlat;
  out->max_y = box->max_y + dlat;
}

/* ---- shapes ---------------------------------------------------------------- */

typedef struct
{
  gboolean                     is_point;
  double                       x, y;          /* a point, lon/lat */
  double                       px, py;        /* a point, projected */
  gboolean                     point_projected;
  GisExtent                    box;
  GEOSGeometry                *geom;          /* lon/lat */
  const GEOSPreparedGeometry  *prepared;
  GEOSGeometry                *projected;
  const GEOSPreparedGeometry  *projected_prepared;
  GisPolyIndex                   *poly;
  gboolean                     poly_done;
  GisSegIndex                    *segs;          /* projected, for distances */
} Shape;

static void
shape_free (Shape *shape)
{
  GEOSContextHandle_t geos;

  if (shape == NULL)
    return;
  geos = gis_thread_get_geos ();
  if (shape->prepared != NULL)
    GEOSPreparedGeom_destroy_r (geos, shape->prepared);
  if (shape->projected_prepared != NULL)
    GEOSPreparedGeom_destroy_r (geos, shape->projected_prepared);
  if (shape->geom != NULL)
    GEOSGeom_destroy_r (geos, shape->geom);
  if (shape->projected != NULL)
    GEOSGeom_destroy_r (geos, shape->projected);
  gis_poly_index_free (shape->poly);
  gis_seg_index_free (shape->segs);
  g_free (shape);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Shape, shape_free)

static gboolean
shape_set_box (Shape *shape)
{
  GEOSContextHandle_t geos = gis_thread_get_geos ();

  if (shape->is_point)
    {
      shape->box = (GisExtent) { shape->x, shape->y, shape->x, shape->y };
      return TRUE;
    }
  return GEOSGeom_getXMin_r (geos, shape->geom, &shape->box.min_x) == 1 &&
         GEOSGeom_getYMin_r (geos, shape->geom, &shape->box.min_y) == 1 &&
         GEOSGeom_getXMax_r (geos, shape->geom, &shape->box.max_x) == 1 &&
         GEOSGeom_getYMax_r (geos, shape->geom, &shape->box.max_y) == 1;
}

/* Takes @geom. */
static Shape *
shape_from_geos (GEOSGeometry *geom)
{
  GEOSContextHandle_t geos = gis_thread_get_geos ();
  Shape *shape = g_new0 (Shape, 1);

  if (GEOSGeomTypeId_r (geos, geom) == GEOS_POINT && GEOSisEmpty_r (geos, geom) == 0)
    {
      shape->is_point = TRUE;
      GEOSGeomGetX_r (geos, geom, &shape->x);
      GEOSGeomGetY_r (geos, geom, &shape->y);
      GEOSGeom_destroy_r (geos, geom);
    }
  else
    shape->geom = geom;
  if (!shape_set_box (shape))
    {
      shape_free (shape);
      return NULL;
    }
  return shape;
}

/* A SpatiaLite blob: points stay two numbers, the rest goes to GEOS. */
static Shape *
shape_from_blob (const guint8 *blob,
                 gsize         len)
{
  GEOSContextHandle_t geos = gis_thread_get_geos ();
  g_autofree guint8 *wkb = NULL;
  GEOSGeometry *geom = NULL;
  gsize wkb_len = 0;
  double x, y;

  if (gis_blob_get_point (blob, len, &x, &y))
    {
      Shape *shape = g_new0 (Shape, 1);

      shape->is_point = TRUE;
      shape->x = x;
      shape->y = y;
      shape_set_box (shape);
      return shape;
    }
  wkb = gis_blob_to_wkb (blob, len, &wkb_len, NULL);
  if (wkb != NULL)
    geom = GEOSGeomFromWKB_buf_r (geos, wkb, wkb_len);
  if (geom == NULL || GEOSisEmpty_r (geos, geom) != 0)
    {
      if (geom != NULL)
        GEOSGeom_destroy_r (geos, geom);
      return NULL;
    }
  return shape_from_geos (geom);
}

static const GisPolyIndex *
shape_poly (Shape *shape)
{
  if (!shape->poly_done)
    {
      shape->poly_done = TRUE;
      if (!shape->is_point)
        shape->poly = gis_poly_index_new (shape->geom);
    }
  return shape->poly;
}

static gboolean
shape_prepare (Shape *shape)
{
  if (shape->is_point || shape->prepared != NULL)
    return TRUE;
  shape->prepared = GEOSPrepare_r (gis_thread_get_geos (), shape->geom);
  return shape->prepared != NULL;
}

static int
project_xy (double *x,
            double *y,
            void   *user_data)
{
  return gis_transform_point (user_data, x, y) ? 1 : 0;
}

/* The shape in the analysis CRS; GEOS forms only when @geos_form. */
static gboolean
shape_project (Shape        *shape,
               GisTransform *to_analysis,
               gboolean      geos_form)
{
  GEOSContextHandle_t geos = gis_thread_get_geos ();

  if (shape->is_point)
    {
      if (!shape->point_projected)
        {
          shape->px = shape->x;
          shape->py = shape->y;
          if (!gis_transform_point (to_analysis, &shape->px, &shape->py))
            return FALSE;
          shape->point_projected = TRUE;
        }
      if (geos_form && shape->projected == NULL)
        shape->projected = GEOSGeom_createPointFromXY_r (geos, shape->px, shape->py);
      return !geos_form || shape->projected != NULL;
    }
  if (shape->projected == NULL)
    {
      shape->projected = GEOSGeom_transformXY_r (geos, shape->geom, project_xy, to_analysis);
      if (shape->projected == NULL)
        return FALSE;
    }
  if (geos_form && shape->projected_prepared == NULL)
    shape->projected_prepared = GEOSPrepare_r (geos, shape->projected);
  return !geos_form || shape->projected_prepared != NULL;
}

/* ---- the evaluation ------------------------------------------------------------ */

typedef struct
{
  GisStore              *store;
  sqlite3               *db;
  GisLayer              *target;
  const GisSpatialSpec  *spec;
  gboolean               target_points;
  gboolean               ref_points;
  GisTransform          *to_analysis;
  GisTransform          *from_analysis;
  sqlite3_stmt          *target_window;
  sqlite3_stmt          *target_geom;
  sqlite3_stmt          *ref_window;
  sqlite3_stmt          *ref_geom;
  GHashTable            *ref_cache;     /* fid -> Shape, areas and lines met again */
  GArray                *out;
  GArray                *pairs;         /* GisFidPair, when asked for */
  gboolean               failed_test;
} Eval;

/* One side of a test: a shape already read, or an index entry (fid and
 * its box) read from its table only when the box does not decide. */
typedef struct
{
  Shape         *shape;
  gint64         fid;
  double         x0, y0, x1, y1;
  sqlite3_stmt  *fetch;
  gboolean       points;      /* the entry's layer holds points */
  Shape         *owned;
} Side;

static void
side_clear (Side *side)
{
  g_clear_pointer (&side->owned, shape_free);
}

static Shape *
side_shape (Side *side)
{
  int rc;

  if (side->shape != NULL)
    return side->shape;
  sqlite3_reset (side->fetch);
  sqlite3_bind_int64 (side->fetch, 1, side->fid);
  rc = sqlite3_step (side->fetch);
  if (rc == SQLITE_ROW && sqlite3_column_type (side->fetch, 0) == SQLITE_BLOB)
    side->owned = shape_from_blob (sqlite3_column_blob (side->fetch, 0),
                                   sqlite3_column_bytes (side->fetch, 0));
  sqlite3_reset (side->fetch);
  side->shape = side->owned;
  return side->shape;
}

/* The index box of an entry of a point layer, else nothing to classify. */
static gboolean
side_point_box (Side *side)
{
  return side->shape == NULL && side->points;
}

static gboolean
within_exact (Eval     *ev,
              Shape    *ref,
              Shape    *target,
              gboolean *out)
{
  GEOSContextHandle_t geos = gis_thread_get_geos ();
  double d = ev->spec->distance_m;

  if (ref->is_point && target->is_point)
    {
      if (ev->spec->mode == GIS_DISTANCE_GEODESIC)
        *out = geodesic_m (ref->x, ref->y, target->x, target->y) <= d;
      else
        {
          if (!shape_project (ref, ev->to_analysis, FALSE) || !shape_project (target, ev->to_analysis, FALSE))
            return FALSE;
          *out = hypot (ref->px - target->px, ref->py - target->py) <= d;
        }
      return TRUE;
    }

  {
    /* the prepared side is a line or an area */
    Shape *prepared = ref->is_point ? target : ref;
    Shape *other = ref->is_point ? ref : target;
    char r;

    if (!shape_project (prepared, ev->to_analysis, TRUE) || !shape_project (other, ev->to_analysis, TRUE))
      return FALSE;
    if (ev->spec->mode == GIS_DISTANCE_ANALYSIS)
      {
        r = GEOSPreparedDistanceWithin_r (geos, prepared->projected_prepared, other->projected, d);
        if (r == 2)
          return FALSE;
        *out = r == 1;
        return TRUE;
      }

    /* geodesic: far ones are out at once (the scale stays within 1.5) */
    r = GEOSPreparedDistanceWithin_r (geos, prepared->projected_prepared, other->projected,
                                      d * ANALYSIS_BOX_FACTOR);
    if (r == 2)
      return FALSE;
    if (r == 0)
      {
        *out = FALSE;
        return TRUE;
      }
    {
      GEOSCoordSequence *seq = GEOSPreparedNearestPoints_r (geos, prepared->projected_prepared,
                                                            other->projected);
      double x0, y0, x1, y1;

      if (seq == NULL)
        return FALSE;
      GEOSCoordSeq_getXY_r (geos, seq, 0, &x0, &y0);
      GEOSCoordSeq_getXY_r (geos, seq, 1, &x1, &y1);
      GEOSCoordSeq_destroy_r (geos, seq);
      if (!gis_transform_point (ev->from_analysis, &x0, &y0) ||
          !gis_transform_point (ev->from_analysis, &x1, &y1))
        return FALSE;
      *out = geodesic_m (x0, y0, x1, y1) <= d;
      return TRUE;
    }
  }
}

static gboolean
topology_exact (Eval     *ev,
                Shape    *ref,
                Shape    *target,
                gboolean *out)
{
  GEOSContextHandle_t geos = gis_thread_get_geos ();
  gboolean inside = ev->spec->op == GIS_SPATIAL_INSIDE;
  GEOSGeometry *point = NULL;
  char r;

  if (ref->is_point && target->is_point)
    {
      *out = ref->x == target->x && ref->y == target->y;
      return TRUE;
    }

  if (ref->is_point)
    {
      /* a line or an area lies inside no point; it may pass through one */
      if (inside)
        {
          *out = FALSE;
          return TRUE;
        }
      if (!shape_prepare (target))
        return FALSE;
      point = GEOSGeom_createPointFromXY_r (geos, ref->x, ref->y);
      r = GEOSPreparedIntersects_r (geos, target->prepared, point);
    }
  else
    {
      GEOSGeometry *g = target->geom;

      if (!shape_prepare (ref))
        return FALSE;
      if (target->is_point)
        g = point = GEOSGeom_createPointFromXY_r (geos, target->x, target->y);
      r = inside ? GEOSPreparedContains_r (geos, ref->prepared, g)
                 : GEOSPreparedIntersects_r (geos, ref->prepared, g);
    }
  if (point != NULL)
    GEOSGeom_destroy_r (geos, point);
  if (r == 2)
    return FALSE;
  *out = r == 1;
  return TRUE;
}

/* Distance in metres from a point to a shape, measured as @ev says; for
 * lines and areas through the shape's segment grid, up to @radius_m
 * (beyond it: G_MAXDOUBLE).  -1 when it cannot be measured. */
static double
point_distance (Eval   *ev,
                Shape  *shape,
                double  lon,
                double  lat,
                double  radius_m)
{
  double px = lon, py = lat, d, qx, qy;

  if (shape->is_point && ev->spec->mode == GIS_DISTANCE_GEODESIC)
    return geodesic_m (shape->x, shape->y, lon, lat);
  if (!gis_transform_point (ev->to_analysis, &px, &py) || !shape_project (shape, ev->to_analysis, FALSE))
    return -1;
  if (shape->is_point)
    return hypot (shape->px - px, shape->py - py);

  if (shape->segs == NULL)
    {
      shape->segs = gis_seg_index_new (shape->projected, ev->spec->distance_m * ANALYSIS_BOX_FACTOR);
      if (shape->segs == NULL)
        return -1;
    }
  if (ev->spec->mode == GIS_DISTANCE_ANALYSIS)
    return gis_seg_index_nearest (shape->segs, px, py, radius_m, &d, &qx, &qy) ? d : G_MAXDOUBLE;

  /* geodesic: to the nearest point found in the analysis CRS */
  if (!gis_seg_index_nearest (shape->segs, px, py, radius_m * ANALYSIS_BOX_FACTOR, &d, &qx, &qy))
    return G_MAXDOUBLE;
  if (!gis_transform_point (ev->from_analysis, &qx, &qy))
    return -1;
  return geodesic_m (lon, lat, qx, qy);
}

/* "within" for a point known only by its index box: 1 or 0 when the box's
 * centre decides, -1 when the exact point must be read. */
static int
within_from_box (Eval  *ev,
                 Shape *known,
                 Side  *boxed)
{
  double cx = (boxed->x0 + boxed->x1) / 2, cy = (boxed->y0 + boxed->y1) / 2;
  double lat = fabs (cy) * G_PI / 180.0;
  /* the box's half-diagonal in metres, with room for the analysis scale */
  double half = hypot ((boxed->x1 - boxed->x0) / 2 * METERS_PER_DEGREE_LON_EQ * cos (MIN (lat, 1.55)),
                       (boxed->y1 - boxed->y0) / 2 * 111700.0);
  double slack = half * (ev->spec->mode == GIS_DISTANCE_GEODESIC ? 1.01 : ANALYSIS_BOX_FACTOR) + 1e-6;
  double d;

  /* an area holds the points inside it at distance 0 (decided before) */
  if (!known->is_point && shape_poly (known) != NULL &&
      gis_poly_index_classify (shape_poly (known), boxed->x0, boxed->y0, boxed->x1, boxed->y1) != GIS_BOX_OUTSIDE)
    return -1;

  d = point_distance (ev, known, cx, cy, ev->spec->distance_m + slack);
  if (d < 0)
    return -1;
  if (d + slack <= ev->spec->distance_m)
    return 1;
  if (d - slack > ev->spec->distance_m)
    return 0;
  return -1;
}

/* Does the condition hold between @ref and @target? */
static gboolean
decide (Eval *ev,
        Side *ref,
        Side *target)
{
  GisSpatialOp op = ev->spec->op;
  Shape *r, *t;
  gboolean result = FALSE;

  /* an area against a point from the index: its box decides, mostly */
  if (ref->shape != NULL && side_point_box (target) && shape_poly (ref->shape) != NULL)
    {
      GisBoxClass c = gis_poly_index_classify (shape_poly (ref->shape), target->x0, target->y0, target->x1, target->y1);

      if (c == GIS_BOX_INSIDE)
        return TRUE;
      if (c == GIS_BOX_OUTSIDE && op != GIS_SPATIAL_WITHIN)
        return FALSE;
    }
  else if (target->shape != NULL && side_point_box (ref) && op != GIS_SPATIAL_INSIDE &&
           shape_poly (target->shape) != NULL)
    {
      GisBoxClass c = gis_poly_index_classify (shape_poly (target->shape), ref->x0, ref->y0, ref->x1, ref->y1);

      if (c == GIS_BOX_INSIDE)
        return TRUE;
      if (c == GIS_BOX_OUTSIDE && op != GIS_SPATIAL_WITHIN)
        return FALSE;
    }

  /* a distance from a point's index box: its centre decides unless the
   * answer lies within the box's size of the limit */
  if (op == GIS_SPATIAL_WITHIN)
    {
      Side *known = ref->shape != NULL ? ref : target;
      Side *boxed = ref->shape != NULL ? target : ref;

      if (known->shape != NULL && side_point_box (boxed))
        {
          int answer = within_from_box (ev, known->shape, boxed);

          if (answer >= 0)
            return answer == 1;
        }
    }

  r = side_shape (ref);
  t = side_shape (target);
  if (r == NULL || t == NULL)
    return FALSE;

  if (!(op == GIS_SPATIAL_WITHIN ? within_exact (ev, r, t, &result) : topology_exact (ev, r, t, &result)))
    {
      ev->failed_test = TRUE;
      return FALSE;
    }
  return result;
}

static sqlite3_stmt *
prepare_window (Eval      *ev,
                GisLayer  *layer,
                GError   **error)
{
  g_autofree char *idx = gis_query_index_table (layer);
  g_autofree char *qi = gis_sql_quote_ident (idx);
  g_autofree char *sql = g_strdup_printf ("SELECT pkid, xmin, xmax, ymin, ymax FROM %s "
                                          "WHERE xmin <= ?1 AND xmax >= ?2 AND ymin <= ?3 AND ymax >= ?4",
                                          qi);

  return gis_sql_prepare (ev->db, sql, error);
}

static sqlite3_stmt *
prepare_fetch (Eval      *ev,
               GisLayer  *layer,
               GError   **error)
{
  g_autofree char *qt = gis_sql_quote_ident (gis_layer_get_table_name (layer));
  g_autofree char *sql = g_strdup_printf ("SELECT geom FROM %s WHERE fid = ?1", qt);

  return gis_sql_prepare (ev->db, sql, error);
}

static void
bind_window (sqlite3_stmt    *window,
             const GisExtent *box)
{
  sqlite3_reset (window);
  sqlite3_bind_double (window, 1, box->max_x);
  sqlite3_bind_double (window, 2, box->min_x);
  sqlite3_bind_double (window, 3, box->max_y);
  sqlite3_bind_double (window, 4, box->min_y);
}

/* Windows to look for a reference's candidates in: its box grown by the
 * distance; a long line, piece by piece. */
static GArray *
windows_of (Eval  *ev,
            Shape *shape)
{
  GEOSContextHandle_t geos = gis_thread_get_geos ();
  GArray *boxes = g_array_new (FALSE, FALSE, sizeof (GisExtent));
  double d = ev->spec->op == GIS_SPATIAL_WITHIN ? ev->spec->distance_m : 0.0;
  int type = shape->is_point ? GEOS_POINT : GEOSGeomTypeId_r (geos, shape->geom);

  if (type == GEOS_LINESTRING || type == GEOS_MULTILINESTRING)
    {
      int n_parts = type == GEOS_LINESTRING ? 1 : GEOSGetNumGeometries_r (geos, shape->geom);

      for (int p = 0; p < n_parts; p++)
        {
          const GEOSGeometry *line = type == GEOS_LINESTRING ? shape->geom
                                                             : GEOSGetGeometryN_r (geos, shape->geom, p);
          const GEOSCoordSequence *seq = GEOSGeom_getCoordSeq_r (geos, line);
          unsigned int n = 0;

          if (seq == NULL || !GEOSCoordSeq_getSize_r (geos, seq, &n))
            continue;
          for (unsigned int start = 0; start + 1 < n || start == 0; start += LINE_PIECE_VERTICES)
            {
              GisExtent piece, grown;

              gis_extent_init_empty (&piece);
              for (unsigned int i = start; i < MIN (n, start + LINE_PIECE_VERTICES + 1); i++)
                {
                  double x, y;

                  GEOSCoordSeq_getXY_r (geos, seq, i, &x, &y);
                  gis_extent_add_point (&piece, x, y);
                }
              if (gis_extent_is_empty (&piece))
                break;
              grow_box (&piece, d, ev->spec->mode, &grown);
              g_array_append_val (boxes, grown);
              if (n <= 1)
                break;
            }
        }
      if (boxes->len > 0)
        return boxes;
    }

  {
    GisExtent grown;

    grow_box (&shape->box, d, ev->spec->mode, &grown);
    g_array_append_val (boxes, grown);
  }
  return boxes;
}

static int
compare_fids (gconstpointer a,
              gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

/* From each reference, the targets in its windows. */
static gboolean
eval_from_refs (Eval             *ev,
                sqlite3_stmt     *refs,
                Shape            *single_ref,
                gint64            n_refs,
                GisProgressFunc   progress,
                gpointer          progress_data,
                double            p0,
                double            p1,
                GCancellable     *cancellable,
                GError          **error)
{
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  gint64 done = 0;
  int rc = SQLITE_ROW;

  for (;;)
    {
      g_autoptr(Shape) owned = NULL;
      g_autoptr(GArray) windows = NULL;
      Side ref = { 0 };

      if (single_ref != NULL)
        {
          if (done > 0)
            break;
          ref.shape = single_ref;
        }
      else
        {
          rc = sqlite3_step (refs);
          if (rc != SQLITE_ROW)
            break;
          if (sqlite3_column_type (refs, 1) != SQLITE_BLOB)
            continue;
          owned = shape_from_blob (sqlite3_column_blob (refs, 1), sqlite3_column_bytes (refs, 1));
          if (owned == NULL)
            continue;
          ref.shape = owned;
          ref.fid = sqlite3_column_int64 (refs, 0);
        }

      windows = windows_of (ev, ref.shape);
      g_hash_table_remove_all (seen);

      for (guint w = 0; w < windows->len; w++)
        {
          bind_window (ev->target_window, &g_array_index (windows, GisExtent, w));
          while ((rc = sqlite3_step (ev->target_window)) == SQLITE_ROW)
            {
              Side target = {
                .fid = sqlite3_column_int64 (ev->target_window, 0),
                .x0 = sqlite3_column_double (ev->target_window, 1),
                .x1 = sqlite3_column_double (ev->target_window, 2),
                .y0 = sqlite3_column_double (ev->target_window, 3),
                .y1 = sqlite3_column_double (ev->target_window, 4),
                .fetch = ev->target_geom,
                .points = ev->target_points,
              };

              /* a line's windows overlap: test each target once */
              if (windows->len > 1)
                {
                  if (g_hash_table_contains (seen, &target.fid))
                    continue;
                  g_hash_table_add (seen, g_memdup2 (&target.fid, sizeof target.fid));
                }

              if (decide (ev, &ref, &target))
                {
                  g_array_append_val (ev->out, target.fid);
                  if (ev->pairs != NULL)
                    {
                      GisFidPair pair = { target.fid, ref.fid };

                      g_array_append_val (ev->pairs, pair);
                    }
                }
              side_clear (&target);
            }
          if (rc != SQLITE_DONE)
            {
              gis_sql_set_error (error, ev->db, rc, NULL);
              return FALSE;
            }
        }

      if (++done % CHECK_EVERY == 0)
        {
          if (g_cancellable_set_error_if_cancelled (cancellable, error))
            return FALSE;
          if (progress != NULL)
            progress (p0 + (p1 - p0) * MIN (1.0, (double) done / MAX (n_refs, 1)),
                      _("Testing features"), progress_data);
        }
    }

  if (single_ref == NULL && rc != SQLITE_DONE)
    {
      gis_sql_set_error (error, ev->db, rc, NULL);
      return FALSE;
    }
  return TRUE;
}

/* From each target, the first reference in its window that holds. */
static gboolean
eval_from_targets (Eval             *ev,
                   sqlite3_stmt     *targets,
                   gint64            n_targets,
                   GisProgressFunc   progress,
                   gpointer          progress_data,
                   double            p0,
                   double            p1,
                   GCancellable     *cancellable,
                   GError          **error)
{
  gint64 done = 0;
  int rc;

  while ((rc = sqlite3_step (targets)) == SQLITE_ROW)
    {
      g_autoptr(Shape) shape = NULL;
      g_autoptr(GArray) windows = NULL;
      Side target = { 0 };
      gboolean found = FALSE, matched = FALSE;
      int wrc;

      if (sqlite3_column_type (targets, 1) != SQLITE_BLOB)
        continue;
      shape = shape_from_blob (sqlite3_column_blob (targets, 1), sqlite3_column_bytes (targets, 1));
      if (shape == NULL)
        continue;
      target.shape = shape;
      target.fid = sqlite3_column_int64 (targets, 0);
      windows = windows_of (ev, shape);

      for (guint w = 0; w < windows->len && !found; w++)
        {
          bind_window (ev->ref_window, &g_array_index (windows, GisExtent, w));
          while (!found && (wrc = sqlite3_step (ev->ref_window)) == SQLITE_ROW)
            {
              Side ref = {
                .fid = sqlite3_column_int64 (ev->ref_window, 0),
                .x0 = sqlite3_column_double (ev->ref_window, 1),
                .x1 = sqlite3_column_double (ev->ref_window, 2),
                .y0 = sqlite3_column_double (ev->ref_window, 3),
                .y1 = sqlite3_column_double (ev->ref_window, 4),
                .fetch = ev->ref_geom,
                .points = ev->ref_points,
              };

              /* lines and areas met again are kept, prepared */
              if (!ev->ref_points)
                {
                  ref.shape = g_hash_table_lookup (ev->ref_cache, &ref.fid);
                  if (ref.shape == NULL && side_shape (&ref) != NULL)
                    {
                      if (g_hash_table_size (ev->ref_cache) >= MAX_CACHED)
                        g_hash_table_remove_all (ev->ref_cache);
                      g_hash_table_insert (ev->ref_cache, g_memdup2 (&ref.fid, sizeof ref.fid),
                                           g_steal_pointer (&ref.owned));
                    }
                }
              if (decide (ev, &ref, &target))
                {
                  found = TRUE;
                  if (ev->pairs != NULL)
                    {
                      GisFidPair pair = { target.fid, ref.fid };

                      g_array_append_val (ev->pairs, pair);
                      /* every reference, not just the first */
                      found = FALSE;
                      matched = TRUE;
                    }
                }
              side_clear (&ref);
            }
          sqlite3_reset (ev->ref_window);
        }
      if (found || matched)
        g_array_append_val (ev->out, target.fid);

      if (++done % CHECK_EVERY == 0)
        {
          if (g_cancellable_set_error_if_cancelled (cancellable, error))
            return FALSE;
          if (progress != NULL)
            progress (p0 + (p1 - p0) * MIN (1.0, (double) done / MAX (n_targets, 1)),
                      _("Testing features"), progress_data);
        }
    }
  if (rc != SQLITE_DONE)
    {
      gis_sql_set_error (error, ev->db, rc, NULL);
      return FALSE;
    }
  return TRUE;
}

/* ---- nearest N ---------------------------------------------------------------------- */

typedef struct
{
  gint64 fid;
  double distance;
} Candidate;

static int
compare_candidates (gconstpointer a,
                    gconstpointer b)
{
  const Candidate *x = a, *y = b;

  if (x->distance != y->distance)
    return x->distance < y->distance ? -1 : 1;
  return x->fid < y->fid ? -1 : x->fid > y->fid;
}

static gboolean
distance_exact (Eval   *ev,
                Shape  *ref,
                Shape  *target,
                double *out)
{
  GEOSContextHandle_t geos = gis_thread_get_geos ();
  gboolean points = ref->is_point && target->is_point;

  if (points && ev->spec->mode == GIS_DISTANCE_GEODESIC)
    {
      *out = geodesic_m (ref->x, ref->y, target->x, target->y);
      return TRUE;
    }
  if (!shape_project (ref, ev->to_analysis, !points) || !shape_project (target, ev->to_analysis, !points))
    return FALSE;
  if (points)
    {
      *out = hypot (ref->px - target->px, ref->py - target->py);
      return TRUE;
    }
  if (ev->spec->mode == GIS_DISTANCE_ANALYSIS)
    {
      if (!ref->is_point)
        return GEOSPreparedDistance_r (geos, ref->projected_prepared, target->projected, out) == 1;
      return GEOSDistance_r (geos, ref->projected, target->projected, out) == 1;
    }
  {
    GEOSCoordSequence *seq = GEOSNearestPoints_r (geos, ref->projected, target->projected);
    double x0, y0, x1, y1;

    if (seq == NULL)
      return FALSE;
    GEOSCoordSeq_getXY_r (geos, seq, 0, &x0, &y0);
    GEOSCoordSeq_getXY_r (geos, seq, 1, &x1, &y1);
    GEOSCoordSeq_destroy_r (geos, seq);
    if (!gis_transform_point (ev->from_analysis, &x0, &y0) ||
        !gis_transform_point (ev->from_analysis, &x1, &y1))
      return FALSE;
    *out = geodesic_m (x0, y0, x1, y1);
    return TRUE;
  }
}

/* The n targets nearest to @ref: windows grow until n targets lie within
 * a distance the window wholly holds. */
static gboolean
nearest_to (Eval     *ev,
            Shape    *ref,
            double    start_m,
            double   *out_nearest_m,
            GError  **error)
{
  g_autoptr(GArray) found = g_array_new (FALSE, FALSE, sizeof (Candidate));
  const GisExtent *all = gis_layer_get_extent (ev->target);
  double r = MAX (start_m, 1.0);

  for (;;)
    {
      GisExtent window;
      gboolean covers_all;
      guint within = 0;
      int rc;

      grow_box (&ref->box, r, ev->spec->mode, &window);
      covers_all = window.min_x <= all->min_x && window.max_x >= all->max_x &&
                   window.min_y <= all->min_y && window.max_y >= all->max_y;

      g_array_set_size (found, 0);
      bind_window (ev->target_window, &window);
      while ((rc = sqlite3_step (ev->target_window)) == SQLITE_ROW)
        {
          Side target = {
            .fid = sqlite3_column_int64 (ev->target_window, 0),
            .fetch = ev->target_geom,
          };
          Candidate c = { target.fid, 0 };
          Shape *shape = side_shape (&target);

          if (shape != NULL && distance_exact (ev, ref, shape, &c.distance))
            {
              g_array_append_val (found, c);
              if (c.distance <= r)
                within++;
            }
          side_clear (&target);
        }
      if (rc != SQLITE_DONE)
        {
          gis_sql_set_error (error, ev->db, rc, NULL);
          return FALSE;
        }
      if (within >= ev->spec->n_nearest || covers_all)
        break;
      r *= 2;
    }

  g_array_sort (found, compare_candidates);
  for (guint i = 0; i < found->len && i < ev->spec->n_nearest; i++)
    g_array_append_val (ev->out, g_array_index (found, Candidate, i).fid);
  if (out_nearest_m != NULL)
    *out_nearest_m = found->len > 0 ? g_array_index (found, Candidate, 0).distance : -1;
  return TRUE;
}

static gboolean
eval_nearest (Eval             *ev,
              sqlite3_stmt     *refs,
              Shape            *single_ref,
              gint64            n_refs,
              GisProgressFunc   progress,
              gpointer          progress_data,
              double            p0,
              double            p1,
              GCancellable     *cancellable,
              GError          **error)
{
  const GisExtent *all = gis_layer_get_extent (ev->target);
  gint64 n_targets = MAX (1, gis_layer_get_feature_count (ev->target));
  double w = (all->max_x - all->min_x) * METERS_PER_DEGREE_LON_EQ * cos (G_PI / 4);
  double h = (all->max_y - all->min_y) * METERS_PER_DEGREE_LAT_MIN;
  /* a first guess: the radius that holds n features at the mean density */
  double start_m = sqrt (MAX (w * h, 1.0) * ev->spec->n_nearest / (G_PI * n_targets));
  gint64 done = 0;
  int rc;

  if (single_ref != NULL)
    return nearest_to (ev, single_ref, start_m, NULL, error);

  while ((rc = sqlite3_step (refs)) == SQLITE_ROW)
    {
      g_autoptr(Shape) ref = NULL;

      if (sqlite3_column_type (refs, 1) != SQLITE_BLOB)
        continue;
      ref = shape_from_blob (sqlite3_column_blob (refs, 1), sqlite3_column_bytes (refs, 1));
      if (ref == NULL)
        continue;
      if (!nearest_to (ev, ref, start_m, NULL, error))
        return FALSE;
      if (++done % CHECK_EVERY == 0)
        {
          if (g_cancellable_set_error_if_cancelled (cancellable, error))
            return FALSE;
          if (progress != NULL)
            progress (p0 + (p1 - p0) * MIN (1.0, (double) done / MAX (n_refs, 1)),
                      _("Finding the nearest features"), progress_data);
        }
    }
  if (rc != SQLITE_DONE)
    {
      gis_sql_set_error (error, ev->db, rc, NULL);
      return FALSE;
    }
  return TRUE;
}

/* ---- entry points ------------------------------------------------------------------ */

char *
gis_query_index_table (GisLayer *layer)
{
  return g_strdup_printf ("idx_%s_geom", gis_layer_get_table_name (layer));
}

static GEOSGeometry *
read_wkt (const char *wkt)
{
  GEOSContextHandle_t geos = gis_thread_get_geos ();
  GEOSWKTReader *reader = GEOSWKTReader_create_r (geos);
  GEOSGeometry *g = GEOSWKTReader_read_r (geos, reader, wkt);

  GEOSWKTReader_destroy_r (geos, reader);
  return g;
}

/**
 * gis_query_check_wkt:
 * @wkt: a geometry in lon/lat
 * @out_box: (out) (optional): its box
 * @error: return location for an error
 *
 * Returns: %TRUE when @wkt is a valid, non-empty geometry within the
 *   range of longitudes and latitudes
 */
gboolean
gis_query_check_wkt (const char  *wkt,
                     GisExtent   *out_box,
                     GError     **error)
{
  GEOSContextHandle_t geos = gis_thread_get_geos ();
  GEOSGeometry *g = read_wkt (wkt);
  g_autoptr(Shape) shape = NULL;

  if (g == NULL || GEOSisEmpty_r (geos, g) != 0)
    {
      if (g != NULL)
        GEOSGeom_destroy_r (geos, g);
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT,
                   _("“%s” is not a geometry (WKT in longitude and latitude)"), wkt);
      return FALSE;
    }
  if (GEOSisValid_r (geos, g) != 1)
    {
      GEOSGeom_destroy_r (geos, g);
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT,
                   _("The geometry “%s” is not valid (does a ring cross itself?)"), wkt);
      return FALSE;
    }
  shape = shape_from_geos (g);
  if (shape == NULL || shape->box.min_x < -180 || shape->box.max_x > 180 ||
      shape->box.min_y < -90 || shape->box.max_y > 90)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT,
                   _("The geometry “%s” is outside longitudes −180…180 and latitudes −90…90"), wkt);
      return FALSE;
    }
  if (out_box != NULL)
    *out_box = shape->box;
  return TRUE;
}

/**
 * gis_query_spatial_eval:
 * @store: the store, used on this thread
 * @target: the layer whose features are selected
 * @spec: the condition (DISJOINT is evaluated as INTERSECTS)
 * @progress: (nullable): called now and then
 * @progress_data: its data
 * @progress_from: the fraction of the whole work this part starts at
 * @progress_to: and ends at
 * @cancellable: (nullable): stops the work
 * @error: return location for an error
 *
 * Returns: (transfer full) (element-type gint64): the fids of @target the
 *   condition holds for, ascending, each once
 */
static GArray *
spatial_eval (GisStore              *store,
              GisLayer              *target,
              const GisSpatialSpec  *spec,
              GArray                *pairs,
              GisProgressFunc        progress,
              gpointer               progress_data,
              double                 progress_from,
              double                 progress_to,
              GCancellable          *cancellable,
              GError               **error)
{
  g_autoptr(GisCrs) storage = gis_crs_new_storage ();
  g_autoptr(GisCrs) analysis = gis_crs_new_analysis ();
  g_autoptr(GisTransform) to_analysis = NULL;
  g_autoptr(GisTransform) from_analysis = NULL;
  g_autoptr(GArray) out = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(Shape) single_ref = NULL;
  g_autoptr(GHashTable) ref_cache = NULL;
  sqlite3_stmt *stmts[4] = { NULL, NULL, NULL, NULL };
  g_autoptr(sqlite3_stmt) scan = NULL;
  Eval ev = { 0 };
  GisSpatialSpec local_spec = *spec;
  gboolean ok = FALSE;
  gint64 n_refs = 1, n_targets = gis_layer_get_feature_count (target);

  if (local_spec.op == GIS_SPATIAL_DISJOINT)
    local_spec.op = GIS_SPATIAL_INTERSECTS;

  to_analysis = gis_transform_new (storage, analysis, error);
  if (to_analysis == NULL)
    return NULL;
  from_analysis = gis_transform_new (analysis, storage, error);
  if (from_analysis == NULL)
    return NULL;

  ev.store = store;
  ev.db = gis_store_get_db (store);
  ev.target = target;
  ev.spec = &local_spec;
  ev.target_points = gis_layer_is_point_layer (target);
  ev.to_analysis = to_analysis;
  ev.from_analysis = from_analysis;
  ev.out = out;
  ev.pairs = pairs;
  ref_cache = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, (GDestroyNotify) shape_free);
  ev.ref_cache = ref_cache;

  if ((ev.target_window = stmts[0] = prepare_window (&ev, target, error)) == NULL ||
      (ev.target_geom = stmts[1] = prepare_fetch (&ev, target, error)) == NULL)
    goto out;

  if (spec->ref_wkt != NULL)
    {
      GEOSGeometry *g = read_wkt (spec->ref_wkt);

      if (g == NULL || (single_ref = shape_from_geos (g)) == NULL)
        {
          g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT,
                       _("“%s” is not a geometry (WKT in longitude and latitude)"), spec->ref_wkt);
          goto out;
        }
    }
  else
    {
      g_autofree char *qr = gis_sql_quote_ident (gis_layer_get_table_name (spec->ref_layer));
      g_autofree char *sql = NULL;

      n_refs = gis_layer_get_feature_count (spec->ref_layer);
      ev.ref_points = gis_layer_is_point_layer (spec->ref_layer);
      if ((ev.ref_window = stmts[2] = prepare_window (&ev, spec->ref_layer, error)) == NULL ||
          (ev.ref_geom = stmts[3] = prepare_fetch (&ev, spec->ref_layer, error)) == NULL)
        goto out;

      /* walk the smaller side; nearest N always walks the references */
      if (local_spec.op != GIS_SPATIAL_NEAREST && n_targets < n_refs)
        {
          g_autofree char *qt = gis_sql_quote_ident (gis_layer_get_table_name (target));

          sql = g_strdup_printf ("SELECT fid, geom FROM %s WHERE geom IS NOT NULL", qt);
        }
      else
        sql = g_strdup_printf ("SELECT fid, geom FROM %s WHERE geom IS NOT NULL", qr);
      scan = gis_sql_prepare (ev.db, sql, error);
      if (scan == NULL)
        goto out;
    }

  if (local_spec.op == GIS_SPATIAL_NEAREST)
    ok = eval_nearest (&ev, scan, single_ref, n_refs, progress, progress_data,
                       progress_from, progress_to, cancellable, error);
  else if (single_ref == NULL && n_targets < n_refs)
    ok = eval_from_targets (&ev, scan, n_targets, progress, progress_data,
                            progress_from, progress_to, cancellable, error);
  else
    ok = eval_from_refs (&ev, scan, single_ref, n_refs, progress, progress_data,
                         progress_from, progress_to, cancellable, error);

  if (ok && ev.failed_test)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_FAILED,
                   _("A geometry of layer “%s” or of the reference could not be tested; is it valid?"),
                   gis_layer_get_name (target));
      ok = FALSE;
    }

out:
  g_hash_table_remove_all (ref_cache);
  for (guint i = 0; i < G_N_ELEMENTS (stmts); i++)
    g_clear_pointer (&stmts[i], sqlite3_finalize);
  if (!ok)
    return NULL;

  /* ascending, each once */
  g_array_sort (out, compare_fids);
  if (out->len > 1)
    {
      guint w = 1;

      for (guint i = 1; i < out->len; i++)
        if (g_array_index (out, gint64, i) != g_array_index (out, gint64, w - 1))
          g_array_index (out, gint64, w++) = g_array_index (out, gint64, i);
      g_array_set_size (out, w);
    }
  return g_steal_pointer (&out);
}

GArray *
gis_query_spatial_eval (GisStore              *store,
                        GisLayer              *target,
                        const GisSpatialSpec  *spec,
                        GisProgressFunc        progress,
                        gpointer               progress_data,
                        double                 progress_from,
                        double                 progress_to,
                        GCancellable          *cancellable,
                        GError               **error)
{
  return spatial_eval (store, target, spec, NULL, progress, progress_data,
                       progress_from, progress_to, cancellable, error);
}

static int
compare_pairs (gconstpointer a,
               gconstpointer b)
{
  const GisFidPair *x = a, *y = b;

  if (x->target != y->target)
    return x->target < y->target ? -1 : 1;
  return x->ref < y->ref ? -1 : x->ref > y->ref;
}

/**
 * gis_query_spatial_pairs:
 *
 * Like gis_query_spatial_eval(), but every (target, reference) pair the
 * condition holds for (INSIDE, INTERSECTS or WITHIN against a layer).
 *
 * Returns: (transfer full) (element-type GisFidPair): the pairs, by target
 *   then reference
 */
GArray *
gis_query_spatial_pairs (GisStore              *store,
                         GisLayer              *target,
                         const GisSpatialSpec  *spec,
                         GCancellable          *cancellable,
                         GError               **error)
{
  g_autoptr(GArray) pairs = g_array_new (FALSE, FALSE, sizeof (GisFidPair));
  g_autoptr(GArray) fids = NULL;

  g_return_val_if_fail (spec->ref_layer != NULL, NULL);
  g_return_val_if_fail (spec->op == GIS_SPATIAL_INSIDE || spec->op == GIS_SPATIAL_INTERSECTS ||
                        spec->op == GIS_SPATIAL_WITHIN, NULL);

  fids = spatial_eval (store, target, spec, pairs, NULL, NULL, 0, 1, cancellable, error);
  if (fids == NULL)
    return NULL;
  g_array_sort (pairs, compare_pairs);
  return g_steal_pointer (&pairs);
}

/**
 * gis_query_nearest_distances:
 * @store: the store, used on this thread
 * @from: a layer
 * @fids: (element-type gint64): some of its features
 * @to: another layer (or the same)
 * @mode: how distances are measured
 * @out_m: (out caller-allocates) (array): for each of @fids, the distance in
 *   metres to the nearest feature of @to, or -1 (no geometry, @to empty)
 * @cancellable: (nullable): stops the work
 * @error: return location for an error
 *
 * Returns: %TRUE on success
 */
gboolean
gis_query_nearest_distances (GisStore         *store,
                             GisLayer         *from,
                             GArray           *fids,
                             GisLayer         *to,
                             GisDistanceMode   mode,
                             double           *out_m,
                             GCancellable     *cancellable,
                             GError          **error)
{
  g_autoptr(GisCrs) storage = gis_crs_new_storage ();
  g_autoptr(GisCrs) analysis = gis_crs_new_analysis ();
  g_autoptr(GisTransform) to_analysis = NULL;
  g_autoptr(GisTransform) from_analysis = NULL;
  g_autoptr(GArray) out = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(sqlite3_stmt) window = NULL;
  g_autoptr(sqlite3_stmt) fetch_to = NULL;
  g_autoptr(sqlite3_stmt) fetch_from = NULL;
  GisSpatialSpec spec = { GIS_SPATIAL_NEAREST, mode, 0, 1, to, NULL };
  const GisExtent *all = gis_layer_get_extent (to);
  gint64 n_to = MAX (1, gis_layer_get_feature_count (to));
  double w, h, start_m;
  Eval ev = { 0 };

  to_analysis = gis_transform_new (storage, analysis, error);
  if (to_analysis == NULL)
    return FALSE;
  from_analysis = gis_transform_new (analysis, storage, error);
  if (from_analysis == NULL)
    return FALSE;

  ev.store = store;
  ev.db = gis_store_get_db (store);
  ev.target = to;
  ev.spec = &spec;
  ev.to_analysis = to_analysis;
  ev.from_analysis = from_analysis;
  ev.out = out;
  if ((window = prepare_window (&ev, to, error)) == NULL ||
      (fetch_to = prepare_fetch (&ev, to, error)) == NULL ||
      (fetch_from = prepare_fetch (&ev, from, error)) == NULL)
    return FALSE;
  ev.target_window = window;
  ev.target_geom = fetch_to;

  w = (all->max_x - all->min_x) * METERS_PER_DEGREE_LON_EQ * cos (G_PI / 4);
  h = (all->max_y - all->min_y) * METERS_PER_DEGREE_LAT_MIN;
  start_m = sqrt (MAX (w * h, 1.0) / (G_PI * n_to));

  for (guint i = 0; i < fids->len; i++)
    {
      Side side = { .fid = g_array_index (fids, gint64, i), .fetch = fetch_from };
      Shape *shape = side_shape (&side);

      out_m[i] = -1;
      if (shape != NULL && gis_layer_get_feature_count (to) > 0 &&
          !nearest_to (&ev, shape, start_m, &out_m[i], error))
        {
          side_clear (&side);
          return FALSE;
        }
      side_clear (&side);
      g_array_set_size (out, 0);
      if (i % CHECK_EVERY == 0 && g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
    }
  return TRUE;
}
