/* test-query.c: queries without SQL, against brute force
 *
 * Every spatial predicate is checked on the sample store against a plain
 * loop over all pairs of features: geometries read as WKB from
 * SpatiaLite's own ST_AsBinary(), tested with GEOS (no index, no prepared
 * geometry), distances measured after a projection made here with PROJ
 * from the analysis CRS's definition, or with geod_inverse().
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <geodesic.h>
#include <geos_c.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <proj.h>
#include <string.h>

#include "gis.h"
#include "test-util.h"

#define LAEA "+proj=laea +lat_0=45 +lon_0=-100 +x_0=0 +y_0=0 +R=6370997 +units=m +no_defs"

static GEOSContextHandle_t geos;
static GisStore *store;
static char *store_path;

typedef struct
{
  gint64        fid;
  GEOSGeometry *geom;        /* lon/lat */
  GEOSGeometry *projected;   /* analysis CRS */
  double        x0, y0, x1, y1;
} Feature;

typedef struct
{
  const char *name;
  GArray     *features;      /* Feature */
} Layer;

static Layer layers[] = {
  { "incidents" }, { "habitat" }, { "ports" }, { "facilities" }, { "international_boundary" },
};

static PJ_CONTEXT *pj_ctx;
static PJ *to_laea;

static int
project_cb (double *x,
            double *y,
            void   *data)
{
  PJ_COORD c = proj_coord (*x, *y, 0, 0);

  c = proj_trans (to_laea, PJ_FWD, c);
  *x = c.xy.x;
  *y = c.xy.y;
  return 1;
}

static GArray *
features_of (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (layers); i++)
    if (strcmp (layers[i].name, name) == 0)
      {
        if (layers[i].features == NULL)
          {
            g_autoptr(GError) error = NULL;
            g_autofree char *sql = g_strdup_printf ("SELECT fid, ST_AsBinary(geom) FROM \"%s\" "
                                                    "WHERE geom IS NOT NULL ORDER BY fid", name);
            g_autoptr(GisCursor) cursor = gis_store_query (store, sql, &error);

            g_assert_no_error (error);
            layers[i].features = g_array_new (FALSE, FALSE, sizeof (Feature));
            while (gis_cursor_next (cursor, NULL, &error))
              {
                gsize len;
                const guint8 *wkb = gis_cursor_get_blob (cursor, 1, &len);
                Feature f = { gis_cursor_get_int64 (cursor, 0) };

                f.geom = GEOSGeomFromWKB_buf_r (geos, wkb, len);
                g_assert_nonnull (f.geom);
                f.projected = GEOSGeom_transformXY_r (geos, f.geom, project_cb, NULL);
                GEOSGeom_getXMin_r (geos, f.geom, &f.x0);
                GEOSGeom_getYMin_r (geos, f.geom, &f.y0);
                GEOSGeom_getXMax_r (geos, f.geom, &f.x1);
                GEOSGeom_getYMax_r (geos, f.geom, &f.y1);
                g_array_append_val (layers[i].features, f);
              }
            g_assert_no_error (error);
            g_assert_cmpuint (layers[i].features->len, >, 0);
          }
        return layers[i].features;
      }
  g_assert_not_reached ();
}

static gboolean
boxes_meet (const Feature *a,
            const Feature *b)
{
  return a->x0 <= b->x1 && a->x1 >= b->x0 && a->y0 <= b->y1 && a->y1 >= b->y0;
}

typedef enum
{
  BRUTE_INSIDE,
  BRUTE_INTERSECTS,
  BRUTE_WITHIN_ANALYSIS,
  BRUTE_WITHIN_GEODESIC_POINTS,
} BruteOp;

static double
point_x (GEOSGeometry *g)
{
  double x;

  GEOSGeomGetX_r (geos, g, &x);
  return x;
}

static double
point_y (GEOSGeometry *g)
{
  double y;

  GEOSGeomGetY_r (geos, g, &y);
  return y;
}

static gboolean
brute_pair (BruteOp        op,
            const Feature *ref,
            const Feature *target,
            double         distance_m)
{
  static struct geod_geodesic geod;
  static gboolean geod_ready;
  double d;

  switch (op)
    {
    case BRUTE_INSIDE:
      return boxes_meet (ref, target) && GEOSContains_r (geos, ref->geom, target->geom) == 1;
    case BRUTE_INTERSECTS:
      return boxes_meet (ref, target) && GEOSIntersects_r (geos, ref->geom, target->geom) == 1;
    case BRUTE_WITHIN_ANALYSIS:
      g_assert_true (GEOSDistance_r (geos, ref->projected, target->projected, &d) == 1);
      return d <= distance_m;
    case BRUTE_WITHIN_GEODESIC_POINTS:
    default:
      if (!geod_ready)
        {
          geod_init (&geod, 6378137.0, 1 / 298.257223563);
          geod_ready = TRUE;
        }
      geod_inverse (&geod, point_y (ref->geom), point_x (ref->geom),
                    point_y (target->geom), point_x (target->geom), &d, NULL, NULL);
      return d <= distance_m;
    }
}

/* The target fids for which some reference feature holds, ascending. */
static GArray *
brute (const char *target,
       BruteOp     op,
       const char *ref,
       double      distance_m)
{
  GArray *t = features_of (target);
  GArray *r = features_of (ref);
  GArray *out = g_array_new (FALSE, FALSE, sizeof (gint64));

  for (guint i = 0; i < t->len; i++)
    for (guint j = 0; j < r->len; j++)
      if (brute_pair (op, &g_array_index (r, Feature, j), &g_array_index (t, Feature, i), distance_m))
        {
          g_array_append_val (out, g_array_index (t, Feature, i).fid);
          break;
        }
  return out;
}

static GArray *
run_text (const char  *target,
          const char  *text,
          GError     **error)
{
  g_autoptr(GisQuery) query = gis_query_parse (target, text, error);

  if (query == NULL)
    return NULL;
  return gis_query_run (store, query, NULL, NULL, NULL, error);
}

static GArray *
run_ok (const char *target,
        const char *text)
{
  g_autoptr(GError) error = NULL;
  GArray *fids = run_text (target, text, &error);

  g_assert_no_error (error);
  g_assert_nonnull (fids);
  return fids;
}

static void
assert_same_fids (GArray     *got,
                  GArray     *expected,
                  const char *what)
{
  guint i;

  g_test_message ("%s: %u fids, expected %u", what, got->len, expected->len);
  for (i = 0; i < MIN (got->len, expected->len); i++)
    if (g_array_index (got, gint64, i) != g_array_index (expected, gint64, i))
      break;
  if (i < got->len || i < expected->len)
    g_error ("%s: %u fids, expected %u; first difference at %u: %" G_GINT64_FORMAT " vs %" G_GINT64_FORMAT,
             what, got->len, expected->len, i,
             i < got->len ? g_array_index (got, gint64, i) : -1,
             i < expected->len ? g_array_index (expected, gint64, i) : -1);
}

static gboolean
skip_without_store (void)
{
  if (store == NULL)
    {
      g_test_skip ("no sample store: build it with ./dev.sh test or data-samples/build-sample-store.sh");
      return TRUE;
    }
  return FALSE;
}

/* ---- the model ------------------------------------------------------------ */

static void
test_text_round_trip (void)
{
  static const char *const texts[] = {
    "within 50 km of ports",
    "within 2.5 km of \"my layer\" geodesic",
    "inside habitat and not within 50 km of ports",
    "(inside habitat or intersects \"and\") and severity >= 4",
    "nearest 3 to ports",
    "inside POLYGON((-107 31, -106 31, -106 32, -107 32, -107 31))",
    "within 20 km of POINT(-117 32.5) geodesic",
    "category in ('ods_smuggling', 'it''s') and name like 'San%'",
    "severity between 2 and 4 or country is null or country is not null",
    "date from 2021 to 2022-06",
    "date from 2021-03-05",
    "not (severity < 3 or severity != 5)",
    "disjoint habitat",
  };

  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GisQuery) q = gis_query_parse ("incidents", texts[i], &error);
      g_autoptr(GisQuery) again = NULL;
      g_autoptr(GisQuery) from_json = NULL;
      g_autofree char *text = NULL;
      g_autofree char *text2 = NULL;
      g_autofree char *json = NULL;
      g_autofree char *json2 = NULL;

      g_assert_no_error (error);
      text = gis_query_to_string (q);
      again = gis_query_parse ("incidents", text, &error);
      g_assert_no_error (error);
      text2 = gis_query_to_string (again);
      g_assert_cmpstr (text, ==, text2);

      json = gis_query_to_json (q);
      from_json = gis_query_new_from_json (json, &error);
      g_assert_no_error (error);
      json2 = gis_query_to_json (from_json);
      g_assert_cmpstr (json, ==, json2);
      g_assert_cmpstr (gis_query_get_target (from_json), ==, "incidents");
    }

  /* precedence: and before or */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GisQuery) q = gis_query_parse ("t", "a = 1 or b = 2 and c = 3", &error);
    GisQueryNode *root = gis_query_get_where (q);

    g_assert_no_error (error);
    g_assert_cmpint (gis_query_node_get_kind (root), ==, GIS_QUERY_NODE_OR);
    g_assert_cmpint (gis_query_node_get_kind (gis_query_node_get_child (root, 1)), ==, GIS_QUERY_NODE_AND);
  }
}

static void
test_parse_errors (void)
{
  static const struct
  {
    const char *text;
    const char *in_message;
  } cases[] = {
    { "within 5 km of", "column 15" },
    { "within five km of ports", "distance" },
    { "inside", "layer" },
    { "severity >=", "column 12" },
    { "severity = 'open", "quote" },
    { "inside POLYGON((0 0, 1 1", "bracket" },
    { "nearest 0 to ports", "nearest" },
    { "nearest 2.5 to ports", "nearest" },
    { "date from 2021-13", "2021-13" },
    { "date from 2022 to 2021", "after" },
    { "severity @ 3", "@" },
    { "(severity = 3", ")" },
    { "severity = 3 severity = 4", "column 14" },
    { "and = 3", "keyword" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GisQuery) q = gis_query_parse ("incidents", cases[i].text, &error);

      g_test_message ("%s -> %s", cases[i].text, error != NULL ? error->message : "(no error)");
      g_assert_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT);
      g_assert_nonnull (strstr (error->message, cases[i].in_message));
    }

  /* a blank query is every feature; a blank condition is an error */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GisQuery) q = gis_query_parse ("incidents", "   ", &error);
    g_autoptr(GisQueryNode) node = NULL;

    g_assert_no_error (error);
    g_assert_null (gis_query_get_where (q));
    node = gis_query_parse_condition ("", &error);
    g_assert_null (node);
    g_assert_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT);
    g_assert_nonnull (strstr (error->message, "empty"));
  }

  /* JSON that is not a query */
  {
    static const char *const bad[] = {
      "[]", "{}", "{\"target\": \"t\", \"where\": {\"spatial\": \"near\", \"layer\": \"x\"}}",
      "{\"target\": \"t\", \"where\": {\"field\": \"a\", \"op\": \"between\", \"values\": [1]}}",
      "{\"target\": \"t\", \"where\": {\"and\": []}}", "not json",
    };

    for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
      {
        g_autoptr(GError) error = NULL;
        g_autoptr(GisQuery) q = gis_query_new_from_json (bad[i], &error);

        g_assert_null (q);
        g_assert_nonnull (error);
      }
  }
}

/* ---- spatial predicates against brute force --------------------------------------- */

static void
test_inside (void)
{
  g_autoptr(GArray) got = NULL;
  g_autoptr(GArray) expected = NULL;

  if (skip_without_store ())
    return;
  got = run_ok ("incidents", "inside habitat");
  expected = brute ("incidents", BRUTE_INSIDE, "habitat", 0);
  g_assert_cmpuint (expected->len, >, 1000);
  assert_same_fids (got, expected, "incidents inside habitat");
}

static void
test_intersects_both_ways (void)
{
  g_autoptr(GArray) got = NULL;
  g_autoptr(GArray) expected = NULL;

  if (skip_without_store ())
    return;

  /* few targets, many references: walked from the targets */
  got = run_ok ("habitat", "intersects incidents");
  expected = brute ("habitat", BRUTE_INTERSECTS, "incidents", 0);
  g_assert_cmpuint (expected->len, >, 10);
  assert_same_fids (got, expected, "habitat intersects incidents");
  g_clear_pointer (&got, g_array_unref);
  g_clear_pointer (&expected, g_array_unref);

  /* areas against a line */
  got = run_ok ("habitat", "intersects international_boundary");
  expected = brute ("habitat", BRUTE_INTERSECTS, "international_boundary", 0);
  assert_same_fids (got, expected, "habitat intersects the boundary");
}

static void
test_disjoint (void)
{
  g_autoptr(GArray) got = NULL;
  g_autoptr(GArray) meets = NULL;
  g_autoptr(GArray) expected = g_array_new (FALSE, FALSE, sizeof (gint64));
  GArray *all;
  guint j = 0;

  if (skip_without_store ())
    return;
  got = run_ok ("facilities", "disjoint habitat");
  meets = brute ("facilities", BRUTE_INTERSECTS, "habitat", 0);
  all = features_of ("facilities");
  for (guint i = 0; i < all->len; i++)
    {
      gint64 fid = g_array_index (all, Feature, i).fid;

      while (j < meets->len && g_array_index (meets, gint64, j) < fid)
        j++;
      if (j >= meets->len || g_array_index (meets, gint64, j) != fid)
        g_array_append_val (expected, fid);
    }
  g_assert_cmpuint (meets->len, >, 0);
  assert_same_fids (got, expected, "facilities disjoint from habitat");
}

static void
test_within (void)
{
  static const struct
  {
    const char *target, *text, *ref;
    BruteOp     op;
    double      km;
  } cases[] = {
    { "facilities", "within 50 km of ports", "ports", BRUTE_WITHIN_ANALYSIS, 50 },
    { "facilities", "within 50 km of ports geodesic", "ports", BRUTE_WITHIN_GEODESIC_POINTS, 50 },
    { "facilities", "within 12.5 km of international_boundary", "international_boundary",
      BRUTE_WITHIN_ANALYSIS, 12.5 },
    { "facilities", "within 20 km of habitat", "habitat", BRUTE_WITHIN_ANALYSIS, 20 },
    { "ports", "within 5 km of facilities", "facilities", BRUTE_WITHIN_ANALYSIS, 5 },
    { "incidents", "within 0 km of ports", "ports", BRUTE_WITHIN_ANALYSIS, 0 },
  };

  if (skip_without_store ())
    return;
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GArray) got = run_ok (cases[i].target, cases[i].text);
      g_autoptr(GArray) expected = brute (cases[i].target, cases[i].op, cases[i].ref, cases[i].km * 1000);

      if (cases[i].km > 0)
        g_assert_cmpuint (expected->len, >, 0);
      assert_same_fids (got, expected, cases[i].text);
    }
}

static void
test_reference_geometry (void)
{
  g_autoptr(GArray) got = NULL;
  g_autoptr(GArray) expected = g_array_new (FALSE, FALSE, sizeof (gint64));
  GEOSWKTReader *reader = GEOSWKTReader_create_r (geos);
  Feature ref = { 0 };
  GArray *all;

  if (skip_without_store ())
    {
      GEOSWKTReader_destroy_r (geos, reader);
      return;
    }

  /* inside a drawn polygon with a hole */
  ref.geom = GEOSWKTReader_read_r (geos, reader,
                                   "POLYGON((-112 30, -104 30, -104 34, -112 34, -112 30),"
                                   " (-109 31, -107 31, -107 33, -109 33, -109 31))");
  GEOSGeom_getXMin_r (geos, ref.geom, &ref.x0);
  GEOSGeom_getYMin_r (geos, ref.geom, &ref.y0);
  GEOSGeom_getXMax_r (geos, ref.geom, &ref.x1);
  GEOSGeom_getYMax_r (geos, ref.geom, &ref.y1);
  all = features_of ("incidents");
  for (guint i = 0; i < all->len; i++)
    if (brute_pair (BRUTE_INSIDE, &ref, &g_array_index (all, Feature, i), 0))
      g_array_append_val (expected, g_array_index (all, Feature, i).fid);
  got = run_ok ("incidents", "inside polygon((-112 30, -104 30, -104 34, -112 34, -112 30),"
                             " (-109 31, -107 31, -107 33, -109 33, -109 31))");
  g_assert_cmpuint (expected->len, >, 100);
  assert_same_fids (got, expected, "incidents inside a drawn polygon");
  GEOSGeom_destroy_r (geos, ref.geom);
  g_clear_pointer (&got, g_array_unref);
  g_array_set_size (expected, 0);

  /* within 100 km of a point, on the ellipsoid */
  ref.geom = GEOSWKTReader_read_r (geos, reader, "POINT(-106.4 31.7)");
  for (guint i = 0; i < all->len; i++)
    if (brute_pair (BRUTE_WITHIN_GEODESIC_POINTS, &ref, &g_array_index (all, Feature, i), 100000))
      g_array_append_val (expected, g_array_index (all, Feature, i).fid);
  got = run_ok ("incidents", "within 100 km of point(-106.4 31.7) geodesic");
  g_assert_cmpuint (expected->len, >, 100);
  assert_same_fids (got, expected, "incidents within 100 km of Ciudad Juárez");
  GEOSGeom_destroy_r (geos, ref.geom);
  GEOSWKTReader_destroy_r (geos, reader);
}

typedef struct
{
  gint64 fid;
  double d;
} Near;

static int
compare_near (gconstpointer a,
              gconstpointer b)
{
  const Near *x = a, *y = b;

  if (x->d != y->d)
    return x->d < y->d ? -1 : 1;
  return x->fid < y->fid ? -1 : x->fid > y->fid;
}

static int
compare_fid (gconstpointer a,
             gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

static void
test_nearest (void)
{
  g_autoptr(GArray) got = NULL;
  g_autoptr(GArray) expected = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GHashTable) chosen = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  g_autoptr(GArray) nears = g_array_new (FALSE, FALSE, sizeof (Near));
  GArray *ports, *facilities;
  GHashTableIter iter;
  gpointer key;

  if (skip_without_store ())
    return;
  ports = features_of ("ports");
  facilities = features_of ("facilities");
  for (guint i = 0; i < ports->len; i++)
    {
      g_array_set_size (nears, 0);
      for (guint j = 0; j < facilities->len; j++)
        {
          Near n = { g_array_index (facilities, Feature, j).fid };

          GEOSDistance_r (geos, g_array_index (ports, Feature, i).projected,
                          g_array_index (facilities, Feature, j).projected, &n.d);
          g_array_append_val (nears, n);
        }
      g_array_sort (nears, compare_near);
      for (guint k = 0; k < 3; k++)
        g_hash_table_add (chosen, g_memdup2 (&g_array_index (nears, Near, k).fid, sizeof (gint64)));
    }
  g_hash_table_iter_init (&iter, chosen);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_array_append_val (expected, *(gint64 *) key);
  g_array_sort (expected, compare_fid);

  got = run_ok ("facilities", "nearest 3 to ports");
  g_assert_cmpuint (expected->len, >=, 3);
  assert_same_fids (got, expected, "the 3 facilities nearest each port");
}

/* ---- attributes, dates, combinations --------------------------------------------- */

typedef struct
{
  gint64  fid;
  gint64  severity;
  gboolean has_severity;
  char   *category;
  char   *occurred_at;
} Row;

static GArray *
incident_rows (void)
{
  static GArray *rows;

  if (rows == NULL)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GisCursor) cursor = gis_store_query (store,
                                                     "SELECT fid, severity, category, occurred_at "
                                                     "FROM incidents ORDER BY fid", &error);

      g_assert_no_error (error);
      rows = g_array_new (FALSE, FALSE, sizeof (Row));
      while (gis_cursor_next (cursor, NULL, &error))
        {
          Row r = { gis_cursor_get_int64 (cursor, 0) };

          r.has_severity = gis_cursor_get_value_type (cursor, 1) != GIS_VALUE_NULL;
          r.severity = gis_cursor_get_int64 (cursor, 1);
          r.category = g_strdup (gis_cursor_get_text (cursor, 2));
          r.occurred_at = g_strdup (gis_cursor_get_text (cursor, 3));
          g_array_append_val (rows, r);
        }
      g_assert_no_error (error);
    }
  return rows;
}

typedef gboolean (*RowTest) (const Row *row);

static GArray *
rows_where (RowTest test)
{
  GArray *rows = incident_rows ();
  GArray *out = g_array_new (FALSE, FALSE, sizeof (gint64));

  for (guint i = 0; i < rows->len; i++)
    if (test (&g_array_index (rows, Row, i)))
      g_array_append_val (out, g_array_index (rows, Row, i).fid);
  return out;
}

static gboolean sev_ge_4 (const Row *r) { return r->has_severity && r->severity >= 4; }
static gboolean sev_2_3 (const Row *r) { return r->has_severity && r->severity >= 2 && r->severity <= 3; }
static gboolean not_sev_gt_3 (const Row *r) { return !(r->has_severity && r->severity > 3); }
static gboolean cat_in (const Row *r)
{
  return g_strcmp0 (r->category, "ods_smuggling") == 0 || g_strcmp0 (r->category, "illegal_dumping") == 0;
}
static gboolean cat_like (const Row *r)
{
  return r->category != NULL && g_ascii_strncasecmp (r->category, "ILLEGAL", 7) == 0;
}
static gboolean cat_ne (const Row *r) { return r->category != NULL && strcmp (r->category, "ods_smuggling") != 0; }
static gboolean in_2021_h1_2022 (const Row *r)
{
  return r->occurred_at != NULL && strcmp (r->occurred_at, "2021-01-01T00:00:00Z") >= 0 &&
         strcmp (r->occurred_at, "2022-06-30T23:59:59Z") <= 0;
}

static void
test_attributes (void)
{
  static const struct
  {
    const char *text;
    RowTest     test;
  } cases[] = {
    { "severity >= 4", sev_ge_4 },
    { "severity between 2 and 3", sev_2_3 },
    { "not severity > 3", not_sev_gt_3 },
    { "category in ('ods_smuggling', 'illegal_dumping')", cat_in },
    { "category like 'ILLEGAL%'", cat_like },
    { "category != 'ods_smuggling'", cat_ne },
    { "date from 2021 to 2022-06", in_2021_h1_2022 },
  };

  if (skip_without_store ())
    return;
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GArray) got = run_ok ("incidents", cases[i].text);
      g_autoptr(GArray) expected = rows_where (cases[i].test);

      g_assert_cmpuint (expected->len, >, 0);
      assert_same_fids (got, expected, cases[i].text);
    }
}

static GArray *
set_op (GArray   *a,
        GArray   *b,
        gboolean  intersect)
{
  g_autoptr(GHashTable) in_b = g_hash_table_new (g_int64_hash, g_int64_equal);
  GArray *out = g_array_new (FALSE, FALSE, sizeof (gint64));

  for (guint i = 0; i < b->len; i++)
    g_hash_table_add (in_b, &g_array_index (b, gint64, i));
  if (intersect)
    {
      for (guint i = 0; i < a->len; i++)
        if (g_hash_table_contains (in_b, &g_array_index (a, gint64, i)))
          g_array_append_val (out, g_array_index (a, gint64, i));
    }
  else
    {
      g_autoptr(GHashTable) all = g_hash_table_new (g_int64_hash, g_int64_equal);
      GHashTableIter iter;
      gpointer key;

      for (guint i = 0; i < a->len; i++)
        g_hash_table_add (all, &g_array_index (a, gint64, i));
      for (guint i = 0; i < b->len; i++)
        g_hash_table_add (all, &g_array_index (b, gint64, i));
      g_hash_table_iter_init (&iter, all);
      while (g_hash_table_iter_next (&iter, &key, NULL))
        g_array_append_val (out, *(gint64 *) key);
      g_array_sort (out, compare_fid);
    }
  return out;
}

static void
test_combinations (void)
{
  g_autoptr(GArray) inside = NULL;
  g_autoptr(GArray) severe = NULL;
  g_autoptr(GArray) near_ports = NULL;
  g_autoptr(GArray) both = NULL;
  g_autoptr(GArray) not_near = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) expected = NULL;
  g_autoptr(GArray) got = NULL;
  GArray *all;
  guint j = 0;

  if (skip_without_store ())
    return;
  inside = brute ("incidents", BRUTE_INSIDE, "habitat", 0);
  severe = rows_where (sev_ge_4);
  near_ports = brute ("incidents", BRUTE_WITHIN_ANALYSIS, "ports", 30000);
  all = features_of ("incidents");
  for (guint i = 0; i < all->len; i++)
    {
      gint64 fid = g_array_index (all, Feature, i).fid;

      while (j < near_ports->len && g_array_index (near_ports, gint64, j) < fid)
        j++;
      if (j >= near_ports->len || g_array_index (near_ports, gint64, j) != fid)
        g_array_append_val (not_near, fid);
    }
  both = set_op (inside, severe, TRUE);
  expected = set_op (both, not_near, FALSE);

  got = run_ok ("incidents", "(inside habitat and severity >= 4) or not within 30 km of ports");
  assert_same_fids (got, expected, "(inside habitat and severity >= 4) or not within 30 km of ports");
}

/* ---- bad input ----------------------------------------------------------------- */

static void
test_errors (void)
{
  static const struct
  {
    const char *target, *text;
    int         code;
    const char *in_message;
  } cases[] = {
    { "nowhere", "severity > 1", GIS_ERROR_NOT_FOUND, "nowhere" },
    { "incidents", "inside nowhere", GIS_ERROR_NOT_FOUND, "nowhere" },
    { "incidents", "depth > 1", GIS_ERROR_NOT_FOUND, "depth" },
    { "incidents", "severity > 'high'", GIS_ERROR_INVALID_INPUT, "high" },
    { "incidents", "within 30000 km of ports", GIS_ERROR_INVALID_INPUT, "30000" },
    { "incidents", "inside polygon((0 0, 2 2, 2 0, 0 2, 0 0))", GIS_ERROR_INVALID_INPUT, "valid" },
    { "incidents", "inside polygon((0 0, 200 0, 200 1, 0 0))", GIS_ERROR_INVALID_INPUT, "180" },
    { "ports", "date from 2020", GIS_ERROR_INVALID_INPUT, "dates" },
  };

  if (skip_without_store ())
    return;
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GArray) fids = run_text (cases[i].target, cases[i].text, &error);

      g_test_message ("%s: %s", cases[i].text, error != NULL ? error->message : "(no error)");
      g_assert_null (fids);
      g_assert_error (error, GIS_ERROR, cases[i].code);
      g_assert_nonnull (strstr (error->message, cases[i].in_message));
    }
}

static void
test_injection (void)
{
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;

  if (skip_without_store ())
    return;
  before = test_store_checksum (store_path);

  {
    /* names are checked against the schema, values are bound */
    static const char *const names[] = {
      "incidents\"; DROP TABLE ports; --", "incidents'; DROP TABLE ports; --", "\"", "'",
    };

    for (guint i = 0; i < G_N_ELEMENTS (names); i++)
      {
        g_autoptr(GError) error = NULL;
        g_autoptr(GisQueryNode) node = gis_query_node_new_compare (names[i], GIS_COMPARE_EQ,
                                                                   (const char *const[]) { "1", NULL });
        g_autoptr(GisQuery) q = gis_query_new ("incidents", node);
        g_autoptr(GisQuery) q2 = gis_query_new (names[i], NULL);
        g_autoptr(GisQueryNode) spatial = gis_query_node_new_spatial (GIS_SPATIAL_INSIDE, names[i], NULL,
                                                                      0, 0, GIS_DISTANCE_ANALYSIS);
        g_autoptr(GisQuery) q3 = gis_query_new ("incidents", spatial);
        GArray *fids;

        fids = gis_query_run (store, q, NULL, NULL, NULL, &error);
        g_assert_null (fids);
        g_assert_error (error, GIS_ERROR, GIS_ERROR_NOT_FOUND);
        g_clear_error (&error);
        fids = gis_query_run (store, q2, NULL, NULL, NULL, &error);
        g_assert_null (fids);
        g_assert_error (error, GIS_ERROR, GIS_ERROR_NOT_FOUND);
        g_clear_error (&error);
        fids = gis_query_run (store, q3, NULL, NULL, NULL, &error);
        g_assert_null (fids);
        g_assert_error (error, GIS_ERROR, GIS_ERROR_NOT_FOUND);
      }
  }

  {
    /* values that look like SQL are just values: no incident has them */
    g_autoptr(GArray) a = run_ok ("incidents", "category = ''' ; DROP TABLE ports; --'");
    g_autoptr(GArray) b = run_ok ("incidents", "category like '%'' OR 1=1 --'");
    g_autoptr(GArray) c = run_ok ("incidents", "category in ('\"', ''')')");

    g_assert_cmpuint (a->len, ==, 0);
    g_assert_cmpuint (b->len, ==, 0);
    g_assert_cmpuint (c->len, ==, 0);
  }

  {
    /* a NUL inside a JSON value cuts it or is refused: never more rows */
    g_autoptr(GError) error = NULL;
    g_autoptr(GisQuery) q = gis_query_new_from_json ("{\"target\": \"incidents\", \"where\": "
                                                     "{\"field\": \"category\", \"op\": \"=\", "
                                                     "\"values\": [\"ods_smuggling\\u0000' OR 1=1\"]}}",
                                                     &error);

    if (q != NULL)
      {
        g_autoptr(GArray) fids = gis_query_run (store, q, NULL, NULL, NULL, &error);
        g_autoptr(GArray) all = run_ok ("incidents", NULL);

        g_assert_no_error (error);
        g_assert_cmpuint (fids->len, <, all->len);
      }
    else
      g_assert_nonnull (error);
  }

  after = test_store_checksum (store_path);
  g_assert_cmpstr (before, ==, after);
}

static void
test_cancel (void)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GisQuery) q = NULL;
  g_autoptr(GArray) fids = NULL;

  if (skip_without_store ())
    return;
  q = gis_query_parse ("incidents", "within 200 km of international_boundary and severity > 1", &error);
  g_assert_no_error (error);
  g_cancellable_cancel (cancellable);
  fids = gis_query_run (store, q, NULL, NULL, cancellable, &error);
  g_assert_null (fids);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static void
test_plan_sql (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GisQuery) q = NULL;
  g_autoptr(GisQueryPlan) plan = NULL;
  g_autofree char *explain = NULL;

  if (skip_without_store ())
    return;
  q = gis_query_parse ("incidents", "category = 'x''y' and within 5 km of ports and severity in (1, 2)",
                       &error);
  g_assert_no_error (error);
  plan = gis_query_plan (store, q, &error);
  g_assert_no_error (error);
  /* values are parameters: none of them is in the SQL text */
  g_assert_null (strstr (gis_query_plan_get_sql (plan), "x'y"));
  g_assert_null (strstr (gis_query_plan_get_sql (plan), "x''y"));
  g_assert_nonnull (strstr (gis_query_plan_get_sql (plan), "\"category\" = ?1"));
  g_assert_cmpuint (gis_query_plan_get_n_params (plan), ==, 3);
  explain = gis_query_plan_explain (plan);
  g_assert_nonnull (strstr (explain, "?1 = 'x''y'"));
}

/* ---- annotations, result layers, saved and ready queries ------------------------ */

/* A writable copy of the sample store. */
static char *
copy_store (const char *dir)
{
  g_autofree char *dst = g_build_filename (dir, "copy.sqlite", NULL);
  const char *suffixes[] = { "", "-wal" };

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *from = g_strconcat (store_path, suffixes[i], NULL);
      g_autofree char *to = g_strconcat (dst, suffixes[i], NULL);
      g_autoptr(GFile) a = g_file_new_for_path (from);
      g_autoptr(GFile) b = g_file_new_for_path (to);
      g_autoptr(GError) error = NULL;

      if (g_file_test (from, G_FILE_TEST_EXISTS))
        {
          g_file_copy (a, b, G_FILE_COPY_OVERWRITE, NULL, NULL, NULL, &error);
          g_assert_no_error (error);
        }
    }
  return g_steal_pointer (&dst);
}

/* The lowest-fid feature of @ref that the target feature touches, by brute force. */
static gint64
brute_first (const Feature *target,
             GArray        *ref)
{
  for (guint j = 0; j < ref->len; j++)
    if (brute_pair (BRUTE_INTERSECTS, &g_array_index (ref, Feature, j), target, 0))
      return g_array_index (ref, Feature, j).fid;
  return -1;
}

static const Feature *
feature_by_fid (GArray *features,
                gint64  fid)
{
  for (guint i = 0; i < features->len; i++)
    if (g_array_index (features, Feature, i).fid == fid)
      return &g_array_index (features, Feature, i);
  return NULL;
}

static char *
habitat_name (gint64 fid)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *sql = g_strdup_printf ("SELECT name FROM habitat WHERE fid = %" G_GINT64_FORMAT, fid);
  g_autoptr(GisCursor) cursor = gis_store_query (store, sql, &error);

  g_assert_no_error (error);
  g_assert_true (gis_cursor_next (cursor, NULL, &error));
  return g_strdup (gis_cursor_get_text (cursor, 0));
}

static void
test_annotate (void)
{
  g_autoptr(GArray) inside = NULL;
  g_autoptr(GPtrArray) names = NULL;
  g_autoptr(GPtrArray) counts = NULL;
  g_autoptr(GPtrArray) km = NULL;
  g_autoptr(GArray) with_incidents = NULL;
  g_autoptr(GArray) facilities = NULL;
  g_autoptr(GError) error = NULL;
  GisQueryAnnotation name_of = { GIS_ANNOTATE_CONTAINING, "habitat", "name", "habitat_name" };
  GisQueryAnnotation count_of = { GIS_ANNOTATE_COUNT, "incidents", NULL, "incidents" };
  GisQueryAnnotation nearest = { GIS_ANNOTATE_NEAREST_KM, "ports", NULL, "port_km", GIS_DISTANCE_ANALYSIS };
  GArray *incident_features, *habitats, *ports;

  if (skip_without_store ())
    return;
  incident_features = features_of ("incidents");
  habitats = features_of ("habitat");
  ports = features_of ("ports");

  /* the habitat's name: of the lowest-fid habitat the incident lies in */
  inside = run_ok ("incidents", "inside habitat");
  names = gis_query_annotate (store, "incidents", inside, &name_of, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (names->len, ==, inside->len);
  for (guint i = 0; i < inside->len; i += 7)
    {
      const Feature *f = feature_by_fid (incident_features, g_array_index (inside, gint64, i));
      g_autofree char *expected = habitat_name (brute_first (f, habitats));

      g_assert_nonnull (g_ptr_array_index (names, i));
      g_assert_cmpstr (g_variant_get_string (g_ptr_array_index (names, i), NULL), ==, expected);
    }

  /* how many incidents each habitat holds */
  with_incidents = run_ok ("habitat", "intersects incidents");
  counts = gis_query_annotate (store, "habitat", with_incidents, &count_of, NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < with_incidents->len; i += 5)
    {
      const Feature *h = feature_by_fid (habitats, g_array_index (with_incidents, gint64, i));
      gint64 expected = 0;

      for (guint j = 0; j < incident_features->len; j++)
        expected += brute_pair (BRUTE_INTERSECTS, h, &g_array_index (incident_features, Feature, j), 0);
      g_assert_cmpint (g_variant_get_int64 (g_ptr_array_index (counts, i)), ==, expected);
      g_assert_cmpint (expected, >, 0);
    }

  /* the distance to the nearest port */
  facilities = run_ok ("facilities", NULL);
  km = gis_query_annotate (store, "facilities", facilities, &nearest, NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < facilities->len; i += 97)
    {
      const Feature *f = feature_by_fid (features_of ("facilities"), g_array_index (facilities, gint64, i));
      double best = G_MAXDOUBLE;

      for (guint j = 0; j < ports->len; j++)
        {
          double d;

          GEOSDistance_r (geos, f->projected, g_array_index (ports, Feature, j).projected, &d);
          best = MIN (best, d);
        }
      g_assert_cmpfloat_with_epsilon (g_variant_get_double (g_ptr_array_index (km, i)), best / 1000, 1e-6);
    }
}

static void
test_save_result (void)
{
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GisStore) rw = NULL;
  g_autoptr(GisQuery) query = NULL;
  g_autoptr(GisLayer) layer = NULL;
  g_autoptr(GArray) fids = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  GisQueryAnnotation name_of = { GIS_ANNOTATE_CONTAINING, "habitat", "name", "habitat_name" };

  if (skip_without_store ())
    return;
  dir = test_make_tmpdir ();
  path = copy_store (dir);
  rw = gis_store_open (path, GIS_STORE_OPEN_READ_WRITE, &error);
  g_assert_no_error (error);

  query = gis_query_parse ("incidents", "inside habitat and severity >= 4", &error);
  g_assert_no_error (error);
  fids = gis_query_run (rw, query, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  layer = gis_query_save_result (rw, query, NULL, "severe in habitat", &name_of, 1, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gis_layer_get_role (layer), ==, GIS_LAYER_ROLE_RESULT);
  g_assert_cmpint (gis_layer_get_feature_count (layer), ==, fids->len);
  g_assert_cmpstr (gis_layer_get_geometry_type (layer), ==, "POINT");

  {
    /* the rows are the source's, with their geometry and the annotation */
    g_autofree char *qt = g_strdup_printf ("\"%s\"", gis_layer_get_table_name (layer));
    g_autofree char *sql = g_strdup_printf ("SELECT count(*), sum(r.geom = i.geom), sum(r.severity = i.severity), "
                                            "sum(r.habitat_name IS NOT NULL), min(r.severity) "
                                            "FROM %s r JOIN incidents i ON i.fid = r.source_fid", qt);
    g_autoptr(GisCursor) cursor = gis_store_query (rw, sql, &error);

    g_assert_no_error (error);
    g_assert_true (gis_cursor_next (cursor, NULL, &error));
    g_assert_cmpint (gis_cursor_get_int64 (cursor, 0), ==, fids->len);
    g_assert_cmpint (gis_cursor_get_int64 (cursor, 1), ==, fids->len);
    g_assert_cmpint (gis_cursor_get_int64 (cursor, 2), ==, fids->len);
    g_assert_cmpint (gis_cursor_get_int64 (cursor, 3), ==, fids->len);
    g_assert_cmpint (gis_cursor_get_int64 (cursor, 4), >=, 4);
  }
  {
    /* the method record */
    g_autoptr(GisCursor) cursor = gis_store_query (rw, "SELECT kind, params_json, inputs_json, result_layer "
                                                       "FROM atalaya_runs ORDER BY id DESC LIMIT 1", &error);

    g_assert_no_error (error);
    g_assert_true (gis_cursor_next (cursor, NULL, &error));
    g_assert_cmpstr (gis_cursor_get_text (cursor, 0), ==, "query");
    g_assert_nonnull (strstr (gis_cursor_get_text (cursor, 1), "\"inside\""));
    g_assert_nonnull (strstr (gis_cursor_get_text (cursor, 2), "\"habitat\""));
    g_assert_nonnull (strstr (gis_cursor_get_text (cursor, 2), "sha256"));
    g_assert_cmpint (gis_cursor_get_int64 (cursor, 3), ==, gis_layer_get_id (layer));
  }
  g_assert_true (gis_store_check (rw, &error));
  g_assert_no_error (error);

  /* a second save of that name, or a cancelled one, changes nothing */
  before = gis_store_checksum (rw, &error);
  g_assert_no_error (error);
  g_assert_null (gis_query_save_result (rw, query, fids, "severe in habitat", NULL, 0, NULL, NULL, NULL, &error));
  g_assert_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT);
  g_clear_error (&error);
  {
    g_autoptr(GCancellable) cancellable = g_cancellable_new ();

    g_cancellable_cancel (cancellable);
    g_assert_null (gis_query_save_result (rw, query, fids, "cancelled", NULL, 0, NULL, NULL, cancellable, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    g_clear_error (&error);
  }
  after = gis_store_checksum (rw, &error);
  g_assert_cmpstr (before, ==, after);

  g_clear_object (&rw);
  test_rm_rf (dir);
}

static void
test_saved_queries (void)
{
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GisStore) rw = NULL;
  g_autoptr(GisQuery) query = NULL;
  g_autoptr(GisQuery) loaded = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) names = NULL;
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;

  if (skip_without_store ())
    return;
  dir = test_make_tmpdir ();
  path = copy_store (dir);
  rw = gis_store_open (path, GIS_STORE_OPEN_READ_WRITE, &error);
  g_assert_no_error (error);

  query = gis_query_parse ("facilities", "not within 50 km of ports and name like 'A%'", &error);
  g_assert_no_error (error);
  g_assert_true (gis_store_save_query (rw, "far from ports", query, &error));
  {
    g_autoptr(GisQuery) all = gis_query_new ("ports", NULL);

    g_assert_true (gis_store_save_query (rw, "all", all, &error));
  }
  g_assert_true (gis_store_save_query (rw, "far from ports", query, &error));   /* replaced */
  g_assert_no_error (error);
  names = gis_store_list_queries (rw, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (names), ==, 2);
  g_assert_cmpstr (names[0], ==, "all");
  g_assert_cmpstr (names[1], ==, "far from ports");

  loaded = gis_store_load_query (rw, "far from ports", &error);
  g_assert_no_error (error);
  a = gis_query_to_json (query);
  b = gis_query_to_json (loaded);
  g_assert_cmpstr (a, ==, b);

  g_assert_true (gis_store_delete_query (rw, "all", &error));
  g_assert_false (gis_store_delete_query (rw, "all", &error));
  g_assert_error (error, GIS_ERROR, GIS_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_null (gis_store_load_query (rw, "all", &error));
  g_assert_error (error, GIS_ERROR, GIS_ERROR_NOT_FOUND);

  g_clear_object (&rw);
  test_rm_rf (dir);
}

static void
test_ready_queries (void)
{
  if (skip_without_store ())
    return;

  for (GisReadyQuery r = 0; r <= GIS_READY_QUERY_LAST; r++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GisReadyPlan) plan = gis_ready_plan_new (store, r, gis_ready_query_default_km (r),
                                                         GIS_DISTANCE_ANALYSIS, &error);
      g_autoptr(GArray) fids = NULL;
      g_autofree char *text = NULL;
      GisReadyQuery back;

      g_assert_no_error (error);
      g_assert_true (gis_ready_query_from_string (gis_ready_query_to_string (r), &back));
      g_assert_cmpint (back, ==, r);
      text = gis_ready_plan_describe (plan);
      g_test_message ("%s", text);
      fids = gis_query_run (store, gis_ready_plan_get_query (plan), NULL, NULL, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (fids->len, >, 0);

      if (r == GIS_READY_FACILITIES_UNCOVERED)
        {
          /* no resource layer in the sample: the facilities not within 50 km of a port */
          g_autoptr(GArray) near = brute ("facilities", BRUTE_WITHIN_ANALYSIS, "ports", 50000);

          g_assert_cmpuint (fids->len + near->len, ==, features_of ("facilities")->len);
        }
      else if (r == GIS_READY_INCIDENTS_NEAR_BORDER)
        {
          guint n;
          const GisQueryAnnotation *ann = gis_ready_plan_get_annotations (plan, &n);
          g_autoptr(GPtrArray) sides = NULL;
          g_autoptr(GArray) expected = brute ("incidents", BRUTE_WITHIN_ANALYSIS, "international_boundary", 25000);

          assert_same_fids (fids, expected, "incidents within 25 km of the boundary");
          g_assert_cmpstr (gis_ready_plan_get_group_column (plan), ==, "side");
          g_assert_cmpstr (ann[0].column, ==, "side");
          sides = gis_query_annotate (store, "incidents", fids, &ann[0], NULL, &error);
          g_assert_no_error (error);
          for (guint i = 0; i < sides->len; i++)
            {
              GVariant *v = g_ptr_array_index (sides, i);

              if (v != NULL)
                g_assert_true (g_strv_contains ((const char *const[]) { "US", "CA", "MX", NULL },
                                                g_variant_get_string (v, NULL)));
            }
        }
    }
}

int
main (int   argc,
      char *argv[])
{
  const char *path = g_getenv ("ATALAYA_SAMPLE_STORE");
  int ret;

  g_test_init (&argc, &argv, NULL);
  gis_init ();

  geos = GEOS_init_r ();
  pj_ctx = proj_context_create ();
  {
    PJ *raw = proj_create_crs_to_crs (pj_ctx, "EPSG:4326", LAEA, NULL);

    to_laea = proj_normalize_for_visualization (pj_ctx, raw);
    proj_destroy (raw);
  }

  if (path != NULL && g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_autoptr(GError) error = NULL;

      store_path = g_strdup (path);
      store = gis_store_open (path, GIS_STORE_OPEN_READ_ONLY, &error);
      g_assert_no_error (error);
    }

  g_test_add_func ("/query/text-round-trip", test_text_round_trip);
  g_test_add_func ("/query/parse-errors", test_parse_errors);
  g_test_add_func ("/query/inside", test_inside);
  g_test_add_func ("/query/intersects", test_intersects_both_ways);
  g_test_add_func ("/query/disjoint", test_disjoint);
  g_test_add_func ("/query/within", test_within);
  g_test_add_func ("/query/reference-geometry", test_reference_geometry);
  g_test_add_func ("/query/nearest", test_nearest);
  g_test_add_func ("/query/attributes", test_attributes);
  g_test_add_func ("/query/combinations", test_combinations);
  g_test_add_func ("/query/errors", test_errors);
  g_test_add_func ("/query/injection", test_injection);
  g_test_add_func ("/query/cancel", test_cancel);
  g_test_add_func ("/query/plan-sql", test_plan_sql);
  g_test_add_func ("/query/annotate", test_annotate);
  g_test_add_func ("/query/save-result", test_save_result);
  g_test_add_func ("/query/saved-queries", test_saved_queries);
  g_test_add_func ("/query/ready", test_ready_queries);

  ret = g_test_run ();

  g_clear_object (&store);
  proj_destroy (to_laea);
  proj_context_destroy (pj_ctx);
  GEOS_finish_r (geos);
  return ret;
}
