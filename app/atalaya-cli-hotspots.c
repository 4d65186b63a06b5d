/* atalaya-cli-hotspots.c: atalaya-cli hotspots — where incidents concentrate
 *
 * The options every method shares (the layer and its filters, the weight,
 * --save-as, --json) are parsed once into HotspotsOptions; each method is
 * one function with its own options, listed in the methods table.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>

#include "atalaya-cli-commands.h"
#include "atalaya-cli-hotspots-methods.h"
#include "atalaya-cli-util.h"

typedef struct
{
  char           *method;
  char           *layer;
  GStrv           categories;
  char           *from;
  char           *to;
  double          min_severity;   /* NAN: not given */
  char           *weight;
  char           *save_as;
  /* kde */
  char           *kernel;
  double          radius_km;
  double          cell_km;
  char           *output;
  gboolean        exact;
  /* gistar, dbscan, stdbscan, emerging */
  CliHotspotsMethodOptions methods;
} HotspotsOptions;

static void
hotspots_options_clear (HotspotsOptions *o)
{
  g_free (o->method);
  g_free (o->layer);
  g_strfreev (o->categories);
  g_free (o->from);
  g_free (o->to);
  g_free (o->weight);
  g_free (o->save_as);
  g_free (o->kernel);
  g_free (o->output);
  cli_hotspots_method_options_clear (&o->methods);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (HotspotsOptions, hotspots_options_clear)

/* The input of every method from the shared options. */
static void
fill_input (const HotspotsOptions *o,
            GisHotspotInput       *input)
{
  gis_hotspot_input_init (input);
  if (o->layer != NULL)
    input->layer = o->layer;
  input->categories = (const char *const *) o->categories;
  input->date_from = o->from;
  input->date_to = o->to;
  input->min_severity = isnan (o->min_severity) ? -1 : o->min_severity;
  input->weight_field = o->weight;
}

/* ---- kde ------------------------------------------------------------------ */

static int
run_kde (GOptionContext        *context,
         const char            *store_path,
         const HotspotsOptions *o)
{
  g_autoptr(GisStore) store = NULL;
  g_autoptr(GisLayer) saved = NULL;
  g_auto(GisHotspotsKdeResult) r = { 0 };
  GisHotspotsKdeParams params;
  double vmin = 0, vmax = 0, sum = 0;
  gsize n_cells;
  GError *error = NULL;

  gis_hotspots_kde_params_init (&params);
  fill_input (o, &params.input);
  if (o->kernel != NULL && !gis_kde_kernel_from_string (o->kernel, &params.kernel))
    return cli_usage_error (context, _("--kernel is quartic, triweight, epanechnikov, uniform or triangular"));
  if (o->output != NULL && !gis_kde_output_from_string (o->output, &params.output))
    return cli_usage_error (context, _("--output is density, count or raw"));
  if (o->radius_km < 0 || !isfinite (o->radius_km))
    return cli_usage_error (context, _("--radius must be more than 0 km"));
  if (o->cell_km < 0 || !isfinite (o->cell_km))
    return cli_usage_error (context, _("--cell must be more than 0 km"));
  params.radius_km = o->radius_km;
  params.cell_km = o->cell_km;
  params.method = o->exact ? GIS_KDE_METHOD_EXACT : GIS_KDE_METHOD_FAST;

  store = cli_open_store (store_path, o->save_as != NULL ? GIS_STORE_OPEN_READ_WRITE : GIS_STORE_OPEN_READ_ONLY,
                          &error);
  if (store == NULL)
    return cli_fail (error);
  if (!gis_hotspots_kde_run (store, &params, &r, NULL, cli_on_progress, NULL, &error))
    {
      cli_end_progress ();
      return cli_fail (error);
    }
  cli_end_progress ();
  if (o->save_as != NULL)
    {
      saved = gis_hotspots_kde_save (store, &r, o->save_as, &error);
      if (saved == NULL)
        return cli_fail (error);
    }

  gis_raster_get_range (r.raster, &vmin, &vmax);
  n_cells = (gsize) r.raster->width * r.raster->height;
  for (gsize i = 0; i < n_cells; i++)
    sum += r.raster->data[i];

  if (cli_opt_json)
    {
      g_autofree char *pj = gis_hotspots_kde_params_json (&r);
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      if (!json_parser_load_from_data (parser, pj, -1, NULL))
        return EXIT_USER;
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "method");
      json_builder_add_string_value (b, "kde");
      json_builder_set_member_name (b, "params");
      json_builder_add_value (b, json_node_copy (json_parser_get_root (parser)));
      json_builder_set_member_name (b, "geotransform");
      json_builder_begin_array (b);
      for (int i = 0; i < 6; i++)
        json_builder_add_double_value (b, r.raster->geotransform[i]);
      json_builder_end_array (b);
      json_builder_set_member_name (b, "min");
      json_builder_add_double_value (b, vmin);
      json_builder_set_member_name (b, "max");
      json_builder_add_double_value (b, vmax);
      json_builder_set_member_name (b, "sum");
      json_builder_add_double_value (b, sum);
      json_builder_set_member_name (b, "read_seconds");
      json_builder_add_double_value (b, r.read_s);
      json_builder_set_member_name (b, "kde_seconds");
      json_builder_add_double_value (b, r.kde_s);
      if (saved != NULL)
        {
          json_builder_set_member_name (b, "layer");
          cli_add_layer (b, saved);
        }
      json_builder_end_object (b);
      root = json_builder_get_root (b);
      cli_print_json (root);
    }
  else if (!cli_opt_quiet)
    {
      g_print (_("Kernel density of %" PRId64 " points of “%s” (total weight %g)\n"), (gint64) r.n_points,
               gis_layer_get_name (r.input_layer), r.total_weight);
      g_print (_("Kernel: %s; radius %.3f km (%s); cells of %.3f km; %u × %u cells; %s method\n"),
               gis_kde_kernel_to_string (params.kernel), r.radius_m / 1000,
               r.radius_from_silverman ? _("Silverman's rule") : _("given"), r.cell_m / 1000,
               r.raster->width, r.raster->height, o->exact ? _("exact") : _("fast"));
      g_print (_("Values (%s): from %g to %g, sum %g\n"), gis_kde_output_to_string (params.output), vmin, vmax, sum);
      g_print (_("Read in %.2f s, density in %.2f s\n"), r.read_s, r.kde_s);
      if (saved != NULL)
        g_print (_("Saved as the raster layer “%s”\n"), gis_layer_get_name (saved));
    }
  return EXIT_SUCCESS;
}

/* ---- gistar, dbscan, stdbscan, emerging (atalaya-cli-hotspots-methods.c) ---- */

static int
run_method (GOptionContext        *context,
            const char            *store_path,
            const HotspotsOptions *o)
{
  GisHotspotInput input;

  fill_input (o, &input);
  return cli_hotspots_run_method (context, o->method, store_path, &input, o->cell_km, o->save_as, &o->methods);
}

typedef int (*MethodFunc) (GOptionContext        *context,
                           const char            *store_path,
                           const HotspotsOptions *o);

static const struct
{
  const char *name;
  MethodFunc  run;
} methods[] = {
  { "kde", run_kde },
  { "gistar", run_method },
  { "dbscan", run_method },
  { "stdbscan", run_method },
  { "emerging", run_method },
};

/* ---- the command ----------------------------------------------------------- */

int
cli_cmd_hotspots (int    argc,
                  char **argv)
{
  g_auto(HotspotsOptions) o = { 0 };
  GOptionEntry entries[] = {
    { "method", 'm', 0, G_OPTION_ARG_STRING, &o.method,
      N_("kde (kernel density), gistar (Getis-Ord Gi* hot spots), dbscan or stdbscan (clusters), emerging "
         "(emerging hot spots)"), N_("METHOD") },
    { "layer", 'l', 0, G_OPTION_ARG_STRING, &o.layer, N_("The point layer (default: incidents)"), N_("LAYER") },
    { "category", 'c', 0, G_OPTION_ARG_STRING_ARRAY, &o.categories,
      N_("Only the points of this category (repeat)"), N_("CATEGORY") },
    { "from", 0, 0, G_OPTION_ARG_STRING, &o.from, N_("Only the points on or after this date"),
      N_("YYYY[-MM[-DD]]") },
    { "to", 0, 0, G_OPTION_ARG_STRING, &o.to, N_("Only the points on or before this date"), N_("YYYY[-MM[-DD]]") },
    { "min-severity", 0, 0, G_OPTION_ARG_DOUBLE, &o.min_severity, N_("Only the points of at least this severity"),
      N_("N") },
    { "weight", 'w', 0, G_OPTION_ARG_STRING, &o.weight, N_("Weigh each point by this numeric field (e.g. severity)"),
      N_("FIELD") },
    { "save-as", 's', 0, G_OPTION_ARG_STRING, &o.save_as, N_("Save the result as a new layer"), N_("NAME") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &cli_opt_json, N_("Print the result as JSON"), NULL },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &cli_opt_quiet, N_("Print nothing on success"), NULL },
    { NULL }
  };
  GOptionEntry kde_entries[] = {
    { "kernel", 0, 0, G_OPTION_ARG_STRING, &o.kernel,
      N_("kde: quartic (default), triweight, epanechnikov, uniform or triangular"), N_("KERNEL") },
    { "radius", 'r', 0, G_OPTION_ARG_DOUBLE, &o.radius_km,
      N_("kde: the kernel's radius (default: Silverman's rule)"), N_("KM") },
    { "cell", 0, 0, G_OPTION_ARG_DOUBLE, &o.cell_km,
      N_("kde: the cells' side (default: the points' shorter extent / 250, at most the radius / 5); gistar, "
         "emerging: the bins' size (default: from the nearest-neighbour distances)"), N_("KM") },
    { "output", 'o', 0, G_OPTION_ARG_STRING, &o.output,
      N_("kde: density (per km², default), count (expected per cell) or raw"), N_("OUTPUT") },
    { "exact", 0, 0, G_OPTION_ARG_NONE, &o.exact,
      N_("kde: every point at its own place (default: binned to a fine sub-grid, faster)"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("STORE — where points concentrate"));
  GError *error = NULL;

  o.min_severity = NAN;
  cli_hotspots_method_options_init (&o.methods);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, kde_entries, GETTEXT_PACKAGE);
  cli_hotspots_method_add_entries (context, &o.methods);
  g_option_context_set_summary (context,
                                _("Finds where the points of a layer concentrate, after filtering them by category, "
                                  "date and severity.  kde: a kernel density surface in the analysis CRS (CEC "
                                  "LAEA); with --save-as, a raster layer drawn as a colour ramp and exported "
                                  "with “export STORE NAME out.tif”.  gistar: Getis-Ord Gi* on square or hexagon "
                                  "bins with FDR-corrected bins −3 … +3; dbscan and stdbscan: clusters, their "
                                  "hulls, dates, categories and countries, flagged when they cross a border; "
                                  "emerging: space-time Gi* by month, quarter or year and the 17 emerging hot spot "
                                  "categories.  A bin size or band not given is chosen from the points, and the "
                                  "reason kept in the method record.\n\n"
                                  "  hotspots STORE --method kde --category illegal_dumping --from 2020 "
                                  "--radius 50 --cell 5 --save-as \"Dumping density\"\n"
                                  "  hotspots STORE --method gistar --cell 10 --band 20 --save-as \"Hot spots\"\n"
                                  "  hotspots STORE --method dbscan --eps 3 --min-points 30 --save-as Clusters\n"
                                  "  hotspots STORE --method emerging --cell 20 --band 40 --step year --save-as "
                                  "Emerging"));
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      int rc = cli_usage_error (context, error->message);
      g_error_free (error);
      return rc;
    }
  if (argc != 2)
    return cli_usage_error (context, _("Give the store"));
  if (o.method == NULL)
    return cli_usage_error (context, _("Give the method with --method (kde, gistar, dbscan, stdbscan or emerging)"));
  if (!isnan (o.min_severity) && (o.min_severity < 0 || !isfinite (o.min_severity)))
    return cli_usage_error (context, _("--min-severity must be 0 or more"));
  if (g_ascii_strcasecmp (o.method, "kde") != 0 &&
      (o.kernel != NULL || o.radius_km != 0 || o.output != NULL || o.exact))
    return cli_usage_error (context, _("--kernel, --radius, --output and --exact go with --method kde"));
  if (g_ascii_strcasecmp (o.method, "kde") == 0 && cli_hotspots_method_options_given (&o.methods))
    return cli_usage_error (context, _("--shape, --band, --weights, --knn, --step, --previous-steps, --eps, "
                                       "--min-points and --eps-days do not go with --method kde"));

  for (guint i = 0; i < G_N_ELEMENTS (methods); i++)
    if (g_ascii_strcasecmp (o.method, methods[i].name) == 0)
      return methods[i].run (context, argv[1], &o);
  {
    g_autofree char *msg = g_strdup_printf (_("Unknown method “%s”: use kde, gistar, dbscan, stdbscan or emerging"),
                                            o.method);

    return cli_usage_error (context, msg);
  }
}
