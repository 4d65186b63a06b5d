/* atalaya-cli-hotspots-methods.c: atalaya-cli hotspots --method gistar,
 * dbscan, stdbscan and emerging
 *
 * Each reads the points of the command's input, runs the method of
 * gis-hotspots-layers.h, saves its layers with --save-as, and prints the
 * library's JSON of the result (with the saved layers) or a summary.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "atalaya-cli-hotspots-methods.h"
#include "atalaya-cli-util.h"

void
cli_hotspots_method_options_init (CliHotspotsMethodOptions *o)
{
  memset (o, 0, sizeof *o);
  o->previous = -1;
  o->eps_km = NAN;
  o->eps_days = NAN;
}

void
cli_hotspots_method_options_clear (CliHotspotsMethodOptions *o)
{
  g_free (o->shape);
  g_free (o->band);
  g_free (o->weights);
  g_free (o->step);
  memset (o, 0, sizeof *o);
}

/* GLib copies the entries: the array may live on the stack */
void
cli_hotspots_method_add_entries (GOptionContext           *context,
                                 CliHotspotsMethodOptions *o)
{
  GOptionEntry entries[] = {
    { "shape", 0, 0, G_OPTION_ARG_STRING, &o->shape,
      N_("gistar, emerging: square (default) or hex bins"), N_("SHAPE") },
    { "band", 0, 0, G_OPTION_ARG_STRING, &o->band,
      N_("gistar, emerging: the neighbours' distance band, or auto (default: Moran's I over increasing bands)"),
      N_("KM|auto") },
    { "weights", 0, 0, G_OPTION_ARG_STRING, &o->weights,
      N_("gistar, emerging: binary (default; within the band), knn or idw (inverse distance within the band)"),
      N_("WEIGHTS") },
    { "knn", 0, 0, G_OPTION_ARG_INT, &o->knn, N_("gistar, emerging: the k nearest neighbours (implies --weights knn)"),
      N_("K") },
    { "step", 0, 0, G_OPTION_ARG_STRING, &o->step, N_("emerging: month (default), quarter or year"), N_("STEP") },
    { "previous-steps", 0, 0, G_OPTION_ARG_INT, &o->previous,
      N_("emerging: the earlier time steps that are neighbours (default 1)"), N_("K") },
    { "eps", 0, 0, G_OPTION_ARG_DOUBLE, &o->eps_km, N_("dbscan, stdbscan: the neighbourhood radius"), N_("KM") },
    { "min-points", 0, 0, G_OPTION_ARG_INT, &o->min_points,
      N_("dbscan, stdbscan: the points, itself included, within eps of a core point (default 5)"), N_("N") },
    { "eps-days", 0, 0, G_OPTION_ARG_DOUBLE, &o->eps_days, N_("stdbscan: the neighbourhood in time"), N_("DAYS") },
    { NULL }
  };

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
}

gboolean
cli_hotspots_method_is_known (const char *method)
{
  static const char *const known[] = { "gistar", "dbscan", "stdbscan", "emerging" };

  for (guint i = 0; method != NULL && i < G_N_ELEMENTS (known); i++)
    if (g_ascii_strcasecmp (method, known[i]) == 0)
      return TRUE;
  return FALSE;
}

gboolean
cli_hotspots_method_options_given (const CliHotspotsMethodOptions *o)
{
  return o->shape != NULL || o->band != NULL || o->weights != NULL || o->knn != 0 || o->step != NULL ||
         o->previous != -1 || !isnan (o->eps_km) || o->min_points != 0 || !isnan (o->eps_days);
}

/* ---- shared ------------------------------------------------------------------ */

static gboolean
parse_weights (GOptionContext                 *context,
               const CliHotspotsMethodOptions *o,
               GisGiStarWeights               *weights,
               double                         *band_m,
               guint                          *k,
               int                            *rc)
{
  *weights = GIS_GISTAR_WEIGHTS_BAND;
  if (o->weights != NULL)
    {
      if (g_ascii_strcasecmp (o->weights, "binary") == 0)
        *weights = GIS_GISTAR_WEIGHTS_BAND;
      else if (g_ascii_strcasecmp (o->weights, "knn") == 0)
        *weights = GIS_GISTAR_WEIGHTS_KNN;
      else if (g_ascii_strcasecmp (o->weights, "idw") == 0)
        *weights = GIS_GISTAR_WEIGHTS_INVERSE_DISTANCE;
      else
        {
          *rc = cli_usage_error (context, _("--weights is binary, knn or idw"));
          return FALSE;
        }
    }
  else if (o->knn != 0)
    *weights = GIS_GISTAR_WEIGHTS_KNN;
  if (*weights == GIS_GISTAR_WEIGHTS_KNN)
    {
      if (o->knn <= 0)
        {
          *rc = cli_usage_error (context, _("--weights knn needs --knn K, K of 1 or more"));
          return FALSE;
        }
      if (o->band != NULL)
        {
          *rc = cli_usage_error (context, _("--band does not go with k-nearest weights"));
          return FALSE;
        }
      *k = (guint) o->knn;
      *band_m = 0;
      return TRUE;
    }
  if (o->knn != 0)
    {
      *rc = cli_usage_error (context, _("--knn goes with --weights knn"));
      return FALSE;
    }
  *band_m = 0;
  if (o->band != NULL && g_ascii_strcasecmp (o->band, "auto") != 0)
    {
      char *end = NULL;
      double km = g_ascii_strtod (o->band, &end);

      if (end == o->band || *end != '\0' || !(km > 0) || !isfinite (km))
        {
          *rc = cli_usage_error (context, _("--band is a distance in km, more than 0, or auto"));
          return FALSE;
        }
      *band_m = km * 1000;
    }
  return TRUE;
}

static gboolean
parse_shape (GOptionContext                 *context,
             const CliHotspotsMethodOptions *o,
             GisBinShape                    *shape,
             int                            *rc)
{
  *shape = GIS_BIN_SQUARE;
  if (o->shape == NULL || g_ascii_strcasecmp (o->shape, "square") == 0)
    return TRUE;
  if (g_ascii_strcasecmp (o->shape, "hex") == 0 || g_ascii_strcasecmp (o->shape, "hexagon") == 0)
    {
      *shape = GIS_BIN_HEXAGON;
      return TRUE;
    }
  *rc = cli_usage_error (context, _("--shape is square or hex"));
  return FALSE;
}

/* the library's JSON, with "layers" when saved */
static void
print_json (const char *json,
            GPtrArray  *layers)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *root;

  if (!json_parser_load_from_data (parser, json, -1, NULL))
    return;
  root = json_parser_get_root (parser);
  if (layers != NULL && JSON_NODE_HOLDS_OBJECT (root))
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonNode) list = NULL;

      json_builder_begin_array (b);
      for (guint i = 0; i < layers->len; i++)
        cli_add_layer (b, g_ptr_array_index (layers, i));
      json_builder_end_array (b);
      list = json_builder_get_root (b);
      json_object_set_member (json_node_get_object (root), "layers", g_steal_pointer (&list));
    }
  cli_print_json (root);
}

static void
print_saved (GPtrArray *layers)
{
  for (guint i = 0; layers != NULL && i < layers->len; i++)
    g_print (_("Saved as the layer “%s” (%" PRId64 " features)\n"),
             gis_layer_get_name (g_ptr_array_index (layers, i)),
             gis_layer_get_feature_count (g_ptr_array_index (layers, i)));
}

static GisStore *
open_and_load (const char            *store_path,
               const GisHotspotInput *input,
               gboolean               write,
               GisHotspotPoints      *points,
               GError               **error)
{
  g_autoptr(GisStore) store = cli_open_store (store_path, write ? GIS_STORE_OPEN_READ_WRITE : GIS_STORE_OPEN_READ_ONLY,
                                              error);

  if (store == NULL)
    return NULL;
  if (!gis_hotspot_points_load (store, input, points, NULL, error))
    return NULL;
  return g_steal_pointer (&store);
}

/* ---- gistar -------------------------------------------------------------------- */

static int
run_gistar (GOptionContext                 *context,
            const char                     *store_path,
            const GisHotspotInput          *input,
            double                          cell_km,
            const char                     *save_as,
            const CliHotspotsMethodOptions *o)
{
  g_autoptr(GisStore) store = NULL;
  g_auto(GisHotspotPoints) points = { 0 };
  g_autoptr(GisHotspotsGiStar) r = NULL;
  g_autoptr(GPtrArray) layers = NULL;
  GisHotspotsGiStarParams p;
  GError *error = NULL;
  int rc = EXIT_FAILURE;

  gis_hotspots_gistar_params_init (&p);
  if (!parse_shape (context, o, &p.shape, &rc) || !parse_weights (context, o, &p.weights, &p.band_m, &p.k, &rc))
    return rc;
  if (o->step != NULL || o->previous != -1 || !isnan (o->eps_km) || o->min_points != 0 || !isnan (o->eps_days))
    return cli_usage_error (context, _("--step, --previous-steps, --eps, --min-points and --eps-days do not go with "
                                       "--method gistar"));
  p.cell_size_m = cell_km * 1000;

  store = open_and_load (store_path, input, save_as != NULL, &points, &error);
  if (store == NULL)
    return cli_fail (error);
  r = gis_hotspots_gistar_run (&points, input, &p, NULL, cli_on_progress, NULL, &error);
  cli_end_progress ();
  if (r == NULL)
    return cli_fail (error);
  if (save_as != NULL)
    {
      GisLayer *layer = gis_hotspots_gistar_save (store, r, save_as, NULL, &error);

      if (layer == NULL)
        return cli_fail (error);
      layers = g_ptr_array_new_with_free_func (g_object_unref);
      g_ptr_array_add (layers, layer);
    }

  if (cli_opt_json)
    {
      g_autofree char *json = gis_hotspots_gistar_to_json (r);

      print_json (json, layers);
    }
  else if (!cli_opt_quiet)
    {
      guint by_bin[7] = { 0 };

      for (guint i = 0; i < r->gi.n; i++)
        by_bin[r->gi.bin[i] + 3]++;
      g_print (_("Getis-Ord Gi* of %u points of “%s” in %u bins of %.3f km (%s)\n"), r->n_points, input->layer,
               r->bins.n, r->params.cell_size_m / 1000, r->cell_reason != NULL ? r->cell_reason : _("given"));
      if (p.weights == GIS_GISTAR_WEIGHTS_KNN)
        g_print (_("Neighbours: the %u nearest bins\n"), r->params.k);
      else
        g_print (_("Neighbours: within %.3f km (%s)\n"), r->params.band_m / 1000,
                 r->band_reason != NULL ? r->band_reason : _("given"));
      for (int b = 3; b >= -3; b--)
        g_print ("  %-18s %u\n", gis_hotspots_bin_label (b), by_bin[b + 3]);
      print_saved (layers);
    }
  return EXIT_SUCCESS;
}

/* ---- dbscan, stdbscan ------------------------------------------------------------ */

static int
run_dbscan (GOptionContext                 *context,
            const char                     *store_path,
            const GisHotspotInput          *input,
            double                          cell_km,
            const char                     *save_as,
            const CliHotspotsMethodOptions *o,
            gboolean                        space_time)
{
  g_autoptr(GisStore) store = NULL;
  g_auto(GisHotspotPoints) points = { 0 };
  g_autoptr(GisHotspotsClusters) r = NULL;
  g_autoptr(GPtrArray) layers = NULL;
  GisDbscanParams p = { 0 };
  GError *error = NULL;

  if (o->shape != NULL || o->band != NULL || o->weights != NULL || o->knn != 0 || o->step != NULL ||
      o->previous != -1 || cell_km != 0)
    return cli_usage_error (context, _("--cell, --shape, --band, --weights, --knn, --step and --previous-steps do "
                                       "not go with --method dbscan or stdbscan"));
  if (isnan (o->eps_km) || !(o->eps_km > 0) || !isfinite (o->eps_km))
    return cli_usage_error (context, _("Give --eps, a distance in km more than 0"));
  if (o->min_points < 0)
    return cli_usage_error (context, _("--min-points must be 1 or more"));
  if (space_time && (isnan (o->eps_days) || o->eps_days < 0 || !isfinite (o->eps_days)))
    return cli_usage_error (context, _("Give --eps-days, 0 days or more"));
  if (!space_time && !isnan (o->eps_days))
    return cli_usage_error (context, _("--eps-days goes with --method stdbscan"));
  p.eps_m = o->eps_km * 1000;
  p.min_pts = o->min_points > 0 ? (guint) o->min_points : 5;
  p.eps_days = space_time ? o->eps_days : 0;

  store = open_and_load (store_path, input, save_as != NULL, &points, &error);
  if (store == NULL)
    return cli_fail (error);
  r = gis_hotspots_dbscan_run (store, &points, input, &p, space_time, NULL, cli_on_progress, NULL, &error);
  cli_end_progress ();
  if (r == NULL)
    return cli_fail (error);
  if (save_as != NULL)
    {
      layers = gis_hotspots_clusters_save (store, r, save_as, NULL, &error);
      if (layers == NULL)
        return cli_fail (error);
    }

  if (cli_opt_json)
    {
      g_autofree char *json = gis_hotspots_clusters_to_json (r);

      print_json (json, layers);
    }
  else if (!cli_opt_quiet)
    {
      guint cross = 0;

      for (guint i = 0; i < r->clusters->len; i++)
        cross += g_array_index (r->clusters, GisHotspotsCluster, i).cross_border;
      g_print (_("%s of %" PRId64 " points of “%s”: %u clusters (%u cross-border), %u noise points\n"),
               space_time ? "ST-DBSCAN" : "DBSCAN", (gint64) r->n_points, input->layer, r->db.n_clusters, cross,
               r->db.n_noise);
      for (guint i = 0; i < r->clusters->len; i++)
        {
          const GisHotspotsCluster *c = &g_array_index (r->clusters, GisHotspotsCluster, i);
          g_autoptr(GDateTime) first = isfinite (c->first_s) ? g_date_time_new_from_unix_utc ((gint64) c->first_s) : NULL;
          g_autoptr(GDateTime) last = isfinite (c->last_s) ? g_date_time_new_from_unix_utc ((gint64) c->last_s) : NULL;
          g_autofree char *a = first != NULL ? g_date_time_format (first, "%Y-%m-%d") : g_strdup ("-");
          g_autofree char *b = last != NULL ? g_date_time_format (last, "%Y-%m-%d") : g_strdup ("-");

          g_print ("  %4u  %7u  %9.4f %8.4f  %s – %s  %-8s %s%s\n", c->id, c->size, c->lon, c->lat, a, b,
                   c->countries != NULL ? c->countries : "-", c->categories != NULL ? c->categories : "-",
                   c->cross_border ? _("  (cross-border)") : "");
        }
      print_saved (layers);
    }
  return EXIT_SUCCESS;
}

/* ---- emerging ---------------------------------------------------------------------- */

static int
run_emerging (GOptionContext                 *context,
              const char                     *store_path,
              const GisHotspotInput          *input,
              double                          cell_km,
              const char                     *save_as,
              const CliHotspotsMethodOptions *o)
{
  g_autoptr(GisStore) store = NULL;
  g_auto(GisHotspotPoints) points = { 0 };
  g_autoptr(GisHotspotsEmerging) r = NULL;
  g_autoptr(GPtrArray) layers = NULL;
  GisSpaceTimeParams p;
  GError *error = NULL;
  int rc = EXIT_FAILURE;

  gis_spacetime_params_init (&p);
  if (!parse_shape (context, o, &p.shape, &rc) || !parse_weights (context, o, &p.weights, &p.band_m, &p.k, &rc))
    return rc;
  if (!isnan (o->eps_km) || o->min_points != 0 || !isnan (o->eps_days))
    return cli_usage_error (context, _("--eps, --min-points and --eps-days do not go with --method emerging"));
  if (o->step != NULL && !gis_time_step_from_string (o->step, &p.step))
    return cli_usage_error (context, _("--step is month, quarter or year"));
  if (o->previous < -1)
    return cli_usage_error (context, _("--previous-steps must be 0 or more"));
  if (o->previous >= 0)
    p.n_previous = (guint) o->previous;
  p.cell_size_m = cell_km * 1000;

  store = open_and_load (store_path, input, save_as != NULL, &points, &error);
  if (store == NULL)
    return cli_fail (error);
  r = gis_hotspots_emerging_run (&points, input, &p, NULL, cli_on_progress, NULL, &error);
  cli_end_progress ();
  if (r == NULL)
    return cli_fail (error);
  if (save_as != NULL)
    {
      layers = gis_hotspots_emerging_save (store, r, save_as, NULL, &error);
      if (layers == NULL)
        return cli_fail (error);
    }

  if (cli_opt_json)
    {
      g_autofree char *json = gis_hotspots_emerging_to_json (r);

      print_json (json, layers);
    }
  else if (!cli_opt_quiet)
    {
      guint by_cat[GIS_EMERGING_N_CATEGORIES] = { 0 };

      for (guint l = 0; l < r->st.n_locations; l++)
        by_cat[r->st.category[l]]++;
      g_print (_("Emerging hot spots of %u points of “%s”: %u cells of %.3f km × %u time steps (%s)\n"), r->n_points,
               input->layer, r->st.n_locations, r->params.cell_size_m / 1000, r->st.n_steps,
               gis_time_step_to_string (r->params.step));
      if (r->params.weights == GIS_GISTAR_WEIGHTS_KNN)
        g_print (_("Neighbours: the %u nearest cells, at the same and %u earlier steps\n"), r->params.k,
                 r->params.n_previous);
      else
        g_print (_("Neighbours: within %.3f km (%s), at the same and %u earlier steps\n"), r->params.band_m / 1000,
                 r->band_reason != NULL ? r->band_reason : _("given"), r->params.n_previous);
      for (guint c = 0; c < GIS_EMERGING_N_CATEGORIES; c++)
        if (by_cat[c] > 0)
          g_print ("  %-24s %u\n", gis_emerging_category_to_label (c), by_cat[c]);
      print_saved (layers);
    }
  return EXIT_SUCCESS;
}

/**
 * cli_hotspots_run_method:
 * @context: the command's options, for usage errors
 * @method: gistar, dbscan, stdbscan or emerging
 * @store_path: the store
 * @input: the points to read
 * @cell_km: --cell: the bins' size, 0 for automatic
 * @save_as: (nullable): the name of the result layers
 * @o: the methods' options
 *
 * Returns: the tool's exit code
 */
int
cli_hotspots_run_method (GOptionContext                 *context,
                         const char                     *method,
                         const char                     *store_path,
                         const GisHotspotInput          *input,
                         double                          cell_km,
                         const char                     *save_as,
                         const CliHotspotsMethodOptions *o)
{
  if (cell_km < 0 || !isfinite (cell_km))
    return cli_usage_error (context, _("--cell must be more than 0 km"));
  if (g_ascii_strcasecmp (method, "gistar") == 0)
    return run_gistar (context, store_path, input, cell_km, save_as, o);
  if (g_ascii_strcasecmp (method, "dbscan") == 0)
    return run_dbscan (context, store_path, input, cell_km, save_as, o, FALSE);
  if (g_ascii_strcasecmp (method, "stdbscan") == 0)
    return run_dbscan (context, store_path, input, cell_km, save_as, o, TRUE);
  if (g_ascii_strcasecmp (method, "emerging") == 0)
    return run_emerging (context, store_path, input, cell_km, save_as, o);
  return cli_usage_error (context, _("Unknown method"));
}
