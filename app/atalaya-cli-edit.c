/* atalaya-cli-edit.c: identify and edit, the map tools of the command line
 *
 * "identify" lists what the window's identify panel lists for a click:
 * the features of every layer at a point, nearest first.  "edit" does
 * what the window's add-point and move-point tools and its feature form
 * do, through the same GisEditor, so each edit is one transaction, the
 * registry's count and extent follow, and layers with habitat_fid /
 * habitat_name columns get their habitat link filled in by the editor.
 *
 * Coordinates are lon/lat in degrees (EPSG:4326), and longitudes west of
 * Greenwich are negative: "-110.5" must reach the command as an argument,
 * not as an option, so arguments that read as negative numbers are set
 * apart before the options are parsed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "atalaya-cli"

#include "config.h"

#include <inttypes.h>
#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "gis.h"
#include "atalaya-cli-commands.h"
#include "atalaya-cli-util.h"

#define DEFAULT_TOLERANCE_M 500.0
#define DEFAULT_LIMIT       25

/* ---- arguments ------------------------------------------------------------ */

static gboolean
looks_like_number (const char *arg)
{
  return arg[0] == '-' &&
         (g_ascii_isdigit (arg[1]) || (arg[1] == '.' && g_ascii_isdigit (arg[2])));
}

/* Whether option @arg ("--name" or "-abc") takes the next argument as its
 * value, according to @entries. */
static gboolean
option_takes_value (const char         *arg,
                    const GOptionEntry *entries)
{
  for (const GOptionEntry *e = entries; e->long_name != NULL; e++)
    {
      if (e->arg == G_OPTION_ARG_NONE)
        continue;
      if (arg[1] == '-' && g_strcmp0 (arg + 2, e->long_name) == 0)
        return TRUE;
      /* the last of a group of short options may take a value */
      if (arg[1] != '-' && e->short_name != '\0' && arg[strlen (arg) - 1] == e->short_name)
        return TRUE;
    }
  return FALSE;
}

/* Returns a new argv (the strings are @argv's) with the options first,
 * then "--", then the arguments, negative numbers among them. */
static char **
options_before_arguments (int                 argc,
                          char              **argv,
                          const GOptionEntry *entries,
                          int                *out_argc)
{
  g_autoptr(GPtrArray) options = g_ptr_array_new ();
  g_autoptr(GPtrArray) arguments = g_ptr_array_new ();
  gboolean only_arguments = FALSE;
  char **out;
  int n = 0;

  for (int i = 1; i < argc; i++)
    {
      const char *arg = argv[i];

      if (only_arguments)
        g_ptr_array_add (arguments, argv[i]);
      else if (g_strcmp0 (arg, "--") == 0)
        only_arguments = TRUE;
      else if (arg[0] == '-' && arg[1] != '\0' && !looks_like_number (arg))
        {
          g_ptr_array_add (options, argv[i]);
          if (strchr (arg, '=') == NULL && option_takes_value (arg, entries) && i + 1 < argc)
            g_ptr_array_add (options, argv[++i]);
        }
      else
        g_ptr_array_add (arguments, argv[i]);
    }

  out = g_new0 (char *, options->len + arguments->len + 3);
  out[n++] = argv[0];
  for (guint i = 0; i < options->len; i++)
    out[n++] = g_ptr_array_index (options, i);
  out[n++] = (char *) "--";
  for (guint i = 0; i < arguments->len; i++)
    out[n++] = g_ptr_array_index (arguments, i);
  *out_argc = n;
  return out;
}

/* Parses the options of @argv_inout, leaving the command's name and its
 * arguments; negative numbers are arguments.  Returns the exit code of a
 * usage error, or -1. */
static int
parse_options (GOptionContext      *context,
               const GOptionEntry  *entries,
               int                 *argc_inout,
               char              ***argv_inout,
               char              ***out_container)
{
  GError *error = NULL;

  *out_container = options_before_arguments (*argc_inout, *argv_inout, entries, argc_inout);
  *argv_inout = *out_container;

  if (!g_option_context_parse (context, argc_inout, argv_inout, &error))
    {
      int rc = cli_usage_error (context, error->message);
      g_error_free (error);
      return rc;
    }

  /* GLib keeps the "--" when options came before it */
  if (*argc_inout > 1 && g_strcmp0 ((*argv_inout)[1], "--") == 0)
    {
      for (int i = 1; i < *argc_inout; i++)
        (*argv_inout)[i] = (*argv_inout)[i + 1];
      (*argc_inout)--;
    }
  return -1;
}

static gboolean
parse_degrees (const char *text,
               double     *out)
{
  char *end = NULL;

  *out = g_ascii_strtod (text, &end);
  return *text != '\0' && end != text && *end == '\0';
}

static gboolean
parse_fid (const char *text,
           gint64     *out)
{
  return g_ascii_string_to_signed (text, 10, G_MININT64, G_MAXINT64, out, NULL);
}

/* LON and LAT, as text: a usage error when they are not numbers. */
static int
parse_position (GOptionContext *context,
                const char     *lon_text,
                const char     *lat_text,
                double         *lon,
                double         *lat)
{
  if (!parse_degrees (lon_text, lon))
    {
      g_autofree char *msg = g_strdup_printf (_("The longitude “%s” is not a number"), lon_text);
      return cli_usage_error (context, msg);
    }
  if (!parse_degrees (lat_text, lat))
    {
      g_autofree char *msg = g_strdup_printf (_("The latitude “%s” is not a number"), lat_text);
      return cli_usage_error (context, msg);
    }
  return -1;
}

/* A user error when the position is not on the Earth. */
static gboolean
check_position (const char  *lon_text,
                const char  *lat_text,
                double       lon,
                double       lat,
                GError     **error)
{
  if (!isfinite (lon) || lon < -180.0 || lon > 180.0)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT,
                   _("Longitude %s is out of range: it must be between −180 and 180 degrees"),
                   lon_text);
      return FALSE;
    }
  if (!isfinite (lat) || lat < -90.0 || lat > 90.0)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT,
                   _("Latitude %s is out of range: it must be between −90 and 90 degrees"),
                   lat_text);
      return FALSE;
    }
  return TRUE;
}

/* ---- output ----------------------------------------------------------------- */

/* The shortest text, in the C locale, that reads back as the same double. */
static char *
format_degrees (double d)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  for (int precision = 15; precision <= 17; precision++)
    {
      char format[8];

      g_snprintf (format, sizeof format, "%%.%dg", precision);
      g_ascii_formatd (buf, sizeof buf, format, d);
      if (g_ascii_strtod (buf, NULL) == d)
        break;
    }
  return g_strdup (buf);
}

static void
add_json_string (JsonBuilder *b,
                 const char  *member,
                 const char  *value)
{
  json_builder_set_member_name (b, member);
  if (value != NULL)
    json_builder_add_string_value (b, value);
  else
    json_builder_add_null_value (b);
}

/* A feature without a geometry has no position: null. */
static void
add_json_degrees (JsonBuilder *b,
                  const char  *member,
                  double       degrees)
{
  json_builder_set_member_name (b, member);
  if (isfinite (degrees))
    json_builder_add_double_value (b, degrees);
  else
    json_builder_add_null_value (b);
}

/* A value as stored (x, d, s or ay; NULL for SQL NULL) as a JSON value. */
static void
add_json_value (JsonBuilder *b,
                GVariant    *value)
{
  if (value == NULL)
    json_builder_add_null_value (b);
  else if (g_variant_is_of_type (value, G_VARIANT_TYPE_INT64))
    json_builder_add_int_value (b, g_variant_get_int64 (value));
  else if (g_variant_is_of_type (value, G_VARIANT_TYPE_DOUBLE))
    {
      double d = g_variant_get_double (value);

      /* JSON has no infinities */
      if (isfinite (d))
        json_builder_add_double_value (b, d);
      else
        json_builder_add_null_value (b);
    }
  else if (g_variant_is_of_type (value, G_VARIANT_TYPE_STRING))
    json_builder_add_string_value (b, g_variant_get_string (value, NULL));
  else
    {
      GisFieldValue v = { NULL, GIS_FIELD_BLOB, value };
      g_autofree char *text = gis_field_value_to_string (&v);

      json_builder_add_string_value (b, text);
    }
}

static void
add_json_field_values (JsonBuilder *b,
                       GPtrArray   *values)
{
  json_builder_set_member_name (b, "attributes");
  json_builder_begin_object (b);
  for (guint i = 0; values != NULL && i < values->len; i++)
    {
      GisFieldValue *v = g_ptr_array_index (values, i);

      json_builder_set_member_name (b, v->name);
      add_json_value (b, v->value);
    }
  json_builder_end_object (b);
}

static void
add_json_habitat (JsonBuilder *b,
                  GPtrArray   *matches)
{
  json_builder_set_member_name (b, "habitat");
  json_builder_begin_array (b);
  for (guint i = 0; i < matches->len; i++)
    {
      GisHabitatMatch *m = g_ptr_array_index (matches, i);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "layer_id");
      json_builder_add_int_value (b, m->layer_id);
      add_json_string (b, "layer", m->layer_name);
      json_builder_set_member_name (b, "fid");
      json_builder_add_int_value (b, m->fid);
      add_json_string (b, "name", m->name);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
}

/* "Inside: Sonoran Wildlife Refuge (Critical habitat #1)", translated */
static void
print_habitat (GPtrArray *matches)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *joined = NULL;

  if (matches->len == 0)
    {
      g_print ("%s\n", _("Not inside any habitat"));
      return;
    }
  for (guint i = 0; i < matches->len; i++)
    g_ptr_array_add (names, gis_habitat_match_describe (g_ptr_array_index (matches, i)));
  g_ptr_array_add (names, NULL);
  /* Translators: separates habitats in a list */
  joined = g_strjoinv (_(", "), (char **) names->pdata);
  /* Translators: the habitat polygons a point lies in */
  g_print (_("Inside: %s\n"), joined);
}

/* ---- identify --------------------------------------------------------------- */

typedef struct
{
  GisFeature *feature;   /* borrowed from the layer's results */
  guint       rank;      /* the layer's place, top layer first */
  guint       index;     /* the feature's place in the layer's results */
} IdentifyHit;

/* Nearest first; for equal distances the top layer first, then the order
 * gis_store_identify() gave (smallest polygon first). */
static int
compare_identify_hits (gconstpointer a,
                       gconstpointer b)
{
  const IdentifyHit *x = a, *y = b;
  double dx = gis_feature_get_distance_m (x->feature);
  double dy = gis_feature_get_distance_m (y->feature);

  if (dx != dy)
    return dx < dy ? -1 : 1;
  if (x->rank != y->rank)
    return x->rank < y->rank ? -1 : 1;
  return x->index < y->index ? -1 : x->index > y->index;
}

static void
print_identify_hit (const IdentifyHit *hit)
{
  GisFeature *feature = hit->feature;
  const char *name_field = gis_feature_get_name_field (feature);
  g_autofree char *where = NULL;
  guint n = gis_feature_get_n_fields (feature);
  glong width = 0;

  if (gis_feature_get_contains_point (feature))
    where = g_strdup (_("inside"));
  else
    /* Translators: a distance in metres */
    where = g_strdup_printf (_("%.1f m"), gis_feature_get_distance_m (feature));

  if (name_field != NULL)
    {
      g_autofree char *name = gis_feature_format_value (feature,
                                                        (guint) gis_feature_find_field (feature, name_field));

      /* Translators: layer, feature id, the feature's name, how far it is */
      g_print (_("%s #%" PRId64 " “%s” — %s\n"),
               gis_feature_get_layer_name (feature), gis_feature_get_fid (feature),
               name != NULL ? name : "", where);
    }
  else
    /* Translators: layer, feature id, how far the feature is */
    g_print (_("%s #%" PRId64 " — %s\n"),
             gis_feature_get_layer_name (feature), gis_feature_get_fid (feature), where);

  for (guint i = 0; i < n; i++)
    width = MAX (width, g_utf8_strlen (gis_feature_get_field_name (feature, i), -1));
  for (guint i = 0; i < n; i++)
    {
      const char *name = gis_feature_get_field_name (feature, i);
      g_autofree char *value = gis_feature_format_value (feature, i);
      glong pad = width - g_utf8_strlen (name, -1);

      g_print ("  %s%*s  %s\n", name, (int) pad, "", value != NULL ? value : "NULL");
    }
}

static JsonNode *
identify_to_json (const char *store_path,
                  double      lon,
                  double      lat,
                  double      tolerance_m,
                  int         limit,
                  GPtrArray  *searched,
                  GArray     *hits,
                  gboolean    truncated)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "store");
  json_builder_add_string_value (b, store_path);
  json_builder_set_member_name (b, "lon");
  json_builder_add_double_value (b, lon);
  json_builder_set_member_name (b, "lat");
  json_builder_add_double_value (b, lat);
  json_builder_set_member_name (b, "tolerance_m");
  json_builder_add_double_value (b, tolerance_m);
  json_builder_set_member_name (b, "limit");
  json_builder_add_int_value (b, limit);
  json_builder_set_member_name (b, "layers");
  json_builder_begin_array (b);
  for (guint i = 0; i < searched->len; i++)
    json_builder_add_string_value (b, gis_layer_get_name (g_ptr_array_index (searched, i)));
  json_builder_end_array (b);
  json_builder_set_member_name (b, "count");
  json_builder_add_int_value (b, hits->len);
  json_builder_set_member_name (b, "truncated");
  json_builder_add_boolean_value (b, truncated);
  json_builder_set_member_name (b, "features");
  json_builder_begin_array (b);
  for (guint i = 0; i < hits->len; i++)
    {
      GisFeature *feature = g_array_index (hits, IdentifyHit, i).feature;
      g_autofree char *title = gis_feature_dup_title (feature);
      guint n = gis_feature_get_n_fields (feature);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "layer");
      json_builder_add_string_value (b, gis_feature_get_layer_name (feature));
      json_builder_set_member_name (b, "layer_id");
      json_builder_add_int_value (b, gis_layer_get_id (gis_feature_get_layer (feature)));
      json_builder_set_member_name (b, "fid");
      json_builder_add_int_value (b, gis_feature_get_fid (feature));
      add_json_string (b, "title", title);
      add_json_string (b, "geometry_type", gis_feature_get_geometry_type (feature));
      json_builder_set_member_name (b, "distance_m");
      json_builder_add_double_value (b, gis_feature_get_distance_m (feature));
      json_builder_set_member_name (b, "contains_point");
      json_builder_add_boolean_value (b, gis_feature_get_contains_point (feature));
      json_builder_set_member_name (b, "attributes");
      json_builder_begin_object (b);
      for (guint k = 0; k < n; k++)
        {
          json_builder_set_member_name (b, gis_feature_get_field_name (feature, k));
          add_json_value (b, gis_feature_get_value (feature, k));
        }
      json_builder_end_object (b);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);

  return json_builder_get_root (b);
}

int
cli_cmd_identify (int    argc,
                  char **argv)
{
  g_auto(GStrv) layer_names = NULL;
  double tolerance_m = DEFAULT_TOLERANCE_M;
  int limit = DEFAULT_LIMIT;
  GOptionEntry entries[] = {
    { "layer", 'l', 0, G_OPTION_ARG_STRING_ARRAY, &layer_names,
      N_("Search only this layer (repeat for more)"), N_("NAME") },
    { "tolerance", 't', 0, G_OPTION_ARG_DOUBLE, &tolerance_m,
      N_("How near points and lines must be, in metres (default 500)"), N_("METRES") },
    { "limit", 'n', 0, G_OPTION_ARG_INT, &limit,
      N_("List at most N features, the nearest (default 25; 0 for all)"), N_("N") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &cli_opt_json, N_("Print the features as JSON"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context =
    g_option_context_new (_("STORE LON LAT — list the features at a point"));
  g_autofree char **args = NULL;
  g_autoptr(GisStore) store = NULL;
  g_autoptr(GListModel) layers = NULL;
  g_autoptr(GHashTable) wanted = NULL;
  g_autoptr(GPtrArray) searched = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) results = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  g_autoptr(GArray) hits = g_array_new (FALSE, FALSE, sizeof (IdentifyHit));
  gboolean truncated = FALSE;
  GError *error = NULL;
  double lon, lat;
  int rc;

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_summary (context,
                                _("Lists the features at a point given in degrees of longitude and "
                                  "latitude (WGS 84), on every layer from the top of the map down, "
                                  "or on the layers given: polygons that contain the point and "
                                  "points and lines within the tolerance, nearest first, with all "
                                  "their attributes."));
  if ((rc = parse_options (context, entries, &argc, &argv, &args)) >= 0)
    return rc;
  if (argc != 4)
    return cli_usage_error (context, _("Give the store, the longitude and the latitude"));
  if ((rc = parse_position (context, argv[2], argv[3], &lon, &lat)) >= 0)
    return rc;
  if (!isfinite (tolerance_m) || tolerance_m < 0.0)
    return cli_usage_error (context, _("The tolerance must be a distance in metres, 0 or more"));
  if (limit < 0)
    return cli_usage_error (context, _("The limit must be 0 or more"));

  if (!check_position (argv[2], argv[3], lon, lat, &error))
    return cli_fail (error);

  store = cli_open_store (argv[1], GIS_STORE_OPEN_READ_ONLY, &error);
  if (store == NULL)
    return cli_fail (error);

  if (layer_names != NULL)
    {
      wanted = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
      for (guint i = 0; layer_names[i] != NULL; i++)
        {
          g_autoptr(GisLayer) layer = gis_store_get_layer (store, layer_names[i], &error);
          gint64 id;

          if (layer == NULL)
            return cli_fail (error);
          id = gis_layer_get_id (layer);
          g_hash_table_add (wanted, g_memdup2 (&id, sizeof id));
        }
    }

  layers = gis_store_list_layers (store, &error);
  if (layers == NULL)
    return cli_fail (error);

  /* the list is in drawing order: the top layer is the last */
  for (guint i = g_list_model_get_n_items (layers); i-- > 0;)
    {
      g_autoptr(GisLayer) layer = g_list_model_get_item (layers, i);
      gint64 id = gis_layer_get_id (layer);
      GPtrArray *features;

      if (wanted != NULL ? !g_hash_table_contains (wanted, &id)
                         : gis_layer_get_geometry_type (layer) == NULL)
        continue;

      /* one more than the limit tells whether there were more */
      features = gis_store_identify (store, layer, lon, lat, tolerance_m,
                                     limit > 0 ? (guint) limit + 1 : 0, &error);
      if (features == NULL)
        return cli_fail (error);
      g_ptr_array_add (results, features);

      for (guint k = 0; k < features->len; k++)
        {
          IdentifyHit hit = { g_ptr_array_index (features, k), searched->len, k };

          g_array_append_val (hits, hit);
        }
      g_ptr_array_add (searched, g_steal_pointer (&layer));
    }

  g_array_sort (hits, compare_identify_hits);
  if (limit > 0 && hits->len > (guint) limit)
    {
      truncated = TRUE;
      g_array_set_size (hits, (guint) limit);
    }

  if (cli_opt_json)
    {
      g_autoptr(JsonNode) root = identify_to_json (argv[1], lon, lat, tolerance_m, limit,
                                                   searched, hits, truncated);
      cli_print_json (root);
      return EXIT_SUCCESS;
    }

  if (hits->len == 0)
    {
      g_autofree char *x = format_degrees (lon);
      g_autofree char *y = format_degrees (lat);

      /* Translators: a distance in metres, then longitude and latitude */
      g_print (_("No feature within %g m of %s, %s\n"), tolerance_m, x, y);
      return EXIT_SUCCESS;
    }
  for (guint i = 0; i < hits->len; i++)
    print_identify_hit (&g_array_index (hits, IdentifyHit, i));
  if (truncated)
    g_print (g_dngettext (GETTEXT_PACKAGE,
                          "(only the nearest %d feature is listed: use --limit to list more)\n",
                          "(only the nearest %d features are listed: use --limit to list more)\n",
                          (gulong) limit),
             limit);

  return EXIT_SUCCESS;
}

/* ---- edit --------------------------------------------------------------------- */

typedef enum
{
  EDIT_ADD,
  EDIT_MOVE,
  EDIT_SET,
  EDIT_DELETE,
} EditAction;

static const char *const edit_action_names[] = { "add", "move", "set", "delete" };

static gboolean
edit_action_from_string (const char *name,
                         EditAction *out_action)
{
  for (guint i = 0; i < G_N_ELEMENTS (edit_action_names); i++)
    if (g_strcmp0 (name, edit_action_names[i]) == 0)
      {
        *out_action = (EditAction) i;
        return TRUE;
      }
  return FALSE;
}

static gboolean
is_linked_column (const char *name)
{
  return g_ascii_strcasecmp (name, "habitat_fid") == 0 ||
         g_ascii_strcasecmp (name, "habitat_name") == 0;
}

/* FIELD=VALUE arguments into a table for the editor.  The values stay
 * text: the editor reads them as the column's type, as it does the
 * feature form's.  "FIELD=" is NULL, as an emptied field of the form. */
static GHashTable *
parse_assignments (char  **args,
                   int     n_args,
                   char  **out_message)
{
  g_autoptr(GHashTable) values = gis_editor_attributes_new ();

  for (int i = 0; i < n_args; i++)
    {
      const char *eq = strchr (args[i], '=');
      g_autofree char *name = NULL;
      GHashTableIter iter;
      gpointer key;

      if (eq == NULL || eq == args[i])
        {
          *out_message = g_strdup_printf (_("“%s” is not FIELD=VALUE"), args[i]);
          return NULL;
        }
      name = g_strndup (args[i], (gsize) (eq - args[i]));

      /* "Name" and "name" are one column */
      g_hash_table_iter_init (&iter, values);
      while (g_hash_table_iter_next (&iter, &key, NULL))
        if (g_ascii_strcasecmp (key, name) == 0)
          {
            *out_message = g_strdup_printf (_("Field “%s” is given twice"), name);
            return NULL;
          }

      if (eq[1] == '\0')
        g_hash_table_insert (values, g_steal_pointer (&name),
                             g_variant_ref_sink (g_variant_new_maybe (G_VARIANT_TYPE_STRING, NULL)));
      else
        g_hash_table_insert (values, g_steal_pointer (&name),
                             g_variant_ref_sink (g_variant_new_string (eq + 1)));
    }
  return g_steal_pointer (&values);
}

/* The habitat link belongs to the editor, as in the feature form. */
static gboolean
check_assignments (GisStore    *store,
                   GisLayer    *layer,
                   GHashTable  *values,
                   GError     **error)
{
  g_autoptr(GPtrArray) fields = NULL;
  GHashTableIter iter;
  gpointer key;

  if (values == NULL || g_hash_table_size (values) == 0)
    return TRUE;

  fields = gis_store_get_fields (store, layer, error);
  if (fields == NULL)
    return FALSE;

  g_hash_table_iter_init (&iter, values);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      if (!is_linked_column (key))
        continue;
      for (guint i = 0; i < fields->len; i++)
        {
          GisField *f = g_ptr_array_index (fields, i);

          if (g_ascii_strcasecmp (f->name, key) == 0)
            {
              g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT,
                           _("Field “%s” of layer “%s” cannot be set: it links the feature "
                             "to the habitat it lies in, and the editor keeps it"),
                           f->name, gis_layer_get_name (layer));
              return FALSE;
            }
        }
    }
  return TRUE;
}

static gboolean
check_point_layer (GisStore  *store,
                   GisLayer  *layer,
                   GError   **error)
{
  if (gis_layer_is_point_layer (layer))
    return TRUE;
  if (gis_layer_get_geometry_type (layer) == NULL)
    g_set_error (error, GIS_ERROR, GIS_ERROR_UNSUPPORTED,
                 _("Layer “%s” of “%s” has no geometry: only point layers can be edited"),
                 gis_layer_get_name (layer), gis_store_get_path (store));
  else
    g_set_error (error, GIS_ERROR, GIS_ERROR_UNSUPPORTED,
                 _("Layer “%s” of “%s” holds %s geometries: only point layers can be edited"),
                 gis_layer_get_name (layer), gis_store_get_path (store),
                 gis_layer_get_geometry_type (layer));
  return FALSE;
}

/* The names of the attributes whose values differ between @before and
 * @after (both in column order, from gis_editor_get_feature()). */
static GPtrArray *
changed_fields (GPtrArray *before,
                GPtrArray *after)
{
  GPtrArray *changed = g_ptr_array_new ();

  for (guint i = 0; i < after->len; i++)
    {
      GisFieldValue *a = g_ptr_array_index (after, i);
      GisFieldValue *b = NULL;

      for (guint k = 0; k < before->len && b == NULL; k++)
        if (g_strcmp0 (((GisFieldValue *) g_ptr_array_index (before, k))->name, a->name) == 0)
          b = g_ptr_array_index (before, k);

      if (b == NULL || (a->value == NULL) != (b->value == NULL) ||
          (a->value != NULL && !g_variant_equal (a->value, b->value)))
        g_ptr_array_add (changed, a);
    }
  return changed;
}

static GisFieldValue *
find_value (GPtrArray  *values,
            const char *name)
{
  for (guint i = 0; values != NULL && i < values->len; i++)
    {
      GisFieldValue *v = g_ptr_array_index (values, i);

      if (g_strcmp0 (v->name, name) == 0)
        return v;
    }
  return NULL;
}

static void
print_edit_result (EditAction  action,
                   GisLayer   *layer,
                   gint64      fid,
                   double      lon,
                   double      lat,
                   GPtrArray  *habitat,
                   GPtrArray  *before,
                   GPtrArray  *changed)
{
  const char *layer_name = gis_layer_get_name (layer);
  g_autofree char *x = format_degrees (lon);
  g_autofree char *y = format_degrees (lat);

  switch (action)
    {
    case EDIT_ADD:
      /* Translators: feature id, layer, longitude, latitude */
      g_print (_("Added feature #%" PRId64 " to layer “%s” at %s, %s\n"), fid, layer_name, x, y);
      print_habitat (habitat);
      break;

    case EDIT_MOVE:
      /* Translators: feature id, layer, longitude, latitude */
      g_print (_("Moved feature #%" PRId64 " of layer “%s” to %s, %s\n"), fid, layer_name, x, y);
      print_habitat (habitat);
      break;

    case EDIT_SET:
      if (changed->len == 0)
        {
          g_print (_("Feature #%" PRId64 " of layer “%s” already had these values\n"),
                   fid, layer_name);
          break;
        }
      g_print (g_dngettext (GETTEXT_PACKAGE,
                            "Changed %u field of feature #%" PRId64 " of layer “%s”:\n",
                            "Changed %u fields of feature #%" PRId64 " of layer “%s”:\n",
                            changed->len),
               changed->len, fid, layer_name);
      for (guint i = 0; i < changed->len; i++)
        {
          GisFieldValue *now = g_ptr_array_index (changed, i);
          GisFieldValue *was = find_value (before, now->name);
          g_autofree char *old_text = was != NULL && was->value != NULL
                                        ? gis_field_value_to_string (was) : g_strdup ("NULL");
          g_autofree char *new_text = now->value != NULL
                                        ? gis_field_value_to_string (now) : g_strdup ("NULL");

          /* Translators: a field, its old value and its new value */
          g_print (_("  %s: %s → %s\n"), now->name, old_text, new_text);
        }
      break;

    case EDIT_DELETE:
    default:
      g_print (_("Deleted feature #%" PRId64 " from layer “%s”\n"), fid, layer_name);
      break;
    }
}

static JsonNode *
edit_to_json (const char *store_path,
              EditAction  action,
              GisLayer   *layer,
              gint64      fid,
              double      lon,
              double      lat,
              double      previous_lon,
              double      previous_lat,
              GPtrArray  *habitat,
              GPtrArray  *attributes,
              GPtrArray  *changed)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "store");
  json_builder_add_string_value (b, store_path);
  json_builder_set_member_name (b, "layer");
  json_builder_add_string_value (b, gis_layer_get_name (layer));
  json_builder_set_member_name (b, "action");
  json_builder_add_string_value (b, edit_action_names[action]);
  json_builder_set_member_name (b, "fid");
  json_builder_add_int_value (b, fid);
  add_json_degrees (b, "lon", lon);
  add_json_degrees (b, "lat", lat);
  if (action == EDIT_MOVE)
    {
      add_json_degrees (b, "previous_lon", previous_lon);
      add_json_degrees (b, "previous_lat", previous_lat);
    }
  if (action == EDIT_DELETE)
    {
      json_builder_set_member_name (b, "deleted");
      json_builder_add_boolean_value (b, TRUE);
    }
  if (changed != NULL)
    {
      json_builder_set_member_name (b, "changed");
      json_builder_begin_array (b);
      for (guint i = 0; i < changed->len; i++)
        json_builder_add_string_value (b, ((GisFieldValue *) g_ptr_array_index (changed, i))->name);
      json_builder_end_array (b);
    }
  add_json_habitat (b, habitat);
  add_json_field_values (b, attributes);
  json_builder_end_object (b);

  return json_builder_get_root (b);
}

int
cli_cmd_edit (int    argc,
              char **argv)
{
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &cli_opt_json, N_("Print the feature as JSON"), NULL },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &cli_opt_quiet, N_("Print nothing on success"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context =
    g_option_context_new (_("STORE LAYER ACTION … — add, move, change or delete a point feature"));
  g_autofree char **args = NULL;
  g_autoptr(GisStore) store = NULL;
  g_autoptr(GisLayer) layer = NULL;
  g_autoptr(GisEditor) editor = NULL;
  g_autoptr(GHashTable) values = NULL;
  g_autoptr(GPtrArray) before = NULL;
  g_autoptr(GPtrArray) after = NULL;
  g_autoptr(GPtrArray) changed = NULL;
  g_autoptr(GPtrArray) habitat = NULL;
  g_autofree char *message = NULL;
  const char *lon_text = NULL, *lat_text = NULL;
  EditAction action;
  GError *error = NULL;
  double lon = NAN, lat = NAN, previous_lon = NAN, previous_lat = NAN;
  gint64 fid = 0;
  int first_value = 0;
  int rc;

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_summary (context,
                                _("Edits one feature of a point layer, in one transaction, as the "
                                  "window’s editing tools do. ACTION is one of:\n"
                                  "  add LON LAT [FIELD=VALUE…]   add a point\n"
                                  "  move FID LON LAT             move a point\n"
                                  "  set FID FIELD=VALUE…         change attributes\n"
                                  "  delete FID                   delete a feature"));
  g_option_context_set_description (context,
                                    _("LON and LAT are degrees of longitude and latitude (WGS 84). "
                                      "Values are read as the field’s type: whole numbers, numbers "
                                      "with a decimal point, text, or ISO 8601 dates for "
                                      "occurred_at. FIELD= (nothing after the =) empties a field. "
                                      "Adding or moving a point prints the habitat polygons it lies "
                                      "in, and fills the layer’s habitat_fid and habitat_name "
                                      "columns if it has them."));
  if ((rc = parse_options (context, entries, &argc, &argv, &args)) >= 0)
    return rc;
  if (argc < 4)
    return cli_usage_error (context, _("Give the store, the layer and the action: add, move, set or delete"));

  if (!edit_action_from_string (argv[3], &action))
    {
      g_autofree char *msg = g_strdup_printf (_("Unknown action “%s”: use add, move, set or delete"),
                                              argv[3]);
      return cli_usage_error (context, msg);
    }

  /* Usage first: every argument is checked before the store is opened. */
  switch (action)
    {
    case EDIT_ADD:
      if (argc < 6)
        return cli_usage_error (context, _("Give the longitude and the latitude of the point to add"));
      lon_text = argv[4];
      lat_text = argv[5];
      first_value = 6;
      break;

    case EDIT_MOVE:
      if (argc != 7)
        return cli_usage_error (context, _("Give the feature id, then the new longitude and latitude"));
      lon_text = argv[5];
      lat_text = argv[6];
      break;

    case EDIT_SET:
      if (argc < 6)
        return cli_usage_error (context, _("Give the feature id and at least one FIELD=VALUE"));
      first_value = 5;
      break;

    case EDIT_DELETE:
    default:
      if (argc != 5)
        return cli_usage_error (context, _("Give the id of the feature to delete, and nothing else"));
      break;
    }

  if (action != EDIT_ADD && !parse_fid (argv[4], &fid))
    {
      g_autofree char *msg = g_strdup_printf (_("The feature id “%s” is not a whole number"), argv[4]);
      return cli_usage_error (context, msg);
    }
  if (lon_text != NULL &&
      (rc = parse_position (context, lon_text, lat_text, &lon, &lat)) >= 0)
    return rc;
  if (first_value > 0)
    {
      values = parse_assignments (argv + first_value, argc - first_value, &message);
      if (values == NULL)
        return cli_usage_error (context, message);
    }

  if (lon_text != NULL && !check_position (lon_text, lat_text, lon, lat, &error))
    return cli_fail (error);

  store = cli_open_store (argv[1], GIS_STORE_OPEN_READ_WRITE, &error);
  if (store == NULL)
    return cli_fail (error);
  layer = gis_store_get_layer (store, argv[2], &error);
  if (layer == NULL)
    return cli_fail (error);
  if (!check_point_layer (store, layer, &error) ||
      !check_assignments (store, layer, values, &error))
    return cli_fail (error);

  editor = gis_editor_new (store);

  if (action != EDIT_ADD)
    {
      before = gis_editor_get_feature (editor, layer, fid, &previous_lon, &previous_lat, &error);
      if (before == NULL)
        return cli_fail (error);
    }

  switch (action)
    {
    case EDIT_ADD:
      if (!gis_editor_add_point (editor, layer, lon, lat, values, &fid, &error))
        return cli_fail (error);
      break;
    case EDIT_MOVE:
      if (!gis_editor_move_point (editor, layer, fid, lon, lat, &error))
        return cli_fail (error);
      break;
    case EDIT_SET:
      if (!gis_editor_set_attributes (editor, layer, fid, values, &error))
        return cli_fail (error);
      break;
    case EDIT_DELETE:
    default:
      if (!gis_editor_delete_feature (editor, layer, fid, &error))
        return cli_fail (error);
      break;
    }

  /* What the store holds now; a deleted feature is shown as it was. */
  if (action == EDIT_DELETE)
    {
      after = g_steal_pointer (&before);
      lon = previous_lon;
      lat = previous_lat;
    }
  else
    {
      after = gis_editor_get_feature (editor, layer, fid, &lon, &lat, &error);
      if (after == NULL)
        return cli_fail (error);
    }
  if (action == EDIT_SET)
    changed = changed_fields (before, after);

  if (isfinite (lon) && isfinite (lat))
    habitat = gis_editor_find_habitat (store, lon, lat, &error);
  else
    habitat = g_ptr_array_new_with_free_func ((GDestroyNotify) gis_habitat_match_free);
  if (habitat == NULL)
    return cli_fail (error);

  if (cli_opt_json)
    {
      g_autoptr(JsonNode) root = edit_to_json (argv[1], action, layer, fid, lon, lat,
                                               previous_lon, previous_lat, habitat, after, changed);
      cli_print_json (root);
    }
  else if (!cli_opt_quiet)
    print_edit_result (action, layer, fid, lon, lat, habitat, before, changed);

  return EXIT_SUCCESS;
}
