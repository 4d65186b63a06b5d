/* atalaya-cli-query.c: `query`, spatial and attribute queries without SQL
 *
 * The query is the text a user would type in the window's query panel
 * ("within 50 km of ports and severity >= 4"), flags for each kind of
 * condition (--within 50:ports), a saved query, a JSON file, or one of the
 * ready enforcement queries (--ready incidents-near-border --km 25).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "atalaya-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "atalaya-cli-commands.h"
#include "atalaya-cli-util.h"

/* A REF: a layer name, or a geometry in WKT. */
static GisQueryNode *
spatial_flag (GisSpatialOp      op,
              const char       *option,
              const char       *value,
              gboolean          takes_number,
              gboolean          negate,
              GisDistanceMode   mode,
              GError          **error)
{
  g_autoptr(GisQueryNode) node = NULL;
  const char *ref = value;
  double number = 0;

  if (takes_number)
    {
      const char *colon = strchr (value, ':');
      g_autofree char *head = NULL;
      char *end = NULL;

      if (colon == NULL)
        goto bad;
      head = g_strndup (value, colon - value);
      number = g_ascii_strtod (head, &end);
      if (end == head || *end != '\0')
        goto bad;
      ref = colon + 1;
    }
  if (*ref == '\0')
    goto bad;

  {
    /* "POINT(…)", "polygon ((…))": a geometry; anything else names a layer */
    gsize n = strspn (ref, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ");
    g_autofree char *word = g_strndup (ref, n);
    const char *rest = ref + n;
    g_autofree char *lower = g_ascii_strdown (word, -1);
    gboolean is_wkt;

    while (*rest == ' ')
      rest++;
    is_wkt = *rest == '(' &&
             g_strv_contains ((const char *const[]) { "point", "linestring", "polygon", "multipoint",
                                                      "multilinestring", "multipolygon", NULL }, lower);
    if (op == GIS_SPATIAL_NEAREST && (number < 1 || number != (guint) number))
      {
        g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT,
                     _("%s: “%s” is not a whole number of features"), option, value);
        return NULL;
      }
    node = gis_query_node_new_spatial (op, is_wkt ? NULL : ref, is_wkt ? ref : NULL,
                                       op == GIS_SPATIAL_WITHIN ? number : 0,
                                       op == GIS_SPATIAL_NEAREST ? (guint) number : 0, mode);
  }
  return negate ? gis_query_node_new_not (node) : g_steal_pointer (&node);

bad:
  g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT,
               takes_number ? _("%s takes NUMBER:REF (a layer or a WKT geometry), not “%s”")
                            : _("%s takes a layer or a WKT geometry, not “%s”"),
               option, value);
  return NULL;
}

static gboolean
add_flags (GPtrArray        *nodes,
           char            **values,
           GisSpatialOp      op,
           const char       *option,
           gboolean          takes_number,
           gboolean          negate,
           GisDistanceMode   mode,
           GError          **error)
{
  for (guint i = 0; values != NULL && values[i] != NULL; i++)
    {
      GisQueryNode *node = spatial_flag (op, option, values[i], takes_number, negate, mode, error);

      if (node == NULL)
        return FALSE;
      g_ptr_array_add (nodes, node);
    }
  return TRUE;
}

static char *
quote_ident (const char *name)
{
  g_autofree char *doubled = NULL;
  g_auto(GStrv) parts = g_strsplit (name, "\"", -1);

  doubled = g_strjoinv ("\"\"", parts);
  return g_strdup_printf ("\"%s\"", doubled);
}

static void
print_groups (GHashTable *groups)
{
  g_autoptr(GList) keys = g_hash_table_get_keys (groups);

  keys = g_list_sort (keys, (GCompareFunc) g_strcmp0);
  for (GList *l = keys; l != NULL; l = l->next)
    g_print ("  %s: %u\n", *(char *) l->data != '\0' ? (char *) l->data : _("(none)"),
             GPOINTER_TO_UINT (g_hash_table_lookup (groups, l->data)));
}

/* Counts of @fids by the value of @column: an annotation of the ready
 * query, or a field of the target. */
static GHashTable *
count_groups (GisStore                  *store,
              const char                *target,
              GArray                    *fids,
              const char                *column,
              const GisQueryAnnotation  *annotations,
              guint                      n_annotations,
              GError                   **error)
{
  g_autoptr(GHashTable) groups = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GPtrArray) values = NULL;

  for (guint i = 0; i < n_annotations && values == NULL; i++)
    if (g_strcmp0 (annotations[i].column, column) == 0)
      {
        values = gis_query_annotate (store, target, fids, &annotations[i], NULL, error);
        if (values == NULL)
          return NULL;
      }

  if (values == NULL)
    {
      /* a field of the target: read through a query over the same fids */
      g_autoptr(GisLayer) layer = gis_store_get_layer (store, target, error);
      g_autofree char *qt = NULL;
      g_autofree char *qc = NULL;
      g_autofree char *sql = NULL;
      g_autoptr(GisCursor) cursor = NULL;
      g_autoptr(GHashTable) wanted = g_hash_table_new (g_int64_hash, g_int64_equal);

      if (layer == NULL)
        return NULL;
      for (guint i = 0; i < fids->len; i++)
        g_hash_table_add (wanted, &g_array_index (fids, gint64, i));
      qt = quote_ident (gis_layer_get_table_name (layer));
      qc = quote_ident (column);
      sql = g_strdup_printf ("SELECT fid, %s FROM %s", qc, qt);
      cursor = gis_store_query (store, sql, error);
      if (cursor == NULL)
        return NULL;
      while (gis_cursor_next (cursor, NULL, error))
        {
          gint64 fid = gis_cursor_get_int64 (cursor, 0);
          const char *v = gis_cursor_get_text (cursor, 1);
          char *key;

          if (!g_hash_table_contains (wanted, &fid))
            continue;
          key = g_strdup (v != NULL ? v : "");
          g_hash_table_insert (groups, key, GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (groups, key)) + 1));
        }
      if (error != NULL && *error != NULL)
        return NULL;
      return g_steal_pointer (&groups);
    }

  for (guint i = 0; i < values->len; i++)
    {
      GVariant *v = g_ptr_array_index (values, i);
      g_autofree char *key = v == NULL ? g_strdup ("")
                             : g_variant_is_of_type (v, G_VARIANT_TYPE_STRING) ? g_variant_dup_string (v, NULL)
                             : g_variant_print (v, FALSE);
      guint n = GPOINTER_TO_UINT (g_hash_table_lookup (groups, key));

      g_hash_table_insert (groups, g_steal_pointer (&key), GUINT_TO_POINTER (n + 1));
    }
  return g_steal_pointer (&groups);
}

int
cli_cmd_query (int    argc,
               char **argv)
{
  g_auto(GStrv) within = NULL;
  g_auto(GStrv) beyond = NULL;
  g_auto(GStrv) inside = NULL;
  g_auto(GStrv) outside = NULL;
  g_auto(GStrv) intersects = NULL;
  g_auto(GStrv) disjoint = NULL;
  g_auto(GStrv) nearest = NULL;
  g_auto(GStrv) wheres = NULL;
  g_autofree char *from = NULL;
  g_autofree char *to = NULL;
  g_autofree char *query_file = NULL;
  g_autofree char *saved = NULL;
  g_autofree char *save_query = NULL;
  g_autofree char *delete_saved = NULL;
  g_autofree char *ready_id = NULL;
  g_autofree char *save_as = NULL;
  gboolean geodesic = FALSE, any = FALSE, list_saved = FALSE, list_ready = FALSE;
  gboolean explain = FALSE, count_only = FALSE, print_fids = FALSE;
  double km = -1;
  GOptionEntry entries[] = {
    { "within", 0, 0, G_OPTION_ARG_STRING_ARRAY, &within,
      N_("Within KM km of REF (a layer, or a WKT geometry in lon/lat)"), N_("KM:REF") },
    { "beyond", 0, 0, G_OPTION_ARG_STRING_ARRAY, &beyond, N_("Not within KM km of REF"), N_("KM:REF") },
    { "inside", 0, 0, G_OPTION_ARG_STRING_ARRAY, &inside, N_("Inside REF"), N_("REF") },
    { "outside", 0, 0, G_OPTION_ARG_STRING_ARRAY, &outside, N_("Not inside REF"), N_("REF") },
    { "intersects", 0, 0, G_OPTION_ARG_STRING_ARRAY, &intersects, N_("Intersects REF"), N_("REF") },
    { "disjoint", 0, 0, G_OPTION_ARG_STRING_ARRAY, &disjoint, N_("Intersects nothing of REF"), N_("REF") },
    { "nearest", 0, 0, G_OPTION_ARG_STRING_ARRAY, &nearest,
      N_("Among the N features nearest to each feature of REF"), N_("N:REF") },
    { "where", 'w', 0, G_OPTION_ARG_STRING_ARRAY, &wheres,
      N_("A condition as text, e.g. \"severity >= 4\" (repeat)"), N_("CONDITION") },
    { "from", 0, 0, G_OPTION_ARG_STRING, &from, N_("Dated features from this date on"), N_("DATE") },
    { "to", 0, 0, G_OPTION_ARG_STRING, &to, N_("Dated features up to the end of this date"), N_("DATE") },
    { "geodesic", 'g', 0, G_OPTION_ARG_NONE, &geodesic,
      N_("Distances of the flags on the ellipsoid (default: in the analysis CRS)"), NULL },
    { "any", 0, 0, G_OPTION_ARG_NONE, &any, N_("Match features that meet any condition (default: all)"), NULL },
    { "query-file", 0, 0, G_OPTION_ARG_FILENAME, &query_file, N_("Run the query in a JSON file"), N_("FILE") },
    { "saved", 0, 0, G_OPTION_ARG_STRING, &saved, N_("Run a query saved in the store"), N_("NAME") },
    { "save-query", 0, 0, G_OPTION_ARG_STRING, &save_query, N_("Save the query in the store"), N_("NAME") },
    { "list-saved", 0, 0, G_OPTION_ARG_NONE, &list_saved, N_("List the saved queries"), NULL },
    { "delete-saved", 0, 0, G_OPTION_ARG_STRING, &delete_saved, N_("Delete a saved query"), N_("NAME") },
    { "ready", 'r', 0, G_OPTION_ARG_STRING, &ready_id, N_("Run a ready enforcement query (see --list-ready)"), N_("ID") },
    { "km", 0, 0, G_OPTION_ARG_DOUBLE, &km, N_("The distance of the ready query"), N_("KM") },
    { "list-ready", 0, 0, G_OPTION_ARG_NONE, &list_ready, N_("List the ready enforcement queries"), NULL },
    { "save-as", 's', 0, G_OPTION_ARG_STRING, &save_as, N_("Save the result as a new layer"), N_("NAME") },
    { "explain", 0, 0, G_OPTION_ARG_NONE, &explain, N_("Print the SQL and its parameters"), NULL },
    { "count", 'c', 0, G_OPTION_ARG_NONE, &count_only, N_("Print only the number of matching features"), NULL },
    { "fids", 0, 0, G_OPTION_ARG_NONE, &print_fids, N_("Print the matching fids, one a line"), NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &cli_opt_json, N_("Print the result as JSON"), NULL },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &cli_opt_quiet, N_("Print nothing on success"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context =
    g_option_context_new (_("STORE [LAYER [CONDITION…]] — select features without SQL"));
  g_autoptr(GisStore) store = NULL;
  g_autoptr(GisQuery) query = NULL;
  g_autoptr(GisReadyPlan) ready = NULL;
  g_autoptr(GArray) fids = NULL;
  g_autoptr(GisLayer) target = NULL;
  g_autoptr(GisLayer) saved_layer = NULL;
  g_autoptr(GHashTable) groups = NULL;
  g_autofree char *text = NULL;
  const char *layer_name = NULL;
  GisDistanceMode mode;
  gboolean writes;
  guint n_sources;
  gint64 start;
  GError *error = NULL;

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_summary (context,
                                _("Selects the features of LAYER that meet a condition, written as in the "
                                  "window's query panel:\n"
                                  "  within 50 km of ports and not inside habitat\n"
                                  "  severity >= 4 and category in ('ods_smuggling', 'hazardous_waste')\n"
                                  "  inside polygon((-107 31, -106 31, -106 32, -107 32, -107 31))\n"
                                  "  nearest 3 to ports or date from 2021 to 2022-06\n"
                                  "or with the flags below (all must hold, or any with --any).  Values are "
                                  "bound, never pasted into SQL."));
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      int rc = cli_usage_error (context, error->message);
      g_error_free (error);
      return rc;
    }
  if (list_ready)
    {
      for (GisReadyQuery r = 0; r <= GIS_READY_QUERY_LAST; r++)
        {
          if (gis_ready_query_takes_distance (r))
            g_print ("%-24s %s (%s %g km)\n", gis_ready_query_to_string (r), gis_ready_query_get_title (r),
                     _("default"), gis_ready_query_default_km (r));
          else
            g_print ("%-24s %s\n", gis_ready_query_to_string (r), gis_ready_query_get_title (r));
        }
      return EXIT_SUCCESS;
    }
  if (argc < 2)
    return cli_usage_error (context, _("Give the store"));

  n_sources = (ready_id != NULL) + (saved != NULL) + (query_file != NULL);
  if (n_sources > 1)
    return cli_usage_error (context, _("Give one of --ready, --saved and --query-file"));
  if ((n_sources > 0 || list_saved || delete_saved != NULL) &&
      (argc > 2 || within || beyond || inside || outside || intersects || disjoint || nearest || wheres ||
       from || to))
    return cli_usage_error (context, _("--ready, --saved, --query-file, --list-saved and --delete-saved "
                                       "take no layer and no condition"));
  if (n_sources == 0 && !list_saved && delete_saved == NULL && argc < 3)
    return cli_usage_error (context, _("Give the store and the layer to select from"));
  if (count_only + print_fids + cli_opt_json > 1)
    return cli_usage_error (context, _("--count, --fids and --json contradict each other"));
  if (km != -1 && ready_id == NULL)
    return cli_usage_error (context, _("--km goes with --ready"));

  mode = geodesic ? GIS_DISTANCE_GEODESIC : GIS_DISTANCE_ANALYSIS;
  writes = save_as != NULL || save_query != NULL || delete_saved != NULL;
  store = cli_open_store (argv[1], writes ? GIS_STORE_OPEN_READ_WRITE : GIS_STORE_OPEN_READ_ONLY, &error);
  if (store == NULL)
    return cli_fail (error);

  if (list_saved)
    {
      g_auto(GStrv) names = gis_store_list_queries (store, &error);

      if (names == NULL)
        return cli_fail (error);
      for (guint i = 0; names[i] != NULL; i++)
        {
          g_autoptr(GisQuery) q = gis_store_load_query (store, names[i], NULL);
          g_autofree char *q_text = q != NULL ? gis_query_to_string (q) : NULL;

          g_print ("%s\t%s\t%s\n", names[i], q != NULL ? gis_query_get_target (q) : "?",
                   q_text != NULL ? q_text : "");
        }
      return EXIT_SUCCESS;
    }
  if (delete_saved != NULL)
    {
      if (!gis_store_delete_query (store, delete_saved, &error))
        return cli_fail (error);
      if (!cli_opt_quiet)
        g_print (_("Deleted the saved query “%s”\n"), delete_saved);
      return EXIT_SUCCESS;
    }

  /* the query */
  if (ready_id != NULL)
    {
      GisReadyQuery r;

      if (!gis_ready_query_from_string (ready_id, &r))
        return cli_usage_error (context, _("Unknown ready query; see --list-ready"));
      ready = gis_ready_plan_new (store, r, km != -1 ? km : gis_ready_query_default_km (r), mode, &error);
      if (ready == NULL)
        return cli_fail (error);
      query = gis_query_ref (gis_ready_plan_get_query (ready));
    }
  else if (saved != NULL)
    {
      query = gis_store_load_query (store, saved, &error);
      if (query == NULL)
        return cli_fail (error);
    }
  else if (query_file != NULL)
    {
      g_autofree char *json = NULL;

      if (!g_file_get_contents (query_file, &json, NULL, &error))
        return cli_fail (error);
      query = gis_query_new_from_json (json, &error);
      if (query == NULL)
        {
          g_prefix_error (&error, "%s: ", query_file);
          return cli_fail (error);
        }
    }
  else
    {
      g_autoptr(GPtrArray) nodes = g_ptr_array_new_with_free_func ((GDestroyNotify) gis_query_node_unref);

      layer_name = argv[2];
      if (argc > 3)
        {
          g_autofree char *joined = g_strjoinv (" ", argv + 3);
          GisQueryNode *node = gis_query_parse_condition (joined, &error);

          if (node == NULL)
            return cli_fail (error);
          g_ptr_array_add (nodes, node);
        }
      for (guint i = 0; wheres != NULL && wheres[i] != NULL; i++)
        {
          GisQueryNode *node = gis_query_parse_condition (wheres[i], &error);

          if (node == NULL)
            {
              g_prefix_error (&error, "--where: ");
              return cli_fail (error);
            }
          g_ptr_array_add (nodes, node);
        }
      if (!add_flags (nodes, within, GIS_SPATIAL_WITHIN, "--within", TRUE, FALSE, mode, &error) ||
          !add_flags (nodes, beyond, GIS_SPATIAL_WITHIN, "--beyond", TRUE, TRUE, mode, &error) ||
          !add_flags (nodes, inside, GIS_SPATIAL_INSIDE, "--inside", FALSE, FALSE, mode, &error) ||
          !add_flags (nodes, outside, GIS_SPATIAL_INSIDE, "--outside", FALSE, TRUE, mode, &error) ||
          !add_flags (nodes, intersects, GIS_SPATIAL_INTERSECTS, "--intersects", FALSE, FALSE, mode, &error) ||
          !add_flags (nodes, disjoint, GIS_SPATIAL_DISJOINT, "--disjoint", FALSE, FALSE, mode, &error) ||
          !add_flags (nodes, nearest, GIS_SPATIAL_NEAREST, "--nearest", TRUE, FALSE, mode, &error))
        return cli_fail (error);
      if (from != NULL || to != NULL)
        {
          GisQueryNode *node = gis_query_node_new_date_range (from, to, &error);

          if (node == NULL)
            return cli_fail (error);
          g_ptr_array_add (nodes, node);
        }

      if (nodes->len == 0)
        query = gis_query_new (layer_name, NULL);
      else if (nodes->len == 1)
        query = gis_query_new (layer_name, g_ptr_array_index (nodes, 0));
      else
        {
          g_autoptr(GisQueryNode) all = gis_query_node_new_group (any ? GIS_QUERY_NODE_OR : GIS_QUERY_NODE_AND,
                                                                  (GisQueryNode *const *) nodes->pdata,
                                                                  nodes->len);

          query = gis_query_new (layer_name, all);
        }
    }
  text = gis_query_to_string (query);

  if (explain)
    {
      g_autoptr(GisQueryPlan) plan = gis_query_plan (store, query, &error);
      g_autofree char *sql = NULL;

      if (plan == NULL)
        return cli_fail (error);
      sql = gis_query_plan_explain (plan);
      g_print ("-- %s: %s\n%s", gis_query_get_target (query), text, sql);
      return EXIT_SUCCESS;
    }

  target = gis_store_get_layer (store, gis_query_get_target (query), &error);
  if (target == NULL)
    return cli_fail (error);

  start = g_get_monotonic_time ();
  fids = gis_query_run (store, query, cli_on_progress, NULL, NULL, &error);
  cli_end_progress ();
  if (fids == NULL)
    return cli_fail (error);

  if (save_query != NULL && !gis_store_save_query (store, save_query, query, &error))
    return cli_fail (error);

  if (save_as != NULL)
    {
      guint n = 0;
      const GisQueryAnnotation *ann = ready != NULL ? gis_ready_plan_get_annotations (ready, &n) : NULL;

      saved_layer = gis_query_save_result (store, query, fids, save_as, ann, n, cli_on_progress, NULL, NULL,
                                           &error);
      cli_end_progress ();
      if (saved_layer == NULL)
        return cli_fail (error);
    }

  if (ready != NULL && gis_ready_plan_get_group_column (ready) != NULL && !count_only && !print_fids)
    {
      guint n = 0;
      const GisQueryAnnotation *ann = gis_ready_plan_get_annotations (ready, &n);

      groups = count_groups (store, gis_query_get_target (query), fids, gis_ready_plan_get_group_column (ready),
                             ann, n, &error);
      if (groups == NULL)
        return cli_fail (error);
    }

  if (count_only)
    g_print ("%u\n", fids->len);
  else if (print_fids)
    {
      for (guint i = 0; i < fids->len; i++)
        g_print ("%" G_GINT64_FORMAT "\n", g_array_index (fids, gint64, i));
    }
  else if (cli_opt_json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autofree char *json = gis_query_to_json (query);

      json_parser_load_from_data (parser, json, -1, NULL);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "layer");
      json_builder_add_string_value (b, gis_query_get_target (query));
      json_builder_set_member_name (b, "condition");
      json_builder_add_string_value (b, text);
      json_builder_set_member_name (b, "query");
      json_builder_add_value (b, json_node_copy (json_parser_get_root (parser)));
      if (ready != NULL)
        {
          json_builder_set_member_name (b, "ready");
          json_builder_add_string_value (b, ready_id);
        }
      json_builder_set_member_name (b, "count");
      json_builder_add_int_value (b, fids->len);
      json_builder_set_member_name (b, "feature_count");
      json_builder_add_int_value (b, gis_layer_get_feature_count (target));
      json_builder_set_member_name (b, "seconds");
      json_builder_add_double_value (b, (g_get_monotonic_time () - start) / 1e6);
      if (groups != NULL)
        {
          GHashTableIter iter;
          gpointer key, value;

          json_builder_set_member_name (b, "groups");
          json_builder_begin_object (b);
          g_hash_table_iter_init (&iter, groups);
          while (g_hash_table_iter_next (&iter, &key, &value))
            {
              json_builder_set_member_name (b, key);
              json_builder_add_int_value (b, GPOINTER_TO_UINT (value));
            }
          json_builder_end_object (b);
        }
      if (saved_layer != NULL)
        {
          json_builder_set_member_name (b, "saved_as");
          json_builder_add_string_value (b, gis_layer_get_name (saved_layer));
        }
      json_builder_set_member_name (b, "fids");
      json_builder_begin_array (b);
      for (guint i = 0; i < fids->len; i++)
        json_builder_add_int_value (b, g_array_index (fids, gint64, i));
      json_builder_end_array (b);
      json_builder_end_object (b);
      root = json_builder_get_root (b);
      cli_print_json (root);
    }
  else if (!cli_opt_quiet)
    {
      if (ready != NULL)
        {
          g_autofree char *description = gis_ready_plan_describe (ready);

          g_print ("%s\n", description);
        }
      g_print (g_dngettext (GETTEXT_PACKAGE,
                            "%u of %" PRId64 " feature of “%s” matches: %s (%.2f s)\n",
                            "%u of %" PRId64 " features of “%s” match: %s (%.2f s)\n",
                            gis_layer_get_feature_count (target)),
               fids->len, gis_layer_get_feature_count (target), gis_query_get_target (query),
               *text != '\0' ? text : _("every feature"), (g_get_monotonic_time () - start) / 1e6);
      if (groups != NULL)
        print_groups (groups);
      if (save_query != NULL)
        g_print (_("Saved the query as “%s”\n"), save_query);
      if (saved_layer != NULL)
        g_print (_("Saved the result as layer “%s”\n"), gis_layer_get_name (saved_layer));
    }

  return EXIT_SUCCESS;
}
