/* atalaya-cli-map.c: `render` and `style`, the map from the command line
 *
 * `render` draws what the window's map shows: the store's visible layers
 * in their order, with their saved styles and opacities, in a display
 * CRS, optionally limited to a period, into a PNG, SVG or PDF file.
 * `style` shows or changes how a layer is drawn, as the window's style
 * editor and layer panel do, and saves it in the store.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "atalaya-cli"

#include "config.h"

#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <glib/gi18n.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "atalaya-cli-commands.h"
#include "atalaya-cli-util.h"

#define DEFAULT_WIDTH   1600
#define DEFAULT_HEIGHT  1000
#define MAX_SIDE_PX     16384
#define FIT_PADDING_PX  24

/* ---- shared ------------------------------------------------------------- */

/* The layer's saved style, or its default one. */
static GisStyle *
layer_style (GisLayer  *layer,
             GError   **error)
{
  const char *json = gis_layer_get_style_json (layer);
  g_autoptr(GError) local_error = NULL;
  GisStyle *style;

  if (json == NULL || *json == '\0')
    return gis_style_new_default (layer);

  style = gis_style_new_from_json (json, &local_error);
  if (style == NULL)
    g_set_error (error, GIS_ERROR, GIS_ERROR_CORRUPT, _("The style of layer “%s” is unreadable: %s"),
                 gis_layer_get_name (layer), local_error->message);
  return style;
}

/* A preset's label, or the CRS's own name. */
static const char *
crs_label (GisCrs *crs)
{
  guint n;
  const GisCrsPreset *presets = gis_crs_get_presets (&n);

  for (guint i = 0; i < n; i++)
    if (g_strcmp0 (presets[i].id, gis_crs_get_definition (crs)) == 0)
      return _(presets[i].label);
  return gis_crs_get_name (crs);
}

/* Parses "YYYY", "YYYY-MM" or "YYYY-MM-DD" as the first second of that
 * period, or with @end as its last second (UTC, as the time bar). */
static gboolean
parse_period (const char  *text,
              const char  *option,
              gboolean     end,
              gint64      *out_s,
              GError     **error)
{
  int year = 0, month = 0, day = 0, n = 0;
  g_autoptr(GDateTime) start = NULL;
  g_autoptr(GDateTime) next = NULL;

  if (sscanf (text, "%4d-%2d-%2d%n", &year, &month, &day, &n) == 3 && text[n] == '\0')
    start = g_date_time_new_utc (year, month, day, 0, 0, 0);
  else if ((n = 0, sscanf (text, "%4d-%2d%n", &year, &month, &n) == 2) && text[n] == '\0')
    start = g_date_time_new_utc (year, month, 1, 0, 0, 0), day = -1;
  else if ((n = 0, sscanf (text, "%4d%n", &year, &n) == 1) && text[n] == '\0' && n == 4)
    start = g_date_time_new_utc (year, 1, 1, 0, 0, 0), month = -1;

  if (start == NULL || year < 1)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT,
                   _("%s: “%s” is not a date (YYYY-MM-DD, YYYY-MM or YYYY)"), option, text);
      return FALSE;
    }

  if (!end)
    {
      *out_s = g_date_time_to_unix (start);
      return TRUE;
    }

  if (month < 0)
    next = g_date_time_add_years (start, 1);
  else if (day < 0)
    next = g_date_time_add_months (start, 1);
  else
    next = g_date_time_add_days (start, 1);
  *out_s = g_date_time_to_unix (next) - 1;
  return TRUE;
}

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

  box->min_x = v[0];
  box->min_y = v[1];
  box->max_x = v[2];
  box->max_y = v[3];
  return TRUE;

bad:
  g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT,
               _("--extent: “%s” is not MINLON,MINLAT,MAXLON,MAXLAT in degrees, minimum first"),
               text);
  return FALSE;
}

typedef enum
{
  OUTPUT_PNG,
  OUTPUT_SVG,
  OUTPUT_PDF,
} OutputFormat;

static gboolean
output_format_for (const char   *path,
                   OutputFormat *format)
{
  g_autofree char *lower = g_ascii_strdown (path, -1);

  if (g_str_has_suffix (lower, ".png"))
    *format = OUTPUT_PNG;
  else if (g_str_has_suffix (lower, ".svg"))
    *format = OUTPUT_SVG;
  else if (g_str_has_suffix (lower, ".pdf"))
    *format = OUTPUT_PDF;
  else
    return FALSE;
  return TRUE;
}

/* ---- render ------------------------------------------------------------- */

static gboolean
write_output (const char          *path,
              OutputFormat         format,
              const GisViewState  *view,
              GisRenderLayer     **layers,
              guint                n_layers,
              GError             **error)
{
  cairo_surface_t *surface;
  cairo_status_t status;

  if (format == OUTPUT_PNG)
    {
      surface = gis_render_image (view, layers, n_layers, 1.0, NULL);
      status = cairo_surface_status (surface);
      if (status == CAIRO_STATUS_SUCCESS)
        status = cairo_surface_write_to_png (surface, path);
    }
  else
    {
      cairo_t *cr;

      /* one map pixel is one point: the page is the image's size */
      if (format == OUTPUT_SVG)
        {
          surface = cairo_svg_surface_create (path, view->width_px, view->height_px);
          /* sized in pixels, as the PNG would be, not in points */
          cairo_svg_surface_set_document_unit (surface, CAIRO_SVG_UNIT_USER);
        }
      else
        surface = cairo_pdf_surface_create (path, view->width_px, view->height_px);
      cr = cairo_create (surface);
      gis_render_to_cairo (cr, view, layers, n_layers, TRUE, NULL);
      status = cairo_status (cr);
      cairo_destroy (cr);
      cairo_surface_finish (surface);
      if (status == CAIRO_STATUS_SUCCESS)
        status = cairo_surface_status (surface);
    }
  cairo_surface_destroy (surface);

  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_IO, _("Cannot write “%s”: %s"),
                   path, cairo_status_to_string (status));
      return FALSE;
    }
  return TRUE;
}

int
cli_cmd_render (int    argc,
                char **argv)
{
  int width = DEFAULT_WIDTH, height = DEFAULT_HEIGHT;
  g_autofree char *crs_def = NULL;
  g_autofree char *extent_text = NULL;
  g_autofree char *from_text = NULL;
  g_autofree char *to_text = NULL;
  g_auto(GStrv) only = NULL;
  GOptionEntry entries[] = {
    { "width", 0, 0, G_OPTION_ARG_INT, &width, N_("Image width in pixels (default 1600)"), N_("PX") },
    { "height", 0, 0, G_OPTION_ARG_INT, &height, N_("Image height in pixels (default 1000)"), N_("PX") },
    { "crs", 0, 0, G_OPTION_ARG_STRING, &crs_def,
      N_("Display CRS: a preset id such as cec-laea (the default), EPSG:N, PROJ or WKT"), N_("CRS") },
    { "extent", 0, 0, G_OPTION_ARG_STRING, &extent_text,
      N_("Show this box (default: all the layers drawn)"), N_("MINLON,MINLAT,MAXLON,MAXLAT") },
    { "layer", 'l', 0, G_OPTION_ARG_STRING_ARRAY, &only,
      N_("Draw this layer, shown or hidden in the store (repeat; default: the shown layers)"), N_("NAME") },
    { "from", 0, 0, G_OPTION_ARG_STRING, &from_text,
      N_("Draw dated features from this date on"), N_("DATE") },
    { "to", 0, 0, G_OPTION_ARG_STRING, &to_text,
      N_("Draw dated features up to the end of this date"), N_("DATE") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &cli_opt_json, N_("Print the result as JSON"), NULL },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &cli_opt_quiet, N_("Print nothing on success"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context =
    g_option_context_new (_("STORE OUTPUT — draw the map into a PNG, SVG or PDF file"));
  g_autoptr(GisStore) store = NULL;
  g_autoptr(GListModel) layers = NULL;
  g_autoptr(GisCrs) crs = NULL;
  g_autoptr(GisViewport) viewport = NULL;
  g_autoptr(GPtrArray) drawn = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) datas = g_ptr_array_new_with_free_func ((GDestroyNotify) gis_layer_data_unref);
  g_autoptr(GPtrArray) renders = g_ptr_array_new_with_free_func ((GDestroyNotify) gis_render_layer_unref);
  gint64 from_s = G_MININT64, to_s = G_MAXINT64;
  GisExtent lonlat_box, map_extent;
  GisViewState view;
  OutputFormat format;
  GError *error = NULL;

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_summary (context,
                                _("Draws the store's map as the window shows it: the shown layers, "
                                  "bottom first, with their saved styles and opacities.  The "
                                  "output's extension chooses the format: .png, .svg or .pdf."));
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      int rc = cli_usage_error (context, error->message);
      g_error_free (error);
      return rc;
    }
  if (argc != 3)
    return cli_usage_error (context, _("Give the store and the output file"));
  if (!output_format_for (argv[2], &format))
    return cli_usage_error (context, _("The output file must end in .png, .svg or .pdf"));
  if (width < 1 || height < 1 || width > MAX_SIDE_PX || height > MAX_SIDE_PX)
    return cli_usage_error (context, _("--width and --height must be between 1 and 16384"));

  if (from_text != NULL && !parse_period (from_text, "--from", FALSE, &from_s, &error))
    return cli_fail (error);
  if (to_text != NULL && !parse_period (to_text, "--to", TRUE, &to_s, &error))
    return cli_fail (error);
  if (from_s > to_s)
    {
      g_set_error (&error, GIS_ERROR, GIS_ERROR_INVALID_INPUT,
                   _("--from %s comes after --to %s"), from_text, to_text);
      return cli_fail (error);
    }
  if (extent_text != NULL && !parse_lonlat_box (extent_text, &lonlat_box, &error))
    return cli_fail (error);

  crs = gis_crs_new (crs_def != NULL ? crs_def : GIS_CRS_CEC_LAEA_ID, &error);
  if (crs == NULL)
    return cli_fail (error);

  store = cli_open_store (argv[1], GIS_STORE_OPEN_READ_ONLY, &error);
  if (store == NULL)
    return cli_fail (error);

  /* the layers drawn, bottom first */
  if (only != NULL)
    {
      g_autoptr(GPtrArray) named = g_ptr_array_new_with_free_func (g_object_unref);

      for (guint i = 0; only[i] != NULL; i++)
        {
          GisLayer *layer = gis_store_get_layer (store, only[i], &error);

          if (layer == NULL)
            return cli_fail (error);
          g_ptr_array_add (named, layer);
        }
      layers = gis_store_list_layers (store, &error);
      if (layers == NULL)
        return cli_fail (error);
      for (guint i = 0; i < g_list_model_get_n_items (layers); i++)
        {
          g_autoptr(GisLayer) layer = g_list_model_get_item (layers, i);

          for (guint j = 0; j < named->len; j++)
            if (gis_layer_get_id (g_ptr_array_index (named, j)) == gis_layer_get_id (layer))
              {
                g_ptr_array_add (drawn, g_object_ref (layer));
                break;
              }
        }
    }
  else
    {
      layers = gis_store_list_layers (store, &error);
      if (layers == NULL)
        return cli_fail (error);
      for (guint i = 0; i < g_list_model_get_n_items (layers); i++)
        {
          g_autoptr(GisLayer) layer = g_list_model_get_item (layers, i);

          if (gis_layer_get_visible (layer))
            g_ptr_array_add (drawn, g_object_ref (layer));
        }
    }

  gis_extent_init_empty (&map_extent);
  for (guint i = 0; i < drawn->len; i++)
    {
      GisLayer *layer = g_ptr_array_index (drawn, i);
      g_autoptr(GisStyle) style = NULL;
      g_auto(GStrv) fields = NULL;
      GisLayerData *data;
      GisRenderLayer *render;

      /* attribute-only tables have nothing to draw */
      if (gis_layer_get_geometry_type (layer) == NULL)
        continue;

      style = layer_style (layer, &error);
      if (style == NULL)
        return cli_fail (error);
      fields = gis_style_dup_fields (style);
      data = gis_layer_data_load (argv[1], gis_layer_get_id (layer), crs,
                                  (const char *const *) fields, NULL, &error);
      if (data == NULL)
        return cli_fail (error);
      g_ptr_array_add (datas, data);

      render = gis_render_layer_new (data, style, &error);
      if (render == NULL)
        {
          g_prefix_error (&error, _("Layer “%s”: "), gis_layer_get_name (layer));
          return cli_fail (error);
        }
      gis_render_layer_set_opacity (render, gis_layer_get_opacity (layer));
      if (gis_layer_data_has_time (data) && (from_s != G_MININT64 || to_s != G_MAXINT64))
        gis_render_layer_set_time_range (render, from_s, to_s);
      gis_render_layer_set_show_labels (render, gis_style_get_label (style)->field != NULL);
      g_ptr_array_add (renders, render);
      if (!gis_extent_is_empty (gis_layer_data_get_extent (data)))
        gis_extent_add_extent (&map_extent, gis_layer_data_get_extent (data));
    }

  /* the view: the box asked for, or everything drawn, as the window fits it */
  viewport = gis_viewport_new (crs);
  gis_viewport_set_size (viewport, width, height);
  if (extent_text != NULL)
    {
      if (!gis_viewport_fit_lonlat (viewport, &lonlat_box, 0))
        {
          g_set_error (&error, GIS_ERROR, GIS_ERROR_CRS,
                       _("--extent %s cannot be shown in %s"), extent_text, crs_label (crs));
          return cli_fail (error);
        }
    }
  else if (!gis_extent_is_empty (&map_extent))
    gis_viewport_fit_extent (viewport, &map_extent, FIT_PADDING_PX);
  gis_viewport_get_state (viewport, &view);

  if (!write_output (argv[2], format, &view, (GisRenderLayer **) renders->pdata, renders->len, &error))
    return cli_fail (error);

  if (cli_opt_json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;
      GisExtent box;

      gis_view_state_get_extent (&view, &box);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "output");
      json_builder_add_string_value (b, argv[2]);
      json_builder_set_member_name (b, "width");
      json_builder_add_int_value (b, width);
      json_builder_set_member_name (b, "height");
      json_builder_add_int_value (b, height);
      json_builder_set_member_name (b, "crs");
      json_builder_add_string_value (b, gis_crs_get_definition (crs));
      json_builder_set_member_name (b, "crs_name");
      json_builder_add_string_value (b, crs_label (crs));
      json_builder_set_member_name (b, "resolution");
      json_builder_add_double_value (b, view.resolution);
      json_builder_set_member_name (b, "center");
      json_builder_begin_array (b);
      json_builder_add_double_value (b, view.center_x);
      json_builder_add_double_value (b, view.center_y);
      json_builder_end_array (b);
      cli_add_extent (b, &box);
      json_builder_set_member_name (b, "from");
      if (from_s != G_MININT64)
        json_builder_add_int_value (b, from_s);
      else
        json_builder_add_null_value (b);
      json_builder_set_member_name (b, "to");
      if (to_s != G_MAXINT64)
        json_builder_add_int_value (b, to_s);
      else
        json_builder_add_null_value (b);
      json_builder_set_member_name (b, "layers");
      json_builder_begin_array (b);
      for (guint i = 0; i < renders->len; i++)
        {
          GisLayerData *data = gis_render_layer_get_data (g_ptr_array_index (renders, i));

          json_builder_begin_object (b);
          json_builder_set_member_name (b, "id");
          json_builder_add_int_value (b, gis_layer_data_get_layer_id (data));
          json_builder_set_member_name (b, "features");
          json_builder_add_int_value (b, gis_layer_data_get_n_features (data));
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      json_builder_end_object (b);
      root = json_builder_get_root (b);
      cli_print_json (root);
    }
  else if (!cli_opt_quiet)
    g_print (g_dngettext (GETTEXT_PACKAGE, "Drew %u layer into %s (%d × %d, %s)\n",
                          "Drew %u layers into %s (%d × %d, %s)\n", renders->len),
             renders->len, argv[2], width, height, crs_label (crs));

  return EXIT_SUCCESS;
}

/* ---- style -------------------------------------------------------------- */

static const GisField *
find_field (GPtrArray  *fields,
            const char *name)
{
  for (guint i = 0; i < fields->len; i++)
    {
      const GisField *f = g_ptr_array_index (fields, i);

      if (g_strcmp0 (f->name, name) == 0)
        return f;
    }
  return NULL;
}

/* The layer's field @name, which must be numeric when @numeric is set. */
static gboolean
check_field (GisLayer    *layer,
             GPtrArray   *fields,
             const char  *option,
             const char  *name,
             gboolean     numeric,
             GError     **error)
{
  const GisField *f = find_field (fields, name);

  if (f == NULL)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_NOT_FOUND, _("%s: layer “%s” has no field “%s”"),
                   option, gis_layer_get_name (layer), name);
      return FALSE;
    }
  if (numeric && f->type != GIS_FIELD_INTEGER && f->type != GIS_FIELD_REAL)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT,
                   _("%s: field “%s” of layer “%s” holds %s, not numbers"),
                   option, name, gis_layer_get_name (layer), gis_field_type_to_string (f->type));
      return FALSE;
    }
  return TRUE;
}

static void
print_style_summary (GisLayer *layer,
                     GisStyle *style)
{
  const GisLabelStyle *label = gis_style_get_label (style);

  g_print (_("Layer “%s”: "), gis_layer_get_name (layer));
  switch (gis_style_get_kind (style))
    {
    case GIS_STYLE_CATEGORIZED:
      g_print (g_dngettext (GETTEXT_PACKAGE, "categorized by “%s”, %u category\n",
                            "categorized by “%s”, %u categories\n", gis_style_get_n_categories (style)),
               gis_style_get_field (style), gis_style_get_n_categories (style));
      break;
    case GIS_STYLE_GRADUATED:
      g_print (g_dngettext (GETTEXT_PACKAGE, "graduated by “%s”, %u class (%s, %s)\n",
                            "graduated by “%s”, %u classes (%s, %s)\n", gis_style_get_n_classes (style)),
               gis_style_get_field (style), gis_style_get_n_classes (style),
               gis_classify_method_to_string (gis_style_get_method (style)),
               gis_color_ramp_to_string (gis_style_get_ramp (style)));
      break;
    case GIS_STYLE_HEATMAP:
      g_print (_("heat map, radius %g px (%s)\n"), gis_style_get_radius_px (style),
               gis_color_ramp_to_string (gis_style_get_ramp (style)));
      break;
    case GIS_STYLE_RASTER:
      {
        double cutoff = 0;
        gboolean bilinear = TRUE;

        gis_style_get_raster (style, NULL, NULL, &cutoff, &bilinear);
        g_print (_("raster colour ramp (%s), transparent below %g%% of the range, %s sampling\n"),
                 gis_color_ramp_to_string (gis_style_get_ramp (style)), cutoff * 100,
                 bilinear ? "bilinear" : "nearest");
      }
      break;
    case GIS_STYLE_SINGLE:
    default:
      {
        g_autofree char *fill = gis_color_to_string (&gis_style_get_symbol (style)->fill);

        g_print (_("single symbol, %s\n"), fill);
      }
      break;
    }
  if (label->field != NULL)
    g_print (_("  labels from “%s”\n"), label->field);
  g_print (_("  %s, opacity %g\n"), gis_layer_get_visible (layer) ? _("shown") : _("hidden"),
           gis_layer_get_opacity (layer));
}

int
cli_cmd_style (int    argc,
               char **argv)
{
  g_autofree char *set_file = NULL;
  g_autofree char *single = NULL;
  g_autofree char *categorized = NULL;
  g_autofree char *graduated = NULL;
  g_autofree char *method_text = NULL;
  g_autofree char *ramp_text = NULL;
  g_autofree char *weight = NULL;
  g_autofree char *label = NULL;
  gboolean heatmap = FALSE, no_label = FALSE, reset = FALSE, show = FALSE, hide = FALSE;
  int classes = 5;
  double radius = 12, size = -1, opacity = -1;
  GOptionEntry entries[] = {
    { "set", 0, 0, G_OPTION_ARG_FILENAME, &set_file,
      N_("Set the style from a style JSON file (- for standard input)"), N_("FILE") },
    { "reset", 0, 0, G_OPTION_ARG_NONE, &reset, N_("Go back to the layer's default style"), NULL },
    { "single", 0, 0, G_OPTION_ARG_STRING, &single,
      N_("One symbol for every feature, in this colour (#rrggbb or #rrggbbaa)"), N_("COLOR") },
    { "categorized", 0, 0, G_OPTION_ARG_STRING, &categorized,
      N_("A colour for each of the field's most frequent values"), N_("FIELD") },
    { "graduated", 0, 0, G_OPTION_ARG_STRING, &graduated,
      N_("Colour classes of a numeric field"), N_("FIELD") },
    { "method", 0, 0, G_OPTION_ARG_STRING, &method_text,
      N_("Classes by quantile (default), equal-interval or natural-breaks"), N_("METHOD") },
    { "classes", 0, 0, G_OPTION_ARG_INT, &classes, N_("Number of classes (default 5)"), N_("N") },
    { "ramp", 0, 0, G_OPTION_ARG_STRING, &ramp_text,
      N_("Colour ramp: reds, blues, greens, oranges, purples, ylorrd, ylgnbu, rdylgn, spectral, viridis"),
      N_("RAMP") },
    { "heatmap", 0, 0, G_OPTION_ARG_NONE, &heatmap, N_("A heat map of the points"), NULL },
    { "radius", 0, 0, G_OPTION_ARG_DOUBLE, &radius, N_("Heat map radius in pixels (default 12)"), N_("PX") },
    { "weight", 0, 0, G_OPTION_ARG_STRING, &weight, N_("Weigh heat map points by a numeric field"), N_("FIELD") },
    { "size", 0, 0, G_OPTION_ARG_DOUBLE, &size, N_("Marker size in pixels"), N_("PX") },
    { "label", 0, 0, G_OPTION_ARG_STRING, &label, N_("Label features with a field"), N_("FIELD") },
    { "no-label", 0, 0, G_OPTION_ARG_NONE, &no_label, N_("No labels"), NULL },
    { "opacity", 0, 0, G_OPTION_ARG_DOUBLE, &opacity, N_("Layer opacity, 0 to 1"), N_("F") },
    { "show", 0, 0, G_OPTION_ARG_NONE, &show, N_("Show the layer"), NULL },
    { "hide", 0, 0, G_OPTION_ARG_NONE, &hide, N_("Hide the layer"), NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &cli_opt_json, N_("Print the style as JSON"), NULL },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &cli_opt_quiet, N_("Print nothing on success"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context =
    g_option_context_new (_("STORE LAYER — show or change how a layer is drawn"));
  g_autoptr(GisStore) store = NULL;
  g_autoptr(GisLayer) layer = NULL;
  g_autoptr(GisStyle) old = NULL;
  g_autoptr(GisStyle) style = NULL;
  g_autoptr(GPtrArray) fields = NULL;
  GisClassifyMethod method = GIS_CLASSIFY_QUANTILE;
  GisColorRamp ramp = GIS_COLOR_RAMP_REDS;
  gboolean changes;
  guint n_kinds;
  GError *error = NULL;

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_summary (context,
                                _("Without options, prints the layer's style.  With them, changes it "
                                  "and saves it in the store, where the window finds it."));
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      int rc = cli_usage_error (context, error->message);
      g_error_free (error);
      return rc;
    }
  if (argc != 3)
    return cli_usage_error (context, _("Give the store and the layer"));

  n_kinds = (set_file != NULL) + reset + (single != NULL) + (categorized != NULL) +
            (graduated != NULL) + heatmap;
  if (n_kinds > 1)
    return cli_usage_error (context, _("Give one of --set, --reset, --single, --categorized, "
                                       "--graduated and --heatmap"));
  if (show && hide)
    return cli_usage_error (context, _("--show and --hide contradict each other"));
  if (label != NULL && no_label)
    return cli_usage_error (context, _("--label and --no-label contradict each other"));
  if (opacity != -1 && !(opacity >= 0 && opacity <= 1))
    return cli_usage_error (context, _("--opacity must be between 0 and 1"));
  if (classes < 1 || classes > GIS_CLASSIFY_MAX_CLASSES)
    return cli_usage_error (context, _("--classes must be between 1 and 64"));
  if (!(radius > 0 && radius <= 500))
    return cli_usage_error (context, _("--radius must be above 0 and at most 500"));
  if (size != -1 && !(size > 0 && size <= 200))
    return cli_usage_error (context, _("--size must be above 0 and at most 200"));
  if (method_text != NULL && !gis_classify_method_from_string (method_text, &method))
    return cli_usage_error (context, _("--method must be quantile, equal-interval or natural-breaks"));
  if (ramp_text != NULL && !gis_color_ramp_from_string (ramp_text, &ramp))
    return cli_usage_error (context, _("Unknown --ramp; see --help for the ramps"));

  changes = n_kinds > 0 || label != NULL || no_label || size != -1 || opacity != -1 || show || hide;

  store = cli_open_store (argv[1], changes ? GIS_STORE_OPEN_READ_WRITE : GIS_STORE_OPEN_READ_ONLY,
                          &error);
  if (store == NULL)
    return cli_fail (error);
  layer = gis_store_get_layer (store, argv[2], &error);
  if (layer == NULL)
    return cli_fail (error);
  if (gis_layer_get_geometry_type (layer) == NULL)
    {
      g_set_error (&error, GIS_ERROR, GIS_ERROR_INVALID_INPUT,
                   _("Layer “%s” has no geometry: it is not drawn"), argv[2]);
      return cli_fail (error);
    }
  if (gis_layer_is_raster (layer) &&
      (single != NULL || categorized != NULL || graduated != NULL || heatmap || label != NULL || size != -1))
    return cli_usage_error (context, _("A raster is drawn as a colour ramp: give it --set with a raster style, "
                                       "--reset, --opacity, --show or --hide"));
  old = layer_style (layer, &error);
  if (old == NULL && !(reset || set_file != NULL || single != NULL || categorized != NULL ||
                       graduated != NULL || heatmap))
    return cli_fail (error);
  g_clear_error (&error);
  fields = gis_store_get_fields (store, layer, &error);
  if (fields == NULL)
    return cli_fail (error);

  /* the base symbol: the current one, else the layer's default */
  {
    g_autoptr(GisStyle) fallback = gis_style_new_default (layer);
    const GisSymbol *base_symbol = old != NULL && gis_style_get_symbol (old) != NULL
                                   ? gis_style_get_symbol (old) : gis_style_get_symbol (fallback);
    GisSymbol symbol = *base_symbol;
    gboolean points = gis_layer_is_point_layer (layer);

    if (size != -1)
      symbol.size_px = size;

    if (set_file != NULL)
      {
        g_autofree char *json = NULL;
        gsize len = 0;

        if (g_strcmp0 (set_file, "-") == 0)
          {
            g_autoptr(GIOChannel) in = g_io_channel_unix_new (0);

            if (g_io_channel_read_to_end (in, &json, &len, &error) != G_IO_STATUS_NORMAL)
              return cli_fail (error);
          }
        else if (!g_file_get_contents (set_file, &json, &len, &error))
          return cli_fail (error);
        style = gis_style_new_from_json (json, &error);
        if (style == NULL)
          {
            g_prefix_error (&error, "%s: ", set_file);
            return cli_fail (error);
          }
        /* every field it names must be the layer's */
        {
          g_auto(GStrv) names = gis_style_dup_fields (style);

          for (guint i = 0; names != NULL && names[i] != NULL; i++)
            if (!check_field (layer, fields, set_file, names[i], FALSE, &error))
              return cli_fail (error);
        }
      }
    else if (reset)
      style = gis_style_new_default (layer);
    else if (single != NULL)
      {
        if (!gis_color_parse (single, &symbol.fill))
          return cli_usage_error (context, _("--single takes a colour such as #1f78b4 or #1f78b4cc"));
        if (!points)
          symbol.stroke = symbol.fill;
        style = gis_style_new_single (&symbol);
      }
    else if (categorized != NULL)
      {
        g_auto(GStrv) values = NULL;

        if (!check_field (layer, fields, "--categorized", categorized, FALSE, &error))
          return cli_fail (error);
        values = gis_store_dup_frequent_values (store, layer, categorized, GIS_STYLE_MAX_CATEGORIES,
                                                &error);
        if (values == NULL)
          return cli_fail (error);
        style = gis_style_new_categorized (categorized, &symbol);
        for (guint i = 0; values[i] != NULL; i++)
          {
            GisSymbol s = symbol;

            gis_style_category_color (i, &s.fill);
            if (!points)
              s.stroke = s.fill;
            gis_style_add_category (style, values[i], values[i], &s);
          }
      }
    else if (graduated != NULL)
      {
        if (!check_field (layer, fields, "--graduated", graduated, TRUE, &error))
          return cli_fail (error);
        style = gis_style_new_graduated (graduated, method, classes, ramp, &symbol);
      }
    else if (heatmap)
      {
        if (!points)
          {
            g_set_error (&error, GIS_ERROR, GIS_ERROR_INVALID_INPUT,
                         _("--heatmap: layer “%s” is not a point layer"), argv[2]);
            return cli_fail (error);
          }
        if (weight != NULL && !check_field (layer, fields, "--weight", weight, TRUE, &error))
          return cli_fail (error);
        style = gis_style_new_heatmap (radius, ramp_text != NULL ? ramp : GIS_COLOR_RAMP_YLORRD, weight);
      }
    else
      {
        style = gis_style_copy (old);
        if (size != -1)
          gis_style_set_symbol (style, &symbol);
      }

    /* labels: as asked, else as they were */
    if (label != NULL)
      {
        const GisLabelStyle *was = old != NULL ? gis_style_get_label (old) : NULL;
        GisColor color = { 0.1, 0.1, 0.1, 1 }, halo = { 1, 1, 1, 0.85 };

        if (!check_field (layer, fields, "--label", label, FALSE, &error))
          return cli_fail (error);
        if (was != NULL && was->field != NULL)
          {
            color = was->color;
            halo = was->halo_color;
          }
        gis_style_set_label (style, label, was != NULL && was->size_px > 0 ? was->size_px : 11,
                             &color, &halo, 2.0);
      }
    else if (no_label)
      gis_style_set_label (style, NULL, 11, NULL, NULL, 0);
    else if (n_kinds > 0 && set_file == NULL && !reset && old != NULL &&
             gis_style_get_label (old)->field != NULL)
      {
        const GisLabelStyle *was = gis_style_get_label (old);

        gis_style_set_label (style, was->field, was->size_px, &was->color, &was->halo_color,
                             was->halo_px);
      }
  }

  if (changes)
    {
      g_autofree char *json = gis_style_to_json (style);

      gis_layer_set_style_json (layer, json);
      if (opacity != -1)
        gis_layer_set_opacity (layer, opacity);
      if (show || hide)
        gis_layer_set_visible (layer, show);
      if (!gis_store_save_layer_properties (store, layer, &error))
        return cli_fail (error);
    }

  if (cli_opt_json)
    {
      g_autofree char *json = gis_style_to_json (style);
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      if (!json_parser_load_from_data (parser, json, -1, &error))
        return cli_fail (error);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "layer");
      json_builder_add_string_value (b, gis_layer_get_name (layer));
      json_builder_set_member_name (b, "visible");
      json_builder_add_boolean_value (b, gis_layer_get_visible (layer));
      json_builder_set_member_name (b, "opacity");
      json_builder_add_double_value (b, gis_layer_get_opacity (layer));
      json_builder_set_member_name (b, "style");
      json_builder_add_value (b, json_node_copy (json_parser_get_root (parser)));
      json_builder_end_object (b);
      root = json_builder_get_root (b);
      cli_print_json (root);
    }
  else if (!cli_opt_quiet)
    print_style_summary (layer, style);

  return EXIT_SUCCESS;
}
