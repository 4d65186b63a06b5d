/* gis-feature-query.c: identify, box selection and single features
 *
 * Every search goes through the layer's R*Tree (idx_<table>_geom) for
 * candidates, then tests each candidate exactly:
 *
 * - points and lines: the geodesic distance on the WGS 84 ellipsoid
 *   (PROJ's geod_inverse()).  For a segment, the nearest point is found in
 *   a plane tangent at the clicked point (east and north metres from the
 *   ellipsoid's radii of curvature there), then measured geodesically;
 *   segments are straight in lon/lat, as SpatiaLite and GEOS draw them.
 * - polygons: whether they contain the point, boundary included (GEOS,
 *   with the calling thread's handle).
 *
 * The R*Tree stores float32 boxes rounded outwards, so it never misses a
 * candidate; the exact tests use the geometry's own doubles.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "gis-feature-query"

#include "config.h"

#include <geodesic.h>
#include <glib/gi18n-lib.h>
#include <inttypes.h>
#include <math.h>
#include <string.h>

#include "gis-blob-private.h"
#include "gis-cursor.h"
#include "gis-error.h"
#include "gis-feature-query.h"
#include "gis-features-private.h"
#include "gis-sql-private.h"
#include "gis-store-private.h"
#include "gis-thread-private.h"

/* WGS 84 */
#define WGS84_A  6378137.0
#define WGS84_F  (1.0 / 298.257223563)
#define DEG      (G_PI / 180.0)

/* Smallest metres per degree anywhere on the ellipsoid: of latitude at
 * the equator (a (1 - e²) π/180), of longitude along the equator (a π/180,
 * times cos φ elsewhere). */
#define MIN_M_PER_DEG_LAT 110574.0
#define MIN_M_PER_DEG_LON 111319.0

static void
free_geos_geometry (GEOSGeometry *geometry)
{
  GEOSGeom_destroy_r (gis_thread_get_geos (), geometry);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GEOSGeometry, free_geos_geometry)

/* ---- geodesy -------------------------------------------------------- */

static const struct geod_geodesic *
get_wgs84 (void)
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
geodesic_distance (double lon1,
                   double lat1,
                   double lon2,
                   double lat2)
{
  double s12 = 0.0;

  geod_inverse (get_wgs84 (), lat1, lon1, lat2, lon2, &s12, NULL, NULL);
  return s12;
}

static double
wrap180 (double lon)
{
  while (lon < -180.0)
    lon += 360.0;
  while (lon >= 180.0)
    lon -= 360.0;
  return lon;
}

/* The point searched from, and the local plane around it. */
typedef struct
{
  double lon;
  double lat;
  double kx;          /* metres per degree of longitude at lat */
  double ky;          /* metres per degree of latitude at lat */
  double tolerance_m;
} Probe;

static void
probe_init (Probe  *probe,
            double  lon,
            double  lat,
            double  tolerance_m)
{
  double e2 = WGS84_F * (2.0 - WGS84_F);
  double s = sin (lat * DEG);
  double w = 1.0 - e2 * s * s;
  double n = WGS84_A / sqrt (w);               /* prime vertical radius */
  double m = WGS84_A * (1.0 - e2) / (w * sqrt (w));   /* meridian radius */

  probe->lon = lon;
  probe->lat = lat;
  probe->kx = MAX (n * cos (lat * DEG) * DEG, 1e-6);
  probe->ky = m * DEG;
  probe->tolerance_m = tolerance_m;
}

/* Geodesic distance from the probe to the segment (lon1, lat1)-(lon2,
 * lat2), or G_MAXDOUBLE when it is certainly farther than @bound_m. */
static double
segment_distance (const Probe *probe,
                  double       lon1,
                  double       lat1,
                  double       lon2,
                  double       lat2,
                  double       bound_m)
{
  double ax = wrap180 (lon1 - probe->lon) * probe->kx;
  double ay = (lat1 - probe->lat) * probe->ky;
  double bx = wrap180 (lon2 - probe->lon) * probe->kx;
  double by = (lat2 - probe->lat) * probe->ky;
  double dx = bx - ax, dy = by - ay;
  double len2 = dx * dx + dy * dy;
  double t = 0.0, cx, cy;

  if (len2 > 0.0)
    t = CLAMP (-(ax * dx + ay * dy) / len2, 0.0, 1.0);
  cx = ax + t * dx;
  cy = ay + t * dy;

  /* The plane is within a few per cent of the ellipsoid this close. */
  if (hypot (cx, cy) > 1.05 * bound_m + 1.0)
    return G_MAXDOUBLE;

  return geodesic_distance (probe->lon, probe->lat,
                            probe->lon + cx / probe->kx, probe->lat + cy / probe->ky);
}

/* ---- WKB ----------------------------------------------------------- */

typedef struct
{
  const guint8 *p;
  const guint8 *end;
} WkbReader;

typedef struct
{
  const Probe *probe;
  double       distance_m;     /* to the nearest point or line part */
  gboolean     has_polygon;
} WkbDistance;

static gboolean
wkb_read_u32 (WkbReader *r,
              gboolean   little,
              guint32   *out)
{
  guint32 v;

  if (r->end - r->p < 4)
    return FALSE;
  memcpy (&v, r->p, 4);
  r->p += 4;
  *out = little ? GUINT32_FROM_LE (v) : GUINT32_FROM_BE (v);
  return TRUE;
}

static gboolean
wkb_read_xy (WkbReader *r,
             gboolean   little,
             guint      dims,
             double    *x,
             double    *y)
{
  guint64 bits[2];

  if ((gsize) (r->end - r->p) < 8 * dims)
    return FALSE;
  memcpy (bits, r->p, 16);
  r->p += 8 * dims;
  bits[0] = little ? GUINT64_FROM_LE (bits[0]) : GUINT64_FROM_BE (bits[0]);
  bits[1] = little ? GUINT64_FROM_LE (bits[1]) : GUINT64_FROM_BE (bits[1]);
  memcpy (x, &bits[0], 8);
  memcpy (y, &bits[1], 8);
  return TRUE;
}

/* Walks one geometry, keeping the distance to its points and lines and
 * noting whether it has polygons.  Returns FALSE on malformed WKB. */
static gboolean
wkb_walk (WkbReader   *r,
          WkbDistance *wd,
          guint        depth)
{
  gboolean little;
  guint32 type, n;
  guint dims = 2;

  if (depth > 32 || r->p >= r->end)
    return FALSE;

  little = *r->p++ == 1;
  if (!wkb_read_u32 (r, little, &type))
    return FALSE;

  /* EWKB flags, then ISO dimensions */
  if (type & 0x80000000)
    dims++;
  if (type & 0x40000000)
    dims++;
  if (type & 0x20000000)
    {
      guint32 srid;

      if (!wkb_read_u32 (r, little, &srid))
        return FALSE;
    }
  type &= 0x0fffffff;
  switch (type / 1000)
    {
    case 1: case 2: dims = 3; break;
    case 3: dims = 4; break;
    default: break;
    }
  type %= 1000;

  switch (type)
    {
    case 1:   /* point */
      {
        double x, y;

        if (!wkb_read_xy (r, little, dims, &x, &y))
          return FALSE;
        if (!isnan (x) && !isnan (y))
          wd->distance_m = MIN (wd->distance_m,
                                geodesic_distance (wd->probe->lon, wd->probe->lat, x, y));
        return TRUE;
      }

    case 2:   /* linestring */
      {
        double x0 = 0.0, y0 = 0.0;

        if (!wkb_read_u32 (r, little, &n))
          return FALSE;
        if ((gsize) (r->end - r->p) / (8 * dims) < n)
          return FALSE;
        for (guint32 i = 0; i < n; i++)
          {
            double x, y;

            if (!wkb_read_xy (r, little, dims, &x, &y))
              return FALSE;
            if (n == 1)
              wd->distance_m = MIN (wd->distance_m,
                                    geodesic_distance (wd->probe->lon, wd->probe->lat, x, y));
            else if (i > 0)
              {
                double bound = MIN (wd->distance_m, wd->probe->tolerance_m);

                wd->distance_m = MIN (wd->distance_m,
                                      segment_distance (wd->probe, x0, y0, x, y, bound));
              }
            x0 = x;
            y0 = y;
          }
        return TRUE;
      }

    case 3:   /* polygon: tested with GEOS */
      wd->has_polygon = TRUE;
      if (!wkb_read_u32 (r, little, &n))
        return FALSE;
      for (guint32 i = 0; i < n; i++)
        {
          guint32 n_points;

          if (!wkb_read_u32 (r, little, &n_points))
            return FALSE;
          if ((gsize) (r->end - r->p) / (8 * dims) < n_points)
            return FALSE;
          r->p += (gsize) n_points * 8 * dims;
        }
      return TRUE;

    case 4: case 5: case 6: case 7:   /* multi and collections */
      if (!wkb_read_u32 (r, little, &n))
        return FALSE;
      for (guint32 i = 0; i < n; i++)
        if (!wkb_walk (r, wd, depth + 1))
          return FALSE;
      return TRUE;

    default:
      return FALSE;
    }
}

static GEOSGeometry *
geos_from_wkb (GEOSContextHandle_t  geos,
               const guint8        *wkb,
               gsize                len)
{
  return GEOSGeomFromWKB_buf_r (geos, wkb, len);
}

/* ---- reading features ---------------------------------------------- */

typedef struct
{
  GisLayer     *layer;       /* borrowed */
  GPtrArray    *fields;      /* GisField: the attributes */
  sqlite3_stmt *stmt;
  gboolean      has_geometry;
} FeatureReader;

static void
feature_reader_clear (FeatureReader *fr)
{
  g_clear_pointer (&fr->fields, g_ptr_array_unref);
  g_clear_pointer (&fr->stmt, sqlite3_finalize);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (FeatureReader, feature_reader_clear)

static gboolean
feature_reader_init (FeatureReader  *fr,
                     GisStore       *store,
                     GisLayer       *layer,
                     GError        **error)
{
  g_autoptr(GString) sql = g_string_new ("SELECT fid, ");
  g_autofree char *qt = NULL;
  GPtrArray *columns;

  columns = gis_features_get_columns (store, layer, &fr->has_geometry, error);
  if (columns == NULL)
    return FALSE;
  /* Drop the leading "fid": a feature's fields are its attributes. */
  g_ptr_array_remove_index (columns, 0);
  fr->fields = columns;
  fr->layer = layer;

  g_string_append (sql, fr->has_geometry ? "geom" : "NULL");
  for (guint i = 0; i < fr->fields->len; i++)
    {
      g_autofree char *qc = gis_sql_quote_ident (((GisField *) g_ptr_array_index (fr->fields, i))->name);

      g_string_append_printf (sql, ", %s", qc);
    }
  qt = gis_sql_quote_ident (gis_layer_get_table_name (layer));
  g_string_append_printf (sql, " FROM %s WHERE fid = ?1", qt);

  fr->stmt = gis_sql_prepare (gis_store_get_db (store), sql->str, error);
  return fr->stmt != NULL;
}

static void
variant_unref_nullable (gpointer value)
{
  if (value != NULL)
    g_variant_unref (value);
}

static GisFeature *
feature_reader_read (FeatureReader  *fr,
                     gint64          fid,
                     GError        **error)
{
  g_autoptr(GPtrArray) values = NULL;
  g_autoptr(GBytes) wkb = NULL;
  GisExtent extent;
  int rc;

  sqlite3_reset (fr->stmt);
  sqlite3_bind_int64 (fr->stmt, 1, fid);
  rc = sqlite3_step (fr->stmt);
  if (rc == SQLITE_DONE)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_NOT_FOUND,
                   _("Layer “%s” has no feature %" PRId64),
                   gis_layer_get_name (fr->layer), (int64_t) fid);
      return NULL;
    }
  if (rc != SQLITE_ROW)
    {
      gis_sql_set_error (error, sqlite3_db_handle (fr->stmt), rc, gis_layer_get_name (fr->layer));
      return NULL;
    }

  gis_extent_init_empty (&extent);
  if (sqlite3_column_type (fr->stmt, 1) == SQLITE_BLOB)
    {
      const guint8 *blob = sqlite3_column_blob (fr->stmt, 1);
      gsize blob_len = sqlite3_column_bytes (fr->stmt, 1);
      gsize wkb_len = 0;
      guint8 *data = gis_blob_to_wkb (blob, blob_len, &wkb_len, NULL);
      double mbr[4];

      if (data != NULL)
        wkb = g_bytes_new_take (data, wkb_len);
      if (data != NULL && gis_blob_get_mbr (blob, blob_len, mbr))
        {
          gis_extent_add_point (&extent, mbr[0], mbr[1]);
          gis_extent_add_point (&extent, mbr[2], mbr[3]);
        }
    }

  values = g_ptr_array_new_full (fr->fields->len, variant_unref_nullable);
  for (guint i = 0; i < fr->fields->len; i++)
    g_ptr_array_add (values, gis_features_column_to_variant (fr->stmt, (int) i + 2));

  return gis_feature_new (fr->layer, fid, fr->fields, values, wkb, &extent);
}

static gboolean
check_layer (GisStore  *store,
             GisLayer  *layer,
             GError   **error)
{
  const char *table = gis_layer_get_table_name (layer);

  if (table == NULL || !gis_sql_table_exists (gis_store_get_db (store), table))
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_NOT_FOUND,
                   _("Layer “%s” has no table of features in “%s”"),
                   gis_layer_get_name (layer), gis_store_get_path (store));
      return FALSE;
    }
  return TRUE;
}

static gboolean
has_geometry (GisStore *store,
              GisLayer *layer)
{
  return gis_sql_column_exists (gis_store_get_db (store), gis_layer_get_table_name (layer), "geom");
}

/* Candidates whose box meets (?1 min_x, ?2 max_x, ?3 min_y, ?4 max_y):
 * from the R*Tree, or from every row when the layer has none. */
static sqlite3_stmt *
prepare_candidates (GisStore  *store,
                    GisLayer  *layer,
                    GError   **error)
{
  sqlite3 *db = gis_store_get_db (store);
  const char *table = gis_layer_get_table_name (layer);
  g_autofree char *index = g_strdup_printf ("idx_%s_geom", table);
  g_autofree char *qt = gis_sql_quote_ident (table);
  g_autofree char *qi = gis_sql_quote_ident (index);
  g_autofree char *sql = NULL;

  if (gis_sql_table_exists (db, index))
    sql = g_strdup_printf ("SELECT fid, geom FROM %s WHERE fid IN "
                           "(SELECT pkid FROM %s WHERE xmax >= ?1 AND xmin <= ?2 "
                           " AND ymax >= ?3 AND ymin <= ?4)",
                           qt, qi);
  else
    sql = g_strdup_printf ("SELECT fid, geom FROM %s WHERE geom IS NOT NULL "
                           "AND MbrMaxX (geom) >= ?1 AND MbrMinX (geom) <= ?2 "
                           "AND MbrMaxY (geom) >= ?3 AND MbrMinY (geom) <= ?4",
                           qt);

  return gis_sql_prepare (db, sql, error);
}

/* ---- identify ------------------------------------------------------ */

typedef struct
{
  gint64   fid;
  double   distance_m;
  double   area;          /* of a polygon containing the point, in deg² */
  gboolean inside;
} Hit;

static int
compare_hits (gconstpointer a,
              gconstpointer b)
{
  const Hit *ha = a, *hb = b;

  if (ha->distance_m != hb->distance_m)
    return ha->distance_m < hb->distance_m ? -1 : 1;
  /* Nested polygons: the innermost first. */
  if (ha->area != hb->area)
    return ha->area < hb->area ? -1 : 1;
  return (ha->fid > hb->fid) - (ha->fid < hb->fid);
}

/* Tests one candidate; fills @hit and returns TRUE if it is found. */
static gboolean
test_candidate (const Probe  *probe,
                const guint8 *wkb,
                gsize         wkb_len,
                Hit          *hit)
{
  WkbDistance wd = { probe, G_MAXDOUBLE, FALSE };
  WkbReader reader = { wkb, wkb + wkb_len };

  if (!wkb_walk (&reader, &wd, 0))
    return FALSE;

  hit->distance_m = wd.distance_m;
  hit->area = 0.0;
  hit->inside = FALSE;

  if (wd.has_polygon)
    {
      GEOSContextHandle_t geos = gis_thread_get_geos ();
      g_autoptr(GEOSGeometry) geometry = geos_from_wkb (geos, wkb, wkb_len);
      g_autoptr(GEOSGeometry) point = NULL;

      if (geometry == NULL)
        return FALSE;
      point = GEOSGeom_createPointFromXY_r (geos, probe->lon, probe->lat);
      if (GEOSIntersects_r (geos, geometry, point) == 1)
        {
          hit->inside = TRUE;
          hit->distance_m = 0.0;
          if (GEOSArea_r (geos, geometry, &hit->area) != 1)
            hit->area = 0.0;
        }
    }

  return hit->inside || hit->distance_m <= probe->tolerance_m;
}

/**
 * gis_store_identify:
 * @store: a store
 * @layer: one of its layers
 * @lon: longitude of the point, degrees (EPSG:4326)
 * @lat: latitude of the point, degrees
 * @tolerance_m: how far from the point, in metres, points and lines are
 *   found
 * @max_features: at most this many features, the nearest; 0 for all
 * @error: return location for a #GIS_ERROR error
 *
 * Finds the features of @layer at a point: polygons that contain it
 * (boundary included) and points and lines within @tolerance_m of it,
 * measured geodesically.  Features come with all their attributes,
 * nearest first (polygons: the smallest first), and say how far they are
 * (gis_feature_get_distance_m()).  A layer without geometry finds
 * nothing.
 *
 * Returns: (transfer full) (element-type GisFeature) (nullable): the
 *   features found, maybe none; %NULL on error
 */
GPtrArray *
gis_store_identify (GisStore  *store,
                    GisLayer  *layer,
                    double     lon,
                    double     lat,
                    double     tolerance_m,
                    guint      max_features,
                    GError   **error)
{
  g_autoptr(GPtrArray) features = NULL;
  g_autoptr(GArray) hits = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GHashTable) seen = NULL;
  g_auto(FeatureReader) reader = { 0 };
  double ranges[2][2];
  guint n_ranges = 0;
  double dlat, dlon, phi_max, min_y, max_y;
  Probe probe;
  int rc;

  g_return_val_if_fail (GIS_IS_STORE (store), NULL);
  g_return_val_if_fail (GIS_IS_LAYER (layer), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!isfinite (lon) || !isfinite (lat) || lat < -90.0 || lat > 90.0 ||
      !isfinite (tolerance_m) || tolerance_m < 0.0)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT,
                   _("Cannot identify at longitude %g, latitude %g within %g m"),
                   lon, lat, tolerance_m);
      return NULL;
    }

  if (!check_layer (store, layer, error))
    return NULL;

  features = g_ptr_array_new_with_free_func (g_object_unref);
  if (!has_geometry (store, layer))
    return g_steal_pointer (&features);

  lon = wrap180 (lon);
  probe_init (&probe, lon, lat, tolerance_m);

  /* The search box, with a margin for rounding. */
  dlat = tolerance_m / MIN_M_PER_DEG_LAT * 1.01 + 1e-9;
  min_y = MAX (lat - dlat, -90.0);
  max_y = MIN (lat + dlat, 90.0);
  phi_max = MIN (fabs (lat) + dlat, 90.0);
  dlon = 180.0;
  if (phi_max < 89.999999)
    dlon = tolerance_m / (MIN_M_PER_DEG_LON * cos (phi_max * DEG)) * 1.01 + 1e-9;
  if (dlon >= 180.0)
    {
      ranges[0][0] = -180.0;
      ranges[0][1] = 180.0;
      n_ranges = 1;
    }
  else
    {
      /* Across the antimeridian, the box is two boxes. */
      ranges[n_ranges][0] = MAX (lon - dlon, -180.0);
      ranges[n_ranges][1] = MIN (lon + dlon, 180.0);
      n_ranges++;
      if (lon - dlon < -180.0)
        {
          ranges[n_ranges][0] = lon - dlon + 360.0;
          ranges[n_ranges][1] = 180.0;
          n_ranges++;
        }
      else if (lon + dlon > 180.0)
        {
          ranges[n_ranges][0] = -180.0;
          ranges[n_ranges][1] = lon + dlon - 360.0;
          n_ranges++;
        }
    }

  stmt = prepare_candidates (store, layer, error);
  if (stmt == NULL)
    return NULL;

  hits = g_array_new (FALSE, FALSE, sizeof (Hit));
  if (n_ranges > 1)
    seen = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);

  for (guint r = 0; r < n_ranges; r++)
    {
      sqlite3_reset (stmt);
      sqlite3_bind_double (stmt, 1, ranges[r][0]);
      sqlite3_bind_double (stmt, 2, ranges[r][1]);
      sqlite3_bind_double (stmt, 3, min_y);
      sqlite3_bind_double (stmt, 4, max_y);

      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        {
          gint64 fid = sqlite3_column_int64 (stmt, 0);
          const guint8 *blob = sqlite3_column_blob (stmt, 1);
          gsize blob_len = sqlite3_column_bytes (stmt, 1);
          g_autofree guint8 *wkb = NULL;
          gsize wkb_len = 0;
          Hit hit = { fid, 0.0, 0.0, FALSE };

          if (seen != NULL)
            {
              if (g_hash_table_contains (seen, &fid))
                continue;
              g_hash_table_add (seen, g_memdup2 (&fid, sizeof fid));
            }

          wkb = gis_blob_to_wkb (blob, blob_len, &wkb_len, NULL);
          if (wkb == NULL)
            continue;

          if (test_candidate (&probe, wkb, wkb_len, &hit))
            g_array_append_val (hits, hit);
        }

      if (rc != SQLITE_DONE)
        {
          gis_sql_set_error (error, gis_store_get_db (store), rc, gis_layer_get_name (layer));
          return NULL;
        }
    }

  g_array_sort (hits, compare_hits);
  if (max_features > 0 && hits->len > max_features)
    g_array_set_size (hits, max_features);

  if (hits->len == 0)
    return g_steal_pointer (&features);

  if (!feature_reader_init (&reader, store, layer, error))
    return NULL;

  for (guint i = 0; i < hits->len; i++)
    {
      const Hit *hit = &g_array_index (hits, Hit, i);
      GisFeature *feature = feature_reader_read (&reader, hit->fid, error);

      if (feature == NULL)
        return NULL;
      gis_feature_set_hit (feature, hit->distance_m, hit->inside);
      g_ptr_array_add (features, feature);
    }

  return g_steal_pointer (&features);
}

/* ---- box selection --------------------------------------------------- */

static int
compare_fids (gconstpointer a,
              gconstpointer b)
{
  gint64 fa = *(const gint64 *) a, fb = *(const gint64 *) b;

  return (fa > fb) - (fa < fb);
}

/**
 * gis_store_select_in_box:
 * @store: a store
 * @layer: one of its layers
 * @lonlat_box: a box in EPSG:4326, min_x ≤ max_x (split a box across the
 *   antimeridian in two calls)
 * @out_fids: (element-type gint64): receives the ids of the features that
 *   intersect the box (touching counts), ascending; what it held before
 *   is replaced
 * @error: return location for a #GIS_ERROR error
 *
 * Returns: %TRUE on success
 */
gboolean
gis_store_select_in_box (GisStore         *store,
                         GisLayer         *layer,
                         const GisExtent  *lonlat_box,
                         GArray           *out_fids,
                         GError          **error)
{
  GEOSContextHandle_t geos;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GEOSGeometry) box_geometry = NULL;
  const GEOSPreparedGeometry *prepared = NULL;
  GisExtent box;
  int rc;

  g_return_val_if_fail (GIS_IS_STORE (store), FALSE);
  g_return_val_if_fail (GIS_IS_LAYER (layer), FALSE);
  g_return_val_if_fail (lonlat_box != NULL, FALSE);
  g_return_val_if_fail (out_fids != NULL, FALSE);
  g_return_val_if_fail (g_array_get_element_size (out_fids) == sizeof (gint64), FALSE);

  g_array_set_size (out_fids, 0);
  box = *lonlat_box;

  if (!isfinite (box.min_x) || !isfinite (box.min_y) ||
      !isfinite (box.max_x) || !isfinite (box.max_y) ||
      box.min_x > box.max_x || box.min_y > box.max_y)
    {
      g_set_error_literal (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT,
                           _("Cannot select in an empty or invalid box"));
      return FALSE;
    }

  if (!check_layer (store, layer, error))
    return FALSE;
  if (!has_geometry (store, layer))
    return TRUE;

  stmt = prepare_candidates (store, layer, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_double (stmt, 1, box.min_x);
  sqlite3_bind_double (stmt, 2, box.max_x);
  sqlite3_bind_double (stmt, 3, box.min_y);
  sqlite3_bind_double (stmt, 4, box.max_y);

  geos = gis_thread_get_geos ();
  box_geometry = GEOSGeom_createRectangle_r (geos, box.min_x, box.min_y, box.max_x, box.max_y);
  if (box_geometry == NULL || (prepared = GEOSPrepare_r (geos, box_geometry)) == NULL)
    {
      g_set_error_literal (error, GIS_ERROR, GIS_ERROR_FAILED,
                           _("Cannot select in a box: the geometry library failed"));
      return FALSE;
    }

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 fid = sqlite3_column_int64 (stmt, 0);
      const guint8 *blob = sqlite3_column_blob (stmt, 1);
      gsize blob_len = sqlite3_column_bytes (stmt, 1);
      double mbr[4];

      if (!gis_blob_get_mbr (blob, blob_len, mbr))
        continue;

      /* Disjoint boxes (the R*Tree's are rounded outwards) */
      if (mbr[2] < box.min_x || mbr[0] > box.max_x ||
          mbr[3] < box.min_y || mbr[1] > box.max_y)
        continue;

      /* A geometry inside the box, or a point (whose box is itself),
       * intersects; the others need an exact test. */
      if (!(mbr[0] >= box.min_x && mbr[2] <= box.max_x &&
            mbr[1] >= box.min_y && mbr[3] <= box.max_y) &&
          !(mbr[0] == mbr[2] && mbr[1] == mbr[3]))
        {
          g_autofree guint8 *wkb = NULL;
          g_autoptr(GEOSGeometry) geometry = NULL;
          gsize wkb_len = 0;

          wkb = gis_blob_to_wkb (blob, blob_len, &wkb_len, NULL);
          if (wkb == NULL || (geometry = geos_from_wkb (geos, wkb, wkb_len)) == NULL)
            continue;
          if (GEOSPreparedIntersects_r (geos, prepared, geometry) != 1)
            continue;
        }

      g_array_append_val (out_fids, fid);
    }

  GEOSPreparedGeom_destroy_r (geos, prepared);

  if (rc != SQLITE_DONE)
    {
      gis_sql_set_error (error, gis_store_get_db (store), rc, gis_layer_get_name (layer));
      g_array_set_size (out_fids, 0);
      return FALSE;
    }

  g_array_sort (out_fids, compare_fids);
  return TRUE;
}

/* ---- extent and single features ------------------------------------- */

/**
 * gis_store_get_extent_of_fids:
 * @store: a store
 * @layer: one of its layers
 * @fids: (array length=n_fids): feature ids
 * @n_fids: how many
 * @out_extent: (out): the box around the geometries of those features in
 *   EPSG:4326; empty when none has a geometry
 * @error: return location for a #GIS_ERROR error
 *
 * For "zoom to selection".  Ids without a feature are skipped.
 *
 * Returns: %TRUE on success
 */
gboolean
gis_store_get_extent_of_fids (GisStore      *store,
                              GisLayer      *layer,
                              const gint64  *fids,
                              gsize          n_fids,
                              GisExtent     *out_extent,
                              GError       **error)
{
  g_autoptr(GString) sql = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *qt = NULL;
  GisExtent extent;

  g_return_val_if_fail (GIS_IS_STORE (store), FALSE);
  g_return_val_if_fail (GIS_IS_LAYER (layer), FALSE);
  g_return_val_if_fail (fids != NULL || n_fids == 0, FALSE);
  g_return_val_if_fail (out_extent != NULL, FALSE);

  gis_extent_init_empty (&extent);
  *out_extent = extent;

  if (!check_layer (store, layer, error))
    return FALSE;
  if (n_fids == 0 || !has_geometry (store, layer))
    return TRUE;

  qt = gis_sql_quote_ident (gis_layer_get_table_name (layer));
  sql = g_string_new (NULL);
  g_string_append_printf (sql, "SELECT geom FROM %s WHERE fid IN (?1", qt);
  for (guint i = 2; i <= GIS_FEATURES_IN_CHUNK; i++)
    g_string_append_printf (sql, ", ?%u", i);
  g_string_append (sql, ")");

  stmt = gis_sql_prepare (gis_store_get_db (store), sql->str, error);
  if (stmt == NULL)
    return FALSE;

  for (gsize start = 0; start < n_fids; start += GIS_FEATURES_IN_CHUNK)
    {
      gsize n = MIN (n_fids - start, GIS_FEATURES_IN_CHUNK);
      int rc;

      sqlite3_reset (stmt);
      sqlite3_clear_bindings (stmt);
      for (gsize i = 0; i < n; i++)
        sqlite3_bind_int64 (stmt, (int) i + 1, fids[start + i]);

      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        {
          double mbr[4];

          if (gis_blob_get_mbr (sqlite3_column_blob (stmt, 0), sqlite3_column_bytes (stmt, 0), mbr))
            {
              gis_extent_add_point (&extent, mbr[0], mbr[1]);
              gis_extent_add_point (&extent, mbr[2], mbr[3]);
            }
        }
      if (rc != SQLITE_DONE)
        {
          gis_sql_set_error (error, gis_store_get_db (store), rc, gis_layer_get_name (layer));
          return FALSE;
        }
    }

  *out_extent = extent;
  return TRUE;
}

/**
 * gis_store_get_feature:
 * @store: a store
 * @layer: one of its layers
 * @fid: a feature id
 * @error: return location for a #GIS_ERROR error (%GIS_ERROR_NOT_FOUND
 *   when there is no such feature)
 *
 * Returns: (transfer full) (nullable): the feature with all its attributes
 */
GisFeature *
gis_store_get_feature (GisStore  *store,
                       GisLayer  *layer,
                       gint64     fid,
                       GError   **error)
{
  g_auto(FeatureReader) reader = { 0 };

  g_return_val_if_fail (GIS_IS_STORE (store), NULL);
  g_return_val_if_fail (GIS_IS_LAYER (layer), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!feature_reader_init (&reader, store, layer, error))
    return NULL;

  return feature_reader_read (&reader, fid, error);
}

/**
 * gis_store_dup_frequent_values:
 * @store: a store
 * @layer: one of its layers
 * @field: one of the layer's columns
 * @max_values: how many values at most
 * @error: return location for an error
 *
 * The distinct non-NULL values of @field as text, most frequent first
 * (ties in text order): the categories a categorized style starts from.
 *
 * Returns: (transfer full): a %NULL-terminated array, or %NULL with
 *   @error set (an unknown field among others)
 */
char **
gis_store_dup_frequent_values (GisStore    *store,
                               GisLayer    *layer,
                               const char  *field,
                               guint        max_values,
                               GError     **error)
{
  g_autoptr(GPtrArray) fields = NULL;
  g_autoptr(GStrvBuilder) values = g_strv_builder_new ();
  g_autoptr(GisCursor) cursor = NULL;
  g_autofree char *qt = NULL;
  g_autofree char *qf = NULL;
  g_autofree char *sql = NULL;
  gboolean known = FALSE;
  GError *local_error = NULL;

  g_return_val_if_fail (GIS_IS_STORE (store), NULL);
  g_return_val_if_fail (GIS_IS_LAYER (layer), NULL);
  g_return_val_if_fail (field != NULL, NULL);

  fields = gis_store_get_fields (store, layer, error);
  if (fields == NULL)
    return NULL;
  for (guint i = 0; i < fields->len && !known; i++)
    known = g_strcmp0 (((GisField *) g_ptr_array_index (fields, i))->name, field) == 0;
  if (!known)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_NOT_FOUND,
                   _("Layer “%s” has no field “%s”"), gis_layer_get_name (layer), field);
      return NULL;
    }

  /* the field is one of the layer's own columns, quoted; the limit is a number */
  qt = gis_sql_quote_ident (gis_layer_get_table_name (layer));
  qf = gis_sql_quote_ident (field);
  sql = g_strdup_printf ("SELECT CAST(%s AS TEXT) AS v, count(*) AS n FROM %s WHERE %s IS NOT NULL "
                         "GROUP BY v ORDER BY n DESC, v LIMIT %u", qf, qt, qf, max_values);
  cursor = gis_store_query (store, sql, error);
  if (cursor == NULL)
    return NULL;
  while (gis_cursor_next (cursor, NULL, &local_error))
    g_strv_builder_add (values, gis_cursor_get_text (cursor, 0));
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return NULL;
    }
  return g_strv_builder_end (values);
}
