/* test-import-dialog.c: the import dialog previews, maps and imports
 *
 * Drives the real AtalayaImportDialog under Xvfb: a CSV file written here
 * is set on the dialog, the test waits for the preview (read on a worker
 * thread), sets the mapping in the widgets, activates Import and reads
 * the store back.  A file with a bad row must list the row and import
 * nothing; Cancel during a large import must leave the store unchanged.
 *
 * With ATALAYA_TEST_PAUSE=<seconds> in the environment, the test stops
 * that long on the filled dialog (for screenshots).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-import-dialog"

#include "config.h"

#include "gui-util.h"
#include <adwaita.h>
#include <gdal.h>
#include <glib/gstdio.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>
#include <string.h>

#include "gis.h"

#include "atalaya-import-dialog.h"


typedef struct
{
  char                *dir;
  char                *store_path;
  AtalayaImportDialog *dialog;
  GisLayer            *imported;
  guint                n_imported;
  gboolean             clicked;
} Fixture;

/* ---- helpers ------------------------------------------------------------------- */

static void
pause_for_screenshot (void)
{
  const char *pause = g_getenv ("ATALAYA_TEST_PAUSE");
  gint64 end;

  if (pause == NULL)
    return;
  end = g_get_monotonic_time () + (gint64) (g_ascii_strtod (pause, NULL) * G_USEC_PER_SEC);
  while (g_get_monotonic_time () < end)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (10000);
    }
}

static gpointer
child (Fixture    *f,
       const char *name)
{
  GObject *object = gtk_widget_get_template_child (GTK_WIDGET (f->dialog),
                                                   ATALAYA_TYPE_IMPORT_DIALOG, name);

  g_assert_nonnull (object);
  return object;
}

static gboolean
preview_is_ready (gpointer data)
{
  Fixture *f = data;

  return atalaya_import_dialog_get_preview (f->dialog) != NULL &&
         !atalaya_import_dialog_get_busy (f->dialog);
}

static gboolean
is_idle (gpointer data)
{
  Fixture *f = data;

  return !atalaya_import_dialog_get_busy (f->dialog);
}

static gboolean
is_mapped (gpointer data)
{
  return gtk_widget_get_mapped (data);
}

static gboolean
was_imported (gpointer data)
{
  return ((Fixture *) data)->n_imported > 0;
}

static void
on_imported (AtalayaImportDialog *dialog,
             GisLayer            *layer,
             Fixture             *f)
{
  g_assert_true (GIS_IS_LAYER (layer));
  g_set_object (&f->imported, layer);
  f->n_imported++;
}

/* Selects the column @name in a combo row of column choices. */
static void
choose_column (AdwComboRow *row,
               const char  *name)
{
  GListModel *model = adw_combo_row_get_model (row);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    if (g_strcmp0 (gtk_string_list_get_string (GTK_STRING_LIST (model), i), name) == 0)
      {
        adw_combo_row_set_selected (row, i);
        return;
      }
  g_error ("no column “%s” to choose", name);
}

static const char *
chosen_column (AdwComboRow *row)
{
  GListModel *model = adw_combo_row_get_model (row);
  guint selected = adw_combo_row_get_selected (row);

  g_assert_cmpuint (selected, <, g_list_model_get_n_items (model));
  return gtk_string_list_get_string (GTK_STRING_LIST (model), selected);
}

static const char *
grid_text (GtkGrid *grid,
           int      column,
           int      row)
{
  GtkWidget *cell = gtk_grid_get_child_at (grid, column, row);

  g_assert_nonnull (cell);
  if (GTK_IS_BOX (cell))
    cell = gtk_widget_get_first_child (cell);
  g_assert_true (GTK_IS_LABEL (cell));
  g_assert_true (gtk_widget_get_mapped (cell));
  return gtk_label_get_text (GTK_LABEL (cell));
}

static void
on_clicked (Fixture *f)
{
  f->clicked = TRUE;
}

static gboolean
was_clicked (gpointer data)
{
  return ((Fixture *) data)->clicked;
}

static void
activate_button (Fixture    *f,
                 const char *name)
{
  GtkWidget *button = child (f, name);

  g_assert_true (gtk_widget_is_sensitive (button));
  g_assert_true (gtk_widget_get_mapped (button));
  /* A button's "activate" shows the press, then clicks after a moment. */
  g_signal_connect_swapped (button, "clicked", G_CALLBACK (on_clicked), f);
  f->clicked = FALSE;
  gtk_widget_activate (button);
  wait_for (was_clicked, f, name);
  g_signal_handlers_disconnect_by_func (button, on_clicked, f);
}

static char *
store_checksum (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GisStore) store = gis_store_open (path, GIS_STORE_OPEN_READ_ONLY, &error);
  char *sum;

  g_assert_no_error (error);
  sum = gis_store_checksum (store, &error);
  g_assert_no_error (error);
  return sum;
}

static guint
count_layers (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GisStore) store = gis_store_open (path, GIS_STORE_OPEN_READ_ONLY, &error);
  g_autoptr(GListModel) layers = NULL;

  g_assert_no_error (error);
  layers = gis_store_list_layers (store, &error);
  g_assert_no_error (error);
  return g_list_model_get_n_items (layers);
}

static void
set_file (Fixture    *f,
          const char *name,
          const char *contents,
          gssize      len)
{
  g_autofree char *path = g_build_filename (f->dir, name, NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, contents, len, &error);
  g_assert_no_error (error);

  atalaya_import_dialog_set_file (f->dialog, file);
  g_assert_true (atalaya_import_dialog_get_busy (f->dialog));
  wait_for (preview_is_ready, f, "the preview");
}

static void
remove_recursively (const char *path)
{
  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
      const char *name;

      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *sub = g_build_filename (path, name, NULL);
          remove_recursively (sub);
        }
    }
  g_remove (path);
}

/* ---- fixture ------------------------------------------------------------------- */

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GisStore) store = NULL;

  f->dir = g_dir_make_tmp ("atalaya-test-import-XXXXXX", &error);
  g_assert_no_error (error);
  f->store_path = g_build_filename (f->dir, "store.sqlite", NULL);
  store = gis_store_create (f->store_path, &error);
  g_assert_no_error (error);

  f->dialog = g_object_ref (atalaya_import_dialog_new (NULL, f->store_path));
  /* (taller for screenshots when asked) */
  gtk_window_set_default_size (GTK_WINDOW (f->dialog), 800,
                               g_getenv ("ATALAYA_TEST_PAUSE") != NULL ? 1380 : 760);
  g_signal_connect (f->dialog, "imported", G_CALLBACK (on_imported), f);
  gtk_window_present (GTK_WINDOW (f->dialog));
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  AtalayaImportDialog *dialog = f->dialog;

  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  /* a dialog that closed itself is destroyed already */
  if (gtk_widget_get_visible (GTK_WIDGET (f->dialog)))
    gtk_window_destroy (GTK_WINDOW (f->dialog));
  g_clear_object (&f->dialog);
  /* a task still running holds the dialog until it ends */
  while (dialog != NULL)
    g_main_context_iteration (NULL, TRUE);

  g_clear_object (&f->imported);
  remove_recursively (f->dir);
  g_clear_pointer (&f->dir, g_free);
  g_clear_pointer (&f->store_path, g_free);
}

/* ---- tests ---------------------------------------------------------------------- */

static const char cases_csv[] =
  "case_id,species,fecha,longitude,latitude,gravedad,pais\n"
  "1,Lynx,05/03/2023,-110.25,31.5,3,México\n"
  "2,Ocelot,06/03/2023,-99.5,27.1,2,USA\n"
  "3,Jaguar,17/11/2022,-108,29,5,mexico\n";

static void
test_import_csv (Fixture       *f,
                 gconstpointer  data)
{
  GtkGrid *grid;
  g_autoptr(GError) error = NULL;
  g_autoptr(GisStore) store = NULL;
  g_autoptr(GisCursor) cursor = NULL;
  g_autofree char *sql = NULL;
  const char *expected_dates[] = {
    "2023-03-05T00:00:00Z", "2023-03-06T00:00:00Z", "2022-11-17T00:00:00Z",
  };
  const char *columns[] = { "case_id", "species", "fecha", "longitude", "latitude", "gravedad", "pais" };
  guint n = 0;

  set_file (f, "cases.csv", cases_csv, -1);

  /* the preview: the columns, then the first row */
  grid = child (f, "preview_grid");
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (grid)));
  for (guint c = 0; c < G_N_ELEMENTS (columns); c++)
    g_assert_cmpstr (grid_text (grid, (int) c, 0), ==, columns[c]);
  g_assert_cmpstr (grid_text (grid, 0, 2), ==, "1");
  g_assert_cmpstr (grid_text (grid, 1, 2), ==, "Lynx");
  g_assert_cmpstr (grid_text (grid, 2, 2), ==, "05/03/2023");
  g_assert_cmpstr (grid_text (grid, 1, 4), ==, "Jaguar");

  /* x and y from the importer's detection; the other roles empty */
  g_assert_cmpstr (chosen_column (child (f, "x_row")), ==, "longitude");
  g_assert_cmpstr (chosen_column (child (f, "y_row")), ==, "latitude");
  g_assert_cmpstr (chosen_column (child (f, "wkt_row")), ==, "None");
  g_assert_cmpstr (chosen_column (child (f, "date_row")), ==, "None");
  g_assert_cmpstr (gtk_editable_get_text (child (f, "layer_name_row")), ==, "cases");
  g_assert_true (gtk_widget_get_visible (child (f, "geometry_group")));
  g_assert_true (gtk_widget_is_sensitive (child (f, "import_button")));

  /* the date column and its format, with an example */
  g_assert_false (gtk_widget_is_sensitive (child (f, "date_format_row")));
  choose_column (child (f, "date_row"), "fecha");
  g_assert_true (gtk_widget_is_sensitive (child (f, "date_format_row")));
  g_assert_true (gtk_widget_get_visible (child (f, "date_example_row")));
  /* without a format, ISO 8601 is expected: the example says it is not */
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (child (f, "date_example_row")), "ISO 8601"));
  gtk_editable_set_text (child (f, "date_format_row"), "%d/%m/%Y");
  g_assert_cmpstr (adw_action_row_get_subtitle (child (f, "date_example_row")), ==,
                   "“05/03/2023” becomes 2023-03-05T00:00:00Z");
  choose_column (child (f, "severity_row"), "gravedad");
  choose_column (child (f, "country_row"), "pais");
  choose_column (child (f, "category_row"), "species");
  gtk_editable_set_text (child (f, "layer_name_row"), "Wildlife cases");
  /* Incident is the fifth role offered */
  adw_combo_row_set_selected (child (f, "role_row"), 4);

  pause_for_screenshot ();

  activate_button (f, "import_button");
  wait_for (was_imported, f, "the import");
  g_assert_cmpuint (f->n_imported, ==, 1);
  g_assert_cmpstr (gis_layer_get_name (f->imported), ==, "Wildlife cases");
  g_assert_cmpint (gis_layer_get_role (f->imported), ==, GIS_LAYER_ROLE_INCIDENT);
  g_assert_cmpint (gis_layer_get_feature_count (f->imported), ==, 3);
  /* and it closed */
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (f->dialog)));

  /* the store, read on its own connection */
  store = gis_store_open (f->store_path, GIS_STORE_OPEN_READ_ONLY, &error);
  g_assert_no_error (error);
  {
    g_autoptr(GisLayer) layer = gis_store_get_layer (store, "Wildlife cases", &error);

    g_assert_no_error (error);
    g_assert_cmpint (gis_layer_get_feature_count (layer), ==, 3);
    sql = g_strdup_printf ("SELECT occurred_at, severity, country, category, X(geom) FROM \"%s\" ORDER BY fid",
                           gis_layer_get_table_name (layer));
  }
  cursor = gis_store_query (store, sql, &error);
  g_assert_no_error (error);
  while (gis_cursor_next (cursor, NULL, &error))
    {
      g_assert_cmpstr (gis_cursor_get_text (cursor, 0), ==, expected_dates[n]);
      n++;
    }
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 3);
  g_clear_pointer (&cursor, gis_cursor_free);

  cursor = gis_store_query (store, "SELECT count(*) FROM wildlife_cases WHERE country = 'MX' AND severity = 5", &error);
  g_assert_no_error (error);
  g_assert_true (gis_cursor_next (cursor, NULL, &error));
  g_assert_cmpint (gis_cursor_get_int64 (cursor, 0), ==, 1);

  /* (gis_store_check() needs a read-write connection: rtreecheck()
   * fails under PRAGMA query_only) */
  {
    g_autoptr(GisStore) rw = gis_store_open (f->store_path, GIS_STORE_OPEN_READ_WRITE, &error);

    g_assert_no_error (error);
    gis_store_check (rw, &error);
    g_assert_no_error (error);
  }
}

static void
test_rejected_rows (Fixture       *f,
                    gconstpointer  data)
{
  static const char bad_csv[] =
    "name,lon,lat\n"
    "San Ysidro,-117.0297,32.5422\n"
    "Laredo,-99.5075,twenty-seven\n"
    "Detroit,-83.0458,42.3314\n";
  g_autofree char *before = store_checksum (f->store_path);
  GListModel *rejected;
  GtkLabel *status;
  g_autofree char *first = NULL;

  set_file (f, "ports.csv", bad_csv, -1);
  g_assert_cmpstr (chosen_column (child (f, "x_row")), ==, "lon");

  activate_button (f, "import_button");
  wait_for (is_idle, f, "the import to fail");
  g_assert_cmpuint (f->n_imported, ==, 0);

  /* the summary and the list name the line and the field */
  status = child (f, "status_label");
  wait_for (is_mapped, status, "the status to show");
  g_assert_nonnull (strstr (gtk_label_get_text (status), "nothing was imported"));
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (status), "error"));
  rejected = child (f, "rejected_rows");
  g_assert_cmpuint (g_list_model_get_n_items (rejected), ==, 1);
  first = g_strdup (gtk_string_list_get_string (GTK_STRING_LIST (rejected), 0));
  g_test_message ("rejected: %s", first);
  g_assert_nonnull (strstr (first, "line 3"));
  g_assert_nonnull (strstr (first, "lat"));
  g_assert_true (gtk_widget_get_visible (child (f, "rejected_scroller")));
  wait_for (is_mapped, child (f, "rejected_scroller"), "the rejected rows to show");

  /* nothing was imported */
  {
    g_autofree char *after = store_checksum (f->store_path);
    g_assert_cmpstr (after, ==, before);
  }
  g_assert_cmpuint (count_layers (f->store_path), ==, 0);

  /* the dialog can be used again: skip the bad row this time */
  g_assert_true (gtk_widget_is_sensitive (child (f, "import_button")));
  pause_for_screenshot ();
  gtk_switch_set_active (child (f, "skip_switch"), TRUE);
  activate_button (f, "import_button");
  wait_for (was_imported, f, "the import with the bad row skipped");
  g_assert_cmpint (gis_layer_get_feature_count (f->imported), ==, 2);
  /* it stays open to list what was skipped */
  wait_for (is_idle, f, "the dialog to settle");
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (f->dialog)));
  g_assert_nonnull (strstr (gtk_label_get_text (status), "1 row was skipped"));
  g_assert_cmpuint (g_list_model_get_n_items (rejected), ==, 1);
  g_assert_false (gtk_widget_get_visible (child (f, "import_button")));
  g_assert_cmpuint (count_layers (f->store_path), ==, 1);
}

static gboolean
progress_started (gpointer data)
{
  Fixture *f = data;

  return gtk_progress_bar_get_fraction (child (f, "progress_bar")) > 0.02 ||
         !atalaya_import_dialog_get_busy (f->dialog);
}

static void
test_cancel (Fixture       *f,
             gconstpointer  data)
{
  g_autofree char *before = store_checksum (f->store_path);
  GString *csv = g_string_new ("name,longitude,latitude,count\n");
  g_autofree char *after = NULL;

  for (guint i = 0; i < 600000; i++)
    g_string_append_printf (csv, "site %u,%.4f,%.4f,%u\n", i,
                            -120.0 + (i % 5000) * 0.01, 25.0 + (i / 5000) * 0.1, i % 97);
  set_file (f, "big.csv", csv->str, (gssize) csv->len);
  g_string_free (csv, TRUE);
  g_assert_cmpint (gis_import_preview_get_feature_count (atalaya_import_dialog_get_preview (f->dialog)),
                   ==, 600000);

  activate_button (f, "import_button");
  g_assert_false (gtk_widget_is_sensitive (child (f, "import_button")));
  g_assert_true (gtk_widget_get_visible (child (f, "progress_bar")));
  wait_for (progress_started, f, "import progress");
  g_assert_true (atalaya_import_dialog_get_busy (f->dialog));

  activate_button (f, "cancel_button");
  wait_for (is_idle, f, "the import to stop");
  g_assert_cmpuint (f->n_imported, ==, 0);
  g_assert_nonnull (strstr (gtk_label_get_text (child (f, "status_label")), "cancelled"));
  /* the dialog stays, ready to import again */
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (f->dialog)));
  g_assert_true (gtk_widget_is_sensitive (child (f, "import_button")));

  after = store_checksum (f->store_path);
  g_assert_cmpstr (after, ==, before);
  g_assert_cmpuint (count_layers (f->store_path), ==, 0);
}

static void
test_bad_file (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *path = g_build_filename (f->dir, "broken.gpkg", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  GtkLabel *label;

  g_file_set_contents (path, "this is no geopackage", -1, &error);
  g_assert_no_error (error);
  atalaya_import_dialog_set_file (f->dialog, file);
  wait_for (is_idle, f, "the preview to fail");

  g_assert_null (atalaya_import_dialog_get_preview (f->dialog));
  label = child (f, "preview_error_label");
  wait_for (is_mapped, label, "the preview error");
  g_assert_nonnull (strstr (gtk_label_get_text (label), "broken.gpkg"));
  g_assert_false (gtk_widget_is_sensitive (child (f, "import_button")));
}

/* A name already in the store is refused before importing. */
static void
test_existing_name (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *path = g_build_filename (f->dir, "cases.csv", NULL);

  set_file (f, "cases.csv", cases_csv, -1);
  activate_button (f, "import_button");
  wait_for (was_imported, f, "the first import");

  /* a second dialog on the same store proposes a free name */
  g_signal_handlers_disconnect_by_data (f->dialog, f);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (f->dialog)));
  g_clear_object (&f->dialog);
  f->dialog = g_object_ref (atalaya_import_dialog_new (NULL, f->store_path));
  g_signal_connect (f->dialog, "imported", G_CALLBACK (on_imported), f);
  gtk_window_present (GTK_WINDOW (f->dialog));
  {
    g_autoptr(GFile) file = g_file_new_for_path (path);

    atalaya_import_dialog_set_file (f->dialog, file);
    wait_for (preview_is_ready, f, "the preview");
  }
  g_assert_cmpstr (gtk_editable_get_text (child (f, "layer_name_row")), ==, "cases 2");
  gtk_editable_set_text (child (f, "layer_name_row"), "cases");
  g_assert_false (gtk_widget_is_sensitive (child (f, "import_button")));
  g_assert_true (gtk_widget_has_css_class (child (f, "layer_name_row"), "error"));
}

/* A GeoPackage of two layers: "ports" (points) and "zones" (polygons). */
static char *
make_two_layer_gpkg (const char *dir)
{
  char *path = g_build_filename (dir, "two.gpkg", NULL);
  GDALDatasetH ds = GDALCreate (GDALGetDriverByName ("GPKG"), path, 0, 0, 0, GDT_Unknown, NULL);
  OGRSpatialReferenceH srs = OSRNewSpatialReference (NULL);
  OGRLayerH layer;
  OGRFieldDefnH field;
  OGRFeatureH feature;
  OGRGeometryH geom = NULL;
  char *wkt;

  g_assert_nonnull (ds);
  OSRImportFromEPSG (srs, 4326);

  layer = GDALDatasetCreateLayer (ds, "ports", srs, wkbPoint, NULL);
  field = OGR_Fld_Create ("name", OFTString);
  OGR_L_CreateField (layer, field, TRUE);
  OGR_Fld_Destroy (field);
  feature = OGR_F_Create (OGR_L_GetLayerDefn (layer));
  OGR_F_SetFieldString (feature, 0, "Laredo");
  geom = OGR_G_CreateGeometry (wkbPoint);
  OGR_G_SetPoint_2D (geom, 0, -99.5, 27.5);
  OGR_F_SetGeometryDirectly (feature, geom);
  g_assert_cmpint (OGR_L_CreateFeature (layer, feature), ==, OGRERR_NONE);
  OGR_F_Destroy (feature);

  layer = GDALDatasetCreateLayer (ds, "zones", srs, wkbPolygon, NULL);
  field = OGR_Fld_Create ("code", OFTInteger);
  OGR_L_CreateField (layer, field, TRUE);
  OGR_Fld_Destroy (field);
  feature = OGR_F_Create (OGR_L_GetLayerDefn (layer));
  OGR_F_SetFieldInteger (feature, 0, 7);
  wkt = (char *) "POLYGON((-101 29,-99 29,-99 31,-101 31,-101 29))";
  OGR_G_CreateFromWkt (&wkt, NULL, &geom);
  OGR_F_SetGeometryDirectly (feature, geom);
  g_assert_cmpint (OGR_L_CreateFeature (layer, feature), ==, OGRERR_NONE);
  OGR_F_Destroy (feature);

  OSRDestroySpatialReference (srs);
  GDALClose (ds);
  return path;
}

static gboolean
zones_are_previewed (gpointer data)
{
  Fixture *f = data;
  GisImportPreview *preview = atalaya_import_dialog_get_preview (f->dialog);

  return preview != NULL && !atalaya_import_dialog_get_busy (f->dialog) &&
         g_strcmp0 (gis_import_preview_get_source_layer (preview), "zones") == 0;
}

static void
test_source_layers (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *path = make_two_layer_gpkg (f->dir);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  AdwComboRow *layers_row;
  GListModel *layers;
  guint zones = G_MAXUINT;

  atalaya_import_dialog_set_file (f->dialog, file);
  wait_for (preview_is_ready, f, "the preview");

  /* several layers: the dropdown shows, and no CSV geometry choices */
  layers_row = child (f, "source_layer_row");
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (layers_row)));
  g_assert_false (gtk_widget_get_visible (child (f, "geometry_group")));
  layers = adw_combo_row_get_model (layers_row);
  g_assert_cmpuint (g_list_model_get_n_items (layers), ==, 2);
  for (guint i = 0; i < 2; i++)
    if (g_strcmp0 (gtk_string_list_get_string (GTK_STRING_LIST (layers), i), "zones") == 0)
      zones = i;
  g_assert_cmpuint (zones, <, 2);

  if (adw_combo_row_get_selected (layers_row) == zones)
    adw_combo_row_set_selected (layers_row, 1 - zones);
  wait_for (preview_is_ready, f, "the preview");
  adw_combo_row_set_selected (layers_row, zones);
  wait_for (zones_are_previewed, f, "the preview of “zones”");

  g_assert_cmpstr (grid_text (child (f, "preview_grid"), 0, 0), ==, "code");
  g_assert_cmpstr (grid_text (child (f, "preview_grid"), 0, 2), ==, "7");
  g_assert_cmpuint (adw_combo_row_get_selected (layers_row), ==, zones);
  /* the proposed name follows the layer until the user types one */
  g_assert_cmpstr (gtk_editable_get_text (child (f, "layer_name_row")), ==, "zones");

  gtk_editable_set_text (child (f, "layer_name_row"), "Inspection zones");
  activate_button (f, "import_button");
  wait_for (was_imported, f, "the import");
  g_assert_cmpstr (gis_layer_get_name (f->imported), ==, "Inspection zones");
  g_assert_cmpstr (gis_layer_get_geometry_type (f->imported), ==, "MULTIPOLYGON");
  g_assert_cmpint (gis_layer_get_feature_count (f->imported), ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  gui_test_init (&argc, &argv);
  adw_init ();
  gis_init ();

#define ADD(name, func) \
  g_test_add ("/import-dialog/" name, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("import-csv", test_import_csv);
  ADD ("rejected-rows", test_rejected_rows);
  ADD ("cancel", test_cancel);
  ADD ("bad-file", test_bad_file);
  ADD ("existing-name", test_existing_name);
  ADD ("source-layers", test_source_layers);
#undef ADD

  return g_test_run ();
}
