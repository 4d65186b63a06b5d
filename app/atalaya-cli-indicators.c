/* atalaya-cli-indicators.c: `indicators`, the planners' charts and their
 * numbers
 *
 * The same tables and charts as the window's Indicators panel
 * (gis/compose/gis-indicators.c): incidents per year by category or by
 * country, the share of incidents and of habitat covered by the current
 * resources, the emerging hot spot categories; printed as a table or
 * JSON, written as CSV, and drawn to PNG or SVG in English, French or
 * Spanish.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "atalaya-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "atalaya-cli-commands.h"
#include "atalaya-cli-util.h"

static void
print_table (const GisIndicatorTable *t,
             GisLanguage              language)
{
  g_autoptr(GString) line = g_string_new (NULL);
  guint first_w = 8;

  for (guint r = 0; r < t->n_rows; r++)
    {
      g_autofree char *label = gis_indicator_table_dup_row_label (t, r, language);

      first_w = MAX (first_w, (guint) g_utf8_strlen (label, -1) + 1);
    }
  g_print ("%s\n", gis_indicator_get_title (t->kind, language));
  g_string_append_printf (line, "%-*s", (int) first_w, "");
  for (guint s = 0; s < t->n_series; s++)
    g_string_append_printf (line, " %14s", t->series_keys[s]);
  g_print ("%s\n", line->str);
  for (guint r = 0; r < t->n_rows; r++)
    {
      g_autofree char *label = gis_indicator_table_dup_row_label (t, r, language);
      int pad = (int) first_w - (int) g_utf8_strlen (label, -1);

      g_string_assign (line, label);
      for (int i = 0; i < pad; i++)
        g_string_append_c (line, ' ');
      for (guint s = 0; s < t->n_series; s++)
        {
          double v = gis_indicator_table_get (t, r, s);

          if (isnan (v))
            g_string_append_printf (line, " %14s", "—");
          else if (t->kind == GIS_INDICATOR_COVERAGE)
            g_string_append_printf (line, " %13.1f%%", v);
          else
            g_string_append_printf (line, " %14.0f", v);
        }
      g_print ("%s\n", line->str);
    }
}

static void
print_json (const GisIndicatorTable *t,
            GisLanguage              language,
            const char              *csv,
            const char              *chart_path,
            double                   seconds)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "chart");
  json_builder_add_string_value (b, gis_indicator_to_string (t->kind));
  json_builder_set_member_name (b, "title");
  json_builder_add_string_value (b, gis_indicator_get_title (t->kind, language));
  json_builder_set_member_name (b, "language");
  json_builder_add_string_value (b, gis_language_to_string (language));
  json_builder_set_member_name (b, "source");
  json_builder_add_string_value (b, t->source);
  if (t->kind == GIS_INDICATOR_COVERAGE)
    {
      json_builder_set_member_name (b, "radius_km");
      if (t->radius_km > 0)
        json_builder_add_double_value (b, t->radius_km);
      else
        json_builder_add_string_value (b, "radius_km");
      json_builder_set_member_name (b, "resources");
      json_builder_begin_array (b);
      for (guint i = 0; t->resources != NULL && t->resources[i] != NULL; i++)
        json_builder_add_string_value (b, t->resources[i]);
      json_builder_end_array (b);
    }
  json_builder_set_member_name (b, "rows");
  json_builder_begin_array (b);
  for (guint r = 0; r < t->n_rows; r++)
    json_builder_add_string_value (b, t->row_keys[r]);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "series");
  json_builder_begin_array (b);
  for (guint s = 0; s < t->n_series; s++)
    json_builder_add_string_value (b, t->series_keys[s]);
  json_builder_end_array (b);
  /* a row of values per row; null where a share has nothing to cover */
  json_builder_set_member_name (b, "values");
  json_builder_begin_array (b);
  for (guint r = 0; r < t->n_rows; r++)
    {
      json_builder_begin_array (b);
      for (guint s = 0; s < t->n_series; s++)
        {
          double v = gis_indicator_table_get (t, r, s);

          if (isnan (v))
            json_builder_add_null_value (b);
          else if (t->kind == GIS_INDICATOR_COVERAGE)
            json_builder_add_double_value (b, v);
          else
            json_builder_add_int_value (b, (gint64) v);
        }
      json_builder_end_array (b);
    }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "outputs");
  json_builder_begin_array (b);
  if (csv != NULL)
    json_builder_add_string_value (b, csv);
  if (chart_path != NULL)
    json_builder_add_string_value (b, chart_path);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "seconds");
  json_builder_add_double_value (b, round (seconds * 1000) / 1000);
  json_builder_end_object (b);

  root = json_builder_get_root (b);
  cli_print_json (root);
}

int
cli_cmd_indicators (int    argc,
                    char **argv)
{
  g_autofree char *chart_text = NULL;
  g_autofree char *lang_text = NULL;
  g_autofree char *csv = NULL;
  g_autofree char *png = NULL;
  g_autofree char *svg = NULL;
  double radius = 0;
  int width = 900, height = 560;
  GOptionEntry entries[] = {
    { "chart", 'c', 0, G_OPTION_ARG_STRING, &chart_text,
      N_("incidents-by-category (the default), incidents-by-country, coverage or hotspots"), N_("CHART") },
    { "radius", 0, 0, G_OPTION_ARG_DOUBLE, &radius,
      N_("Coverage: each resource's radius (default: its radius_km field, else 50)"), N_("KM") },
    { "lang", 0, 0, G_OPTION_ARG_STRING, &lang_text,
      N_("Language of the chart's text: en (the default), fr or es"), N_("LANG") },
    { "csv", 0, 0, G_OPTION_ARG_FILENAME, &csv, N_("Write the table as CSV"), N_("FILE") },
    { "png", 0, 0, G_OPTION_ARG_FILENAME, &png, N_("Draw the chart to a PNG image"), N_("FILE") },
    { "svg", 0, 0, G_OPTION_ARG_FILENAME, &svg, N_("Draw the chart to an SVG drawing"), N_("FILE") },
    { "width", 0, 0, G_OPTION_ARG_INT, &width, N_("The chart's width (default 900)"), N_("PX") },
    { "height", 0, 0, G_OPTION_ARG_INT, &height, N_("The chart's height (default 560)"), N_("PX") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &cli_opt_json, N_("Print the table as JSON"), NULL },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &cli_opt_quiet, N_("Print nothing on success"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("STORE — charts of incidents, coverage and hot spots"));
  g_autoptr(GisStore) store = NULL;
  g_autoptr(GisIndicatorTable) table = NULL;
  GisIndicator kind = GIS_INDICATOR_INCIDENTS_BY_CATEGORY;
  GisLanguage language = GIS_LANGUAGE_EN;
  gint64 start = g_get_monotonic_time ();
  GError *error = NULL;

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_summary (context,
                                _("Counts incidents per year by category or by country, measures the share of "
                                  "incidents and of habitat area the ports and resources cover, or counts the "
                                  "cells of the latest emerging hot spot result by category; prints the table, "
                                  "writes it as CSV, and draws the chart.\n\n"
                                  "  indicators STORE --chart coverage --radius 50 --lang fr --svg coverage.svg\n"
                                  "  indicators STORE --chart incidents-by-country --csv country.csv --png "
                                  "country.png"));
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      int rc = cli_usage_error (context, error->message);
      g_error_free (error);
      return rc;
    }
  if (argc != 2)
    return cli_usage_error (context, _("Give the store"));
  if (chart_text != NULL && !gis_indicator_from_string (chart_text, &kind))
    return cli_usage_error (context, _("--chart must be incidents-by-category, incidents-by-country, coverage or "
                                       "hotspots"));
  if (lang_text != NULL && !gis_language_from_string (lang_text, &language))
    return cli_usage_error (context, _("--lang must be en, fr or es"));
  if (png != NULL && svg != NULL)
    return cli_usage_error (context, _("Give --png or --svg, not both"));
  if (radius < 0)
    return cli_usage_error (context, _("--radius must be more than 0 km"));
  if (radius > 0 && kind != GIS_INDICATOR_COVERAGE)
    return cli_usage_error (context, _("--radius goes with --chart coverage"));
  if (width < 100 || height < 80 || width > 16000 || height > 16000)
    return cli_usage_error (context, _("--width and --height must be from 100 × 80 to 16000 × 16000"));

  store = cli_open_store (argv[1], GIS_STORE_OPEN_READ_ONLY, &error);
  if (store == NULL)
    return cli_fail (error);
  table = gis_indicator_table_compute (store, kind, radius, NULL, cli_on_progress, NULL, &error);
  cli_end_progress ();
  if (table == NULL)
    return cli_fail (error);
  if (csv != NULL && !gis_indicator_table_write_csv (table, csv, &error))
    return cli_fail (error);
  if ((png != NULL || svg != NULL) &&
      !gis_indicator_export (table, png != NULL ? png : svg, png != NULL ? GIS_COMPOSE_PNG : GIS_COMPOSE_SVG,
                             width, height, language, &error))
    return cli_fail (error);

  if (cli_opt_json)
    print_json (table, language, csv, png != NULL ? png : svg, (g_get_monotonic_time () - start) / 1e6);
  else if (!cli_opt_quiet)
    print_table (table, language);
  return EXIT_SUCCESS;
}
