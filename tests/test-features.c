/* test-features.c: identify, box selection and the attribute table's model
 *
 * Three layers made here from CSV (points; lines and polygons as WKT) are
 * searched with gis/ and, independently, by brute force over every
 * feature without the spatial index: SpatiaLite's geodesic ST_Distance
 * for points, GEOS distances in an azimuthal equidistant projection
 * centred on the probe (PROJ) for lines, SpatiaLite's ST_Intersects for
 * polygons and boxes.  The model is checked against the same SELECT run
 * separately, and never lets a filter or a sort write to the store.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-features"

#include "config.h"

#include <geos_c.h>
#include <inttypes.h>
#include <math.h>
#include <proj.h>
#include <string.h>

#include "gis.h"
#include "gis-sql-private.h"
#include "gis-store-private.h"
#include "test-util.h"

#define N_POINTS   3000
#define N_LINES    600
#define N_POLYGONS 500
#define TIMEOUT_S  60

static struct
{
  char     *dir;
  char     *path;
  GisStore *store;
  GisLayer *points;
  GisLayer *lines;
  GisLayer *polygons;
  GisLayer *no_geometry;
} data;

/* ---- building the store --------------------------------------------- */

/* A CSV field, quoted when it must be. */
static void
append_csv_field (GString    *csv,
                  const char *value,
                  gboolean    last)
{
  if (value != NULL && strpbrk (value, ",\"\n\r") != NULL)
    {
      g_string_append_c (csv, '"');
      for (const char *p = value; *p != '\0'; p++)
        {
          if (*p == '"')
            g_string_append_c (csv, '"');
          g_string_append_c (csv, *p);
        }
      g_string_append_c (csv, '"');
    }
  else if (value != NULL)
    g_string_append (csv, value);
  g_string_append_c (csv, last ? '\n' : ',');
}

static GisLayer *
import_csv (const char *name,
            const char *csv,
            const char *wkt_field,
            gboolean    no_geometry)
{
  g_autoptr(GisImportOptions) options = gis_import_options_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *file = g_strconcat (name, ".csv", NULL);
  g_autofree char *csv_path = test_write_file (data.dir, file, csv, -1);
  GisLayer *layer;

  options->layer_name = g_strdup (name);
  if (no_geometry)
    options->no_geometry = TRUE;
  else if (wkt_field != NULL)
    options->wkt_field = g_strdup (wkt_field);
  else
    {
      options->x_field = g_strdup ("lon");
      options->y_field = g_strdup ("lat");
    }

  layer = gis_store_import (data.store, csv_path, options, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (layer);
  return layer;
}

static const char *const kinds[] = { "port", "facility", "incident", NULL };
static const char *const words[] = { "alpha", "beta", "gamma", "delta", "río", "Ñandú", "ÉTÉ" };

/* Special rows: names a filter must find exactly, and hostile text. */
static const char *const special_names[] = {
  "Alpha",
  "O'Brien",
  "\"Quoted\" name",
  "'; DROP TABLE points; --",
  "100% pure",
  "under_score",
  "Ñandú",
  NULL,               /* no name */
  "Antimeridian east",
  "Antimeridian west",
};

static void
build_points (GRand *rand)
{
  g_autoptr(GString) csv = g_string_new ("name,kind,value,score,note,lon,lat\n");

  for (guint i = 1; i <= N_POINTS; i++)
    {
      g_autofree char *name = NULL;
      g_autofree char *value = NULL;
      g_autofree char *note = NULL;
      char score[G_ASCII_DTOSTR_BUF_SIZE];
      char lon[G_ASCII_DTOSTR_BUF_SIZE];
      char lat[G_ASCII_DTOSTR_BUF_SIZE];
      double x = g_rand_double_range (rand, -120.0, -100.0);
      double y = g_rand_double_range (rand, 25.0, 45.0);

      if (i <= G_N_ELEMENTS (special_names))
        name = g_strdup (special_names[i - 1]);
      else
        name = g_strdup_printf ("P%04u", i);

      if (i == 1)
        x = -100.0, y = 40.0;
      else if (i == 9)
        x = 179.9995, y = 50.0;
      else if (i == 10)
        x = -179.9995, y = 50.0;
      else if (i > 10 && i <= 30)
        {
          /* a cluster: many features within a few hundred metres */
          x = -105.0 + g_rand_double_range (rand, -0.003, 0.003);
          y = 35.0 + g_rand_double_range (rand, -0.003, 0.003);
        }

      if (g_rand_int_range (rand, 0, 10) > 0)
        value = g_strdup_printf ("%d", g_rand_int_range (rand, -50, 1000));
      note = g_strdup_printf ("%s %s%s", words[g_rand_int_range (rand, 0, G_N_ELEMENTS (words))],
                              words[g_rand_int_range (rand, 0, G_N_ELEMENTS (words))],
                              i % 97 == 0 ? " 50% off" : i % 89 == 0 ? " a_b" : "");

      append_csv_field (csv, name, FALSE);
      append_csv_field (csv, kinds[g_rand_int_range (rand, 0, G_N_ELEMENTS (kinds))], FALSE);
      append_csv_field (csv, value, FALSE);
      append_csv_field (csv, g_ascii_formatd (score, sizeof score, "%.3f",
                                              g_rand_double_range (rand, -10.0, 10.0)), FALSE);
      append_csv_field (csv, note, FALSE);
      append_csv_field (csv, g_ascii_formatd (lon, sizeof lon, "%.7f", x), FALSE);
      append_csv_field (csv, g_ascii_formatd (lat, sizeof lat, "%.7f", y), TRUE);
    }

  data.points = import_csv ("points", csv->str, NULL, FALSE);
  g_assert_cmpint (gis_layer_get_feature_count (data.points), ==, N_POINTS);
}

static void
append_coord (GString *s,
              double   x,
              double   y)
{
  char bx[G_ASCII_DTOSTR_BUF_SIZE], by[G_ASCII_DTOSTR_BUF_SIZE];

  g_string_append_printf (s, "%s %s",
                          g_ascii_formatd (bx, sizeof bx, "%.7f", x),
                          g_ascii_formatd (by, sizeof by, "%.7f", y));
}

static void
build_lines (GRand *rand)
{
  g_autoptr(GString) csv = g_string_new ("name,category,wkt\n");

  for (guint i = 1; i <= N_LINES; i++)
    {
      g_autoptr(GString) wkt = g_string_new ("LINESTRING (");
      g_autofree char *name = g_strdup_printf ("L%03u", i);
      double x = g_rand_double_range (rand, -120.0, -100.0);
      double y = g_rand_double_range (rand, 25.0, 45.0);
      guint n = g_rand_int_range (rand, 2, 6);

      /* long diagonals, where the nearest point is not at a vertex */
      if (i <= 20)
        n = 2;
      for (guint k = 0; k < n; k++)
        {
          if (k > 0)
            g_string_append (wkt, ", ");
          append_coord (wkt, x, y);
          if (i <= 20)
            x += 3.0, y += 2.0;
          else
            x += g_rand_double_range (rand, -0.3, 0.3), y += g_rand_double_range (rand, -0.3, 0.3);
        }
      g_string_append (wkt, ")");

      append_csv_field (csv, name, FALSE);
      append_csv_field (csv, i % 3 == 0 ? "road" : "river", FALSE);
      append_csv_field (csv, wkt->str, TRUE);
    }

  data.lines = import_csv ("lines", csv->str, "wkt", FALSE);
  g_assert_cmpint (gis_layer_get_feature_count (data.lines), ==, N_LINES);
}

/* Polygon 1 is a U open to the north, polygon 2 a square with a square
 * hole: points in the notch or the hole are in their boxes only. */
#define U_SHAPE "POLYGON ((-110 30, -109 30, -109 31, -109.2 31, -109.2 30.2, " \
                "-109.8 30.2, -109.8 31, -110 31, -110 30))"
#define DONUT   "POLYGON ((-105 40, -104 40, -104 41, -105 41, -105 40), " \
                "(-104.8 40.2, -104.2 40.2, -104.2 40.8, -104.8 40.8, -104.8 40.2))"

static void
build_polygons (GRand *rand)
{
  g_autoptr(GString) csv = g_string_new ("name,area_class,wkt\n");

  for (guint i = 1; i <= N_POLYGONS; i++)
    {
      g_autoptr(GString) wkt = g_string_new (NULL);
      g_autofree char *name = g_strdup_printf ("H%03u", i);

      if (i == 1)
        g_string_append (wkt, U_SHAPE);
      else if (i == 2)
        g_string_append (wkt, DONUT);
      else if (i % 2 == 0)
        {
          double x = g_rand_double_range (rand, -120.0, -100.0);
          double y = g_rand_double_range (rand, 25.0, 45.0);
          double w = g_rand_double_range (rand, 0.05, 1.0);

          /* a triangle: half of its box is outside */
          g_string_append (wkt, "POLYGON ((");
          append_coord (wkt, x, y);
          g_string_append (wkt, ", ");
          append_coord (wkt, x + w, y);
          g_string_append (wkt, ", ");
          append_coord (wkt, x, y + w);
          g_string_append (wkt, ", ");
          append_coord (wkt, x, y);
          g_string_append (wkt, "))");
        }
      else
        {
          double x = g_rand_double_range (rand, -120.0, -100.0);
          double y = g_rand_double_range (rand, 25.0, 45.0);
          double w = g_rand_double_range (rand, 0.05, 1.5);
          double h = g_rand_double_range (rand, 0.05, 1.5);

          g_string_append (wkt, "POLYGON ((");
          append_coord (wkt, x, y);
          g_string_append (wkt, ", ");
          append_coord (wkt, x + w, y + h * 0.2);
          g_string_append (wkt, ", ");
          append_coord (wkt, x + w * 0.8, y + h);
          g_string_append (wkt, ", ");
          append_coord (wkt, x - w * 0.1, y + h * 0.7);
          g_string_append (wkt, ", ");
          append_coord (wkt, x, y);
          g_string_append (wkt, "))");
        }

      append_csv_field (csv, name, FALSE);
      append_csv_field (csv, i % 4 == 0 ? "wetland" : "forest", FALSE);
      append_csv_field (csv, wkt->str, TRUE);
    }

  data.polygons = import_csv ("habitat", csv->str, "wkt", FALSE);
  g_assert_cmpint (gis_layer_get_feature_count (data.polygons), ==, N_POLYGONS);
}

static void
build_store (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (20240611);

  data.dir = test_make_tmpdir ();
  data.store = test_new_store (data.dir, "features.sqlite");
  data.path = g_strdup (gis_store_get_path (data.store));

  build_points (rand);
  build_lines (rand);
  build_polygons (rand);
  data.no_geometry = import_csv ("codes", "code,label\n1,one\n2,two\n", NULL, TRUE);
}

/* ---- brute force -------------------------------------------------------- */

static int
compare_fids (gconstpointer a,
              gconstpointer b)
{
  gint64 fa = *(const gint64 *) a, fb = *(const gint64 *) b;

  return (fa > fb) - (fa < fb);
}

static sqlite3_stmt *
prepare (const char *sql)
{
  g_autoptr(GError) error = NULL;
  sqlite3_stmt *stmt = gis_sql_prepare (gis_store_get_db (data.store), sql, &error);

  g_assert_no_error (error);
  return stmt;
}

/* fid -> distance_m (points: SpatiaLite geodesic distance, no index) */
static GHashTable *
brute_point_distances (GisLayer *layer,
                       double    lon,
                       double    lat)
{
  g_autofree char *qt = gis_sql_quote_ident (gis_layer_get_table_name (layer));
  g_autofree char *sql = g_strdup_printf ("SELECT fid, ST_Distance (geom, MakePoint (?1, ?2, 4326), 1) "
                                          "FROM %s", qt);
  g_autoptr(sqlite3_stmt) stmt = prepare (sql);
  GHashTable *distances = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);

  sqlite3_bind_double (stmt, 1, lon);
  sqlite3_bind_double (stmt, 2, lat);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      gint64 fid = sqlite3_column_int64 (stmt, 0);
      double d = sqlite3_column_double (stmt, 1);

      g_hash_table_insert (distances, g_memdup2 (&fid, sizeof fid), g_memdup2 (&d, sizeof d));
    }
  return distances;
}

/* fid -> distance_m (lines: GEOS in an azimuthal equidistant projection
 * centred on the probe, segments densified in lon/lat) */
static GHashTable *
brute_line_distances (GisLayer *layer,
                      double    lon,
                      double    lat)
{
  g_autofree char *qt = gis_sql_quote_ident (gis_layer_get_table_name (layer));
  g_autofree char *sql = g_strdup_printf ("SELECT fid, AsText (geom), MbrMinX (geom), MbrMaxX (geom), "
                                          "MbrMinY (geom), MbrMaxY (geom) FROM %s", qt);
  g_autoptr(sqlite3_stmt) stmt = prepare (sql);
  g_autofree char *def = NULL;
  GHashTable *distances = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  GEOSContextHandle_t geos = GEOS_init_r ();
  GEOSWKTReader *reader = GEOSWKTReader_create_r (geos);
  GEOSGeometry *origin = GEOSGeom_createPointFromXY_r (geos, 0.0, 0.0);
  PJ_CONTEXT *ctx = proj_context_create ();
  PJ *aeqd;
  char blon[G_ASCII_DTOSTR_BUF_SIZE], blat[G_ASCII_DTOSTR_BUF_SIZE];

  def = g_strdup_printf ("+proj=aeqd +lat_0=%s +lon_0=%s +ellps=WGS84 +units=m",
                         g_ascii_formatd (blat, sizeof blat, "%.12f", lat),
                         g_ascii_formatd (blon, sizeof blon, "%.12f", lon));
  aeqd = proj_create (ctx, def);
  g_assert_nonnull (aeqd);

  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      gint64 fid = sqlite3_column_int64 (stmt, 0);
      GEOSGeometry *line;
      const GEOSCoordSequence *seq;
      GEOSCoordSequence *projected;
      GEOSGeometry *projected_line;
      unsigned int n;
      guint k = 0;
      double d;

      /* far away by any measure: 2° is over 100 km */
      if (sqlite3_column_double (stmt, 3) < lon - 2.0 || sqlite3_column_double (stmt, 2) > lon + 2.0 ||
          sqlite3_column_double (stmt, 5) < lat - 2.0 || sqlite3_column_double (stmt, 4) > lat + 2.0)
        continue;

      line = GEOSWKTReader_read_r (geos, reader, (const char *) sqlite3_column_text (stmt, 1));
      g_assert_nonnull (line);
      d = G_MAXDOUBLE;

      /* each line of a multiline */
      for (int part = 0; part < GEOSGetNumGeometries_r (geos, line); part++)
        {
          const GEOSGeometry *single = GEOSGetGeometryN_r (geos, line, part);
          GArray *xy;
          double part_d;

          seq = GEOSGeom_getCoordSeq_r (geos, single);
          g_assert_nonnull (seq);
          GEOSCoordSeq_getSize_r (geos, seq, &n);
          xy = g_array_new (FALSE, FALSE, sizeof (double));

          /* pieces of 0.001° at most (100 m): a segment straight in
           * lon/lat is curved in the projection */
          for (unsigned int i = 0; i + 1 < n; i++)
            {
              double ax, ay, bx, by;
              guint pieces;

              GEOSCoordSeq_getXY_r (geos, seq, i, &ax, &ay);
              GEOSCoordSeq_getXY_r (geos, seq, i + 1, &bx, &by);
              pieces = MAX (1, (guint) ceil (hypot (bx - ax, by - ay) / 0.001));
              for (guint s = 0; s < pieces || (i + 2 == n && s == pieces); s++)
                {
                  double t = s / (double) pieces;
                  PJ_COORD c = proj_coord (proj_torad (ax + t * (bx - ax)),
                                           proj_torad (ay + t * (by - ay)), 0, 0);

                  c = proj_trans (aeqd, PJ_FWD, c);
                  g_array_append_val (xy, c.xy.x);
                  g_array_append_val (xy, c.xy.y);
                }
            }
          projected = GEOSCoordSeq_create_r (geos, xy->len / 2, 2);
          for (k = 0; k < xy->len / 2; k++)
            GEOSCoordSeq_setXY_r (geos, projected, k, g_array_index (xy, double, 2 * k),
                                  g_array_index (xy, double, 2 * k + 1));
          g_array_unref (xy);

          projected_line = GEOSGeom_createLineString_r (geos, projected);
          g_assert_cmpint (GEOSDistance_r (geos, projected_line, origin, &part_d), ==, 1);
          d = MIN (d, part_d);
          GEOSGeom_destroy_r (geos, projected_line);
        }

      g_hash_table_insert (distances, g_memdup2 (&fid, sizeof fid), g_memdup2 (&d, sizeof d));
      GEOSGeom_destroy_r (geos, line);
    }

  proj_destroy (aeqd);
  proj_context_destroy (ctx);
  GEOSGeom_destroy_r (geos, origin);
  GEOSWKTReader_destroy_r (geos, reader);
  GEOS_finish_r (geos);
  return distances;
}

/* Sorted fids of @sql, with ?1.. bound to @args (doubles). */
static GArray *
sql_fids (const char   *sql,
          const double *args,
          guint         n_args)
{
  g_autoptr(sqlite3_stmt) stmt = prepare (sql);
  GArray *fids = g_array_new (FALSE, FALSE, sizeof (gint64));

  for (guint i = 0; i < n_args; i++)
    sqlite3_bind_double (stmt, (int) i + 1, args[i]);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      gint64 fid = sqlite3_column_int64 (stmt, 0);

      g_array_append_val (fids, fid);
    }
  return fids;
}

static void
assert_fids_equal (GArray     *expected,
                   GArray     *actual,
                   const char *what)
{
  if (expected->len != actual->len)
    g_error ("%s: %u features expected, %u found", what, expected->len, actual->len);
  for (guint i = 0; i < expected->len; i++)
    if (g_array_index (expected, gint64, i) != g_array_index (actual, gint64, i))
      g_error ("%s: at %u, fid %" PRId64 " expected, %" PRId64 " found", what, i,
               (int64_t) g_array_index (expected, gint64, i),
               (int64_t) g_array_index (actual, gint64, i));
}

/* Compares identify with distances computed by brute force: every
 * feature clearly within the tolerance is found, none clearly beyond it
 * is; "clearly" leaves out a band of @band (relative) around the
 * tolerance, where the methods' rounding differs. */
static guint
check_identify_against (GisLayer   *layer,
                        double      lon,
                        double      lat,
                        double      tolerance_m,
                        GHashTable *distances,
                        double      band)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) found = NULL;
  g_autoptr(GHashTable) found_set = g_hash_table_new (g_int64_hash, g_int64_equal);
  GHashTableIter iter;
  gpointer key, value;
  guint n_expected = 0;

  found = gis_store_identify (data.store, layer, lon, lat, tolerance_m, 0, &error);
  g_assert_no_error (error);
  g_assert_nonnull (found);

  for (guint i = 0; i < found->len; i++)
    {
      GisFeature *feature = g_ptr_array_index (found, i);
      gint64 fid = gis_feature_get_fid (feature);
      double *brute = g_hash_table_lookup (distances, &fid);

      g_hash_table_add (found_set, g_memdup2 (&fid, sizeof fid));
      g_assert_nonnull (brute);
      if (*brute > tolerance_m * (1.0 + band) + 1e-6)
        g_error ("identify at %.6f %.6f within %g m found fid %" PRId64 " at %.3f m (brute force %.3f m)",
                 lon, lat, tolerance_m, (int64_t) fid, gis_feature_get_distance_m (feature), *brute);
      /* our distance agrees with the brute force */
      if (fabs (gis_feature_get_distance_m (feature) - *brute) > MAX (*brute * band, 0.01))
        g_error ("identify at %.7f %.7f: fid %" PRId64 " at %.4f m, brute force %.4f m",
                 lon, lat, (int64_t) fid, gis_feature_get_distance_m (feature), *brute);
      /* sorted by distance */
      if (i > 0)
        g_assert_cmpfloat (gis_feature_get_distance_m (g_ptr_array_index (found, i - 1)), <=,
                           gis_feature_get_distance_m (feature));
      g_assert_cmpstr (gis_feature_get_layer_name (feature), ==, gis_layer_get_name (layer));
    }

  g_hash_table_iter_init (&iter, distances);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      double d = *(double *) value;

      if (d <= tolerance_m * (1.0 - band))
        {
          n_expected++;
          if (!g_hash_table_contains (found_set, key))
            g_error ("identify at %.6f %.6f within %g m missed fid %" PRId64 " at %.3f m",
                     lon, lat, tolerance_m, (int64_t) *(gint64 *) key, d);
        }
    }

  g_hash_table_foreach (found_set, (GHFunc) g_free, NULL);
  return n_expected;
}

/* ---- identify ---------------------------------------------------------- */

static void
test_identify_known (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) found = NULL;
  GisFeature *feature;
  g_autofree char *title = NULL;
  g_autofree char *value = NULL;
  GisExtent extent;
  int i;

  /* 0.0001° of longitude at 40° N is 8.5 m */
  found = gis_store_identify (data.store, data.points, -100.0001, 40.0, 20.0, 10, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (found->len, ==, 1);
  feature = g_ptr_array_index (found, 0);
  g_assert_cmpint (gis_feature_get_fid (feature), ==, 1);
  g_assert_cmpfloat_with_epsilon (gis_feature_get_distance_m (feature), 8.54, 0.01);
  g_assert_false (gis_feature_get_contains_point (feature));
  g_assert_cmpstr (gis_feature_get_geometry_type (feature), ==, "POINT");
  g_assert_true (gis_feature_get_layer (feature) == data.points);
  title = gis_feature_dup_title (feature);
  g_assert_cmpstr (title, ==, "Alpha");
  g_assert_cmpstr (gis_feature_get_name_field (feature), ==, "name");
  g_assert_true (gis_feature_get_extent (feature, &extent));
  g_assert_cmpfloat (extent.min_x, ==, -100.0);
  g_assert_cmpfloat (extent.max_y, ==, 40.0);
  g_assert_nonnull (gis_feature_get_wkb (feature));
  g_assert_cmpuint (g_bytes_get_size (gis_feature_get_wkb (feature)), ==, 21);

  /* all the attributes, in table order, typed */
  g_assert_cmpuint (gis_feature_get_n_fields (feature), ==, 7);
  g_assert_cmpstr (gis_feature_get_field_name (feature, 0), ==, "name");
  g_assert_cmpstr (gis_feature_get_field_name (feature, 6), ==, "lat");
  i = gis_feature_find_field (feature, "SCORE");
  g_assert_cmpint (i, ==, 3);
  g_assert_cmpint (gis_feature_get_field_type (feature, i), ==, GIS_FIELD_REAL);
  g_assert_true (g_variant_is_of_type (gis_feature_get_value (feature, i), G_VARIANT_TYPE_DOUBLE));
  value = gis_feature_format_value (feature, 5);
  g_assert_cmpstr (value, ==, "-100");

  /* too far */
  g_clear_pointer (&found, g_ptr_array_unref);
  found = gis_store_identify (data.store, data.points, -100.0001, 40.0, 5.0, 10, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (found->len, ==, 0);

  /* a nameless feature is "Feature <fid>" */
  feature = gis_store_get_feature (data.store, data.points, 8, &error);
  g_assert_no_error (error);
  g_assert_null (gis_feature_get_value (feature, 0));
  g_clear_pointer (&title, g_free);
  title = gis_feature_dup_title (feature);
  g_assert_cmpstr (title, ==, "Feature 8");
  g_assert_cmpfloat (gis_feature_get_distance_m (feature), ==, -1.0);
  g_object_unref (feature);
}

static void
test_identify_antimeridian (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) found = NULL;

  /* 0.0005° of longitude at 50° N is 35.9 m, on either side */
  for (guint k = 0; k < 2; k++)
    {
      found = gis_store_identify (data.store, data.points, k == 0 ? 180.0 : -180.0, 50.0,
                                  40.0, 0, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (found->len, ==, 2);
      g_assert_cmpint (gis_feature_get_fid (g_ptr_array_index (found, 0)) +
                       gis_feature_get_fid (g_ptr_array_index (found, 1)), ==, 19);
      g_assert_cmpfloat_with_epsilon (gis_feature_get_distance_m (g_ptr_array_index (found, 0)),
                                      35.87, 0.05);
      g_clear_pointer (&found, g_ptr_array_unref);
    }
}

static void
test_identify_points (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  static const double tolerances[] = { 25.0, 500.0, 5000.0, 40000.0 };
  guint n_found = 0;

  for (guint q = 0; q < 120; q++)
    {
      double tolerance = tolerances[q % G_N_ELEMENTS (tolerances)];
      double lon, lat;
      g_autoptr(GHashTable) distances = NULL;

      if (q % 3 == 0)
        {
          /* near the cluster */
          lon = -105.0 + g_rand_double_range (rand, -0.005, 0.005);
          lat = 35.0 + g_rand_double_range (rand, -0.005, 0.005);
        }
      else
        {
          lon = g_rand_double_range (rand, -120.0, -100.0);
          lat = g_rand_double_range (rand, 25.0, 45.0);
        }

      distances = brute_point_distances (data.points, lon, lat);
      n_found += check_identify_against (data.points, lon, lat, tolerance, distances, 1e-6);
    }

  g_test_message ("points: %u features within tolerance over 120 probes", n_found);
  g_assert_cmpuint (n_found, >, 100);

  /* the nearest first, and max_features keeps the nearest */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) all = gis_store_identify (data.store, data.points, -105.0, 35.0, 1000.0, 0, &error);
    g_autoptr(GPtrArray) few = gis_store_identify (data.store, data.points, -105.0, 35.0, 1000.0, 3, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (all->len, >=, 15);
    g_assert_cmpuint (few->len, ==, 3);
    for (guint i = 0; i < 3; i++)
      g_assert_cmpint (gis_feature_get_fid (g_ptr_array_index (few, i)), ==,
                       gis_feature_get_fid (g_ptr_array_index (all, i)));
  }
}

static void
test_identify_lines (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (11);
  static const double tolerances[] = { 100.0, 2000.0, 15000.0 };
  g_autoptr(GError) error = NULL;
  g_autofree char *qt = gis_sql_quote_ident (gis_layer_get_table_name (data.lines));
  g_autofree char *sql = g_strdup_printf ("SELECT X (PointN (g, 1)), Y (PointN (g, 1)), "
                                          "X (PointN (g, 2)), Y (PointN (g, 2)) "
                                          "FROM (SELECT CASE WHEN GeometryType (geom) LIKE 'MULTI%%' "
                                          "THEN GeometryN (geom, 1) ELSE geom END AS g "
                                          "FROM %s WHERE fid = ?1)", qt);
  g_autoptr(sqlite3_stmt) stmt = prepare (sql);
  guint n_found = 0;

  for (guint q = 0; q < 90; q++)
    {
      double tolerance = tolerances[q % G_N_ELEMENTS (tolerances)];
      g_autoptr(GHashTable) distances = NULL;
      double ax, ay, bx, by, t, lon, lat;

      /* near a random segment, often beside the middle of a long one */
      sqlite3_reset (stmt);
      sqlite3_bind_int64 (stmt, 1, q % 2 == 0 ? g_rand_int_range (rand, 1, 21)
                                              : g_rand_int_range (rand, 1, N_LINES + 1));
      g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
      ax = sqlite3_column_double (stmt, 0);
      ay = sqlite3_column_double (stmt, 1);
      bx = sqlite3_column_double (stmt, 2);
      by = sqlite3_column_double (stmt, 3);
      t = g_rand_double (rand);
      lon = ax + t * (bx - ax) + g_rand_double_range (rand, -0.1, 0.1);
      lat = ay + t * (by - ay) + g_rand_double_range (rand, -0.1, 0.1);

      distances = brute_line_distances (data.lines, lon, lat);
      n_found += check_identify_against (data.lines, lon, lat, tolerance, distances, 2e-3);
    }

  g_test_message ("lines: %u features within tolerance over 90 probes", n_found);
  g_assert_cmpuint (n_found, >, 20);

  /* beside the middle of a long diagonal (its ends are far): 3° E and 2° N
   * from its start; the probe is 0.001° north of its middle */
  {
    g_autoptr(GPtrArray) found = NULL;
    double start_x, start_y;

    sqlite3_reset (stmt);
    sqlite3_bind_int64 (stmt, 1, 1);
    g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
    start_x = sqlite3_column_double (stmt, 0);
    start_y = sqlite3_column_double (stmt, 1);
    found = gis_store_identify (data.store, data.lines, start_x + 1.5, start_y + 1.001, 200.0, 0, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (found->len, >=, 1);
    g_assert_cmpint (gis_feature_get_fid (g_ptr_array_index (found, 0)), ==, 1);
    g_assert_cmpstr (gis_feature_get_geometry_type (g_ptr_array_index (found, 0)), ==,
                     gis_layer_get_geometry_type (data.lines));
    /* 111 m north, so about 111 × cos(atan(2/3 · 111/85)) ≈ 77 m across */
    g_assert_cmpfloat (gis_feature_get_distance_m (g_ptr_array_index (found, 0)), <, 111.0);
    g_assert_cmpfloat (gis_feature_get_distance_m (g_ptr_array_index (found, 0)), >, 50.0);
  }
}

static void
test_identify_polygons (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (13);
  g_autofree char *qt = gis_sql_quote_ident (gis_layer_get_table_name (data.polygons));
  g_autofree char *sql = g_strdup_printf ("SELECT fid FROM %s "
                                          "WHERE ST_Intersects (geom, MakePoint (?1, ?2, 4326)) = 1 "
                                          "ORDER BY fid", qt);
  g_autoptr(GError) error = NULL;
  guint n_found = 0;
  static const struct {
    double lon, lat;
    gint64 fid;        /* 0: neither the U nor the donut */
  } known[] = {
    { -109.9, 30.5, 1 },     /* the U's left arm */
    { -109.5, 30.1, 1 },     /* its base */
    { -109.5, 30.6, 0 },     /* its notch: in the box only */
    { -104.9, 40.5, 2 },     /* the donut's ring */
    { -104.5, 40.5, 0 },     /* its hole */
    { -105.0, 40.5, 2 },     /* its outer boundary */
  };

  for (guint q = 0; q < 200; q++)
    {
      double args[2];
      g_autoptr(GArray) expected = NULL;
      g_autoptr(GArray) actual = g_array_new (FALSE, FALSE, sizeof (gint64));
      g_autoptr(GPtrArray) found = NULL;
      double area = 0.0;

      args[0] = g_rand_double_range (rand, -120.0, -100.0);
      args[1] = g_rand_double_range (rand, 25.0, 45.0);
      expected = sql_fids (sql, args, 2);

      found = gis_store_identify (data.store, data.polygons, args[0], args[1], 1000.0, 0, &error);
      g_assert_no_error (error);
      for (guint i = 0; i < found->len; i++)
        {
          GisFeature *feature = g_ptr_array_index (found, i);
          gint64 fid = gis_feature_get_fid (feature);
          GisExtent extent;
          double this_area;

          g_assert_true (gis_feature_get_contains_point (feature));
          g_assert_cmpfloat (gis_feature_get_distance_m (feature), ==, 0.0);
          /* the smallest first (their boxes tell roughly) */
          g_assert_true (gis_feature_get_extent (feature, &extent));
          this_area = (extent.max_x - extent.min_x) * (extent.max_y - extent.min_y);
          if (i > 0)
            g_assert_cmpfloat (this_area, >=, area * 0.25);
          area = this_area;
          g_array_append_val (actual, fid);
        }
      g_array_sort (actual, compare_fids);
      assert_fids_equal (expected, actual, "identify on polygons");
      n_found += actual->len;
    }
  g_test_message ("polygons: %u hits over 200 probes", n_found);
  g_assert_cmpuint (n_found, >, 10);

  for (guint k = 0; k < G_N_ELEMENTS (known); k++)
    {
      g_autoptr(GPtrArray) found = gis_store_identify (data.store, data.polygons,
                                                       known[k].lon, known[k].lat,
                                                       10.0, 0, &error);
      gboolean has_u = FALSE, has_donut = FALSE;

      g_assert_no_error (error);
      for (guint i = 0; i < found->len; i++)
        {
          has_u |= gis_feature_get_fid (g_ptr_array_index (found, i)) == 1;
          has_donut |= gis_feature_get_fid (g_ptr_array_index (found, i)) == 2;
        }
      g_assert_true (has_u == (known[k].fid == 1));
      g_assert_true (has_donut == (known[k].fid == 2));
    }
}

static void
test_identify_errors (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) found = NULL;

  found = gis_store_identify (data.store, data.points, -100.0, 95.0, 10.0, 0, &error);
  g_assert_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT);
  g_assert_null (found);
  g_clear_error (&error);

  found = gis_store_identify (data.store, data.points, NAN, 40.0, 10.0, 0, &error);
  g_assert_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT);
  g_clear_error (&error);

  found = gis_store_identify (data.store, data.points, -100.0, 40.0, -1.0, 0, &error);
  g_assert_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT);
  g_clear_error (&error);

  /* without geometry: nothing to find */
  found = gis_store_identify (data.store, data.no_geometry, -100.0, 40.0, 1e6, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (found->len, ==, 0);
  g_clear_pointer (&found, g_ptr_array_unref);

  /* a whole-world tolerance at the pole */
  found = gis_store_identify (data.store, data.points, 0.0, 90.0, 6e6, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (found->len, >, 0);
}

/* ---- box selection ----------------------------------------------------- */

static void
test_select_in_box (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (17);
  GisLayer *layers[] = { data.points, data.lines, data.polygons };
  g_autoptr(GError) error = NULL;

  for (guint l = 0; l < G_N_ELEMENTS (layers); l++)
    {
      g_autofree char *qt = gis_sql_quote_ident (gis_layer_get_table_name (layers[l]));
      g_autofree char *sql = g_strdup_printf ("SELECT fid FROM %s WHERE "
                                              "ST_Intersects (geom, BuildMbr (?1, ?2, ?3, ?4, 4326)) = 1 "
                                              "ORDER BY fid", qt);
      guint total = 0;

      for (guint q = 0; q < 60; q++)
        {
          g_autoptr(GArray) expected = NULL;
          g_autoptr(GArray) actual = g_array_new (FALSE, FALSE, sizeof (gint64));
          double w = g_rand_double_range (rand, 0.01, q % 10 == 0 ? 20.0 : 2.0);
          double h = g_rand_double_range (rand, 0.01, q % 10 == 0 ? 20.0 : 2.0);
          double x = g_rand_double_range (rand, -121.0, -100.0);
          double y = g_rand_double_range (rand, 24.0, 45.0);
          double args[4] = { x, y, x + w, y + h };
          GisExtent box = { x, y, x + w, y + h };

          expected = sql_fids (sql, args, 4);
          g_assert_true (gis_store_select_in_box (data.store, layers[l], &box, actual, &error));
          g_assert_no_error (error);
          assert_fids_equal (expected, actual, gis_layer_get_name (layers[l]));
          total += actual->len;
        }
      g_test_message ("%s: %u features selected over 60 boxes", gis_layer_get_name (layers[l]), total);
      g_assert_cmpuint (total, >, 0);
    }

  /* a box touching the known point Alpha exactly, and an invalid box */
  {
    g_autoptr(GArray) fids = g_array_new (FALSE, FALSE, sizeof (gint64));
    GisExtent box = { -100.0, 40.0, -99.999, 40.001 };
    GisExtent bad = { 1.0, 0.0, 0.0, 1.0 };

    g_assert_true (gis_store_select_in_box (data.store, data.points, &box, fids, &error));
    g_assert_cmpuint (fids->len, ==, 1);
    g_assert_cmpint (g_array_index (fids, gint64, 0), ==, 1);

    g_assert_false (gis_store_select_in_box (data.store, data.points, &bad, fids, &error));
    g_assert_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT);
  }
}

static void
test_extent_of_fids (void)
{
  GisLayer *layers[] = { data.points, data.lines, data.polygons };
  g_autoptr(GError) error = NULL;

  for (guint l = 0; l < G_N_ELEMENTS (layers); l++)
    {
      g_autofree char *qt = gis_sql_quote_ident (gis_layer_get_table_name (layers[l]));
      g_autofree char *sql = g_strdup_printf ("SELECT Min (MbrMinX (geom)), Min (MbrMinY (geom)), "
                                              "Max (MbrMaxX (geom)), Max (MbrMaxY (geom)) "
                                              "FROM %s WHERE fid %% 7 = 3 AND fid < 450", qt);
      g_autoptr(sqlite3_stmt) stmt = prepare (sql);
      g_autoptr(GArray) fids = g_array_new (FALSE, FALSE, sizeof (gint64));
      GisExtent extent;

      for (gint64 fid = 3; fid < 450; fid += 7)
        g_array_append_val (fids, fid);
      /* absent ids are skipped */
      {
        gint64 absent = 1000000;
        g_array_append_val (fids, absent);
      }

      g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
      g_assert_true (gis_store_get_extent_of_fids (data.store, layers[l],
                                                   (const gint64 *) (gpointer) fids->data, fids->len,
                                                   &extent, &error));
      g_assert_no_error (error);
      g_assert_cmpfloat (extent.min_x, ==, sqlite3_column_double (stmt, 0));
      g_assert_cmpfloat (extent.min_y, ==, sqlite3_column_double (stmt, 1));
      g_assert_cmpfloat (extent.max_x, ==, sqlite3_column_double (stmt, 2));
      g_assert_cmpfloat (extent.max_y, ==, sqlite3_column_double (stmt, 3));

      g_assert_true (gis_store_get_extent_of_fids (data.store, layers[l], NULL, 0, &extent, &error));
      g_assert_true (gis_extent_is_empty (&extent));
    }
}

static void
test_get_feature (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GisFeature) feature = NULL;
  g_autofree char *qt = gis_sql_quote_ident (gis_layer_get_table_name (data.points));
  g_autofree char *sql = g_strdup_printf ("SELECT name, kind, value, score, note FROM %s WHERE fid = 4", qt);
  g_autoptr(sqlite3_stmt) stmt = prepare (sql);

  feature = gis_store_get_feature (data.store, data.points, 4, &error);
  g_assert_no_error (error);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  for (guint i = 0; i < 5; i++)
    {
      g_autofree char *text = gis_feature_format_value (feature, i);
      const char *expected = (const char *) sqlite3_column_text (stmt, (int) i);

      if (sqlite3_column_type (stmt, (int) i) == SQLITE_FLOAT)
        g_assert_cmpfloat (g_ascii_strtod (text, NULL), ==, sqlite3_column_double (stmt, (int) i));
      else
        g_assert_cmpstr (text, ==, expected);
    }
  g_assert_cmpstr (g_variant_get_string (gis_feature_get_value (feature, 0), NULL), ==,
                   "'; DROP TABLE points; --");

  g_clear_object (&feature);
  feature = gis_store_get_feature (data.store, data.points, 123456, &error);
  g_assert_error (error, GIS_ERROR, GIS_ERROR_NOT_FOUND);
  g_assert_null (feature);
  g_clear_error (&error);

  feature = gis_store_get_feature (data.store, data.polygons, 2, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (gis_feature_get_geometry_type (feature), ==, gis_layer_get_geometry_type (data.polygons));
  g_clear_object (&feature);

  feature = gis_store_get_feature (data.store, data.no_geometry, 2, &error);
  g_assert_no_error (error);
  g_assert_null (gis_feature_get_geometry_type (feature));
  g_assert_null (gis_feature_get_wkb (feature));
  {
    g_autofree char *title = gis_feature_dup_title (feature);

    /* "label" names a feature */
    g_assert_cmpstr (title, ==, "two");
    g_assert_cmpstr (gis_feature_get_name_field (feature), ==, "label");
  }
}

typedef struct
{
  const char *value;
  guint       count;
} ValueCount;

static int
compare_value_counts (gconstpointer a,
                      gconstpointer b)
{
  const ValueCount *x = a, *y = b;

  if (x->count != y->count)
    return x->count > y->count ? -1 : 1;
  return strcmp (x->value, y->value);
}

/* the most frequent values, against a count made here row by row */
static void
test_frequent_values (void)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) values = NULL;
  g_autofree char *qt = gis_sql_quote_ident (gis_layer_get_table_name (data.points));
  g_autofree char *sql = g_strdup_printf ("SELECT CAST(kind AS TEXT) FROM %s", qt);
  g_autoptr(sqlite3_stmt) stmt = prepare (sql);
  g_autoptr(GHashTable) counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GArray) sorted = g_array_new (FALSE, FALSE, sizeof (ValueCount));
  GHashTableIter iter;
  gpointer key, value;

  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      const char *v = (const char *) sqlite3_column_text (stmt, 0);

      if (v != NULL)
        g_hash_table_insert (counts, g_strdup (v),
                             GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (counts, v)) + 1));
    }
  g_assert_cmpuint (g_hash_table_size (counts), >=, 2);
  g_hash_table_iter_init (&iter, counts);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      ValueCount vc = { key, GPOINTER_TO_UINT (value) };

      g_array_append_val (sorted, vc);
    }
  g_array_sort (sorted, compare_value_counts);

  values = gis_store_dup_frequent_values (data.store, data.points, "kind", 100, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (values), ==, sorted->len);
  for (guint i = 0; i < sorted->len; i++)
    g_assert_cmpstr (values[i], ==, g_array_index (sorted, ValueCount, i).value);
  g_clear_pointer (&values, g_strfreev);

  /* at most max_values */
  values = gis_store_dup_frequent_values (data.store, data.points, "kind", 1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (values), ==, 1);
  g_assert_cmpstr (values[0], ==, g_array_index (sorted, ValueCount, 0).value);
  g_clear_pointer (&values, g_strfreev);

  /* a name that is no column of the layer is refused, not pasted into SQL */
  values = gis_store_dup_frequent_values (data.store, data.points, "kind\" FROM sqlite_master --",
                                          10, &error);
  g_assert_error (error, GIS_ERROR, GIS_ERROR_NOT_FOUND);
  g_assert_null (values);
}

/* ---- the model --------------------------------------------------------- */

typedef struct
{
  gboolean  done;
  GError   *error;
} Wait;

static void
on_ready (GisFeatureModel *model,
          Wait            *wait)
{
  wait->done = TRUE;
}

static void
on_load_failed (GisFeatureModel *model,
                const GError    *error,
                Wait            *wait)
{
  wait->done = TRUE;
  g_clear_error (&wait->error);
  wait->error = g_error_copy (error);
}

static gboolean
on_timeout (gpointer data_)
{
  g_error ("Timed out after %d s waiting for the model", TIMEOUT_S);
  return G_SOURCE_REMOVE;
}

/* Runs @model's pending load to its end; returns its error, if any. */
static GError *
wait_for_model (GisFeatureModel *model)
{
  Wait wait = { FALSE, NULL };
  gulong ready_id, failed_id;
  guint timeout_id;

  ready_id = g_signal_connect (model, "ready", G_CALLBACK (on_ready), &wait);
  failed_id = g_signal_connect (model, "load-failed", G_CALLBACK (on_load_failed), &wait);
  timeout_id = g_timeout_add_seconds (TIMEOUT_S, on_timeout, NULL);

  while (!wait.done)
    g_main_context_iteration (NULL, TRUE);

  g_source_remove (timeout_id);
  g_signal_handler_disconnect (model, ready_id);
  g_signal_handler_disconnect (model, failed_id);
  g_assert_false (gis_feature_model_get_loading (model));
  return wait.error;
}

static GisFeatureModel *
new_ready_model (GisLayer *layer)
{
  GisFeatureModel *model = gis_feature_model_new (data.path, layer);
  GError *error;

  g_assert_true (gis_feature_model_get_loading (model));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 0);
  error = wait_for_model (model);
  g_assert_no_error (error);
  return model;
}

static GArray *
model_fids (GisFeatureModel *model)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (model));
  GArray *fids = g_array_sized_new (FALSE, FALSE, sizeof (gint64), n);

  for (guint i = 0; i < n; i++)
    {
      gint64 fid = gis_feature_model_get_fid (model, i);

      g_array_append_val (fids, fid);
      g_assert_cmpuint (gis_feature_model_get_position (model, fid), ==, i);
    }
  return fids;
}

/* Checks every visible value of a few pages against SQL. */
static void
check_row_values (GisFeatureModel *model)
{
  GPtrArray *columns = gis_feature_model_get_columns (model);
  g_autoptr(GString) sql = g_string_new ("SELECT ");
  g_autofree char *qt = gis_sql_quote_ident (gis_layer_get_table_name (gis_feature_model_get_layer (model)));
  g_autoptr(sqlite3_stmt) stmt = NULL;
  guint n = g_list_model_get_n_items (G_LIST_MODEL (model));
  guint positions[] = { 0, 1, 199, 200, 201, n / 2, n - 1 };

  for (guint c = 0; c < columns->len; c++)
    {
      g_autofree char *qc = gis_sql_quote_ident (((GisField *) g_ptr_array_index (columns, c))->name);

      g_string_append_printf (sql, "%s%s", c > 0 ? ", " : "", qc);
    }
  g_string_append_printf (sql, " FROM %s WHERE fid = ?1", qt);
  stmt = prepare (sql->str);

  for (guint k = 0; k < G_N_ELEMENTS (positions); k++)
    {
      g_autoptr(GisFeatureRow) row = NULL;

      if (positions[k] >= n)
        continue;
      row = g_list_model_get_item (G_LIST_MODEL (model), positions[k]);
      g_assert_nonnull (row);
      g_assert_cmpuint (gis_feature_row_get_position (row), ==, positions[k]);
      g_assert_cmpuint (gis_feature_row_get_n_columns (row), ==, columns->len);

      sqlite3_reset (stmt);
      sqlite3_bind_int64 (stmt, 1, gis_feature_row_get_fid (row));
      g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
      for (guint c = 0; c < columns->len; c++)
        {
          const char *text = gis_feature_row_get_text (row, c);

          switch (sqlite3_column_type (stmt, (int) c))
            {
            case SQLITE_NULL:
              g_assert_null (text);
              break;
            case SQLITE_FLOAT:
              g_assert_cmpfloat (g_ascii_strtod (text, NULL), ==, sqlite3_column_double (stmt, (int) c));
              break;
            case SQLITE_INTEGER:
            case SQLITE_TEXT:
            default:
              g_assert_cmpstr (text, ==, (const char *) sqlite3_column_text (stmt, (int) c));
              break;
            }
        }
    }
}

static void
test_model_load (void)
{
  GisLayer *layers[] = { data.points, data.lines, data.polygons, data.no_geometry };

  for (guint l = 0; l < G_N_ELEMENTS (layers); l++)
    {
      g_autoptr(GisFeatureModel) model = new_ready_model (layers[l]);
      g_autofree char *qt = gis_sql_quote_ident (gis_layer_get_table_name (layers[l]));
      g_autofree char *sql = g_strdup_printf ("SELECT fid FROM %s ORDER BY fid", qt);
      g_autoptr(GArray) expected = sql_fids (sql, NULL, 0);
      g_autoptr(GArray) actual = model_fids (model);
      GPtrArray *columns = gis_feature_model_get_columns (model);

      g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==,
                        gis_layer_get_feature_count (layers[l]));
      g_assert_cmpuint (gis_feature_model_get_total_count (model), ==,
                        gis_layer_get_feature_count (layers[l]));
      g_assert_true (g_list_model_get_item_type (G_LIST_MODEL (model)) == GIS_TYPE_FEATURE_ROW);
      assert_fids_equal (expected, actual, "model");
      g_assert_null (gis_feature_model_get_error (model));
      g_assert_nonnull (columns);
      g_assert_cmpstr (((GisField *) g_ptr_array_index (columns, 0))->name, ==, "fid");
      g_assert_cmpint (gis_feature_model_find_column (model, "fid"), ==, 0);
      g_assert_cmpint (gis_feature_model_find_column (model, "geom"), ==, -1);
      g_assert_null (g_list_model_get_item (G_LIST_MODEL (model), actual->len));
      g_assert_cmpint (gis_feature_model_get_fid (model, actual->len), ==, -1);
      g_assert_cmpuint (gis_feature_model_get_position (model, -5), ==, GIS_FEATURE_MODEL_INVALID_POSITION);
      check_row_values (model);
    }

  {
    g_autoptr(GisFeatureModel) model = new_ready_model (data.points);
    GPtrArray *columns = gis_feature_model_get_columns (model);

    g_assert_cmpuint (columns->len, ==, 8);
    g_assert_cmpstr (((GisField *) g_ptr_array_index (columns, 1))->name, ==, "name");
    g_assert_cmpint (((GisField *) g_ptr_array_index (columns, 3))->type, ==, GIS_FIELD_INTEGER);
    g_assert_cmpint (((GisField *) g_ptr_array_index (columns, 4))->type, ==, GIS_FIELD_REAL);
    g_assert_cmpint (((GisField *) g_ptr_array_index (columns, 5))->type, ==, GIS_FIELD_TEXT);
  }
}

static void
test_model_sort (void)
{
  g_autoptr(GisFeatureModel) model = new_ready_model (data.points);
  g_autofree char *qt = gis_sql_quote_ident (gis_layer_get_table_name (data.points));
  GPtrArray *columns = gis_feature_model_get_columns (model);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);

  for (guint c = 0; c < columns->len; c++)
    g_ptr_array_add (names, g_strdup (((GisField *) g_ptr_array_index (columns, c))->name));

  for (guint c = 0; c < names->len; c++)
    for (guint desc = 0; desc < 2; desc++)
      {
        const char *name = g_ptr_array_index (names, c);
        g_autofree char *qc = gis_sql_quote_ident (name);
        g_autofree char *sql = g_strdup_printf ("SELECT fid FROM %s ORDER BY %s%s, fid",
                                                qt, qc, desc ? " DESC" : "");
        g_autoptr(GArray) expected = sql_fids (sql, NULL, 0);
        g_autoptr(GArray) actual = NULL;
        GError *error;

        gis_feature_model_set_sort (model, name, desc);
        g_assert_true (gis_feature_model_get_loading (model));
        g_assert_cmpstr (gis_feature_model_get_sort_column (model), ==, name);
        g_assert_true (gis_feature_model_get_sort_descending (model) == (gboolean) desc);
        error = wait_for_model (model);
        g_assert_no_error (error);

        actual = model_fids (model);
        assert_fids_equal (expected, actual, sql);
        check_row_values (model);
      }

  /* a new sort replaces one still loading: only the last one lands */
  gis_feature_model_set_sort (model, "value", FALSE);
  gis_feature_model_set_sort (model, "score", TRUE);
  {
    g_autofree char *sql = g_strdup_printf ("SELECT fid FROM %s ORDER BY score DESC, fid", qt);
    g_autoptr(GArray) expected = sql_fids (sql, NULL, 0);
    g_autoptr(GArray) actual = NULL;
    GError *error = wait_for_model (model);

    g_assert_no_error (error);
    actual = model_fids (model);
    assert_fids_equal (expected, actual, sql);
  }

  /* back to the feature id */
  gis_feature_model_set_sort (model, NULL, TRUE);
  g_assert_false (gis_feature_model_get_sort_descending (model));
  g_assert_no_error (wait_for_model (model));
  g_assert_cmpint (gis_feature_model_get_fid (model, 0), ==, 1);
}

typedef struct
{
  GisFeatureFilter *filter;
  const char       *where;    /* equivalent SQL over the points table */
} FilterCase;

static void
test_model_filter (void)
{
  g_autoptr(GisFeatureModel) model = new_ready_model (data.points);
  g_autofree char *qt = gis_sql_quote_ident (gis_layer_get_table_name (data.points));
  g_autoptr(GisFeatureFilter) text_part = gis_feature_filter_new_text ("ALPHA");
  g_autoptr(GisFeatureFilter) value_part = gis_feature_filter_new_condition ("value", GIS_FILTER_GREATER_OR_EQUAL, "500");
  GisFeatureFilter *parts[] = { text_part, value_part };
  FilterCase cases[] = {
    { gis_feature_filter_new_all (parts, 2),
      "(name LIKE '%alpha%' OR kind LIKE '%alpha%' OR note LIKE '%alpha%') AND value >= 500" },
    { gis_feature_filter_new_all (NULL, 0), "1" },
    { gis_feature_filter_new_text ("alpha"),
      "name LIKE '%alpha%' OR kind LIKE '%alpha%' OR note LIKE '%alpha%'" },
    { gis_feature_filter_new_text ("ÑANDÚ"),   /* ASCII case only: Ñ is not ñ */
      "name LIKE '%ÑANDÚ%' OR kind LIKE '%ÑANDÚ%' OR note LIKE '%ÑANDÚ%'" },
    { gis_feature_filter_new_text ("42"),
      "name LIKE '%42%' OR kind LIKE '%42%' OR note LIKE '%42%' OR fid = 42 OR value = 42 "
      "OR score = 42 OR lon = 42 OR lat = 42" },
    { gis_feature_filter_new_text ("%"),
      "instr (name, '%') OR instr (kind, '%') OR instr (note, '%')" },
    { gis_feature_filter_new_text ("_"),
      "instr (name, '_') OR instr (kind, '_') OR instr (note, '_')" },
    { gis_feature_filter_new_text ("50% off"),
      "instr (note, '50% off') OR instr (name, '50% off')" },
    { gis_feature_filter_new_text (""), "1" },
    { gis_feature_filter_new_text ("'; DROP TABLE points; --"),
      "name = '''; DROP TABLE points; --'" },
    { gis_feature_filter_new_text ("O'Brien"), "name = 'O''Brien'" },
    { gis_feature_filter_new_text ("\"Quoted\""), "name = '\"Quoted\" name'" },
    { gis_feature_filter_new_condition ("value", GIS_FILTER_EQUAL, "42"), "value = 42" },
    { gis_feature_filter_new_condition ("VALUE", GIS_FILTER_NOT_EQUAL, " 42 "), "value IS NOT 42" },
    { gis_feature_filter_new_condition ("value", GIS_FILTER_LESS, "100"), "value < 100" },
    { gis_feature_filter_new_condition ("value", GIS_FILTER_LESS_OR_EQUAL, "100.5"), "value <= 100.5" },
    { gis_feature_filter_new_condition ("score", GIS_FILTER_GREATER, "2,5"), "score > 2.5" },
    { gis_feature_filter_new_condition ("score", GIS_FILTER_GREATER_OR_EQUAL, "-1e0"), "score >= -1" },
    { gis_feature_filter_new_condition ("value", GIS_FILTER_IS_NULL, NULL), "value IS NULL" },
    { gis_feature_filter_new_condition ("name", GIS_FILTER_IS_NOT_NULL, "ignored"), "name IS NOT NULL" },
    { gis_feature_filter_new_condition ("kind", GIS_FILTER_EQUAL, "port"), "kind = 'port'" },
    { gis_feature_filter_new_condition ("kind", GIS_FILTER_NOT_EQUAL, "port"), "kind IS NOT 'port'" },
    { gis_feature_filter_new_condition ("name", GIS_FILTER_LESS, "P0100"), "name < 'P0100'" },
    { gis_feature_filter_new_condition ("note", GIS_FILTER_CONTAINS, "GAMMA"), "note LIKE '%gamma%'" },
    { gis_feature_filter_new_condition ("note", GIS_FILTER_CONTAINS, "a_b"), "instr (note, 'a_b')" },
    { gis_feature_filter_new_condition ("value", GIS_FILTER_CONTAINS, "99"), "CAST (value AS TEXT) LIKE '%99%'" },
    { gis_feature_filter_new_condition ("name", GIS_FILTER_EQUAL, "'; DROP TABLE points; --"),
      "name = '''; DROP TABLE points; --'" },
    { gis_feature_filter_new_condition ("name", GIS_FILTER_EQUAL, "x' OR '1'='1"), "0" },
    { gis_feature_filter_new_condition ("fid", GIS_FILTER_LESS_OR_EQUAL, "10"), "fid <= 10" },
  };

  for (guint k = 0; k < G_N_ELEMENTS (cases); k++)
    {
      g_autofree char *sql = g_strdup_printf ("SELECT fid FROM %s WHERE %s ORDER BY fid", qt, cases[k].where);
      g_autoptr(GArray) expected = sql_fids (sql, NULL, 0);
      g_autoptr(GArray) actual = NULL;
      GError *error;

      gis_feature_model_set_filter (model, cases[k].filter);
      g_assert_true (gis_feature_model_get_filter (model) == cases[k].filter);
      error = wait_for_model (model);
      g_assert_no_error (error);
      actual = model_fids (model);
      assert_fids_equal (expected, actual, sql);
      g_assert_cmpuint (gis_feature_model_get_total_count (model), ==, N_POINTS);
      if (actual->len > 0)
        check_row_values (model);
      g_test_message ("%s: %u", cases[k].where, actual->len);

      /* with a sort */
      if (k % 4 == 0)
        {
          g_autofree char *sorted_sql = g_strdup_printf ("SELECT fid FROM %s WHERE %s "
                                                         "ORDER BY name DESC, fid", qt, cases[k].where);
          g_autoptr(GArray) sorted_expected = sql_fids (sorted_sql, NULL, 0);
          g_autoptr(GArray) sorted_actual = NULL;

          gis_feature_model_set_sort (model, "name", TRUE);
          g_assert_no_error (wait_for_model (model));
          sorted_actual = model_fids (model);
          assert_fids_equal (sorted_expected, sorted_actual, sorted_sql);
          gis_feature_model_set_sort (model, NULL, FALSE);
          g_assert_no_error (wait_for_model (model));
        }
    }

  for (guint k = 0; k < G_N_ELEMENTS (cases); k++)
    gis_feature_filter_unref (cases[k].filter);

  /* "Alpha" plus a NUL and more is "Alpha": C strings end at NUL */
  {
    static const char with_nul[] = "Alpha\0' OR 1=1; DROP TABLE points; --";
    g_autoptr(GisFeatureFilter) filter = gis_feature_filter_new_condition ("name", GIS_FILTER_EQUAL, with_nul);

    g_assert_cmpuint (sizeof with_nul, >, 6);
    gis_feature_model_set_filter (model, filter);
    g_assert_no_error (wait_for_model (model));
    g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 1);
    g_assert_cmpint (gis_feature_model_get_fid (model, 0), ==, 1);
  }

  gis_feature_model_set_filter (model, NULL);
  g_assert_no_error (wait_for_model (model));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, N_POINTS);
}

/* Hostile input: refused with a clear error, the list kept, the store
 * unchanged. */
static void
test_model_injection (void)
{
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autoptr(GisFeatureModel) model = NULL;
  static const char invalid_utf8[] = "caf\xc3";
  struct {
    GisFeatureFilter *filter;
    const char       *sort;
    int               code;
  } cases[] = {
    { gis_feature_filter_new_condition ("name\"; DROP TABLE points; --", GIS_FILTER_EQUAL, "x"),
      NULL, GIS_ERROR_NOT_FOUND },
    { gis_feature_filter_new_condition ("name) OR (1=1", GIS_FILTER_IS_NULL, NULL),
      NULL, GIS_ERROR_NOT_FOUND },
    { gis_feature_filter_new_condition ("geom", GIS_FILTER_IS_NULL, NULL), NULL, GIS_ERROR_NOT_FOUND },
    { gis_feature_filter_new_condition ("nonexistent", GIS_FILTER_EQUAL, "1"), NULL, GIS_ERROR_NOT_FOUND },
    { gis_feature_filter_new_condition ("value", GIS_FILTER_EQUAL, "1 OR 1=1"), NULL, GIS_ERROR_INVALID_INPUT },
    { gis_feature_filter_new_condition ("value", GIS_FILTER_LESS, "'; DROP TABLE points; --"),
      NULL, GIS_ERROR_INVALID_INPUT },
    { gis_feature_filter_new_condition ("score", GIS_FILTER_EQUAL, "nan"), NULL, GIS_ERROR_INVALID_INPUT },
    { gis_feature_filter_new_condition ("score", GIS_FILTER_EQUAL, "0x10"), NULL, GIS_ERROR_INVALID_INPUT },
    { gis_feature_filter_new_condition ("score", GIS_FILTER_EQUAL, ""), NULL, GIS_ERROR_INVALID_INPUT },
    { gis_feature_filter_new_text (invalid_utf8), NULL, GIS_ERROR_INVALID_INPUT },
    { NULL, "name; DROP TABLE points", GIS_ERROR_NOT_FOUND },
    { NULL, "fid DESC, (SELECT 1)", GIS_ERROR_NOT_FOUND },
    { NULL, "geom", GIS_ERROR_NOT_FOUND },
  };

  before = test_store_checksum (data.path);
  model = new_ready_model (data.points);

  for (guint k = 0; k < G_N_ELEMENTS (cases); k++)
    {
      g_autoptr(GError) error = NULL;

      gis_feature_model_set_filter (model, cases[k].filter);
      gis_feature_model_set_sort (model, cases[k].sort, FALSE);
      error = wait_for_model (model);
      g_assert_error (error, GIS_ERROR, cases[k].code);
      g_test_message ("refused: %s", error->message);
      g_assert_nonnull (gis_feature_model_get_error (model));
      g_assert_cmpint (gis_feature_model_get_error (model)->code, ==, cases[k].code);
      /* the previous list stays */
      g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, N_POINTS);

      /* and a good request clears the error */
      gis_feature_model_set_filter (model, NULL);
      gis_feature_model_set_sort (model, NULL, FALSE);
      if (!gis_feature_model_get_loading (model))
        gis_feature_model_reload (model);
      g_assert_no_error (wait_for_model (model));
      g_assert_null (gis_feature_model_get_error (model));
      g_clear_pointer (&cases[k].filter, gis_feature_filter_unref);
    }

  g_clear_object (&model);
  after = test_store_checksum (data.path);
  g_assert_cmpstr (before, ==, after);
}

/* Finalizing a model while it loads, and rows outliving their model. */
static void
test_model_lifetime (void)
{
  GisFeatureModel *model = gis_feature_model_new (data.path, data.points);
  GisFeatureRow *row;

  g_object_add_weak_pointer (G_OBJECT (model), (gpointer *) &model);
  g_object_unref (model);
  while (model != NULL)
    g_main_context_iteration (NULL, TRUE);

  model = new_ready_model (data.points);
  g_object_add_weak_pointer (G_OBJECT (model), (gpointer *) &model);
  row = g_list_model_get_item (G_LIST_MODEL (model), 5);
  g_object_unref (model);
  while (model != NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpstr (gis_feature_row_get_text (row, 0), ==, "6");
  g_assert_cmpstr (gis_feature_row_get_text (row, 1), ==, "under_score");
  g_object_unref (row);
}

static void
test_filter_boxed (void)
{
  g_autoptr(GisFeatureFilter) a = gis_feature_filter_new_condition ("v", GIS_FILTER_IS_NULL, "x");
  g_autoptr(GisFeatureFilter) b = gis_feature_filter_new_condition ("v", GIS_FILTER_IS_NULL, NULL);
  g_autoptr(GisFeatureFilter) c = gis_feature_filter_new_text ("v");
  GValue value = G_VALUE_INIT;

  g_assert_true (gis_feature_filter_equal (a, b));
  {
    GisFeatureFilter *ab[] = { a, c }, *ba[] = { b, c }, *ca[] = { c, a };
    g_autoptr(GisFeatureFilter) all_ab = gis_feature_filter_new_all (ab, 2);
    g_autoptr(GisFeatureFilter) all_ba = gis_feature_filter_new_all (ba, 2);
    g_autoptr(GisFeatureFilter) all_ca = gis_feature_filter_new_all (ca, 2);

    g_assert_true (gis_feature_filter_equal (all_ab, all_ba));
    g_assert_false (gis_feature_filter_equal (all_ab, all_ca));
    g_assert_false (gis_feature_filter_equal (all_ab, a));
    g_assert_cmpuint (gis_feature_filter_get_n_parts (all_ab), ==, 2);
    g_assert_true (gis_feature_filter_get_part (all_ab, 1) == c);
  }
  g_assert_false (gis_feature_filter_equal (a, c));
  g_assert_true (gis_feature_filter_equal (NULL, NULL));
  g_assert_false (gis_feature_filter_equal (NULL, c));
  g_assert_null (gis_feature_filter_get_value (a));
  g_assert_cmpint (gis_feature_filter_get_kind (c), ==, GIS_FEATURE_FILTER_TEXT);
  g_assert_cmpstr (gis_feature_filter_get_text (c), ==, "v");
  g_assert_false (gis_filter_operator_takes_value (GIS_FILTER_IS_NULL));
  g_assert_cmpstr (gis_filter_operator_to_symbol (GIS_FILTER_LESS_OR_EQUAL), ==, "≤");
  for (guint op = 0; op < GIS_FILTER_N_OPERATORS; op++)
    g_assert_nonnull (gis_filter_operator_to_label (op));

  g_value_init (&value, GIS_TYPE_FEATURE_FILTER);
  g_value_set_boxed (&value, c);
  g_assert_true (g_value_get_boxed (&value) == c);
  g_value_unset (&value);
}

int
main (int    argc,
      char **argv)
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  gis_init ();

  build_store ();

  g_test_add_func ("/features/identify/known", test_identify_known);
  g_test_add_func ("/features/identify/antimeridian", test_identify_antimeridian);
  g_test_add_func ("/features/identify/points", test_identify_points);
  g_test_add_func ("/features/identify/lines", test_identify_lines);
  g_test_add_func ("/features/identify/polygons", test_identify_polygons);
  g_test_add_func ("/features/identify/errors", test_identify_errors);
  g_test_add_func ("/features/select-in-box", test_select_in_box);
  g_test_add_func ("/features/extent-of-fids", test_extent_of_fids);
  g_test_add_func ("/features/get-feature", test_get_feature);
  g_test_add_func ("/features/filter/boxed", test_filter_boxed);
  g_test_add_func ("/features/model/load", test_model_load);
  g_test_add_func ("/features/model/sort", test_model_sort);
  g_test_add_func ("/features/frequent-values", test_frequent_values);
  g_test_add_func ("/features/model/filter", test_model_filter);
  g_test_add_func ("/features/model/injection", test_model_injection);
  g_test_add_func ("/features/model/lifetime", test_model_lifetime);

  ret = g_test_run ();

  g_clear_object (&data.points);
  g_clear_object (&data.lines);
  g_clear_object (&data.polygons);
  g_clear_object (&data.no_geometry);
  g_clear_object (&data.store);
  test_rm_rf (data.dir);
  g_free (data.dir);
  g_free (data.path);

  return ret;
}
