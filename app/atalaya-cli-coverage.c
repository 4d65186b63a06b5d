/* atalaya-cli-coverage.c: atalaya-cli coverage — gaps in enforcement
 * coverage, and where new resources would cover the most
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <inttypes.h>
#include <stdlib.h>

#include "atalaya-cli-commands.h"
#include "atalaya-cli-util.h"

static void
print_table (GisCoverageResult *r,
             gboolean           zone,
             gboolean           facilities,
             gboolean           demand)
{
  GString *head = g_string_new (NULL);

  g_string_append_printf (head, "%-8s", _("COUNTRY"));
  if (zone)
    g_string_append_printf (head, " %14s %14s %9s", _("ZONE KM²"), _("UNCOVERED KM²"), _("COVERED"));
  if (facilities)
    g_string_append_printf (head, " %11s %11s", _("FACILITIES"), _("UNCOVERED"));
  if (demand)
    g_string_append_printf (head, " %11s %11s", _("INCIDENTS"), _("UNCOVERED"));
  g_print ("%s\n", head->str);
  g_string_free (head, TRUE);

  for (guint i = 0; i <= gis_coverage_result_get_n_countries (r); i++)
    {
      gboolean total = i == gis_coverage_result_get_n_countries (r);
      const GisCoverageCountry *c = total ? gis_coverage_result_get_total (r) : gis_coverage_result_get_country (r, i);
      const char *label = total ? _("total") : *c->country != '\0' ? c->country : _("outside");

      g_print ("%-8s", label);
      if (zone)
        g_print (" %14.1f %14.1f %8.1f%%", c->zone_km2, c->uncovered_km2,
                 c->zone_km2 > 0 ? CLAMP (100.0 * (1.0 - c->uncovered_km2 / c->zone_km2), 0.0, 100.0) + 0.0 : 0.0);
      if (facilities)
        g_print (" %11u %11u", c->n_facilities, c->n_facilities_uncovered);
      if (demand)
        g_print (" %11u %11u", c->n_demand, c->n_demand_uncovered);
      g_print ("\n");
    }
}

static void
print_sites (GisSitingResult *s)
{
  double exact = 0;

  g_print ("\n%s\n", _("Proposed sites (greedy, lazy evaluation):"));
  g_print ("%4s %11s %10s %-7s %14s %10s\n", _("RANK"), _("LON"), _("LAT"), _("COUNTRY"), _("ADDED DEMAND"),
           _("ADDED"));
  for (guint i = 0; i < gis_siting_result_get_n_sites (s); i++)
    {
      const GisSite *site = gis_siting_result_get_site (s, i);

      g_print ("%4u %11.5f %10.5f %-7s %14.1f %10u\n", i + 1, site->lon, site->lat,
               gis_siting_result_get_country_code (s, site->country), site->added_demand, site->added_count);
    }
  g_print (_("%u candidates; the sites cover %.1f of the %.1f uncovered demand; no choice covers more than %.1f"),
           gis_siting_result_get_n_candidates (s), gis_siting_result_get_greedy_value (s),
           gis_siting_result_get_uncovered_before (s), gis_siting_result_get_upper_bound (s));
  g_print ("\n");
  if (gis_siting_result_get_exact (s, &exact))
    g_print (_("Exact optimum: %.1f (greedy is short of it by %.1f)\n"), exact,
             exact - gis_siting_result_get_greedy_value (s));
}

int
cli_cmd_coverage (int    argc,
                  char **argv)
{
  g_auto(GStrv) resources = NULL;
  g_autofree char *radius_field = NULL;
  g_autofree char *zone_layer = NULL;
  g_autofree char *boundary = NULL;
  g_autofree char *side = NULL;
  g_autofree char *between = NULL;
  g_autofree char *countries = NULL;
  g_autofree char *facilities = NULL;
  g_autofree char *demand = NULL;
  g_autofree char *weight = NULL;
  g_autofree char *candidates = NULL;
  g_autofree char *save_as = NULL;
  double radius = 0, corridor = 0, grid = 0, site_radius = 0;
  int segments = 0, sites = 0;
  gint64 exact_nodes = 0;
  gboolean cross_border = FALSE;
  GOptionEntry entries[] = {
    { "resources", 'r', 0, G_OPTION_ARG_STRING_ARRAY, &resources,
      N_("A point layer of resources: ports, offices, patrol bases (repeat)"), N_("LAYER") },
    { "radius", 0, 0, G_OPTION_ARG_DOUBLE, &radius, N_("Each resource's radius"), N_("KM") },
    { "radius-field", 0, 0, G_OPTION_ARG_STRING, &radius_field,
      N_("Read each resource's radius in km from this field (--radius where it is empty)"), N_("FIELD") },
    { "zone", 'z', 0, G_OPTION_ARG_STRING, &zone_layer, N_("Cover the areas of this layer (e.g. habitat)"),
      N_("LAYER") },
    { "corridor", 0, 0, G_OPTION_ARG_DOUBLE, &corridor,
      N_("Cover a corridor this wide along the international boundary"), N_("KM") },
    { "boundary", 0, 0, G_OPTION_ARG_STRING, &boundary,
      N_("The layer of boundary lines (default: the store's)"), N_("LAYER") },
    { "between", 0, 0, G_OPTION_ARG_STRING, &between,
      N_("Only the boundary between these two countries, e.g. US-MX"), N_("A-B") },
    { "side", 0, 0, G_OPTION_ARG_STRING, &side, N_("Only the corridor's side in this country (CA, US, MX)"),
      N_("CODE") },
    { "countries", 0, 0, G_OPTION_ARG_STRING, &countries,
      N_("The layer of country areas with a country field (default: the store's)"), N_("LAYER") },
    { "facilities", 'f', 0, G_OPTION_ARG_STRING, &facilities, N_("Test these facilities' coverage"),
      N_("LAYER") },
    { "demand", 'd', 0, G_OPTION_ARG_STRING, &demand, N_("Test this demand's coverage (incidents)"),
      N_("LAYER") },
    { "weight", 0, 0, G_OPTION_ARG_STRING, &weight, N_("Weigh the demand by this field (e.g. severity)"),
      N_("FIELD") },
    { "cross-border", 0, 0, G_OPTION_ARG_NONE, &cross_border,
      N_("Let a resource cover across the international boundary"), NULL },
    { "segments", 0, 0, G_OPTION_ARG_INT, &segments,
      N_("Segments per quarter circle of the service areas (default 32)"), N_("N") },
    { "site", 'k', 0, G_OPTION_ARG_INT, &sites, N_("Choose K new sites that cover the most uncovered demand"),
      N_("K") },
    { "candidates", 0, 0, G_OPTION_ARG_STRING, &candidates, N_("Candidate sites: the points of this layer"),
      N_("LAYER") },
    { "grid", 0, 0, G_OPTION_ARG_DOUBLE, &grid,
      N_("Candidate sites: a grid of this spacing over the zone (default 10)"), N_("KM") },
    { "site-radius", 0, 0, G_OPTION_ARG_DOUBLE, &site_radius, N_("A new site's radius (default --radius)"),
      N_("KM") },
    { "exact-nodes", 0, 0, G_OPTION_ARG_INT64, &exact_nodes,
      N_("Also solve exactly, visiting at most N branch-and-bound nodes (default 200000; 0: no)"), N_("N") },
    { "save-as", 's', 0, G_OPTION_ARG_STRING, &save_as,
      N_("Save the results as styled layers whose names start with NAME"), N_("NAME") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &cli_opt_json, N_("Print the result as JSON"), NULL },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &cli_opt_quiet, N_("Print nothing on success"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("STORE — gaps in enforcement coverage"));
  g_autoptr(GisStore) store = NULL;
  g_autoptr(GisCoverageResult) result = NULL;
  g_autoptr(GisSitingResult) siting = NULL;
  g_autoptr(GPtrArray) saved = NULL;
  g_autoptr(GPtrArray) resource_list = g_ptr_array_new_with_free_func (g_free);
  GisCoverageParams params = { 0 };
  GisSitingParams sp = { 0 };
  gboolean has_exact_nodes = FALSE;
  gint64 start;
  double elapsed;
  GError *error = NULL;

  exact_nodes = -1;
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_summary (context,
                                _("Measures what resources leave uncovered: areas of a zone (habitat, or a corridor "
                                  "along the international boundary) in km², facilities with their distance to "
                                  "the nearest resource, and incidents; by country.  With --site, chooses new "
                                  "sites that cover the most uncovered incidents (maximal covering location "
                                  "problem), keeping the existing resources.\n\n"
                                  "  coverage STORE -r ports --radius 50 --corridor 100 --between US-MX --side US "
                                  "-f facilities -d incidents\n"
                                  "  coverage STORE -r ports --radius 50 -z habitat -d incidents -k 10 --grid 10"));
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      int rc = cli_usage_error (context, error->message);
      g_error_free (error);
      return rc;
    }
  if (argc != 2)
    return cli_usage_error (context, _("Give the store"));
  if (resources == NULL)
    return cli_usage_error (context, _("Give the resources with --resources"));
  if (radius_field == NULL && !(radius > 0))
    return cli_usage_error (context, _("Give the radius with --radius (or --radius-field)"));
  if (zone_layer != NULL && corridor > 0)
    return cli_usage_error (context, _("--zone and --corridor contradict each other"));
  if (corridor < 0)
    return cli_usage_error (context, _("--corridor must be more than 0 km"));
  if ((boundary != NULL || between != NULL || side != NULL) && !(corridor > 0))
    return cli_usage_error (context, _("--boundary, --between and --side go with --corridor"));
  if (zone_layer == NULL && !(corridor > 0) && facilities == NULL && demand == NULL)
    return cli_usage_error (context, _("Nothing to cover: give --zone, --corridor, --facilities or --demand"));
  if (weight != NULL && demand == NULL)
    return cli_usage_error (context, _("--weight goes with --demand"));
  if (sites < 0)
    return cli_usage_error (context, _("--site must be at least 1"));
  if (sites == 0 && (candidates != NULL || grid != 0 || site_radius != 0 || exact_nodes != -1))
    return cli_usage_error (context, _("--candidates, --grid, --site-radius and --exact-nodes go with --site"));
  if (sites > 0 && demand == NULL)
    return cli_usage_error (context, _("--site needs the demand (--demand)"));
  if (candidates != NULL && grid != 0)
    return cli_usage_error (context, _("--candidates and --grid contradict each other"));
  has_exact_nodes = exact_nodes != -1;
  if (has_exact_nodes && exact_nodes < 0)
    return cli_usage_error (context, _("--exact-nodes must be 0 or more"));

  /* --resources a,b as well as --resources a --resources b */
  for (guint i = 0; resources[i] != NULL; i++)
    {
      g_auto(GStrv) parts = g_strsplit (resources[i], ",", -1);

      for (guint j = 0; parts[j] != NULL; j++)
        if (*g_strstrip (parts[j]) != '\0')
          g_ptr_array_add (resource_list, g_strdup (parts[j]));
    }
  g_ptr_array_add (resource_list, NULL);

  store = cli_open_store (argv[1], save_as != NULL ? GIS_STORE_OPEN_READ_WRITE : GIS_STORE_OPEN_READ_ONLY, &error);
  if (store == NULL)
    return cli_fail (error);

  params.resources = (const char *const *) resource_list->pdata;
  params.radius_km = radius;
  params.radius_field = radius_field;
  params.zone = zone_layer != NULL ? GIS_COVERAGE_ZONE_LAYER : corridor > 0 ? GIS_COVERAGE_ZONE_CORRIDOR
                                                                              : GIS_COVERAGE_ZONE_NONE;
  params.zone_layer = zone_layer;
  params.boundary_layer = boundary;
  params.corridor_km = corridor;
  params.corridor_side = side;
  params.corridor_pair = between;
  params.countries_layer = countries;
  params.facilities_layer = facilities;
  params.demand_layer = demand;
  params.weight_field = weight;
  params.cross_border = cross_border;
  params.quadrant_segments = segments;

  start = g_get_monotonic_time ();
  result = gis_coverage_run (store, &params, cli_on_progress, NULL, NULL, &error);
  cli_end_progress ();
  if (result == NULL)
    return cli_fail (error);
  if (sites > 0)
    {
      sp.k = (guint) sites;
      sp.candidates_layer = candidates;
      sp.grid_km = grid != 0 ? grid : 10.0;
      sp.radius_km = site_radius;
      sp.exact_max_nodes = has_exact_nodes ? (guint64) exact_nodes : 200000;
      siting = gis_coverage_site (store, result, &sp, cli_on_progress, NULL, NULL, &error);
      cli_end_progress ();
      if (siting == NULL)
        return cli_fail (error);
    }
  elapsed = (g_get_monotonic_time () - start) / 1e6;
  if (save_as != NULL)
    {
      saved = gis_coverage_save (store, result, siting, save_as, cli_on_progress, NULL, NULL, &error);
      cli_end_progress ();
      if (saved == NULL)
        return cli_fail (error);
    }

  if (cli_opt_json)
    {
      g_autofree char *json = gis_coverage_result_to_json (result);
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      if (!json_parser_load_from_data (parser, json, -1, NULL))
        return EXIT_USER;
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "coverage");
      json_builder_add_value (b, json_node_copy (json_parser_get_root (parser)));
      if (siting != NULL)
        {
          g_autofree char *sj = gis_siting_result_to_json (siting);
          g_autoptr(JsonParser) sparser = json_parser_new ();

          if (!json_parser_load_from_data (sparser, sj, -1, NULL))
            return EXIT_USER;
          json_builder_set_member_name (b, "siting");
          json_builder_add_value (b, json_node_copy (json_parser_get_root (sparser)));
        }
      json_builder_set_member_name (b, "seconds");
      json_builder_add_double_value (b, elapsed);
      if (saved != NULL)
        {
          json_builder_set_member_name (b, "layers");
          json_builder_begin_array (b);
          for (guint i = 0; i < saved->len; i++)
            cli_add_layer (b, g_ptr_array_index (saved, i));
          json_builder_end_array (b);
        }
      json_builder_end_object (b);
      root = json_builder_get_root (b);
      cli_print_json (root);
    }
  else if (!cli_opt_quiet)
    {
      guint n_unc = gis_coverage_result_get_n_uncovered_facilities (result);

      g_print (_("%u resources; computed in %.2f s\n\n"), gis_coverage_result_get_n_resources (result), elapsed);
      print_table (result, params.zone != GIS_COVERAGE_ZONE_NONE, facilities != NULL, demand != NULL);
      if (n_unc > 0)
        {
          g_print ("\n%s\n", _("Uncovered facilities, farthest first:"));
          g_print ("%10s %12s %-7s\n", _("FID"), _("NEAREST KM"), _("COUNTRY"));
          {
            g_autofree guint *order = g_new (guint, n_unc);
            guint shown = MIN (n_unc, 10);

            for (guint i = 0; i < n_unc; i++)
              order[i] = i;
            /* a partial selection sort: the ten farthest */
            for (guint i = 0; i < shown; i++)
              for (guint j = i + 1; j < n_unc; j++)
                if (gis_coverage_result_get_uncovered_facility (result, order[j])->nearest_km >
                    gis_coverage_result_get_uncovered_facility (result, order[i])->nearest_km)
                  {
                    guint t = order[i];
                    order[i] = order[j];
                    order[j] = t;
                  }
            for (guint i = 0; i < shown; i++)
              {
                const GisCoverageFacility *f = gis_coverage_result_get_uncovered_facility (result, order[i]);

                g_print ("%10" G_GINT64_FORMAT " %12.1f %-7s\n", f->fid, f->nearest_km,
                         f->country >= 0 ? (const char *[]) { "CA", "US", "MX" }[f->country] : "");
              }
            if (n_unc > shown)
              g_print (_("… and %u more\n"), n_unc - shown);
          }
        }
      if (siting != NULL)
        print_sites (siting);
      if (saved != NULL)
        {
          g_print ("\n");
          for (guint i = 0; i < saved->len; i++)
            {
              GisLayer *l = g_ptr_array_index (saved, i);

              g_print (_("Saved layer “%s” (%" PRId64 " features)\n"), gis_layer_get_name (l),
                       gis_layer_get_feature_count (l));
            }
        }
    }
  return EXIT_SUCCESS;
}
