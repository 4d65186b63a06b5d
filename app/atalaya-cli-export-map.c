/* atalaya-cli-export-map.c: `export-map`, a map page or an atlas for print
 *
 * The same composition the window's export dialog makes (gis/compose/):
 * a page with the map, title, legend, scale bar, north arrow and notes,
 * in English, French or Spanish, to PDF or SVG (vectors, text as text) or
 * PNG at any resolution; with --atlas, one page per feature of a layer.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "atalaya-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "atalaya-cli-commands.h"
#include "atalaya-cli-util.h"

/* "minlon,minlat,maxlon,maxlat" */
static gboolean
parse_lonlat_box (const char  *text,
                  GisExtent   *box,
                  GError     **error)
{
  g_auto(GStrv) parts = g_strsplit (text, ",", -1);
  double v[4];

  if (g_strv_length (parts) != 4)
    goto bad;
  for (guint i = 0; i < 4; i++)
    {
      char *end = NULL;

      v[i] = g_ascii_strtod (g_strstrip (parts[i]), &end);
      if (end == parts[i] || *end != '\0' || !isfinite (v[i]))
        goto bad;
    }
  if (!(v[0] < v[2] && v[1] < v[3]) || v[0] < -180 || v[2] > 180 || v[1] < -90 || v[3] > 90)
    goto bad;

  *box = (GisExtent) { v[0], v[1], v[2], v[3] };
  return TRUE;

bad:
  g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT,
               _("--extent: “%s” is not MINLON,MINLAT,MAXLON,MAXLAT in degrees, minimum first"),
               text);
  return FALSE;
}

/* "LAYER:FIELD=VALUE" */
static gboolean
parse_feature (const char  *text,
               char       **out_layer,
               char       **out_field,
               char       **out_value,
               GError     **error)
{
  const char *colon = strchr (text, ':');
  const char *equals = colon != NULL ? strchr (colon + 1, '=') : NULL;

  if (colon == NULL || equals == NULL || colon == text || equals == colon + 1)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT,
                   _("--feature: “%s” is not LAYER:FIELD=VALUE"), text);
      return FALSE;
    }
  *out_layer = g_strndup (text, colon - text);
  *out_field = g_strndup (colon + 1, equals - colon - 1);
  *out_value = g_strdup (equals + 1);
  return TRUE;
}

static gboolean
parse_date (const char  *text,
            GDateTime  **out_date,
            GError     **error)
{
  int y, m, d, n = 0;

  if (sscanf (text, "%4d-%2d-%2d%n", &y, &m, &d, &n) == 3 && text[n] == '\0')
    *out_date = g_date_time_new_utc (y, m, d, 0, 0, 0);
  else
    *out_date = NULL;
  if (*out_date == NULL)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT,
                   _("--date: “%s” is not a date (YYYY-MM-DD)"), text);
      return FALSE;
    }
  return TRUE;
}

static void
print_json (GisComposition  *composition,
            GPtrArray       *files,
            GisComposeFormat format,
            double           dpi,
            GisPageSize      page,
            gboolean         landscape,
            GisLanguage      language,
            GisCrs          *crs,
            double           seconds)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  static const char *const formats[] = { "pdf", "svg", "png" };
  GisViewState view;
  double w, h, fx, fy;

  gis_composition_get_page_pt (composition, &w, &h);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "outputs");
  json_builder_begin_array (b);
  for (guint i = 0; i < files->len; i++)
    json_builder_add_string_value (b, g_ptr_array_index (files, i));
  json_builder_end_array (b);
  json_builder_set_member_name (b, "format");
  json_builder_add_string_value (b, formats[format]);
  json_builder_set_member_name (b, "pages");
  json_builder_add_int_value (b, gis_composition_get_n_pages (composition));
  json_builder_set_member_name (b, "page");
  json_builder_add_string_value (b, gis_page_size_to_string (page));
  json_builder_set_member_name (b, "landscape");
  json_builder_add_boolean_value (b, landscape);
  json_builder_set_member_name (b, "width_pt");
  json_builder_add_double_value (b, w);
  json_builder_set_member_name (b, "height_pt");
  json_builder_add_double_value (b, h);
  if (format == GIS_COMPOSE_PNG)
    {
      json_builder_set_member_name (b, "dpi");
      json_builder_add_double_value (b, dpi);
    }
  json_builder_set_member_name (b, "language");
  json_builder_add_string_value (b, gis_language_to_string (language));
  json_builder_set_member_name (b, "crs");
  json_builder_add_string_value (b, gis_crs_get_definition (crs));
  /* where the first page's map lies: a map coordinate's point on the page
   * is the frame's corner plus its pixel in the view */
  if (gis_composition_get_map_frame (composition, 0, &fx, &fy, &view, NULL))
    {
      json_builder_set_member_name (b, "frame");
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "x_pt");
      json_builder_add_double_value (b, fx);
      json_builder_set_member_name (b, "y_pt");
      json_builder_add_double_value (b, fy);
      json_builder_set_member_name (b, "width_pt");
      json_builder_add_int_value (b, view.width_px);
      json_builder_set_member_name (b, "height_pt");
      json_builder_add_int_value (b, view.height_px);
      json_builder_set_member_name (b, "center_x");
      json_builder_add_double_value (b, view.center_x);
      json_builder_set_member_name (b, "center_y");
      json_builder_add_double_value (b, view.center_y);
      json_builder_set_member_name (b, "resolution");
      json_builder_add_double_value (b, view.resolution);
      json_builder_end_object (b);
    }
  json_builder_set_member_name (b, "seconds");
  json_builder_add_double_value (b, seconds);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  cli_print_json (root);
}

int
cli_cmd_export_map (int    argc,
                    char **argv)
{
  g_autofree char *page_text = NULL;
  g_autofree char *title = NULL;
  g_autofree char *subtitle = NULL;
  g_autofree char *lang_text = NULL;
  g_autofree char *crs_def = NULL;
  g_autofree char *extent_text = NULL;
  g_autofree char *feature_text = NULL;
  g_autofree char *atlas = NULL;
  g_autofree char *atlas_title = NULL;
  g_autofree char *date_text = NULL;
  g_auto(GStrv) only = NULL;
  gboolean landscape = FALSE, locator = FALSE, indicators = FALSE;
  double margin_mm = 12.7, dpi = 300;
  GOptionEntry entries[] = {
    { "page", 0, 0, G_OPTION_ARG_STRING, &page_text,
      N_("Paper: letter (the default), legal, tabloid, a4 or a3"), N_("SIZE") },
    { "landscape", 0, 0, G_OPTION_ARG_NONE, &landscape, N_("Lay the page on its long side"), NULL },
    { "margin", 0, 0, G_OPTION_ARG_DOUBLE, &margin_mm,
      N_("Blank border of the page in millimetres (default 12.7)"), N_("MM") },
    { "dpi", 0, 0, G_OPTION_ARG_DOUBLE, &dpi, N_("Resolution of a PNG (default 300)"), N_("N") },
    { "title", 0, 0, G_OPTION_ARG_STRING, &title, N_("Title of the map"), N_("TEXT") },
    { "subtitle", 0, 0, G_OPTION_ARG_STRING, &subtitle, N_("Line under the title"), N_("TEXT") },
    { "lang", 0, 0, G_OPTION_ARG_STRING, &lang_text,
      N_("Language of the legend, scale bar and notes: en (the default), fr or es"), N_("LANG") },
    { "crs", 0, 0, G_OPTION_ARG_STRING, &crs_def,
      N_("Map CRS: a preset id such as cec-laea (the default), EPSG:N, PROJ or WKT"), N_("CRS") },
    { "extent", 0, 0, G_OPTION_ARG_STRING, &extent_text,
      N_("Show this box (default: all the layers drawn)"), N_("MINLON,MINLAT,MAXLON,MAXLAT") },
    { "feature", 0, 0, G_OPTION_ARG_STRING, &feature_text,
      N_("Frame the map on a feature, such as a state, outlined"), N_("LAYER:FIELD=VALUE") },
    { "layer", 'l', 0, G_OPTION_ARG_STRING_ARRAY, &only,
      N_("Draw this layer, shown or hidden in the store (repeat; default: the shown layers)"), N_("NAME") },
    { "atlas", 0, 0, G_OPTION_ARG_STRING, &atlas,
      N_("One page per feature of this layer: one PDF, or numbered SVG or PNG files"), N_("LAYER") },
    { "atlas-title", 0, 0, G_OPTION_ARG_STRING, &atlas_title,
      N_("Title each atlas page with this field"), N_("FIELD") },
    { "locator", 0, 0, G_OPTION_ARG_NONE, &locator,
      N_("A small map of North America showing where the map lies"), NULL },
    { "date", 0, 0, G_OPTION_ARG_STRING, &date_text,
      N_("The date printed (default: today)"), N_("YYYY-MM-DD") },
    { "indicators", 0, 0, G_OPTION_ARG_NONE, &indicators,
      N_("Add a page of indicator charts after the map: incidents by year, coverage, emerging hot spots"), NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &cli_opt_json, N_("Print the result as JSON"), NULL },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &cli_opt_quiet, N_("Print nothing on success"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context =
    g_option_context_new (_("STORE OUTPUT — a map page for print: PDF, SVG or PNG"));
  g_autoptr(GisComposition) composition = NULL;
  g_autoptr(GisCrs) crs = NULL;
  g_autoptr(GDateTime) date = NULL;
  g_autoptr(GPtrArray) files = NULL;
  g_autofree char *feature_layer = NULL;
  g_autofree char *feature_field = NULL;
  g_autofree char *feature_value = NULL;
  GisPageSize page = GIS_PAGE_LETTER;
  GisLanguage language = GIS_LANGUAGE_EN;
  GisComposeFormat format;
  GisExtent box;
  gint64 start_us = g_get_monotonic_time ();
  double seconds;
  GError *error = NULL;

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_summary (context,
                                _("Composes a page: the map, its title, a legend of the layers "
                                  "drawn, a scale bar in km and miles, a north arrow, the date, "
                                  "the CRS, the sources and the method records of result layers.  "
                                  "The output's extension chooses the format."));
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      int rc = cli_usage_error (context, error->message);
      g_error_free (error);
      return rc;
    }
  if (argc != 3)
    return cli_usage_error (context, _("Give the store and the output file"));
  if (!gis_compose_format_for_path (argv[2], &format))
    return cli_usage_error (context, _("The output file must end in .pdf, .svg or .png"));
  if (page_text != NULL && !gis_page_size_from_string (page_text, &page))
    return cli_usage_error (context, _("--page must be letter, legal, tabloid, a4 or a3"));
  if (lang_text != NULL && !gis_language_from_string (lang_text, &language))
    return cli_usage_error (context, _("--lang must be en, fr or es"));
  if (!(margin_mm >= 0 && margin_mm <= 50))
    return cli_usage_error (context, _("--margin must be between 0 and 50 mm"));
  if (!(dpi >= 10 && dpi <= 2400))
    return cli_usage_error (context, _("--dpi must be between 10 and 2400"));
  if (atlas_title != NULL && atlas == NULL)
    return cli_usage_error (context, _("--atlas-title goes with --atlas"));
  if (atlas != NULL && (feature_text != NULL || extent_text != NULL))
    return cli_usage_error (context, _("--atlas frames each page on its feature: "
                                       "leave out --feature and --extent"));
  if (feature_text != NULL && extent_text != NULL)
    return cli_usage_error (context, _("Give --feature or --extent, not both"));

  if (extent_text != NULL && !parse_lonlat_box (extent_text, &box, &error))
    return cli_fail (error);
  if (feature_text != NULL &&
      !parse_feature (feature_text, &feature_layer, &feature_field, &feature_value, &error))
    return cli_fail (error);
  if (date_text != NULL && !parse_date (date_text, &date, &error))
    return cli_fail (error);
  crs = gis_crs_new (crs_def != NULL ? crs_def : GIS_CRS_CEC_LAEA_ID, &error);
  if (crs == NULL)
    return cli_fail (error);
  if (!g_file_test (argv[1], G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (&error, GIS_ERROR, GIS_ERROR_NOT_FOUND, _("No store at “%s”"), argv[1]);
      return cli_fail (error);
    }

  composition = gis_composition_new (argv[1]);
  gis_composition_set_page (composition, page, landscape);
  gis_composition_set_margin_mm (composition, margin_mm);
  gis_composition_set_title (composition, title);
  gis_composition_set_subtitle (composition, subtitle);
  gis_composition_set_language (composition, language);
  gis_composition_set_crs (composition, crs);
  gis_composition_set_extent (composition, extent_text != NULL ? &box : NULL);
  gis_composition_set_feature (composition, feature_layer, feature_field, feature_value);
  gis_composition_set_layers (composition, (const char *const *) only);
  gis_composition_set_atlas (composition, atlas, atlas_title);
  gis_composition_set_locator (composition, locator);
  gis_composition_set_date (composition, date);
  if (indicators)
    gis_indicators_add_page (composition, argv[1], 0);

  if (!gis_composition_load (composition, NULL, cli_on_progress, NULL, &error))
    {
      cli_end_progress ();
      return cli_fail (error);
    }
  files = gis_composition_export (composition, argv[2], format, dpi, NULL, cli_on_progress, NULL,
                                  &error);
  cli_end_progress ();
  if (files == NULL)
    return cli_fail (error);
  seconds = (g_get_monotonic_time () - start_us) / 1e6;

  if (cli_opt_json)
    print_json (composition, files, format, dpi, page, landscape, language, crs, seconds);
  else if (!cli_opt_quiet)
    {
      guint n_pages = gis_composition_get_n_pages (composition);

      if (files->len == 1)
        g_print (g_dngettext (GETTEXT_PACKAGE, "Wrote %s: %u page in %.1f s\n",
                              "Wrote %s: %u pages in %.1f s\n", n_pages),
                 (const char *) g_ptr_array_index (files, 0), n_pages, seconds);
      else
        g_print (g_dngettext (GETTEXT_PACKAGE, "Wrote %u file, %s to %s, in %.1f s\n",
                              "Wrote %u files, %s to %s, in %.1f s\n", files->len),
                 files->len, (const char *) g_ptr_array_index (files, 0),
                 (const char *) g_ptr_array_index (files, files->len - 1), seconds);
    }
  return EXIT_SUCCESS;
}
