/* test-export.c: layers and query results out to every format
 *
 * Files are read back with OGR, independently of the exporter.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gdal.h>
#include <glib/gstdio.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>
#include <proj.h>
#include <string.h>

#include "gis.h"
#include "test-util.h"

static const char ports_csv[] =
  "name,code,staff,longitude,latitude\n"
  "San Ysidro,2504,120,-117.03,32.54\n"
  "El Paso,2402,95,-106.45,31.76\n"
  "Detroit,3801,80,-83.05,42.32\n";

typedef struct
{
  char     *dir;
  GisStore *store;
  GisLayer *ports;
} Fixture;

static void
fixture_setup (Fixture       *fx,
               gconstpointer  data)
{
  g_autofree char *csv = NULL;
  g_autoptr(GisImportOptions) options = gis_import_options_new ();
  GError *error = NULL;

  fx->dir = test_make_tmpdir ();
  fx->store = test_new_store (fx->dir, "export.sqlite");
  csv = test_write_file (fx->dir, "ports.csv", ports_csv, -1);
  options->layer_name = g_strdup ("ports");
  options->role = GIS_LAYER_ROLE_PORT;
  fx->ports = gis_store_import (fx->store, csv, options, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture       *fx,
                  gconstpointer  data)
{
  g_clear_object (&fx->ports);
  g_clear_object (&fx->store);
  test_rm_rf (fx->dir);
  g_free (fx->dir);
}

typedef struct
{
  char   *name;
  gint64  staff;
  double  x, y;
} ReadBack;

/* Reads the first layer of @path with OGR. */
static GArray *
read_back (const char  *path,
           char       **out_srs_auth)
{
  /* CSV exports of points carry X and Y columns */
  const char *const csv_options[] = { "X_POSSIBLE_NAMES=X", "Y_POSSIBLE_NAMES=Y", NULL };
  GDALDatasetH ds = GDALOpenEx (path, GDAL_OF_VECTOR, NULL,
                                g_str_has_suffix (path, ".csv") ? csv_options : NULL, NULL);
  GArray *rows = g_array_new (FALSE, TRUE, sizeof (ReadBack));
  OGRLayerH layer;
  OGRFeatureH f;
  OGRFeatureDefnH defn;
  int name_idx, staff_idx;

  g_assert_nonnull (ds);
  layer = GDALDatasetGetLayer (ds, 0);
  defn = OGR_L_GetLayerDefn (layer);
  name_idx = OGR_FD_GetFieldIndex (defn, "name");
  if (name_idx < 0)
    name_idx = OGR_FD_GetFieldIndex (defn, "Name");
  staff_idx = OGR_FD_GetFieldIndex (defn, "staff");

  if (out_srs_auth != NULL)
    {
      OGRSpatialReferenceH srs = OGR_L_GetSpatialRef (layer);

      *out_srs_auth = NULL;
      if (srs != NULL)
        {
          OSRAutoIdentifyEPSG (srs);
          if (OSRGetAuthorityCode (srs, NULL) != NULL)
            *out_srs_auth = g_strdup_printf ("EPSG:%s", OSRGetAuthorityCode (srs, NULL));
        }
    }

  while ((f = OGR_L_GetNextFeature (layer)) != NULL)
    {
      ReadBack r = { 0 };
      OGRGeometryH g = OGR_F_GetGeometryRef (f);

      r.name = g_strdup (name_idx >= 0 ? OGR_F_GetFieldAsString (f, name_idx) : "");
      r.staff = staff_idx >= 0 ? OGR_F_GetFieldAsInteger64 (f, staff_idx) : -1;
      if (g != NULL)
        {
          r.x = OGR_G_GetX (g, 0);
          r.y = OGR_G_GetY (g, 0);
        }
      g_array_append_val (rows, r);
      OGR_F_Destroy (f);
    }
  GDALClose (ds);
  return rows;
}

static void
read_back_free (GArray *rows)
{
  for (guint i = 0; i < rows->len; i++)
    g_free (g_array_index (rows, ReadBack, i).name);
  g_array_unref (rows);
}

static void
test_export_formats (Fixture       *fx,
                     gconstpointer  data)
{
  static const struct { const char *file; gboolean has_staff; } cases[] = {
    { "out.gpkg", TRUE },
    { "out.geojson", TRUE },
    { "out.shp", TRUE },
    { "out.csv", TRUE },
    { "out.kml", FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_build_filename (fx->dir, cases[i].file, NULL);
      g_autoptr(GError) error = NULL;
      guint64 count = 0;
      GArray *rows;

      g_test_message ("%s", cases[i].file);
      g_assert_true (gis_store_export_layer (fx->store, fx->ports, path, NULL, NULL, NULL, NULL,
                                             &count, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (count, ==, 3);

      rows = read_back (path, NULL);
      g_assert_cmpuint (rows->len, ==, 3);
      g_assert_cmpstr (g_array_index (rows, ReadBack, 0).name, ==, "San Ysidro");
      g_assert_cmpstr (g_array_index (rows, ReadBack, 2).name, ==, "Detroit");
      if (cases[i].has_staff)
        g_assert_cmpint (g_array_index (rows, ReadBack, 1).staff, ==, 95);
      g_assert_cmpfloat_with_epsilon (g_array_index (rows, ReadBack, 0).x, -117.03, 1e-9);
      g_assert_cmpfloat_with_epsilon (g_array_index (rows, ReadBack, 0).y, 32.54, 1e-9);
      g_assert_cmpfloat_with_epsilon (g_array_index (rows, ReadBack, 2).x, -83.05, 1e-9);
      read_back_free (rows);

      /* a second export to the same name is refused unless asked */
      g_assert_false (gis_store_export_layer (fx->store, fx->ports, path, NULL, NULL, NULL, NULL,
                                              NULL, &error));
      g_assert_error (error, GIS_ERROR, GIS_ERROR_EXISTS);
      g_clear_error (&error);
      {
        g_autoptr(GisExportOptions) o = gis_export_options_new ();

        o->overwrite = TRUE;
        g_assert_true (gis_store_export_layer (fx->store, fx->ports, path, o, NULL, NULL, NULL,
                                               &count, &error));
        g_assert_no_error (error);
      }
    }
}

/* The exported coordinates are PROJ's transform of the stored ones. */
static void
test_export_crs (Fixture       *fx,
                 gconstpointer  data)
{
  static const double lonlat[][2] = { { -117.03, 32.54 }, { -106.45, 31.76 }, { -83.05, 42.32 } };
  static const char *const crs[] = { "EPSG:3978", "EPSG:5070", "EPSG:6372", "EPSG:3857" };

  for (guint k = 0; k < G_N_ELEMENTS (crs); k++)
    {
      g_autofree char *path = g_strdup_printf ("%s/out-%u.gpkg", fx->dir, k);
      g_autoptr(GisExportOptions) o = gis_export_options_new ();
      g_autoptr(GError) error = NULL;
      g_autofree char *auth = NULL;
      PJ_CONTEXT *ctx = proj_context_create ();
      PJ *raw = proj_create_crs_to_crs (ctx, "EPSG:4326", crs[k], NULL);
      PJ *pj = proj_normalize_for_visualization (ctx, raw);
      GArray *rows;

      o->crs = g_strdup (crs[k]);
      g_assert_true (gis_store_export_layer (fx->store, fx->ports, path, o, NULL, NULL, NULL,
                                             NULL, &error));
      g_assert_no_error (error);
      rows = read_back (path, &auth);
      g_assert_cmpstr (auth, ==, crs[k]);
      for (guint i = 0; i < 3; i++)
        {
          PJ_COORD c = proj_trans (pj, PJ_FWD, proj_coord (lonlat[i][0], lonlat[i][1], 0, 0));

          g_assert_cmpfloat_with_epsilon (g_array_index (rows, ReadBack, i).x, c.xy.x, 1e-3);
          g_assert_cmpfloat_with_epsilon (g_array_index (rows, ReadBack, i).y, c.xy.y, 1e-3);
        }
      read_back_free (rows);
      proj_destroy (raw);
      proj_destroy (pj);
      proj_context_destroy (ctx);
    }

  /* the CEC atlas preset by name */
  {
    g_autofree char *path = g_build_filename (fx->dir, "laea.geojson", NULL);
    g_autoptr(GisExportOptions) o = gis_export_options_new ();
    g_autoptr(GError) error = NULL;
    GArray *rows;

    o->crs = g_strdup ("cec-laea");
    g_assert_true (gis_store_export_layer (fx->store, fx->ports, path, o, NULL, NULL, NULL,
                                           NULL, &error));
    g_assert_no_error (error);
    rows = read_back (path, NULL);
    /* Detroit lies east of 100 W and south of 45 N */
    g_assert_cmpfloat (g_array_index (rows, ReadBack, 2).x, >, 1000000);
    g_assert_cmpfloat (g_array_index (rows, ReadBack, 2).y, <, 0);
    read_back_free (rows);
  }

  /* KML cannot hold another CRS */
  {
    g_autofree char *path = g_build_filename (fx->dir, "bad.kml", NULL);
    g_autoptr(GisExportOptions) o = gis_export_options_new ();
    g_autoptr(GError) error = NULL;

    o->crs = g_strdup ("EPSG:3978");
    g_assert_false (gis_store_export_layer (fx->store, fx->ports, path, o, NULL, NULL, NULL,
                                            NULL, &error));
    g_assert_error (error, GIS_ERROR, GIS_ERROR_CRS);
    g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  }
}

static void
test_export_query (Fixture       *fx,
                   gconstpointer  data)
{
  g_autofree char *path = g_build_filename (fx->dir, "buffers.geojson", NULL);
  g_autoptr(GError) error = NULL;
  guint64 count = 0;
  GDALDatasetH ds;
  OGRLayerH layer;
  OGRFeatureH f;

  g_assert_true (gis_store_export_query (fx->store,
                                         "SELECT name, staff * 2 AS double_staff, "
                                         "ST_Buffer(geom, 0.5) AS zone FROM ports WHERE staff > 85",
                                         path, NULL, NULL, NULL, NULL, &count, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count, ==, 2);

  ds = GDALOpenEx (path, GDAL_OF_VECTOR, NULL, NULL, NULL);
  g_assert_nonnull (ds);
  layer = GDALDatasetGetLayer (ds, 0);
  g_assert_cmpint (wkbFlatten (OGR_L_GetGeomType (layer)), ==, wkbPolygon);
  f = OGR_L_GetNextFeature (layer);
  g_assert_cmpstr (OGR_F_GetFieldAsString (f, 0), ==, "San Ysidro");
  g_assert_cmpint (OGR_F_GetFieldAsInteger64 (f, 1), ==, 240);
  /* a buffer of 0.5 degree: area close to pi/4 */
  g_assert_cmpfloat_with_epsilon (OGR_G_Area (OGR_F_GetGeometryRef (f)), G_PI / 4, 0.01);
  OGR_F_Destroy (f);
  GDALClose (ds);

  /* writes are refused before anything is created */
  {
    g_autofree char *bad = g_build_filename (fx->dir, "bad.gpkg", NULL);

    g_assert_false (gis_store_export_query (fx->store, "DELETE FROM ports", bad, NULL,
                                            NULL, NULL, NULL, NULL, &error));
    g_assert_error (error, GIS_ERROR, GIS_ERROR_READ_ONLY);
    g_clear_error (&error);
    g_assert_false (g_file_test (bad, G_FILE_TEST_EXISTS));
  }

  /* attributes only */
  {
    g_autofree char *table = g_build_filename (fx->dir, "table.csv", NULL);
    g_autofree char *text = NULL;

    g_assert_true (gis_store_export_query (fx->store, "SELECT name, code FROM ports ORDER BY code",
                                           table, NULL, NULL, NULL, NULL, &count, &error));
    g_assert_no_error (error);
    g_assert_true (g_file_get_contents (table, &text, NULL, NULL));
    g_assert_cmpstr (text, ==, "name,code\nEl Paso,2402\nSan Ysidro,2504\nDetroit,3801\n");
  }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  gis_init ();

  g_test_add ("/export/formats", Fixture, NULL, fixture_setup, test_export_formats, fixture_teardown);
  g_test_add ("/export/crs", Fixture, NULL, fixture_setup, test_export_crs, fixture_teardown);
  g_test_add ("/export/query", Fixture, NULL, fixture_setup, test_export_query, fixture_teardown);

  return g_test_run ();
}
