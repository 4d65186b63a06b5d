/* atalaya-cli.c: the command-line tool
 *
 * Everything the window does, the command line does too, through the
 * same gis/ code.  Exit codes: 0 success, 1 a user error (one line that
 * names the file, row or field), 2 a usage error.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "atalaya-cli"

#include "config.h"

#include <inttypes.h>
#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <fcntl.h>
#include <locale.h>
#include <stdio.h>
#include <unistd.h>

#include "gis.h"
#include "atalaya-cli-commands.h"
#include "atalaya-cli-util.h"

typedef struct
{
  const char *name;
  const char *summary;
  int (*run) (int argc, char **argv);
} Command;

/* ---- init ----------------------------------------------------------------- */

static int
cmd_init (int    argc,
          char **argv)
{
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &cli_opt_json, N_("Print the result as JSON"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("STORE — create an empty store"));
  g_autoptr(GisStore) store = NULL;
  GError *error = NULL;

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_summary (context,
                                _("Creates a new, empty Atalaya store (a SpatiaLite database)."));
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      int rc = cli_usage_error (context, error->message);
      g_error_free (error);
      return rc;
    }
  if (argc != 2)
    return cli_usage_error (context, _("Give the path of the store to create"));

  store = gis_store_create (argv[1], &error);
  if (store == NULL)
    return cli_fail (error);

  if (cli_opt_json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "store");
      json_builder_add_string_value (b, argv[1]);
      json_builder_set_member_name (b, "schema_version");
      json_builder_add_int_value (b, gis_store_get_schema_version (store));
      json_builder_end_object (b);
      root = json_builder_get_root (b);
      cli_print_json (root);
    }
  else if (!cli_opt_quiet)
    g_print (_("Created %s\n"), argv[1]);

  return EXIT_SUCCESS;
}

/* ---- import ----------------------------------------------------------------- */

static void
print_rejected (const char      *path,
                GisImportReport *report,
                guint            max_rows)
{
  for (guint i = 0; i < report->rejected->len && i < max_rows; i++)
    {
      g_autofree char *line = gis_rejected_row_describe (g_ptr_array_index (report->rejected, i));

      g_printerr ("%s: %s\n", path, line);
    }
  if (report->rows_rejected > max_rows)
    g_printerr (g_dngettext (GETTEXT_PACKAGE,
                             "%s: … and %" PRIu64 " more rejected row (use --json for all)\n",
                             "%s: … and %" PRIu64 " more rejected rows (use --json for all)\n",
                             report->rows_rejected - max_rows),
                path, report->rows_rejected - max_rows);
}

static JsonNode *
report_to_json (GisImportReport *report,
                gboolean         ok)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "ok");
  json_builder_add_boolean_value (b, ok);
  json_builder_set_member_name (b, "source");
  json_builder_add_string_value (b, report->source_path);
  json_builder_set_member_name (b, "source_layer");
  json_builder_add_string_value (b, report->source_layer);
  json_builder_set_member_name (b, "source_crs");
  json_builder_add_string_value (b, report->source_crs);
  json_builder_set_member_name (b, "layer");
  json_builder_add_string_value (b, report->layer_name);
  json_builder_set_member_name (b, "table");
  json_builder_add_string_value (b, ok ? report->table_name : NULL);
  json_builder_set_member_name (b, "geometry_type");
  json_builder_add_string_value (b, report->geometry_type);
  json_builder_set_member_name (b, "rows_read");
  json_builder_add_int_value (b, (gint64) report->rows_read);
  json_builder_set_member_name (b, "rows_imported");
  json_builder_add_int_value (b, ok ? (gint64) report->rows_imported : 0);
  json_builder_set_member_name (b, "rows_rejected");
  json_builder_add_int_value (b, (gint64) report->rows_rejected);
  json_builder_set_member_name (b, "seconds");
  json_builder_add_double_value (b, report->seconds);
  json_builder_set_member_name (b, "notes");
  json_builder_begin_array (b);
  for (guint i = 0; i < report->notes->len; i++)
    json_builder_add_string_value (b, g_ptr_array_index (report->notes, i));
  json_builder_end_array (b);
  json_builder_set_member_name (b, "rejected");
  json_builder_begin_array (b);
  for (guint i = 0; i < report->rejected->len; i++)
    {
      GisRejectedRow *row = g_ptr_array_index (report->rejected, i);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "row");
      json_builder_add_int_value (b, (gint64) row->row);
      if (row->line > 0)
        {
          json_builder_set_member_name (b, "line");
          json_builder_add_int_value (b, (gint64) row->line);
        }
      json_builder_set_member_name (b, "field");
      json_builder_add_string_value (b, row->field);
      json_builder_set_member_name (b, "reason");
      json_builder_add_string_value (b, row->reason);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);

  return json_builder_get_root (b);
}

static int
cmd_import (int    argc,
            char **argv)
{
  g_autofree char *layer_name = NULL, *source_layer = NULL, *role = NULL;
  g_autofree char *x_field = NULL, *y_field = NULL, *wkt_field = NULL, *src_crs = NULL;
  g_autofree char *date_field = NULL, *date_format = NULL, *category_field = NULL;
  g_autofree char *severity_field = NULL, *country_field = NULL, *encoding = NULL;
  g_autofree char *delimiter = NULL;
  gboolean decimal_comma = FALSE, no_decimal_comma = FALSE, skip_bad_rows = FALSE;
  gboolean no_geometry = FALSE;
  GOptionEntry entries[] = {
    { "name", 'n', 0, G_OPTION_ARG_STRING, &layer_name, N_("Name of the new layer"), N_("NAME") },
    { "layer", 'l', 0, G_OPTION_ARG_STRING, &source_layer, N_("Layer of a multi-layer file"), N_("LAYER") },
    { "role", 'r', 0, G_OPTION_ARG_STRING, &role,
      N_("boundary, port, facility, habitat, incident, resource, zone, result or other"), N_("ROLE") },
    { "x-field", 0, 0, G_OPTION_ARG_STRING, &x_field, N_("CSV column of longitudes (or eastings)"), N_("COLUMN") },
    { "y-field", 0, 0, G_OPTION_ARG_STRING, &y_field, N_("CSV column of latitudes (or northings)"), N_("COLUMN") },
    { "wkt-field", 0, 0, G_OPTION_ARG_STRING, &wkt_field, N_("CSV column of WKT geometries"), N_("COLUMN") },
    { "src-crs", 0, 0, G_OPTION_ARG_STRING, &src_crs,
      N_("CRS of the source, overriding the file (e.g. EPSG:32614)"), N_("CRS") },
    { "date-field", 0, 0, G_OPTION_ARG_STRING, &date_field, N_("Column holding the date"), N_("COLUMN") },
    { "date-format", 0, 0, G_OPTION_ARG_STRING, &date_format,
      N_("Format of the date column, e.g. %d/%m/%Y (default ISO 8601)"), N_("FORMAT") },
    { "category-field", 0, 0, G_OPTION_ARG_STRING, &category_field, N_("Column holding the category"), N_("COLUMN") },
    { "severity-field", 0, 0, G_OPTION_ARG_STRING, &severity_field, N_("Column holding the severity"), N_("COLUMN") },
    { "country-field", 0, 0, G_OPTION_ARG_STRING, &country_field, N_("Column holding the country"), N_("COLUMN") },
    { "encoding", 0, 0, G_OPTION_ARG_STRING, &encoding, N_("Text encoding of a CSV file (default UTF-8)"), N_("ENCODING") },
    { "delimiter", 0, 0, G_OPTION_ARG_STRING, &delimiter, N_("CSV delimiter (default: detected)"), N_("CHAR") },
    { "decimal-comma", 0, 0, G_OPTION_ARG_NONE, &decimal_comma, N_("CSV numbers use a decimal comma"), NULL },
    { "no-decimal-comma", 0, 0, G_OPTION_ARG_NONE, &no_decimal_comma,
      N_("CSV numbers use a decimal point even with ';' delimiters"), NULL },
    { "skip-bad-rows", 0, 0, G_OPTION_ARG_NONE, &skip_bad_rows,
      N_("Import the good rows and report the rejected ones (default: import nothing if any row fails)"), NULL },
    { "no-geometry", 0, 0, G_OPTION_ARG_NONE, &no_geometry,
      N_("Import an attribute table without geometry (for joins)"), NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &cli_opt_json, N_("Print the report as JSON"), NULL },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &cli_opt_quiet, N_("Print nothing on success"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("STORE FILE — import a vector file as a new layer"));
  g_autoptr(GisImportOptions) options = gis_import_options_new ();
  g_autoptr(GisImportReport) report = NULL;
  g_autoptr(GisStore) store = NULL;
  g_autoptr(GisLayer) layer = NULL;
  GError *error = NULL;

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_summary (context,
                                _("Imports GeoPackage, Shapefile, GeoJSON, KML, FileGDB, CSV and any "
                                  "other vector format GDAL reads, reprojected to WGS 84, in one "
                                  "transaction: if any row is rejected nothing is imported, unless "
                                  "--skip-bad-rows is given."));
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      int rc = cli_usage_error (context, error->message);
      g_error_free (error);
      return rc;
    }
  if (argc != 3)
    return cli_usage_error (context, _("Give the store and the file to import"));

  if (role != NULL && !gis_layer_role_from_string (role, &options->role))
    {
      g_autofree char *msg = g_strdup_printf (_("Unknown role “%s”"), role);
      return cli_usage_error (context, msg);
    }
  if (delimiter != NULL)
    {
      if (g_strcmp0 (delimiter, "\\t") == 0 || g_strcmp0 (delimiter, "tab") == 0)
        options->delimiter = '\t';
      else if (strlen (delimiter) == 1)
        options->delimiter = delimiter[0];
      else
        return cli_usage_error (context, _("The delimiter must be one character"));
    }
  if (decimal_comma && no_decimal_comma)
    return cli_usage_error (context, _("--decimal-comma and --no-decimal-comma contradict each other"));
  if ((x_field != NULL) != (y_field != NULL))
    return cli_usage_error (context, _("Give both --x-field and --y-field"));
  if (wkt_field != NULL && x_field != NULL)
    return cli_usage_error (context, _("Give either --wkt-field or --x-field/--y-field, not both"));
  if (no_geometry && (wkt_field != NULL || x_field != NULL))
    return cli_usage_error (context, _("--no-geometry contradicts the geometry columns given"));

  options->decimal_comma = decimal_comma ? 1 : no_decimal_comma ? 0 : -1;
  options->layer_name = g_steal_pointer (&layer_name);
  options->source_layer = g_steal_pointer (&source_layer);
  options->x_field = g_steal_pointer (&x_field);
  options->y_field = g_steal_pointer (&y_field);
  options->wkt_field = g_steal_pointer (&wkt_field);
  options->src_crs = g_steal_pointer (&src_crs);
  options->date_field = g_steal_pointer (&date_field);
  options->date_format = g_steal_pointer (&date_format);
  options->category_field = g_steal_pointer (&category_field);
  options->severity_field = g_steal_pointer (&severity_field);
  options->country_field = g_steal_pointer (&country_field);
  options->encoding = g_steal_pointer (&encoding);
  options->skip_bad_rows = skip_bad_rows;
  options->no_geometry = no_geometry;

  store = cli_open_store (argv[1], GIS_STORE_OPEN_READ_WRITE, &error);
  if (store == NULL)
    return cli_fail (error);

  layer = gis_store_import (store, argv[2], options, cli_on_progress, NULL, NULL, &report, &error);
  cli_end_progress ();

  if (cli_opt_json && report != NULL)
    {
      g_autoptr(JsonNode) root = report_to_json (report, layer != NULL);
      cli_print_json (root);
    }

  if (layer == NULL)
    {
      int rc = cli_fail (error);

      if (!cli_opt_json && report != NULL && report->rows_rejected > 0)
        print_rejected (argv[2], report, 50);
      return rc;
    }

  if (!cli_opt_json && !cli_opt_quiet)
    {
      g_print (g_dngettext (GETTEXT_PACKAGE,
                            "Imported %" PRIu64 " feature into layer “%s” (%s) in %.2f s\n",
                            "Imported %" PRIu64 " features into layer “%s” (%s) in %.2f s\n",
                            report->rows_imported),
               report->rows_imported, gis_layer_get_name (layer),
               gis_layer_get_geometry_type (layer), report->seconds);
      for (guint i = 0; i < report->notes->len; i++)
        g_print ("  %s\n", (const char *) g_ptr_array_index (report->notes, i));
    }
  if (!cli_opt_json && report->rows_rejected > 0)
    {
      g_printerr (g_dngettext (GETTEXT_PACKAGE,
                               "%s: %" PRIu64 " row was rejected and skipped:\n",
                               "%s: %" PRIu64 " rows were rejected and skipped:\n",
                               report->rows_rejected),
                  argv[2], report->rows_rejected);
      print_rejected (argv[2], report, 50);
    }

  return EXIT_SUCCESS;
}

/* ---- layers ----------------------------------------------------------- */

/* Prints @text and spaces up to @width characters, then one more space. */
static void
print_padded (const char *text,
              guint       width)
{
  glong n = g_utf8_strlen (text, -1);

  g_print ("%s%*s ", text, n < (glong) width ? (int) (width - n) : 0, "");
}

static int
cmd_layers (int    argc,
            char **argv)
{
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &cli_opt_json, N_("Print the layers as JSON"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("STORE — list the layers of a store"));
  g_autoptr(GisStore) store = NULL;
  g_autoptr(GListModel) layers = NULL;
  GError *error = NULL;
  guint n;

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      int rc = cli_usage_error (context, error->message);
      g_error_free (error);
      return rc;
    }
  if (argc != 2)
    return cli_usage_error (context, _("Give the store"));

  store = cli_open_store (argv[1], GIS_STORE_OPEN_READ_ONLY, &error);
  if (store == NULL)
    return cli_fail (error);
  layers = gis_store_list_layers (store, &error);
  if (layers == NULL)
    return cli_fail (error);
  n = g_list_model_get_n_items (layers);

  if (cli_opt_json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_array (b);
      for (guint i = 0; i < n; i++)
        {
          g_autoptr(GisLayer) layer = g_list_model_get_item (layers, i);
          cli_add_layer (b, layer);
        }
      json_builder_end_array (b);
      root = json_builder_get_root (b);
      cli_print_json (root);
      return EXIT_SUCCESS;
    }

  /* Column headings are translated: pad by characters, not bytes. */
  print_padded (_("NAME"), 28);
  print_padded (_("ROLE"), 10);
  print_padded (_("GEOMETRY"), 16);
  {
    const char *heading = _("FEATURES");
    glong chars = g_utf8_strlen (heading, -1);

    g_print ("%*s%s\n", chars < 12 ? (int) (12 - chars) : 0, "", heading);
  }
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GisLayer) layer = g_list_model_get_item (layers, i);

      print_padded (gis_layer_get_name (layer), 28);
      print_padded (gis_layer_role_to_string (gis_layer_get_role (layer)), 10);
      print_padded (gis_layer_get_geometry_type (layer) ? gis_layer_get_geometry_type (layer) : "-", 16);
      g_print ("%12" G_GINT64_FORMAT "\n", gis_layer_get_feature_count (layer));
    }
  return EXIT_SUCCESS;
}

/* ---- info ------------------------------------------------------------- */

/* A CRS's preset label when it is one of the presets, else its name. */
static char *
crs_label (const char *definition)
{
  g_autoptr(GisCrs) crs = gis_crs_new (definition, NULL);
  const GisCrsPreset *presets;
  guint n = 0;

  if (crs == NULL)
    return g_strdup (definition);
  presets = gis_crs_get_presets (&n);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GisCrs) preset = gis_crs_new (presets[i].id, NULL);

      if (preset != NULL && gis_crs_equal (preset, crs))
        return g_strdup (_(presets[i].label));
    }
  return g_strdup (gis_crs_get_name (crs));
}

static int
cmd_info (int    argc,
          char **argv)
{
  gboolean check = FALSE, checksum = FALSE;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &cli_opt_json, N_("Print as JSON"), NULL },
    { "check", 0, 0, G_OPTION_ARG_NONE, &check,
      N_("Check the whole store: SQLite integrity and every spatial index"), NULL },
    { "checksum", 0, 0, G_OPTION_ARG_NONE, &checksum,
      N_("Print a SHA-256 digest of the store’s data"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("STORE [LAYER] — describe a store or one of its layers"));
  g_autoptr(GisStore) store = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  GError *error = NULL;

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      int rc = cli_usage_error (context, error->message);
      g_error_free (error);
      return rc;
    }
  if (argc != 2 && argc != 3)
    return cli_usage_error (context, _("Give the store, and optionally a layer"));

  store = cli_open_store (argv[1], GIS_STORE_OPEN_READ_ONLY, &error);
  if (store == NULL)
    return cli_fail (error);

  if (check && !gis_store_check (store, &error))
    return cli_fail (error);

  if (argc == 3)
    {
      g_autoptr(GisLayer) layer = gis_store_get_layer (store, argv[2], &error);
      g_autoptr(GPtrArray) fields = NULL;
      g_autoptr(GisRaster) raster = NULL;
      g_autofree char *raster_crs = NULL;
      double vmin = 0, vmax = 0;
      gboolean has_range = FALSE;

      if (layer == NULL)
        return cli_fail (error);
      fields = gis_store_get_fields (store, layer, &error);
      if (fields == NULL)
        return cli_fail (error);
      if (gis_layer_is_raster (layer))
        {
          raster = gis_store_load_raster (store, layer, &error);
          if (raster == NULL)
            return cli_fail (error);
          raster_crs = crs_label (raster->crs);
          has_range = gis_raster_get_range (raster, &vmin, &vmax);
        }

      if (cli_opt_json)
        {
          cli_add_layer (b, layer);
          root = json_builder_get_root (b);
          if (raster != NULL)
            {
              JsonObject *ro = json_object_new ();
              JsonArray *gt = json_array_new ();

              for (int i = 0; i < 6; i++)
                json_array_add_double_element (gt, raster->geotransform[i]);
              json_object_set_int_member (ro, "width", raster->width);
              json_object_set_int_member (ro, "height", raster->height);
              json_object_set_array_member (ro, "geotransform", gt);
              json_object_set_string_member (ro, "crs", raster->crs);
              json_object_set_string_member (ro, "crs_name", raster_crs);
              if (raster->has_nodata)
                json_object_set_double_member (ro, "nodata", raster->nodata);
              if (has_range)
                {
                  json_object_set_double_member (ro, "min", vmin);
                  json_object_set_double_member (ro, "max", vmax);
                }
              json_object_set_object_member (json_node_get_object (root), "raster", ro);
            }
          /* add the fields to the layer object */
          {
            JsonObject *obj = json_node_get_object (root);
            JsonArray *arr = json_array_new ();

            for (guint i = 0; i < fields->len; i++)
              {
                GisField *f = g_ptr_array_index (fields, i);
                JsonObject *fo = json_object_new ();

                json_object_set_string_member (fo, "name", f->name);
                json_object_set_string_member (fo, "type", gis_field_type_to_string (f->type));
                json_array_add_object_element (arr, fo);
              }
            json_object_set_array_member (obj, "fields", arr);
          }
          cli_print_json (root);
          return EXIT_SUCCESS;
        }

      {
        const GisExtent *e = gis_layer_get_extent (layer);
        g_autofree char *extent = NULL;

        /* a micro-degree is about 10 cm: enough for a person to read */
        if (gis_extent_is_empty (e))
          extent = g_strdup ("");
        else
          {
            char buf[4][G_ASCII_DTOSTR_BUF_SIZE];

            extent = g_strdup_printf ("%s %s %s %s",
                                      g_ascii_formatd (buf[0], sizeof buf[0], "%.6f", e->min_x),
                                      g_ascii_formatd (buf[1], sizeof buf[1], "%.6f", e->min_y),
                                      g_ascii_formatd (buf[2], sizeof buf[2], "%.6f", e->max_x),
                                      g_ascii_formatd (buf[3], sizeof buf[3], "%.6f", e->max_y));
          }

        g_print (_("Layer:         %s\n"), gis_layer_get_name (layer));
        if (gis_layer_get_table_name (layer) != NULL)
          g_print (_("Table:         %s\n"), gis_layer_get_table_name (layer));
        g_print (_("Role:          %s\n"), gis_layer_role_to_label (gis_layer_get_role (layer)));
        if (raster != NULL)
          {
            g_print (_("Raster:        %u × %u cells of %g × %g m, in %s\n"), raster->width, raster->height,
                     raster->geotransform[1], -raster->geotransform[5],
                     raster_crs);
            if (has_range)
              g_print (_("Values:        %g to %g\n"), vmin, vmax);
          }
        else
          {
            g_print (_("Geometry:      %s (EPSG:%d)\n"), gis_layer_get_geometry_type (layer),
                     gis_layer_get_srid (layer));
            g_print (_("Features:      %" PRId64 "\n"), gis_layer_get_feature_count (layer));
          }
        g_print (_("Extent:        %s\n"), extent);
        g_print (_("Source:        %s\n"), gis_layer_get_source (layer) ? gis_layer_get_source (layer) : "");
        g_print (_("Imported:      %s\n"), gis_layer_get_imported_at (layer) ? gis_layer_get_imported_at (layer) : "");
        if (raster == NULL)
          g_print (_("Fields:\n"));
        for (guint i = 0; i < fields->len; i++)
          {
            GisField *f = g_ptr_array_index (fields, i);
            g_print ("  %-30s %s\n", f->name, gis_field_type_to_string (f->type));
          }
      }
      return EXIT_SUCCESS;
    }

  {
    g_autoptr(GListModel) layers = gis_store_list_layers (store, &error);
    g_autofree char *created = gis_store_get_meta (store, "created_at");
    g_autofree char *analysis_crs = gis_store_get_meta (store, "analysis_crs");
    g_autofree char *digest = NULL;
    gint64 total = 0;
    guint n;

    if (layers == NULL)
      return cli_fail (error);
    if (checksum)
      {
        digest = gis_store_checksum (store, &error);
        if (digest == NULL)
          return cli_fail (error);
      }
    n = g_list_model_get_n_items (layers);
    for (guint i = 0; i < n; i++)
      {
        g_autoptr(GisLayer) layer = g_list_model_get_item (layers, i);
        total += gis_layer_get_feature_count (layer);
      }

    if (cli_opt_json)
      {
        json_builder_begin_object (b);
        json_builder_set_member_name (b, "store");
        json_builder_add_string_value (b, argv[1]);
        json_builder_set_member_name (b, "schema_version");
        json_builder_add_int_value (b, gis_store_get_schema_version (store));
        json_builder_set_member_name (b, "created_at");
        json_builder_add_string_value (b, created);
        json_builder_set_member_name (b, "analysis_crs");
        json_builder_add_string_value (b, analysis_crs);
        json_builder_set_member_name (b, "layer_count");
        json_builder_add_int_value (b, n);
        json_builder_set_member_name (b, "feature_count");
        json_builder_add_int_value (b, total);
        if (check)
          {
            json_builder_set_member_name (b, "check");
            json_builder_add_string_value (b, "ok");
          }
        if (digest != NULL)
          {
            json_builder_set_member_name (b, "checksum");
            json_builder_add_string_value (b, digest);
          }
        json_builder_end_object (b);
        root = json_builder_get_root (b);
        cli_print_json (root);
        return EXIT_SUCCESS;
      }

    g_print (_("Store:          %s\n"), argv[1]);
    g_print (_("Schema version: %d\n"), gis_store_get_schema_version (store));
    g_print (_("Created:        %s\n"), created ? created : "");
    g_print (_("Analysis CRS:   %s\n"), analysis_crs ? analysis_crs : "");
    g_print (_("Layers:         %u\n"), n);
    g_print (_("Features:       %" PRId64 "\n"), total);
    if (check)
      g_print (_("Check:          ok\n"));
    if (digest != NULL)
      g_print (_("Checksum:       %s\n"), digest);
  }

  return EXIT_SUCCESS;
}

/* ---- export ------------------------------------------------------------- */

static int
cmd_export (int    argc,
            char **argv)
{
  g_autofree char *sql = NULL, *format = NULL, *crs = NULL, *layer_name = NULL;
  gboolean overwrite = FALSE;
  GOptionEntry entries[] = {
    { "sql", 0, 0, G_OPTION_ARG_STRING, &sql, N_("Export the result of a SELECT instead of a layer"), N_("SELECT") },
    { "format", 'f', 0, G_OPTION_ARG_STRING, &format,
      N_("gpkg, geojson, shp, csv or kml; geotiff for a raster (default: from the file name)"), N_("FORMAT") },
    { "crs", 0, 0, G_OPTION_ARG_STRING, &crs, N_("Output CRS (default EPSG:4326)"), N_("CRS") },
    { "layer-name", 0, 0, G_OPTION_ARG_STRING, &layer_name, N_("Layer name inside the file"), N_("NAME") },
    { "overwrite", 0, 0, G_OPTION_ARG_NONE, &overwrite, N_("Replace an existing file"), NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &cli_opt_json, N_("Print the result as JSON"), NULL },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &cli_opt_quiet, N_("Print nothing on success"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context =
    g_option_context_new (_("STORE (LAYER | --sql SELECT) OUTPUT — export a layer or a query result"));
  g_autoptr(GisExportOptions) options = gis_export_options_new ();
  g_autoptr(GisStore) store = NULL;
  GError *error = NULL;
  const char *output;
  guint64 count = 0;
  gboolean ok, cells = FALSE;

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      int rc = cli_usage_error (context, error->message);
      g_error_free (error);
      return rc;
    }
  if ((sql == NULL && argc != 4) || (sql != NULL && argc != 3))
    return cli_usage_error (context, _("Give the store, the layer (or --sql) and the output file"));

  if (format != NULL && !gis_export_format_from_string (format, &options->format))
    {
      g_autofree char *msg = g_strdup_printf (_("Unknown format “%s”"), format);
      return cli_usage_error (context, msg);
    }
  options->crs = g_steal_pointer (&crs);
  options->layer_name = g_steal_pointer (&layer_name);
  options->overwrite = overwrite;

  store = cli_open_store (argv[1], GIS_STORE_OPEN_READ_ONLY, &error);
  if (store == NULL)
    return cli_fail (error);

  if (sql != NULL)
    {
      output = argv[2];
      ok = gis_store_export_query (store, sql, output, options, cli_on_progress, NULL, NULL,
                                   &count, &error);
    }
  else
    {
      g_autoptr(GisLayer) layer = gis_store_get_layer (store, argv[2], &error);

      if (layer == NULL)
        return cli_fail (error);
      output = argv[3];
      cells = gis_layer_is_raster (layer);
      ok = gis_store_export_layer (store, layer, output, options, cli_on_progress, NULL, NULL,
                                   &count, &error);
    }
  cli_end_progress ();
  if (!ok)
    return cli_fail (error);

  if (cli_opt_json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "output");
      json_builder_add_string_value (b, output);
      json_builder_set_member_name (b, cells ? "cells" : "features");
      json_builder_add_int_value (b, (gint64) count);
      json_builder_end_object (b);
      root = json_builder_get_root (b);
      cli_print_json (root);
    }
  else if (!cli_opt_quiet && cells)
    g_print (g_dngettext (GETTEXT_PACKAGE,
                          "Wrote a grid of %" PRIu64 " cell to %s\n",
                          "Wrote a grid of %" PRIu64 " cells to %s\n", count),
             count, output);
  else if (!cli_opt_quiet)
    g_print (g_dngettext (GETTEXT_PACKAGE,
                          "Wrote %" PRIu64 " feature to %s\n",
                          "Wrote %" PRIu64 " features to %s\n", count),
             count, output);

  return EXIT_SUCCESS;
}

/* ---- sql -------------------------------------------------------------------- */

static char *
csv_escape (const char *s)
{
  GString *out;

  if (s == NULL)
    return g_strdup ("");
  if (strpbrk (s, ",\"\n\r") == NULL)
    return g_strdup (s);
  out = g_string_new ("\"");
  for (const char *p = s; *p; p++)
    {
      if (*p == '"')
        g_string_append_c (out, '"');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
  return g_string_free (out, FALSE);
}

static int
cmd_sql (int    argc,
         char **argv)
{
  gboolean csv = FALSE;
  int limit = 0;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &cli_opt_json, N_("Print rows as JSON"), NULL },
    { "csv", 0, 0, G_OPTION_ARG_NONE, &csv, N_("Print rows as CSV"), NULL },
    { "limit", 0, 0, G_OPTION_ARG_INT, &limit, N_("Print at most N rows"), N_("N") },
    { NULL }
  };
  g_autoptr(GOptionContext) context =
    g_option_context_new (_("STORE SELECT — run a read-only SQL query"));
  g_autoptr(GisStore) store = NULL;
  g_autoptr(GisCursor) cursor = NULL;
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  GError *error = NULL;
  guint n_cols;
  int n_rows = 0;

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_summary (context,
                                _("Runs one SELECT statement, with SpatiaLite’s functions, on a "
                                  "read-only connection. Statements that would change the store "
                                  "are refused. Geometries print as WKT."));
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      int rc = cli_usage_error (context, error->message);
      g_error_free (error);
      return rc;
    }
  if (argc != 3)
    return cli_usage_error (context, _("Give the store and one SQL statement"));
  if (csv && cli_opt_json)
    return cli_usage_error (context, _("--csv and --json contradict each other"));

  store = cli_open_store (argv[1], GIS_STORE_OPEN_READ_ONLY, &error);
  if (store == NULL)
    return cli_fail (error);

  cli_hush_library_stderr ();
  cursor = gis_store_query (store, argv[2], &error);
  if (cursor == NULL)
    return cli_fail (error);
  n_cols = gis_cursor_get_n_columns (cursor);

  if (cli_opt_json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "columns");
      json_builder_begin_array (b);
      for (guint i = 0; i < n_cols; i++)
        json_builder_add_string_value (b, gis_cursor_get_column_name (cursor, i));
      json_builder_end_array (b);
      json_builder_set_member_name (b, "rows");
      json_builder_begin_array (b);
      while ((limit <= 0 || n_rows < limit) && gis_cursor_next (cursor, NULL, &error))
        {
          n_rows++;
          json_builder_begin_array (b);
          for (guint i = 0; i < n_cols; i++)
            switch (gis_cursor_get_value_type (cursor, i))
              {
              case GIS_VALUE_INTEGER:
                json_builder_add_int_value (b, gis_cursor_get_int64 (cursor, i));
                break;
              case GIS_VALUE_REAL:
                json_builder_add_double_value (b, gis_cursor_get_double (cursor, i));
                break;
              case GIS_VALUE_NULL:
                json_builder_add_null_value (b);
                break;
              case GIS_VALUE_TEXT:
              case GIS_VALUE_BLOB:
              case GIS_VALUE_GEOMETRY:
              default:
                {
                  g_autofree char *s = gis_cursor_format_value (cursor, i);
                  json_builder_add_string_value (b, s);
                }
                break;
              }
          json_builder_end_array (b);
        }
      json_builder_end_array (b);
      json_builder_end_object (b);
      if (error != NULL)
        return cli_fail (error);
      root = json_builder_get_root (b);
      cli_print_json (root);
      return EXIT_SUCCESS;
    }

  if (csv)
    {
      for (guint i = 0; i < n_cols; i++)
        {
          g_autofree char *s = csv_escape (gis_cursor_get_column_name (cursor, i));
          g_print ("%s%s", i ? "," : "", s);
        }
      g_print ("\n");
      while ((limit <= 0 || n_rows < limit) && gis_cursor_next (cursor, NULL, &error))
        {
          n_rows++;
          for (guint i = 0; i < n_cols; i++)
            {
              g_autofree char *v = gis_cursor_format_value (cursor, i);
              g_autofree char *s = csv_escape (v);
              g_print ("%s%s", i ? "," : "", s);
            }
          g_print ("\n");
        }
      if (error != NULL)
        return cli_fail (error);
      return EXIT_SUCCESS;
    }

  /* aligned table */
  {
    g_autofree guint *widths = g_new0 (guint, n_cols);
    char **header = g_new0 (char *, n_cols + 1);

    for (guint i = 0; i < n_cols; i++)
      {
        header[i] = g_strdup (gis_cursor_get_column_name (cursor, i));
        widths[i] = g_utf8_strlen (header[i], -1);
      }
    g_ptr_array_add (rows, header);

    while ((limit <= 0 || n_rows < limit) && gis_cursor_next (cursor, NULL, &error))
      {
        char **row = g_new0 (char *, n_cols + 1);

        n_rows++;
        for (guint i = 0; i < n_cols; i++)
          {
            char *v = gis_cursor_format_value (cursor, i);

            if (v == NULL)
              v = g_strdup ("NULL");
            if (g_utf8_strlen (v, -1) > 60)
              {
                char *cut = g_utf8_substring (v, 0, 59);
                g_free (v);
                v = g_strconcat (cut, "…", NULL);
                g_free (cut);
              }
            widths[i] = MAX (widths[i], (guint) g_utf8_strlen (v, -1));
            row[i] = v;
          }
        g_ptr_array_add (rows, row);
      }
    if (error != NULL)
      return cli_fail (error);

    for (guint r = 0; r < rows->len; r++)
      {
        char **row = g_ptr_array_index (rows, r);

        for (guint i = 0; i < n_cols; i++)
          {
            guint pad = widths[i] - g_utf8_strlen (row[i], -1);

            g_print ("%s%s%*s", i ? " | " : "", row[i], i + 1 < n_cols ? (int) pad : 0, "");
          }
        g_print ("\n");
        if (r == 0)
          {
            for (guint i = 0; i < n_cols; i++)
              {
                g_print ("%s", i ? "-+-" : "");
                for (guint k = 0; k < widths[i]; k++)
                  g_print ("-");
              }
            g_print ("\n");
          }
      }
    g_print (g_dngettext (GETTEXT_PACKAGE, "(%d row)\n", "(%d rows)\n", n_rows), n_rows);
  }

  return EXIT_SUCCESS;
}

/* ---- main ------------------------------------------------------------------- */

static const Command commands[] = {
  { "init", N_("Create an empty store"), cmd_init },
  { "import", N_("Import a vector file as a new layer"), cmd_import },
  { "layers", N_("List the layers of a store"), cmd_layers },
  { "info", N_("Describe a store or a layer"), cmd_info },
  { "export", N_("Export a layer or a query result to a GIS file"), cmd_export },
  { "sql", N_("Run a read-only SQL query"), cmd_sql },
  { "query", N_("Select features without SQL: spatial, attribute and date conditions"), cli_cmd_query },
  { "coverage", N_("Find gaps in enforcement coverage, and sites for new resources"), cli_cmd_coverage },
  { "hotspots", N_("Find where incidents concentrate: kernel density, Gi* hot spots, clusters, emerging hot spots"),
    cli_cmd_hotspots },
  { "render", N_("Draw the map of a store to an image"), cli_cmd_render },
  { "export-map", N_("Compose a map page or an atlas for print: PDF, SVG or PNG"), cli_cmd_export_map },
  { "indicators", N_("Chart incidents by year, the share covered and emerging hot spots: CSV, PNG or SVG"),
    cli_cmd_indicators },
  { "style", N_("Show or set how a layer is drawn"), cli_cmd_style },
  { "identify", N_("List the features at a point"), cli_cmd_identify },
  { "edit", N_("Add, move, change or delete a point feature"), cli_cmd_edit },
};

static void
print_usage (FILE *out)
{
  fprintf (out, "%s\n\n", _("Usage: atalaya-cli COMMAND [OPTION…] ARGUMENTS"));
  fprintf (out, "%s\n", _("Commands:"));
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    fprintf (out, "  %-10s %s\n", commands[i].name, _(commands[i].summary));
  fprintf (out, "\n%s\n", _("Run “atalaya-cli COMMAND --help” for the options of a command."));
}

int
main (int    argc,
      char **argv)
{
  const char *localedir = g_getenv ("ATALAYA_LOCALEDIR");
  int rc;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, localedir != NULL ? localedir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  cli_stderr_is_tty = isatty (STDERR_FILENO);

  if (argc < 2)
    {
      print_usage (stderr);
      return EXIT_USAGE;
    }

  if (g_strcmp0 (argv[1], "--help") == 0 || g_strcmp0 (argv[1], "-h") == 0 ||
      g_strcmp0 (argv[1], "help") == 0)
    {
      print_usage (stdout);
      return EXIT_SUCCESS;
    }

  if (g_strcmp0 (argv[1], "--version") == 0)
    {
      g_print ("atalaya-cli %s\n", PACKAGE_VERSION);
      return EXIT_SUCCESS;
    }

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_strcmp0 (argv[1], commands[i].name) == 0)
      {
        g_autofree char *prgname = g_strdup_printf ("atalaya-cli %s", commands[i].name);

        g_set_prgname (prgname);
        gis_init ();
        rc = commands[i].run (argc - 1, argv + 1);
        cli_restore_stderr ();
        gis_shutdown ();
        return rc;
      }

  g_printerr (_("atalaya-cli: unknown command “%s”\n\n"), argv[1]);
  print_usage (stderr);
  return EXIT_USAGE;
}
