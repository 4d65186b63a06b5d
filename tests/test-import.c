/* test-import.c: every format in, every bad input refused
 *
 * Input files are made here, with OGR or by hand, so each test says
 * exactly what it feeds the importer.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gdal.h>
#include <glib/gstdio.h>
#include <math.h>
#include <cpl_string.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>
#include <proj.h>
#include <string.h>

#include "gis.h"
#include "gis-date-private.h"
#include "gis-sql-private.h"
#include "gis-store-private.h"
#include "test-util.h"

typedef struct
{
  const char *wkt;
  const char *name;
  gint64      n;
  const char *when;   /* YYYY-MM-DD */
} Feat;

static const Feat border_points[] = {
  { "POINT (-117.03 32.54)", "San Ysidro", 10, "2021-03-05" },
  { "POINT (-106.45 31.76)", "El Paso", 20, "2022-11-30" },
  { "POINT (-83.05 42.32)", "Détroit – Windsor", 30, "2019-01-01" },
};

/* Writes @feats with OGR; @epsg 0 means no CRS. */
static char *
make_ogr (const char         *dir,
          const char         *file,
          const char         *driver_name,
          int                 epsg,
          OGRwkbGeometryType  gtype,
          const Feat         *feats,
          guint               n_feats,
          gboolean            typed_date)
{
  char *path = g_build_filename (dir, file, NULL);
  GDALDriverH driver = GDALGetDriverByName (driver_name);
  GDALDatasetH ds;
  OGRLayerH layer;
  OGRSpatialReferenceH srs = NULL;
  OGRFieldDefnH fd;

  g_assert_nonnull (driver);
  ds = GDALCreate (driver, path, 0, 0, 0, GDT_Unknown, NULL);
  g_assert_nonnull (ds);

  if (epsg != 0)
    {
      srs = OSRNewSpatialReference (NULL);
      g_assert_cmpint (OSRImportFromEPSG (srs, epsg), ==, OGRERR_NONE);
      OSRSetAxisMappingStrategy (srs, OAMS_TRADITIONAL_GIS_ORDER);
    }

  {
    char **layer_options = NULL;

    if (g_str_equal (driver_name, "ESRI Shapefile"))
      layer_options = CSLSetNameValue (layer_options, "ENCODING", "UTF-8");
    layer = GDALDatasetCreateLayer (ds, "features", srs, gtype, layer_options);
    CSLDestroy (layer_options);
  }
  g_assert_nonnull (layer);

  fd = OGR_Fld_Create ("name", OFTString);
  g_assert_cmpint (OGR_L_CreateField (layer, fd, TRUE), ==, OGRERR_NONE);
  OGR_Fld_Destroy (fd);
  fd = OGR_Fld_Create ("n", OFTInteger64);
  g_assert_cmpint (OGR_L_CreateField (layer, fd, TRUE), ==, OGRERR_NONE);
  OGR_Fld_Destroy (fd);
  fd = OGR_Fld_Create ("when", typed_date ? OFTDate : OFTString);
  g_assert_cmpint (OGR_L_CreateField (layer, fd, TRUE), ==, OGRERR_NONE);
  OGR_Fld_Destroy (fd);

  for (guint i = 0; i < n_feats; i++)
    {
      OGRFeatureH f = OGR_F_Create (OGR_L_GetLayerDefn (layer));
      OGRGeometryH g = NULL;
      char *wkt = (char *) feats[i].wkt;

      OGR_F_SetFieldString (f, 0, feats[i].name);
      OGR_F_SetFieldInteger64 (f, 1, feats[i].n);
      OGR_F_SetFieldString (f, 2, feats[i].when);
      if (wkt != NULL)
        {
          g_assert_cmpint (OGR_G_CreateFromWkt (&wkt, srs, &g), ==, OGRERR_NONE);
          OGR_F_SetGeometryDirectly (f, g);
        }
      g_assert_cmpint (OGR_L_CreateFeature (layer, f), ==, OGRERR_NONE);
      OGR_F_Destroy (f);
    }

  GDALClose (ds);
  if (srs != NULL)
    OSRDestroySpatialReference (srs);
  return path;
}

static GisLayer *
import_ok (GisStore         *store,
           const char       *path,
           GisImportOptions *options)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GisImportReport) report = NULL;
  GisLayer *layer;

  layer = gis_store_import (store, path, options, NULL, NULL, NULL, &report, &error);
  g_assert_no_error (error);
  g_assert_nonnull (layer);
  g_assert_cmpuint (report->rows_rejected, ==, 0);
  return layer;
}

/* Reads a column of every feature, in fid order, as text. */
static char **
column_values (GisStore   *store,
               GisLayer   *layer,
               const char *expr)
{
  g_autofree char *qt = gis_sql_quote_ident (gis_layer_get_table_name (layer));
  g_autofree char *sql = g_strdup_printf ("SELECT %s FROM %s ORDER BY fid", expr, qt);
  g_autoptr(GError) error = NULL;
  g_autoptr(GisCursor) cursor = gis_store_query (store, sql, &error);
  GPtrArray *values = g_ptr_array_new ();

  g_assert_no_error (error);
  while (gis_cursor_next (cursor, NULL, &error))
    {
      char *v = gis_cursor_format_value (cursor, 0);
      g_ptr_array_add (values, v != NULL ? v : g_strdup ("NULL"));
    }
  g_assert_no_error (error);
  g_ptr_array_add (values, NULL);
  return (char **) g_ptr_array_free (values, FALSE);
}

static void
assert_strv (char       **got,
             const char  *expected)
{
  g_autofree char *joined = g_strjoinv ("|", got);

  g_assert_cmpstr (joined, ==, expected);
}

static void
assert_column (GisStore   *store,
               GisLayer   *layer,
               const char *expr,
               const char *expected)
{
  g_auto(GStrv) values = column_values (store, layer, expr);

  assert_strv (values, expected);
}

/* ---- formats ------------------------------------------------------------ */

static void
check_border_points (GisStore *store,
                     GisLayer *layer)
{
  g_assert_cmpint (gis_layer_get_feature_count (layer), ==, 3);
  g_assert_cmpstr (gis_layer_get_geometry_type (layer), ==, "POINT");
  assert_column (store, layer, "round(X(geom), 6) || ' ' || round(Y(geom), 6)",
                 "-117.03 32.54|-106.45 31.76|-83.05 42.32");
  assert_column (store, layer, "SRID(geom)", "4326|4326|4326");
}

static void
test_import_formats (void)
{
  static const struct {
    const char *driver;
    const char *file;
    gboolean typed_date;
    gboolean has_n;
    const char *n_type;   /* FileGDB (GDAL 3.6) stores 64-bit integers as doubles */
  } cases[] = {
    { "GPKG", "points.gpkg", TRUE, TRUE, "integer" },
    { "ESRI Shapefile", "points.shp", TRUE, TRUE, "integer" },
    { "GeoJSON", "points.geojson", FALSE, TRUE, "integer" },
    { "KML", "points.kml", FALSE, FALSE, NULL },
    { "OpenFileGDB", "points.gdb", TRUE, TRUE, "real" },
  };
  g_autofree char *dir = test_make_tmpdir ();
  g_autoptr(GisStore) store = test_new_store (dir, "formats.sqlite");

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = NULL;
      g_autoptr(GisImportOptions) options = gis_import_options_new ();
      g_autoptr(GisLayer) layer = NULL;

      g_test_message ("format %s", cases[i].driver);
      path = make_ogr (dir, cases[i].file, cases[i].driver, 4326, wkbPoint,
                       border_points, G_N_ELEMENTS (border_points), cases[i].typed_date);
      options->layer_name = g_strdup (cases[i].file);
      options->role = GIS_LAYER_ROLE_PORT;
      if (cases[i].has_n)
        options->date_field = g_strdup ("when");
      layer = import_ok (store, path, options);

      check_border_points (store, layer);
      g_assert_cmpint (gis_layer_get_role (layer), ==, GIS_LAYER_ROLE_PORT);
      if (cases[i].has_n)
        {
          assert_column (store, layer, "name", "San Ysidro|El Paso|Détroit – Windsor");
          g_autofree char *types = g_strdup_printf ("%s|%s|%s", cases[i].n_type,
                                                    cases[i].n_type, cases[i].n_type);

          assert_column (store, layer, "CAST(n AS INTEGER)", "10|20|30");
          assert_column (store, layer, "typeof(n)", types);
          assert_column (store, layer, "occurred_at",
                         "2021-03-05T00:00:00Z|2022-11-30T00:00:00Z|2019-01-01T00:00:00Z");
        }
    }

  g_assert_true (gis_store_check (store, NULL));
  g_clear_object (&store);
  test_rm_rf (dir);
}

static void
test_import_polygons (void)
{
  static const Feat polys[] = {
    { "POLYGON ((-100 30, -99 30, -99 31, -100 31, -100 30))", "square", 1, "2020-01-01" },
    { "MULTIPOLYGON (((-98 30, -97 30, -97 31, -98 30)), ((-96 30, -95 30, -95 31, -96 30)))",
      "two triangles", 2, "2020-01-02" },
    { "POLYGON Z ((-90 40 5, -89 40 5, -89 41 5, -90 40 5))", "3d triangle", 3, "2020-01-03" },
  };
  g_autofree char *dir = test_make_tmpdir ();
  g_autoptr(GisStore) store = test_new_store (dir, "polys.sqlite");
  g_autofree char *path = make_ogr (dir, "polys.geojson", "GeoJSON", 4326, wkbUnknown,
                                    polys, G_N_ELEMENTS (polys), FALSE);
  g_autoptr(GisLayer) layer = import_ok (store, path, NULL);

  /* polygons and multipolygons make one MULTIPOLYGON layer, in 2D */
  g_assert_cmpstr (gis_layer_get_geometry_type (layer), ==, "MULTIPOLYGON");
  assert_column (store, layer, "GeometryType(geom)", "MULTIPOLYGON|MULTIPOLYGON|MULTIPOLYGON");
  assert_column (store, layer, "ST_NumGeometries(geom)", "1|2|1");
  assert_column (store, layer, "round(ST_Area(geom), 9)", "1|1|0.5");
  assert_column (store, layer, "CoordDimension(geom)", "XY|XY|XY");
  assert_column (store, layer, "ST_IsValid(geom)", "1|1|1");
  {
    const GisExtent *e = gis_layer_get_extent (layer);
    g_assert_cmpfloat (e->min_x, ==, -100);
    g_assert_cmpfloat (e->max_x, ==, -89);
    g_assert_cmpfloat (e->min_y, ==, 30);
    g_assert_cmpfloat (e->max_y, ==, 41);
  }

  g_assert_true (gis_store_check (store, NULL));
  g_clear_object (&store);
  test_rm_rf (dir);
}

/* Source in UTM zone 14N: the stored lon/lat must be PROJ's inverse of the
 * coordinates written, to 1e-8 degrees. */
static void
test_import_reproject (void)
{
  static const double lonlat[][2] = { { -99.5, 27.5 }, { -97.25, 26.1 }, { -100.9, 29.3 } };
  g_autofree char *dir = test_make_tmpdir ();
  g_autoptr(GisStore) store = test_new_store (dir, "utm.sqlite");
  PJ_CONTEXT *ctx = proj_context_create ();
  PJ *raw = proj_create_crs_to_crs (ctx, "EPSG:4326", "EPSG:32614", NULL);
  PJ *pj = proj_normalize_for_visualization (ctx, raw);
  Feat feats[3];
  g_autofree char *csv = NULL;
  g_autoptr(GString) csv_text = g_string_new ("id;easting;northing\n");
  g_autofree char *path = NULL;
  g_autoptr(GisLayer) layer = NULL;
  g_autoptr(GisLayer) layer2 = NULL;
  g_autoptr(GisImportOptions) options = gis_import_options_new ();

  proj_destroy (raw);
  for (guint i = 0; i < 3; i++)
    {
      PJ_COORD c = proj_trans (pj, PJ_FWD, proj_coord (lonlat[i][0], lonlat[i][1], 0, 0));
      char x[64], y[64];

      feats[i].wkt = g_strdup_printf ("POINT (%.4f %.4f)", c.xy.x, c.xy.y);
      feats[i].name = "p";
      feats[i].n = i;
      feats[i].when = "2020-01-01";
      /* the same points in a European CSV: ';' and decimal commas */
      g_ascii_formatd (x, sizeof x, "%.4f", c.xy.x);
      g_ascii_formatd (y, sizeof y, "%.4f", c.xy.y);
      *strchr (x, '.') = ',';
      *strchr (y, '.') = ',';
      g_string_append_printf (csv_text, "%u;%s;%s\n", i, x, y);
    }
  proj_destroy (pj);
  proj_context_destroy (ctx);

  path = make_ogr (dir, "utm.gpkg", "GPKG", 32614, wkbPoint, feats, 3, FALSE);
  layer = import_ok (store, path, NULL);

  csv = test_write_file (dir, "utm.csv", csv_text->str, -1);
  options->x_field = g_strdup ("easting");
  options->y_field = g_strdup ("northing");
  options->src_crs = g_strdup ("EPSG:32614");
  layer2 = import_ok (store, csv, options);

  for (guint k = 0; k < 2; k++)
    {
      GisLayer *l = k == 0 ? layer : layer2;
      g_auto(GStrv) xs = column_values (store, l, "X(geom)");
      g_auto(GStrv) ys = column_values (store, l, "Y(geom)");

      for (guint i = 0; i < 3; i++)
        {
          g_assert_cmpfloat_with_epsilon (g_ascii_strtod (xs[i], NULL), lonlat[i][0], 1e-8);
          g_assert_cmpfloat_with_epsilon (g_ascii_strtod (ys[i], NULL), lonlat[i][1], 1e-8);
        }
    }

  for (guint i = 0; i < 3; i++)
    g_free ((char *) feats[i].wkt);
  g_clear_object (&store);
  test_rm_rf (dir);
}

/* ---- CSV ----------------------------------------------------------------- */

static void
test_import_csv_types (void)
{
  static const char csv[] =
    "\xEF\xBB\xBF" "code,name,lat,lon,count,ratio,note\r\n"
    "0101,\"Calexico, East\",32.67,-115.39,12,0.5,\r\n"
    "2304,\"Say \"\"hi\"\"\nthere\",27.50,-99.51,7,2,plain\r\n"
    "\r\n"
    "3004,Detroit,42.32,-83.05,-3,1e3,\r\n";
  g_autofree char *dir = test_make_tmpdir ();
  g_autoptr(GisStore) store = test_new_store (dir, "csv.sqlite");
  g_autofree char *path = test_write_file (dir, "ports.csv", csv, -1);
  g_autoptr(GisLayer) layer = import_ok (store, path, NULL);
  g_autoptr(GPtrArray) fields = gis_store_get_fields (store, layer, NULL);
  static const char *const expected[][2] = {
    { "code", "text" }, { "name", "text" }, { "lat", "real" }, { "lon", "real" },
    { "count", "integer" }, { "ratio", "real" }, { "note", "text" },
  };

  g_assert_cmpuint (fields->len, ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < fields->len; i++)
    {
      GisField *f = g_ptr_array_index (fields, i);

      g_assert_cmpstr (f->name, ==, expected[i][0]);
      g_assert_cmpstr (gis_field_type_to_string (f->type), ==, expected[i][1]);
    }

  assert_column (store, layer, "code", "0101|2304|3004");
  assert_column (store, layer, "name", "Calexico, East|Say \"hi\"\nthere|Detroit");
  assert_column (store, layer, "count", "12|7|-3");
  assert_column (store, layer, "ratio", "0.5|2|1000");
  assert_column (store, layer, "note", "NULL|plain|NULL");
  assert_column (store, layer, "X(geom) || ',' || Y(geom)",
                 "-115.39,32.67|-99.51,27.5|-83.05,42.32");

  g_clear_object (&store);
  test_rm_rf (dir);
}

static void
test_import_csv_wkt (void)
{
  static const char csv[] =
    "id\tgeometry\tlabel\n"
    "1\tPOLYGON ((0 0, 2 0, 2 2, 0 2, 0 0))\ta\n"
    "2\tSRID=4326;MULTIPOLYGON (((10 10, 11 10, 11 11, 10 10)))\tb\n";
  g_autofree char *dir = test_make_tmpdir ();
  g_autoptr(GisStore) store = test_new_store (dir, "wkt.sqlite");
  g_autofree char *path = test_write_file (dir, "zones.tsv", csv, -1);
  g_autoptr(GisLayer) layer = import_ok (store, path, NULL);

  g_assert_cmpstr (gis_layer_get_geometry_type (layer), ==, "MULTIPOLYGON");
  assert_column (store, layer, "round(ST_Area(geom), 9)", "4|0.5");
  assert_column (store, layer, "label", "a|b");

  g_clear_object (&store);
  test_rm_rf (dir);
}

static void
test_import_roles (void)
{
  static const char csv[] =
    "id;fecha;tipo;gravedad;pais;category;longitud;latitud\n"
    "1;05/03/2021 14:30;hazardous_waste;3;México;x;-99,13;19,43\n"
    "2;31/12/2020 23:59;ods_smuggling; 5 ;Canadá;y;-123,1;49,2\n"
    "3;01/01/2015 00:00;;;Estados Unidos;z;-106,45;31,76\n"
    "4;;illegal_logging;4.0;Guatemala;w;-90,5;15,5\n";
  g_autofree char *dir = test_make_tmpdir ();
  g_autoptr(GisStore) store = test_new_store (dir, "roles.sqlite");
  g_autofree char *path = test_write_file (dir, "incidentes.csv", csv, -1);
  g_autoptr(GisImportOptions) options = gis_import_options_new ();
  g_autoptr(GisLayer) layer = NULL;
  g_autoptr(GisImportReport) report = NULL;
  g_autoptr(GError) error = NULL;

  options->role = GIS_LAYER_ROLE_INCIDENT;
  options->date_field = g_strdup ("fecha");
  options->date_format = g_strdup ("%d/%m/%Y %H:%M");
  options->category_field = g_strdup ("tipo");
  options->severity_field = g_strdup ("gravedad");
  options->country_field = g_strdup ("pais");
  layer = gis_store_import (store, path, options, NULL, NULL, NULL, &report, &error);
  g_assert_no_error (error);

  assert_column (store, layer, "occurred_at",
                 "2021-03-05T14:30:00Z|2020-12-31T23:59:00Z|2015-01-01T00:00:00Z|NULL");
  assert_column (store, layer, "category", "hazardous_waste|ods_smuggling|NULL|illegal_logging");
  assert_column (store, layer, "severity", "3|5|NULL|4");
  assert_column (store, layer, "typeof(severity)", "integer|integer|null|integer");
  assert_column (store, layer, "country", "MX|CA|US|Guatemala");
  /* the original columns stay; the one named like a role column is renamed */
  assert_column (store, layer, "fecha", "05/03/2021 14:30|31/12/2020 23:59|01/01/2015 00:00|NULL");
  assert_column (store, layer, "src_category", "x|y|z|w");
  g_assert_cmpuint (report->notes->len, ==, 1);
  g_assert_nonnull (strstr (g_ptr_array_index (report->notes, 0), "src_category"));

  g_clear_object (&store);
  test_rm_rf (dir);
}

static void
test_date_parse (void)
{
  static const struct { const char *text; const char *format; const char *iso; } cases[] = {
    { "2021-03-05", NULL, "2021-03-05T00:00:00Z" },
    { "2021-03-05T14:30:00Z", NULL, "2021-03-05T14:30:00Z" },
    { "2021-03-05 14:30", NULL, "2021-03-05T14:30:00Z" },
    { "2021-03-05T14:30:00.250+02:00", NULL, "2021-03-05T12:30:00Z" },
    { "2021-01-01T01:00:00-05:00", NULL, "2021-01-01T06:00:00Z" },
    { "2020/02/29", NULL, "2020-02-29T00:00:00Z" },
    { "05/03/2021", "%d/%m/%Y", "2021-03-05T00:00:00Z" },
    { "3/5/21", "%m/%d/%y", "2021-03-05T00:00:00Z" },
    { "Jan 2023", "%b %Y", "2023-01-01T00:00:00Z" },
    { "5 févr. 2021", "%d %b %Y", "2021-02-05T00:00:00Z" },
    { "12 de marzo de 2020", "%d de %B de %Y", "2020-03-12T00:00:00Z" },
    { "12 AOÛT 2020", "%d %B %Y", "2020-08-12T00:00:00Z" },
    { "July 4, 1999 12:00 AM", "%B %d, %Y %I:%M %p", "1999-07-04T00:00:00Z" },
    { "July 4, 1999 1:05 PM", "%B %d, %Y %I:%M %p", "1999-07-04T13:05:00Z" },
    { "20210305", "%Y%m%d", "2021-03-05T00:00:00Z" },
    { "2021-03-05 10:00:00 +0100", "%Y-%m-%d %H:%M:%S %z", "2021-03-05T09:00:00Z" },
  };
  static const struct { const char *text; const char *format; } bad[] = {
    { "2021-02-29", NULL },
    { "2021-13-01", NULL },
    { "2021-03-05T25:00", NULL },
    { "yesterday", NULL },
    { "", NULL },
    { "05/03/2021", NULL },
    { "2021-03-05", "%d/%m/%Y" },
    { "31/04/2021", "%d/%m/%Y" },
    { "Foo 2023", "%b %Y" },
    { "05/03/2021 trailing", "%d/%m/%Y" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      char iso[GIS_DATE_ISO_LEN] = "";

      g_test_message ("%s with %s", cases[i].text, cases[i].format);
      g_assert_true (gis_date_parse (cases[i].text, strlen (cases[i].text), cases[i].format, iso));
      g_assert_cmpstr (iso, ==, cases[i].iso);
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      char iso[GIS_DATE_ISO_LEN];

      g_test_message ("bad %s with %s", bad[i].text, bad[i].format);
      g_assert_false (gis_date_parse (bad[i].text, strlen (bad[i].text), bad[i].format, iso));
    }

  g_assert_true (gis_date_format_is_valid ("%d/%m/%Y %H:%M", NULL));
  {
    g_autofree char *directive = NULL;
    g_assert_false (gis_date_format_is_valid ("%d/%Q", &directive));
    g_assert_cmpstr (directive, ==, "%Q");
  }
}

/* ---- bad input ------------------------------------------------------------ */

typedef struct
{
  char     *dir;
  char     *store_path;
  char     *checksum;
} Fixture;

static void
fixture_setup (Fixture       *fx,
               gconstpointer  data)
{
  g_autoptr(GisStore) store = NULL;
  g_autoptr(GisLayer) layer = NULL;
  g_autofree char *path = NULL;

  fx->dir = test_make_tmpdir ();
  store = test_new_store (fx->dir, "store.sqlite");
  fx->store_path = g_strdup (gis_store_get_path (store));
  path = make_ogr (fx->dir, "existing.gpkg", "GPKG", 4326, wkbPoint,
                   border_points, G_N_ELEMENTS (border_points), TRUE);
  layer = import_ok (store, path, NULL);
  g_clear_object (&store);
  fx->checksum = test_store_checksum (fx->store_path);
}

static void
fixture_teardown (Fixture       *fx,
                  gconstpointer  data)
{
  /* whatever failed, the store is exactly as before */
  g_autofree char *after = test_store_checksum (fx->store_path);

  g_assert_cmpstr (after, ==, fx->checksum);
  test_rm_rf (fx->dir);
  g_free (fx->dir);
  g_free (fx->store_path);
  g_free (fx->checksum);
}

/* Imports and expects a failure with @code whose message holds every
 * string of @needles. */
static GisImportReport *
expect_failure (Fixture          *fx,
                const char       *path,
                GisImportOptions *options,
                int               code,
                const char       *needles)
{
  g_autoptr(GisStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GisLayer) layer = NULL;
  GisImportReport *report = NULL;
  g_auto(GStrv) parts = g_strsplit (needles, "|", -1);

  store = gis_store_open (fx->store_path, GIS_STORE_OPEN_READ_WRITE, &error);
  g_assert_no_error (error);
  layer = gis_store_import (store, path, options, NULL, NULL, NULL, &report, &error);
  g_assert_null (layer);
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  g_assert_error (error, GIS_ERROR, code);
  for (guint i = 0; parts[i] != NULL; i++)
    if (strstr (error->message, parts[i]) == NULL)
      g_error ("“%s” is not in “%s”", parts[i], error->message);
  return report;
}

static void
test_bad_empty_files (Fixture       *fx,
                      gconstpointer  data)
{
  static const char *const names[] = { "empty.csv", "empty.gpkg", "empty.shp", "empty.geojson", "empty.kml" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = test_write_file (fx->dir, names[i], "", 0);
      g_autoptr(GisImportReport) r = expect_failure (fx, path, NULL, GIS_ERROR_INVALID_INPUT,
                                                     "empty");
      g_assert_nonnull (strstr (r->source_path, names[i]));
    }

  {
    g_autofree char *path = test_write_file (fx->dir, "header.csv", "name,lon,lat\n", -1);
    g_autoptr(GisImportReport) r = expect_failure (fx, path, NULL, GIS_ERROR_INVALID_INPUT,
                                                   "header.csv|no features");
  }
  {
    g_autofree char *path = test_write_file (fx->dir, "blank.csv", "\n\n\n", -1);
    g_autoptr(GisImportReport) r = expect_failure (fx, path, NULL, GIS_ERROR_INVALID_INPUT,
                                                   "blank.csv|empty");
  }
  {
    /* a GeoPackage with a layer but no rows */
    g_autofree char *path = make_ogr (fx->dir, "none.gpkg", "GPKG", 4326, wkbPoint, NULL, 0, FALSE);
    g_autoptr(GisImportOptions) o = gis_import_options_new ();
    g_autoptr(GisImportReport) r = NULL;

    o->layer_name = g_strdup ("none");
    r = expect_failure (fx, path, o, GIS_ERROR_INVALID_INPUT, "none.gpkg|no features");
  }
}

static void
test_bad_truncated_gpkg (Fixture       *fx,
                         gconstpointer  data)
{
  g_autoptr(GPtrArray) feats = g_ptr_array_new_with_free_func (g_free);
  g_autofree Feat *many = g_new0 (Feat, 2000);
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *cut = NULL;
  gsize len;

  for (guint i = 0; i < 2000; i++)
    {
      char *wkt = g_strdup_printf ("POINT (%d.%03u 30.5)", -100 + (int) (i % 20), i);
      g_ptr_array_add (feats, wkt);
      many[i].wkt = wkt;
      many[i].name = "a fairly long name so that the table spans many pages of the file";
      many[i].n = i;
      many[i].when = "2020-01-01";
    }
  path = make_ogr (fx->dir, "full.gpkg", "GPKG", 4326, wkbPoint, many, 2000, FALSE);
  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
  cut = test_write_file (fx->dir, "truncated.gpkg", contents, (gssize) (len / 2));

  {
    g_autoptr(GisImportReport) r = expect_failure (fx, cut, NULL, GIS_ERROR_INVALID_INPUT,
                                                   "truncated.gpkg");
  }
}

static void
test_bad_rows (Fixture       *fx,
               gconstpointer  data)
{
  static const struct {
    const char *name;
    const char *csv;
    guint64 line;
    const char *field;
    const char *reason;
  } cases[] = {
    { "lat95.csv", "name,lon,lat\nok,-100,30\nbad,-100,95\n", 3, NULL, "latitude 95" },
    { "lon200.csv", "name,lon,lat\nbad,200,30\nok,-100,30\n", 2, NULL, "longitude 200" },
    { "nan.csv", "name,lon,lat\nok,-100,30\nbad,abc,30\n", 3, "lon", "“abc” is not a number" },
    { "nogeom.csv", "name,lon,lat\nok,-100,30\nbad,,\n", 3, NULL, "coordinates are empty" },
    { "count.csv", "name,lon,lat\nok,-100,30\nbad,-100,30,extra\n", 3, NULL, "4 in the row, 3 in the header" },
    { "quote.csv", "name,lon,lat\nok,-100,30\n\"open,-100,30\n", 3, NULL, "not closed" },
    { "latin1.csv", "name,lon,lat\nok,-100,30\nM\xe9xico,-99,19\n", 3, "name", "UTF-8" },
    { "wkt.csv", "id,wkt\n1,POINT (1 2)\n2,POINT (1 2\n", 3, "wkt", "not valid WKT" },
    { "emptywkt.csv", "id,wkt\n1,POINT EMPTY\n2,POINT (1 2)\n", 2, NULL, "empty geometry" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = test_write_file (fx->dir, cases[i].name, cases[i].csv, -1);
      g_autoptr(GisImportReport) r = NULL;
      GisRejectedRow *row;

      g_test_message ("case %s", cases[i].name);
      r = expect_failure (fx, path, NULL, GIS_ERROR_REJECTED_ROWS, cases[i].name);
      g_assert_cmpuint (r->rows_rejected, ==, 1);
      g_assert_cmpuint (r->rejected->len, ==, 1);
      row = g_ptr_array_index (r->rejected, 0);
      g_assert_cmpuint (row->line, ==, cases[i].line);
      g_assert_cmpstr (row->field, ==, cases[i].field);
      if (strstr (row->reason, cases[i].reason) == NULL)
        g_error ("“%s” is not in “%s”", cases[i].reason, row->reason);
    }
}

static void
test_bad_role_values (Fixture       *fx,
                      gconstpointer  data)
{
  static const char csv[] =
    "id,date,sev,lon,lat\n"
    "1,2021-01-01,3,-100,30\n"
    "2,2021-02-30,3,-100,30\n"
    "3,2021-03-01,high,-100,30\n"
    "4,2021-03-01,2.5,-100,30\n";
  g_autofree char *path = test_write_file (fx->dir, "roles.csv", csv, -1);
  g_autoptr(GisImportOptions) options = gis_import_options_new ();
  g_autoptr(GisImportReport) r = NULL;
  static const struct { guint64 line; const char *field; const char *reason; } rows[] = {
    { 3, "date", "“2021-02-30” is not an ISO 8601 date" },
    { 4, "sev", "“high” is not a whole number" },
    { 5, "sev", "“2.5” is not a whole number" },
  };

  options->date_field = g_strdup ("date");
  options->severity_field = g_strdup ("sev");
  r = expect_failure (fx, path, options, GIS_ERROR_REJECTED_ROWS, "roles.csv|3 rows|line 3");
  g_assert_cmpuint (r->rows_read, ==, 4);
  g_assert_cmpuint (r->rows_rejected, ==, 3);
  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      GisRejectedRow *row = g_ptr_array_index (r->rejected, i);

      g_assert_cmpuint (row->line, ==, rows[i].line);
      g_assert_cmpstr (row->field, ==, rows[i].field);
      g_test_message ("%s", row->reason);
      g_assert_true (g_str_has_prefix (row->reason, rows[i].reason));
    }

  /* a stated format that the rows do not follow */
  {
    g_autoptr(GisImportOptions) o2 = gis_import_options_new ();
    g_autoptr(GisImportReport) r2 = NULL;

    o2->date_field = g_strdup ("date");
    o2->date_format = g_strdup ("%d/%m/%Y");
    r2 = expect_failure (fx, path, o2, GIS_ERROR_REJECTED_ROWS, "roles.csv|4 rows");
  }

  /* a format Atalaya does not know, a missing column */
  {
    g_autoptr(GisImportOptions) o3 = gis_import_options_new ();
    g_autoptr(GisImportReport) r3 = NULL;

    o3->date_field = g_strdup ("date");
    o3->date_format = g_strdup ("%d/%m/%Q");
    r3 = expect_failure (fx, path, o3, GIS_ERROR_INVALID_INPUT, "%Q");
  }
  {
    g_autoptr(GisImportOptions) o4 = gis_import_options_new ();
    g_autoptr(GisImportReport) r4 = NULL;

    o4->category_field = g_strdup ("kind");
    r4 = expect_failure (fx, path, o4, GIS_ERROR_NOT_FOUND, "roles.csv|“kind”");
  }
}

static void
test_bad_structure (Fixture       *fx,
                    gconstpointer  data)
{
  {
    g_autofree char *path = test_write_file (fx->dir, "dup.csv",
                                             "name,lon,lat,Name\na,1,2,b\n", -1);
    g_autoptr(GisImportReport) r = expect_failure (fx, path, NULL, GIS_ERROR_INVALID_INPUT,
                                                   "dup.csv|“Name” appears twice|columns 1 and 4");
  }
  {
    g_autofree char *path = test_write_file (fx->dir, "nocoords.csv", "name,city\na,b\n", -1);
    g_autoptr(GisImportReport) r = expect_failure (fx, path, NULL, GIS_ERROR_INVALID_INPUT,
                                                   "nocoords.csv|no geometry columns");
  }
  {
    g_autofree char *path = test_write_file (fx->dir, "given.csv", "name,x1,y1\na,1,2\n", -1);
    g_autoptr(GisImportOptions) o = gis_import_options_new ();
    g_autoptr(GisImportReport) r = NULL;

    o->x_field = g_strdup ("lon");
    o->y_field = g_strdup ("y1");
    r = expect_failure (fx, path, o, GIS_ERROR_NOT_FOUND, "given.csv|“lon”");
  }
  {
    /* a shapefile without its .shx */
    g_autofree char *shp = make_ogr (fx->dir, "noshx.shp", "ESRI Shapefile", 4326, wkbPoint,
                                     border_points, G_N_ELEMENTS (border_points), FALSE);
    g_autofree char *shx = g_build_filename (fx->dir, "noshx.shx", NULL);
    g_autoptr(GisImportReport) r = NULL;

    g_assert_cmpint (g_unlink (shx), ==, 0);
    r = expect_failure (fx, shp, NULL, GIS_ERROR_INVALID_INPUT, "noshx.shp|.shx");
  }
  {
    g_autofree char *path = test_write_file (fx->dir, "notgis.gpkg", "this is not a geopackage\n", -1);
    g_autoptr(GisImportReport) r = expect_failure (fx, path, NULL, GIS_ERROR_UNSUPPORTED,
                                                   "notgis.gpkg");
  }
  {
    g_autofree char *missing = g_build_filename (fx->dir, "missing.geojson", NULL);
    g_autoptr(GisImportReport) r = expect_failure (fx, missing, NULL, GIS_ERROR_NOT_FOUND,
                                                   "missing.geojson");
  }
  {
    g_autofree char *path = make_ogr (fx->dir, "two.gpkg", "GPKG", 4326, wkbPoint,
                                      border_points, 3, FALSE);
    g_autoptr(GisImportOptions) o = gis_import_options_new ();
    g_autoptr(GisImportReport) r = NULL;

    o->source_layer = g_strdup ("nope");
    r = expect_failure (fx, path, o, GIS_ERROR_NOT_FOUND, "two.gpkg|“nope”");
  }
  {
    /* the name of the existing layer */
    g_autofree char *path = make_ogr (fx->dir, "again.gpkg", "GPKG", 4326, wkbPoint,
                                      border_points, 3, FALSE);
    g_autoptr(GisImportOptions) o = gis_import_options_new ();
    g_autoptr(GisImportReport) r = NULL;

    o->layer_name = g_strdup ("features");
    r = expect_failure (fx, path, o, GIS_ERROR_EXISTS, "“features” already exists");
  }
}

static void
test_bad_crs (Fixture       *fx,
              gconstpointer  data)
{
  {
    g_autofree char *path = test_write_file (fx->dir, "p.csv", "name,lon,lat\na,1,2\n", -1);
    g_autoptr(GisImportOptions) o = gis_import_options_new ();
    g_autoptr(GisImportReport) r = NULL;

    o->src_crs = g_strdup ("EPSG:999999");
    r = expect_failure (fx, path, o, GIS_ERROR_CRS, "EPSG:999999");
  }
  {
    g_autofree char *path = test_write_file (
      fx->dir, "crs.geojson",
      "{\"type\":\"FeatureCollection\",\"crs\":{\"type\":\"name\",\"properties\":"
      "{\"name\":\"urn:ogc:def:crs:EPSG::999999\"}},\"features\":[{\"type\":\"Feature\","
      "\"properties\":{\"a\":1},\"geometry\":{\"type\":\"Point\",\"coordinates\":[1,2]}}]}", -1);
    g_autoptr(GisImportReport) r = expect_failure (fx, path, NULL, GIS_ERROR_CRS,
                                                   "crs.geojson|unknown CRS");
  }
  {
    g_autofree char *shp = make_ogr (fx->dir, "badprj.shp", "ESRI Shapefile", 4326, wkbPoint,
                                     border_points, G_N_ELEMENTS (border_points), FALSE);
    g_autofree char *prj = test_write_file (fx->dir, "badprj.prj", "GARBAGE[nonsense]", -1);
    g_autoptr(GisImportReport) r = expect_failure (fx, shp, NULL, GIS_ERROR_CRS,
                                                   "badprj.shp|badprj.prj");
  }
}

static void
cancel_after_some (double      fraction,
                   const char *message,
                   gpointer    user_data)
{
  GCancellable *cancellable = user_data;

  if (fraction > 0.2)
    g_cancellable_cancel (cancellable);
}

static void
test_cancel (Fixture       *fx,
             gconstpointer  data)
{
  g_autoptr(GString) csv = g_string_new ("id,lon,lat\n");
  g_autofree char *path = NULL;
  g_autoptr(GisStore) store = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GisLayer) layer = NULL;

  for (int i = 0; i < 50000; i++)
    g_string_append_printf (csv, "%d,%d.%04d,%d.%04d\n", i, -120 + i % 50, i % 9973,
                            25 + i % 20, (i * 7) % 9973);
  path = test_write_file (fx->dir, "big.csv", csv->str, (gssize) csv->len);

  store = gis_store_open (fx->store_path, GIS_STORE_OPEN_READ_WRITE, &error);
  g_assert_no_error (error);
  layer = gis_store_import (store, path, NULL, cancel_after_some, cancellable, cancellable,
                            NULL, &error);
  g_assert_null (layer);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

/* ---- skipping bad rows ------------------------------------------------------ */

static void
test_skip_bad_rows (void)
{
  static const char csv[] =
    "name,lon,lat\n"
    "a,-100,30\n"
    "b,-100,95\n"
    "c,-99,31\n"
    "d,,\n"
    "e,-98,32\n";
  g_autofree char *dir = test_make_tmpdir ();
  g_autoptr(GisStore) store = test_new_store (dir, "skip.sqlite");
  g_autofree char *path = test_write_file (dir, "some-bad.csv", csv, -1);
  g_autoptr(GisImportOptions) options = gis_import_options_new ();
  g_autoptr(GisImportReport) report = NULL;
  g_autoptr(GisLayer) layer = NULL;
  g_autoptr(GError) error = NULL;

  options->skip_bad_rows = TRUE;
  layer = gis_store_import (store, path, options, NULL, NULL, NULL, &report, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gis_layer_get_feature_count (layer), ==, 3);
  g_assert_cmpuint (report->rows_read, ==, 5);
  g_assert_cmpuint (report->rows_imported, ==, 3);
  g_assert_cmpuint (report->rows_rejected, ==, 2);
  g_assert_cmpuint (((GisRejectedRow *) g_ptr_array_index (report->rejected, 0))->line, ==, 3);
  g_assert_cmpuint (((GisRejectedRow *) g_ptr_array_index (report->rejected, 1))->line, ==, 5);
  assert_column (store, layer, "name", "a|c|e");
  assert_column (store, layer, "fid", "1|2|3");
  g_assert_true (gis_store_check (store, NULL));

  g_clear_object (&store);
  test_rm_rf (dir);
}

/* ---- the spatial index ------------------------------------------------------- */

static guint32 rng_state = 12345;

static double
rnd (void)
{
  rng_state = rng_state * 1664525u + 1013904223u;
  return (rng_state >> 8) / 16777216.0;
}

/* The bulk-loaded R*Tree answers window queries exactly as a scan does,
 * and SpatiaLite keeps it up to date after the import. */
static void
test_spatial_index (void)
{
  g_autofree char *dir = test_make_tmpdir ();
  g_autoptr(GisStore) store = test_new_store (dir, "index.sqlite");
  g_autoptr(GString) csv = g_string_new ("id,wkt\n");
  g_autofree char *path = NULL;
  g_autoptr(GisLayer) layer = NULL;
  sqlite3 *db = gis_store_get_db (store);

  /* points and small boxes mixed: a GEOMETRY layer */
  for (int i = 0; i < 30000; i++)
    {
      double cx = -125 + 55 * rnd (), cy = 15 + 40 * rnd ();
      char a[32], b[32], c[32], d[32];

      g_ascii_formatd (a, sizeof a, "%.6f", cx);
      g_ascii_formatd (b, sizeof b, "%.6f", cy);
      g_ascii_formatd (c, sizeof c, "%.6f", cx + 0.01 + 0.3 * rnd ());
      g_ascii_formatd (d, sizeof d, "%.6f", cy + 0.01 + 0.3 * rnd ());
      if (i % 3 == 0)
        g_string_append_printf (csv, "%d,\"POINT (%s %s)\"\n", i, a, b);
      else
        g_string_append_printf (csv, "%d,\"POLYGON ((%s %s, %s %s, %s %s, %s %s, %s %s))\"\n",
                                i, a, b, c, b, c, d, a, d, a, b);
    }
  path = test_write_file (dir, "boxes.csv", csv->str, (gssize) csv->len);
  layer = import_ok (store, path, NULL);
  g_assert_cmpint (gis_layer_get_feature_count (layer), ==, 30000);
  g_assert_cmpstr (gis_layer_get_geometry_type (layer), ==, "GEOMETRY");
  g_assert_true (gis_store_check (store, NULL));

  for (int q = 0; q < 50; q++)
    {
      double x0 = -125 + 50 * rnd (), y0 = 15 + 35 * rnd ();
      double x1 = x0 + 5 * rnd (), y1 = y0 + 5 * rnd ();
      g_autofree char *sql = g_strdup_printf (
        "SELECT (SELECT count(*) FROM boxes WHERE fid IN (SELECT pkid FROM idx_boxes_geom "
        "  WHERE xmin <= %.6f AND xmax >= %.6f AND ymin <= %.6f AND ymax >= %.6f) "
        "  AND MbrIntersects(geom, BuildMbr(%.6f, %.6f, %.6f, %.6f))), "
        "(SELECT count(*) FROM boxes WHERE MbrIntersects(geom, BuildMbr(%.6f, %.6f, %.6f, %.6f)))",
        x1, x0, y1, y0, x0, y0, x1, y1, x0, y0, x1, y1);
      sqlite3_stmt *stmt = NULL;

      g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
      g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
      g_assert_cmpint (sqlite3_column_int (stmt, 0), ==, sqlite3_column_int (stmt, 1));
      sqlite3_finalize (stmt);
    }

  /* SpatiaLite's triggers are back: edits reach the index */
  g_assert_true (gis_sql_exec (db, "INSERT INTO boxes (id, geom) VALUES (-1, "
                                   "PolyFromText('POLYGON ((170 80, 171 80, 171 81, 170 80))', 4326))",
                               NULL));
  g_assert_true (gis_sql_exec (db, "DELETE FROM boxes WHERE fid = 5", NULL));
  g_assert_true (gis_sql_exec (db, "UPDATE boxes SET geom = PolyFromText("
                                   "'POLYGON ((-179 -80, -178 -80, -178 -79, -179 -80))', 4326) "
                                   "WHERE fid = 7", NULL));
  {
    sqlite3_stmt *stmt = NULL;

    g_assert_cmpint (sqlite3_prepare_v2 (db,
                                         "SELECT (SELECT count(*) FROM idx_boxes_geom WHERE xmin >= 170), "
                                         "(SELECT count(*) FROM idx_boxes_geom WHERE pkid = 5), "
                                         "(SELECT count(*) FROM idx_boxes_geom WHERE xmax <= -178)",
                                         -1, &stmt, NULL), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
    g_assert_cmpint (sqlite3_column_int (stmt, 0), ==, 1);
    g_assert_cmpint (sqlite3_column_int (stmt, 1), ==, 0);
    g_assert_cmpint (sqlite3_column_int (stmt, 2), ==, 1);
    sqlite3_finalize (stmt);
  }
  g_assert_true (gis_sql_exec (db, "SELECT 1", NULL));
  {
    sqlite3_stmt *stmt = NULL;

    g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT rtreecheck('idx_boxes_geom')", -1, &stmt, NULL),
                     ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
    g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 0), ==, "ok");
    sqlite3_finalize (stmt);
  }

  g_clear_object (&store);
  test_rm_rf (dir);
}

static void
test_encoding (void)
{
  static const char csv[] = "name,lon,lat\nM\xe9xico,-99,19\nQu\xe9" "bec,-71,46\n";
  g_autofree char *dir = test_make_tmpdir ();
  g_autoptr(GisStore) store = test_new_store (dir, "enc.sqlite");
  g_autofree char *path = test_write_file (dir, "latin1.csv", csv, -1);
  g_autoptr(GisImportOptions) options = gis_import_options_new ();
  g_autoptr(GisLayer) layer = NULL;

  options->encoding = g_strdup ("ISO-8859-1");
  layer = import_ok (store, path, options);
  assert_column (store, layer, "name", "México|Québec");

  g_clear_object (&store);
  test_rm_rf (dir);
}

static void
test_no_geometry (void)
{
  static const char csv[] = "port_code,year,value\n0101,2024,12\n2304,2024,7\n";
  g_autofree char *dir = test_make_tmpdir ();
  g_autoptr(GisStore) store = test_new_store (dir, "table.sqlite");
  g_autofree char *path = test_write_file (dir, "annual.csv", csv, -1);
  g_autoptr(GisImportOptions) options = gis_import_options_new ();
  g_autoptr(GisLayer) layer = NULL;

  options->no_geometry = TRUE;
  layer = import_ok (store, path, options);
  g_assert_cmpstr (gis_layer_get_geometry_type (layer), ==, "NONE");
  g_assert_cmpint (gis_layer_get_feature_count (layer), ==, 2);
  assert_column (store, layer, "port_code || '/' || year || '/' || value", "0101/2024/12|2304/2024/7");
  g_assert_true (gis_store_check (store, NULL));

  g_clear_object (&store);
  test_rm_rf (dir);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  gis_init ();

  g_test_add_func ("/import/formats", test_import_formats);
  g_test_add_func ("/import/polygons", test_import_polygons);
  g_test_add_func ("/import/reproject", test_import_reproject);
  g_test_add_func ("/import/csv-types", test_import_csv_types);
  g_test_add_func ("/import/csv-wkt", test_import_csv_wkt);
  g_test_add_func ("/import/roles", test_import_roles);
  g_test_add_func ("/import/date-parse", test_date_parse);
  g_test_add_func ("/import/skip-bad-rows", test_skip_bad_rows);
  g_test_add_func ("/import/spatial-index", test_spatial_index);
  g_test_add_func ("/import/encoding", test_encoding);
  g_test_add_func ("/import/no-geometry", test_no_geometry);
  g_test_add ("/import/bad/empty-files", Fixture, NULL, fixture_setup, test_bad_empty_files, fixture_teardown);
  g_test_add ("/import/bad/truncated-gpkg", Fixture, NULL, fixture_setup, test_bad_truncated_gpkg, fixture_teardown);
  g_test_add ("/import/bad/rows", Fixture, NULL, fixture_setup, test_bad_rows, fixture_teardown);
  g_test_add ("/import/bad/role-values", Fixture, NULL, fixture_setup, test_bad_role_values, fixture_teardown);
  g_test_add ("/import/bad/structure", Fixture, NULL, fixture_setup, test_bad_structure, fixture_teardown);
  g_test_add ("/import/bad/crs", Fixture, NULL, fixture_setup, test_bad_crs, fixture_teardown);
  g_test_add ("/import/bad/cancel", Fixture, NULL, fixture_setup, test_cancel, fixture_teardown);

  return g_test_run ();
}
